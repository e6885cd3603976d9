//! Erasure's writes (`AccountStore::erase_account`, `CandidateRecords::erase_person`): each
//! whole or not at all, version- or mapping-checked, with its audit event.

use super::audit::event;
use super::*;
use tessera_kernel::audit::{AuditLog, AuditQuery};
use tessera_kernel::ports::Random;

async fn audited_ids(log: &dyn AuditLog) -> Vec<String> {
    let page = log
        .query(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    page.events
        .iter()
        .map(|e| e.id.as_str().to_string())
        .collect()
}

/// An erased account is gone whole: identity (its address free again), profile, username and
/// failed-login count, with the tombstone in the same write; a stale copy erases nothing.
pub async fn an_erased_account_goes_whole_with_its_tombstone(
    store: &dyn AccountStore,
    logins: &dyn LoginStore,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    let (identity, profile) = pending_account("erased@example.com", "acct-erased");
    store.create_account(&identity, &profile).await.unwrap();
    let username = Username::parse("TS33333333").unwrap();
    let mut active = identity.clone();
    active.status = AccountStatus::Active;
    active.username = Some(username.clone());
    active.purge_at = None;
    store.activate(&active, &username).await.unwrap();
    logins
        .record_login_failure(&identity.email, Timestamp(1_767_230_000))
        .await
        .unwrap();
    let key = ThrottleKey::Email(identity.email.clone());
    assert_eq!(logins.login_throttle(&key).await.unwrap().failures, 1);

    let stale = event(random, 3_000, "staff", profile.account_id.as_str());
    assert!(matches!(
        store
            .erase_account(&stored(active.clone(), 0), &stale)
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(store.identity(&identity.email).await.unwrap().is_some());
    assert!(
        audited_ids(log).await.is_empty(),
        "no tombstone for a lost write"
    );

    let tombstone = event(random, 3_001, "staff", profile.account_id.as_str());
    store
        .erase_account(&stored(active.clone(), 1), &tombstone)
        .await
        .unwrap();
    assert_eq!(store.identity(&identity.email).await.unwrap(), None);
    assert_eq!(store.profile(&profile.account_id).await.unwrap(), None);
    assert_eq!(store.account_by_username(&username).await.unwrap(), None);
    assert_eq!(
        logins.login_throttle(&key).await.unwrap(),
        LoginThrottle::default()
    );
    assert_eq!(audited_ids(log).await, [tombstone.id.as_str()]);
    // The address is free for a new account.
    store.create_account(&identity, &profile).await.unwrap();
}

/// The certification side of an erasure: the record mapped to the account becomes exactly
/// `CandidateProfile::erased` (unmapped, nothing that names its person), leaves the email index,
/// and the account's mapping state goes, with the audit event in the same write. A record that
/// is not mapped to the account is not erased for it.
pub async fn an_erased_person_leaves_a_record_that_names_no_one(
    accounts: &dyn AccountStore,
    records: &dyn CandidateRecords,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    let n = crate::app::unique() % 1_000_000_000;
    let email = format!("erase.{n}@example.com");
    let mut imported = imported_candidate(&format!("TSE{n}"), Some(&email), "VT7");
    imported.job_title = Some("Analyst".into());
    imported.academy_id = Some("AC-77".into());
    imported
        .credential_numbers
        .insert("expert".into(), "EX-12".into());
    records
        .add_exams(
            &imported,
            &[exam(
                &format!("RE-{n}"),
                "IA-201",
                time::macros::date!(2022 - 02 - 02),
            )],
        )
        .await
        .unwrap();
    let (identity, profile) = pending_account(&format!("p.{n}@example.com"), &format!("acct-{n}"));
    accounts.create_account(&identity, &profile).await.unwrap();
    let account = profile.account_id.clone();
    let state = records.mapping_state(&account).await.unwrap();
    let stored_record = records
        .candidate(&imported.candidate_id)
        .await
        .unwrap()
        .unwrap()
        .profile;
    let mapped = CandidateProfile {
        account_id: Some(account.clone()),
        ..stored_record
    };
    records
        .map_account(&mapped, mapped.email.as_ref(), &state)
        .await
        .unwrap();
    assert_eq!(records.mapping_state(&account).await.unwrap().version, 1);

    let other = AccountId::from_stored(format!("acct-other-{n}"));
    let refused = event(random, 4_000, "staff", imported.candidate_id.as_str());
    assert!(matches!(
        records
            .erase_person(&other, Some((&mapped, &refused)))
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(
        audited_ids(log).await.is_empty(),
        "no event for a lost write"
    );

    let erased = event(random, 4_001, "staff", imported.candidate_id.as_str());
    records
        .erase_person(&account, Some((&mapped, &erased)))
        .await
        .unwrap();
    let after = records
        .candidate(&imported.candidate_id)
        .await
        .unwrap()
        .expect("the record stays, naming no one");
    assert_eq!(after.profile, mapped.erased());
    assert_eq!(after.profile.first_name, "");
    assert_eq!(after.profile.account_id, None);
    assert_eq!(after.exams.len(), 1, "the exams stay with the record");
    assert!(records
        .candidates_with_email(&Email::parse(&email).unwrap())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(records.mapping_state(&account).await.unwrap().version, 0);
    assert_eq!(audited_ids(log).await, [erased.id.as_str()]);

    // An account without a record: only its mapping state goes.
    let lone = AccountId::from_stored(format!("acct-lone-{n}"));
    let lone_state = records.mapping_state(&lone).await.unwrap();
    records
        .save_mapping_state(&lone, &lone_state)
        .await
        .unwrap();
    assert_eq!(records.mapping_state(&lone).await.unwrap().version, 1);
    records.erase_person(&lone, None).await.unwrap();
    assert_eq!(records.mapping_state(&lone).await.unwrap().version, 0);
}

/// What other contexts keep under an account goes with it: its access levels, and the consents
/// it gave applications.
pub async fn an_erased_account_takes_its_access_and_consents(
    store: &dyn AccountStore,
    access: &dyn tessera_access::ports::AccessStore,
    oidc: &dyn tessera_oidc::ports::OidcStore,
    random: &dyn Random,
) {
    let unique = crate::app::unique();
    let (identity, profile) = pending_account(
        &format!("erased.access.{unique}@example.com"),
        &format!("{unique:032x}"),
    );
    store.create_account(&identity, &profile).await.unwrap();
    let account = profile.account_id.clone();
    let entry = tessera_access::registry::RegistryEntry {
        kind: tessera_access::registry::AgreementKind::ServiceContract,
        number: tessera_access::registry::AgreementNumber::parse("SC-0001").unwrap(),
        organisation: "Example Corp".into(),
        expires_at: None,
    };
    let record = tessera_access::entitlement::AccessRecord::default().granting(
        tessera_access::entitlement::Entitlement::from_registry(&entry, Timestamp(1_000)),
        Timestamp(1_000),
    );
    access
        .save_access(
            &account,
            &record,
            &event(random, 1_000, "holder", account.as_str()),
        )
        .await
        .unwrap();
    let clients: Vec<tessera_oidc::client::ClientId> = (0..2)
        .map(|_| tessera_oidc::client::ClientId::generate(random))
        .collect();
    for client in &clients {
        oidc.remember_consent(
            &account,
            client,
            &tessera_oidc::scopes::Scopes::parse("openid email"),
        )
        .await
        .unwrap();
    }
    let tombstone = event(random, 2_000, "staff", account.as_str());
    store.erase_account(&identity, &tombstone).await.unwrap();
    assert_eq!(
        access.access(&account).await.unwrap(),
        tessera_access::entitlement::AccessRecord::default()
    );
    for client in &clients {
        assert_eq!(oidc.consent(&account, client).await.unwrap(), None);
    }
}
