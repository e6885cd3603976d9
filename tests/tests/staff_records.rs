//! Staff routes on candidate records, through the real handlers on both backends: search and
//! the whole record; certifications by hand: a manual grant (the history says "Manually granted"
//! with the reason), and holds (suspended, revoked) that the candidate's screens, PDF
//! certificates, transcripts and kits honour until a reinstatement; each write audited once.

use lambda_http::{Request, RequestExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use tessera_certification::catalog_versions::REFRESH;
use tessera_identity::staff::Role;
use tessera_kernel::audit::AuditQuery;
use tessera_testkit::app::unique;
use tessera_testkit::{unique_email, Backend, TestApp, TestResponse};
use tessera_tests::{
    authorized, candidate_call, csv_upload, import, log_in, on_both_backends, staff_call,
    staff_member, token_of, PASSWORD,
};

const EXAM_HEADER: &str = "candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date";

/// A fresh record holding security-associate (its exam passed on 2025-06-11), with a fresh
/// address on file: its candidate ID and registration number.
async fn imported_record(app: &TestApp, email: &str) -> (String, String) {
    let n = unique() % 1_000_000_000;
    let (id, reg) = (format!("TSR{n}"), format!("REG-R-{n}"));
    let csv = format!("{EXAM_HEADER}\n{id},Grace,Hopper,{email},VT{n},{reg},SA-201,Security Operations Associate,pass,2025-06-11\n");
    let r = import(
        app,
        csv_upload("/v1/admin/imports/exam-results", &csv, None),
    )
    .await;
    assert_eq!(r.json["imported"], 1, "{}", r.text);
    (id, reg)
}

/// The record's owner, signed in and mapped to it by score report: a session token.
async fn mapped_owner(app: &TestApp, email: &str, reg: &str) -> String {
    let r = tessera_tests::sign_up(app, email, PASSWORD).await;
    assert_eq!(r.status, 202);
    let r = tessera_tests::activate(app, email, &app.latest_code(email)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = token_of(&log_in(app, email, PASSWORD).await);
    let body = json!({
        "method": "score_report", "last_name": "Hopper", "registration_number": reg,
        "new_email": email,
    });
    let mapped = candidate_call(
        app,
        authorized("POST", "/v1/candidate/mapping", &token, Some(&body)),
    )
    .await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);
    token
}

fn with_query(request: Request, query: &[(&str, &str)]) -> Request {
    request.with_query_string_parameters(
        query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
    )
}

async fn search(app: &TestApp, token: &str, q: &str) -> TestResponse {
    let request = authorized("GET", "/v1/staff/candidates", token, None);
    staff_call(app, with_query(request, &[("q", q)])).await
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    staff_call(app, authorized("POST", path, token, Some(&body))).await
}

fn certification<'a>(record: &'a TestResponse, id: &str) -> &'a Value {
    record.json["certifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {}", record.text))
}

async fn audit_of(app: &TestApp, candidate: &str) -> Vec<tessera_kernel::audit::AuditEvent> {
    tessera_tests::audit_about(app, "candidate", candidate).await
}

/// Support finds a record by candidate ID (any case), email on file, last name (any case),
/// registration number or testing ID (any case), and reads it whole; nothing found is an empty
/// list, no query 422, an unknown record 404.
async fn support_finds_and_reads_a_record(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "records.desk", &[Role::Support]).await;
    let email = unique_email("grace.record");
    let (id, reg) = imported_record(&app, &email).await;
    let testing_id = format!("vt{}", &id[3..]);
    for q in [
        id.to_lowercase(),
        email.to_uppercase(),
        reg.clone(),
        " hopper ".to_string(),
        testing_id,
    ] {
        let found = search(&app, &support.token, &q).await;
        assert_eq!(found.status, 200, "{}", found.text);
        let ids: Vec<_> = found.json["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["candidate_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, std::slice::from_ref(&id), "{q}");
    }
    let none = search(&app, &support.token, "nobody@example.com").await;
    assert_eq!(none.json["candidates"], json!([]));
    let request = authorized("GET", "/v1/staff/candidates", &support.token, None);
    assert_eq!(staff_call(&app, request).await.status, 422);

    let path = format!("/v1/staff/candidates/{id}");
    let record = staff_call(&app, authorized("GET", &path, &support.token, None)).await;
    assert_eq!(record.status, 200, "{}", record.text);
    assert_eq!(record.json["candidate"]["email"], json!(email));
    assert_eq!(record.json["exams"][0]["registration_number"], json!(reg));
    assert_eq!(
        certification(&record, "security-associate")["status"],
        "active"
    );
    let missing = authorized("GET", "/v1/staff/candidates/TSC0", &support.token, None);
    assert_eq!(staff_call(&app, missing).await.status, 404);
}

/// Support edits a record's details: names, the email on file (mapping by email then finds it
/// under the new address only), credential numbers and the academy id; audited field by field;
/// bad values are 422 and write nothing; an import later leaves the edits alone.
async fn support_edits_a_records_details(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "editing.desk", &[Role::Support]).await;
    let email = unique_email("grace.edited");
    let (id, reg) = imported_record(&app, &email).await;
    let path = format!("/v1/staff/candidates/{id}");
    let patch = |body: Value| authorized("PATCH", &path, &support.token, Some(&body));

    for bad in [
        json!({ "credential_numbers": { "Expert": "1" }, "reason": "x" }),
        json!({ "credential_numbers": { "expert": "a b" }, "reason": "x" }),
        json!({ "email": "not-an-address", "reason": "x" }),
        json!({ "last_name": " ", "reason": "x" }),
        json!({ "academy_id": "AC-1" }),
    ] {
        let r = staff_call(&app, patch(bad.clone())).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    let new_email = unique_email("grace.renamed");
    let edited = staff_call(
        &app,
        patch(json!({
            "last_name": "Hopper-Murray", "email": new_email,
            "credential_numbers": { "expert": "EXP-10452" }, "academy_id": "AC-77",
            "reason": "documented name change, case 31",
        })),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    let person = &edited.json["candidate"];
    assert_eq!(person["last_name"], "Hopper-Murray");
    assert_eq!(person["email"], json!(new_email));
    assert_eq!(person["credential_numbers"]["expert"], "EXP-10452");
    assert_eq!(person["academy_id"], "AC-77");
    let ids = |r: &TestResponse| r.json["candidates"].as_array().unwrap().len();
    assert_eq!(ids(&search(&app, &support.token, &new_email).await), 1);
    assert_eq!(
        ids(&search(&app, &support.token, &email).await),
        0,
        "the old index entry is gone"
    );
    assert_eq!(ids(&search(&app, &support.token, "HOPPER-MURRAY").await), 1);
    assert_eq!(
        ids(&search(&app, &support.token, "Hopper").await),
        0,
        "found under the new last name only"
    );

    let events = audit_of(&app, &id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "record.edit");
    let fields: Vec<_> = events[0].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        ["last_name", "email", "credential_numbers", "academy_id"]
    );
    let same = staff_call(
        &app,
        patch(json!({ "academy_id": "AC-77", "reason": "again" })),
    )
    .await;
    assert_eq!(same.status, 200);
    assert_eq!(audit_of(&app, &id).await.len(), 1, "no change, no event");

    // An import of the same candidate later adds its exam but keeps the edited details.
    let csv = format!("{EXAM_HEADER}\n{id},Grace,Hopper,{email},,{reg}-2,SA-201,Security Operations Associate,pass,2025-07-01\n");
    import(
        &app,
        csv_upload("/v1/admin/imports/exam-results", &csv, None),
    )
    .await;
    let record = staff_call(&app, authorized("GET", &path, &support.token, None)).await;
    assert_eq!(record.json["candidate"]["last_name"], "Hopper-Murray");
    assert_eq!(record.json["candidate"]["email"], json!(new_email));
    assert_eq!(record.json["exams"].as_array().unwrap().len(), 2);
}

/// Support unmaps a record from its account: the candidate's screens say "not mapped", the
/// record shows no account, the account maps a record again; unmapping twice is 409; audited.
async fn support_unmaps_a_record(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "unmapping.desk", &[Role::Support]).await;
    let email = unique_email("grace.unmapped");
    let (id, reg) = imported_record(&app, &email).await;
    let owner = mapped_owner(&app, &email, &reg).await;
    let path = format!("/v1/staff/candidates/{id}/mapping");
    let unmap = || {
        let body = json!({ "reason": "mapped to the wrong account, case 58" });
        authorized("DELETE", &path, &support.token, Some(&body))
    };
    let unmapped = staff_call(&app, unmap()).await;
    assert_eq!(unmapped.status, 200, "{}", unmapped.text);
    assert_eq!(unmapped.json["candidate"]["account_id"], Value::Null);
    let screen = candidate_call(
        &app,
        authorized("GET", "/v1/candidate/certifications", &owner, None),
    )
    .await;
    assert_eq!(
        (screen.status, screen.json["code"].clone()),
        (404, json!("not_mapped"))
    );
    let again = staff_call(&app, unmap()).await;
    assert_eq!(
        (again.status, again.json["code"].clone()),
        (409, json!("not_mapped"))
    );
    let events = audit_of(&app, &id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "record.unmap");

    let body = json!({
        "method": "score_report", "last_name": "Hopper", "registration_number": reg,
        "new_email": email,
    });
    let remapped = candidate_call(
        &app,
        authorized("POST", "/v1/candidate/mapping", &owner, Some(&body)),
    )
    .await;
    assert_eq!(remapped.status, 200, "{}", remapped.text);
}

/// Support moves a record to the right account: the old account sees no record, the new one sees
/// it; an account with a record of its own, an unknown account and an unmapped record are
/// refused; audited.
async fn support_moves_a_mapping_to_another_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "moving.desk", &[Role::Support]).await;
    let email = unique_email("grace.wrong");
    let (id, reg) = imported_record(&app, &email).await;
    let wrong = mapped_owner(&app, &email, &reg).await;
    let (right_email, _) = tessera_tests::active_account(&app, "grace.right").await;
    let right = token_of(&log_in(&app, &right_email, PASSWORD).await);
    let account_of = |email: String| {
        let (app, token) = (&app, support.token.clone());
        async move {
            let request = with_query(
                authorized("GET", "/v1/staff/accounts", &token, None),
                &[("email", email.as_str())],
            );
            staff_call(app, request).await.json["account_id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let right_account = account_of(right_email.clone()).await;
    let path = format!("/v1/staff/candidates/{id}/mapping");
    let move_to = |account: &str| {
        let body = json!({ "account_id": account, "reason": "mapped to the old account, case 41" });
        authorized("PUT", &path, &support.token, Some(&body))
    };
    let unknown = staff_call(&app, move_to("0123456789abcdef0123456789abcdef")).await;
    assert_eq!(
        (unknown.status, unknown.json["errors"][0]["code"].as_str()),
        (422, Some("unknown_account"))
    );
    let moved = staff_call(&app, move_to(&right_account)).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json["candidate"]["account_id"], json!(right_account));
    let screen = |token: String| {
        let app = &app;
        async move {
            candidate_call(
                app,
                authorized("GET", "/v1/candidate/certifications", &token, None),
            )
            .await
            .status
        }
    };
    assert_eq!(
        screen(wrong.clone()).await,
        404,
        "the old account sees no record"
    );
    assert_eq!(screen(right.clone()).await, 200, "the new one does");
    // The old account has a record of its own now: nothing moves onto it.
    let other_email = unique_email("grace.other");
    let (_, other_reg) = imported_record(&app, &other_email).await;
    let body = json!({
        "method": "score_report", "last_name": "Hopper", "registration_number": other_reg,
        "new_email": other_email,
    });
    let mapped = candidate_call(
        &app,
        authorized("POST", "/v1/candidate/mapping", &wrong, Some(&body)),
    )
    .await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);
    let wrong_account = account_of(email.clone()).await;
    let taken = staff_call(&app, move_to(&wrong_account)).await;
    assert_eq!(
        (taken.status, taken.json["code"].as_str()),
        (409, Some("account_mapped"))
    );
    let moves: Vec<_> = audit_of(&app, &id)
        .await
        .into_iter()
        .filter(|e| e.action == "record.move_mapping")
        .collect();
    assert_eq!(moves.len(), 1);
}

/// A program administrator grants a certification by hand: it is active for the candidate from
/// its day, its history says "Manually granted" with the reason, and the audit log has who and
/// why. Bad grants are 422 and write nothing.
async fn a_manual_grant_shows_in_the_history_with_its_reason(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = staff_member(&app, "granting.admin", &[Role::ProgramAdmin]).await;
    let email = unique_email("grace.granted");
    let (id, reg) = imported_record(&app, &email).await;
    let owner = mapped_owner(&app, &email, &reg).await;
    let path = format!("/v1/staff/candidates/{id}/grants");

    for bad in [
        json!({ "certification_id": "no-such-thing", "active_on": "2025-01-01", "reason": "x" }),
        json!({ "certification_id": "networking-technician", "active_on": "2999-01-01", "reason": "x" }),
        json!({ "certification_id": "networking-technician", "active_on": "2025-01-01", "expires_on": "2024-01-01", "reason": "x" }),
        json!({ "certification_id": "networking-technician", "active_on": "2025-01-01" }),
        json!({ "certification_id": "networking-technician", "active_on": "1/1/2025", "reason": "x" }),
    ] {
        let r = post(&app, &admin.token, &path, bad.clone()).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    assert!(
        audit_of(&app, &id).await.is_empty(),
        "refused grants leave nothing"
    );

    let why = "passed at an event whose results were lost";
    let granted = post(
        &app,
        &admin.token,
        &path,
        json!({ "certification_id": "networking-technician", "active_on": "2025-02-01", "reason": why }),
    )
    .await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    let shown = certification(&granted, "networking-technician");
    assert_eq!(shown["status"], "active");
    assert_eq!(shown["history"][0]["event"], "granted");
    assert_eq!(shown["history"][0]["date"], "2025-02-01");
    assert_eq!(shown["history"][0]["how"], json!(["manual_grant"]));
    assert_eq!(
        shown["history"][0]["note"],
        json!(format!("Manually granted: {why}"))
    );

    let screen = candidate_call(
        &app,
        authorized(
            "GET",
            "/v1/candidate/certifications/networking-technician",
            &owner,
            None,
        ),
    )
    .await;
    assert_eq!(screen.status, 200, "{}", screen.text);
    assert_eq!(screen.json["status"], "active");
    assert_eq!(
        screen.json["history"][0]["note"],
        json!(format!("Manually granted: {why}"))
    );

    let events = audit_of(&app, &id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "certification.grant");
    assert_eq!(
        events[0].actor.as_str(),
        format!("account:{}", admin.account.as_str())
    );
    assert_eq!(events[0].reason.as_str(), why);
    assert_eq!(events[0].changes[0].field, "grant:networking-technician");
}

/// A suspension takes the certification away wherever it shows (the candidate's list and
/// screen, the PDF certificate, new transcripts, kits) until it is reinstated; a revocation the
/// same. The same hold twice writes once; a hold on a certification the record never had is 409.
async fn holds_take_a_certification_away_until_reinstated(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = staff_member(&app, "holding.admin", &[Role::ProgramAdmin]).await;
    let email = unique_email("grace.held");
    let (id, reg) = imported_record(&app, &email).await;
    let owner = mapped_owner(&app, &email, &reg).await;
    let status_path = format!("/v1/staff/candidates/{id}/certifications/security-associate/status");
    let pdf = "/v1/candidate/certifications/security-associate/certificate.pdf";
    let candidate_get = |path: &str| authorized("GET", path, &owner, None);
    assert_eq!(candidate_call(&app, candidate_get(pdf)).await.status, 200);
    let kits_path = "/v1/candidate/fulfillment/catalog";
    let kits = tessera_tests::fulfillment_call(&app, candidate_get(kits_path)).await;
    assert_eq!(
        kits.json["kits"][0]["certification_id"],
        "security-associate"
    );

    let suspended = post(
        &app,
        &admin.token,
        &status_path,
        json!({ "status": "suspended", "reason": "integrity review, case 77" }),
    )
    .await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    let shown = certification(&suspended, "security-associate");
    assert_eq!(shown["status"], "suspended");
    assert_eq!(shown["history"][0]["event"], "suspended");
    assert_eq!(shown["history"][0]["note"], "integrity review, case 77");

    let list = candidate_call(&app, candidate_get("/v1/candidate/certifications")).await;
    assert_eq!(list.json["active"], json!([]), "{}", list.text);
    assert_eq!(
        list.json["past"][0]["certifications"][0]["status"],
        "suspended"
    );
    let certificate = candidate_call(&app, candidate_get(pdf)).await;
    assert_eq!(certificate.status, 409);
    let kits = tessera_tests::fulfillment_call(&app, candidate_get(kits_path)).await;
    assert_eq!(kits.status, 200, "{}", kits.text);
    assert_eq!(
        kits.json["kits"],
        json!([]),
        "no kit for a held certification"
    );

    let again = post(
        &app,
        &admin.token,
        &status_path,
        json!({ "status": "suspended", "reason": "again" }),
    )
    .await;
    assert_eq!(again.status, 200);
    app.clock.advance(tessera_kernel::time::Seconds(1));
    let reinstated = post(
        &app,
        &admin.token,
        &status_path,
        json!({ "status": "reinstated", "reason": "review cleared" }),
    )
    .await;
    assert_eq!(
        certification(&reinstated, "security-associate")["status"],
        "active"
    );
    assert_eq!(candidate_call(&app, candidate_get(pdf)).await.status, 200);
    app.clock.advance(tessera_kernel::time::Seconds(1));
    let revoked = post(
        &app,
        &admin.token,
        &status_path,
        json!({ "status": "revoked", "reason": "exam misconduct" }),
    )
    .await;
    assert_eq!(
        certification(&revoked, "security-associate")["status"],
        "revoked"
    );
    assert_eq!(candidate_call(&app, candidate_get(pdf)).await.status, 409);

    let actions: Vec<_> = audit_of(&app, &id)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "certification.revoke",
            "certification.reinstate",
            "certification.suspend"
        ]
    );

    let never = post(
        &app,
        &admin.token,
        &format!("/v1/staff/candidates/{id}/certifications/security-expert/status"),
        json!({ "status": "revoked", "reason": "x" }),
    )
    .await;
    assert_eq!(
        (never.status, never.json["code"].clone()),
        (409, json!("not_on_record"))
    );
    let bad = post(
        &app,
        &admin.token,
        &status_path,
        json!({ "status": "expired", "reason": "x" }),
    )
    .await;
    assert_eq!(bad.status, 422);
}

async fn merge(app: &TestApp, token: &str, into: &str, from: &str) -> TestResponse {
    let body = json!({ "from": from, "reason": "one person, two candidate IDs (case 12)" });
    post(
        app,
        token,
        &format!("/v1/staff/candidates/{into}/merge"),
        body,
    )
    .await
}

fn exam_count(record: &TestResponse) -> usize {
    record.json["exams"].as_array().unwrap().len()
}

/// Support merges a duplicate into the record that stays: the duplicate's exams, its account,
/// its transcript (its public link still works) and its order move there, its registration
/// number finds the survivor, it becomes a pointer that refuses edits and further merges, and
/// an import for its candidate ID lands in the survivor. Audited once.
async fn support_merges_a_duplicate_record(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "merging.desk", &[Role::Support]).await;
    let email = unique_email("grace.duplicate");
    let (duplicate, duplicate_reg) = imported_record(&app, &email).await;
    let token = mapped_owner(&app, &email, &duplicate_reg).await;
    tessera_tests::certification::consent(&app, &token, true).await;
    let transcript = tessera_tests::certification::create_transcript(&app, &token).await;
    let transcript_id = transcript.json["id"].as_str().unwrap().to_string();
    let order = tessera_tests::orders::order_a_kit(&app, &token, "merge-1").await;
    let (kept, _) = imported_record(&app, &unique_email("grace.kept")).await;

    let merged = merge(&app, &support.token, &kept, &duplicate).await;
    assert_eq!(merged.status, 200, "{}", merged.text);
    assert_eq!(exam_count(&merged), 2, "both records' exams");
    assert!(
        merged.json["candidate"]["account_id"].is_string(),
        "the account moved"
    );

    // The owner now sees the survivor, with everything that was the duplicate's.
    let own = candidate_call(&app, authorized("GET", "/v1/candidate", &token, None)).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.json["identifiers"]["candidate_id"], json!(kept));
    let orders = tessera_tests::fulfillment_call(
        &app,
        authorized("GET", tessera_tests::orders::ORDERS, &token, None),
    )
    .await;
    assert_eq!(
        orders.json["orders"][0]["id"], order.json["id"],
        "{}",
        orders.text
    );
    let link = tessera_tests::open_transcript_link(&app, &transcript_id).await;
    assert_eq!(link.status, 200, "the transcript's public link still works");
    let ids = |r: &TestResponse| -> Vec<String> {
        r.json["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["candidate_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&search(&app, &support.token, &duplicate_reg).await),
        [kept.as_str()]
    );
    let duplicate_testing_id = format!("VT{}", &duplicate[3..]);
    assert_eq!(
        ids(&search(&app, &support.token, &duplicate_testing_id).await),
        [kept.as_str()],
        "the survivor holds both records' testing IDs"
    );
    assert!(
        ids(&search(&app, &support.token, &email).await).is_empty(),
        "the survivor keeps its own email on file"
    );

    // The duplicate is a pointer: read as such, refusing edits and other merges.
    let path = format!("/v1/staff/candidates/{duplicate}");
    let pointer = staff_call(&app, authorized("GET", &path, &support.token, None)).await;
    assert_eq!(pointer.json["candidate"]["merged_into"], json!(kept));
    assert_eq!(exam_count(&pointer), 0);
    let edit = json!({ "academy_id": "AC-9", "reason": "late edit" });
    let refused = staff_call(
        &app,
        authorized("PATCH", &path, &support.token, Some(&edit)),
    )
    .await;
    assert_eq!(
        (refused.status, refused.json["code"].as_str()),
        (409, Some("merged"))
    );
    let (third, _) = imported_record(&app, &unique_email("grace.third")).await;
    let again = merge(&app, &support.token, &third, &duplicate).await;
    assert_eq!(
        (again.status, again.json["code"].as_str()),
        (409, Some("merged"))
    );
    let into_pointer = merge(&app, &support.token, &duplicate, &third).await;
    assert_eq!(into_pointer.status, 409);
    assert_eq!(merge(&app, &support.token, &kept, &kept).await.status, 422);
    let events: Vec<_> = audit_of(&app, &kept)
        .await
        .into_iter()
        .filter(|e| e.action == "record.merge")
        .collect();
    assert_eq!(events.len(), 1);

    // An exam result for the duplicate's candidate ID arrives later: it lands in the survivor.
    let csv = format!("{EXAM_HEADER}\n{duplicate},Grace,Hopper,{email},,{duplicate_reg}-2,SA-201,Security Operations Associate,pass,2025-07-01\n");
    let r = import(
        &app,
        csv_upload("/v1/admin/imports/exam-results", &csv, None),
    )
    .await;
    assert_eq!(r.json["imported"], 1, "{}", r.text);
    let record = staff_call(
        &app,
        authorized(
            "GET",
            &format!("/v1/staff/candidates/{kept}"),
            &support.token,
            None,
        ),
    )
    .await;
    assert_eq!(exam_count(&record), 3);
}

/// Two merges of one duplicate into two records at once: one merge happens, the other is
/// refused, and every exam ends in exactly one record.
async fn two_merges_of_one_record_make_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "racing.desk", &[Role::Support]).await;
    let (duplicate, _) = imported_record(&app, &unique_email("race.dup")).await;
    let (first, _) = imported_record(&app, &unique_email("race.first")).await;
    let (second, _) = imported_record(&app, &unique_email("race.second")).await;
    let (a, b) = tokio::join!(
        merge(&app, &support.token, &first, &duplicate),
        merge(&app, &support.token, &second, &duplicate)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    let winner = if a.status == 200 { &first } else { &second };
    let mut total = 0;
    for id in [&duplicate, &first, &second] {
        let record = staff_call(
            &app,
            authorized(
                "GET",
                &format!("/v1/staff/candidates/{id}"),
                &support.token,
                None,
            ),
        )
        .await;
        total += exam_count(&record);
        if id == &duplicate {
            assert_eq!(record.json["candidate"]["merged_into"], json!(winner));
        }
    }
    assert_eq!(total, 3, "no exam lost or doubled");
}

async fn put_catalog(app: &TestApp, token: &str, body: Value) -> TestResponse {
    staff_call(
        app,
        authorized("PUT", "/v1/staff/catalog", token, Some(&body)),
    )
    .await
}

/// A program administrator publishes a new catalog at runtime: validated as the built-in file
/// is (a bad one is 422 and changes nothing), judged by from the next request on (a renamed
/// certification shows renamed on the record), every version kept and readable, an older one
/// restored as a new version; each publish audited. Support reads it but may not publish.
async fn the_catalog_is_published_and_restored_at_runtime(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = staff_member(&app, "catalog.admin", &[Role::ProgramAdmin]).await;
    let support = staff_member(&app, "catalog.reader", &[Role::Support]).await;
    let (id, _) = imported_record(&app, &unique_email("grace.catalog")).await;
    let read = |token: String, query: Option<&'static str>| {
        let app = &app;
        async move {
            let request = authorized("GET", "/v1/staff/catalog", &token, None);
            let request = match query {
                Some(v) => with_query(request, &[("version", v)]),
                None => request,
            };
            staff_call(app, request).await
        }
    };
    let name = |token: String| {
        let (app, path) = (&app, format!("/v1/staff/candidates/{id}"));
        async move {
            let record = staff_call(app, authorized("GET", &path, &token, None)).await;
            certification(&record, "security-associate")["name"].clone()
        }
    };

    let first = read(support.token.clone(), None).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["version"], 1);
    assert_eq!(
        first.json["catalog"],
        json!(tessera_certification::catalog::BUILT_IN)
    );
    assert_eq!(
        name(admin.token.clone()).await,
        "Security Operations Associate"
    );

    let bad = put_catalog(
        &app,
        &admin.token,
        json!({ "catalog": "[[track]", "reason": "typo" }),
    )
    .await;
    assert_eq!(
        (bad.status, bad.json["errors"][0]["code"].as_str()),
        (422, Some("invalid_catalog"))
    );
    let both = json!({ "catalog": "x", "restore": 1, "reason": "both" });
    assert_eq!(put_catalog(&app, &admin.token, both).await.status, 422);
    let denied = put_catalog(
        &app,
        &support.token,
        json!({ "restore": 1, "reason": "no" }),
    )
    .await;
    assert_eq!(denied.status, 403);
    assert_eq!(
        read(support.token.clone(), None).await.json["version"],
        1,
        "nothing published"
    );

    let renamed = tessera_certification::catalog::BUILT_IN.replace(
        "name = \"Security Operations Associate\"",
        "name = \"Security Operations Associate (2027)\"",
    );
    let published = put_catalog(
        &app,
        &admin.token,
        json!({ "catalog": renamed, "reason": "the 2027 names" }),
    )
    .await;
    assert_eq!(published.status, 200, "{}", published.text);
    assert_eq!(published.json["version"], 2);
    // A function's process keeps the catalog it read for `REFRESH`, then reads the new one.
    assert_eq!(
        name(admin.token.clone()).await,
        "Security Operations Associate",
        "within the refresh time"
    );
    app.clock.advance(REFRESH);
    assert_eq!(
        name(admin.token.clone()).await,
        "Security Operations Associate (2027)",
        "judged by the new version without a redeploy"
    );
    let restored = put_catalog(
        &app,
        &admin.token,
        json!({ "restore": 1, "reason": "back" }),
    )
    .await;
    assert_eq!(restored.json["version"], 3, "{}", restored.text);
    app.clock.advance(REFRESH);
    assert_eq!(
        name(admin.token.clone()).await,
        "Security Operations Associate"
    );
    let latest = read(support.token.clone(), None).await;
    let versions: Vec<u64> = latest.json["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [3, 2, 1]);
    let second = read(support.token.clone(), Some("2")).await;
    assert_eq!(second.json["catalog"], json!(renamed));
    assert_eq!(second.json["reason"], "the 2027 names");
    assert_eq!(read(support.token.clone(), Some("9")).await.status, 404);
    let events = app
        .audit
        .query(&AuditQuery {
            limit: 50,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .events;
    let publishes = events
        .iter()
        .filter(|e| e.action == "catalog.publish")
        .count();
    assert_eq!(publishes, 2);
}

on_both_backends!(
    support_moves_a_mapping_to_another_account,
    the_catalog_is_published_and_restored_at_runtime,
    support_merges_a_duplicate_record,
    two_merges_of_one_record_make_one,
    support_edits_a_records_details,
    support_unmaps_a_record,
    support_finds_and_reads_a_record,
    a_manual_grant_shows_in_the_history_with_its_reason,
    holds_take_a_certification_away_until_reinstated,
);
