//! The storage conformance suite. Each case runs on every backend (see
//! `tests/tests/store_conformance.rs`), so the embedded store and DynamoDB cannot drift apart.

use std::sync::Arc;
use tessera_certification::ports::{Added, CandidateRecords};
use tessera_certification::{
    CandidateEdit, CandidateProfile, CeActivity, ExamCode, ExamRecord, Grade,
};
use tessera_identity::password::PasswordHash;
use tessera_identity::ports::{AccountStore, LoginStore, SessionStore};
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
    };
    (identity, profile)
}

fn stored(mut identity: Identity, version: u64) -> Identity {
    identity.version = version;
    identity
}

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
    assert!(matches!(err, StoreError::EmailTaken), "{err:?}");
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
        Err(StoreError::UsernameTaken)
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
        Err(StoreError::Conflict)
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
            Err(StoreError::EmailTaken) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(created, 1);
}

/// The attempt ledger: 20 parallel takes from an allowance of 5 get exactly 5; the rest are
/// refused until the window ends, when a new window opens; a give-back frees one attempt; keys
/// are independent.
pub async fn attempts_are_taken_atomically(ledger: Arc<dyn AttemptLedger>) {
    let key = AttemptKey::candidate_record("conformance-record");
    let allowance = Allowance {
        max: 5,
        window: Seconds(600),
    };
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (ledger, key) = (ledger.clone(), key.clone());
            tokio::spawn(async move { ledger.take_attempt(&key, allowance, Timestamp(1000)).await })
        })
        .collect();
    let mut counts = Vec::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            Take::Taken { count } => counts.push(count),
            Take::Refused { retry_at } => {
                assert_eq!(retry_at, Timestamp(1600));
                refused += 1;
            }
        }
    }
    counts.sort();
    assert_eq!((counts, refused), (vec![1, 2, 3, 4, 5], 15));
    ledger.give_back_attempt(&key).await.unwrap();
    assert_eq!(
        ledger
            .take_attempt(&key, allowance, Timestamp(1599))
            .await
            .unwrap(),
        Take::Taken { count: 5 }
    );
    assert_eq!(
        ledger
            .take_attempt(&key, allowance, Timestamp(1599))
            .await
            .unwrap(),
        Take::Refused {
            retry_at: Timestamp(1600)
        }
    );
    assert_eq!(
        ledger
            .take_attempt(&key, allowance, Timestamp(1600))
            .await
            .unwrap(),
        Take::Taken { count: 1 },
        "a new window"
    );
    let other = AttemptKey::sms_number("+33600000000");
    assert_eq!(
        ledger
            .take_attempt(&other, allowance, Timestamp(1600))
            .await
            .unwrap(),
        Take::Taken { count: 1 }
    );
    // Giving back never goes below zero, nor creates anything.
    let unused = AttemptKey::candidate_record("never-taken");
    ledger.give_back_attempt(&unused).await.unwrap();
    ledger.give_back_attempt(&other).await.unwrap();
    ledger.give_back_attempt(&other).await.unwrap();
    assert_eq!(
        ledger
            .take_attempt(&other, allowance, Timestamp(1601))
            .await
            .unwrap(),
        Take::Taken { count: 1 }
    );
}

/// Batches of attempts are taken whole or not at all: twenty parallel batches of 3 from an
/// allowance of 10 get three batches (nine), never a part of a fourth; one more single attempt
/// fits, then nothing until the window ends, when a batch opens the new window.
pub async fn batches_are_taken_whole_or_not_at_all(ledger: Arc<dyn AttemptLedger>) {
    let key = AttemptKey::client("login", "192.0.2.44");
    let allowance = Allowance {
        max: 10,
        window: Seconds(600),
    };
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (ledger, key) = (ledger.clone(), key.clone());
            tokio::spawn(async move {
                ledger
                    .take_attempts(&key, 3, allowance, Timestamp(1000))
                    .await
            })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        if let Take::Taken { count } = t.await.unwrap().unwrap() {
            counts.push(count);
        }
    }
    counts.sort();
    assert_eq!(counts, vec![3, 6, 9]);
    let take = |n: u32, at: i64| {
        let (ledger, key) = (ledger.clone(), key.clone());
        async move {
            ledger
                .take_attempts(&key, n, allowance, Timestamp(at))
                .await
                .unwrap()
        }
    };
    assert_eq!(
        take(3, 1001).await,
        Take::Refused {
            retry_at: Timestamp(1600)
        }
    );
    assert_eq!(take(1, 1001).await, Take::Taken { count: 10 });
    assert!(matches!(take(1, 1599).await, Take::Refused { .. }));
    assert_eq!(
        take(3, 1600).await,
        Take::Taken { count: 3 },
        "a new window"
    );
    assert!(
        matches!(take(11, 1601).await, Take::Refused { .. }),
        "more than the allowance never fits"
    );
}

/// Twenty attempts begun at once for one address: as many may check a password as one at a
/// time would be allowed (the 5 free failures), each with its own count and the identity read
/// with it; the others wait out the delay.
async fn burst_of_twenty(
    logins: &Arc<dyn LoginStore>,
    key: &ThrottleKey,
    at: Timestamp,
    identity: &Identity,
) {
    let settings = ThrottleSettings::default();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (logins, key) = (logins.clone(), key.clone());
            tokio::spawn(async move { logins.begin_login(&key, at, &settings).await })
        })
        .collect();
    let (mut counts, mut waits) = (Vec::new(), 0);
    for t in tasks {
        match t.await.unwrap().unwrap() {
            LoginStart::Attempt {
                identity: read,
                throttle,
            } => {
                assert_eq!(
                    read.map(|i| i.account_id),
                    Some(identity.account_id.clone())
                );
                counts.push(throttle.failures);
            }
            LoginStart::Wait { retry_at } => {
                assert_eq!(retry_at, at + Seconds(1));
                waits += 1;
            }
        }
    }
    counts.sort();
    assert_eq!((counts, waits), (vec![1, 2, 3, 4, 5], 15));
}

fn counted(start: &LoginStart) -> Option<(u32, bool)> {
    match start {
        LoginStart::Attempt { throttle, .. } => Some((throttle.failures, throttle.failed)),
        LoginStart::Wait { .. } => None,
    }
}

/// Attempts are counted before the check, in parallel as one at a time; a failure is never
/// forgotten by waiting, while a success's lone attempt counts nothing once its lease is over.
/// Unknown login IDs have a throttle of their own.
pub async fn login_attempts_are_counted_before_the_check(
    accounts: &dyn AccountStore,
    logins: Arc<dyn LoginStore>,
) {
    let (identity, profile) =
        pending_account("burst@example.com", "00112233445566778899aabbccddeeff");
    accounts.create_account(&identity, &profile).await.unwrap();
    let key = ThrottleKey::Email(identity.email.clone());
    let settings = ThrottleSettings::default();
    burst_of_twenty(&logins, &key, Timestamp(1000), &identity).await;
    // Past the free failures, one attempt per delay: 1 s after the fifth, then 2 s.
    let next = logins
        .begin_login(&key, Timestamp(1001), &settings)
        .await
        .unwrap();
    assert_eq!(counted(&next), Some((6, false)), "{next:?}");
    let wait = logins
        .begin_login(&key, Timestamp(1002), &settings)
        .await
        .unwrap();
    assert!(
        matches!(
            wait,
            LoginStart::Wait {
                retry_at: Timestamp(1003)
            }
        ),
        "{wait:?}"
    );
    logins.clear_login_failures(&key).await.unwrap();
    assert_eq!(logins.login_throttle(&key).await.unwrap().failures, 0);

    // A success leaves its lone attempt: counted while it may be in flight, nothing after.
    let begin = |at: i64| {
        let (logins, key) = (logins.clone(), key.clone());
        async move {
            counted(
                &logins
                    .begin_login(&key, Timestamp(at), &settings)
                    .await
                    .unwrap(),
            )
        }
    };
    assert_eq!(begin(2000).await, Some((1, false)));
    assert_eq!(begin(2059).await, Some((2, false)), "within the lease");
    logins.clear_login_failures(&key).await.unwrap();
    assert_eq!(begin(3000).await, Some((1, false)));
    assert_eq!(begin(3060).await, Some((1, false)), "a spent success");
    burst_of_twenty(&logins, &key, Timestamp(4000), &identity).await;
    logins.clear_login_failures(&key).await.unwrap();
    // A failure is marked, and waiting does not forget it.
    assert_eq!(begin(5000).await, Some((1, false)));
    logins.mark_login_failed(&key).await.unwrap();
    assert_eq!(
        logins.login_throttle(&key).await.unwrap(),
        LoginThrottle {
            failures: 1,
            last_failure_at: Timestamp(5000),
            failed: true
        }
    );
    assert_eq!(begin(90_000).await, Some((2, true)));
    logins.clear_login_failures(&key).await.unwrap();
    logins.mark_login_failed(&key).await.unwrap();
    assert_eq!(
        logins.login_throttle(&key).await.unwrap(),
        LoginThrottle::default(),
        "marking a cleared count writes nothing"
    );

    let unknown =
        ThrottleKey::UnknownUsername(tessera_identity::Username::parse("TS00000000").unwrap());
    let start = logins
        .begin_login(&unknown, Timestamp(1000), &settings)
        .await
        .unwrap();
    assert!(
        matches!(
            start,
            LoginStart::Attempt {
                identity: None,
                throttle: LoginThrottle { failures: 1, .. }
            }
        ),
        "{start:?}"
    );
    assert_eq!(
        logins.login_throttle(&key).await.unwrap().failures,
        0,
        "keys are separate"
    );
}

/// 20 concurrent failures for one address count 20, read with the identity in one call; a
/// session start clears them in the same write.
pub async fn login_failures_count_atomically(
    accounts: &dyn AccountStore,
    logins: Arc<dyn LoginStore>,
) {
    let (identity, profile) =
        pending_account("throttled@example.com", "0123456789abcdef0123456789abcdef");
    accounts.create_account(&identity, &profile).await.unwrap();
    let email = identity.email.clone();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (logins, email) = (logins.clone(), email.clone());
            tokio::spawn(async move {
                logins
                    .record_login_failure(&email, Timestamp(1000 + i))
                    .await
            })
        })
        .collect();
    let mut seen: Vec<u32> = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap().unwrap().failures);
    }
    seen.sort();
    assert_eq!(
        seen,
        (1..=20).collect::<Vec<u32>>(),
        "each failure saw its own count"
    );
    let key = ThrottleKey::Email(email.clone());
    assert_eq!(logins.login_throttle(&key).await.unwrap().failures, 20);
    // The second step of a login reads the identity and its count together.
    let (read, throttle) = logins.identity_and_throttle(&email).await.unwrap();
    assert_eq!(read.unwrap().account_id, identity.account_id);
    assert_eq!((throttle.failures, throttle.failed), (20, true));

    let token = SessionToken::generate(&identity.account_id, &FixedBytes);
    let session = Session::start(
        &token,
        identity.account_id.clone(),
        0,
        Timestamp(2000),
        &SessionSettings::default(),
    );
    logins.start_session(&session, &email, true).await.unwrap();
    assert_eq!(logins.login_throttle(&key).await.unwrap().failures, 0);
    let nobody = Email::parse("nobody@example.com").unwrap();
    let (read, throttle) = logins.identity_and_throttle(&nobody).await.unwrap();
    assert_eq!((read, throttle), (None, LoginThrottle::default()));
    // Unknown addresses have a throttle too.
    let stranger = Email::parse("stranger@example.com").unwrap();
    assert_eq!(
        logins
            .record_login_failure(&stranger, Timestamp(5))
            .await
            .unwrap()
            .failures,
        1
    );
    assert_eq!(
        logins
            .login_throttle(&ThrottleKey::Email(stranger))
            .await
            .unwrap(),
        LoginThrottle {
            failures: 1,
            last_failure_at: Timestamp(5),
            failed: true
        }
    );
}

/// A session is read back with its account's profile in one call, touched, and ended.
pub async fn sessions_are_read_with_their_profile(
    accounts: &dyn AccountStore,
    logins: &dyn LoginStore,
    sessions: &dyn SessionStore,
) {
    let (identity, profile) =
        pending_account("sessions@example.com", "fedcba9876543210fedcba9876543210");
    accounts.create_account(&identity, &profile).await.unwrap();
    let token = SessionToken::generate(&identity.account_id, &FixedBytes);
    let session = Session::start(
        &token,
        identity.account_id.clone(),
        0,
        Timestamp(100),
        &SessionSettings::default(),
    );
    logins
        .start_session(&session, &identity.email, false)
        .await
        .unwrap();

    let (read, read_profile) = sessions
        .session_and_profile(&token.digest(), &identity.account_id)
        .await
        .unwrap();
    assert_eq!(read, Some(session.clone()));
    assert_eq!(read_profile, Some(profile));
    sessions
        .touch_session(&token.digest(), Timestamp(160))
        .await
        .unwrap();
    let (touched, _) = sessions
        .session_and_profile(&token.digest(), &identity.account_id)
        .await
        .unwrap();
    assert_eq!(touched.unwrap().last_seen_at, Timestamp(160));

    sessions.end_session(&token.digest()).await.unwrap();
    let (gone, still) = sessions
        .session_and_profile(&token.digest(), &identity.account_id)
        .await
        .unwrap();
    assert_eq!(gone, None);
    assert!(still.is_some());
    sessions
        .touch_session(&token.digest(), Timestamp(200))
        .await
        .unwrap();
    assert_eq!(
        sessions
            .session_and_profile(&token.digest(), &identity.account_id)
            .await
            .unwrap()
            .0,
        None,
        "a touch never revives"
    );
}

struct FixedBytes;
impl tessera_kernel::ports::Random for FixedBytes {
    fn fill(&self, buf: &mut [u8]) {
        buf.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
    }
}

/// A profile edit sets only its own fields: a session epoch written meanwhile is never rolled back.
pub async fn profile_edits_keep_the_session_epoch(store: &dyn AccountStore) {
    let (identity, profile) =
        pending_account("epoch@example.com", "0000000000000000000000000000e90c");
    store.create_account(&identity, &profile).await.unwrap();
    let mut changed = identity.clone();
    changed.session_epoch = 1;
    store.save_password(&changed, false).await.unwrap();
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

fn unsent(id: &str, due: i64) -> UnsentMessage {
    UnsentMessage {
        id: id.to_string(),
        message: OutgoingMessage {
            channel: Channel::Email,
            to: format!("{id}@example.com"),
            subject: Some("Subject".into()),
            text: "text".into(),
            html: Some("<p>html</p>".into()),
        },
        attempts: 1,
        next_attempt_at: Timestamp(due),
        discard_after: Timestamp(due + 86_400),
        created_at: Timestamp(due - 60),
    }
}

fn ids(found: &[UnsentMessage]) -> Vec<&str> {
    found.iter().map(|u| u.id.as_str()).collect()
}

/// Unsent messages come back by due time, earliest first and at most `limit`; a claim holds
/// only against the attempt count it read; a removed message is gone.
pub async fn unsent_messages_are_found_by_due_time_and_claimed_once(store: &dyn UnsentMessages) {
    let (a, b, c) = (
        unsent("a1", 100_000),
        unsent("b2", 100_010),
        unsent("c3", 150_000),
    );
    for u in [&c, &a, &b] {
        store.keep(u).await.unwrap();
    }
    assert!(store.due(Timestamp(99_999), 10).await.unwrap().is_empty());
    assert_eq!(
        store.due(Timestamp(100_005), 10).await.unwrap(),
        vec![a.clone()]
    );
    assert_eq!(
        ids(&store.due(Timestamp(100_010), 10).await.unwrap()),
        ["a1", "b2"]
    );
    assert_eq!(
        ids(&store.due(Timestamp(100_010), 1).await.unwrap()),
        ["a1"]
    );

    let claimed = UnsentMessage {
        attempts: 2,
        next_attempt_at: Timestamp(200_000),
        ..a.clone()
    };
    store.claim(&claimed, 1).await.unwrap();
    assert!(
        matches!(store.claim(&claimed, 1).await, Err(StoreError::Conflict)),
        "a second claim on the same attempt count loses"
    );
    assert_eq!(
        ids(&store.due(Timestamp(100_010), 10).await.unwrap()),
        ["b2"]
    );
    assert_eq!(
        store.due(Timestamp(200_000), 10).await.unwrap(),
        vec![b.clone(), c.clone(), claimed.clone()]
    );

    store.remove("b2").await.unwrap();
    assert_eq!(
        ids(&store.due(Timestamp(200_000), 10).await.unwrap()),
        ["c3", "a1"]
    );
    assert!(
        matches!(
            store.claim(&UnsentMessage { attempts: 2, ..b }, 1).await,
            Err(StoreError::Conflict)
        ),
        "a removed message cannot be claimed back"
    );
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

pub async fn candidate_records_are_created_extended_and_read_whole(records: &dyn CandidateRecords) {
    let id = format!("TSC{}", crate::app::unique() % 1_000_000_000);
    let first = imported_candidate(&id, None, "VT1");
    let d = time::macros::date!(2021 - 04 - 01);
    let reg_a = format!("{id}-A");
    let reg_b = format!("{id}-B");
    let added = records
        .add_exams(
            &first,
            &[exam(&reg_a, "IA-201", d), exam(&reg_a, "IA-201", d)],
        )
        .await
        .unwrap();
    assert_eq!(
        added,
        [Added::New, Added::Duplicate],
        "one sitting, twice in one file"
    );

    // A second import: a new testing id and an email are merged in; the names stay.
    let mut second = imported_candidate(&id, Some("ada@example.com"), "VT2");
    second.first_name = "Someone else".into();
    let added = records
        .add_exams(
            &second,
            &[exam(&reg_a, "IA-201", d), exam(&reg_b, "EC-301", d)],
        )
        .await
        .unwrap();
    assert_eq!(added, [Added::Duplicate, Added::New]);

    let ce = [
        activity("Partner One", "1", 5),
        activity("partner one ", "1", 5),
        activity("Partner One", "2", 10),
    ];
    let added = records
        .add_activities(&first.candidate_id, &ce)
        .await
        .unwrap()
        .expect("the record exists");
    assert_eq!(added, [Added::New, Added::Duplicate, Added::New]);
    let again = records
        .add_activities(&first.candidate_id, &ce)
        .await
        .unwrap()
        .unwrap();
    assert!(again.iter().all(|a| *a == Added::Duplicate));

    let record = records
        .candidate(&first.candidate_id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(record.profile.first_name, "Ada");
    assert_eq!(record.profile.testing_ids, ["VT1", "VT2"]);
    assert_eq!(
        record.profile.email.as_ref().map(|e| e.as_str()),
        Some("ada@example.com")
    );
    let mut regs: Vec<_> = record
        .exams
        .iter()
        .map(|e| e.registration_number.clone())
        .collect();
    regs.sort();
    assert_eq!(regs, [reg_a, reg_b]);
    assert_eq!(
        record
            .exams
            .iter()
            .find(|e| e.exam_code.as_str() == "EC-301")
            .unwrap()
            .date,
        d
    );
    let mut points: Vec<u32> = record.activities.iter().map(|a| a.points).collect();
    points.sort();
    assert_eq!(points, [5, 10]);
    assert_eq!(record.activities[0].source_file, "ce.csv");
}

pub async fn a_registration_number_belongs_to_one_candidate(records: &dyn CandidateRecords) {
    let n = crate::app::unique() % 1_000_000_000;
    let one = imported_candidate(&format!("TSC{n}"), None, "VT1");
    let other = imported_candidate(&format!("TSD{n}"), None, "VT9");
    let reg = format!("REG-{n}");
    let d = time::macros::date!(2022 - 02 - 02);
    records
        .add_exams(&one, &[exam(&reg, "IA-201", d)])
        .await
        .unwrap();
    let added = records
        .add_exams(&other, &[exam(&reg, "IA-201", d)])
        .await
        .unwrap();
    assert_eq!(added, [Added::TakenBy(one.candidate_id.clone())]);
    let other_record = records
        .candidate(&other.candidate_id)
        .await
        .unwrap()
        .unwrap();
    assert!(other_record.exams.is_empty());
}

pub async fn activities_need_an_existing_record(records: &dyn CandidateRecords) {
    let nobody =
        CandidateId::parse(&format!("NOBODY{}", crate::app::unique() % 1_000_000)).unwrap();
    assert_eq!(
        records
            .add_activities(&nobody, &[activity("P", "1", 1)])
            .await
            .unwrap(),
        None
    );
    assert_eq!(records.candidate(&nobody).await.unwrap(), None);
}

pub async fn a_record_maps_to_one_account_and_an_account_to_one_record(
    accounts: &dyn AccountStore,
    records: &dyn CandidateRecords,
) {
    let n = crate::app::unique() % 1_000_000_000;
    let d = time::macros::date!(2022 - 02 - 02);
    let email = format!("map.{n}@example.com");
    let first = imported_candidate(&format!("TSM{n}"), Some(&email), "VT1");
    let second = imported_candidate(&format!("TSN{n}"), None, "VT2");
    records
        .add_exams(&first, &[exam(&format!("RM-{n}"), "IA-201", d)])
        .await
        .unwrap();
    records
        .add_exams(&second, &[exam(&format!("RN-{n}"), "IA-201", d)])
        .await
        .unwrap();
    let by_reg = records
        .candidate_with_registration(&format!("RM-{n}"))
        .await
        .unwrap();
    assert_eq!(
        by_reg.map(|p| p.candidate_id),
        Some(first.candidate_id.clone())
    );
    let by_email = records
        .candidates_with_email(&Email::parse(&email).unwrap())
        .await
        .unwrap();
    assert_eq!(by_email.len(), 1);

    let mut account_ids = Vec::new();
    for who in ["a", "b"] {
        let (identity, profile) = pending_account(
            &format!("{who}.{n}@example.com"),
            &format!("acct-{who}-{n}"),
        );
        accounts.create_account(&identity, &profile).await.unwrap();
        account_ids.push(profile.account_id);
    }
    let [ada, bob] = [account_ids[0].clone(), account_ids[1].clone()];
    let mapped_to = |account: AccountId| async move {
        accounts
            .profile(&account)
            .await
            .unwrap()
            .expect("profile")
            .candidate_id
    };

    // An account that does not exist cannot be mapped.
    let ghost = AccountId::from_stored(format!("acct-ghost-{n}"));
    let ghost_state = records.mapping_state(&ghost).await.unwrap();
    let for_ghost = CandidateProfile {
        account_id: Some(ghost.clone()),
        ..first.clone()
    };
    assert!(matches!(
        records
            .map_account(&for_ghost, first.email.as_ref(), &ghost_state)
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        records
            .candidate(&first.candidate_id)
            .await
            .unwrap()
            .unwrap()
            .profile
            .account_id,
        None,
        "nothing written for a refused mapping"
    );

    let state = records.mapping_state(&ada).await.unwrap();
    assert_eq!(state.version, 0);
    let new_email = Email::parse(&format!("new.{n}@example.com")).unwrap();
    let mapped = CandidateProfile {
        account_id: Some(ada.clone()),
        email: Some(new_email.clone()),
        ..first.clone()
    };
    records
        .map_account(&mapped, first.email.as_ref(), &state)
        .await
        .unwrap();
    assert_eq!(
        mapped_to(ada.clone()).await,
        Some(first.candidate_id.clone())
    );
    let record = records
        .candidate(&first.candidate_id)
        .await
        .unwrap()
        .expect("mapped");
    assert_eq!(record.profile.account_id.as_ref(), Some(&ada));
    assert_eq!(record.profile.email.as_ref(), Some(&new_email));
    assert!(records
        .candidates_with_email(&Email::parse(&email).unwrap())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        records
            .candidates_with_email(&new_email)
            .await
            .unwrap()
            .len(),
        1
    );

    // The record is taken: another account cannot map it.
    let bob_state = records.mapping_state(&bob).await.unwrap();
    let stolen = CandidateProfile {
        account_id: Some(bob.clone()),
        ..first.clone()
    };
    assert!(matches!(
        records
            .map_account(&stolen, first.email.as_ref(), &bob_state)
            .await,
        Err(StoreError::Conflict)
    ));
    // The account is taken: it cannot map a second record.
    let ada_state = records.mapping_state(&ada).await.unwrap();
    assert_eq!(ada_state.version, 1);
    let second_for_ada = CandidateProfile {
        account_id: Some(ada.clone()),
        ..second.clone()
    };
    assert!(matches!(
        records.map_account(&second_for_ada, None, &ada_state).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(mapped_to(bob.clone()).await, None);
    assert_eq!(
        mapped_to(ada.clone()).await,
        Some(first.candidate_id.clone())
    );
    let untouched = records
        .candidate(&second.candidate_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.profile.account_id, None);

    // Mapping state is version-checked.
    let mut stale = bob_state.clone();
    records.save_mapping_state(&bob, &bob_state).await.unwrap();
    stale.sends.sent_in_window = 9;
    assert!(matches!(
        records.save_mapping_state(&bob, &stale).await,
        Err(StoreError::Conflict)
    ));
}

/// Imports, the candidate's own edit and the mapping, landing on one record at once, each keep
/// what the others wrote: no write replaces the whole record with a stale copy.
pub async fn concurrent_writes_to_a_record_all_hold(
    accounts: &dyn AccountStore,
    records: &dyn CandidateRecords,
) {
    let n = crate::app::unique() % 1_000_000_000;
    let d = time::macros::date!(2022 - 02 - 02);
    let base = imported_candidate(&format!("TSC{n}"), None, "VT0");
    records
        .add_exams(&base, &[exam(&format!("RC0-{n}"), "IA-201", d)])
        .await
        .unwrap();
    let (identity, account) =
        pending_account(&format!("c.{n}@example.com"), &format!("acct-c-{n}"));
    accounts.create_account(&identity, &account).await.unwrap();
    let email = Email::parse(&format!("mapped.{n}@example.com")).unwrap();

    let import = |i: usize| {
        let mut incoming = imported_candidate(
            base.candidate_id.as_str(),
            Some(&format!("other.{n}@example.com")),
            &format!("VT{i}"),
        );
        incoming.first_exam = time::macros::date!(2020 - 01 - 01);
        async move {
            records
                .add_exams(&incoming, &[exam(&format!("RC{i}-{n}"), "IA-201", d)])
                .await
                .unwrap()
        }
    };
    let map = async {
        let mapped = CandidateProfile {
            account_id: Some(account.account_id.clone()),
            email: Some(email.clone()),
            ..base.clone()
        };
        // A transaction may be cancelled by a concurrent write to the same item: retried, as
        // the mapping flow does.
        for _ in 0..10 {
            let state = records.mapping_state(&account.account_id).await.unwrap();
            match records.map_account(&mapped, None, &state).await {
                Err(StoreError::Conflict) => continue,
                other => return other.unwrap(),
            }
        }
        panic!("mapping kept conflicting");
    };
    let edit = async {
        let title = CandidateEdit::JobTitle(Some("Analyst".into()));
        records
            .edit_candidate(&base.candidate_id, &title)
            .await
            .unwrap()
    };
    tokio::join!(import(1), import(2), import(3), map, edit);

    let record = records
        .candidate(&base.candidate_id)
        .await
        .unwrap()
        .unwrap();
    let mut ids = record.profile.testing_ids.clone();
    ids.sort();
    assert_eq!(
        ids,
        ["VT0", "VT1", "VT2", "VT3"],
        "every import's testing ID"
    );
    assert_eq!(record.exams.len(), 4);
    assert_eq!(
        record.profile.account_id.as_ref(),
        Some(&account.account_id)
    );
    assert_eq!(
        record.profile.email.as_ref(),
        Some(&email),
        "the mapping's email"
    );
    assert_eq!(record.profile.job_title.as_deref(), Some("Analyst"));
    assert_eq!(
        record.profile.first_exam,
        time::macros::date!(2020 - 01 - 01)
    );
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
    use tessera_fulfillment::Line;
    let line = |certification: &&str, claims_initial_kit: bool| OrderItem {
        line: Line {
            certification_id: certification.to_string(),
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
        status: if total_cents == 0 {
            OrderStatus::Queued
        } else {
            OrderStatus::PendingPayment
        },
        created_at: Timestamp(1_767_225_600),
        updated_at: Timestamp(1_767_225_600),
    }
}

/// One order per idempotency key; each initial kit claimed once, by one atomic write.
pub async fn orders_are_placed_once_per_key_and_kits_claimed_once(
    orders: Arc<dyn tessera_fulfillment::ports::OrderStore>,
) {
    use tessera_fulfillment::order::Placed;
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = format!("TSO{n}");
    let id = CandidateId::parse(&candidate).unwrap();

    let first = order(&candidate, "key-1", &["infrastructure-associate"], &[]);
    assert_eq!(orders.place_order(&first).await.unwrap(), Placed::New);
    // The same key again (another attempt at the same request): the first order, unchanged.
    let retry = order(&candidate, "key-1", &["infrastructure-associate"], &[]);
    assert_eq!(
        orders.place_order(&retry).await.unwrap(),
        Placed::Existing(Box::new(first.clone()))
    );
    assert_eq!(
        orders.order_book(&id).await.unwrap().claimed,
        ["infrastructure-associate"]
    );
    // Another key claiming the same kit: refused, nothing written.
    let again = order(
        &candidate,
        "key-2",
        &["infrastructure-associate"],
        &["networking-technician"],
    );
    assert_eq!(
        orders.place_order(&again).await.unwrap(),
        Placed::KitClaimed
    );
    assert_eq!(orders.order_owner(&again.id).await.unwrap(), None);
    assert_eq!(
        orders.order_book(&id).await.unwrap().orders,
        vec![first.clone()]
    );
    // A paid kit under a new key is fine.
    let paid = order(&candidate, "key-3", &[], &["infrastructure-associate"]);
    assert_eq!(orders.place_order(&paid).await.unwrap(), Placed::New);
    assert_eq!(orders.order_book(&id).await.unwrap().orders.len(), 2);
    assert_eq!(
        orders.order_owner(&paid.id).await.unwrap(),
        Some(id.clone())
    );

    // Ten concurrent claims of one kit, each with its own key: one order.
    let mut racing = tokio::task::JoinSet::new();
    for i in 0..10 {
        let orders = orders.clone();
        let attempt = order(
            &candidate,
            &format!("race-{i}"),
            &["networking-technician"],
            &[],
        );
        racing.spawn(async move {
            for _ in 0..5 {
                match orders.place_order(&attempt).await {
                    // Cancelled by a concurrent transaction: try again, as the flow does.
                    Err(StoreError::Conflict) => continue,
                    other => return other.unwrap(),
                }
            }
            panic!("kept conflicting");
        });
    }
    let mut placed = Vec::new();
    while let Some(outcome) = racing.join_next().await {
        placed.push(outcome.unwrap());
    }
    assert_eq!(placed.iter().filter(|p| **p == Placed::New).count(), 1);
    assert_eq!(
        placed.iter().filter(|p| **p == Placed::KitClaimed).count(),
        9
    );
    assert_eq!(orders.order_book(&id).await.unwrap().orders.len(), 3);
    assert_eq!(
        orders.order_book(&id).await.unwrap().claimed,
        ["infrastructure-associate", "networking-technician"]
    );
}

/// A status change is conditional on the status read; a provider event applies once; a
/// cancelled order gives its initial-kit claims back (and only its own).
pub async fn order_updates_are_conditional_and_events_apply_once(
    orders: Arc<dyn tessera_fulfillment::ports::OrderStore>,
) {
    use tessera_fulfillment::order::{OrderStatus, Placed, Updated};
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = format!("TSU{n}");
    let id = CandidateId::parse(&candidate).unwrap();
    let event = format!("evt_{n}");

    // A free kit and a paid one: waiting for payment, the initial kit claimed.
    let placed = order(
        &candidate,
        "key-1",
        &["infrastructure-associate"],
        &["networking-technician"],
    );
    assert_eq!(placed.status, OrderStatus::PendingPayment);
    assert_eq!(orders.place_order(&placed).await.unwrap(), Placed::New);

    let mut paid = placed.clone();
    paid.status = OrderStatus::Queued;
    paid.updated_at = Timestamp(placed.updated_at.0 + 60);
    // Three deliveries of one event, at once: applied once.
    let mut deliveries = tokio::task::JoinSet::new();
    for _ in 0..3 {
        let (orders, paid, event) = (orders.clone(), paid.clone(), event.clone());
        deliveries.spawn(async move {
            loop {
                match orders
                    .update_order(&paid, OrderStatus::PendingPayment, Some(&event))
                    .await
                {
                    Err(StoreError::Conflict) => continue,
                    other => return other.unwrap(),
                }
            }
        });
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = deliveries.join_next().await {
        outcomes.push(outcome.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| **o == Updated::Applied).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        orders.order_book(&id).await.unwrap().orders,
        vec![paid.clone()]
    );
    // The same event again, later: seen, nothing written.
    let mut replay = paid.clone();
    replay.status = OrderStatus::Cancelled;
    assert_eq!(
        orders
            .update_order(&replay, OrderStatus::PendingPayment, Some(&event))
            .await
            .unwrap(),
        Updated::EventSeen
    );
    // Another event for an order that moved on: nothing written.
    assert_eq!(
        orders
            .update_order(
                &replay,
                OrderStatus::PendingPayment,
                Some(&format!("{event}-b"))
            )
            .await
            .unwrap(),
        Updated::StatusMoved
    );
    assert_eq!(
        orders.order_book(&id).await.unwrap().orders[0].status,
        OrderStatus::Queued
    );

    // A second order waiting for payment, cancelled: its claim is given back, the paid order's
    // claim stays.
    let unpaid = order(
        &candidate,
        "key-2",
        &["networking-technician"],
        &["infrastructure-associate"],
    );
    assert_eq!(orders.place_order(&unpaid).await.unwrap(), Placed::New);
    assert_eq!(
        orders.order_book(&id).await.unwrap().claimed,
        ["infrastructure-associate", "networking-technician"]
    );
    let mut cancelled = unpaid.clone();
    cancelled.status = OrderStatus::Cancelled;
    assert_eq!(
        orders
            .update_order(&cancelled, OrderStatus::PendingPayment, None)
            .await
            .unwrap(),
        Updated::Applied
    );
    let book = orders.order_book(&id).await.unwrap();
    assert_eq!(book.claimed, ["infrastructure-associate"]);
    assert_eq!(
        book.by_id(&unpaid.id).unwrap().status,
        OrderStatus::Cancelled
    );
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

/// Orders waiting for payment are listed by placing time until their status moves.
pub async fn unpaid_orders_are_listed_until_they_move(
    orders: Arc<dyn tessera_fulfillment::ports::OrderStore>,
) {
    use tessera_fulfillment::order::{OrderStatus, Updated};
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = format!("TSU{n}");
    let mut early = order(&candidate, "unpaid-1", &[], &["infrastructure-associate"]);
    early.created_at = Timestamp(early.created_at.0 - 60);
    let late = order(
        &candidate,
        "unpaid-2",
        &["networking-technician"],
        &["networking-technician"],
    );
    let free = order(&candidate, "free", &["infrastructure-associate"], &[]);
    for o in [&late, &early, &free] {
        orders.place_order(o).await.unwrap();
    }
    let placed = late.created_at;
    let ids = |listed: Vec<tessera_fulfillment::order::Order>| -> Vec<String> {
        listed.iter().map(|o| o.id.as_str().to_string()).collect()
    };
    let by_early = orders.unpaid_orders(early.created_at, 100).await.unwrap();
    assert_eq!(ids(by_early), [early.id.as_str()]);
    let by_late = orders.unpaid_orders(placed, 100).await.unwrap();
    assert_eq!(
        ids(by_late),
        [early.id.as_str(), late.id.as_str()],
        "oldest first; free orders never"
    );

    let mut cancelled = late.clone();
    cancelled.status = OrderStatus::Cancelled;
    let moved = orders
        .update_order(&cancelled, OrderStatus::PendingPayment, None)
        .await
        .unwrap();
    assert_eq!(moved, Updated::Applied);
    let left = orders.unpaid_orders(placed, 100).await.unwrap();
    assert_eq!(ids(left), [early.id.as_str()]);
}

/// A holder's reminders watch: due at once after new evidence, listed until a save moves its
/// next check, saved only at the version read, and made due again with its sent notices kept.
pub async fn reminder_watches_are_due_until_saved_and_version_checked(
    records: &dyn CandidateRecords,
) {
    use tessera_certification::reminders::Watch;
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = CandidateId::parse(&format!("TSW{n}")).unwrap();
    let now = Timestamp(1_767_225_600);
    assert!(records.watches_due(now, 10).await.unwrap().is_empty());

    records.watch_again(&candidate).await.unwrap();
    let due = records.watches_due(now, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    let read = due[0].clone();
    assert_eq!(read.candidate_id, candidate);
    assert!(read.sent.is_empty());

    let mut saved = read.clone();
    saved
        .sent
        .insert("networking-technician@2026-03-02@90".into());
    saved.next_check = Some(Timestamp(now.0 + 30 * 86_400));
    records.save_watch(&saved).await.unwrap();
    assert!(matches!(
        records.save_watch(&saved).await,
        Err(StoreError::Conflict)
    ));
    assert!(records.watches_due(now, 10).await.unwrap().is_empty());
    let later = records
        .watches_due(Timestamp(now.0 + 30 * 86_400), 10)
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].sent, saved.sent);

    // New evidence: due at once again, the notices sent kept, a save at the old version refused.
    records.watch_again(&candidate).await.unwrap();
    let again = records.watches_due(now, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].sent, saved.sent);
    assert!(matches!(
        records.save_watch(&later[0]).await,
        Err(StoreError::Conflict)
    ));
    let nothing_ahead = Watch {
        next_check: None,
        ..again[0].clone()
    };
    records.save_watch(&nothing_ahead).await.unwrap();
    assert!(records
        .watches_due(Timestamp(i64::MAX / 2), 10)
        .await
        .unwrap()
        .is_empty());
}

/// Transcripts: parallel views all count, parallel emails stop at the limit, an expired one is
/// neither viewed nor kept, and an edit that extends a transcript races its expiry deletion
/// without losing either side's consistency (deleted and gone, or extended and kept).
pub async fn transcript_writes_hold_under_races(
    store: Arc<dyn tessera_certification::ports::TranscriptStore>,
    random: &dyn tessera_kernel::ports::Random,
) {
    use tessera_certification::transcript::{
        Selection, Transcript, TranscriptContent, TranscriptId, ViewCount,
    };
    let candidate = CandidateId::parse(&format!("TR{}", crate::app::unique() % 1_000_000)).unwrap();
    let content = |expires_at: i64| TranscriptContent {
        display_name: "Ada Lovelace".into(),
        description: "For the hiring team".into(),
        remarks: String::new(),
        certifications: Selection::AllActive,
        include_new: true,
        expires_at: Timestamp(expires_at),
        holder_country: "GB".into(),
        holder_organisation: None,
    };
    let transcript = Transcript {
        id: TranscriptId::generate(random),
        candidate_id: candidate.clone(),
        created_at: Timestamp(100),
        content: content(2000),
        views: 0,
        last_viewed: None,
    };
    store.create_transcript(&transcript).await.unwrap();
    let id = transcript.id.clone();
    assert_eq!(
        store.transcript_owner(&id).await.unwrap(),
        Some(candidate.clone())
    );

    let views: Vec<_> = (0..20)
        .map(|i| {
            let (store, candidate, id) = (store.clone(), candidate.clone(), id.clone());
            tokio::spawn(
                async move { store.count_view(&candidate, &id, Timestamp(1000 + i)).await },
            )
        })
        .collect();
    for view in views {
        assert!(matches!(
            view.await.unwrap().unwrap(),
            ViewCount::Counted(_)
        ));
    }
    let read = store.transcript(&candidate, &id).await.unwrap().unwrap();
    assert_eq!(read.views, 20, "every parallel view counted");
    assert_eq!(
        store
            .count_view(&candidate, &id, Timestamp(2000))
            .await
            .unwrap(),
        ViewCount::Expired
    );
    let unknown = TranscriptId::generate(random);
    assert_eq!(
        store
            .count_view(&candidate, &unknown, Timestamp(1000))
            .await
            .unwrap(),
        ViewCount::Missing
    );

    let emails: Vec<_> = (0..10)
        .map(|_| {
            let (store, candidate) = (store.clone(), candidate.clone());
            tokio::spawn(async move { store.count_email(&candidate, Timestamp(0), 3).await })
        })
        .collect();
    let mut counted = 0;
    for email in emails {
        counted += usize::from(email.await.unwrap().unwrap());
    }
    assert_eq!(counted, 3, "parallel emails stop at the limit");

    // An expired transcript is listed for deletion; an edit extending it races the deletion.
    let due = store
        .expired_transcripts(Timestamp(2500), 10)
        .await
        .unwrap();
    assert!(due.iter().any(|t| t.id == id));
    let extended = content(5000);
    let (edited, deleted) = tokio::join!(
        store.replace_content(&candidate, &id, &extended),
        store.delete_expired_transcript(&candidate, &id, Timestamp(2500)),
    );
    let (edited, deleted) = (edited.unwrap(), deleted.unwrap());
    let stored = store.transcript(&candidate, &id).await.unwrap();
    if deleted {
        assert_eq!(stored, None, "deleted first: gone");
        assert_eq!(store.transcript_owner(&id).await.unwrap(), None);
    } else {
        let edited = edited.expect("kept: the edit landed first");
        assert_eq!(edited.content.expires_at, Timestamp(5000));
        assert_eq!(stored.unwrap().content.expires_at, Timestamp(5000));
        assert!(!store
            .delete_expired_transcript(&candidate, &id, Timestamp(2500))
            .await
            .unwrap());
        assert!(store.delete_transcript(&candidate, &id).await.unwrap());
    }
    assert!(!store.delete_transcript(&candidate, &id).await.unwrap());
    assert_eq!(store.transcript(&candidate, &id).await.unwrap(), None);
}
