//! Answers that must not reveal an account take at least `TESSERA_UNIFORM_ANSWER_MS`, whether or
//! not the account exists, so the extra write and email a known account causes cannot be timed.
//! (Only the lower bound is asserted: it is what hides the difference, and it is not flaky.)

use serde_json::json;
use std::time::{Duration, Instant};
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};
use tessera_tests::{active_account, request_reset, sign_up, PASSWORD};

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
