//! The storage conformance suite, one module per port. Each case runs on every backend (see
//! `tests/tests/store_conformance.rs`, which names each case once), so the embedded store and
//! DynamoDB cannot drift apart.

use std::sync::Arc;
use tessera_certification::ports::{Added, CandidateRecords};
use tessera_certification::{
    CandidateEdit, CandidateProfile, CeActivity, ExamCode, ExamRecord, Grade,
};
use tessera_identity::password::PasswordHash;
use tessera_identity::ports::{AccountStore, LoginStore, SessionStore, UniqueWriteError};
use tessera_identity::session::{Session, SessionSettings, SessionToken};
use tessera_identity::throttle::{LoginStart, LoginThrottle, ThrottleKey, ThrottleSettings};
use tessera_identity::{AccountStatus, Identity, Profile, Username};
use tessera_kernel::attempts::{Allowance, AttemptKey, AttemptLedger, Take};
use tessera_kernel::code::SendLog;
use tessera_kernel::delivery::UnsentMessage;
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::person::{Country, Name};
use tessera_kernel::ports::{Channel, OutgoingMessage, StoreError, UnsentMessages};
use tessera_kernel::time::Seconds;
use tessera_kernel::time::Timestamp;

mod access;
mod accounts;
mod attempts;
mod audit;
mod candidates;
mod catalogs;
mod erasure;
mod federation;
mod logins;
mod oidc;
mod orders;
mod sessions;
mod suppressions;
mod transcripts;
mod unsent;
mod verification_codes;

pub use access::*;
pub use accounts::*;
pub use attempts::*;
pub use audit::*;
pub use candidates::*;
pub use catalogs::*;
pub use erasure::*;
pub use federation::*;
pub use logins::*;
pub use oidc::*;
pub use orders::*;
pub use sessions::*;
pub use suppressions::*;
pub use transcripts::*;
pub use unsent::*;
pub use verification_codes::*;

/// The audit events about `subject`, newest first (at most ten).
pub async fn events_about(
    log: &dyn tessera_kernel::audit::AuditLog,
    subject: tessera_kernel::audit::AuditParty,
) -> Vec<tessera_kernel::audit::AuditEvent> {
    let query = tessera_kernel::audit::AuditQuery {
        subject: Some(subject),
        limit: 10,
        ..Default::default()
    };
    log.query(&query).await.unwrap().events
}

/// What `racers` parallel calls of `take` got, among them the `Some`s: a single-use thing taken
/// by one of them at most.
pub async fn taken_in_a_race<T, F, Fut>(racers: usize, take: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>> + Send + 'static,
{
    let handles: Vec<_> = (0..racers).map(|_| tokio::spawn(take())).collect();
    let mut won = Vec::new();
    for handle in handles {
        won.extend(handle.await.unwrap());
    }
    won
}

/// A pending account for `email` with account id `id`.
pub fn pending_account(email: &str, id: &str) -> (Identity, Profile) {
    let email = Email::parse(email).unwrap();
    let account_id = AccountId::from_stored(id.to_string());
    let now = Timestamp(1_767_225_600);
    let hash =
        PasswordHash::from_phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into());
    let identity = Identity {
        activation_sends: SendLog::first(now),
        purge_at: Some(Timestamp(now.0 + 7 * 86_400)),
        ..Identity::pending(email.clone(), account_id.clone(), hash, now)
    };
    let profile = Profile {
        account_id,
        email,
        username: None,
        first_name: Name::parse("Ada").unwrap(),
        last_name: Name::parse("Lovelace").unwrap(),
        country: Country::parse("GB").unwrap(),
        created_at: now,
        purge_at: identity.purge_at,
        session_epoch: 0,
        details: Default::default(),
        communication: Default::default(),
        federated: false,
        candidate_id: None,
        roles: Default::default(),
    };
    (identity, profile)
}

fn stored(mut identity: Identity, version: u64) -> Identity {
    identity.version = version;
    identity
}

fn counted(start: &LoginStart) -> Option<(u32, bool)> {
    match start {
        LoginStart::Attempt { throttle, .. } => Some((throttle.failures, throttle.failed)),
        LoginStart::Wait { .. } => None,
    }
}

struct FixedBytes;
impl tessera_kernel::ports::Random for FixedBytes {
    fn fill(&self, buf: &mut [u8]) {
        buf.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
    }
}

fn ids(found: &[UnsentMessage]) -> Vec<&str> {
    found.iter().map(|u| u.id.as_str()).collect()
}

/// A candidate profile as an import would bring it.
pub fn imported_candidate(id: &str, email: Option<&str>, testing_id: &str) -> CandidateProfile {
    CandidateProfile {
        candidate_id: CandidateId::parse(id).unwrap(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: email.map(|e| Email::parse(e).unwrap()),
        testing_ids: vec![testing_id.to_string()],
        account_id: None,
        first_exam: time::macros::date!(2021 - 04 - 01),
        settings: Default::default(),
        job_title: None,
        credential_numbers: Default::default(),
        academy_id: None,
        oversight: Default::default(),
        merged_into: None,
        logo_guidelines: None,
    }
}

pub fn exam(registration_number: &str, code: &str, date: time::Date) -> ExamRecord {
    ExamRecord {
        registration_number: registration_number.into(),
        exam_code: ExamCode::parse(code).unwrap(),
        exam_name: "Some exam".into(),
        grade: Grade::Pass,
        date,
        source_file: "exams.csv".into(),
    }
}

pub fn activity(provider: &str, external_id: &str, points: u32) -> CeActivity {
    CeActivity {
        provider: provider.into(),
        external_id: external_id.into(),
        activity: "Workshop".into(),
        points,
        active: time::macros::date!(2022 - 01 - 01),
        inactive: time::macros::date!(2025 - 01 - 01),
        source_file: "ce.csv".into(),
        imported: time::macros::date!(2022 - 01 - 02),
    }
}

/// An order for `candidate` under `key`, claiming the initial kit of each of `claims` and paying
/// for one more kit of `paid`.
pub fn order(
    candidate: &str,
    key: &str,
    claims: &[&str],
    paid: &[&str],
) -> tessera_fulfillment::order::Order {
    use tessera_fulfillment::order::{Order, OrderId, OrderItem, OrderStatus, PaymentMethod};
    use tessera_fulfillment::shipping::Shipping;
    use tessera_fulfillment::{ItemKind, Line};
    let line = |certification: &&str, claims_initial_kit: bool| OrderItem {
        line: Line {
            certification_id: certification.to_string(),
            // Paid lines are plaques, so a store that lost the kind would read them back wrong.
            kind: if claims_initial_kit {
                ItemKind::CertificateKit
            } else {
                ItemKind::Plaque
            },
            name: format!("{certification} kit"),
            quantity: 1,
            claims_initial_kit,
            amount_cents: if claims_initial_kit { 0 } else { 1500 },
        },
        verification_code: format!("VC-{certification}"),
    };
    let items: Vec<OrderItem> = claims
        .iter()
        .map(|c| line(c, true))
        .chain(paid.iter().map(|c| line(c, false)))
        .collect();
    let total_cents = items.iter().map(|i| i.line.amount_cents).sum();
    let id = {
        let n = crate::app::unique();
        OrderId::parse(&format!("{n:032x}")).unwrap()
    };
    Order {
        id,
        candidate_id: CandidateId::parse(candidate).unwrap(),
        idempotency_key: key.into(),
        request_digest: format!("digest-of-{key}"),
        items,
        tracking: false,
        tracking_cents: 0,
        total_cents,
        currency: "usd".into(),
        shipping: Shipping {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: "ada@example.com".into(),
            phone: "+44 20 7946 0000".into(),
            address: "1 Analytical Way".into(),
            address_cont: None,
            city: "London".into(),
            region: None,
            postal_code: Some("N1 1AA".into()),
            country: tessera_kernel::person::Country::parse("GB").unwrap(),
        },
        shipping_localized: None,
        payment_method: PaymentMethod::Card,
        payment: None,
        notify_email: "ada@example.com".into(),
        tracking_number: None,
        refund_id: None,
        reprint_of: None,
        status: if total_cents == 0 {
            OrderStatus::Queued
        } else {
            OrderStatus::PendingPayment
        },
        created_at: Timestamp(1_767_225_600),
        updated_at: Timestamp(1_767_225_600),
        stages: Vec::new(),
    }
}
