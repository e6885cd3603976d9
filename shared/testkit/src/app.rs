//! A ready application on either backend, with a manual clock and seeded randomness, and the
//! helpers flow tests use: call a handler, read what was sent, look at what was stored.

use crate::fakes::{ManualClock, SeededRandom};
use crate::messages::{self, SentMessage};
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tessera_certification::CertificationDeps;
use tessera_fulfillment::ports::OrderStore;
use tessera_http::candidate::ProfileHolders;
use tessera_http::config::Secrets;
use tessera_http::wiring::{DeferredMail, FromWiring, Wiring, WiringError};
use tessera_http::Config;
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::audit::AuditLog;
use tessera_kernel::delivery::Postbox;
use tessera_kernel::ports::{Messenger, Random};
use tessera_kernel::signing::SigningKeys;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Moto,
}

pub const TEST_SENDER: &str = "no-reply@tessera.test";

pub struct TestApp {
    pub backend: Backend,
    pub deps: IdentityDeps,
    pub certification: CertificationDeps,
    pub orders: Arc<dyn OrderStore>,
    /// The audit log staff writes land in.
    pub audit: Arc<dyn AuditLog>,
    /// The program's signing keys (the key file in `dir`, or the process's KMS key on moto).
    /// The keys credentials are signed with.
    pub signer: Arc<dyn tessera_kernel::signing::JwsSigner>,
    /// The keys ID tokens are signed with.
    pub id_token_signer: Arc<dyn tessera_kernel::signing::JwsSigner>,
    /// The OpenID Connect provider's ports (signing with `id_token_signer`).
    pub oidc: tessera_oidc::OidcDeps,
    /// Access levels' ports.
    pub access: tessera_access::flows::AccessDeps,
    /// Federation's ports (organisations' providers reached over real HTTP).
    pub federation: tessera_federation::flows::FederationDeps,
    pub clock: Arc<ManualClock>,
    pub config: Config,
    /// The variables `config` was read from: what a function reads its own settings from.
    variables: HashMap<String, String>,
    dir: tempfile::TempDir,
    table: Option<String>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A number no other test in this run (or a run on the same moto) has used.
pub fn unique() -> u64 {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    (std::process::id() as u64) << 32 ^ nanos << 8 ^ n
}

/// The seed keys moto-backed tests configure, as an operator sets `TESSERA_TOTP_KEYS`.
pub const MOTO_SEED_KEYS: &str = "test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A fresh address for one test (moto's SES log is shared by every test).
pub fn unique_email(name: &str) -> String {
    format!("{name}.{}@example.com", unique())
}

/// A fresh mobile number for one test. Moto's SMS log is shared by every test of a run, so the
/// number is drawn from ten million (ten thousand let two tests meet on one number), all in a
/// block that is a mobile range (`+33 61…`: not every `+33 6…` number is one).
pub fn unique_mobile() -> String {
    format!("+3361{:07}", unique() % 10_000_000)
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: lambda_http::http::HeaderMap,
    pub text: String,
    /// The body as sent (a PDF or an image is not text).
    pub bytes: Vec<u8>,
    /// The body parsed as JSON, or `Null`.
    pub json: Value,
}

impl TestResponse {
    /// The `field` of each entry of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<&str> {
        self.json["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn from_response(response: Response<Body>) -> TestResponse {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = match response.into_body() {
            Body::Text(t) => t.into_bytes(),
            Body::Binary(b) => b,
            _ => Vec::new(),
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            text,
            bytes,
            json,
        }
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        TestApp::with_vars(backend, &[]).await
    }

    /// With extra configuration variables (`TESSERA_…`), as an operator would set them.
    pub async fn with_vars(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut vars: HashMap<String, String> = HashMap::new();
        let mut table = None;
        match backend {
            Backend::Embedded => {
                vars.insert("TESSERA_LOCAL_DIR".into(), dir.path().display().to_string());
            }
            Backend::Moto => {
                let name = format!("identity-{}", unique());
                let sdk = crate::moto::sdk_config().await;
                let template = crate::template::load();
                let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
                crate::template::create_table(&dynamodb, &template, "IdentityTable", &name).await;
                let candidates = format!("candidates-{}", unique());
                crate::template::create_table(&dynamodb, &template, "CandidateTable", &candidates)
                    .await;
                vars.insert("TESSERA_CANDIDATE_TABLE".into(), candidates);
                let audit = format!("audit-{}", unique());
                crate::template::create_table(&dynamodb, &template, "AuditTable", &audit).await;
                vars.insert("TESSERA_AUDIT_TABLE".into(), audit);
                // On AWS the admin routes are IAM-authorized; an operator may set a token instead,
                // which is what flow tests use.
                vars.insert(
                    "TESSERA_ADMIN_TOKEN".into(),
                    tessera_http::config::LOCAL_ADMIN_TOKEN.into(),
                );
                crate::moto::verify_sender_domain(&sdk, "tessera.test").await;
                vars.insert("TESSERA_BACKEND".into(), "aws".into());
                // The same links as the embedded default (requests here carry no API Gateway
                // domain to derive them from).
                vars.insert(
                    "TESSERA_PUBLIC_URL".into(),
                    tessera_http::config::LOCAL_PUBLIC_URL.into(),
                );
                vars.insert("TESSERA_IDENTITY_TABLE".into(), name.clone());
                vars.insert("TESSERA_EMAIL_FROM".into(), TEST_SENDER.into());
                vars.insert(
                    "TESSERA_CODE_PEPPER".into(),
                    "moto-test-pepper-0123456789".into(),
                );
                vars.insert("TESSERA_TOTP_KEYS".into(), MOTO_SEED_KEYS.into());
                for keys in [SigningKeys::Credentials, SigningKeys::IdTokens] {
                    vars.insert(keys.variable().into(), crate::moto::signing_key(keys).await);
                }
                // What the embedded default assumes, an operator sets on AWS.
                for (name, value) in [
                    ("TESSERA_PAYMENT_PROVIDER", "sandbox"),
                    (
                        "TESSERA_PAYMENT_WEBHOOK_SECRET",
                        tessera_http::config::LOCAL_WEBHOOK_SECRET,
                    ),
                ] {
                    vars.insert(name.into(), value.into());
                }
                vars.insert(
                    "TESSERA_CHECKOUT_RETURN_URL".into(),
                    format!(
                        "{}{}",
                        tessera_http::config::LOCAL_PUBLIC_URL,
                        tessera_http::config::ORDER_HISTORY_PATH
                    ),
                );
                table = Some(name);
            }
        }
        // Flow tests need no timing floor; `tests/tests/uniform_answers.rs` sets one.
        vars.insert("TESSERA_UNIFORM_ANSWER_MS".into(), "0".into());
        for (k, v) in extra {
            vars.insert(k.to_string(), v.to_string());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test configuration");
        let clock = Arc::new(ManualClock::new());
        let connections = tessera_http::wiring::Connections::open(&config)
            .await
            .expect("wiring");
        let random: Arc<dyn Random> = Arc::new(SeededRandom::new(unique()));
        let deps = connections
            .identity_deps(&config, clock.clone(), random.clone())
            .expect("wiring");
        let certification = connections
            .certification_deps(&config, clock.clone(), random.clone())
            .expect("wiring");
        let orders = connections.orders().expect("wiring");
        let audit = connections.audit_log().expect("wiring");
        let signer = connections
            .signer(SigningKeys::Credentials, |k| vars.get(k).cloned())
            .expect("wiring");
        let id_token_signer = connections
            .signer(SigningKeys::IdTokens, |k| vars.get(k).cloned())
            .expect("wiring");
        let access = connections.access_deps(clock.clone(), random.clone());
        let federation = connections.federation_deps(deps.clone(), audit.clone());
        let oidc = connections
            .oidc_deps(clock.clone(), random, id_token_signer.clone())
            .expect("wiring");
        let mut app = TestApp {
            oidc,
            access,
            federation,
            backend,
            deps,
            certification,
            orders,
            audit,
            signer,
            id_token_signer,
            clock,
            config,
            variables: vars,
            dir,
            table,
        };
        // Every moto app records which keys its functions touch (`keys`), whatever else a test
        // intercepts later.
        app.intercept_dynamodb(crate::calls::CallCounter::default())
            .await;
        app
    }

    /// Calls a function's handler as Lambda would: its state built by the function's own
    /// [`FromWiring`] from this app's ports (its DynamoDB calls attributed to the function the
    /// template routes the request to).
    pub async fn call<S, H, Fut>(&self, handler: H, request: Request) -> TestResponse
    where
        S: FromWiring,
        H: FnOnce(Request, S) -> Fut,
        Fut: Future<Output = Response<Body>>,
    {
        self.call_on(self, handler, request).await
    }

    /// `call` with the state built from `wiring` (this app with some variables set otherwise:
    /// [`TestApp::with_variables`]).
    pub async fn call_on<S, H, Fut>(
        &self,
        wiring: &(impl Wiring + ?Sized),
        handler: H,
        request: Request,
    ) -> TestResponse
    where
        S: FromWiring,
        H: FnOnce(Request, S) -> Fut,
        Fut: Future<Output = Response<Body>>,
    {
        let function = crate::template::function_serving(&request);
        let state = S::from_wiring(wiring).expect("the function's state");
        // On the heap, as a function's runtime holds it: a page's future inline on the test's
        // stack overflowed it in debug builds.
        let response = crate::keys::within(&function, Box::pin(handler(request, state))).await;
        TestResponse::from_response(response)
    }

    /// A function's state as its `main` builds it, from this app's ports.
    pub fn state<S: FromWiring>(&self) -> S {
        S::from_wiring(self).expect("the function's state")
    }

    /// This app's ports with some variables set otherwise, as an operator would set them for
    /// one function (a payment provider, say).
    /// The configuration is read again from them.
    pub fn with_variables<'a>(&'a self, set: &[(&str, &str)]) -> VariedApp<'a> {
        let mut variables = self.variables.clone();
        for (name, value) in set {
            variables.insert(name.to_string(), value.to_string());
        }
        VariedApp {
            app: self,
            config: Config::from_lookup(|k| variables.get(k).cloned()).expect("test configuration"),
            variables,
        }
    }

    /// The variables this app's configuration was read from, for a command run beside it.
    pub fn variables(&self) -> &HashMap<String, String> {
        &self.variables
    }

    pub fn outbox_path(&self) -> PathBuf {
        self.dir.path().join("outbox.jsonl")
    }

    /// Every message sent to `to`, oldest first.
    pub fn messages_to(&self, to: &str) -> Vec<SentMessage> {
        let all = match self.backend {
            Backend::Embedded => messages::from_outbox(&self.outbox_path()),
            Backend::Moto => messages::from_moto(),
        };
        all.into_iter().filter(|m| m.to == to).collect()
    }

    /// The code in the latest message to `to`.
    pub fn latest_code(&self, to: &str) -> String {
        let all = self.messages_to(to);
        let last = all
            .last()
            .unwrap_or_else(|| panic!("no message was sent to {to}"));
        messages::extract_code(&last.body)
            .unwrap_or_else(|| panic!("no code in the message to {to}: {:?}", last.subject))
    }

    /// Every identity as stored, as text (SQLite's JSON bodies, or DynamoDB's items): what a
    /// leaked table would show.
    pub async fn stored_identities_text(&self) -> String {
        match self.backend {
            Backend::Embedded => {
                let db =
                    rusqlite::Connection::open(self.dir.path().join("tessera.sqlite3")).unwrap();
                let mut stmt = db.prepare("SELECT body FROM identities").unwrap();
                let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
                rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
            }
            Backend::Moto => {
                let client = aws_sdk_dynamodb::Client::new(&crate::moto::sdk_config().await);
                let out = client
                    .scan()
                    .table_name(self.table.as_deref().unwrap())
                    .send()
                    .await
                    .unwrap();
                format!("{:?}", out.items())
            }
        }
    }

    /// Everything stored in the identity and candidate tables, as text (every column of every
    /// SQLite table but the audit log's, or every DynamoDB item of the two tables): where an
    /// erased person must not be found.
    pub async fn stored_text(&self) -> String {
        match self.backend {
            Backend::Embedded => {
                let db =
                    rusqlite::Connection::open(self.dir.path().join("tessera.sqlite3")).unwrap();
                let tables: Vec<String> = db
                    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .map(|r| r.unwrap())
                    .filter(|name: &String| name != "audit_events")
                    .collect();
                let mut text = String::new();
                for table in tables {
                    let mut stmt = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
                    let columns = stmt.column_count();
                    let mut rows = stmt.query([]).unwrap();
                    while let Some(row) = rows.next().unwrap() {
                        for i in 0..columns {
                            let value: rusqlite::types::Value = row.get(i).unwrap();
                            text.push_str(&format!("{table}: {value:?}\n"));
                        }
                    }
                }
                text
            }
            Backend::Moto => {
                let client = aws_sdk_dynamodb::Client::new(&crate::moto::sdk_config().await);
                let mut text = String::new();
                for table in [
                    self.table.clone().unwrap(),
                    self.variables["TESSERA_CANDIDATE_TABLE"].clone(),
                ] {
                    let mut start = None;
                    loop {
                        let page = client
                            .scan()
                            .table_name(&table)
                            .set_exclusive_start_key(start.take())
                            .send()
                            .await
                            .unwrap();
                        text.push_str(&format!("{table}: {:?}\n", page.items()));
                        match page.last_evaluated_key {
                            Some(key) if !key.is_empty() => start = Some(key),
                            _ => break,
                        }
                    }
                }
                text
            }
        }
    }

    /// The keys of every stored item (`EMAIL#…`, `ACCOUNT#…`, `USERNAME#…`), sorted.
    pub async fn stored_keys(&self) -> Vec<String> {
        let mut keys = match self.backend {
            Backend::Embedded => {
                let db =
                    rusqlite::Connection::open(self.dir.path().join("tessera.sqlite3")).unwrap();
                let mut keys = Vec::new();
                for (sql, prefix) in [
                    ("SELECT email FROM identities", "EMAIL#"),
                    ("SELECT account_id FROM profiles", "ACCOUNT#"),
                    ("SELECT username FROM usernames", "USERNAME#"),
                ] {
                    let mut stmt = db.prepare(sql).unwrap();
                    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
                    keys.extend(rows.map(|r| format!("{prefix}{}", r.unwrap())));
                }
                keys
            }
            Backend::Moto => {
                let client = aws_sdk_dynamodb::Client::new(&crate::moto::sdk_config().await);
                let out = client
                    .scan()
                    .table_name(self.table.as_deref().unwrap())
                    .send()
                    .await
                    .unwrap();
                // The attempt ledger's items are bookkeeping that expires, not account data (the
                // embedded list above leaves them out too).
                out.items()
                    .iter()
                    .map(|item| item["pk"].as_s().unwrap().to_string())
                    .filter(|pk| !pk.starts_with("ATTEMPTS#"))
                    .collect()
            }
        };
        keys.sort();
        keys
    }

    pub fn table_name(&self) -> Option<&str> {
        self.table.as_deref()
    }

    /// Counts the DynamoDB calls the identity and candidate-record ports make from now on (moto
    /// only; `None` on the embedded store).
    pub async fn count_dynamodb_calls(&mut self) -> Option<crate::calls::CallCounter> {
        let counter = crate::calls::CallCounter::default();
        self.intercept_dynamodb(counter.clone())
            .await
            .then_some(counter)
    }

    /// Fails the `nth` DynamoDB call the identity, attempt-ledger and candidate-record ports make
    /// from now on (moto only; `None` on the embedded store).
    pub async fn fail_dynamodb_call(
        &mut self,
        nth: usize,
        fault: crate::calls::Fault,
    ) -> Option<crate::calls::FailOneCall> {
        let failure = crate::calls::FailOneCall::new(nth, fault);
        self.intercept_dynamodb(failure.clone())
            .await
            .then_some(failure)
    }

    /// Fails the `nth` SES or SNS call the messenger makes from now on (moto only; `None` on the
    /// embedded store).
    pub async fn fail_messenger_call(
        &mut self,
        nth: usize,
        fault: crate::calls::Fault,
    ) -> Option<crate::calls::FailOneCall> {
        if self.backend != Backend::Moto {
            return None;
        }
        let failure = crate::calls::FailOneCall::new(nth, fault);
        let interceptor = aws_sdk_dynamodb::config::SharedInterceptor::new(failure.clone());
        self.set_messenger(Arc::new(tessera_aws::AwsMessenger::with_interceptors(
            &crate::moto::sdk_config().await,
            TEST_SENDER,
            vec![interceptor],
        )));
        Some(failure)
    }

    /// The mail system every context sends through.
    pub fn messenger(&self) -> Arc<dyn Messenger> {
        self.deps.postbox.messenger.clone()
    }

    /// Sends every context's messages through `messenger` from now on.
    pub fn set_messenger(&mut self, messenger: Arc<dyn Messenger>) {
        self.deps.postbox.messenger = messenger.clone();
        self.certification.postbox.messenger = messenger;
    }

    /// The audit table's name (moto only).
    fn audit_table(&self) -> Option<String> {
        match &self.config.backend {
            tessera_http::config::Backend::Aws { audit_table, .. } => audit_table.clone(),
            _ => None,
        }
    }

    /// Rewires the identity, attempt-ledger and candidate-record ports to a DynamoDB client with
    /// `interceptor` (and the key recorder every moto app has).
    async fn intercept_dynamodb(
        &mut self,
        interceptor: impl aws_sdk_dynamodb::config::Intercept + 'static,
    ) -> bool {
        let Some(table) = self.table.clone() else {
            return false;
        };
        let mut tables = vec![(table.clone(), "IdentityTable")];
        if let tessera_http::config::Backend::Aws {
            candidate_table: Some(candidates),
            ..
        } = &self.config.backend
        {
            tables.push((candidates.clone(), "CandidateTable"));
        }
        if let tessera_http::config::Backend::Aws {
            audit_table: Some(audit),
            ..
        } = &self.config.backend
        {
            tables.push((audit.clone(), "AuditTable"));
        }
        let config = aws_sdk_dynamodb::config::Builder::from(&crate::moto::sdk_config().await)
            .interceptor(crate::keys::KeyRecorder::new(tables))
            .interceptor(interceptor)
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(config);
        if let tessera_http::config::Backend::Aws {
            candidate_table: Some(candidates),
            ..
        } = &self.config.backend
        {
            let store = Arc::new(
                tessera_aws::CandidateStore::new(client.clone(), candidates.clone(), table.clone())
                    .with_audit_table(self.audit_table()),
            );
            self.certification.records = store.clone();
            self.certification.transcripts = store.clone();
            self.certification.verification_codes = store.clone();
            self.certification.badges = store.clone();
            self.certification.catalogs =
                Arc::new(tessera_certification::catalog_versions::CatalogSource::new(
                    store.clone(),
                    self.clock.clone(),
                ));
            self.orders = store;
        }
        if let tessera_http::config::Backend::Aws {
            audit_table: Some(audit),
            ..
        } = &self.config.backend
        {
            self.audit = Arc::new(tessera_aws::AuditStore::new(client.clone(), audit.clone()));
        }
        let store = Arc::new(
            tessera_aws::IdentityStore::new(client, table).with_audit_table(self.audit_table()),
        );
        self.deps.store = store.clone();
        self.deps.logins = store.clone();
        self.deps.attempts = store.clone();
        self.deps.sessions = store.clone();
        self.certification.attempts = store.clone();
        self.oidc.store = store.clone();
        self.oidc.accounts = store.clone();
        self.oidc.attempts = store.clone();
        self.oidc.audit = self.audit.clone();
        self.access.store = store.clone();
        self.access.attempts = store.clone();
        self.oidc.access = self.access.clone();
        self.federation.store = store.clone();
        self.certification.holders = Arc::new(ProfileHolders(store.clone()));
        for postbox in [&mut self.deps.postbox, &mut self.certification.postbox] {
            postbox.attempts = store.clone();
            postbox.unsent = store.clone();
            postbox.suppressions = store.clone();
        }
        self.federation.identity = self.deps.clone();
        self.federation.audit = self.audit.clone();
        true
    }
}

/// The ports a function's state is built from: this app's (its clock, randomness, messengers
/// and interceptors), and its variables.
impl Wiring for TestApp {
    fn config(&self) -> &Config {
        &self.config
    }

    fn secrets(&self) -> Secrets {
        Secrets::ALL
    }

    fn variable(&self, name: &str) -> Option<String> {
        self.variables.get(name).cloned()
    }

    fn identity_deps(&self) -> Result<IdentityDeps, WiringError> {
        Ok(self.deps.clone())
    }

    fn oidc_deps(&self) -> Result<tessera_oidc::OidcDeps, WiringError> {
        Ok(self.oidc.clone())
    }

    fn oidc_store(&self) -> Result<Arc<dyn tessera_oidc::ports::OidcStore>, WiringError> {
        Ok(self.oidc.store.clone())
    }

    fn access_deps(&self) -> Result<tessera_access::flows::AccessDeps, WiringError> {
        Ok(self.access.clone())
    }

    fn federation_deps(&self) -> Result<tessera_federation::flows::FederationDeps, WiringError> {
        Ok(self.federation.clone())
    }

    fn postbox(&self) -> Result<Postbox, WiringError> {
        Ok(self.deps.postbox.clone())
    }

    fn audit_log(&self) -> Result<Arc<dyn AuditLog>, WiringError> {
        Ok(self.audit.clone())
    }

    fn certification_deps(&self) -> Result<CertificationDeps, WiringError> {
        Ok(self.certification.clone())
    }

    fn certification_deps_deferring_mail(&self) -> Result<CertificationDeps, WiringError> {
        let mut deps = self.certification.clone();
        deps.postbox.messenger = Arc::new(DeferredMail);
        Ok(deps)
    }

    fn orders(&self) -> Result<Arc<dyn OrderStore>, WiringError> {
        Ok(self.orders.clone())
    }

    fn signer(
        &self,
        purpose: SigningKeys,
    ) -> Result<Arc<dyn tessera_kernel::signing::JwsSigner>, WiringError> {
        Ok(match purpose {
            SigningKeys::Credentials => self.signer.clone(),
            SigningKeys::IdTokens => self.id_token_signer.clone(),
        })
    }
}

/// A test app with some variables set otherwise ([`TestApp::with_variables`]).
pub struct VariedApp<'a> {
    app: &'a TestApp,
    config: Config,
    variables: HashMap<String, String>,
}

impl Wiring for VariedApp<'_> {
    fn config(&self) -> &Config {
        &self.config
    }

    fn secrets(&self) -> Secrets {
        self.app.secrets()
    }

    fn variable(&self, name: &str) -> Option<String> {
        self.variables.get(name).cloned()
    }

    fn identity_deps(&self) -> Result<IdentityDeps, WiringError> {
        self.app.identity_deps()
    }

    fn oidc_deps(&self) -> Result<tessera_oidc::OidcDeps, WiringError> {
        self.app.oidc_deps()
    }

    fn oidc_store(&self) -> Result<Arc<dyn tessera_oidc::ports::OidcStore>, WiringError> {
        self.app.oidc_store()
    }

    fn access_deps(&self) -> Result<tessera_access::flows::AccessDeps, WiringError> {
        self.app.access_deps()
    }

    fn federation_deps(&self) -> Result<tessera_federation::flows::FederationDeps, WiringError> {
        self.app.federation_deps()
    }

    fn postbox(&self) -> Result<Postbox, WiringError> {
        self.app.postbox()
    }

    fn audit_log(&self) -> Result<Arc<dyn AuditLog>, WiringError> {
        self.app.audit_log()
    }

    fn certification_deps(&self) -> Result<CertificationDeps, WiringError> {
        self.app.certification_deps()
    }

    fn certification_deps_deferring_mail(&self) -> Result<CertificationDeps, WiringError> {
        self.app.certification_deps_deferring_mail()
    }

    fn orders(&self) -> Result<Arc<dyn OrderStore>, WiringError> {
        self.app.orders()
    }

    fn signer(
        &self,
        purpose: SigningKeys,
    ) -> Result<Arc<dyn tessera_kernel::signing::JwsSigner>, WiringError> {
        self.app.signer(purpose)
    }
}

/// A JSON request as API Gateway would hand it to the function.
pub fn json_request(method: &str, path: &str, body: &Value) -> Request {
    raw_request(method, path, "application/json", body.to_string())
}

pub fn raw_request(
    method: &str,
    path: &str,
    content_type: &str,
    body: impl Into<String>,
) -> Request {
    lambda_http::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .body(Body::Text(body.into()))
        .expect("valid request")
}

pub fn get(path: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("GET")
        .uri(path)
        .body(Body::Empty)
        .expect("valid request")
}
