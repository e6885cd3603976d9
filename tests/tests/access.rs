//! Access levels on both backends, through their flows: a
//! number in the registry makes a customer or a partner, an unknown one is counted, a partner
//! sponsors a customer by address in advance (the partner's approval is the audit event), a code staff issue grants one
//! resource once, and every change is audited.

use serde_json::json;
use tessera_access::flows::{self, AccessError};
use tessera_access::registry::{AgreementKind, AgreementNumber, RegistryEntry};
use tessera_identity::staff::Role;
use tessera_kernel::audit::{Attribution, AuditParty, Reason};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::Clock;
use tessera_kernel::time::Seconds;
use tessera_testkit::app::unique;
use tessera_testkit::{Backend, TestApp};
use tessera_tests::pages::PageClient;
use tessera_tests::{active_account, log_in, on_both_backends, staff_member, token_of, PASSWORD};

fn account() -> AccountId {
    AccountId::from_stored(format!("{:032x}", unique()))
}

fn number(prefix: &str) -> AgreementNumber {
    AgreementNumber::parse(&format!("{prefix}-{}", unique())).unwrap()
}

async fn registered(
    app: &TestApp,
    kind: AgreementKind,
    ends_in: Option<Seconds>,
) -> AgreementNumber {
    let number = number(match kind {
        AgreementKind::ServiceContract => "SC",
        AgreementKind::PartnerAgreement => "PA",
    });
    let now = app.clock.now();
    app.access
        .store
        .put_registry_entries(&[RegistryEntry {
            kind,
            number: number.clone(),
            organisation: "Example Corp".into(),
            expires_at: ends_in.map(|d| now + d),
        }])
        .await
        .unwrap();
    number
}

async fn numbers_from_the_registry_make_customers_and_partners(backend: Backend) {
    let app = TestApp::new(backend).await;
    let deps = &app.access;
    let holder = account();
    let contract = registered(
        &app,
        AgreementKind::ServiceContract,
        Some(Seconds::days(365)),
    )
    .await;
    let unknown = flows::claim(deps, &holder, AgreementKind::ServiceContract, &number("SC")).await;
    assert!(matches!(unknown, Err(AccessError::NotRecognised)));
    let as_agreement =
        flows::claim(deps, &holder, AgreementKind::PartnerAgreement, &contract).await;
    assert!(
        matches!(as_agreement, Err(AccessError::NotRecognised)),
        "a contract is no agreement"
    );
    let record = flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract)
        .await
        .unwrap();
    let now = app.clock.now();
    assert_eq!(record.levels(now), ["guest", "customer"]);
    assert_eq!(
        deps.store.access(&holder).await.unwrap(),
        record,
        "stored as answered"
    );
    app.clock.advance(Seconds::days(366));
    assert_eq!(
        deps.store
            .access(&holder)
            .await
            .unwrap()
            .levels(app.clock.now()),
        ["guest"],
        "the contract ended"
    );
    let ended = flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract).await;
    assert!(
        matches!(ended, Err(AccessError::NotRecognised)),
        "an ended contract grants nothing"
    );
    let events = tessera_tests::audit_about(&app, "account", holder.as_str()).await;
    assert_eq!(events.len(), 1, "one change, one event: {events:?}");
    assert_eq!(events[0].action, "access.claim");
}

async fn wrong_numbers_and_codes_are_counted_per_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    let deps = &app.access;
    let holder = account();
    let contract = registered(&app, AgreementKind::ServiceContract, None).await;
    for _ in 0..flows::GUESSES.max {
        let r = flows::redeem_code(deps, &holder, "0000-0000-0000-0000-0000-0000-0000-0000").await;
        assert!(matches!(r, Err(AccessError::NotRecognised)));
    }
    let r = flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract).await;
    assert!(
        matches!(r, Err(AccessError::TooManyAttempts { .. })),
        "even the right number waits"
    );
    app.clock.advance(flows::GUESSES.window);
    flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract)
        .await
        .unwrap();
    // Right answers give their attempt back: the budget is for wrong ones.
    for _ in 0..flows::GUESSES.max + 2 {
        flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract)
            .await
            .unwrap();
    }
}

async fn a_partner_sponsors_a_customer_and_staff_codes_grant_one_resource(backend: Backend) {
    let app = TestApp::new(backend).await;
    let deps = &app.access;
    let (partner, customer, stranger) = (account(), account(), account());
    let agreement = registered(
        &app,
        AgreementKind::PartnerAgreement,
        Some(Seconds::days(90)),
    )
    .await;
    let address = Email::parse(&format!("customer-{}@example.com", unique())).unwrap();
    let refused = flows::sponsor(deps, &stranger, &address).await;
    assert!(
        matches!(refused, Err(AccessError::NotPartner)),
        "only a partner sponsors"
    );
    flows::claim(deps, &partner, AgreementKind::PartnerAgreement, &agreement)
        .await
        .unwrap();
    let waiting = flows::sponsor(deps, &partner, &address).await.unwrap();
    let before = flows::current(deps, &stranger, &Email::parse("other@example.com").unwrap())
        .await
        .unwrap();
    assert_eq!(
        before.levels(app.clock.now()),
        ["guest"],
        "another address gets nothing"
    );
    let sponsored = flows::current(deps, &customer, &address).await.unwrap();
    let now = app.clock.now();
    assert_eq!(sponsored.levels(now), ["guest", "customer"]);
    assert_eq!(
        sponsored.entitlements[0].expires_at,
        Some(now + Seconds::days(90)),
        "as long as the agreement"
    );
    let approval = tessera_tests::audit_about(&app, "email_digest", &waiting.email_digest).await;
    assert_eq!(approval.len(), 1);
    assert_eq!(approval[0].action, "access.sponsor");
    assert_eq!(
        approval[0].actor,
        AuditParty::new("account", partner.as_str()),
        "the partner's approval"
    );
    let granted = tessera_tests::audit_about(&app, "account", customer.as_str()).await;
    assert_eq!(granted.len(), 1);
    assert_eq!(
        granted[0].actor,
        AuditParty::new("account", partner.as_str())
    );
    let again = flows::current(deps, &customer, &address).await.unwrap();
    assert_eq!(again.version, sponsored.version, "claimed once");

    let staff = account();
    let by = Attribution::new(
        AuditParty::new("account", staff.as_str()),
        Reason::parse("beta access for the pilot").unwrap(),
    );
    let past = flows::issue_code(deps, &by, &staff, "course.networking-201", now).await;
    assert!(matches!(past, Err(flows::IssueError::PastExpiry)));
    let bad = flows::issue_code(deps, &by, &staff, "a course", now + Seconds::days(30)).await;
    assert!(matches!(bad, Err(flows::IssueError::InvalidResource)));
    let code = flows::issue_code(
        deps,
        &by,
        &staff,
        "course.networking-201",
        now + Seconds::days(30),
    )
    .await
    .unwrap();
    let record = flows::redeem_code(deps, &customer, &code.display().to_uppercase())
        .await
        .unwrap();
    let resource = record
        .entitlements
        .iter()
        .find(|e| e.resource.is_some())
        .unwrap();
    assert_eq!(resource.resource.as_deref(), Some("course.networking-201"));
    assert_eq!(resource.expires_at, Some(now + Seconds::days(30)));
    let again = flows::redeem_code(deps, &stranger, &code.display()).await;
    assert!(
        matches!(again, Err(AccessError::NotRecognised)),
        "a code is redeemed once"
    );
    let issued = tessera_tests::audit_about(&app, "resource", "course.networking-201").await;
    assert_eq!(issued.len(), 1, "the code's issue is audited");

    let late = flows::issue_code(deps, &by, &staff, "docs.beta", now + Seconds::days(1))
        .await
        .unwrap();
    app.clock.advance(Seconds::days(2));
    let expired = flows::redeem_code(deps, &stranger, &late.display()).await;
    assert!(
        matches!(expired, Err(AccessError::NotRecognised)),
        "an expired code grants nothing"
    );
}

/// `method path` with the caller's session, through the access function.
async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> tessera_testkit::TestResponse {
    app.call(
        access::handle,
        tessera_tests::authorized(method, path, token, body.as_ref()),
    )
    .await
}

async fn session(app: &TestApp, name: &str) -> (String, String) {
    let (email, _) = active_account(app, name).await;
    let token = token_of(&log_in(app, &email, PASSWORD).await);
    (email, token)
}

/// Through the routes: the operators' sample registry imported, a partner's number, the partner
/// sponsoring a customer before the customer signs up, staff issuing a code the customer uses
/// (again only by the same account); every refusal its own clear 4xx.
async fn the_routes_carry_access_from_the_registry_to_the_profile(backend: Backend) {
    let app = TestApp::new(backend).await;
    let sample = tessera_tests::sample("access-registry.csv");
    let bad_row = format!("{sample}partner_agreement,PO 1234,Someone,\n");
    let imported = app
        .call(
            access::handle,
            tessera_tests::csv_upload("/v1/admin/imports/access-registry", &bad_row, None),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.text);
    assert_eq!(imported.json["imported"], 3);
    assert_eq!(imported.json["errors"][0]["row"], 5);
    assert_eq!(imported.json["errors"][0]["code"], "invalid");
    let refused = app
        .call(
            access::handle,
            tessera_tests::csv_upload("/v1/admin/imports/access-registry", "kind,number\n", None),
        )
        .await;
    assert_eq!(
        (refused.status, refused.json["code"].as_str()),
        (422, Some("missing_columns"))
    );
    let recorded = tessera_tests::audit_about(&app, "import", "access-registry").await;
    assert_eq!(recorded[0].action, "import.access_registry");

    let (_, partner) = session(&app, "access.partner").await;
    let fresh = call(&app, "GET", "/v1/me/access", &partner, None).await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    assert_eq!(fresh.json["levels"], json!(["guest"]));
    assert_eq!(fresh.json["entitlements"], json!([]));

    let customer_email = tessera_testkit::unique_email("access.customer");
    let early = call(
        &app,
        "POST",
        "/v1/me/access/sponsorships",
        &partner,
        Some(json!({ "customer_email": customer_email })),
    )
    .await;
    assert_eq!(
        (early.status, early.json["code"].as_str()),
        (403, Some("not_partner"))
    );
    for (body, field, code) in [
        (
            json!({ "kind": "reseller", "number": "PA-2026-0007" }),
            "kind",
            "invalid_kind",
        ),
        (
            json!({ "kind": "partner_agreement", "number": "PO 1234" }),
            "number",
            "invalid_number",
        ),
        (
            json!({ "kind": "partner_agreement", "number": "SC-2026-0042" }),
            "number",
            "not_recognised",
        ),
    ] {
        let r = call(&app, "POST", "/v1/me/access/claims", &partner, Some(body)).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.json["errors"][0]["field"], field);
        assert_eq!(r.json["errors"][0]["code"], code);
    }
    let claimed = call(
        &app,
        "POST",
        "/v1/me/access/claims",
        &partner,
        Some(json!({ "kind": "partner_agreement", "number": " pa-2026-0007 " })),
    )
    .await;
    assert_eq!(claimed.status, 200, "{}", claimed.text);
    assert_eq!(claimed.json["levels"], json!(["guest", "partner"]));
    assert_eq!(
        claimed.json["entitlements"][0]["source"],
        json!({ "kind": "partner_agreement", "number": "PA-2026-0007", "organisation": "Example Integrators Inc" })
    );
    assert_eq!(
        claimed.json["entitlements"][0]["expires_at"], "2027-07-01T00:00:00Z",
        "through the agreement's last day"
    );

    // Sponsored before the customer has an account: the same answer as for one who has.
    let sponsored = call(
        &app,
        "POST",
        "/v1/me/access/sponsorships",
        &partner,
        Some(json!({ "customer_email": customer_email })),
    )
    .await;
    assert_eq!(sponsored.status, 202, "{}", sponsored.text);
    let r = call(
        &app,
        "POST",
        "/v1/me/access/sponsorships",
        &partner,
        Some(json!({ "customer_email": tessera_testkit::unique_email("nobody") })),
    )
    .await;
    assert_eq!((r.status, &r.json), (202, &sponsored.json), "uniform");

    tessera_tests::activate_address(&app, &customer_email).await;
    let customer = token_of(&log_in(&app, &customer_email, PASSWORD).await);
    let access = call(&app, "GET", "/v1/me/access", &customer, None).await;
    assert_eq!(
        access.json["levels"],
        json!(["guest", "customer"]),
        "{}",
        access.text
    );
    assert_eq!(
        access.json["entitlements"][0]["source"],
        json!({ "kind": "partner_sponsorship", "number": "PA-2026-0007" })
    );

    let support = staff_member(&app, "access.support", &[Role::Support]).await;
    let issue = |expires_on: &str| {
        let body = json!({ "resource": "docs.urgent-file", "expires_on": expires_on, "reason": "customer case 42" });
        call(
            &app,
            "POST",
            "/v1/staff/access-codes",
            &support.token,
            Some(body),
        )
    };
    let issued = issue("2026-01-31").await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    let code = issued.json["code"].as_str().unwrap().to_string();
    let past = issue("2025-12-31").await;
    assert_eq!(
        past.json["errors"][0]["field"], "expires_on",
        "{}",
        past.text
    );
    let redeemed = call(
        &app,
        "POST",
        "/v1/me/access/codes",
        &customer,
        Some(json!({ "code": code.to_uppercase() })),
    )
    .await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.text);
    let special = redeemed.json["entitlements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["level"] == "resource")
        .unwrap()
        .clone();
    assert_eq!(special["resource"], "docs.urgent-file");
    assert_eq!(special["source"], json!({ "kind": "access_code" }));
    assert_eq!(special["expires_at"], "2026-02-01T00:00:00Z");
    let again = call(
        &app,
        "POST",
        "/v1/me/access/codes",
        &customer,
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(
        (again.status, &again.json),
        (200, &redeemed.json),
        "the same account again (a retry whose answer was lost) gets its access, unchanged"
    );
    let (_, other) = session(&app, "access.other").await;
    let taken = call(
        &app,
        "POST",
        "/v1/me/access/codes",
        &other,
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(
        (taken.status, taken.json["errors"][0]["field"].as_str()),
        (422, Some("code")),
        "used once: no other account gets it"
    );
    let other_access = call(&app, "GET", "/v1/me/access", &other, None).await;
    assert_eq!(other_access.json["levels"], json!(["guest"]));
    assert_eq!(other_access.json["entitlements"], json!([]));
}

async fn wrong_numbers_end_in_429_with_a_retry_after(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = session(&app, "access.guesser").await;
    let guess = json!({ "kind": "service_contract", "number": "SC-0000-0000" });
    for _ in 0..flows::GUESSES.max {
        let r = call(
            &app,
            "POST",
            "/v1/me/access/claims",
            &token,
            Some(guess.clone()),
        )
        .await;
        assert_eq!(r.status, 422);
    }
    let r = call(&app, "POST", "/v1/me/access/claims", &token, Some(guess)).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    assert!(r.headers.get("retry-after").is_some());
    let anonymous = app
        .call(
            access::handle,
            tessera_testkit::json_request("GET", "/v1/me/access", &json!({})),
        )
        .await;
    assert_eq!(anonymous.status, 401);
}

/// The Access Management page: signed out, the log-in page first (and back); a forged form
/// changes nothing; a number is given through its form; the page costs the calls of the route
/// behind it.
async fn the_access_page_shows_and_changes_the_access(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let imported = app
        .call(
            access::handle,
            tessera_tests::csv_upload(
                "/v1/admin/imports/access-registry",
                &tessera_tests::sample("access-registry.csv"),
                None,
            ),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.text);
    let counter = app.count_dynamodb_calls().await;
    let (_, token) = session(&app, "access.page").await;
    let mut browser = PageClient::new(&app);
    let signed_out = browser.get("/account/access").await;
    assert_eq!(signed_out.status, 303);
    assert_eq!(
        signed_out.headers["location"], "/?next=%2Faccount%2Faccess",
        "back here after logging in"
    );
    browser.use_session(&token);
    if let Some(counter) = &counter {
        counter.take();
    }
    assert_eq!(
        call(&app, "GET", "/v1/me/access", &token, None)
            .await
            .status,
        200
    );
    let behind = counter.as_ref().map(|c| c.take());
    let page = browser.get("/account/access").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("Access management")
            && page.text.contains("Nothing beyond guest access yet.")
    );
    if let Some(counter) = &counter {
        assert_eq!(Some(counter.take()), behind, "GET /account/access");
    }

    let forged = browser
        .post_raw(
            "/account/access/claims",
            &[("kind", "service_contract"), ("number", "SC-2026-0042")],
            &[],
        )
        .await;
    assert_eq!(forged.status, 403);
    let refused = browser
        .post(
            "/account/access/claims",
            &[("kind", "service_contract"), ("number", "SC-9999-9999")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("aria-invalid=\"true\""),
        "{}",
        refused.text
    );
    let claimed = browser
        .post(
            "/account/access/claims",
            &[("kind", "service_contract"), ("number", "sc-2026-0042")],
        )
        .await;
    assert_eq!(claimed.status, 200);
    assert!(
        claimed.text.contains("Your access is updated.")
            && claimed
                .text
                .contains("Service contract SC-2026-0042 (Example Networks Ltd)")
            && claimed.text.contains("until 2027-12-31"),
        "{}",
        claimed.text
    );
    let access = call(&app, "GET", "/v1/me/access", &token, None).await;
    assert_eq!(access.json["levels"], json!(["guest", "customer"]));
    assert_eq!(
        access.json["entitlements"].as_array().unwrap().len(),
        1,
        "the forged form changed nothing"
    );
}

on_both_backends!(
    the_access_page_shows_and_changes_the_access,
    the_routes_carry_access_from_the_registry_to_the_profile,
    wrong_numbers_end_in_429_with_a_retry_after,
    numbers_from_the_registry_make_customers_and_partners,
    wrong_numbers_and_codes_are_counted_per_account,
    a_partner_sponsors_a_customer_and_staff_codes_grant_one_resource,
);
