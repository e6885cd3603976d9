//! Log in, use the session, log out; throttling and lock-out; session lifetimes. Both backends.

use serde_json::{json, Value};
use tessera_identity::throttle::ATTEMPT_LEASE;
use tessera_kernel::time::Seconds;
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};
use tessera_tests::{active_account, authorized, log_in, me, on_both_backends, token_of, PASSWORD};

async fn log_out(app: &TestApp, token: &str) -> TestResponse {
    app.call(
        sessions::handle,
        authorized("DELETE", "/v1/sessions/current", token, None),
    )
    .await
}

async fn log_in_use_and_log_out(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, username) = active_account(&app, "ada").await;
    let r = log_in(&app, &email.to_uppercase(), PASSWORD).await;
    let token = token_of(&r);
    assert_eq!(
        r.json["expires_at"], "2026-01-01T12:00:00Z",
        "12 hours after the (manual) clock's start"
    );
    assert_eq!(r.json["idle_timeout_seconds"], 1800);

    let profile = me(&app, &token).await;
    assert_eq!(profile.status, 200, "{}", profile.text);
    assert_eq!(profile.json["username"], username.as_str());
    assert_eq!(profile.json["email"], email.as_str());
    assert_eq!(profile.json["first_name"], "Ada");
    assert_eq!(profile.json["country"], "GB");
    assert_eq!(profile.json["federated"], false);

    assert_eq!(log_out(&app, &token).await.status, 204);
    let after = me(&app, &token).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.json["code"], "unauthenticated");
    assert_eq!(after.header("www-authenticate"), Some("Bearer"));
    assert_eq!(log_out(&app, &token).await.status, 401);
}

/// SECURITY.md case 5 and the bar: unknown address, wrong password, pending account and
/// locked account give byte-identical 401 bodies.
async fn every_failed_login_looks_the_same(backend: Backend) {
    let app = TestApp::with_vars(backend, &[("TESSERA_LOGIN_LOCK_AT", "8")]).await;
    let (email, _) = active_account(&app, "grace").await;
    let unknown = log_in(&app, &unique_email("nobody"), PASSWORD).await;
    let wrong = log_in(&app, &email, "Not-The-Password-1").await;

    let pending_email = unique_email("pending");
    let body = json!({ "email": pending_email, "password": PASSWORD, "first_name": "P", "last_name": "Q", "country": "GB" });
    app.call(
        accounts::handle,
        json_request("POST", "/v1/accounts", &body),
    )
    .await;
    let pending = log_in(&app, &pending_email, PASSWORD).await;

    // Lock the account: 8 failures in a row (waiting out each delay), then the right password.
    for _ in 0..7 {
        app.clock.advance(Seconds::minutes(16));
        assert_eq!(log_in(&app, &email, "Not-The-Password-1").await.status, 401);
    }
    let notices = app.messages_to(&email);
    assert_eq!(
        notices.last().unwrap().subject.as_deref(),
        Some("Your Tessera account needs a new password")
    );
    app.clock.advance(Seconds::minutes(16));
    let locked = log_in(&app, &email, PASSWORD).await;

    for r in [&unknown, &wrong, &pending, &locked] {
        assert_eq!(r.status, 401);
        assert_eq!(r.text, unknown.text, "byte-identical bodies");
    }
    assert_eq!(unknown.json["code"], "invalid_credentials");
    app.clock.advance(Seconds::minutes(16));
    log_in(&app, &email, "Not-The-Password-1").await;
    assert_eq!(
        app.messages_to(&email).len(),
        notices.len(),
        "the owner is told once"
    );
}

/// After 5 consecutive failures each attempt waits a growing delay, for known and unknown
/// addresses alike; a success clears the count.
async fn failures_slow_down_logins(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "hopper").await;
    let stranger = unique_email("stranger");
    for address in [&email, &stranger] {
        for _ in 0..5 {
            assert_eq!(log_in(&app, address, "Wrong-Password-99").await.status, 401);
        }
    }
    let known = log_in(&app, &email, PASSWORD).await;
    let unknown = log_in(&app, &stranger, PASSWORD).await;
    assert_eq!(known.status, 429, "even the right password waits");
    assert_eq!(known.header("retry-after"), Some("1"));
    assert_eq!(
        (unknown.status, &unknown.text),
        (429, &known.text),
        "unknown addresses are throttled alike"
    );
    app.clock.advance(Seconds(1));
    assert_eq!(log_in(&app, &email, "Wrong-Password-99").await.status, 401); // sixth failure
    let r = log_in(&app, &email, PASSWORD).await;
    assert_eq!(
        (r.status, r.header("retry-after")),
        (429, Some("2")),
        "the delay doubles"
    );
    app.clock.advance(Seconds(2));
    token_of(&log_in(&app, &email, PASSWORD).await);
    // The success cleared the count: five more failures pass before a delay.
    for _ in 0..5 {
        assert_eq!(log_in(&app, &email, "Wrong-Password-99").await.status, 401);
    }
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 429);
}

/// 30 minutes idle ends a session; activity keeps it alive up to 12 hours from its start.
async fn sessions_idle_out_and_end_after_twelve_hours(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "lamarr").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    for step in 1..=35 {
        app.clock.advance(Seconds::minutes(20));
        assert_eq!(
            me(&app, &token).await.status,
            200,
            "alive after {} minutes of activity",
            step * 20
        );
    }
    // 35 × 20 min = 11 h 40 min; 20 more reach the 12-hour mark.
    app.clock.advance(Seconds::minutes(20));
    assert_eq!(me(&app, &token).await.status, 401, "past 12 hours");

    let idle = token_of(&log_in(&app, &email, PASSWORD).await);
    app.clock.advance(Seconds::minutes(29));
    assert_eq!(me(&app, &idle).await.status, 200);
    app.clock.advance(Seconds::minutes(30));
    assert_eq!(
        me(&app, &idle).await.status,
        401,
        "30 minutes without a request"
    );
}

/// Tokens that are altered, borrowed from another account's id, missing or malformed: one 401.
async fn altered_and_missing_tokens_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "noether").await;
    let (other, _) = active_account(&app, "curie").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let other_token = token_of(&log_in(&app, &other, PASSWORD).await);
    let (account, secret) = token.split_once('.').unwrap();
    let (other_account, _) = other_token.split_once('.').unwrap();
    let flipped: String = secret.chars().rev().collect();
    for bad in [
        format!("{account}.{flipped}"),
        format!("{other_account}.{secret}"),
        "garbage".into(),
        String::new(),
    ] {
        let r = me(&app, &bad).await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (401, Some("unauthenticated")),
            "{bad}"
        );
    }
    let no_header = app
        .call(profile::handle, tessera_testkit::get("/v1/me"))
        .await;
    assert_eq!(no_header.status, 401);
    let basic = app
        .call(
            profile::handle,
            lambda_http::http::Request::builder()
                .uri("/v1/me")
                .header("authorization", format!("Basic {token}"))
                .body(lambda_http::Body::Empty)
                .unwrap(),
        )
        .await;
    assert_eq!(basic.status, 401);
    assert_eq!(
        me(&app, &token).await.status,
        200,
        "the real token still works"
    );
}

/// Nothing in a login answer or stored session reveals the password; bad bodies are 4xx.
async fn login_input_is_validated(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = log_in(&app, "not-an-email", PASSWORD).await;
    assert_eq!(
        (r.status, r.json["errors"][0]["code"].as_str()),
        (422, Some("invalid_email"))
    );
    let r = app
        .call(
            sessions::handle,
            json_request(
                "POST",
                "/v1/sessions",
                &json!({ "email": "a@example.com", "password": PASSWORD, "remember": true }),
            ),
        )
        .await;
    assert_eq!(r.status, 400);
    let r: Value = log_in(&app, "a@example.com", "").await.json;
    assert_eq!(
        r["code"], "invalid_credentials",
        "an empty password is just a wrong one"
    );
}

/// Rule "attempts are reserved before the check": twenty wrong logins for one address at once
/// get the five checks that one at a time would; the others wait, and so does the right password.
async fn a_burst_of_logins_gets_no_more_checks_than_one_at_a_time(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::new(backend).await);
    let (email, _) = active_account(&app, "burst").await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (app, email) = (app.clone(), email.clone());
            tokio::spawn(async move { log_in(&app, &email, "Wrong-Password-99").await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let waited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, waited), (5, 15), "{statuses:?}");
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 429);
}

/// The lock holds at "≥ limit" whichever path counted the failures: here the last one is a
/// wrong current password in a password change, and the account still locks and its owner is
/// told once.
async fn the_lock_holds_whichever_path_counted_the_failures(backend: Backend) {
    let app = TestApp::with_vars(backend, &[("TESSERA_LOGIN_LOCK_AT", "6")]).await;
    let (email, _) = active_account(&app, "locke").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    // The login's own attempt counts until its lease is over (it might still be in flight).
    app.clock.advance(ATTEMPT_LEASE);
    for _ in 0..5 {
        assert_eq!(log_in(&app, &email, "Wrong-Password-99").await.status, 401);
    }
    app.clock.advance(Seconds(1));
    let body = json!({ "current_password": "Wrong-Password-99", "new_password": "Tessellate-9-Quartz",
                       "confirm_password": "Tessellate-9-Quartz" });
    let r = app
        .call(
            password_change::handle,
            authorized("PUT", "/v1/me/password", &token, Some(&body)),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    app.clock.advance(Seconds::minutes(16));
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 401, "locked");
    let locked = app
        .messages_to(&email)
        .iter()
        .filter(|m| m.subject.as_deref() == Some("Your Tessera account needs a new password"))
        .count();
    assert_eq!(locked, 1, "the owner is told once");
}

/// An ordinary login leaves its own attempt counted, for at most the lease: logins in quick
/// succession all work (a second one within the lease clears the count), and once the lease is
/// over a person who then mistypes gets the full five free failures.
async fn successful_logins_never_add_up(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "regular").await;
    for _ in 0..12 {
        assert_eq!(log_in(&app, &email, PASSWORD).await.status, 201);
    }
    for _ in 0..12 {
        app.clock.advance(ATTEMPT_LEASE);
        assert_eq!(log_in(&app, &email, PASSWORD).await.status, 201);
    }
    app.clock.advance(ATTEMPT_LEASE);
    for _ in 0..5 {
        assert_eq!(log_in(&app, &email, "Wrong-Password-99").await.status, 401);
    }
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 429);
    // Failures are never forgotten by waiting out the lease, only by a right password.
    app.clock.advance(Seconds::hours(1));
    assert_eq!(log_in(&app, &email, "Wrong-Password-99").await.status, 401);
    app.clock.advance(Seconds(1));
    assert_eq!(
        log_in(&app, &email, PASSWORD).await.status,
        429,
        "six failures: 2 s"
    );
    app.clock.advance(Seconds(1));
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 201);
}

on_both_backends!(
    successful_logins_never_add_up,
    log_in_use_and_log_out,
    every_failed_login_looks_the_same,
    failures_slow_down_logins,
    sessions_idle_out_and_end_after_twelve_hours,
    altered_and_missing_tokens_are_refused,
    login_input_is_validated,
    a_burst_of_logins_gets_no_more_checks_than_one_at_a_time,
    the_lock_holds_whichever_path_counted_the_failures,
);
