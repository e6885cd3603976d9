//! Forgot email, on both backends: by login ID and password, or by a last-known address.

use serde_json::{json, Value};
use tessera_kernel::time::Seconds;
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};
use tessera_tests::{active_account, log_in, on_both_backends, PASSWORD};

async fn post(app: &TestApp, body: Value) -> TestResponse {
    app.call(
        email_reminders::handle,
        json_request("POST", "/v1/email-reminders", &body),
    )
    .await
}

async fn login_id_and_password_show_the_address(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, username) = active_account(&app, "ada").await;
    let r = post(
        &app,
        json!({ "username": username.to_lowercase(), "password": PASSWORD }),
    )
    .await;
    assert_eq!(
        (r.status, &r.json),
        (200, &json!({ "email": email })),
        "{}",
        r.text
    );
    let last = app.messages_to(&email).pop().unwrap();
    assert_eq!(
        last.subject.as_deref(),
        Some("Your Tessera sign-in address was looked up")
    );

    let wrong = post(
        &app,
        json!({ "username": username, "password": "Wrong-Password-77" }),
    )
    .await;
    let unknown = post(
        &app,
        json!({ "username": "TS00000001", "password": PASSWORD }),
    )
    .await;
    assert_eq!(
        (wrong.status, &wrong.text),
        (401, &unknown.text),
        "one answer for both"
    );
    // Wrong passwords here count as failed logins of the account.
    for _ in 0..4 {
        post(
            &app,
            json!({ "username": username, "password": "Wrong-Password-77" }),
        )
        .await;
    }
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 429);
}

async fn a_last_known_address_gets_a_reminder_only_if_it_is_an_accounts(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, username) = active_account(&app, "grace").await;
    let before = app.messages_to(&email).len();
    let known = post(&app, json!({ "email": email.to_uppercase() })).await;
    let nobody = unique_email("nobody");
    let unknown = post(&app, json!({ "email": nobody })).await;
    assert_eq!((known.status, &known.text), (202, &unknown.text));
    assert!(app.messages_to(&nobody).is_empty());
    let sent = app.messages_to(&email);
    assert_eq!(sent.len(), before + 1);
    assert_eq!(
        sent.last().unwrap().subject.as_deref(),
        Some("Your Tessera account uses this address")
    );
    assert!(
        sent.last().unwrap().body.contains(&username),
        "the reminder names the login ID"
    );
    post(&app, json!({ "email": email })).await;
    assert_eq!(
        app.messages_to(&email).len(),
        before + 1,
        "at most one a minute"
    );
    app.clock.advance(Seconds(60));
    post(&app, json!({ "email": email })).await;
    assert_eq!(app.messages_to(&email).len(), before + 2);
}

async fn the_two_shapes_do_not_mix(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = post(
        &app,
        json!({ "email": "a@example.com", "username": "TS12345678" }),
    )
    .await;
    assert_eq!(
        (r.status, r.json["errors"][0]["code"].as_str()),
        (422, Some("ambiguous"))
    );
    let r = post(&app, json!({ "username": "TS12345678" })).await;
    assert_eq!(
        (r.status, r.json["errors"][0]["field"].as_str()),
        (422, Some("password"))
    );
    let r = post(
        &app,
        json!({ "username": "not a login id!", "password": "x" }),
    )
    .await;
    assert_eq!(r.json["errors"][0]["code"], "invalid_username");
}

/// Forgot-email is no weaker than log-in: an unknown login ID is throttled and answered exactly
/// like a known one, and wrong passwords here lock the account like failed logins.
async fn unknown_and_known_login_ids_are_throttled_alike(backend: Backend) {
    let app = TestApp::with_vars(backend, &[("TESSERA_LOGIN_LOCK_AT", "6")]).await;
    let (email, username) = active_account(&app, "ada").await;
    for id in [username.as_str(), "TS00000002"] {
        for _ in 0..5 {
            let r = post(
                &app,
                json!({ "username": id, "password": "Wrong-Password-77" }),
            )
            .await;
            assert_eq!(r.status, 401, "{id}: {}", r.text);
        }
    }
    let known = post(&app, json!({ "username": username, "password": PASSWORD })).await;
    let unknown = post(
        &app,
        json!({ "username": "TS00000002", "password": PASSWORD }),
    )
    .await;
    assert_eq!(known.status, 429, "{}", known.text);
    assert_eq!(
        (unknown.status, unknown.header("retry-after"), &unknown.text),
        (429, known.header("retry-after"), &known.text),
        "an unknown login ID waits alike"
    );
    app.clock.advance(Seconds(1));
    let r = post(
        &app,
        json!({ "username": username, "password": "Wrong-Password-77" }),
    )
    .await;
    assert_eq!(r.status, 401);
    app.clock.advance(Seconds::minutes(16));
    assert_eq!(
        log_in(&app, &email, PASSWORD).await.status,
        401,
        "locked at the limit"
    );
}

/// With an authenticator, a login ID and password alone show nothing: 202, and the address is
/// only reminded by email.
async fn with_an_authenticator_the_address_is_only_emailed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, username) = active_account(&app, "noether").await;
    tessera_tests::enrol_authenticator(&app, &email).await;
    let r = post(&app, json!({ "username": username, "password": PASSWORD })).await;
    assert_eq!((r.status, r.json.get("email")), (202, None), "{}", r.text);
    assert!(!r.text.contains(&email), "{}", r.text);
    let last = app.messages_to(&email).pop().unwrap();
    assert_eq!(
        last.subject.as_deref(),
        Some("Your Tessera account uses this address")
    );
}

on_both_backends!(
    login_id_and_password_show_the_address,
    a_last_known_address_gets_a_reminder_only_if_it_is_an_accounts,
    the_two_shapes_do_not_mix,
    unknown_and_known_login_ids_are_throttled_alike,
    with_an_authenticator_the_address_is_only_emailed,
);
