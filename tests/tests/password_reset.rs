//! Forgot password by email, end to end through the handlers, reading the real email for the
//! code, on both backends. SECURITY.md cases 3 (reset within the hour), 6, 7, 8, 9, 12 and 15.

use serde_json::json;
use std::sync::Arc;
use tessera_kernel::time::Seconds;
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};
use tessera_tests::{
    active_account, log_in, me, on_both_backends, request_reset, token_of, verify_reset, PASSWORD,
};

const NEW_PASSWORD: &str = "Tessellate-9-Quartz";

async fn complete(app: &TestApp, token: &str, new: &str, confirm: &str) -> TestResponse {
    let body = json!({ "reset_token": token, "new_password": new, "confirm_password": confirm });
    app.call(
        password_reset::handle,
        json_request("POST", "/v1/password-resets/complete", &body),
    )
    .await
}

/// Requests a code by email, reads it from the message and verifies it: the reset token.
async fn reset_token(app: &TestApp, email: &str) -> String {
    assert_eq!(request_reset(app, email, "email").await.status, 202);
    let code = app.latest_code(email);
    let r = verify_reset(app, email, &code).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["mfa_required"], false);
    r.json["reset_token"].as_str().unwrap().to_string()
}

/// The whole flow; case 3's reset within the hour; case 12 after a reset.
async fn reset_by_email_end_to_end(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "ada").await;
    let session = token_of(&log_in(&app, &email, PASSWORD).await);
    let token = reset_token(&app, &email).await;
    let subject = app.messages_to(&email).pop().unwrap().subject;
    assert_eq!(subject.as_deref(), Some("Your Tessera password reset code"));

    // Within the hour of the sign-up password: a reset is exempt from the minimum age.
    let r = complete(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        me(&app, &session).await.status,
        401,
        "every session revoked"
    );
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 401);
    let fresh = token_of(&log_in(&app, &email, NEW_PASSWORD).await);
    let last = app.messages_to(&email).pop().unwrap();
    assert_eq!(
        last.subject.as_deref(),
        Some("Your Tessera password was reset")
    );
    // Nor does a reset start the minimum age: the owner may change it at once.
    let changed = tessera_tests::change_password(
        &app,
        &fresh,
        NEW_PASSWORD,
        "Quartz-After-Reset-5",
        "Quartz-After-Reset-5",
    )
    .await;
    assert_eq!(changed.status, 204, "right after a reset: {}", changed.text);
    // The token is single use.
    let again = complete(&app, &token, "Another-Quartz-77", "Another-Quartz-77").await;
    assert_eq!(
        (again.status, again.json["code"].as_str()),
        (400, Some("invalid_reset_token"))
    );
}

/// Case 6: existing and unknown addresses get the same 202; SMS without a verified number sends
/// nothing; pending accounts get nothing either.
async fn requests_reveal_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "grace").await;
    let before = app.messages_to(&email).len();
    let known = request_reset(&app, &email, "email").await;
    let unknown_address = unique_email("nobody");
    let unknown = request_reset(&app, &unknown_address, "email").await;
    assert_eq!((known.status, &known.text), (unknown.status, &unknown.text));
    assert_eq!(app.messages_to(&email).len(), before + 1);
    assert!(app.messages_to(&unknown_address).is_empty());

    app.clock.advance(Seconds(61));
    let sms_before = tessera_testkit::sms_count(&app);
    let sms = request_reset(&app, &email, "sms").await;
    assert_eq!((sms.status, &sms.text), (known.status, &known.text));
    assert_eq!(
        app.messages_to(&email).len(),
        before + 1,
        "no email for an SMS request"
    );
    assert_eq!(
        tessera_testkit::sms_count(&app),
        sms_before,
        "no SMS without a verified number"
    );

    let pending = unique_email("pending");
    let body = json!({ "email": pending, "password": PASSWORD, "first_name": "P", "last_name": "Q", "country": "GB" });
    app.call(
        accounts::handle,
        json_request("POST", "/v1/accounts", &body),
    )
    .await;
    let activation_code = app.latest_code(&pending);
    assert_eq!(request_reset(&app, &pending, "email").await.status, 202);
    assert_eq!(
        app.messages_to(&pending).len(),
        1,
        "pending accounts get no reset code"
    );
    // Case 8: the activation code does not pass at the reset endpoint.
    assert_eq!(
        verify_reset(&app, &pending, &activation_code).await.json["code"],
        "invalid_code"
    );
    let r = request_reset(&app, &email, "fax").await;
    assert_eq!(
        (r.status, r.json["errors"][0]["code"].as_str()),
        (422, Some("invalid_channel"))
    );
}

/// Case 7: a code used at 9:59 works; at 10:01 it fails, though the stored item still exists.
async fn reset_codes_live_ten_minutes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "hopper").await;
    request_reset(&app, &email, "email").await;
    let code = app.latest_code(&email);
    app.clock.advance(Seconds(9 * 60 + 59));
    assert_eq!(verify_reset(&app, &email, &code).await.status, 200, "9:59");

    app.clock.advance(Seconds(60));
    request_reset(&app, &email, "email").await;
    let late = app.latest_code(&email);
    app.clock.advance(Seconds(10 * 60 + 1));
    assert_eq!(
        verify_reset(&app, &email, &late).await.json["code"],
        "invalid_code",
        "10:01"
    );
}

/// Cases 8 and 9: a reset code fails at activation and for another account; after 5 wrong
/// guesses the right code fails too.
async fn reset_codes_are_bound_and_guess_limited(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (a, _) = active_account(&app, "a").await;
    let (b, _) = active_account(&app, "b").await;
    request_reset(&app, &a, "email").await;
    let code = app.latest_code(&a);
    let at_activation = app
        .call(
            accounts::handle,
            json_request(
                "POST",
                "/v1/accounts/activate",
                &json!({ "email": a, "code": code, "password": PASSWORD }),
            ),
        )
        .await;
    assert_eq!(at_activation.json["code"], "invalid_code");
    request_reset(&app, &b, "email").await;
    let b_code = app.latest_code(&b);
    if b_code != code {
        assert_eq!(
            verify_reset(&app, &b, &code).await.json["code"],
            "invalid_code",
            "another account's code"
        );
    }
    let wrong: String = code
        .chars()
        .map(|c| {
            if c == '9' {
                '0'
            } else {
                char::from(c as u8 + 1)
            }
        })
        .collect();
    for _ in 0..5 {
        assert_eq!(
            verify_reset(&app, &a, &wrong).await.json["code"],
            "invalid_code"
        );
    }
    assert_eq!(
        verify_reset(&app, &a, &code).await.json["code"],
        "invalid_code",
        "dead after 5 wrong guesses"
    );
}

/// Case 15: two concurrent completions of one reset → exactly one succeeds.
async fn concurrent_completions_one_wins(backend: Backend) {
    let app = Arc::new(TestApp::new(backend).await);
    let (email, _) = active_account(&app, "race").await;
    let token = reset_token(&app, &email).await;
    let tasks: Vec<_> = ["Winner-Quartz-11", "Winner-Quartz-22"]
        .into_iter()
        .map(|password| {
            let (app, token) = (app.clone(), token.clone());
            tokio::spawn(async move {
                (
                    password,
                    complete(&app, &token, password, password).await.status,
                )
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let winners: Vec<_> = results
        .iter()
        .filter(|(_, status)| *status == 204)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(results.iter().any(|(_, status)| *status == 400));
    token_of(&log_in(&app, &email, winners[0].0).await);
}

/// A reset lifts a lock-out and clears the failed-login count; the policy still applies.
async fn a_reset_unlocks_and_keeps_the_policy(backend: Backend) {
    let app = TestApp::with_vars(backend, &[("TESSERA_LOGIN_LOCK_AT", "6")]).await;
    let (email, _) = active_account(&app, "curie").await;
    for _ in 0..6 {
        app.clock.advance(Seconds::minutes(16));
        log_in(&app, &email, "Wrong-Password-99").await;
    }
    app.clock.advance(Seconds::minutes(16));
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 401, "locked");
    let token = reset_token(&app, &email).await;
    let r = complete(&app, &token, PASSWORD, PASSWORD).await;
    assert_eq!(
        r.json["errors"][0]["code"], "not_recent",
        "the history rule holds for resets"
    );
    let r = complete(&app, &token, NEW_PASSWORD, "Different-9-Quartz").await;
    assert_eq!(r.json["errors"][0]["code"], "mismatch");
    assert_eq!(
        complete(&app, &token, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        204
    );
    assert_eq!(
        log_in(&app, &email, NEW_PASSWORD).await.status,
        201,
        "unlocked, no delay left"
    );
}

on_both_backends!(
    reset_by_email_end_to_end,
    requests_reveal_nothing,
    reset_codes_live_ten_minutes,
    reset_codes_are_bound_and_guess_limited,
    concurrent_completions_one_wins,
    a_reset_unlocks_and_keeps_the_policy,
);
