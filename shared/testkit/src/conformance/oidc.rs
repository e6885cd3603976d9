//! `OidcStore`: a code is redeemed once however many race for it; a token family moves on only
//! from its current refresh token and stays revoked; clients are registered and disabled with
//! their audit events; a consent is replaced, not added to.

use super::*;
use tessera_kernel::audit::{AuditLog, AuditParty};
use tessera_kernel::ports::Random;
use tessera_oidc::client::{Client, ClientId, ClientKind};
use tessera_oidc::ports::OidcStore;
use tessera_oidc::scopes::Scopes;
use tessera_oidc::tokens::{CodeGrant, TokenFamily};
use tessera_oidc::Lifetimes;

fn client(random: &dyn Random, created_at: i64) -> Client {
    Client {
        id: ClientId::generate(random),
        name: "Conformance app".into(),
        kind: ClientKind::Public,
        secret_digest: None,
        redirect_uris: vec!["https://app.example/cb".into()],
        post_logout_redirect_uris: vec![],
        created_at: Timestamp(created_at),
        created_by: AccountId::from_stored("0123456789abcdef0123456789abcdef".into()),
        disabled: false,
    }
}

fn grant(random: &dyn Random, digest: &str) -> CodeGrant {
    CodeGrant {
        code_digest: digest.to_string(),
        client_id: ClientId::generate(random),
        redirect_uri: "https://app.example/cb".into(),
        account_id: AccountId::from_stored("fedcba9876543210fedcba9876543210".into()),
        scopes: Scopes::parse("openid email"),
        nonce: Some("n".into()),
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
        auth_time: Timestamp(1_000),
        second_factor: true,
        session_epoch: 2,
        expires_at: Timestamp(1_060),
    }
}

pub async fn a_code_is_redeemed_once_even_in_a_race(
    store: Arc<dyn OidcStore>,
    random: &dyn Random,
) {
    let digest = format!("{:064x}", crate::app::unique());
    let saved = grant(random, &digest);
    store.save_code(&saved).await.unwrap();
    let won = taken_in_a_race(4, || {
        let (store, digest) = (store.clone(), digest.clone());
        async move { store.redeem_code(&digest).await.unwrap() }
    })
    .await;
    assert_eq!(won, [saved], "exactly one redemption gets the code, whole");
    assert_eq!(store.redeem_code(&digest).await.unwrap(), None, "spent");
}

pub async fn a_family_moves_on_only_from_its_current_token(
    store: &dyn OidcStore,
    random: &dyn Random,
) {
    let issued = TokenFamily::start(
        &grant(random, "d"),
        Timestamp(2_000),
        &Lifetimes::default(),
        random,
    );
    let family = issued.family;
    assert_eq!(store.family(&family.id).await.unwrap(), None);
    store.start_family(&family).await.unwrap();
    assert_eq!(
        store.family(&family.id).await.unwrap().as_ref(),
        Some(&family)
    );
    assert!(
        matches!(store.start_family(&family).await, Err(StoreError::Conflict)),
        "a new id only"
    );

    let next = family
        .rotate(Timestamp(2_100), &Lifetimes::default(), random)
        .family;
    assert!(!store
        .rotate_family(&next, "not-the-current-digest")
        .await
        .unwrap());
    assert!(store
        .rotate_family(&next, &family.refresh_digest)
        .await
        .unwrap());
    assert_eq!(
        store.family(&family.id).await.unwrap().as_ref(),
        Some(&next)
    );
    let later = next
        .rotate(Timestamp(2_200), &Lifetimes::default(), random)
        .family;
    assert!(
        !store
            .rotate_family(&later, &family.refresh_digest)
            .await
            .unwrap(),
        "the spent token no longer moves it"
    );

    store
        .revoke_family(&family.id, Timestamp(2_300))
        .await
        .unwrap();
    store
        .revoke_family(&family.id, Timestamp(2_400))
        .await
        .unwrap();
    let revoked = store.family(&family.id).await.unwrap().unwrap();
    assert_eq!(
        revoked.revoked_at,
        Some(Timestamp(2_300)),
        "the first revocation stands"
    );
    assert!(
        !store
            .rotate_family(&later, &next.refresh_digest)
            .await
            .unwrap(),
        "a revoked family stays revoked"
    );
    let unknown = TokenFamily::start(
        &grant(random, "e"),
        Timestamp(1),
        &Lifetimes::default(),
        random,
    );
    store
        .revoke_family(&unknown.family.id, Timestamp(2_500))
        .await
        .unwrap();
    assert_eq!(
        store.family(&unknown.family.id).await.unwrap(),
        None,
        "nothing made"
    );
}

pub async fn clients_are_registered_and_disabled_with_their_events(
    store: &dyn OidcStore,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    let older = client(random, 1_000);
    let newer = client(random, 2_000);
    let subject = |c: &Client| AuditParty::new("oidc-client", c.id.as_str());
    let registered = |c: &Client, at: i64| {
        let mut e = super::audit::event(random, at, "admin", c.id.as_str());
        e.subject = subject(c);
        e
    };
    store
        .register_client(&older, &registered(&older, 1_000))
        .await
        .unwrap();
    store
        .register_client(&newer, &registered(&newer, 2_000))
        .await
        .unwrap();
    assert!(matches!(
        store
            .register_client(&older, &registered(&older, 1_001))
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.client(&older.id).await.unwrap().as_ref(),
        Some(&older)
    );
    let listed: Vec<ClientId> = store
        .clients()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let newer_at = listed.iter().position(|id| *id == newer.id).unwrap();
    let older_at = listed.iter().position(|id| *id == older.id).unwrap();
    assert!(newer_at < older_at, "newest first");

    let disabled = registered(&older, 3_000);
    assert!(store.disable_client(&older.id, &disabled).await.unwrap());
    assert!(store.client(&older.id).await.unwrap().unwrap().disabled);
    assert!(!store
        .disable_client(&older.id, &registered(&older, 3_001))
        .await
        .unwrap());
    let events = events_about(log, subject(&older)).await;
    assert_eq!(
        events.len(),
        2,
        "the registration and the one disabling: {events:?}"
    );
    assert_eq!(events[0], disabled);

    let account = AccountId::from_stored(format!("{:032x}", crate::app::unique()));
    assert_eq!(store.consent(&account, &newer.id).await.unwrap(), None);
    store
        .remember_consent(&account, &newer.id, &Scopes::parse("openid email"))
        .await
        .unwrap();
    store
        .remember_consent(&account, &newer.id, &Scopes::parse("openid"))
        .await
        .unwrap();
    assert_eq!(
        store.consent(&account, &newer.id).await.unwrap(),
        Some(Scopes::parse("openid"))
    );
    assert_eq!(
        store.consent(&account, &older.id).await.unwrap(),
        None,
        "per client"
    );
    store
        .remember_consent(&account, &older.id, &Scopes::parse("openid profile"))
        .await
        .unwrap();
    let mut listed = store.consents(&account).await.unwrap();
    listed.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    let mut expected = vec![
        (newer.id.clone(), Scopes::parse("openid")),
        (older.id.clone(), Scopes::parse("openid profile")),
    ];
    expected.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    assert_eq!(
        listed, expected,
        "every client the person consented to, once"
    );
    let stranger = AccountId::from_stored(format!("{:032x}", crate::app::unique()));
    assert_eq!(store.consents(&stranger).await.unwrap(), vec![]);
}
