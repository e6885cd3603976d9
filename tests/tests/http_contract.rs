//! API.md's conventions: every client mistake is a 4xx problem+json; a 5xx says nothing inside.

use serde_json::json;
use std::sync::Arc;
use tessera_testkit::{
    get, json_request, raw_request, Backend, TestApp, TestResponse, UnavailableStore,
};

fn assert_problem(r: &TestResponse, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(r.json["code"], code);
    assert_eq!(r.json["status"], status);
    assert_eq!(r.json["type"], format!("urn:tessera:problem:{code}"));
    assert!(r.json["title"].is_string() && r.json["detail"].is_string());
}

const ROUTES: [&str; 3] = [
    "/v1/accounts",
    "/v1/accounts/activate",
    "/v1/accounts/activation-code",
];

#[tokio::test]
async fn malformed_bodies_are_400_on_every_route() {
    let app = TestApp::new(Backend::Embedded).await;
    for path in ROUTES {
        for body in [
            "{",
            "not json",
            "[1,2]",
            "\"text\"",
            "",
            "{\"email\": \"a@example.com\",}",
        ] {
            let r = app
                .call(
                    accounts::handle,
                    raw_request("POST", path, "application/json", body),
                )
                .await;
            assert_problem(&r, 400, "malformed_body");
        }
    }
}

#[tokio::test]
async fn malformed_body_details_never_echo_the_body() {
    let app = TestApp::new(Backend::Embedded).await;
    let body = r#"{"email": "a@example.com", "password": "Sup3r-Secret-Value" "#;
    let r = app
        .call(
            accounts::handle,
            raw_request("POST", "/v1/accounts", "application/json", body),
        )
        .await;
    assert_problem(&r, 400, "malformed_body");
    assert!(!r.text.contains("Sup3r"), "{}", r.text);
}

/// A body API Gateway marks base64 (binary) that is not UTF-8 text is refused like any malformed
/// JSON (the local emulator cannot send one: the API fuzzing run makes such bodies UTF-8 first).
#[tokio::test]
async fn a_json_body_that_is_not_utf8_is_400() {
    let app = TestApp::new(Backend::Embedded).await;
    let mut request = raw_request("POST", "/v1/accounts", "application/json", "");
    *request.body_mut() = lambda_http::Body::Binary(vec![b'{', 0xff, 0xfe, b'}']);
    let r = app.call(accounts::handle, request).await;
    assert_problem(&r, 400, "malformed_body");
}

#[tokio::test]
async fn unknown_fields_are_400_listing_each() {
    let app = TestApp::new(Backend::Embedded).await;
    let body =
        json!({ "email": "a@example.com", "code": "123456", "status": "active", "admin": true });
    let r = app
        .call(
            accounts::handle,
            json_request("POST", "/v1/accounts/activate", &body),
        )
        .await;
    assert_problem(&r, 400, "unknown_field");
    let fields = r.error_fields();
    assert_eq!(fields.len(), 2);
    assert!(fields.contains(&"status") && fields.contains(&"admin"));
}

#[tokio::test]
async fn wrong_content_type_is_415_and_oversized_is_413() {
    let app = TestApp::new(Backend::Embedded).await;
    let body = json!({ "email": "a@example.com" }).to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded", ""] {
        let r = app
            .call(
                accounts::handle,
                raw_request(
                    "POST",
                    "/v1/accounts/activation-code",
                    content_type,
                    body.clone(),
                ),
            )
            .await;
        assert_problem(&r, 415, "unsupported_media_type");
    }
    let ok = app
        .call(
            accounts::handle,
            raw_request(
                "POST",
                "/v1/accounts/activation-code",
                "application/json; charset=utf-8",
                body,
            ),
        )
        .await;
    assert_eq!(ok.status, 202);
    let big = json!({ "email": format!("{}@example.com", "a".repeat(17 * 1024)) }).to_string();
    let r = app
        .call(
            accounts::handle,
            raw_request(
                "POST",
                "/v1/accounts/activation-code",
                "application/json",
                big,
            ),
        )
        .await;
    assert_problem(&r, 413, "body_too_large");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_404_and_405() {
    let app = TestApp::new(Backend::Embedded).await;
    let r = app.call(accounts::handle, get("/v1/accounts")).await;
    assert_problem(&r, 405, "method_not_allowed");
    assert_eq!(r.headers["allow"], "POST", "405 says what the path allows");
    let r = app
        .call(
            profile::handle,
            json_request("DELETE", "/v1/me", &json!({})),
        )
        .await;
    assert_problem(&r, 405, "method_not_allowed");
    assert_eq!(r.headers["allow"], "GET, PATCH");
    assert_problem(
        &app.call(accounts::handle, get("/v1/nothing-here")).await,
        404,
        "not_found",
    );
    assert_problem(
        &app.call(
            password_policy::handle,
            json_request("POST", "/v1/password-policy", &json!({})),
        )
        .await,
        405,
        "method_not_allowed",
    );
}

#[tokio::test]
async fn malformed_codes_and_emails_are_422_not_invalid_code() {
    let app = TestApp::new(Backend::Embedded).await;
    let r = app
        .call(
            accounts::handle,
            json_request(
                "POST",
                "/v1/accounts/activate",
                &json!({ "email": "nope", "code": "12ab", "password": "Quartz-Harbor-42x" }),
            ),
        )
        .await;
    assert_problem(&r, 422, "validation_failed");
    let codes: Vec<&str> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["invalid_email", "invalid_code_format"]);
}

/// A storage outage is a 500 that reveals nothing, and writes nothing.
#[tokio::test]
async fn a_storage_outage_is_a_generic_500() {
    let mut app = TestApp::new(Backend::Embedded).await;
    app.deps.store = Arc::new(UnavailableStore);
    let body = json!({ "email": "a@example.com", "password": "Quartz-Harbor-42x", "first_name": "A", "last_name": "B", "country": "DE" });
    let r = app
        .call(
            accounts::handle,
            json_request("POST", "/v1/accounts", &body),
        )
        .await;
    assert_problem(&r, 500, "internal_error");
    assert!(
        !r.text.contains("outage") && !r.text.to_lowercase().contains("storage"),
        "{}",
        r.text
    );
    assert!(app.messages_to("a@example.com").is_empty());
}

#[tokio::test]
async fn answers_are_never_cached() {
    let app = TestApp::new(Backend::Embedded).await;
    let r = app
        .call(
            accounts::handle,
            json_request(
                "POST",
                "/v1/accounts/activation-code",
                &json!({ "email": "a@example.com" }),
            ),
        )
        .await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let r = app.call(accounts::handle, get("/v1/nope")).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
}
