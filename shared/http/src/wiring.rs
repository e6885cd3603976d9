//! Builds the ports for the configured backend, and runs a function's handler on Lambda.

use crate::config::{Backend, Config};
use crate::logging;
use lambda_http::{service_fn, Body, Request, Response};
use rand::RngCore;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tessera_core::ports::{
    AccountStore, CandidateRecords, Clock, LoginStore, Messenger, OrderStore, Random, SessionStore,
    TranscriptStore, UnsentMessages,
};
use tessera_core::signup::IdentityDeps;
use tessera_core::{PasswordHasher, Timestamp};
use tracing::Instrument;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        )
    }
}

/// The operating system's CSPRNG.
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        rand::rngs::OsRng.fill_bytes(buf);
    }
}

pub type WiringError = Box<dyn std::error::Error + Send + Sync>;

/// One backend object seen through each port the flows use.
type Stores = (
    Arc<dyn AccountStore>,
    Arc<dyn LoginStore>,
    Arc<dyn SessionStore>,
    Arc<dyn UnsentMessages>,
    Arc<dyn Messenger>,
);

/// The identity flows' ports for `config`, with the real clock and randomness.
pub async fn identity_deps(config: &Config) -> Result<IdentityDeps, WiringError> {
    identity_deps_with(config, Arc::new(SystemClock), Arc::new(OsRandom)).await
}

/// As `identity_deps`, with the clock and randomness given (tests move the clock).
pub async fn identity_deps_with(
    config: &Config,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
) -> Result<IdentityDeps, WiringError> {
    let (store, logins, sessions, unsent, messenger): Stores = match &config.backend {
        Backend::Embedded { dir } => {
            let db = Arc::new(tessera_local::SqliteStore::open(
                &dir.join("tessera.sqlite3"),
            )?);
            let outbox = Arc::new(tessera_local::FileOutbox::new(
                dir.join("outbox.jsonl"),
                clock.clone(),
            ));
            (db.clone(), db.clone(), db.clone(), db, outbox)
        }
        Backend::Aws {
            identity_table,
            email_from,
            tls_roots,
            ..
        } => {
            let aws = tessera_aws::load_config(*tls_roots).await;
            let db = Arc::new(tessera_aws::DynamoStore::new(
                tessera_aws::DynamoClient::new(&aws),
                identity_table.clone(),
            ));
            let messenger = Arc::new(tessera_aws::AwsMessenger::new(
                tessera_aws::SesClient::new(&aws),
                tessera_aws::SnsClient::new(&aws),
                email_from.clone(),
            ));
            (db.clone(), db.clone(), db.clone(), db, messenger)
        }
    };
    Ok(IdentityDeps {
        store,
        logins,
        sessions,
        messenger,
        unsent,
        clock,
        random,
        hasher: PasswordHasher::new(config.hashing)?,
        settings: Arc::new(config.identity.clone()),
    })
}

/// The certification flows' ports for `config`, with the built-in catalog and `clock`.
pub async fn certification_deps(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> Result<tessera_core::certification::CertificationDeps, WiringError> {
    let (records, transcripts, orders) = candidate_stores(config).await?;
    Ok(tessera_core::certification::CertificationDeps {
        records,
        transcripts,
        orders,
        catalog: Arc::new(tessera_core::certification::Catalog::built_in()),
        clock,
    })
}

/// The candidate-record, transcript and order stores for `config` (one store serves all): the embedded
/// database, or the candidate table (`TESSERA_CANDIDATE_TABLE`, required on AWS by the functions
/// that call this).
#[allow(clippy::type_complexity)]
pub async fn candidate_stores(
    config: &Config,
) -> Result<
    (
        Arc<dyn CandidateRecords>,
        Arc<dyn TranscriptStore>,
        Arc<dyn OrderStore>,
    ),
    WiringError,
> {
    match &config.backend {
        Backend::Embedded { dir } => {
            let store = Arc::new(tessera_local::SqliteStore::open(
                &dir.join("tessera.sqlite3"),
            )?);
            Ok((store.clone(), store.clone(), store))
        }
        Backend::Aws {
            identity_table,
            candidate_table,
            tls_roots,
            ..
        } => {
            let table = candidate_table
                .clone()
                .ok_or(crate::config::ConfigError::Missing(
                    "TESSERA_CANDIDATE_TABLE",
                ))?;
            let aws = tessera_aws::load_config(*tls_roots).await;
            let store = Arc::new(tessera_aws::DynamoStore::candidates(
                tessera_aws::DynamoClient::new(&aws),
                table,
                identity_table.clone(),
            ));
            Ok((store.clone(), store.clone(), store))
        }
    }
}

/// A function's `main`: the handler behind lambda_http, each request through `dispatch`.
pub async fn serve<S, H, Fut>(state: S, handler: H) -> Result<(), lambda_http::Error>
where
    S: Clone + Send + Sync + 'static,
    H: Fn(Request, S) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Response<Body>> + Send,
{
    lambda_http::run(service_fn(move |request: Request| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(dispatch(handler, request, state).await) }
    }))
    .await
}

/// Runs one request in a span carrying its request id and logs its outcome (never its body).
pub async fn dispatch<S, H, Fut>(handler: H, request: Request, state: S) -> Response<Body>
where
    H: FnOnce(Request, S) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    let span = tracing::info_span!("request", request_id = %logging::request_id(&request));
    async move {
        let method = request.method().to_string();
        let path = logging::loggable_path(&request);
        let response = handler(request, state).await;
        tracing::info!(%method, %path, status = response.status().as_u16(), "handled");
        response
    }
    .instrument(span)
    .await
}

/// Loads the configuration or exits with its error (a Lambda Init failure names the variable).
pub fn config_or_exit() -> Config {
    or_exit(Config::from_env())
}

/// A configuration read, or the process stopped with its error.
pub fn or_exit<T>(config: Result<T, crate::config::ConfigError>) -> T {
    match config {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "configuration error");
            eprintln!("configuration error: {e}");
            std::process::exit(2);
        }
    }
}
