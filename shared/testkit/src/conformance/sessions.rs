//! `SessionStore`: a session read with its profile.

use super::*;

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
