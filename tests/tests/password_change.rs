//! Changing the password while logged in (SECURITY.md cases 3 and 12), on both backends.

use serde_json::json;
use tessera_kernel::time::Seconds;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::{
    active_account, authorized, change_password, log_in, me, on_both_backends, token_of, PASSWORD,
};

/// Logs in with `current` and changes it to `new`.
async fn change_from_fresh_session(
    app: &TestApp,
    email: &str,
    current: &str,
    new: &str,
) -> TestResponse {
    let token = token_of(&log_in(app, email, current).await);
    change_password(app, &token, current, new, new).await
}

/// Case 12: two sessions; changing the password in one kills both; the owner is emailed.
async fn a_change_logs_out_every_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "ada").await;
    app.clock.advance(Seconds::hours(1)); // past the minimum age of the sign-up password
    let first = token_of(&log_in(&app, &email, PASSWORD).await);
    let second = token_of(&log_in(&app, &email, PASSWORD).await);
    let r = change_password(
        &app,
        &first,
        PASSWORD,
        "Tessellate-9-Quartz",
        "Tessellate-9-Quartz",
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        me(&app, &first).await.status,
        401,
        "the session that changed it"
    );
    assert_eq!(me(&app, &second).await.status, 401, "every other session");
    assert_eq!(
        log_in(&app, &email, PASSWORD).await.status,
        401,
        "the old password is gone"
    );
    let fresh = token_of(&log_in(&app, &email, "Tessellate-9-Quartz").await);
    assert_eq!(me(&app, &fresh).await.status, 200);
    let last = app.messages_to(&email).pop().unwrap();
    assert_eq!(
        last.subject.as_deref(),
        Some("Your Tessera password was changed")
    );
}

/// Case 3: none of the last 8 passwords; the 9th back is accepted; the minimum age counts from
/// the owner's last voluntary change: the first may come right after sign-up, the next within
/// the hour is refused.
async fn history_of_eight_and_one_hour_minimum_age(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "grace").await;
    let first = "Harbor-Quartz-00x";
    let r = change_from_fresh_session(&app, &email, PASSWORD, first).await;
    assert_eq!(r.status, 204, "right after sign-up: {}", r.text);
    let r = change_from_fresh_session(&app, &email, first, "Harbor-Quartz-01x").await;
    assert_eq!(r.status, 422, "within the hour of the last change");
    assert_eq!(
        r.json["errors"],
        json!([{ "field": "new_password", "code": "min_age", "message": "At least 1 hour(s) since you last changed your password" }])
    );

    let passwords: Vec<String> = (1..=8).map(|i| format!("Harbor-Quartz-{i:02}x")).collect();
    let mut current = first.to_string();
    for next in &passwords {
        app.clock.advance(Seconds::hours(1));
        let r = change_from_fresh_session(&app, &email, &current, next).await;
        assert_eq!(r.status, 204, "{next}: {}", r.text);
        current = next.clone();
    }
    // History now holds passwords 1–8 (8 is current); the sign-up password is further back.
    app.clock.advance(Seconds::hours(1));
    for old in &passwords {
        let r = change_from_fresh_session(&app, &email, &current, old).await;
        assert_eq!(
            (r.status, r.json["errors"][0]["code"].as_str()),
            (422, Some("not_recent")),
            "{old}"
        );
    }
    let r = change_from_fresh_session(&app, &email, &current, PASSWORD).await;
    assert_eq!(
        r.status, 204,
        "a password older than the last 8 may be used again: {}",
        r.text
    );
    // A second voluntary change within the hour is refused.
    app.clock.advance(Seconds::minutes(59));
    let r = change_from_fresh_session(&app, &email, PASSWORD, "Brand-New-Quartz-7").await;
    assert_eq!(r.json["errors"][0]["code"], "min_age");
}

/// Wrong current password, mismatched confirmation, weak new password: nothing changes.
async fn bad_changes_change_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, username) = active_account(&app, "hopper").await;
    app.clock.advance(Seconds::hours(2));
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let r = change_password(
        &app,
        &token,
        "Wrong-Current-11",
        "Tessellate-9-Quartz",
        "Tessellate-9-Quartz",
    )
    .await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (403, Some("invalid_current_password"))
    );
    let r = change_password(
        &app,
        &token,
        PASSWORD,
        "Tessellate-9-Quartz",
        "Tessellate-9-Quartz!",
    )
    .await;
    assert_eq!(
        (r.status, r.json["errors"][0]["code"].as_str()),
        (422, Some("mismatch"))
    );
    let with_username = format!("Hi-{username}-x");
    let r = change_password(&app, &token, PASSWORD, &with_username, &with_username).await;
    assert_eq!(r.json["errors"][0]["code"], "not_username");
    let r = change_password(&app, &token, PASSWORD, "Password123!", "Password123!").await;
    assert_eq!(r.json["errors"][0]["code"], "not_common");
    let r = app
        .call(
            password_change::handle,
            authorized("PUT", "/v1/me/password", "nope", Some(&json!({}))),
        )
        .await;
    assert_eq!(r.status, 401, "authentication comes before the body");

    assert_eq!(me(&app, &token).await.status, 200, "the session survived");
    assert_eq!(
        log_in(&app, &email, PASSWORD).await.status,
        201,
        "the password is unchanged"
    );
    // Wrong current passwords count as failed logins (the login above cleared the count): after
    // five, even the right one waits.
    for _ in 0..5 {
        change_password(
            &app,
            &token,
            "Wrong-Current-11",
            "Tessellate-9-Quartz",
            "Tessellate-9-Quartz",
        )
        .await;
    }
    let r = change_password(
        &app,
        &token,
        PASSWORD,
        "Tessellate-9-Quartz",
        "Tessellate-9-Quartz",
    )
    .await;
    assert_eq!(r.status, 429, "{}", r.text);
}

on_both_backends!(
    a_change_logs_out_every_session,
    history_of_eight_and_one_hour_minimum_age,
    bad_changes_change_nothing,
);
