//! Public verification of printed codes, on both backends: the code and the link read from a
//! real PDF certificate and a real kit order, checked as a recruiter would (JSON and the page),
//! within the holder's consent, with the status as it stands today (active, expired, revoked),
//! counted for the holder, limited per client, and 404 for anything not issued.

use lambda_http::{Body, Request};
use serde_json::json;
use tessera_certification::verification_codes::VerificationCode;
use tessera_identity::staff::Role;
use tessera_kernel::time::Seconds;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::certification::{call, consent, holder};
use tessera_tests::orders::order_a_kit;
use tessera_tests::{authorized, from_client, on_both_backends, staff_call, staff_member};

const CERTIFICATE: &str = "/v1/candidate/certifications/infrastructure-associate/certificate.pdf";

fn check_request(code: &str, accept: &str, address: &str) -> Request {
    let request = lambda_http::http::Request::builder()
        .method("GET")
        .uri(format!("/v1/verify/{code}"))
        .header("accept", accept)
        .body(Body::Empty)
        .unwrap();
    from_client(address, request)
}

async fn check(app: &TestApp, code: &str) -> TestResponse {
    let request = check_request(code, "application/json", "198.51.100.7");
    app.call(verification::handle, request).await
}

/// The code and the verification link printed on the holder's PDF certificate.
async fn certificate_code(app: &TestApp, token: &str) -> (String, String) {
    let pdf = call(app, "GET", CERTIFICATE, token, None).await;
    assert_eq!(pdf.status, 200, "{}", pdf.text);
    let document = lopdf::Document::load_mem(&pdf.bytes).expect("a valid PDF");
    let text = document.extract_text(&[1]).unwrap();
    let after = |label: &str| {
        let start = text
            .find(label)
            .unwrap_or_else(|| panic!("{label} in {text}"))
            + label.len();
        text[start..].split_whitespace().next().unwrap().to_string()
    };
    (after("Verification code "), after("Check it at "))
}

async fn certificates_and_kits_verify_with_their_status_today(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    let (code, link) = certificate_code(&app, &token).await;
    assert_eq!(code.len(), 12, "{code}");
    assert!(link.ends_with(&format!("/v1/verify/{code}")), "{link}");

    let listed = call(&app, "GET", "/v1/candidate/certifications", &token, None).await;
    let shown = listed.json["active"][1]["certifications"][0].clone();
    assert_eq!(shown["id"], "infrastructure-associate", "{}", listed.text);
    let checked = check(&app, &code).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    let grouped = VerificationCode::parse(&code).unwrap().grouped();
    assert_eq!(
        (
            &checked.json["code"],
            &checked.json["genuine"],
            &checked.json["holder"],
            &checked.json["carrier"],
            &checked.json["certification_id"],
            &checked.json["status"],
        ),
        (
            &json!(grouped),
            &json!(true),
            &json!("Ada Lovelace"),
            &json!("certificate"),
            &json!("infrastructure-associate"),
            &json!("active"),
        )
    );
    assert_eq!(checked.json["expires"], shown["expires"]);
    assert_eq!(checked.json["active"], shown["active"]);
    assert_eq!(checked.header("cache-control"), Some("no-store"));

    // As typed from the paper (lower case, grouped), in a browser: the page.
    let typed = grouped.to_lowercase();
    let page = app
        .call(
            verification::handle,
            check_request(&typed, "text/html,application/xhtml+xml", "198.51.100.7"),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    for expected in [
        "<dd>Ada Lovelace</dd>",
        "<dd>Active</dd>",
        "Infrastructure Associate (IA)",
        "<dd>PDF certificate</dd>",
    ] {
        assert!(page.text.contains(expected), "{expected}: {}", page.text);
    }
    assert!(page
        .header("content-security-policy")
        .is_some_and(|csp| csp.starts_with("default-src 'none'")));

    // A kit's code leads to its certification.
    let order = order_a_kit(&app, &token, "verify-kit").await;
    let kit_code = order.json["items"][0]["verification_code"]
        .as_str()
        .unwrap()
        .to_string();
    let kit = check(&app, &kit_code).await;
    assert_eq!(kit.status, 200, "{}", kit.text);
    assert_eq!(kit.json["carrier"], "kit");
    assert_eq!(kit.json["code"], kit_code);
    assert_eq!(
        kit.json["certification_id"],
        order.json["items"][0]["certification_id"]
    );

    // Consent withdrawn: only that the code is genuine.
    consent(&app, &token, false).await;
    let withheld = check(&app, &code).await;
    assert_eq!(withheld.status, 200);
    assert_eq!(
        withheld.json,
        json!({ "code": grouped, "genuine": true, "checked_on": withheld.json["checked_on"] })
    );
    let page = app
        .call(
            verification::handle,
            check_request(&code, "text/html", "198.51.100.7"),
        )
        .await;
    assert!(!page.text.contains("Lovelace"), "{}", page.text);
    consent(&app, &token, true).await;
    assert_eq!(check(&app, &code).await.json["holder"], "Ada Lovelace");

    // Not issued, or not a code at all: the same 404, in the format asked for.
    for unknown in ["ZZZZ-ZZZZ-ZZZZ", "not-a-code", "%3Cscript%3E"] {
        let r = check(&app, unknown).await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (404, Some("verification_code_not_found")),
            "{unknown}: {}",
            r.text
        );
    }
    let page = app
        .call(
            verification::handle,
            check_request("ZZZZ-ZZZZ-ZZZZ", "text/html", "198.51.100.7"),
        )
        .await;
    assert_eq!(page.status, 404);
    assert!(
        page.text.contains("<h1>Code not found</h1>"),
        "{}",
        page.text
    );

    // Every check was counted for the holder: two of the certificate's (JSON, page) before the
    // consent changed, two after, and one more now.
    let counted = app
        .certification
        .verification_codes
        .check_code(&VerificationCode::parse(&code).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counted.checks, 6);
    // The holder sees the code, its link and the count (and nothing about who checked).
    let detail = call(
        &app,
        "GET",
        "/v1/candidate/certifications/infrastructure-associate",
        &token,
        None,
    )
    .await;
    assert_eq!(
        detail.json["certificate"],
        json!({ "verification_code": grouped, "verification_url": link, "checks": 6 }),
        "{}",
        detail.text
    );

    // After its end date the certificate verifies as expired; revoked, as revoked.
    let expires = time::Date::parse(
        shown["expires"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    let today = app.certification.clock.now().date();
    app.clock
        .advance(Seconds::days((expires - today).whole_days() + 1));
    let expired = check(&app, &code).await;
    assert_eq!(expired.json["status"], "expired", "{}", expired.text);
    let admin = staff_member(&app, "verify.admin", &[Role::ProgramAdmin]).await;
    let revoke = authorized(
        "POST",
        "/v1/staff/candidates/TSC1000001/certifications/infrastructure-associate/status",
        &admin.token,
        Some(&json!({ "status": "revoked", "reason": "exam misconduct" })),
    );
    let revoked = staff_call(&app, revoke).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(check(&app, &code).await.json["status"], "revoked");
}

/// Checks are limited per client address: a guessing run stops at 429 while others go on.
/// The code on the certification's screen verifies before any PDF was made.
async fn the_screen_shows_a_code_that_verifies_before_any_pdf(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    let path = "/v1/candidate/certifications/infrastructure-associate";
    let detail = call(&app, "GET", path, &token, None).await;
    let code = detail.json["certificate"]["verification_code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code on the screen: {}", detail.text))
        .to_string();
    assert_eq!(detail.json["certificate"]["checks"], 0);
    let checked = check(&app, &code).await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert_eq!(checked.json["certification_id"], "infrastructure-associate");
    let again = call(&app, "GET", path, &token, None).await;
    assert_eq!(again.json["certificate"]["checks"], 1);
    let (printed, _) = certificate_code(&app, &token).await;
    assert_eq!(VerificationCode::parse(&printed).unwrap().grouped(), code);
    let past = call(
        &app,
        "GET",
        "/v1/candidate/certifications/enterprise-professional",
        &token,
        None,
    )
    .await;
    assert_eq!(past.status, 200);
    assert!(past.json.get("certificate").is_none(), "only while active");
}

async fn checks_are_limited_per_client_address(backend: Backend) {
    let app = TestApp::with_vars(backend, &[("TESSERA_CLIENT_VERIFICATIONS", "3")]).await;
    let (_, token) = holder(&app).await;
    let (code, _) = certificate_code(&app, &token).await;
    let state: verification::VerificationState = app.state();
    let from = |address: &str| check_request(&code, "application/json", address);
    for _ in 0..3 {
        let r = verification::handle(from("203.0.113.9"), state.clone()).await;
        assert_eq!(r.status(), 200);
    }
    let refused =
        TestResponse::from_response(verification::handle(from("203.0.113.9"), state.clone()).await);
    assert_eq!(
        (refused.status, refused.json["code"].as_str()),
        (429, Some("too_many_requests")),
        "{}",
        refused.text
    );
    assert!(refused.header("retry-after").is_some());
    let page = verification::handle(
        check_request(&code, "text/html", "203.0.113.9"),
        state.clone(),
    )
    .await;
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    let elsewhere = verification::handle(from("203.0.113.10"), state.clone()).await;
    assert_eq!(elsewhere.status(), 200, "another client is not held back");
}

on_both_backends!(
    certificates_and_kits_verify_with_their_status_today,
    the_screen_shows_a_code_that_verifies_before_any_pdf,
    checks_are_limited_per_client_address,
);
