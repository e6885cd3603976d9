//! `FederationStore`: a provider is registered with its domains (a domain one enabled
//! provider's) and its event; the log-in page finds it by domain; disabling frees the domains; a
//! sign-in under way is taken once however many race for it.

use super::*;
use tessera_federation::ports::{FederationStore, PendingLogin, RegisterError};
use tessera_federation::provider::{OrgProvider, ProviderId};
use tessera_kernel::audit::{AuditLog, AuditParty};
use tessera_kernel::ports::Random;

fn provider(random: &dyn Random, domains: &[&str], at: i64) -> OrgProvider {
    OrgProvider {
        id: ProviderId::generate(random),
        name: "Example Organisation".into(),
        issuer: "https://login.example.com".into(),
        client_id: "tessera".into(),
        sealed_secret: Some("sealed:v1:k:abc".into()),
        domains: domains.iter().map(|d| d.to_string()).collect(),
        default_country: Country::parse("GB").unwrap(),
        created_by: AccountId::from_stored("0123456789abcdef0123456789abcdef".into()),
        created_at: Timestamp(at),
        disabled: false,
    }
}

pub async fn a_domain_belongs_to_one_enabled_provider(
    store: &dyn FederationStore,
    accounts: &dyn AccountStore,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    let unique = crate::app::unique();
    let (first_domain, shared) = (format!("a{unique}.example"), format!("b{unique}.example"));
    let event = |at: i64, subject: &str| super::audit::event(random, at, "admin", subject);
    let first = provider(random, &[&first_domain, &shared], 1_000);
    store
        .register_provider(&first, &event(1_000, first.id.as_str()))
        .await
        .unwrap();
    assert_eq!(
        store.provider_for_domain(&shared).await.unwrap(),
        Some(first.clone())
    );
    assert!(accounts.federated_domain(&first_domain).await.unwrap());
    assert!(!accounts
        .federated_domain(&format!("c{unique}.example"))
        .await
        .unwrap());

    let second = provider(random, &[&format!("d{unique}.example"), &shared], 2_000);
    let taken = store
        .register_provider(&second, &event(2_000, second.id.as_str()))
        .await;
    assert!(
        matches!(&taken, Err(RegisterError::DomainTaken(d)) if *d == shared),
        "{taken:?}"
    );
    assert_eq!(
        store.provider(&second.id).await.unwrap(),
        None,
        "all or nothing"
    );
    assert!(!accounts
        .federated_domain(&format!("d{unique}.example"))
        .await
        .unwrap());
    assert!(store
        .providers()
        .await
        .unwrap()
        .iter()
        .any(|p| p.id == first.id));

    assert!(store
        .disable_provider(&first.id, &event(3_000, first.id.as_str()))
        .await
        .unwrap());
    assert!(!store
        .disable_provider(&first.id, &event(3_001, first.id.as_str()))
        .await
        .unwrap());
    assert_eq!(store.provider_for_domain(&shared).await.unwrap(), None);
    assert!(!accounts.federated_domain(&first_domain).await.unwrap());
    assert!(store.provider(&first.id).await.unwrap().unwrap().disabled);
    store
        .register_provider(&second, &event(4_000, second.id.as_str()))
        .await
        .unwrap();
    assert_eq!(
        store
            .provider_for_domain(&shared)
            .await
            .unwrap()
            .unwrap()
            .id,
        second.id,
        "a freed domain can be another's"
    );
    let events = events_about(log, AuditParty::new("account", first.id.as_str())).await;
    assert_eq!(events.len(), 2, "registered, disabled: {events:?}");
}

pub async fn a_sign_in_under_way_is_taken_once(store: Arc<dyn FederationStore>) {
    let digest = format!("{:064x}", crate::app::unique());
    let login = PendingLogin {
        state_digest: digest.clone(),
        provider: ProviderId::parse("0123456789abcdef0123456789abcdef").unwrap(),
        nonce: "n".into(),
        code_verifier: "v".into(),
        next: Some("/certifications".into()),
        expires_at: Timestamp(9_000),
    };
    store.save_login(&login).await.unwrap();
    let won = taken_in_a_race(4, || {
        let (store, digest) = (store.clone(), digest.clone());
        async move { store.take_login(&digest).await.unwrap() }
    })
    .await;
    assert_eq!(won, [login], "exactly one callback gets the sign-in");
}
