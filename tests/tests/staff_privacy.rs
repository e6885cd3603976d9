//! What Tessera holds about a person, exported for them, through the real handler on both
//! backends: the account, the record mapped to it, its orders, transcripts and audit events, as
//! one JSON attachment, and no secret of any kind.

use serde_json::json;
use tessera_identity::staff::Role;
use tessera_testkit::{Backend, TestApp};
use tessera_tests::certification::{consent, holder};
use tessera_tests::orders::{order_body, place};
use tessera_tests::{
    authorized, candidate_call, enrol_authenticator, fulfillment_state, on_both_backends,
    staff_call, staff_member,
};

async fn everything_held_about_a_person_is_exported_without_secrets(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    // After the holder: its clock move would outlast a session begun before.
    let support = staff_member(&app, "privacy.desk", &[Role::Support]).await;
    consent(&app, &token, true).await;
    let transcript = candidate_call(
        &app,
        authorized(
            "POST",
            "/v1/candidate/transcripts",
            &token,
            Some(&json!({ "description": "For a recruiter", "expires_in_days": 30, "certifications": "active" })),
        ),
    )
    .await;
    assert_eq!(transcript.status, 201, "{}", transcript.text);
    let catalog = tessera_tests::fulfillment_call(
        &app,
        authorized("GET", "/v1/candidate/fulfillment/catalog", &token, None),
    )
    .await;
    let kit = catalog.json["kits"][0]["certification_id"]
        .as_str()
        .unwrap()
        .to_string();
    let order = place(
        fulfillment_state(&app, None),
        &token,
        "export-1",
        &order_body(&kit, 1, false),
    )
    .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let secret = enrol_authenticator(&app, &email).await;

    let found = staff_call(
        &app,
        lambda_http::RequestExt::with_query_string_parameters(
            authorized("GET", "/v1/staff/accounts", &support.token, None),
            std::collections::HashMap::from([("email".to_string(), email.clone())]),
        ),
    )
    .await;
    let account = found.json["account_id"].as_str().unwrap().to_string();
    let path = format!("/v1/staff/accounts/{account}/export");
    let export = staff_call(&app, authorized("GET", &path, &support.token, None)).await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert!(export
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(export.header("cache-control"), Some("no-store"));
    let body = &export.json;
    assert_eq!(body["account"]["sign_in"]["email"], json!(email));
    assert_eq!(body["account"]["sign_in"]["authenticator"], true);
    assert_eq!(body["account"]["profile"]["candidate_id"], "TSC1000001");
    assert_eq!(
        body["certification"]["record"]["candidate"]["last_name"],
        "Lovelace"
    );
    assert!(
        body["certification"]["record"]["exams"]
            .as_array()
            .unwrap()
            .len()
            >= 3
    );
    assert_eq!(body["certification"]["orders"][0]["id"], order.json["id"]);
    assert_eq!(
        body["certification"]["transcripts"][0]["id"],
        transcript.json["id"]
    );
    assert!(body["audit"].is_array());
    for secret_text in [
        "$argon2",
        "password_hash",
        "code_hash",
        "digest",
        secret.as_str(),
    ] {
        assert!(
            !export.text.contains(secret_text),
            "{secret_text} in the export"
        );
    }
    let nobody = staff_call(
        &app,
        authorized(
            "GET",
            "/v1/staff/accounts/0123456789abcdef0123456789abcdef/export",
            &support.token,
            None,
        ),
    )
    .await;
    assert_eq!(nobody.status, 404);
}

on_both_backends!(everything_held_about_a_person_is_exported_without_secrets);
