//! Builds the ports for the configured backend, and runs a function's handler on Lambda.

use crate::config::{Backend, Config, ConfigError, Secrets};
use crate::logging;
use lambda_http::{service_fn, Body, Request, Response};
use rand::RngCore;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
#[cfg(feature = "certification")]
use tessera_certification::catalog_versions::{CatalogSource, CatalogVersions};
#[cfg(feature = "certification")]
use tessera_certification::ports::{BadgeStore, CandidateRecords, TranscriptStore};
#[cfg(feature = "certification")]
use tessera_certification::verification_codes::VerificationCodes;
#[cfg(feature = "certification")]
use tessera_certification::{Catalog, CertificationDeps, CodeRules};
#[cfg(feature = "fulfillment")]
use tessera_fulfillment::ports::OrderStore;
use tessera_identity::ports::{AccountStore, LoginStore, SessionStore};
use tessera_identity::signup::IdentityDeps;
use tessera_identity::PasswordHasher;
use tessera_kernel::attempts::AttemptLedger;
use tessera_kernel::audit::AuditLog;
use tessera_kernel::delivery::Postbox;
use tessera_kernel::ports::{Clock, Messenger, Random, UnsentMessages};
#[cfg(feature = "signing")]
use tessera_kernel::signing::{JwsSigner, SigningKeys};
use tessera_kernel::suppression::SuppressionList;
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
pub struct DeferredMail;

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
    suppressions: Arc<dyn SuppressionList>,
}

impl IdentityPorts {
    fn of<T>(store: Arc<T>) -> IdentityPorts
    where
        T: AccountStore
            + LoginStore
            + AttemptLedger
            + SessionStore
            + UnsentMessages
            + SuppressionList
            + 'static,
    {
        IdentityPorts {
            accounts: store.clone(),
            logins: store.clone(),
            attempts: store.clone(),
            sessions: store.clone(),
            unsent: store.clone(),
            suppressions: store,
        }
    }
}

/// The identity table's store, on whichever backend.
enum IdentityTable {
    #[cfg(feature = "embedded")]
    Embedded(Arc<tessera_local::SqliteStore>),
    Aws(Arc<tessera_aws::IdentityStore>),
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
        audit_table: Option<String>,
        email_from: String,
        ses_configuration_set: Option<String>,
    },
}

impl Connections {
    /// Opens the backend the configuration names. An AWS backend's credentials and region come
    /// from the environment, as Lambda sets them (`tessera_aws::load_config`).
    pub async fn open(config: &Config) -> Result<Connections, WiringError> {
        Self::open_with(
            config,
            |roots| async move { tessera_aws::load_config(roots) },
        )
        .await
    }

    /// For a command an operator runs on their own machine: an AWS backend's settings come from
    /// the standard chain (profiles, SSO, roles) as well. Kept apart from `open` so that no function
    /// links that chain.
    pub async fn open_by_standard_chain(config: &Config) -> Result<Connections, WiringError> {
        Self::open_with(config, |roots| async move {
            Ok::<_, tessera_aws::MissingSetting>(
                tessera_aws::load_config_by_standard_chain(roots).await,
            )
        })
        .await
    }

    async fn open_with<Load, Loading>(
        config: &Config,
        load: Load,
    ) -> Result<Connections, WiringError>
    where
        Load: FnOnce(tessera_aws::TrustedRoots) -> Loading,
        Loading: std::future::Future<
            Output = Result<tessera_aws::SdkConfig, tessera_aws::MissingSetting>,
        >,
    {
        Ok(match &config.backend {
            Backend::Embedded { dir } => open_embedded(dir)?,
            Backend::Aws {
                identity_table,
                candidate_table,
                audit_table,
                email_from,
                ses_configuration_set,
                tls_roots,
            } => {
                let sdk = load(*tls_roots).await?;
                Connections::Aws {
                    dynamodb: tessera_aws::DynamoClient::new(&sdk),
                    sdk: Box::new(sdk),
                    identity_table: identity_table.clone(),
                    candidate_table: candidate_table.clone(),
                    audit_table: audit_table.clone(),
                    email_from: email_from.clone(),
                    ses_configuration_set: ses_configuration_set.clone(),
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
        type Stores = (
            Arc<dyn CandidateRecords>,
            Arc<dyn TranscriptStore>,
            Arc<dyn VerificationCodes>,
            Arc<dyn BadgeStore>,
            Arc<dyn CatalogVersions>,
        );
        let (records, transcripts, verification_codes, badges, versions): Stores = match self
            .candidate_table()?
        {
            #[cfg(feature = "embedded")]
            CandidateTable::Embedded(db) => (db.clone(), db.clone(), db.clone(), db.clone(), db),
            CandidateTable::Aws(store) => (
                store.clone(),
                store.clone(),
                store.clone(),
                store.clone(),
                store,
            ),
        };
        let identity = self.identity_table();
        let settings = &config.identity;
        Ok(CertificationDeps {
            records,
            transcripts,
            verification_codes,
            badges,
            holders: Arc::new(crate::candidate::ProfileHolders(identity.accounts.clone())),
            catalog: Arc::new(Catalog::built_in()),
            catalogs: Arc::new(CatalogSource::new(versions, clock.clone())),
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

    /// The program's signing keys for `purpose`: the embedded default's key file (made on first
    /// use), or the KMS keys its variable (`TESSERA_CREDENTIAL_KEYS`, `TESSERA_ID_TOKEN_KEYS`)
    /// names, comma-separated, the current one first (required on AWS by the functions that call
    /// this).
    #[cfg(feature = "signing")]
    pub fn signer(
        &self,
        purpose: SigningKeys,
        variable: impl Fn(&str) -> Option<String>,
    ) -> Result<Arc<dyn JwsSigner>, WiringError> {
        Ok(match self {
            #[cfg(feature = "embedded")]
            Connections::Embedded { dir, .. } => Arc::new(
                tessera_local::signing::LocalSigner::open(dir, purpose).map_err(|e| {
                    crate::config::ConfigError::Invalid {
                        name: "TESSERA_LOCAL_DIR",
                        reason: format!("cannot keep the signing key file: {e}"),
                    }
                })?,
            ),
            Connections::Aws { sdk, .. } => {
                let keys: Vec<String> = variable(purpose.variable())
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_string)
                    .collect();
                if keys.is_empty() {
                    return Err(crate::config::ConfigError::Missing(purpose.variable()).into());
                }
                let client = tessera_aws::signing::KmsClient::new(sdk);
                Arc::new(tessera_aws::signing::KmsSigner::new(client, keys))
            }
        })
    }

    /// The audit log: the embedded database, or the audit table (`TESSERA_AUDIT_TABLE`, required
    /// on AWS by the functions that call this).
    pub fn audit_log(&self) -> Result<Arc<dyn AuditLog>, WiringError> {
        Ok(match self {
            #[cfg(feature = "embedded")]
            Connections::Embedded { db, .. } => db.clone(),
            Connections::Aws {
                dynamodb,
                audit_table,
                ..
            } => {
                let table = audit_table
                    .clone()
                    .ok_or(crate::config::ConfigError::Missing("TESSERA_AUDIT_TABLE"))?;
                Arc::new(tessera_aws::AuditStore::new(dynamodb.clone(), table))
            }
        })
    }

    fn identity_table(&self) -> IdentityPorts {
        match self.identity_store() {
            #[cfg(feature = "embedded")]
            IdentityTable::Embedded(db) => IdentityPorts::of(db),
            IdentityTable::Aws(store) => IdentityPorts::of(store),
        }
    }

    /// The identity table's store itself, for the ports `IdentityPorts` does not list (the
    /// OpenID Connect provider's, access levels').
    fn identity_store(&self) -> IdentityTable {
        match self {
            #[cfg(feature = "embedded")]
            Connections::Embedded { db, .. } => IdentityTable::Embedded(db.clone()),
            Connections::Aws {
                dynamodb,
                identity_table,
                audit_table,
                ..
            } => IdentityTable::Aws(Arc::new(
                tessera_aws::IdentityStore::new(dynamodb.clone(), identity_table.clone())
                    .with_audit_table(audit_table.clone()),
            )),
        }
    }

    /// The access levels' store: the identity table.
    #[cfg(feature = "access")]
    fn access_store(&self) -> Arc<dyn tessera_access::ports::AccessStore> {
        match self.identity_store() {
            #[cfg(feature = "embedded")]
            IdentityTable::Embedded(db) => db,
            IdentityTable::Aws(store) => store,
        }
    }

    /// Access levels' ports, with the clock and randomness given: their items live in the
    /// identity table.
    #[cfg(feature = "access")]
    pub fn access_deps(
        &self,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> tessera_access::flows::AccessDeps {
        tessera_access::flows::AccessDeps {
            store: self.access_store(),
            attempts: self.identity_table().attempts,
            clock,
            random,
        }
    }

    /// Federation's ports: its items live in the identity table, beside the accounts it signs
    /// in; organisations' providers are reached over HTTPS.
    #[cfg(feature = "federation")]
    pub fn federation_deps(
        &self,
        identity: IdentityDeps,
        audit: Arc<dyn AuditLog>,
    ) -> tessera_federation::flows::FederationDeps {
        tessera_federation::flows::FederationDeps {
            store: match self.identity_store() {
                #[cfg(feature = "embedded")]
                IdentityTable::Embedded(db) => db,
                IdentityTable::Aws(store) => store,
            },
            // Kept per process: a warm function's sign-ins fetch no discovery document or key
            // set again for a while.
            issuers: Arc::new(tessera_federation::cache::CachedIssuers::new(
                Arc::new(tessera_federation::issuer::HttpIssuers::default()),
                identity.clock.clone(),
            )),
            identity,
            audit,
        }
    }

    /// The OpenID Connect provider's store: the identity table.
    #[cfg(feature = "oidc-store")]
    pub fn oidc_store(&self) -> Arc<dyn tessera_oidc::ports::OidcStore> {
        match self.identity_store() {
            #[cfg(feature = "embedded")]
            IdentityTable::Embedded(db) => db,
            IdentityTable::Aws(store) => store,
        }
    }

    /// The OpenID Connect provider's ports, with the clock and randomness given: its items live
    /// in the identity table, beside the profiles its claims come from.
    #[cfg(feature = "oidc")]
    pub fn oidc_deps(
        &self,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
        signer: Arc<dyn JwsSigner>,
    ) -> Result<tessera_oidc::OidcDeps, WiringError> {
        let identity = self.identity_table();
        Ok(tessera_oidc::OidcDeps {
            store: self.oidc_store(),
            access: self.access_deps(clock.clone(), random.clone()),
            accounts: identity.accounts,
            attempts: identity.attempts,
            audit: self.audit_log()?,
            signer,
            clock,
            random,
            settings: tessera_oidc::Lifetimes::default(),
        })
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
                sdk,
                email_from,
                ses_configuration_set,
                ..
            } => Arc::new(
                tessera_aws::AwsMessenger::new(sdk, email_from.clone())
                    .with_configuration_set(ses_configuration_set.clone()),
            ),
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
            suppressions: table.suppressions.clone(),
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
                audit_table,
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
                    )
                    .with_audit_table(audit_table.clone()),
                )))
            }
        }
    }
}

#[cfg(feature = "embedded")]
fn open_embedded(dir: &std::path::Path) -> Result<Connections, WiringError> {
    Ok(Connections::Embedded {
        db: Arc::new(tessera_local::SqliteStore::open(
            &tessera_local::database_file(dir),
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

/// What every function's state is built from: its configuration and settings, and the ports of
/// each context. A process's [`ProcessWiring`] builds them from the backend it opened; the tests'
/// application hands out its own (moved clock, faulty messengers), and both build each function's
/// state through the same [`FromWiring`].
pub trait Wiring: Send + Sync {
    fn config(&self) -> &Config;
    /// The secrets the function reads (the others are never read).
    fn secrets(&self) -> Secrets;
    /// A variable a function reads for its own settings.
    fn variable(&self, name: &str) -> Option<String>;
    fn identity_deps(&self) -> Result<IdentityDeps, WiringError>;
    /// How messages go out: what a function that only sends needs.
    fn postbox(&self) -> Result<Postbox, WiringError>;
    /// The audit log staff writes, imports and the fulfillment house's reports land in.
    fn audit_log(&self) -> Result<Arc<dyn AuditLog>, WiringError>;
    /// The certification flows' ports, sending mail at once.
    #[cfg(feature = "certification")]
    fn certification_deps(&self) -> Result<CertificationDeps, WiringError>;
    /// The certification flows' ports for a function that sends nothing itself
    /// ([`Connections::certification_deps_deferring_mail`]).
    #[cfg(feature = "certification")]
    fn certification_deps_deferring_mail(&self) -> Result<CertificationDeps, WiringError>;
    #[cfg(feature = "fulfillment")]
    fn orders(&self) -> Result<Arc<dyn OrderStore>, WiringError>;
    /// The program's signing keys for `purpose`: the key file beside the embedded database, or
    /// the KMS keys its variable names (the current one first).
    #[cfg(feature = "signing")]
    fn signer(&self, purpose: SigningKeys) -> Result<Arc<dyn JwsSigner>, WiringError>;

    /// The OpenID Connect provider's ports (its ID-token keys among them).
    #[cfg(feature = "oidc")]
    fn oidc_deps(&self) -> Result<tessera_oidc::OidcDeps, WiringError> {
        Err("this wiring builds no OpenID Connect provider".into())
    }

    /// The OpenID Connect provider's store alone (no signing keys).
    #[cfg(feature = "oidc-store")]
    fn oidc_store(&self) -> Result<Arc<dyn tessera_oidc::ports::OidcStore>, WiringError> {
        Err("this wiring builds no OpenID Connect store".into())
    }

    /// Access levels' ports.
    #[cfg(feature = "access")]
    fn access_deps(&self) -> Result<tessera_access::flows::AccessDeps, WiringError> {
        Err("this wiring builds no access levels".into())
    }

    /// Federation's ports.
    #[cfg(feature = "federation")]
    fn federation_deps(&self) -> Result<tessera_federation::flows::FederationDeps, WiringError> {
        Err("this wiring builds no federation".into())
    }

    /// The keys credentials are signed with.
    #[cfg(feature = "credentials")]
    fn credential_signer(&self) -> Result<Arc<dyn JwsSigner>, WiringError> {
        self.signer(SigningKeys::Credentials)
    }

    /// Who issues the program's credentials: `TESSERA_PROGRAM_NAME`, `_URL` and `_EMAIL` (an
    /// empty one, as the template passes an unset parameter, is unset).
    #[cfg(feature = "credentials")]
    fn program(&self) -> tessera_credentials::issuer::Program {
        let set = |name: &str| self.variable(name).filter(|v| !v.trim().is_empty());
        let default = tessera_credentials::issuer::Program::default();
        tessera_credentials::issuer::Program {
            name: set("TESSERA_PROGRAM_NAME").unwrap_or(default.name),
            url: set("TESSERA_PROGRAM_URL"),
            email: set("TESSERA_PROGRAM_EMAIL"),
        }
    }

    /// The payment provider's settings, read with the function's secrets.
    #[cfg(feature = "fulfillment")]
    fn payment(&self) -> Result<crate::config::PaymentConfig, ConfigError> {
        crate::config::PaymentConfig::from_lookup_for(|name| self.variable(name), self.secrets())
    }
}

/// A function's state, built once per process from the wiring: the one place a function's
/// dependencies are put together, which its `main` (through [`run`]) and the tests both call.
/// Generic over the wiring, so a function links only the ports its state asks for.
pub trait FromWiring: Sized {
    /// Opens the backend the state is built on, once per process. A state built from the
    /// configuration alone opens none (`None`), so its function links no SDK client and loads no
    /// AWS configuration: its own future never names `Connections::open`.
    fn open_backend(
        config: &Config,
    ) -> impl Future<Output = Result<Option<Connections>, WiringError>> + Send {
        async move { Connections::open(config).await.map(Some) }
    }

    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError>;
}

/// A process's wiring: its configuration from the environment, the backend opened once (when its
/// state needs one), the real clock and the OS's randomness.
pub struct ProcessWiring {
    pub config: Config,
    connections: Option<Connections>,
    secrets: Secrets,
}

impl ProcessWiring {
    /// The wiring for state `S`: only the secrets the function uses are read, and the backend is
    /// opened only if `S` needs it (`FromWiring::open_backend`). A configuration error stops the process with its message (a
    /// Lambda Init failure names the variable).
    pub async fn from_env<S: FromWiring>(secrets: Secrets) -> Result<ProcessWiring, WiringError> {
        let config = config_or_exit(secrets);
        let connections = S::open_backend(&config).await?;
        Ok(ProcessWiring {
            config,
            connections,
            secrets,
        })
    }

    fn connections(&self) -> Result<&Connections, WiringError> {
        self.connections.as_ref().ok_or_else(|| {
            "this function's state opened no backend (FromWiring::NEEDS_BACKEND)".into()
        })
    }

    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(SystemClock)
    }

    fn random(&self) -> Arc<dyn Random> {
        Arc::new(OsRandom)
    }
}

impl Wiring for ProcessWiring {
    fn config(&self) -> &Config {
        &self.config
    }

    fn secrets(&self) -> Secrets {
        self.secrets
    }

    fn variable(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn identity_deps(&self) -> Result<IdentityDeps, WiringError> {
        self.connections()?
            .identity_deps(&self.config, self.clock(), self.random())
    }

    fn postbox(&self) -> Result<Postbox, WiringError> {
        Ok(self
            .connections()?
            .postbox(&self.config, self.clock(), self.random()))
    }

    fn audit_log(&self) -> Result<Arc<dyn AuditLog>, WiringError> {
        self.connections()?.audit_log()
    }

    #[cfg(feature = "certification")]
    fn certification_deps(&self) -> Result<CertificationDeps, WiringError> {
        self.connections()?
            .certification_deps(&self.config, self.clock(), self.random())
    }

    #[cfg(feature = "certification")]
    fn certification_deps_deferring_mail(&self) -> Result<CertificationDeps, WiringError> {
        self.connections()?.certification_deps_deferring_mail(
            &self.config,
            self.clock(),
            self.random(),
        )
    }

    #[cfg(feature = "fulfillment")]
    fn orders(&self) -> Result<Arc<dyn OrderStore>, WiringError> {
        self.connections()?.orders()
    }

    #[cfg(feature = "signing")]
    fn signer(&self, purpose: SigningKeys) -> Result<Arc<dyn JwsSigner>, WiringError> {
        self.connections()?
            .signer(purpose, |name| self.variable(name))
    }

    #[cfg(feature = "access")]
    fn access_deps(&self) -> Result<tessera_access::flows::AccessDeps, WiringError> {
        Ok(self.connections()?.access_deps(self.clock(), self.random()))
    }

    #[cfg(feature = "federation")]
    fn federation_deps(&self) -> Result<tessera_federation::flows::FederationDeps, WiringError> {
        Ok(self
            .connections()?
            .federation_deps(self.identity_deps()?, self.audit_log()?))
    }

    #[cfg(feature = "oidc-store")]
    fn oidc_store(&self) -> Result<Arc<dyn tessera_oidc::ports::OidcStore>, WiringError> {
        Ok(self.connections()?.oidc_store())
    }

    #[cfg(feature = "oidc")]
    fn oidc_deps(&self) -> Result<tessera_oidc::OidcDeps, WiringError> {
        let signer = self.signer(SigningKeys::IdTokens)?;
        self.connections()?
            .oidc_deps(self.clock(), self.random(), signer)
    }
}

/// The identity functions' state.
impl FromWiring for IdentityDeps {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<IdentityDeps, WiringError> {
        wiring.identity_deps()
    }
}

/// The password-policy function's state: the configured policy, and no client.
impl FromWiring for Arc<tessera_identity::policy::PasswordPolicy> {
    async fn open_backend(_: &Config) -> Result<Option<Connections>, WiringError> {
        Ok(None)
    }

    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError> {
        Ok(Arc::new(wiring.config().identity.policy.clone()))
    }
}

/// The notification-retries job's state: how messages go out.
impl FromWiring for Postbox {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Postbox, WiringError> {
        wiring.postbox()
    }
}

/// The state of a function whose only state is certification tracking (the public transcript
/// page): it needs no session and sends nothing itself, so it links no mail client.
#[cfg(feature = "certification")]
impl FromWiring for CertificationDeps {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<CertificationDeps, WiringError> {
        wiring.certification_deps_deferring_mail()
    }
}

/// The candidate-facing functions' state (mapping, personal-info, certifications, transcripts).
#[cfg(feature = "certification")]
impl FromWiring for crate::candidate::CandidateState {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError> {
        Ok(crate::candidate::CandidateState {
            identity: wiring.identity_deps()?,
            certification: wiring.certification_deps()?,
            public_url: wiring.config().public_url.clone(),
        })
    }
}

/// The order flows' ports, settings and payment provider (the fulfillment function's and the
/// unpaid-orders job's one home for them).
#[cfg(feature = "fulfillment")]
pub fn fulfillment_deps<W: Wiring + ?Sized>(
    wiring: &W,
) -> Result<tessera_fulfillment::ordering::FulfillmentDeps, WiringError> {
    use crate::config::PaymentProvider;
    use tessera_fulfillment::payment::{Payments, SandboxPayments};
    let payment = wiring.payment()?;
    let payments: Arc<dyn Payments> = match &payment.provider {
        PaymentProvider::Sandbox => Arc::new(SandboxPayments {
            public_base: wiring.config().public_url.clone().unwrap_or_default(),
        }),
        PaymentProvider::Stripe {
            api_base,
            secret_key,
        } => Arc::new(tessera_stripe::StripePayments::new(
            api_base.clone(),
            secret_key.clone(),
        )),
    };
    Ok(tessera_fulfillment::ordering::FulfillmentDeps {
        orders: wiring.orders()?,
        payments,
        prices: payment.prices,
        webhook_secret: tessera_fulfillment::signature::SigningSecret::new(payment.webhook_secret),
        return_url: payment.return_url,
    })
}

/// An HTTP function's whole `main`: logs, the wiring from the environment, the state the
/// handler takes built from it, and the handler served on Lambda.
pub async fn run<S, H, Fut>(secrets: Secrets, handler: H) -> Result<(), lambda_http::Error>
where
    S: FromWiring + Clone + Send + Sync + 'static,
    H: Fn(Request, S) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Response<Body>> + Send,
{
    logging::init();
    let (wiring, state) = state_from_env::<S>(secrets).await?;
    serve(&wiring.config, state, handler).await
}

/// A process's wiring and the state `S` built from it; a configuration error stops the process
/// with its message.
pub async fn state_from_env<S: FromWiring>(
    secrets: Secrets,
) -> Result<(ProcessWiring, S), WiringError> {
    let wiring = ProcessWiring::from_env::<S>(secrets).await?;
    match S::from_wiring(&wiring) {
        Ok(state) => Ok((wiring, state)),
        Err(error) => match error.downcast::<ConfigError>() {
            Ok(config) => or_exit(Err(*config)),
            Err(other) => Err(other),
        },
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
        let started = std::time::Instant::now();
        let response = handler(request, state).await;
        let ms = started.elapsed().as_millis() as u64;
        tracing::info!(%method, %path, status = response.status().as_u16(), ms, "handled");
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
