//! Transcripts end to end on both backends: the holder creates one, emails it, the recipient
//! follows the link from the real email to the public page, views count (exactly, under 100
//! concurrent views), and the page stops on expiry (410), deletion or withdrawn consent (404),
//! counting nothing then.

use lambda_http::Request;
use serde_json::{json, Value};
use tessera_kernel::time::Seconds;
use tessera_testkit::{unique_email, Backend, TestApp, TestResponse};
use tessera_tests::certification::{call, consent, holder};
use tessera_tests::{log_in, on_both_backends, token_of, transcript_page, PASSWORD};

const TRANSCRIPTS: &str = "/v1/candidate/transcripts";

/// Signs in again (after the clock moved past the session's life).
async fn sign_in(app: &TestApp, email: &str) -> String {
    token_of(&log_in(app, email, PASSWORD).await)
}

fn page_request(path: &str, accept: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("GET")
        .uri(path)
        .header("accept", accept)
        .body(lambda_http::Body::Empty)
        .expect("valid request")
}

async fn open_page(app: &TestApp, path: &str) -> TestResponse {
    transcript_page(app, page_request(path, "text/html,application/xhtml+xml")).await
}

async fn open_json(app: &TestApp, path: &str) -> TestResponse {
    transcript_page(app, page_request(path, "application/json")).await
}

/// The path of the public link in `url` (`http://127.0.0.1:9000/v1/transcripts/<id>`).
fn path_of(url: &str) -> String {
    let at = url.find("/v1/transcripts/").expect("a transcript link");
    url[at..].to_string()
}

async fn send_email(app: &TestApp, token: &str, id: &str, to: &str) -> TestResponse {
    let path = format!("{TRANSCRIPTS}/{id}/emails");
    call(app, "POST", &path, token, Some(json!({ "to": to }))).await
}

async fn views_of(app: &TestApp, token: &str, id: &str) -> (u64, Value) {
    let list = call(app, "GET", TRANSCRIPTS, token, None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let t = list.json["transcripts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .expect("listed");
    (t["views"].as_u64().unwrap(), t["last_viewed"].clone())
}

async fn create_email_follow_the_link_and_count_views(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    let body = json!({
        "description": "Current certifications for the hiring team",
        "remarks": "Ask me about the lab.",
        "expires_in_days": 30,
        "certifications": "active",
    });

    // No consent to third-party verification yet: no transcript.
    let refused = call(&app, "POST", TRANSCRIPTS, &token, Some(body.clone())).await;
    assert_eq!(
        (refused.status, refused.json["code"].as_str()),
        (409, Some("consent_required"))
    );
    consent(&app, &token, true).await;

    let created = call(&app, "POST", TRANSCRIPTS, &token, Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32, "128 bits as hex");
    let url = created.json["url"].as_str().unwrap().to_string();
    assert_eq!(url, format!("http://127.0.0.1:9000/v1/transcripts/{id}"));
    assert_eq!(created.json["display_name"], "Ada Lovelace");
    assert_eq!(created.json["views"], 0);
    let encoded = url.replace(':', "%3A").replace('/', "%2F");
    for network in ["linkedin", "x", "facebook"] {
        let link = created.json["share"][network].as_str().unwrap();
        assert!(
            link.starts_with("https://") && link.ends_with(&encoded),
            "{link}"
        );
    }

    // Email it; the recipient follows the link in the real email.
    let recruiter = unique_email("recruiter");
    let sent = call(
        &app,
        "POST",
        &format!("{TRANSCRIPTS}/{id}/emails"),
        &token,
        Some(json!({ "to": recruiter })),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.text);
    let message = app.messages_to(&recruiter).pop().expect("an email");
    assert_eq!(
        message.subject.as_deref(),
        Some("Tessera - Transcript for Ada Lovelace")
    );
    assert!(message.body.contains("expires on Friday, 25 December 2026"));
    // The link in the email (text or HTML part), followed as a browser would.
    assert!(message.body.contains(&url), "{}", message.body);
    let at = message.body.find("/v1/transcripts/").unwrap();
    let path = message.body[at..at + "/v1/transcripts/".len() + 32].to_string();
    assert_eq!(path, path_of(&url));

    let page = open_page(&app, &path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"));
    for text in [
        "Ada Lovelace",
        "Infrastructure Associate (IA)",
        "Entry",
        "Ask me about the lab.",
        "This transcript expires on 2026-12-25.",
        "Country: GB",
    ] {
        assert!(page.text.contains(text), "{text} in {}", page.text);
    }
    assert!(
        !page.text.contains("Enterprise Professional"),
        "expired certifications are not shown"
    );

    let json = open_json(&app, &path).await;
    assert_eq!(json.status, 200, "{}", json.text);
    assert_eq!(json.json["holder"], "Ada Lovelace");
    assert_eq!(
        json.json["tracks"][1]["certifications"][0]["id"],
        "infrastructure-associate"
    );
    let (views, last) = views_of(&app, &token, &id).await;
    assert_eq!(views, 2);
    assert_eq!(last, json!("2026-11-25T00:00:00Z"));

    // Expired: 410, not counted; extended: shown again.
    app.clock.advance(Seconds::days(31));
    let token = sign_in(&app, &email).await;
    let gone = open_page(&app, &path).await;
    assert_eq!(gone.status, 410, "{}", gone.text);
    assert!(gone.text.contains("has expired"));
    assert_eq!(
        open_json(&app, &path).await.json["code"],
        "transcript_expired"
    );
    assert_eq!(views_of(&app, &token, &id).await.0, 2);
    let expired_send = call(
        &app,
        "POST",
        &format!("{TRANSCRIPTS}/{id}/emails"),
        &token,
        Some(json!({ "to": recruiter })),
    )
    .await;
    assert_eq!(expired_send.json["code"], "transcript_expired");
    let extended = call(
        &app,
        "PATCH",
        &format!("{TRANSCRIPTS}/{id}"),
        &token,
        Some(json!({ "expires_in_days": 10, "display_name": "A. Lovelace" })),
    )
    .await;
    assert_eq!(extended.status, 200, "{}", extended.text);
    assert_eq!(extended.json["views"], 2, "an edit keeps the views");
    assert_eq!(
        extended.json["description"],
        "Current certifications for the hiring team"
    );
    let again = open_page(&app, &path).await;
    assert_eq!(again.status, 200);
    assert!(again.text.contains("A. Lovelace"));
    assert_eq!(views_of(&app, &token, &id).await.0, 3);

    // Consent withdrawn: 404, not counted.
    consent(&app, &token, false).await;
    assert_eq!(open_page(&app, &path).await.status, 404);
    consent(&app, &token, true).await;
    assert_eq!(views_of(&app, &token, &id).await.0, 3);

    // Deleted: 404 for good.
    let deleted = call(&app, "DELETE", &format!("{TRANSCRIPTS}/{id}"), &token, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let after = open_page(&app, &path).await;
    assert_eq!(after.status, 404);
    assert!(after.text.contains("not available"));
    assert_eq!(
        call(&app, "DELETE", &format!("{TRANSCRIPTS}/{id}"), &token, None)
            .await
            .status,
        404
    );
    let list = call(&app, "GET", TRANSCRIPTS, &token, None).await;
    assert_eq!(list.json["transcripts"], json!([]));
}

async fn a_hundred_concurrent_views_count_a_hundred(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    consent(&app, &token, true).await;
    let created = call(&app, "POST", TRANSCRIPTS, &token, Some(json!({
        "description": "Load", "expires_in_days": 5, "certifications": ["infrastructure-associate"],
    })))
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_string();
    let path = format!("/v1/transcripts/{id}");
    let mut views = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let deps = app.certification.clone();
        let request = page_request(&path, "application/json");
        views.spawn(async move { transcript_page::handle(request, deps).await.status() });
    }
    while let Some(status) = views.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(views_of(&app, &token, &id).await.0, 100);
}

async fn chosen_certifications_and_bad_requests(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    consent(&app, &token, true).await;

    let not_held = call(
        &app,
        "POST",
        TRANSCRIPTS,
        &token,
        Some(json!({
            "description": "x", "expires_in_days": 5, "certifications": ["enterprise-professional"],
        })),
    )
    .await;
    assert_eq!(
        (not_held.status, not_held.json["code"].as_str()),
        (422, Some("not_held")),
        "an expired certification cannot be chosen"
    );
    let invalid = call(
        &app,
        "POST",
        TRANSCRIPTS,
        &token,
        Some(json!({
            "description": "", "expires_in_days": 0, "certifications": "all", "include_new": "yes",
        })),
    )
    .await;
    assert_eq!(invalid.status, 422, "{}", invalid.text);
    let fields = invalid.error_fields();
    for field in [
        "description",
        "expires_in_days",
        "certifications",
        "include_new",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let missing = call(&app, "POST", TRANSCRIPTS, &token, Some(json!({}))).await;
    assert_eq!(missing.status, 422);
    let unknown = call(
        &app,
        "POST",
        TRANSCRIPTS,
        &token,
        Some(json!({ "views": 9 })),
    )
    .await;
    assert_eq!(unknown.json["code"], "unknown_field");
    assert_eq!(
        call(&app, "GET", TRANSCRIPTS, &token, None).await.json["transcripts"],
        json!([]),
        "nothing written by refused requests"
    );

    let hostile = "<script>alert('x')</script>";
    let created = call(
        &app,
        "POST",
        TRANSCRIPTS,
        &token,
        Some(json!({
            "display_name": hostile, "description": hostile, "expires_in_days": 5,
            "certifications": ["networking-technician"],
        })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_string();
    let page = open_page(&app, &format!("/v1/transcripts/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("<script"), "{}", page.text);
    assert!(page
        .text
        .contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"));
    assert!(page.text.contains("Networking Technician"));
    assert!(
        !page.text.contains("Infrastructure Associate"),
        "only the chosen certification"
    );

    let bad_recipient = call(
        &app,
        "POST",
        &format!("{TRANSCRIPTS}/{id}/emails"),
        &token,
        Some(json!({ "to": "not an address" })),
    )
    .await;
    assert_eq!(bad_recipient.status, 422);
    let other = format!("{TRANSCRIPTS}/{}", "0".repeat(32));
    let absent = call(
        &app,
        "PATCH",
        &other,
        &token,
        Some(json!({ "remarks": "x" })),
    )
    .await;
    assert_eq!(absent.json["code"], "transcript_not_found");
    // A malformed id gets the page a person can read, like an unknown one.
    let malformed = open_page(&app, "/v1/transcripts/not-an-id").await;
    assert_eq!(malformed.status, 404);
    assert!(
        malformed.text.contains("Transcript not available"),
        "{}",
        malformed.text
    );
    let post = transcript_page(
        &app,
        tessera_testkit::json_request("POST", &format!("/v1/transcripts/{id}"), &json!({})),
    )
    .await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET"));
}

async fn emails_are_rate_limited_per_holder(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    consent(&app, &token, true).await;
    let created = call(
        &app,
        "POST",
        TRANSCRIPTS,
        &token,
        Some(json!({
            "description": "x", "expires_in_days": 5, "certifications": "active",
        })),
    )
    .await;
    let id = created.json["id"].as_str().unwrap().to_string();
    let to = unique_email("many");
    for _ in 0..20 {
        assert_eq!(send_email(&app, &token, &id, &to).await.status, 202);
    }
    let limited = send_email(&app, &token, &id, &to).await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert_eq!(limited.json["code"], "too_many_emails");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(app.messages_to(&to).len(), 20);
    // The next day's window has room again.
    app.clock.advance(Seconds::days(1));
    let token = sign_in(&app, &email).await;
    assert_eq!(send_email(&app, &token, &id, &to).await.status, 202);
}

/// Rule "public pages vouch only for what the program holds": the holder's name on the page, in
/// its JSON and in the email to the recipient is the record's; a name the holder typed is shown
/// as their own words.
async fn the_page_vouches_only_for_the_records_name(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    consent(&app, &token, true).await;
    let typed = "Dr. Grace Hopper, Rear Admiral";
    let body = json!({
        "display_name": typed, "description": "For the hiring team",
        "expires_in_days": 30, "certifications": "active",
    });
    let created = call(&app, "POST", TRANSCRIPTS, &token, Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = path_of(created.json["url"].as_str().unwrap());
    let shown = open_json(&app, &path).await;
    assert_eq!(
        (&shown.json["holder"], &shown.json["display_name"]),
        (&json!("Ada Lovelace"), &json!(typed)),
        "{}",
        shown.text
    );
    let page = open_page(&app, &path).await;
    assert!(
        page.text.contains("<h2 id=\"holder\">Ada Lovelace</h2>"),
        "{}",
        page.text
    );
    assert!(page
        .text
        .contains(&format!("<q>{typed}</q> (the holder's own words")));
    assert!(page.text.contains("provided to you by Ada Lovelace"));
    assert!(page.text.contains("<title>Transcript for Ada Lovelace"));

    let recruiter = unique_email("recruiter");
    let id = created.json["id"].as_str().unwrap();
    assert_eq!(send_email(&app, &token, id, &recruiter).await.status, 202);
    let message = app.messages_to(&recruiter).pop().expect("an email");
    assert_eq!(
        message.subject.as_deref(),
        Some("Tessera - Transcript for Ada Lovelace")
    );
    assert!(!message.body.contains(typed));

    // The record's own name typed again is no display name of its own.
    let same = json!({ "display_name": "Ada Lovelace" });
    let edited = call(
        &app,
        "PATCH",
        &format!("{TRANSCRIPTS}/{id}"),
        &token,
        Some(same),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(open_json(&app, &path).await.json.get("display_name"), None);
}

/// The display options: the page shows the address lines typed, the candidate ID only when
/// asked, and hides dates and location when told; the preview is the email that is then sent,
/// and previewing sends and counts nothing. Bad options are refused with nothing changed.
async fn display_options_choose_the_details_and_the_email_is_previewed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    consent(&app, &token, true).await;
    let body = json!({
        "description": "For the hiring team", "expires_in_days": 30, "certifications": "active",
        "address_lines": ["12 Analytical Row", "  London N1  "],
    });
    let created = call(&app, "POST", TRANSCRIPTS, &token, Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        (
            &created.json["show_dates"],
            &created.json["show_candidate_id"],
            &created.json["show_location"],
            &created.json["address_lines"]
        ),
        (
            &json!(true),
            &json!(false),
            &json!(true),
            &json!(["12 Analytical Row", "London N1"])
        ),
        "defaults, and the lines trimmed"
    );
    let id = created.json["id"].as_str().unwrap().to_string();
    let path = path_of(created.json["url"].as_str().unwrap());
    let shown = open_json(&app, &path).await;
    assert_eq!(
        shown.json["address_lines"][1], "London N1",
        "{}",
        shown.text
    );
    assert_eq!(shown.json.get("candidate_id"), None);
    assert!(shown.json["country"].is_string());
    assert!(shown.json["tracks"][0]["certifications"][0]["active"].is_string());
    let page = open_page(&app, &path).await;
    assert!(
        page.text
            .contains("<address>12 Analytical Row<br>\nLondon N1<br>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Active since"));

    let edit = format!("{TRANSCRIPTS}/{id}");
    let hide = json!({ "show_dates": false, "show_location": false, "show_candidate_id": true });
    let edited = call(&app, "PATCH", &edit, &token, Some(hide)).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.json["address_lines"][0], "12 Analytical Row", "kept");
    let shown = open_json(&app, &path).await;
    let candidate_id = shown.json["candidate_id"].as_str().expect("shown now");
    assert!(candidate_id.starts_with("TSC"), "{}", shown.text);
    assert_eq!(shown.json.get("country"), None, "{}", shown.text);
    assert_eq!(shown.json["dates_shown"], false);
    let first = &shown.json["tracks"][0]["certifications"][0];
    assert_eq!(
        (first.get("active"), &first["expires"]),
        (None, &Value::Null)
    );
    let page = open_page(&app, &path).await;
    assert!(!page.text.contains("Active since"), "{}", page.text);
    assert!(!page.text.contains("Country:"), "{}", page.text);
    assert!(page.text.contains(&format!("Candidate ID: {candidate_id}")));

    for bad in [
        json!({ "address_lines": ["1", "2", "3", "4", "5"] }),
        json!({ "address_lines": ["x".repeat(101)] }),
        json!({ "address_lines": ["line\u{0}break"] }),
        json!({ "address_lines": "12 Analytical Row" }),
        json!({ "show_dates": "no" }),
    ] {
        let refused = call(&app, "PATCH", &edit, &token, Some(bad.clone())).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.text);
    }
    let unchanged = call(&app, "GET", TRANSCRIPTS, &token, None).await;
    assert_eq!(
        unchanged.json["transcripts"][0]["address_lines"],
        json!(["12 Analytical Row", "London N1"])
    );

    let views_before = views_of(&app, &token, &id).await.0;
    let preview_path = format!("{TRANSCRIPTS}/{id}/email-preview");
    let preview = call(&app, "GET", &preview_path, &token, None).await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(
        preview.json["subject"],
        "Tessera - Transcript for Ada Lovelace"
    );
    assert!(preview.json["text"].as_str().unwrap().contains(&path));
    assert!(preview.json["html"].as_str().unwrap().contains(&path));
    assert_eq!(views_of(&app, &token, &id).await.0, views_before);
    let recruiter = unique_email("recruiter.preview");
    assert!(app.messages_to(&recruiter).is_empty());
    assert_eq!(send_email(&app, &token, &id, &recruiter).await.status, 202);
    let sent = app.messages_to(&recruiter).pop().expect("the email");
    assert_eq!(sent.subject.as_deref(), preview.json["subject"].as_str());
    assert!(sent.body.contains(&path));
    let unknown = format!("{TRANSCRIPTS}/{}/email-preview", "0".repeat(32));
    assert_eq!(call(&app, "GET", &unknown, &token, None).await.status, 404);
}

on_both_backends!(
    display_options_choose_the_details_and_the_email_is_previewed,
    the_page_vouches_only_for_the_records_name,
    create_email_follow_the_link_and_count_views,
    a_hundred_concurrent_views_count_a_hundred,
    chosen_certifications_and_bad_requests,
    emails_are_rate_limited_per_holder,
);
