//! `GET /v1/password-policy` and `POST /v1/password-policy/check`, with default and configured rules.

use serde_json::json;
use tessera_testkit::{get, json_request, Backend, TestApp, TestResponse};

async fn call(app: &TestApp, request: lambda_http::Request) -> TestResponse {
    app.call(password_policy::handle, request).await
}

async fn check(app: &TestApp, body: serde_json::Value) -> TestResponse {
    call(
        app,
        json_request("POST", "/v1/password-policy/check", &body),
    )
    .await
}

#[tokio::test]
async fn describes_the_default_rules_for_a_checklist() {
    let app = TestApp::new(Backend::Embedded).await;
    let r = call(&app, get("/v1/password-policy")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["min_length"], 12);
    assert_eq!(r.json["max_length"], 60);
    assert_eq!(r.json["history"], 8);
    assert_eq!(r.json["min_age_seconds"], 3600);
    let codes: Vec<&str> = r.json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec![
            "min_length",
            "max_length",
            "lowercase",
            "uppercase",
            "digit",
            "special",
            "not_username",
            "no_email_parts",
            "not_common",
            "not_recent",
            "min_age"
        ]
    );
}

#[tokio::test]
async fn check_lists_every_failed_rule() {
    let app = TestApp::new(Backend::Embedded).await;
    let r = check(&app, json!({ "password": "Quartz-Harbor-42x" })).await;
    assert_eq!(r.json, json!({ "ok": true, "failed": [] }));
    let r = check(&app, json!({ "password": "qzx" })).await;
    assert_eq!(
        r.json,
        json!({ "ok": false, "failed": ["min_length", "uppercase", "digit", "special"] })
    );
    let r = check(&app, json!({ "password": "Password123!" })).await;
    assert_eq!(r.json["failed"], json!(["not_common"]));
    let r = check(
        &app,
        json!({ "password": "Hello-TS12345678", "username": "ts12345678" }),
    )
    .await;
    assert_eq!(r.json["failed"], json!(["not_username"]));
    let r = check(
        &app,
        json!({ "password": "Lovelace-Quartz-9", "email": "ada.lovelace@example.com" }),
    )
    .await;
    assert_eq!(r.json["failed"], json!(["no_email_parts"]));
}

#[tokio::test]
async fn check_validates_its_input() {
    let app = TestApp::new(Backend::Embedded).await;
    let r = check(&app, json!({ "password": "x", "email": "not an email" })).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["errors"][0]["field"], "email");
    let r = check(&app, json!({})).await;
    assert_eq!(
        (r.status, r.json["errors"][0]["code"].as_str()),
        (422, Some("required"))
    );
    let r = check(&app, json!({ "password": "x", "extra": 1 })).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (400, Some("unknown_field"))
    );
}

#[tokio::test]
async fn rules_follow_configuration() {
    let app = TestApp::with_vars(
        Backend::Embedded,
        &[
            ("TESSERA_PASSWORD_MIN_LENGTH", "8"),
            ("TESSERA_PASSWORD_REQUIRE_SPECIAL", "false"),
            ("TESSERA_PASSWORD_HISTORY", "0"),
        ],
    )
    .await;
    let r = call(&app, get("/v1/password-policy")).await;
    assert_eq!(r.json["min_length"], 8);
    let codes: Vec<&str> = r.json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"special") && !codes.contains(&"not_recent"));
    let r = check(&app, json!({ "password": "Zebra7quill" })).await;
    assert_eq!(r.json, json!({ "ok": true, "failed": [] }));
    // Sign-up applies the same configured policy.
    let body = json!({ "email": "x@example.com", "password": "Zebra7quill", "first_name": "X", "last_name": "Y", "country": "FR" });
    let r = app
        .call(
            accounts::handle,
            json_request("POST", "/v1/accounts", &body),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
}
