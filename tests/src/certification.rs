//! Helpers for the certification flow tests: requests through the candidate handler, the
//! sample files imported, a signed-in account on the samples' day.

use serde_json::Value;
use tessera_kernel::time::Seconds;
use tessera_testkit::{TestApp, TestResponse};

use crate::{
    active_account, authorized, candidate_call, csv_upload, import, log_in, sample, token_of,
    PASSWORD,
};

/// A request through the candidate handler with the session `token` (and the query string of
/// `path`, if any).
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> TestResponse {
    let mut request = authorized(method, path, token, body.as_ref());
    if let Some((_, query)) = path.split_once('?') {
        use lambda_http::RequestExt;
        // Decoded, as API Gateway hands a query to the function.
        let params: std::collections::HashMap<String, String> =
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
        request = request.with_query_string_parameters(params);
    }
    candidate_call(app, request).await
}

/// A signed-in account's token, on a clock moved to 2026-11-25 (the samples' "today").
pub async fn signed_in(app: &TestApp) -> String {
    let (email, _) = active_account(app, "candidate").await;
    token_of(&log_in(app, &email, PASSWORD).await)
}

pub fn move_clock_to_the_samples_day(app: &TestApp) {
    // The manual clock starts on 2026-01-01.
    app.clock.advance(Seconds::days(328));
}

pub async fn import_samples(app: &TestApp) {
    let r = import(
        app,
        csv_upload(
            "/v1/admin/imports/exam-results",
            &sample("exam-results.csv"),
            None,
        ),
    )
    .await;
    assert_eq!(r.json["imported"], 15, "{}", r.text);
    let r = import(
        app,
        csv_upload(
            "/v1/admin/imports/ce-credits",
            &sample("ce-credits.csv"),
            Some("creq-20251101.csv"),
        ),
    )
    .await;
    assert_eq!(r.json["imported"], 5, "{}", r.text);
}

/// Ada's record (the samples) mapped to a new account, on the samples' day; its address and
/// token.
pub async fn holder(app: &TestApp) -> (String, String) {
    import_samples(app).await;
    move_clock_to_the_samples_day(app);
    let (email, _) = active_account(app, "holder").await;
    let token = token_of(&log_in(app, &email, PASSWORD).await);
    let mapped = call(
        app,
        "POST",
        "/v1/candidate/mapping",
        &token,
        Some(serde_json::json!({
            "method": "score_report", "last_name": "Lovelace",
            "registration_number": "REG-2019-0416",
            "new_email": tessera_testkit::unique_email("ada.holder"),
        })),
    )
    .await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);
    (email, token)
}

/// The holder answers the settings questions, giving (or withholding) consent to third-party
/// verification, which transcripts need.
pub async fn consent(app: &TestApp, token: &str, given: bool) {
    let settings = serde_json::json!({
        "employee": false, "partner": false, "email_notifications": true,
        "academy_student": false, "verification_consent": given,
    });
    let r = call(app, "PUT", "/v1/candidate/settings", token, Some(settings)).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// A transcript of the holder's active certifications, for a recruiter.
pub async fn create_transcript(app: &TestApp, token: &str) -> TestResponse {
    let body = serde_json::json!({ "description": "For a recruiter", "expires_in_days": 30, "certifications": "active" });
    let transcript = candidate_call(
        app,
        crate::authorized("POST", "/v1/candidate/transcripts", token, Some(&body)),
    )
    .await;
    assert_eq!(transcript.status, 201, "{}", transcript.text);
    transcript
}
