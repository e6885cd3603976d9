//! Builds the ports for the configured backend, and runs a function's handler on Lambda.

use crate::config::{Backend, Config};
use crate::logging;
use lambda_http::{service_fn, Body, Request, Response};
use rand::RngCore;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
#[cfg(feature = "certification")]
use tessera_certification::ports::{CandidateRecords, TranscriptStore};
#[cfg(feature = "certification")]
use tessera_certification::{Catalog, CertificationDeps, CodeRules};
#[cfg(feature = "fulfillment")]
use tessera_fulfillment::ports::OrderStore;
use tessera_identity::ports::{AccountStore, LoginStore, SessionStore};
use tessera_identity::signup::IdentityDeps;
use tessera_identity::PasswordHasher;
use tessera_kernel::attempts::AttemptLedger;
use tessera_kernel::delivery::Postbox;
use tessera_kernel::ports::{Clock, Messenger, Random, UnsentMessages};
use tessera_kernel::time::Timestamp;
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

/// A mail system that sends nothing at once: every message is kept as unsent, and the retry job
/// sends it. For functions that never send, so they link no mail client.
#[cfg(feature = "certification")]
struct DeferredMail;

#[cfg(feature = "certification")]
#[async_trait::async_trait]
impl Messenger for DeferredMail {
    async fn send(
        &self,
        _: &tessera_kernel::ports::OutgoingMessage,
    ) -> Result<(), tessera_kernel::ports::SendError> {
        Err(tessera_kernel::ports::SendError(
            "this function sends no mail itself: kept for the retry job".into(),
        ))
    }
}

/// The identity table's store seen through each port that table serves.
struct IdentityPorts {
    accounts: Arc<dyn AccountStore>,
    logins: Arc<dyn LoginStore>,
    attempts: Arc<dyn AttemptLedger>,
    sessions: Arc<dyn SessionStore>,
    unsent: Arc<dyn UnsentMessages>,
}

impl IdentityPorts {
    fn of<T>(store: Arc<T>) -> IdentityPorts
    where
        T: AccountStore + LoginStore + AttemptLedger + SessionStore + UnsentMessages + 'static,
    {
        IdentityPorts {
            accounts: store.clone(),
            logins: store.clone(),
            attempts: store.clone(),
            sessions: store.clone(),
            unsent: store,
        }
    }
}

/// The candidate table's store, on whichever backend: it serves certification tracking's ports
/// and fulfillment's.
#[cfg(feature = "certification")]
enum CandidateTable {
    #[cfg(feature = "embedded")]
    Embedded(Arc<tessera_local::SqliteStore>),
    Aws(Arc<tessera_aws::CandidateStore>),
}

/// The backend a process talks to, opened once in `main`: every store built from it shares one
/// SQLite connection, or one AWS configuration and HTTPS client (loading the configuration is
/// most of an SDK function's Init, so a function that builds both identity and candidate stores
/// must not load it twice).
#[derive(Clone)]
pub enum Connections {
    #[cfg(feature = "embedded")]
    Embedded {
        db: Arc<tessera_local::SqliteStore>,
        dir: std::path::PathBuf,
    },
    Aws {
        /// Boxed: the configuration is large beside the embedded variant.
        sdk: Box<tessera_aws::SdkConfig>,
        /// One client for both tables: each client costs a cold process about 0.1 ms to build.
        dynamodb: tessera_aws::DynamoClient,
        identity_table: String,
        candidate_table: Option<String>,
        email_from: String,
    },
}

impl Connections {
    pub async fn open(config: &Config) -> Result<Connections, WiringError> {
        Ok(match &config.backend {
            Backend::Embedded { dir } => open_embedded(dir)?,
            Backend::Aws {
                identity_table,
                candidate_table,
                email_from,
                tls_roots,
            } => {
                let sdk = tessera_aws::load_config(*tls_roots).await;
                Connections::Aws {
                    dynamodb: tessera_aws::DynamoClient::new(&sdk),
                    sdk: Box::new(sdk),
                    identity_table: identity_table.clone(),
                    candidate_table: candidate_table.clone(),
                    email_from: email_from.clone(),
                }
            }
        })
    }

    /// The identity flows' ports, with the clock and randomness given (tests move the clock).
    pub fn identity_deps(
        &self,
        config: &Config,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Result<IdentityDeps, WiringError> {
        let table = self.identity_table();
        Ok(IdentityDeps {
            postbox: self.postbox_over(
                config,
                &table,
                self.messenger(clock.clone()),
                clock.clone(),
                random.clone(),
            ),
            store: table.accounts,
            logins: table.logins,
            attempts: table.attempts,
            sessions: table.sessions,
            clock,
            random,
            hasher: PasswordHasher::new(config.hashing)?,
            settings: Arc::new(config.identity.clone()),
            client_leases: Arc::default(),
        })
    }

    /// The certification flows' ports, with the built-in catalog, `clock` and `random`: the
    /// candidate table's stores, and from the identity table the account holders (read through
    /// their profiles), the attempt ledger and the outbox.
    #[cfg(feature = "certification")]
    pub fn certification_deps(
        &self,
        config: &Config,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Result<CertificationDeps, WiringError> {
        let messenger = self.messenger(clock.clone());
        self.certification_deps_sending(config, messenger, clock, random)
    }

    /// `certification_deps` for a function that sends nothing itself (imports, the public
    /// transcript page): it links no mail client, and anything a flow of it did send would be
    /// kept for the retry job, which sends it.
    #[cfg(feature = "certification")]
    pub fn certification_deps_deferring_mail(
        &self,
        config: &Config,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Result<CertificationDeps, WiringError> {
        self.certification_deps_sending(config, Arc::new(DeferredMail), clock, random)
    }

    #[cfg(feature = "certification")]
    fn certification_deps_sending(
        &self,
        config: &Config,
        messenger: Arc<dyn Messenger>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Result<CertificationDeps, WiringError> {
        let (records, transcripts): (Arc<dyn CandidateRecords>, Arc<dyn TranscriptStore>) =
            match self.candidate_table()? {
                #[cfg(feature = "embedded")]
                CandidateTable::Embedded(db) => (db.clone(), db),
                CandidateTable::Aws(store) => (store.clone(), store),
            };
        let identity = self.identity_table();
        let settings = &config.identity;
        Ok(CertificationDeps {
            records,
            transcripts,
            holders: Arc::new(crate::candidate::ProfileHolders(identity.accounts.clone())),
            catalog: Arc::new(Catalog::built_in()),
            postbox: self.postbox_over(config, &identity, messenger, clock.clone(), random.clone()),
            attempts: identity.attempts,
            clock,
            random,
            codes: CodeRules {
                pepper: settings.pepper.clone(),
                sends: settings.sends,
                max_attempts: settings.code_max_attempts,
            },
        })
    }

    /// The fulfillment orders (the candidate table).
    #[cfg(feature = "fulfillment")]
    pub fn orders(&self) -> Result<Arc<dyn OrderStore>, WiringError> {
        Ok(match self.candidate_table()? {
            #[cfg(feature = "embedded")]
            CandidateTable::Embedded(db) => db,
            CandidateTable::Aws(store) => store,
        })
    }

    fn identity_table(&self) -> IdentityPorts {
        match self {
            #[cfg(feature = "embedded")]
            Connections::Embedded { db, .. } => IdentityPorts::of(db.clone()),
            Connections::Aws {
                dynamodb,
                identity_table,
                ..
            } => IdentityPorts::of(Arc::new(tessera_aws::IdentityStore::new(
                dynamodb.clone(),
                identity_table.clone(),
            ))),
        }
    }

    /// How messages go out, with the clock and randomness given: what a function that only sends
    /// needs.
    pub fn postbox(
        &self,
        config: &Config,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Postbox {
        let messenger = self.messenger(clock.clone());
        self.postbox_over(config, &self.identity_table(), messenger, clock, random)
    }

    /// The mail system: SES and SNS on AWS, the outbox file on the embedded default.
    // Only the embedded outbox stamps its lines with the clock.
    #[cfg_attr(not(feature = "embedded"), allow(unused_variables))]
    fn messenger(&self, clock: Arc<dyn Clock>) -> Arc<dyn Messenger> {
        match self {
            #[cfg(feature = "embedded")]
            Connections::Embedded { dir, .. } => Arc::new(tessera_local::FileOutbox::new(
                dir.join("outbox.jsonl"),
                clock,
            )),
            Connections::Aws {
                sdk, email_from, ..
            } => Arc::new(tessera_aws::AwsMessenger::new(sdk, email_from.clone())),
        }
    }

    /// How messages go out through `messenger`; unsent messages and the SMS budget kept in the
    /// identity table.
    fn postbox_over(
        &self,
        config: &Config,
        table: &IdentityPorts,
        messenger: Arc<dyn Messenger>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Postbox {
        Postbox {
            messenger,
            unsent: table.unsent.clone(),
            attempts: table.attempts.clone(),
            clock,
            random,
            settings: config.delivery,
        }
    }

    /// The candidate table's store: the embedded database, or the candidate table
    /// (`TESSERA_CANDIDATE_TABLE`, required on AWS by the functions that call this).
    #[cfg(feature = "certification")]
    fn candidate_table(&self) -> Result<CandidateTable, WiringError> {
        match self {
            #[cfg(feature = "embedded")]
            Connections::Embedded { db, .. } => Ok(CandidateTable::Embedded(db.clone())),
            Connections::Aws {
                dynamodb,
                identity_table,
                candidate_table,
                ..
            } => {
                let table = candidate_table
                    .clone()
                    .ok_or(crate::config::ConfigError::Missing(
                        "TESSERA_CANDIDATE_TABLE",
                    ))?;
                Ok(CandidateTable::Aws(Arc::new(
                    tessera_aws::CandidateStore::new(
                        dynamodb.clone(),
                        table,
                        identity_table.clone(),
                    ),
                )))
            }
        }
    }
}

#[cfg(feature = "embedded")]
fn open_embedded(dir: &std::path::Path) -> Result<Connections, WiringError> {
    Ok(Connections::Embedded {
        db: Arc::new(tessera_local::SqliteStore::open(
            &dir.join("tessera.sqlite3"),
        )?),
        dir: dir.to_path_buf(),
    })
}

/// A Lambda build has no embedded backend: said at once, rather than a first request failing.
#[cfg(not(feature = "embedded"))]
fn open_embedded(_dir: &std::path::Path) -> Result<Connections, WiringError> {
    Err(
        "this build has no embedded backend (the `tessera-http/embedded` feature): \
         set TESSERA_BACKEND=aws, or run it with `make dev`"
            .into(),
    )
}

/// The identity flows' ports for `config`, with the real clock and randomness (a function that
/// builds no other stores).
pub async fn identity_deps(config: &Config) -> Result<IdentityDeps, WiringError> {
    Connections::open(config).await?.identity_deps(
        config,
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
}

/// How messages go out for `config`, with the real clock and randomness (a function that only
/// sends).
pub async fn postbox(config: &Config) -> Result<Postbox, WiringError> {
    Ok(Connections::open(config)
        .await?
        .postbox(config, Arc::new(SystemClock), Arc::new(OsRandom)))
}

/// The certification flows' ports for `config` with the real clock and randomness, for a function
/// that builds no other stores and sends nothing itself (imports, the public transcript page:
/// `Connections::certification_deps_deferring_mail`).
#[cfg(feature = "certification")]
pub async fn certification_deps(config: &Config) -> Result<CertificationDeps, WiringError> {
    Connections::open(config)
        .await?
        .certification_deps_deferring_mail(config, Arc::new(SystemClock), Arc::new(OsRandom))
}

/// A candidate-facing function's state for `config`, with the real clock and randomness: what
/// the mapping, personal-info, certifications and transcripts functions serve with.
#[cfg(feature = "certification")]
pub async fn candidate_state(
    config: &Config,
) -> Result<crate::candidate::CandidateState, WiringError> {
    let backend = Connections::open(config).await?;
    let (clock, random): (Arc<dyn Clock>, Arc<dyn Random>) =
        (Arc::new(SystemClock), Arc::new(OsRandom));
    Ok(crate::candidate::CandidateState {
        identity: backend.identity_deps(config, clock.clone(), random.clone())?,
        certification: backend.certification_deps(config, clock, random)?,
        public_url: config.public_url.clone(),
    })
}

/// The order flows' settings and payment provider, from the typed configuration (the fulfillment
/// function's and the unpaid-orders job's one home for it).
#[cfg(feature = "fulfillment")]
pub fn fulfillment_deps(
    config: &Config,
    payment: &crate::config::PaymentConfig,
    orders: Arc<dyn OrderStore>,
) -> tessera_fulfillment::ordering::FulfillmentDeps {
    use crate::config::PaymentProvider;
    use tessera_fulfillment::payment::{Payments, SandboxPayments};
    let payments: Arc<dyn Payments> = match &payment.provider {
        PaymentProvider::Sandbox => Arc::new(SandboxPayments {
            public_base: config.public_url.clone().unwrap_or_default(),
        }),
        PaymentProvider::Stripe {
            api_base,
            secret_key,
        } => Arc::new(tessera_stripe::StripePayments::new(
            api_base.clone(),
            secret_key.clone(),
        )),
    };
    tessera_fulfillment::ordering::FulfillmentDeps {
        orders,
        payments,
        prices: payment.prices.clone(),
        webhook_secret: tessera_fulfillment::signature::SigningSecret::new(
            payment.webhook_secret.clone(),
        ),
        return_url: payment.return_url.clone(),
    }
}

/// A function's `main`: the handler behind lambda_http, each request admitted by the edge gate
/// (when the edge layer is on) and run through `dispatch`.
pub async fn serve<S, H, Fut>(
    config: &Config,
    state: S,
    handler: H,
) -> Result<(), lambda_http::Error>
where
    S: Clone + Send + Sync + 'static,
    H: Fn(Request, S) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Response<Body>> + Send,
{
    let gate = Arc::new(config.edge.clone());
    lambda_http::run(service_fn(move |request: Request| {
        let (state, gate) = (state.clone(), gate.clone());
        async move { Ok::<_, Infallible>(admit_and_dispatch(&gate, handler, request, state).await) }
    }))
    .await
}

/// One request as `serve` runs it: admitted by the edge gate, then `dispatch`.
pub async fn admit_and_dispatch<S, H, Fut>(
    gate: &crate::edge::EdgeGate,
    handler: H,
    mut request: Request,
    state: S,
) -> Response<Body>
where
    H: FnOnce(Request, S) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    match gate.admit(&mut request) {
        Ok(()) => dispatch(handler, request, state).await,
        Err(refused) => refused.into_response(),
    }
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

/// The function's configuration, reading only the secrets it uses, or the process stopped with
/// its error (a Lambda Init failure names the variable).
pub fn config_or_exit(secrets: crate::config::Secrets) -> Config {
    or_exit(Config::from_env_for(secrets))
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
