//! `LoginStore`: attempts counted before the check, failures counted atomically.

use super::*;

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
