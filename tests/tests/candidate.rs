//! The candidate's routes through the candidate handler, on both backends: map an account to its
//! imported record (by score report, or by the code emailed to the address on file), then read
//! every certification screen from it.

use serde_json::{json, Value};
use tessera_kernel::time::Seconds;
use tessera_testkit::app::unique;
use tessera_testkit::{unique_email, Backend, TestApp, TestResponse};
use tessera_tests::certification::{
    call, import_samples, move_clock_to_the_samples_day, signed_in,
};
use tessera_tests::{
    active_account, csv_upload, import, log_in, on_both_backends, token_of, PASSWORD,
};

const EXAM_HEADER: &str = "candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date";

/// One record with a fresh address (moto's mail log is shared by every test).
async fn import_one(app: &TestApp, email: &str) -> (String, String) {
    let n = unique() % 1_000_000_000;
    let (id, reg) = (format!("TSX{n}"), format!("REG-X-{n}"));
    let csv = format!("{EXAM_HEADER}\n{id},Grace,Hopper,{email},,{reg},SA-201,Security Operations Associate,pass,2025-06-11\n");
    let r = import(
        app,
        csv_upload("/v1/admin/imports/exam-results", &csv, None),
    )
    .await;
    assert_eq!(r.json["imported"], 1, "{}", r.text);
    (id, reg)
}

async fn email_on_file(app: &TestApp, candidate: &str) -> Option<String> {
    let id = tessera_kernel::ids::CandidateId::parse(candidate).unwrap();
    let record = app.certification.records.candidate(&id).await.unwrap();
    record
        .unwrap()
        .profile
        .email
        .map(|e| e.as_str().to_string())
}

async fn confirm_code(app: &TestApp, token: &str, code: &str) -> TestResponse {
    let path = "/v1/candidate/mapping/confirm";
    call(app, "POST", path, token, Some(json!({ "code": code }))).await
}

/// A code that differs from `code` in every digit.
fn wrong_code(code: &str) -> String {
    code.chars()
        .map(|c| char::from(b'0' + (c as u8 - b'0' + 1) % 10))
        .collect()
}

async fn map_by_score_report_then_read_every_screen(backend: Backend) {
    let app = TestApp::new(backend).await;
    import_samples(&app).await;
    move_clock_to_the_samples_day(&app);
    let token = signed_in(&app).await;

    let not_yet = call(&app, "GET", "/v1/candidate/certifications", &token, None).await;
    assert_eq!(
        (not_yet.status, not_yet.json["code"].as_str()),
        (404, Some("not_mapped"))
    );

    let new_email = unique_email("ada.new");
    let mapped = call(&app, "POST", "/v1/candidate/mapping", &token, Some(json!({
        "method": "score_report", "last_name": " lovelace ", "registration_number": "REG-2019-0416", "new_email": new_email,
    }))).await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);
    assert_eq!(mapped.json["candidate_id"], "TSC1000001");
    assert_eq!(mapped.json["email_confirmation_sent"], true);
    // Rule "an email on file changes only when the new address is proven".
    assert_eq!(
        email_on_file(&app, "TSC1000001").await.as_deref(),
        Some("ada@example.com"),
        "not before the new address is proven"
    );
    let code = app.latest_code(&new_email);
    let wrong = confirm_code(&app, &token, &wrong_code(&code)).await;
    assert_eq!(wrong.json["code"], "invalid_code", "{}", wrong.text);
    let proven = confirm_code(&app, &token, &code).await;
    assert_eq!(proven.status, 200, "{}", proven.text);
    assert_eq!(proven.json["candidate_id"], "TSC1000001");
    assert_eq!(
        email_on_file(&app, "TSC1000001").await.as_deref(),
        Some(new_email.as_str()),
        "the new address is on file"
    );
    let told = app
        .messages_to("ada@example.com")
        .into_iter()
        .any(|m| m.body.contains(&new_email));
    assert!(told, "the previous address is told");
    assert_eq!(
        confirm_code(&app, &token, &code).await.json["code"],
        "already_mapped",
        "nothing left to prove"
    );

    let list = call(&app, "GET", "/v1/candidate/certifications", &token, None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json["active"][0]["track"]["name"], "Entry");
    assert_eq!(
        list.json["active"][1]["certifications"][0]["abbreviation"],
        "IA"
    );
    assert_eq!(
        list.json["active"][1]["certifications"][0]["expires"],
        "2028-12-08"
    );
    assert_eq!(
        list.json["past"][0]["certifications"][0]["id"],
        "enterprise-professional"
    );

    let ia = call(
        &app,
        "GET",
        "/v1/candidate/certifications/infrastructure-associate",
        &token,
        None,
    )
    .await;
    assert_eq!(ia.status, 200, "{}", ia.text);
    assert_eq!(ia.json["progress_toward"], "renewal");
    assert_eq!(
        ia.json["progress"]["children"][1]["summary"],
        "10 / 30 CE credits"
    );
    assert_eq!(ia.json["ce_credits"].as_array().unwrap().len(), 3);
    let pdf = call(
        &app,
        "GET",
        "/v1/candidate/certifications/infrastructure-associate/certificate.pdf",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (pdf.status, pdf.header("content-type")),
        (200, Some("application/pdf"))
    );
    let document = lopdf::Document::load_mem(&pdf.bytes).expect("a valid PDF");
    let text = document.extract_text(&[1]).unwrap();
    assert!(
        text.contains("Ada Lovelace") && text.contains("Infrastructure Associate (IA)"),
        "{text}"
    );
    assert!(text.contains("Verification code "), "{text}");
    let expired = call(
        &app,
        "GET",
        "/v1/candidate/certifications/enterprise-professional/certificate.pdf",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (expired.status, expired.json["code"].as_str()),
        (409, Some("certificate_unavailable"))
    );
    let unknown = call(
        &app,
        "GET",
        "/v1/candidate/certifications/security-expert",
        &token,
        None,
    )
    .await;
    assert_eq!(unknown.status, 404);

    let exams = call(
        &app,
        "GET",
        "/v1/candidate/exams?sort=code&order=asc",
        &token,
        None,
    )
    .await;
    let codes: Vec<&str> = exams.json["exams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["EC-301", "EC-301", "ER-311", "IA-201", "NF-101"]);
    let bad_sort = call(&app, "GET", "/v1/candidate/exams?sort=grade", &token, None).await;
    assert_eq!(
        (
            bad_sort.status,
            bad_sort.json["errors"][0]["field"].as_str()
        ),
        (422, Some("sort"))
    );

    let activities = call(&app, "GET", "/v1/candidate/ce-activities", &token, None).await;
    assert_eq!(
        activities.json["activities"][0]["source"]["file"],
        "creq-20251101.csv"
    );
    assert_eq!(
        activities.json["activities"][0]["source"]["external_id"],
        "1462602"
    );
    // The search box: a term in the name, provider or id, any case.
    let names = |answer: &TestResponse| -> Vec<String> {
        answer.json["activities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = names(&activities);
    assert!(all.len() >= 3, "{all:?}");
    for (term, expected) in [
        (
            "ROUTING",
            vec![
                "Routing design workshop",
                "Routing design workshop (part 2)",
            ],
        ),
        ("partner%20TWO", vec!["Automation fundamentals course"]),
        ("1462601", vec!["Routing design workshop (part 2)"]),
        ("nothing%20like%20it", vec![]),
    ] {
        let found = call(
            &app,
            "GET",
            &format!("/v1/candidate/ce-activities?search={term}"),
            &token,
            None,
        )
        .await;
        assert_eq!(found.status, 200, "{term}: {}", found.text);
        let mut got = names(&found);
        got.sort();
        assert_eq!(got, expected, "{term}");
    }
    let long = "x".repeat(101);
    let refused = call(
        &app,
        "GET",
        &format!("/v1/candidate/ce-activities?search={long}"),
        &token,
        None,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let agreements = call(&app, "GET", "/v1/candidate/agreements", &token, None).await;
    assert_eq!(
        agreements.json["agreements"][0]["active_date"],
        "2019-12-08"
    );
    let logos = call(&app, "GET", "/v1/candidate/logos", &token, None).await;
    let ids: Vec<&str> = logos.json["logos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["networking-technician", "infrastructure-associate"]);
    // The guidelines a download accepts are served; none accepted yet.
    assert!(logos.json["guidelines"]["text"]
        .as_str()
        .unwrap()
        .contains("unaltered"));
    let version = logos.json["guidelines"]["version"].clone();
    assert_eq!(logos.json["accepted"], Value::Null);
    let file = call(
        &app,
        "GET",
        "/v1/candidate/logos/infrastructure-associate",
        &token,
        None,
    )
    .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("image/svg+xml"));
    assert!(file.text.starts_with("<svg"), "{}", file.text);
    assert!(file
        .header("content-disposition")
        .unwrap()
        .contains("infrastructure-associate.svg"));
    // The download recorded the acceptance: the version and when.
    let now = app.certification.clock.now().to_rfc3339();
    let logos = call(&app, "GET", "/v1/candidate/logos", &token, None).await;
    assert_eq!(
        logos.json["accepted"],
        json!({ "version": version, "at": now }),
        "{}",
        logos.text
    );
    let not_earned = call(
        &app,
        "GET",
        "/v1/candidate/logos/enterprise-expert",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (not_earned.status, not_earned.json["code"].as_str()),
        (404, Some("logo_not_found"))
    );

    // Mapped once: the account cannot map again, and nobody else can take the record.
    let again = call(&app, "POST", "/v1/candidate/mapping", &token, Some(json!({
        "method": "score_report", "last_name": "Lovelace", "registration_number": "REG-2019-0416", "new_email": unique_email("x"),
    }))).await;
    assert_eq!(
        (again.status, again.json["code"].as_str()),
        (409, Some("already_mapped"))
    );
    let other = signed_in(&app).await;
    let taken = call(&app, "POST", "/v1/candidate/mapping", &other, Some(json!({
        "method": "score_report", "last_name": "Lovelace", "registration_number": "REG-2019-0416", "new_email": unique_email("y"),
    }))).await;
    assert_eq!(
        (taken.status, taken.json["code"].as_str()),
        (409, Some("record_already_mapped"))
    );
}

async fn wrong_score_reports_are_throttled_per_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, reg) = import_one(&app, &unique_email("grace")).await;
    let (email, _) = active_account(&app, "guesser").await;
    let attempt = |token: String, last_name: &'static str| {
        let (app, reg) = (&app, reg.clone());
        async move {
            call(app, "POST", "/v1/candidate/mapping", &token, Some(json!({
                "method": "score_report", "last_name": last_name, "registration_number": reg, "new_email": unique_email("g"),
            }))).await
        }
    };
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    for _ in 0..5 {
        let r = attempt(token.clone(), "Hoper").await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (422, Some("no_matching_record")),
            "{}",
            r.text
        );
    }
    let r = attempt(token.clone(), "Hopper").await;
    assert_eq!(r.status, 429, "the right details wait too: {}", r.text);
    // A new session does not reset the count: it is the account's.
    let fresh = token_of(&log_in(&app, &email, PASSWORD).await);
    assert_eq!(attempt(fresh, "Hopper").await.status, 429);
    app.clock.advance(Seconds::hours(1));
    let later = token_of(&log_in(&app, &email, PASSWORD).await);
    assert_eq!(attempt(later, "Hopper").await.status, 200);
}

async fn map_by_email_with_the_emailed_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let on_file = unique_email("grace");
    let (id, _) = import_one(&app, &on_file).await;
    let token = signed_in(&app).await;
    let nobody = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &token,
        Some(json!({ "method": "email", "email": unique_email("nobody") })),
    )
    .await;
    let asked = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &token,
        Some(json!({ "method": "email", "email": on_file })),
    )
    .await;
    assert_eq!(
        (asked.status, asked.text.clone()),
        (202, nobody.text),
        "the same answer either way"
    );

    let wrong = call(
        &app,
        "POST",
        "/v1/candidate/mapping/confirm",
        &token,
        Some(json!({ "code": "000000" })),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.json["code"].as_str()),
        (400, Some("invalid_code"))
    );
    let code = app.latest_code(&on_file);
    let message = app.messages_to(&on_file).pop().unwrap();
    let link = format!(
        "{}/mapping/confirm?code={code}",
        tessera_http::config::LOCAL_PUBLIC_URL
    );
    assert!(
        message.body.contains(&link),
        "the pages' link: {}",
        message.body
    );
    let confirmed = call(
        &app,
        "POST",
        "/v1/candidate/mapping/confirm",
        &token,
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(
        (confirmed.status, confirmed.json["candidate_id"].as_str()),
        (200, Some(id.as_str())),
        "{}",
        confirmed.text
    );
    let list = call(&app, "GET", "/v1/candidate/certifications", &token, None).await;
    assert_eq!(
        list.json["active"][0]["certifications"][0]["id"],
        "security-associate"
    );
    let reuse = call(
        &app,
        "POST",
        "/v1/candidate/mapping/confirm",
        &token,
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(reuse.status, 409, "mapped already: {}", reuse.text);
}

async fn an_address_on_two_records_asks_for_a_merge(backend: Backend) {
    let app = TestApp::new(backend).await;
    let shared = unique_email("twice");
    import_one(&app, &shared).await;
    import_one(&app, &shared).await;
    let (_, reg) = import_one(&app, &unique_email("once")).await;
    let token = signed_in(&app).await;
    let r = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &token,
        Some(json!({ "method": "email", "email": shared })),
    )
    .await;
    assert_eq!(r.status, 202);
    let mail = app.messages_to(&shared);
    let subject = mail.last().unwrap().subject.clone().unwrap_or_default();
    assert!(subject.contains("merge"), "{subject}");
    // By score report, a new address already on another record is refused the same way.
    let r = call(&app, "POST", "/v1/candidate/mapping", &token, Some(json!({
        "method": "score_report", "last_name": "Hopper", "registration_number": reg, "new_email": shared,
    }))).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (409, Some("duplicate_records"))
    );
}

/// Runs the requests at once; each answer's status and problem code.
async fn all_at_once(
    requests: Vec<tokio::task::JoinHandle<tessera_testkit::TestResponse>>,
) -> Vec<(u16, Option<String>)> {
    let mut answers = Vec::new();
    for r in requests {
        let r = r.await.unwrap();
        answers.push((r.status, r.json["code"].as_str().map(str::to_string)));
    }
    answers
}

fn score_report(reg: &str, last_name: &str) -> Value {
    json!({ "method": "score_report", "last_name": last_name, "registration_number": reg,
            "new_email": unique_email("g") })
}

/// Rule "limits per target": wrong score reports naming one record are limited across all
/// accounts (10 an hour), sent at once from twelve accounts; then even its owner, with the
/// right details, waits for the window to pass. One account's reports sent at once get no
/// more checks than its 5 an hour either.
async fn score_report_guesses_are_limited_per_record_and_per_account(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::new(backend).await);
    let (_, reg) = import_one(&app, &unique_email("grace")).await;
    let mut tokens = Vec::new();
    for i in 0..12 {
        let (email, _) = active_account(&app, &format!("guesser{i}")).await;
        tokens.push(token_of(&log_in(&app, &email, PASSWORD).await));
    }
    let guesses = tokens
        .iter()
        .map(|token| {
            let (app, token, body) = (app.clone(), token.clone(), score_report(&reg, "Hoper"));
            tokio::spawn(async move {
                call(&app, "POST", "/v1/candidate/mapping", &token, Some(body)).await
            })
        })
        .collect();
    let answers = all_at_once(guesses).await;
    let checked = answers
        .iter()
        .filter(|a| *a == &(422, Some("no_matching_record".to_string())))
        .count();
    let waited = answers.iter().filter(|a| a.0 == 429).count();
    assert_eq!((checked, waited), (10, 2), "{answers:?}");
    let owner = signed_in(&app).await;
    let r = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &owner,
        Some(score_report(&reg, "Hopper")),
    )
    .await;
    assert_eq!(r.status, 429, "the record's guesses are spent: {}", r.text);

    // One fresh account, ten reports for unknown numbers at once: five checked, five wait.
    let one = signed_in(&app).await;
    let guesses = (0..10)
        .map(|i| {
            let (app, token) = (app.clone(), one.clone());
            let body = score_report(&format!("REG-NONE-{i}"), "Hopper");
            tokio::spawn(async move {
                call(&app, "POST", "/v1/candidate/mapping", &token, Some(body)).await
            })
        })
        .collect();
    let answers = all_at_once(guesses).await;
    let checked = answers.iter().filter(|a| a.0 == 422).count();
    assert_eq!(checked, 5, "{answers:?}");

    app.clock.advance(Seconds::hours(1));
    let owner = signed_in(&app).await;
    let r = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &owner,
        Some(score_report(&reg, "Hopper")),
    )
    .await;
    assert_eq!(r.status, 200, "a new window: {}", r.text);
}

/// SECURITY.md: emailed codes live 10 minutes, the mapping code too.
async fn mapping_codes_live_ten_minutes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let on_file = unique_email("grace");
    import_one(&app, &on_file).await;
    let token = signed_in(&app).await;
    let ask = json!({ "method": "email", "email": on_file });
    assert_eq!(
        call(&app, "POST", "/v1/candidate/mapping", &token, Some(ask))
            .await
            .status,
        202
    );
    let code = app.latest_code(&on_file);
    app.clock.advance(Seconds::minutes(10));
    let late = call(
        &app,
        "POST",
        "/v1/candidate/mapping/confirm",
        &token,
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(
        (late.status, late.json["code"].as_str()),
        (400, Some("invalid_code")),
        "{}",
        late.text
    );
}

on_both_backends!(
    personal_info_settings_and_the_job_title,
    map_by_score_report_then_read_every_screen,
    wrong_score_reports_are_throttled_per_account,
    map_by_email_with_the_emailed_code,
    an_address_on_two_records_asks_for_a_merge,
    score_report_guesses_are_limited_per_record_and_per_account,
    mapping_codes_live_ten_minutes,
);

#[tokio::test]
async fn bad_requests_get_clear_answers() {
    let app = TestApp::new(Backend::Embedded).await;
    let token = signed_in(&app).await;
    let none = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &token,
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (none.status, none.json["errors"][0]["field"].as_str()),
        (422, Some("method"))
    );
    let odd = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &token,
        Some(json!({ "method": "fax" })),
    )
    .await;
    assert_eq!(odd.status, 422);
    let partial = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &token,
        Some(json!({ "method": "score_report", "last_name": "X" })),
    )
    .await;
    let fields = partial.error_fields();
    assert_eq!(fields, ["registration_number", "new_email"]);
    let unknown = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &token,
        Some(json!({ "method": "email", "email": "a@b.co", "pin": 1 })),
    )
    .await;
    assert_eq!(unknown.status, 400);
    let anonymous = call(&app, "GET", "/v1/candidate/exams", "not-a-token", None).await;
    assert_eq!(anonymous.status, 401);
    let bad_id = call(
        &app,
        "GET",
        "/v1/candidate/certifications/Not_An_Id",
        &token,
        None,
    )
    .await;
    assert_eq!(bad_id.status, 404);
}

async fn personal_info_settings_and_the_job_title(backend: Backend) {
    let app = TestApp::new(backend).await;
    let on_file = unique_email("grace");
    let (id, reg) = import_one(&app, &on_file).await;
    let (email, username) = active_account(&app, "personal").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let before = call(&app, "GET", "/v1/candidate", &token, None).await;
    assert_eq!(before.status, 404, "not mapped yet");
    let mapped = call(&app, "POST", "/v1/candidate/mapping", &token, Some(json!({
        "method": "score_report", "last_name": "Hopper", "registration_number": reg, "new_email": on_file,
    }))).await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);

    let info = call(&app, "GET", "/v1/candidate", &token, None).await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.json["identifiers"]["login_id"], username.as_str());
    assert_eq!(info.json["identifiers"]["candidate_id"], id.as_str());
    assert_eq!(info.json["identifiers"]["badging_email"], on_file.as_str());
    assert_eq!(info.json["settings_complete"], false);
    assert_eq!(info.json["settings"]["verification_consent"], Value::Null);

    let partial = call(
        &app,
        "PUT",
        "/v1/candidate/settings",
        &token,
        Some(json!({ "employee": true })),
    )
    .await;
    assert_eq!(partial.status, 422);
    assert_eq!(
        partial.json["errors"].as_array().unwrap().len(),
        4,
        "every missing answer listed"
    );
    let answers = json!({ "employee": false, "partner": true, "email_notifications": false, "academy_student": false, "verification_consent": true });
    let set = call(&app, "PUT", "/v1/candidate/settings", &token, Some(answers)).await;
    assert_eq!(
        (set.status, set.json["settings_complete"].as_bool()),
        (200, Some(true)),
        "{}",
        set.text
    );
    assert_eq!(set.json["settings"]["partner"], true);
    // The consent is served with its text and version, and the answer records the version.
    let consent = &set.json["consents"]["verification_consent"];
    assert!(consent["text"].as_str().unwrap().contains("third parties"));
    let version = consent["version"].as_u64().unwrap();
    assert_eq!(
        set.json["settings"]["verification_consent_version"],
        version
    );
    assert_eq!(set.json["verification_consent_current"], true);
    // An answer to a text the server no longer shows is refused, nothing changed.
    let stale = json!({ "employee": true, "partner": true, "email_notifications": false, "academy_student": false, "verification_consent": false, "verification_consent_version": version + 1 });
    let refused = call(&app, "PUT", "/v1/candidate/settings", &token, Some(stale)).await;
    assert_eq!(
        (refused.status, refused.json["errors"][0]["code"].as_str()),
        (422, Some("consent_text_changed")),
        "{}",
        refused.text
    );
    let unchanged = call(&app, "GET", "/v1/candidate", &token, None).await;
    assert_eq!(unchanged.json["settings"]["verification_consent"], true);
    assert_eq!(unchanged.json["settings"]["employee"], false);

    let titled = call(
        &app,
        "PATCH",
        "/v1/candidate/attributes",
        &token,
        Some(json!({ "job_title": "Network engineer" })),
    )
    .await;
    assert_eq!(
        titled.json["attributes"]["job_title"], "Network engineer",
        "{}",
        titled.text
    );
    let read_only = call(
        &app,
        "PATCH",
        "/v1/candidate/attributes",
        &token,
        Some(json!({ "credential_numbers": { "expert": "1" } })),
    )
    .await;
    assert_eq!(
        (
            read_only.status,
            read_only.json["errors"][0]["code"].as_str()
        ),
        (422, Some("read_only"))
    );
    // Importing the record again keeps the candidate's answers.
    let csv = format!("{EXAM_HEADER}\n{id},Grace,Hopper,{on_file},VT-NEW,{reg}-2,SC-301,Security Core,pass,2025-09-09\n");
    let r = import(
        &app,
        csv_upload("/v1/admin/imports/exam-results", &csv, None),
    )
    .await;
    assert_eq!(r.json["imported"], 1, "{}", r.text);
    let after = call(&app, "GET", "/v1/candidate", &token, None).await;
    assert_eq!(after.json["settings"]["verification_consent"], true);
    assert_eq!(after.json["attributes"]["job_title"], "Network engineer");
    assert_eq!(after.json["identifiers"]["testing_ids"], json!(["VT-NEW"]));
    let cleared = call(
        &app,
        "PATCH",
        "/v1/candidate/attributes",
        &token,
        Some(json!({ "job_title": null })),
    )
    .await;
    assert_eq!(cleared.json["attributes"]["job_title"], Value::Null);
}
