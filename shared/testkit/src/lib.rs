//! What the tests share: a clock they can move, seeded randomness, the two backends ready to
//! use (embedded SQLite in a temporary folder; DynamoDB/SES/SNS on moto with tables made from
//! `infra/template.yaml`), request builders, readers for the messages really sent, and the
//! store conformance suite both backends must pass.

pub mod app;
pub mod calls;
pub mod conformance;
pub mod fakes;
pub mod keys;
pub mod loopback;
pub mod messages;
pub mod moto;
pub mod payment_provider;
pub mod template;

pub use app::{get, json_request, raw_request, unique_email};
pub use app::{Backend, TestApp, TestResponse};
pub use fakes::{FlakyMessenger, ManualClock, SeededRandom, SilentMessenger, UnavailableStore};

/// The repository root (tests read the template, the router and the OpenAPI document from it).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// How many SMS have been sent so far (the outbox, or moto's log, which the whole run shares:
/// compare counts before and after, within one test binary).
pub fn sms_count(app: &TestApp) -> usize {
    let all = match app.backend {
        Backend::Embedded => messages::from_outbox(&app.outbox_path()),
        Backend::Moto => messages::from_moto(),
    };
    all.iter()
        .filter(|m| m.channel == tessera_kernel::ports::Channel::Sms)
        .count()
}

/// An account that signs in through its organisation (single sign-on is not part of Tessera
/// itself): stored directly, with a session opened for it. Returns the address and the token.
pub async fn federated_account(app: &TestApp, name: &str) -> (String, String) {
    use tessera_identity::session::{Session, SessionToken};
    let email = app::unique_email(name);
    let id = format!("{:032x}", app::unique() as u128 * 7919);
    let (mut identity, mut profile) = conformance::pending_account(&email, &id);
    identity.status = tessera_identity::AccountStatus::Active;
    identity.purge_at = None;
    identity.password_hash = tessera_identity::PasswordHash::unusable();
    identity.password_history.clear();
    profile.federated = true;
    profile.purge_at = None;
    app.deps
        .store
        .create_account(&identity, &profile)
        .await
        .unwrap();
    let token = SessionToken::generate(&identity.account_id, &SeededRandom::new(app::unique()));
    let now = tessera_kernel::ports::Clock::now(app.clock.as_ref());
    let session = Session::start(
        &token,
        identity.account_id.clone(),
        0,
        now,
        &app.deps.settings.sessions,
    );
    app.deps
        .logins
        .start_session(&session, &identity.email, false)
        .await
        .unwrap();
    (email, token.expose().to_string())
}
