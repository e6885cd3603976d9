//! The staff console through its handler, on both backends: a support member finds an account and
//! unlocks it with a reason (and is told when the reason is missing), a program administrator
//! finds a record by last name and grants a certification by hand (the candidate's history then
//! says so), an auditor reads the events; a session without a staff role, or without the second
//! step, gets the route's refusal as a page.

use tessera_identity::staff::Role;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::certification::{call, holder};
use tessera_tests::pages::PageClient;
use tessera_tests::{active_account, log_in, on_both_backends, staff_member, token_of, PASSWORD};

fn assert_page(r: &TestResponse, status: u16, heading: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(
        r.text.contains(&format!("<h1>{heading}")),
        "expected the page \"{heading}\": {}",
        r.text
    );
}

async fn support_unlocks_an_account_with_a_reason(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (customer, _) = active_account(&app, "console.customer").await;
    let support = staff_member(&app, "console.support", &[Role::Support]).await;
    let mut browser = PageClient::new(&app);
    browser.use_session(&support.token);
    assert_page(&browser.get("/staff").await, 200, "Staff console");
    let found = browser
        .get(&format!(
            "/staff/accounts?account={}",
            customer.replace('+', "%2B")
        ))
        .await;
    assert_page(&found, 200, "Account: ");
    assert!(found.text.contains(&customer), "{}", found.text);
    let action = found
        .text
        .split("action=\"/staff/accounts/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an action form")
        .to_string();
    assert!(action.ends_with("/unlock"), "{action}");
    let no_reason = browser
        .post(
            &format!("/staff/accounts/{action}"),
            &[("account", customer.as_str()), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.text);
    assert!(
        no_reason.text.contains("id=\"reason-error\""),
        "{}",
        no_reason.text
    );
    let done = browser
        .post(
            &format!("/staff/accounts/{action}"),
            &[
                ("account", customer.as_str()),
                ("reason", "Locked out after travel"),
            ],
        )
        .await;
    assert_page(&done, 200, "Account: ");
    assert!(done.text.contains("Done."));
}

async fn an_administrator_grants_by_hand_and_an_auditor_reads_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, holder_token) = holder(&app).await;
    let admin = staff_member(&app, "console.admin", &[Role::ProgramAdmin, Role::Auditor]).await;
    let mut browser = PageClient::new(&app);
    browser.use_session(&admin.token);
    let results = browser.get("/staff/candidates?q=lovelace").await;
    assert_page(&results, 200, "Candidates");
    let id = results
        .text
        .split("href=\"/staff/candidates/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a record found by last name")
        .to_string();
    let record = browser.get(&format!("/staff/candidates/{id}")).await;
    assert_page(&record, 200, "Record: ");
    let granted = browser
        .post(
            &format!("/staff/candidates/{id}/grants"),
            &[
                ("certification_id", "security-associate"),
                ("active_on", "2026-11-01"),
                ("expires_on", ""),
                ("reason", "Awarded by the program board"),
            ],
        )
        .await;
    assert_page(&granted, 200, "Record: ");
    assert!(granted.text.contains("Done."), "{}", granted.text);
    let detail = call(
        &app,
        "GET",
        "/v1/candidate/certifications/security-associate",
        &holder_token,
        None,
    )
    .await;
    assert!(detail.text.contains("Manually granted"), "{}", detail.text);
    let refused = browser
        .post(
            &format!("/staff/candidates/{id}/grants"),
            &[
                ("certification_id", "no-such-thing"),
                ("active_on", "2026-11-01"),
                ("reason", "A typo"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("certification_id-error"),
        "{}",
        refused.text
    );
    let events = browser
        .get(&format!("/staff/audit?subject=candidate:{id}"))
        .await;
    assert_page(&events, 200, "Audit log");
    assert!(
        events.text.contains("Awarded by the program board"),
        "{}",
        events.text
    );
}

async fn the_console_refuses_who_the_routes_refuse(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "console.nobody").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let mut browser = PageClient::new(&app);
    browser.use_session(&token);
    let refused = browser.get("/staff/candidates?q=lovelace").await;
    assert_page(&refused, 403, "Staff only");
    assert!(refused.text.contains("staff roles"), "{}", refused.text);
    let mut signed_out = PageClient::new(&app);
    let r = signed_out.get("/staff/audit").await;
    assert_eq!(r.status, 303, "no session: to the log-in page");
}

on_both_backends!(
    support_unlocks_an_account_with_a_reason,
    an_administrator_grants_by_hand_and_an_auditor_reads_it,
    the_console_refuses_who_the_routes_refuse,
);
