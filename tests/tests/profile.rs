//! The profile: read, edit, communication settings, federated accounts. Both backends.

use serde_json::{json, Value};
use tessera_testkit::{federated_account, Backend, TestApp, TestResponse};
use tessera_tests::{
    active_account, authorized, log_in, me, on_both_backends, request_reset, token_of, PASSWORD,
};

async fn patch(app: &TestApp, token: &str, body: Value) -> TestResponse {
    app.call(
        profile::handle,
        authorized("PATCH", "/v1/me", token, Some(&body)),
    )
    .await
}

async fn edit_and_read_back(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, username) = active_account(&app, "ada").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let r = patch(&app, &token, json!({ "first_name": " Augusta ", "company": "Analytical Engines", "job_title": "Analyst", "country": "fr" })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["first_name"], "Augusta");
    assert_eq!(r.json["company"], "Analytical Engines");
    assert_eq!(r.json["country"], "FR");
    let read = me(&app, &token).await.json;
    assert_eq!(
        (read["job_title"].as_str(), read["last_name"].as_str()),
        (Some("Analyst"), Some("Lovelace"))
    );
    assert_eq!(read["username"], username.as_str());
    let r = patch(&app, &token, json!({ "company": null })).await;
    assert_eq!(r.json["company"], Value::Null, "null clears");
    assert_eq!(r.json["job_title"], "Analyst", "other fields stay");
}

async fn bad_edits_change_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "grace").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let r = patch(
        &app,
        &token,
        json!({ "email": "new@example.com", "first_name": "Grace" }),
    )
    .await;
    assert_eq!(
        (r.status, r.json["errors"][0]["code"].as_str()),
        (422, Some("email_change_not_supported"))
    );
    assert_eq!(
        patch(&app, &token, json!({})).await.json["errors"][0]["code"],
        "empty_edit"
    );
    assert_eq!(
        patch(&app, &token, json!({ "username": "TS1" })).await.json["code"],
        "unknown_field"
    );
    assert_eq!(
        patch(&app, &token, json!({ "country": "XX" })).await.json["errors"][0]["code"],
        "invalid_country"
    );
    assert_eq!(
        patch(&app, &token, json!({ "job_title": "x".repeat(101) }))
            .await
            .json["errors"][0]["code"],
        "too_long"
    );
    assert_eq!(
        patch(&app, &token, json!({ "first_name": "" })).await.json["errors"][0]["code"],
        "invalid_name"
    );
    let read = me(&app, &token).await.json;
    assert_eq!(
        (read["first_name"].as_str(), read["email"].as_str()),
        (Some("Ada"), Some(email.as_str()))
    );
    assert_eq!(
        patch(&app, "nope", json!({ "first_name": "X" }))
            .await
            .status,
        401
    );
}

async fn communication_settings(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "hopper").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let path = "/v1/me/communication-settings";
    let r = app
        .call(profile::handle, authorized("GET", path, &token, None))
        .await;
    assert_eq!(
        r.json,
        json!({ "product_updates": false, "newsletters": false, "event_invitations": false })
    );
    let wanted =
        json!({ "product_updates": true, "newsletters": false, "event_invitations": true });
    let r = app
        .call(
            profile::handle,
            authorized("PUT", path, &token, Some(&wanted)),
        )
        .await;
    assert_eq!((r.status, &r.json), (200, &wanted));
    let r = app
        .call(profile::handle, authorized("GET", path, &token, None))
        .await;
    assert_eq!(r.json, wanted);
    let r = app
        .call(
            profile::handle,
            authorized(
                "PUT",
                path,
                &token,
                Some(&json!({ "product_updates": "yes" })),
            ),
        )
        .await;
    assert_eq!(r.status, 422);
    let codes: Vec<&str> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["invalid_type", "required", "required"]);
}

async fn federated_accounts_have_no_password_or_security_settings(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = federated_account(&app, "org").await;
    let profile = me(&app, &token).await;
    assert_eq!(
        (profile.status, &profile.json["federated"]),
        (200, &json!(true))
    );
    let change = json!({ "current_password": "x", "new_password": "Tessellate-9-Quartz", "confirm_password": "Tessellate-9-Quartz" });
    let r = app
        .call(
            password_change::handle,
            authorized("PUT", "/v1/me/password", &token, Some(&change)),
        )
        .await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (409, Some("federated_account"))
    );
    let r = app
        .call(
            mfa::handle,
            authorized(
                "POST",
                "/v1/me/mfa/totp",
                &token,
                Some(&json!({ "password": "x" })),
            ),
        )
        .await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (409, Some("federated_account"))
    );
    assert_eq!(
        log_in(&app, &email, "!federated").await.status,
        401,
        "no password logs in"
    );
    assert_eq!(
        patch(&app, &token, json!({ "job_title": "Engineer" }))
            .await
            .status,
        200,
        "details stay editable"
    );
}

/// Rule "federated accounts have no password": a reset never gives one. The request answers 202
/// like any other, sends no code and tells the mailbox why; a reset grant found on such an
/// account (one issued before it became federated) is refused with 409 `federated_account`.
async fn a_reset_never_gives_a_federated_account_a_password(backend: Backend) {
    use tessera_kernel::ports::Clock;
    let app = TestApp::new(backend).await;
    let (email, _) = federated_account(&app, "org").await;
    assert_eq!(request_reset(&app, &email, "email").await.status, 202);
    let sent = app.messages_to(&email);
    let last = sent.last().expect("the mailbox is told");
    assert_eq!(
        last.subject.as_deref(),
        Some("Your Tessera account signs in through your organisation")
    );
    assert_eq!(tessera_testkit::messages::extract_code(&last.body), None);

    let canonical = tessera_kernel::email::Email::parse(&email).unwrap();
    let mut identity = app.deps.store.identity(&canonical).await.unwrap().unwrap();
    let token = tessera_identity::token::AddressedToken::generate(
        &canonical,
        &tessera_testkit::SeededRandom::new(7),
    );
    identity.reset_grant = Some(tessera_identity::account::ResetGrant {
        token_digest: token.digest(),
        expires_at: app.clock.now() + tessera_kernel::time::Seconds::minutes(15),
        mfa_required: false,
        mfa_failures: 0,
    });
    app.deps.store.update_identity(&identity).await.unwrap();
    let new = "Tessellate-9-Quartz";
    let body =
        json!({ "reset_token": token.expose(), "new_password": new, "confirm_password": new });
    let r = app
        .call(
            password_reset::handle,
            tessera_testkit::json_request("POST", "/v1/password-resets/complete", &body),
        )
        .await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (409, Some("federated_account")),
        "{}",
        r.text
    );
    assert_eq!(
        log_in(&app, &email, new).await.status,
        401,
        "no password set"
    );
}

/// Emails greet by the profile's first name, an edit included (the identity keeps a copy so
/// flows that email need not read the profile).
async fn emails_greet_by_the_edited_first_name(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "greet").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    assert_eq!(
        patch(&app, &token, json!({ "first_name": "Grace" }))
            .await
            .status,
        200
    );
    assert_eq!(request_reset(&app, &email, "email").await.status, 202);
    let messages = app.messages_to(&email);
    let reset = messages.last().unwrap();
    assert!(reset.body.contains("Grace"), "{}", reset.body);
    assert!(!reset.body.contains("Ada"), "{}", reset.body);
}

on_both_backends!(
    emails_greet_by_the_edited_first_name,
    edit_and_read_back,
    bad_edits_change_nothing,
    communication_settings,
    federated_accounts_have_no_password_or_security_settings,
    a_reset_never_gives_a_federated_account_a_password,
);
