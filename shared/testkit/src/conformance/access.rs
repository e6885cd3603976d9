//! `AccessStore`: a record moves on one version at a time with its audit event; the registry is
//! replaced entry by entry; a code is issued once and redeemed once however many race for it, each redemption in its
//! account record's write; a
//! sponsorship waits (the latest replacing) until removed.

use super::*;
use tessera_access::codes::IssuedCode;
use tessera_access::entitlement::{AccessRecord, Entitlement};
use tessera_access::ports::AccessStore;
use tessera_access::registry::{AgreementKind, AgreementNumber, RegistryEntry};
use tessera_access::sponsorship::Sponsorship;
use tessera_kernel::audit::{AuditLog, AuditParty};
use tessera_kernel::ports::Random;

fn entry(number: &str, organisation: &str) -> RegistryEntry {
    RegistryEntry {
        kind: AgreementKind::ServiceContract,
        number: AgreementNumber::parse(number).unwrap(),
        organisation: organisation.into(),
        expires_at: Some(Timestamp(5_000)),
    }
}

pub async fn an_access_record_moves_on_one_version_at_a_time(
    store: &dyn AccessStore,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    let account = AccountId::from_stored(format!("{:032x}", crate::app::unique()));
    let subject = |at: i64| {
        let mut e = super::audit::event(random, at, "holder", account.as_str());
        e.action = "access.claim".into();
        e
    };
    let empty = store.access(&account).await.unwrap();
    assert_eq!(empty, AccessRecord::default());
    let grant = Entitlement::from_registry(&entry("SC-0001", "Example Corp"), Timestamp(1_000));
    let first = empty.granting(grant.clone(), Timestamp(1_000));
    store
        .save_access(&account, &first, &subject(1_000))
        .await
        .unwrap();
    assert!(
        matches!(
            store.save_access(&account, &first, &subject(1_001)).await,
            Err(StoreError::Conflict)
        ),
        "a second write from the same read loses"
    );
    assert_eq!(store.access(&account).await.unwrap(), first);
    let second = first.granting(grant, Timestamp(2_000));
    store
        .save_access(&account, &second, &subject(2_000))
        .await
        .unwrap();
    assert!(matches!(
        store.save_access(&account, &second, &subject(2_001)).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.access(&account).await.unwrap().version, 2);
    let events = events_about(log, AuditParty::new("account", account.as_str())).await;
    assert_eq!(
        events.len(),
        2,
        "one event per write that landed: {events:?}"
    );
}

pub async fn registry_entries_are_replaced_and_codes_are_redeemed_once(
    store: Arc<dyn AccessStore>,
    random: &dyn Random,
) {
    let unique = crate::app::unique();
    let number = format!("SC-{unique}");
    store
        .put_registry_entries(&[
            entry(&number, "Example Corp"),
            entry(&format!("SC-{unique}-2"), "Other"),
        ])
        .await
        .unwrap();
    store
        .put_registry_entries(&[entry(&number, "Example Corp Ltd")])
        .await
        .unwrap();
    let parsed = AgreementNumber::parse(&number).unwrap();
    let found = store
        .registry_entry(AgreementKind::ServiceContract, &parsed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found.organisation, "Example Corp Ltd",
        "replaced, not added"
    );
    assert_eq!(
        store
            .registry_entry(AgreementKind::PartnerAgreement, &parsed)
            .await
            .unwrap(),
        None,
        "a contract number is not an agreement number"
    );

    let digest = format!("{:064x}", unique);
    let code = IssuedCode {
        digest: digest.clone(),
        resource: "course.networking-201".into(),
        expires_at: Timestamp(9_000),
        issued_by: AccountId::from_stored("0123456789abcdef0123456789abcdef".into()),
        issued_at: Timestamp(1_000),
        redeemed_by: None,
    };
    let event = |at| super::audit::event(random, at, "staff", "code");
    store.issue_code(&code, &event(1_000)).await.unwrap();
    assert!(matches!(
        store.issue_code(&code, &event(1_001)).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.code(&digest).await.unwrap(), Some(code.clone()));

    let grant = Entitlement::from_registry(&entry("SC-0002", "Example Corp"), Timestamp(2_000));
    let racers: Vec<AccountId> = (0..4)
        .map(|i| AccountId::from_stored(format!("{:031x}{i}", unique)))
        .collect();
    let next = AccessRecord::default().granting(grant, Timestamp(2_000));
    let won = taken_in_a_race(racers.len(), {
        let racers = std::sync::Mutex::new(racers.clone());
        let (store, digest, next) = (store.clone(), digest.clone(), next.clone());
        move || {
            let account = racers.lock().unwrap().pop().unwrap();
            let (store, digest, next) = (store.clone(), digest.clone(), next.clone());
            let event = event(2_000);
            async move {
                match store.redeem_code(&account, &digest, &next, &event).await {
                    Ok(()) => Some(account),
                    Err(StoreError::Conflict) => None,
                    Err(e) => panic!("{e:?}"),
                }
            }
        }
    })
    .await;
    assert_eq!(won.len(), 1, "exactly one redemption gets the code");
    let winner = &won[0];
    let redeemed = store.code(&digest).await.unwrap().unwrap();
    assert_eq!(
        redeemed.redeemed_by.as_ref(),
        Some(winner),
        "it names who redeemed it"
    );
    assert_eq!(
        store.access(winner).await.unwrap(),
        next,
        "granted in the same write"
    );
    for loser in racers.iter().filter(|a| *a != winner) {
        assert_eq!(
            store.access(loser).await.unwrap(),
            AccessRecord::default(),
            "a lost redemption writes nothing"
        );
    }
    let again = next.granting(
        Entitlement::from_registry(&entry("SC-0003", "Example Corp"), Timestamp(3_000)),
        Timestamp(3_000),
    );
    assert!(
        matches!(
            store
                .redeem_code(winner, &digest, &again, &event(3_000))
                .await,
            Err(StoreError::Conflict)
        ),
        "a redeemed code is not redeemed twice"
    );
    assert_eq!(
        store.access(winner).await.unwrap(),
        next,
        "and nothing is half-written"
    );
}

pub async fn a_sponsorship_waits_replaced_until_removed(
    store: &dyn AccessStore,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    let digest = format!("{:064x}", crate::app::unique());
    assert_eq!(store.sponsorship(&digest).await.unwrap(), None);
    let sponsorship = |partner: &str, at: i64| Sponsorship {
        email_digest: digest.clone(),
        partner: AccountId::from_stored(partner.into()),
        number: AgreementNumber::parse("PA-0001").unwrap(),
        sponsored_at: Timestamp(at),
        access_ends: None,
        claim_by: Timestamp(at + 1_000),
    };
    let event = |at| super::audit::event(random, at, "partner", &digest);
    let first = sponsorship("0123456789abcdef0123456789abcdef", 1_000);
    store.save_sponsorship(&first, &event(1_000)).await.unwrap();
    let second = sponsorship("fedcba9876543210fedcba9876543210", 2_000);
    store
        .save_sponsorship(&second, &event(2_000))
        .await
        .unwrap();
    assert_eq!(
        store.sponsorship(&digest).await.unwrap(),
        Some(second),
        "the latest partner's replaces the first"
    );
    assert_eq!(
        events_about(log, AuditParty::new("account", digest.as_str()))
            .await
            .len(),
        2,
        "each saved with its event"
    );
    let nobody = AccountId::from_stored(format!("{:032x}", crate::app::unique()));
    let (record, waiting) = store
        .access_and_sponsorship(&nobody, &digest)
        .await
        .unwrap();
    assert_eq!(
        (record, waiting.map(|s| s.partner)),
        (
            AccessRecord::default(),
            Some(AccountId::from_stored(
                "fedcba9876543210fedcba9876543210".into()
            ))
        ),
        "read together"
    );
    store.remove_sponsorship(&digest).await.unwrap();
    store.remove_sponsorship(&digest).await.unwrap();
    assert_eq!(store.sponsorship(&digest).await.unwrap(), None);
}
