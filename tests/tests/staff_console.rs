//! The staff console through its handler, on both backends: a support member finds an account and
//! unlocks it with a reason (and is told when the reason is missing), a program administrator
//! finds a record by last name and grants a certification by hand (the candidate's history then
//! says so), an auditor reads the events; a session without a staff role, or without the second
//! step, gets the route's refusal as a page. A program administrator sets roles, support sends
//! a new sign-in address its code (the owner confirms it), a record is edited, revoked, merged,
//! unlinked and linked again, and the catalog is read, published and restored, each with the
//! route's own refusals shown at the form that was sent. A person's data is exported and erased
//! from their account's page. The fulfillment house works its queue (CSV, status reports,
//! reprints, refunds) from the orders pages.

use serde_json::{json, Value};
use tessera_identity::staff::Role;
use tessera_testkit::{unique_email, Backend, TestApp, TestResponse};
use tessera_tests::certification::{call, holder};
use tessera_tests::pages::PageClient;
use tessera_tests::{
    active_account, authorized, log_in, on_both_backends, staff_call, staff_member, token_of,
    PASSWORD,
};

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
    assert_refused_at(&no_reason, 422, "unlock-reason");
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
    assert_refused_at(&refused, 422, "grants-certification_id");
    let events = browser
        .get(&format!("/staff/audit?subject=candidate:{id}"))
        .await;
    assert_page(&events, 200, "Audit log");
    assert!(
        events.text.contains("Awarded by the program board"),
        "{}",
        events.text
    );
    // What changed, before and after, and when to the minute.
    assert!(
        events.text.contains("security-associate") && events.text.contains(" → "),
        "{}",
        events.text
    );
    assert!(events.text.contains(" UTC</dd>"), "{}", events.text);
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

/// A form refused with `status`, its message at the field with this id.
fn assert_refused_at(r: &TestResponse, status: u16, field_id: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(
        r.text.contains(&format!("id=\"{field_id}-error\"")),
        "the message at {field_id}: {}",
        r.text
    );
}

/// The path of the first form posting to a path that starts with `start` and ends with `end`.
fn form_path(html: &str, start: &str, end: &str) -> String {
    html.split(&format!("action=\"{start}"))
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|path| path.ends_with(end))
        .map(|path| format!("{start}{path}"))
        .unwrap_or_else(|| panic!("a form to {start}…{end}: {html}"))
}

/// The first option's value of the select with this id.
fn first_option(html: &str, select_id: &str) -> String {
    html.split(&format!("id=\"{select_id}\""))
        .nth(1)
        .and_then(|rest| rest.split("<option value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a select {select_id}: {html}"))
        .to_string()
}

/// A staff route read with the token (and a query), as JSON.
async fn staff_json(app: &TestApp, path: &str, query: &[(&str, &str)], token: &str) -> Value {
    use lambda_http::RequestExt;
    let query: std::collections::HashMap<String, String> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let request = authorized("GET", path, token, None).with_query_string_parameters(query);
    let r = staff_call(app, request).await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_str(&r.text).unwrap()
}

/// A record as the staff route gives it.
async fn record_of(app: &TestApp, id: &str, token: &str) -> Value {
    staff_json(app, &format!("/v1/staff/candidates/{id}"), &[], token).await
}

async fn roles_and_a_new_address_are_set_from_the_account_page(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (customer, _) = active_account(&app, "console.owner").await;
    let admin = staff_member(&app, "console.roles", &[Role::ProgramAdmin]).await;
    let mut browser = PageClient::new(&app);
    browser.use_session(&admin.token);
    let lookup = customer.replace('+', "%2B");
    let page = browser
        .get(&format!("/staff/accounts?account={lookup}"))
        .await;
    assert_page(&page, 200, "Account: ");
    let roles = form_path(&page.text, "/staff/accounts/", "/roles");
    // Each form's fields have ids of their own: every label names its own field.
    for id in [
        "unlock-reason",
        "roles-reason",
        "email-change-reason",
        "email-change-new_email",
    ] {
        assert_eq!(
            page.text.matches(&format!("id=\"{id}\"")).count(),
            1,
            "{id}"
        );
    }

    let unexplained = browser
        .post(
            &roles,
            &[("account", &customer), ("roles", "support"), ("reason", "")],
        )
        .await;
    assert_refused_at(&unexplained, 422, "roles-reason");
    assert!(
        !unexplained.text.contains("id=\"unlock-reason-error\""),
        "only at the form sent"
    );
    assert!(
        unexplained.text.contains("href=\"#roles-reason\""),
        "the summary links the field"
    );

    let set = browser
        .post(
            &roles,
            &[
                ("account", &customer),
                ("roles", "support"),
                ("roles", "auditor"),
                ("reason", "Joins the help desk"),
            ],
        )
        .await;
    assert_page(&set, 200, "Account: ");
    assert!(
        set.text.contains("Support, Auditor (reads only)"),
        "{}",
        set.text
    );
    let account = staff_json(
        &app,
        "/v1/staff/accounts",
        &[("email", &customer)],
        &admin.token,
    )
    .await;
    assert_eq!(account["roles"], json!(["support", "auditor"]));

    // The owner asked support for a new sign-in address: a code goes there, the owner confirms.
    let new_address = unique_email("console.owner.new");
    let change = form_path(&set.text, "/staff/accounts/", "/email-change");
    let sent = browser
        .post(
            &change,
            &[
                ("account", &customer),
                ("new_email", &new_address),
                ("reason", "Owner's request by phone"),
            ],
        )
        .await;
    assert_page(&sent, 200, "Account: ");
    assert!(
        sent.text
            .contains(&format!("A code went to the new address: {new_address}")),
        "{}",
        sent.text
    );
    let code = app.latest_code(&new_address);
    let owner = token_of(&log_in(&app, &customer, PASSWORD).await);
    let mut owner_pages = PageClient::new(&app);
    owner_pages.use_session(&owner);
    owner_pages.get("/account").await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = owner_pages
        .post("/account/email-change", &[("code", wrong)])
        .await;
    assert_refused_at(&refused, 400, "code");
    let confirmed = owner_pages
        .post("/account/email-change", &[("code", &code)])
        .await;
    assert_page(&confirmed, 200, "");
    assert!(
        confirmed
            .text
            .contains(&format!("You now sign in with {new_address}")),
        "{}",
        confirmed.text
    );
    assert_eq!(log_in(&app, &new_address, PASSWORD).await.status, 201);

    let taken = browser
        .post(
            &change,
            &[
                ("account", &new_address),
                ("new_email", &admin.email),
                ("reason", "A typo"),
            ],
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.text);
    assert!(
        taken
            .text
            .contains("Another account signs in with this address."),
        "{}",
        taken.text
    );

    // Only a program administrator sets roles.
    let support = staff_member(&app, "console.helpdesk", &[Role::Support]).await;
    let mut desk = PageClient::new(&app);
    desk.use_session(&support.token);
    desk.get("/staff").await;
    let refused = desk
        .post(
            &roles,
            &[
                ("account", &new_address),
                ("roles", "program_admin"),
                ("reason", "Self-promotion"),
            ],
        )
        .await;
    assert_page(&refused, 403, "Staff only");
    let account = staff_json(
        &app,
        "/v1/staff/accounts",
        &[("email", &new_address)],
        &admin.token,
    )
    .await;
    assert_eq!(
        account["roles"],
        json!(["support", "auditor"]),
        "nothing changed"
    );
}

async fn a_record_is_edited_revoked_merged_and_relinked_from_its_page(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, holder_token) = holder(&app).await;
    let admin = staff_member(&app, "console.records", &[Role::ProgramAdmin]).await;
    let mut browser = PageClient::new(&app);
    browser.use_session(&admin.token);
    let id = "TSC1000001";
    let record = browser.get(&format!("/staff/candidates/{id}")).await;
    assert_page(&record, 200, "Record: ");
    // The grant offers the catalog's certifications by name.
    assert!(
        record
            .text
            .contains("<option value=\"security-associate\">"),
        "{}",
        record.text
    );

    let edit = format!("/staff/candidates/{id}/edit");
    let edited = browser
        .post(
            &edit,
            &[
                ("first_name", "Ada"),
                ("last_name", "Lovelace-King"),
                ("email", "ada@example.com"),
                ("academy_id", ""),
                ("credential_numbers", "partner: AB-123\r\nvendor: X_9"),
                ("reason", "Name changed on marriage"),
            ],
        )
        .await;
    assert_page(&edited, 200, "Record: ");
    assert!(edited.text.contains("Done."), "{}", edited.text);
    let stored = record_of(&app, id, &admin.token).await;
    assert_eq!(stored["candidate"]["last_name"], "Lovelace-King");
    assert_eq!(
        stored["candidate"]["credential_numbers"],
        json!({ "partner": "AB-123", "vendor": "X_9" })
    );
    assert!(
        edited.text.contains("partner: AB-123\nvendor: X_9"),
        "shown as typed"
    );

    let malformed = browser
        .post(
            &edit,
            &[
                ("first_name", "Ada"),
                ("last_name", "Byron"),
                ("credential_numbers", "partner AB-123"),
                ("reason", "A typo"),
            ],
        )
        .await;
    assert_refused_at(&malformed, 422, "edit-credential_numbers");
    let stored = record_of(&app, id, &admin.token).await;
    assert_eq!(
        stored["candidate"]["last_name"], "Lovelace-King",
        "nothing half-written"
    );

    let owner = stored["candidate"]["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let certification = first_option(&edited.text, "status-certification_id");
    let revoked = browser
        .post(
            &format!("/staff/candidates/{id}/status"),
            &[
                ("certification_id", &certification),
                ("status", "revoked"),
                ("reason", "Exam misconduct"),
            ],
        )
        .await;
    assert_page(&revoked, 200, "Record: ");
    let seen = call(
        &app,
        "GET",
        &format!("/v1/candidate/certifications/{certification}"),
        &holder_token,
        None,
    )
    .await;
    assert!(
        seen.text.contains("\"status\":\"revoked\""),
        "{}",
        seen.text
    );

    let merged = browser
        .post(
            &format!("/staff/candidates/{id}/merge"),
            &[("from", "TSC1000002"), ("reason", "Duplicate registration")],
        )
        .await;
    assert_page(&merged, 200, "Record: ");
    let stored = record_of(&app, id, &admin.token).await;
    assert_eq!(
        stored["candidate"]["account_id"],
        owner.as_str(),
        "{stored}"
    );
    let duplicate = browser.get("/staff/candidates/TSC1000002").await;
    assert!(duplicate.text.contains("Merged into"), "{}", duplicate.text);
    let unknown = browser
        .post(
            &format!("/staff/candidates/{id}/merge"),
            &[("from", "TSC9999999"), ("reason", "A typo")],
        )
        .await;
    assert_refused_at(&unknown, 422, "merge-from");

    let owner = stored["candidate"]["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Linked to the wrong account: moved to the right one (which has no record), then unlinked.
    let (other, _) = active_account(&app, "console.rightful").await;
    let rightful = staff_json(
        &app,
        "/v1/staff/accounts",
        &[("email", &other)],
        &admin.token,
    )
    .await;
    let rightful = rightful["account_id"].as_str().unwrap().to_string();
    let moved = browser
        .post(
            &format!("/staff/candidates/{id}/move"),
            &[
                ("account_id", &rightful),
                ("reason", "Mapped to the wrong account"),
            ],
        )
        .await;
    assert_page(&moved, 200, "Record: ");
    let stored = record_of(&app, id, &admin.token).await;
    assert_eq!(stored["candidate"]["account_id"], rightful.as_str());
    assert_ne!(rightful, owner);
    let unmapped = browser
        .post(
            &format!("/staff/candidates/{id}/unmap"),
            &[("reason", "The owner asked")],
        )
        .await;
    assert_page(&unmapped, 200, "Record: ");
    let stored = record_of(&app, id, &admin.token).await;
    assert_eq!(stored["candidate"]["account_id"], Value::Null);
    assert!(
        !unmapped
            .text
            .contains("action=\"/staff/candidates/TSC1000001/unmap\""),
        "only a linked record is unlinked"
    );

    assert_eq!(
        browser
            .post(&format!("/staff/candidates/{id}/erase"), &[("reason", "x")])
            .await
            .status,
        404
    );
}

async fn the_catalog_is_read_published_and_restored_from_its_page(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = staff_member(&app, "console.catalog", &[Role::ProgramAdmin]).await;
    let mut browser = PageClient::new(&app);
    browser.use_session(&admin.token);
    let built_in = tessera_certification::catalog::BUILT_IN;
    let first = browser.get("/staff/catalog").await;
    assert_page(&first, 200, "Catalog · Version 1");
    assert!(
        first.text.contains("the catalog the release ships"),
        "{}",
        first.text
    );

    let broken = format!("{built_in}\n[[certification]]\nid = ");
    let refused = browser
        .post(
            "/staff/catalog",
            &[("catalog", &broken), ("reason", "Add a track")],
        )
        .await;
    assert_refused_at(&refused, 422, "publish-catalog");
    assert!(
        refused.text.contains("id = </textarea>"),
        "the text sent stays to be corrected"
    );

    let renamed = built_in.replacen("name = \"Associate\"", "name = \"Associate Level\"", 1);
    assert_ne!(renamed, built_in);
    let published = browser
        .post(
            "/staff/catalog",
            &[("catalog", &renamed), ("reason", "Renamed by the board")],
        )
        .await;
    assert_page(&published, 200, "Catalog · Version 2");
    assert!(
        published.text.contains("Done. Version 2."),
        "{}",
        published.text
    );
    assert!(
        published.text.contains("Renamed by the board"),
        "{}",
        published.text
    );

    let restored = browser
        .post(
            "/staff/catalog",
            &[("restore", "1"), ("reason", "Undo the rename")],
        )
        .await;
    assert_page(&restored, 200, "Catalog · Version 3");
    let older = browser.get("/staff/catalog?version=2").await;
    assert_page(&older, 200, "Catalog · Version 2");
    assert!(older.text.contains("Associate Level"), "{}", older.text);

    let support = staff_member(&app, "console.reader", &[Role::Support]).await;
    let mut reader = PageClient::new(&app);
    reader.use_session(&support.token);
    assert_page(
        &reader.get("/staff/catalog").await,
        200,
        "Catalog · Version 3",
    );
    let refused = reader
        .post(
            "/staff/catalog",
            &[("restore", "2"), ("reason", "Not mine to do")],
        )
        .await;
    assert_page(&refused, 403, "Staff only");
}

async fn a_persons_data_is_exported_and_erased_from_the_account_page(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (customer, _) = active_account(&app, "console.leaving").await;
    let support = staff_member(&app, "console.privacy", &[Role::Support]).await;
    let mut browser = PageClient::new(&app);
    browser.use_session(&support.token);
    let lookup = format!("/staff/accounts?account={}", customer.replace('+', "%2B"));
    let page = browser.get(&lookup).await;
    assert_page(&page, 200, "Account: ");
    let export = page
        .text
        .split("href=\"/staff/accounts/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|path| path.ends_with("/export"))
        .map(|path| format!("/staff/accounts/{path}"))
        .expect("a link to the export");
    let file = browser.get(&export).await;
    assert_eq!(file.status, 200, "{}", file.text);
    assert!(
        file.header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment")),
        "a file to keep"
    );
    let held: Value = serde_json::from_str(&file.text).unwrap();
    assert_eq!(held["account"]["sign_in"]["email"], customer.as_str());

    let auditor = staff_member(&app, "console.onlooker", &[Role::Auditor]).await;
    let mut onlooker = PageClient::new(&app);
    onlooker.use_session(&auditor.token);
    assert_page(&onlooker.get(&export).await, 403, "Staff only");

    let erase = form_path(&page.text, "/staff/accounts/", "/erase");
    let unexplained = browser
        .post(&erase, &[("account", &customer), ("reason", "")])
        .await;
    assert_refused_at(&unexplained, 422, "erase-reason");
    assert_eq!(
        log_in(&app, &customer, PASSWORD).await.status,
        201,
        "nothing erased"
    );
    let erased = browser
        .post(
            &erase,
            &[
                ("account", &customer),
                ("reason", "The person's request by email"),
            ],
        )
        .await;
    assert_page(&erased, 200, "Account erased");
    assert_eq!(log_in(&app, &customer, PASSWORD).await.status, 401);
    assert_eq!(browser.get(&lookup).await.status, 404);
}

/// An order placed by the holder on the sandbox provider (paid there when `pay`): its id.
async fn sandbox_order(app: &TestApp, token: &str, key: &str, kit: &str, pay: bool) -> String {
    use tessera_tests::orders::{order_body, place};
    let state = tessera_tests::fulfillment_state(app, None);
    let placed = place(state, token, key, &order_body(kit, 1, pay)).await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    if let Some(url) = placed.json["checkout_url"].as_str().filter(|_| pay) {
        let approve = lambda_http::http::Request::builder()
            .method("POST")
            .uri(&url[url.find("/v1/").unwrap()..])
            .header("content-type", "application/x-www-form-urlencoded")
            .body(lambda_http::Body::Text("decision=approve".into()))
            .unwrap();
        assert_eq!(
            tessera_tests::fulfillment_call(app, approve).await.status,
            303
        );
    }
    placed.json["id"].as_str().unwrap().to_string()
}

/// The house's desk works the queue from the console: the queue by status with its CSV, an
/// order reported sent (the candidate emailed the carrier's number) and complete, a shipped kit
/// sent again, a paid order refunded on the sandbox, each refused at its form without a reason;
/// an auditor reads the queue but cannot report.
async fn the_fulfillment_house_works_the_queue_from_the_console(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    let house = staff_member(&app, "console.house", &[Role::Fulfillment]).await;
    let catalog = authorized("GET", "/v1/candidate/fulfillment/catalog", &token, None);
    let kits = tessera_tests::fulfillment_call(&app, catalog).await;
    let kit = kits.json["kits"][0]["certification_id"]
        .as_str()
        .unwrap()
        .to_string();
    let free = sandbox_order(&app, &token, "console-free", &kit, false).await;
    let paid = sandbox_order(&app, &token, "console-paid", &kit, true).await;
    let mut browser = PageClient::new(&app);
    browser.use_session(&house.token);

    let queue = browser.get("/staff/orders").await;
    assert_page(&queue, 200, "The fulfillment queue");
    assert!(
        queue.text.contains(&free) && queue.text.contains(&paid),
        "{}",
        queue.text
    );
    let csv = browser.get("/staff/orders.csv?status=queued").await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(
        csv.header("content-disposition"),
        Some("attachment; filename=\"orders-queued.csv\"")
    );
    assert_eq!(csv.text.lines().count(), 3, "{}", csv.text);
    let bad = browser.get("/staff/orders?status=lost").await;
    assert_refused_at(&bad, 422, "status");

    let order = browser.get(&format!("/staff/orders/{free}")).await;
    assert_page(&order, 200, "Order: ");
    let sent_path = form_path(&order.text, "/staff/orders/", "/sent");
    let unexplained = browser
        .post(
            &sent_path,
            &[("tracking_number", "1Z999AA1"), ("reason", "")],
        )
        .await;
    assert_refused_at(&unexplained, 422, "sent-reason");
    let mails_before = app.messages_to(&email).len();
    let sent = browser
        .post(
            &sent_path,
            &[
                ("tracking_number", "1Z999AA1"),
                ("reason", "Picked up today"),
            ],
        )
        .await;
    assert_page(&sent, 200, "Order: ");
    assert!(
        sent.text.contains("Done.") && sent.text.contains("1Z999AA1"),
        "{}",
        sent.text
    );
    let mail: Vec<_> = app
        .messages_to(&email)
        .into_iter()
        .skip(mails_before)
        .collect();
    assert!(
        mail.iter().any(|m| m.body.contains("1Z999AA1")),
        "the candidate is told the number"
    );
    let complete = browser
        .post(
            &form_path(&sent.text, "/staff/orders/", "/complete"),
            &[("reason", "Delivered")],
        )
        .await;
    assert!(complete.text.contains("Done."), "{}", complete.text);
    let reprint = browser
        .post(
            &form_path(&complete.text, "/staff/orders/", "/reprint"),
            &[("reason", "Arrived damaged")],
        )
        .await;
    assert_page(&reprint, 200, "Order: ");
    assert!(
        reprint.text.contains("The reprint is queued."),
        "{}",
        reprint.text
    );
    assert!(
        reprint
            .text
            .contains(&format!("href=\"/staff/orders/{free}\"")),
        "the reprint names the original"
    );

    let paid_page = browser.get(&format!("/staff/orders/{paid}")).await;
    let refund_path = form_path(&paid_page.text, "/staff/orders/", "/refund");
    assert_refused_at(
        &browser.post(&refund_path, &[("reason", "")]).await,
        422,
        "refund-reason",
    );
    let refunded = browser
        .post(&refund_path, &[("reason", "Ordered twice")])
        .await;
    assert!(
        refunded.text.contains(&format!("re_sandbox_{paid}")),
        "{}",
        refunded.text
    );
    let events = tessera_tests::audit_about(&app, "order", &free).await;
    assert!(events
        .iter()
        .any(|e| e.action == "order.status" && e.reason.as_str() == "Picked up today"));

    let auditor = staff_member(&app, "console.ledger", &[Role::Auditor]).await;
    let mut onlooker = PageClient::new(&app);
    onlooker.use_session(&auditor.token);
    assert_page(
        &onlooker.get("/staff/orders?status=refunded").await,
        200,
        "The fulfillment queue",
    );
    let refused = onlooker
        .post(&format!("/staff/orders/{paid}/sent"), &[("reason", "x")])
        .await;
    assert_page(&refused, 403, "Staff only");
}

on_both_backends!(
    the_fulfillment_house_works_the_queue_from_the_console,
    a_persons_data_is_exported_and_erased_from_the_account_page,
    support_unlocks_an_account_with_a_reason,
    an_administrator_grants_by_hand_and_an_auditor_reads_it,
    the_console_refuses_who_the_routes_refuse,
    roles_and_a_new_address_are_set_from_the_account_page,
    a_record_is_edited_revoked_merged_and_relinked_from_its_page,
    the_catalog_is_read_published_and_restored_from_its_page,
);
