//! Answers that must not reveal an account take at least `TESSERA_UNIFORM_ANSWER_MS`, whether or
//! not the account exists, so the extra write and email a known account causes cannot be timed.
//! (Only the lower bound is asserted: it is what hides the difference, and it is not flaky.)

use serde_json::json;
use std::time::{Duration, Instant};
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};
use tessera_tests::{
    activate, active_account, authorized, candidate_call, csv_upload, import, log_in,
    request_reset, sign_up, token_of, verify_reset, PASSWORD,
};

const FLOOR: Duration = Duration::from_millis(300);

async fn timed<F: std::future::Future<Output = TestResponse>>(answer: F) -> (u16, Duration) {
    let start = Instant::now();
    let r = answer.await;
    (r.status, start.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_and_unknown_accounts_answer_no_sooner_than_the_floor() {
    let app = TestApp::with_vars(Backend::Embedded, &[("TESSERA_UNIFORM_ANSWER_MS", "300")]).await;
    let (known, _) = active_account(&app, "uniform").await;
    let unknown = unique_email("nobody");

    let mut answers = Vec::new();
    for email in [&known, &unknown] {
        answers.push(timed(request_reset(&app, email, "email")).await);
        answers.push(timed(sign_up(&app, email, PASSWORD)).await);
        let resend = json_request(
            "POST",
            "/v1/accounts/activation-code",
            &json!({ "email": email }),
        );
        answers.push(timed(app.call(accounts::handle, resend)).await);
        let reminder = json_request("POST", "/v1/email-reminders", &json!({ "email": email }));
        answers.push(timed(app.call(email_reminders::handle, reminder)).await);
    }
    for (i, (status, took)) in answers.iter().enumerate() {
        assert_eq!(*status, 202, "answer {i}");
        assert!(*took >= FLOOR, "answer {i} took {took:?}");
    }
}

/// Mapping by email answers alike (and no sooner than the floor) whether or not a record has the
/// address: only the mailbox learns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapping_by_email_answers_no_sooner_than_the_floor() {
    let app = TestApp::with_vars(Backend::Embedded, &[("TESSERA_UNIFORM_ANSWER_MS", "300")]).await;
    let on_file = unique_email("record");
    let csv = format!(
        "candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date\n\
         TSU1,Grace,Hopper,{on_file},,REG-U-1,SA-201,Security Operations Associate,pass,2025-06-11\n"
    );
    let r = import(
        &app,
        csv_upload("/v1/admin/imports/exam-results", &csv, None),
    )
    .await;
    assert_eq!(r.json["imported"], 1, "{}", r.text);
    let (email, _) = active_account(&app, "mapper").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let mut bodies = Vec::new();
    for address in [on_file.clone(), unique_email("nobody")] {
        let body = json!({ "method": "email", "email": address });
        let request = authorized("POST", "/v1/candidate/mapping", &token, Some(&body));
        let start = Instant::now();
        let r = candidate_call(&app, request).await;
        let took = start.elapsed();
        assert_eq!(r.status, 202, "{}", r.text);
        assert!(took >= FLOOR, "{address} took {took:?}");
        bodies.push(r.text);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(
        app.messages_to(&on_file).len(),
        1,
        "the code went to the address on file"
    );
}

/// Wrong activation and reset codes answer alike, and no sooner than the floor, whether the
/// address has a code outstanding, has none, or is nobody's: the extra reads and writes a real
/// code's check costs cannot be timed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_answer_alike_whether_or_not_a_code_is_outstanding() {
    let app = TestApp::with_vars(Backend::Embedded, &[("TESSERA_UNIFORM_ANSWER_MS", "300")]).await;
    let pending = unique_email("pending");
    sign_up(&app, &pending, PASSWORD).await;
    let (resetting, _) = active_account(&app, "resetting").await;
    request_reset(&app, &resetting, "email").await;
    let (idle, _) = active_account(&app, "idle").await;
    let nobody = unique_email("nobody");

    let wrong = |code: String| -> String {
        code.chars()
            .map(|c| char::from(b'0' + (c as u8 - b'0' + 1) % 10))
            .collect()
    };
    let activation_guess = wrong(app.latest_code(&pending));
    let reset_guess = wrong(app.latest_code(&resetting));
    let mut bodies = Vec::new();
    for email in [&pending, &idle, &nobody] {
        let (status, took, text) = timed_text(activate(&app, email, &activation_guess)).await;
        assert_eq!(status, 400, "{email}: {text}");
        assert!(took >= FLOOR, "activation for {email} took {took:?}");
        bodies.push(("activate", text));
    }
    for email in [&resetting, &idle, &nobody] {
        let (status, took, text) = timed_text(verify_reset(&app, email, &reset_guess)).await;
        assert_eq!(status, 400, "{email}: {text}");
        assert!(
            took >= FLOOR,
            "reset verification for {email} took {took:?}"
        );
        bodies.push(("verify", text));
    }
    for pair in bodies.windows(2) {
        if pair[0].0 == pair[1].0 {
            assert_eq!(
                pair[0].1, pair[1].1,
                "one body for every wrong {}",
                pair[0].0
            );
        }
    }
}

async fn timed_text<F: std::future::Future<Output = TestResponse>>(
    answer: F,
) -> (u16, Duration, String) {
    let start = Instant::now();
    let r = answer.await;
    (r.status, start.elapsed(), r.text)
}
