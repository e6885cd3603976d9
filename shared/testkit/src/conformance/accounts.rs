//! `AccountStore`: creating, activating, versioned updates, profile edits, purging pending accounts.

use super::*;

pub async fn create_then_read_back(store: &dyn AccountStore) {
    let (identity, profile) = pending_account("ada@example.com", "acct-1");
    store.create_account(&identity, &profile).await.unwrap();
    assert_eq!(
        store.identity(&identity.email).await.unwrap(),
        Some(identity.clone())
    );
    assert_eq!(
        store.profile(&profile.account_id).await.unwrap(),
        Some(profile)
    );
}

pub async fn unknown_keys_read_as_nothing(store: &dyn AccountStore) {
    assert_eq!(
        store
            .identity(&Email::parse("nobody@example.com").unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .profile(&AccountId::from_stored("nope".into()))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .account_by_username(&Username::parse("TS00000000").unwrap())
            .await
            .unwrap(),
        None
    );
}

/// The marker refuses a second account for the email, and nothing of the second is written.
pub async fn a_taken_email_refuses_the_whole_account(store: &dyn AccountStore) {
    let (first, first_profile) = pending_account("grace@example.com", "acct-first");
    store.create_account(&first, &first_profile).await.unwrap();
    let (second, second_profile) = pending_account("grace@example.com", "acct-second");
    let err = store
        .create_account(&second, &second_profile)
        .await
        .unwrap_err();
    assert!(matches!(err, UniqueWriteError::Taken), "{err:?}");
    assert_eq!(
        store.profile(&second_profile.account_id).await.unwrap(),
        None,
        "no orphan profile"
    );
    assert_eq!(
        store
            .identity(&first.email)
            .await
            .unwrap()
            .unwrap()
            .account_id,
        first.account_id
    );
}

pub async fn updates_are_version_checked(store: &dyn AccountStore) {
    let (identity, profile) = pending_account("hopper@example.com", "acct-2");
    store.create_account(&identity, &profile).await.unwrap();
    let mut changed = identity.clone();
    changed.session_epoch = 3;
    store.update_identity(&changed).await.unwrap();
    let read = store.identity(&identity.email).await.unwrap().unwrap();
    assert_eq!(read, stored(changed.clone(), 1));
    // Writing from the stale copy (version 0) must fail and change nothing.
    let mut stale = identity.clone();
    stale.session_epoch = 9;
    assert!(matches!(
        store.update_identity(&stale).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store
            .identity(&identity.email)
            .await
            .unwrap()
            .unwrap()
            .session_epoch,
        3
    );
}

pub async fn activation_writes_identity_username_and_profile_together(store: &dyn AccountStore) {
    let (identity, profile) = pending_account("lamarr@example.com", "acct-3");
    store.create_account(&identity, &profile).await.unwrap();
    let username = Username::parse("TS11111111").unwrap();
    let mut active = identity.clone();
    active.status = AccountStatus::Active;
    active.username = Some(username.clone());
    active.purge_at = None;
    store.activate(&active, &username).await.unwrap();
    assert_eq!(
        store.identity(&identity.email).await.unwrap(),
        Some(stored(active.clone(), 1))
    );
    let read_profile = store.profile(&profile.account_id).await.unwrap().unwrap();
    assert_eq!(read_profile.username, Some(username.clone()));
    assert_eq!(read_profile.purge_at, None);
    assert_eq!(
        store.account_by_username(&username).await.unwrap(),
        Some(profile.account_id.clone())
    );
}

/// A taken username or a stale identity cancels the whole activation.
pub async fn a_failed_activation_writes_nothing(store: &dyn AccountStore) {
    let (a, a_profile) = pending_account("a@example.com", "acct-a");
    let (b, b_profile) = pending_account("b@example.com", "acct-b");
    store.create_account(&a, &a_profile).await.unwrap();
    store.create_account(&b, &b_profile).await.unwrap();
    let taken = Username::parse("TS22222222").unwrap();
    let mut a_active = a.clone();
    a_active.status = AccountStatus::Active;
    store.activate(&a_active, &taken).await.unwrap();

    let mut b_active = b.clone();
    b_active.status = AccountStatus::Active;
    assert!(matches!(
        store.activate(&b_active, &taken).await,
        Err(UniqueWriteError::Taken)
    ));
    assert_eq!(
        store.identity(&b.email).await.unwrap(),
        Some(b.clone()),
        "identity unchanged"
    );
    assert_eq!(
        store
            .profile(&b_profile.account_id)
            .await
            .unwrap()
            .unwrap()
            .username,
        None
    );

    let stale = b.clone();
    store.update_identity(&b).await.unwrap(); // now at version 1
    let fresh_name = Username::parse("TS33333333").unwrap();
    assert!(matches!(
        store.activate(&stale, &fresh_name).await,
        Err(UniqueWriteError::Store(StoreError::Conflict))
    ));
    assert_eq!(
        store.account_by_username(&fresh_name).await.unwrap(),
        None,
        "no username marker left behind"
    );
}

/// Of 20 concurrent creations for one email exactly one succeeds.
pub async fn concurrent_creations_make_one_account(store: Arc<dyn AccountStore>) {
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let (identity, profile) =
                    pending_account("race@example.com", &format!("acct-race-{i}"));
                store.create_account(&identity, &profile).await
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => created += 1,
            Err(UniqueWriteError::Taken) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(created, 1);
}

/// A profile edit sets only its own fields: a session epoch written meanwhile is never rolled back.
pub async fn profile_edits_keep_the_session_epoch(store: &dyn AccountStore) {
    let (identity, profile) =
        pending_account("epoch@example.com", "0000000000000000000000000000e90c");
    store.create_account(&identity, &profile).await.unwrap();
    let mut changed = identity.clone();
    changed.session_epoch = 1;
    store.save_sign_in(&changed, false, None).await.unwrap();
    let edit = tessera_identity::account::ProfileEdit {
        job_title: Some(Some("Engineer".into())),
        last_name: Some(tessera_kernel::person::Name::parse("Byron").unwrap()),
        ..Default::default()
    };
    let edited = store
        .edit_profile(&profile.account_id, &edit)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(edited.session_epoch, 1);
    assert_eq!(edited.details.job_title.as_deref(), Some("Engineer"));
    assert_eq!(edited.last_name.as_str(), "Byron");
    assert_eq!(edited.first_name.as_str(), "Ada", "untouched fields stay");
    assert_eq!(
        store.profile(&profile.account_id).await.unwrap(),
        Some(edited)
    );
    let unknown = AccountId::from_stored("ffffffffffffffffffffffffffffffff".into());
    assert_eq!(store.edit_profile(&unknown, &edit).await.unwrap(), None);
}

/// Pending accounts are listed by purge date (soonest first, at most the limit, none before
/// their date, never an active one), and a purge deletes identity and profile once, only at the
/// version read.
pub async fn pending_accounts_are_listed_by_purge_date_and_purged_once(store: &dyn AccountStore) {
    let (first, first_profile) = pending_account("purge-1@example.com", "acct-purge-1");
    let (mut second, mut second_profile) = pending_account("purge-2@example.com", "acct-purge-2");
    let later = Timestamp(first.purge_at.unwrap().0 + 60);
    second.purge_at = Some(later);
    second_profile.purge_at = Some(later);
    store
        .create_account(&second, &second_profile)
        .await
        .unwrap();
    store.create_account(&first, &first_profile).await.unwrap();
    let (active, active_profile) = pending_account("purge-3@example.com", "acct-purge-3");
    store
        .create_account(&active, &active_profile)
        .await
        .unwrap();
    let username = Username::parse("TS33333333").unwrap();
    let mut activated = active.clone();
    activated.status = AccountStatus::Active;
    activated.username = Some(username.clone());
    activated.purge_at = None;
    store.activate(&activated, &username).await.unwrap();

    let purge_at = first.purge_at.unwrap();
    let before = Timestamp(purge_at.0 - 1);
    assert!(store
        .purgeable_accounts(before, 10)
        .await
        .unwrap()
        .is_empty());
    let emails = |listed: Vec<Identity>| -> Vec<String> {
        listed
            .iter()
            .map(|i| i.email.as_str().to_string())
            .collect()
    };
    let at_first = store.purgeable_accounts(purge_at, 10).await.unwrap();
    assert_eq!(emails(at_first), ["purge-1@example.com"]);
    let all = store
        .purgeable_accounts(Timestamp(later.0 + 86_400), 10)
        .await
        .unwrap();
    assert_eq!(
        emails(all.clone()),
        ["purge-1@example.com", "purge-2@example.com"]
    );
    assert_eq!(
        store.purgeable_accounts(later, 1).await.unwrap().len(),
        1,
        "the limit holds"
    );

    // A purge at a stale version deletes nothing; at the version read, identity and profile.
    let mut resent = all[0].clone();
    store.update_identity(&resent).await.unwrap();
    assert!(!store.purge_account(&all[0]).await.unwrap());
    resent.version += 1;
    assert!(store.purge_account(&resent).await.unwrap());
    assert!(!store.purge_account(&resent).await.unwrap(), "once");
    assert_eq!(store.identity(&first.email).await.unwrap(), None);
    assert_eq!(
        store.profile(&first_profile.account_id).await.unwrap(),
        None
    );
    // An active account is never purged, whatever it is asked with.
    assert!(!store.purge_account(&stored(activated, 1)).await.unwrap());
    assert!(store.identity(&active.email).await.unwrap().is_some());
    let left = store
        .purgeable_accounts(Timestamp(later.0 + 86_400), 10)
        .await
        .unwrap();
    assert_eq!(emails(left), ["purge-2@example.com"]);
}
