//! Fault injection on the DynamoDB adapter (moto): every call a flow makes is failed in turn,
//! either before it is sent or after the table applied it with the answer lost (a timeout). After
//! each fault the stored state is the old one or the new one, never a mix, the answer is one the
//! API declares, and the user can finish what they started.

use serde_json::json;
use tessera_core::time::Seconds;
use tessera_testkit::calls::{FailOneCall, Fault};
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};
use tessera_tests::{
    activate, active_account, authorized, log_in, me, request_reset, sign_up, token_of,
    verify_reset, PASSWORD,
};

const FAULTS: [Fault; 2] = [Fault::BeforeSending, Fault::AnswerLost];
const NEW_PASSWORD: &str = "Granite-Meadow-77q";

/// How many DynamoDB calls `flow` makes on a fresh app prepared by `setup`, without faults.
async fn calls_of<S, F>(setup: S, flow: F) -> usize
where
    S: AsyncFn(&TestApp) -> String,
    F: AsyncFn(&TestApp, &str),
{
    let mut app = TestApp::new(Backend::Moto).await;
    let subject = setup(&app).await;
    let counter = app.count_dynamodb_calls().await.expect("moto");
    flow(&app, &subject).await;
    let calls = counter.take().len();
    assert!(calls > 0, "the flow made no DynamoDB call");
    calls
}

/// Names the case for assertion messages, once the fault has struck (a test whose fault never
/// struck would prove nothing).
fn case_of(failure: &FailOneCall, nth: usize, fault: Fault) -> String {
    let operation = failure.struck();
    let case = format!("{fault:?} at call {nth} ({operation:?})");
    assert!(operation.is_some(), "{case}: the fault never struck");
    case
}

/// A fault leaves an answer the API declares: the flow's own, or the generic 500.
fn declared(r: &TestResponse, expected: u16) {
    assert!(
        r.status == expected || (r.status == 500 && r.json["code"] == "internal_error"),
        "{} {}",
        r.status,
        r.text
    );
}

/// Exactly one of the two passwords logs in.
async fn one_password_works(app: &TestApp, email: &str, old: &str, new: &str) -> &'static str {
    let old_works = log_in(app, email, old).await.status == 201;
    let new_works = log_in(app, email, new).await.status == 201;
    assert!(old_works != new_works, "old {old_works}, new {new_works}");
    if new_works {
        "new"
    } else {
        "old"
    }
}

async fn no_account(_: &TestApp) -> String {
    unique_email("fault")
}

async fn sign_up_new(app: &TestApp, email: &str) {
    assert_eq!(sign_up(app, email, PASSWORD).await.status, 202);
}

/// Sign-up is one transaction (identity, email marker, profile): after a fault there is a whole
/// pending account or none, and signing up again, then activating, works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_survives_a_fault_at_every_call() {
    let calls = calls_of(no_account, sign_up_new).await;
    for nth in 1..=calls {
        for fault in FAULTS {
            let mut app = TestApp::new(Backend::Moto).await;
            let email = unique_email("fault");
            let failure = app.fail_dynamodb_call(nth, fault).await.unwrap();
            let r = sign_up(&app, &email, PASSWORD).await;
            let case = case_of(&failure, nth, fault);
            declared(&r, 202);

            let canonical = tessera_core::Email::parse(&email).unwrap();
            let identity = app.deps.store.identity(&canonical).await.unwrap();
            if let Some(identity) = &identity {
                let profile = app.deps.store.profile(&identity.account_id).await.unwrap();
                assert!(profile.is_some(), "{case}: an identity without its profile");
            }
            app.clock.advance(Seconds(61));
            assert_eq!(sign_up(&app, &email, PASSWORD).await.status, 202, "{case}");
            let r = activate(&app, &email, &app.latest_code(&email)).await;
            assert_eq!(r.status, 200, "{case}: {}", r.text);
            token_of(&log_in(&app, &email, PASSWORD).await);
        }
    }
}

async fn an_active_account(app: &TestApp) -> String {
    active_account(app, "fault").await.0
}

/// The reset steps until one does not succeed: request, verify with the emailed code, complete.
async fn reset_to(app: &TestApp, email: &str, new: &str) -> Vec<TestResponse> {
    let mut answers = vec![request_reset(app, email, "email").await];
    if answers[0].status != 202 {
        return answers;
    }
    let code = app.latest_code(email);
    answers.push(verify_reset(app, email, &code).await);
    let Some(token) = answers[1].json["reset_token"].as_str().map(str::to_string) else {
        return answers;
    };
    let body = json!({ "reset_token": token, "new_password": new, "confirm_password": new });
    answers.push(
        app.call(
            password_reset::handle,
            json_request("POST", "/v1/password-resets/complete", &body),
        )
        .await,
    );
    answers
}

async fn reset_to_new(app: &TestApp, email: &str) {
    let answers = reset_to(app, email, NEW_PASSWORD).await;
    assert_eq!(answers.last().unwrap().status, 204);
}

/// Forgot-password end to end (request, verify, complete): after a fault at any call, exactly
/// one password works, and a fresh reset completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_survives_a_fault_at_every_call() {
    let calls = calls_of(an_active_account, reset_to_new).await;
    for nth in 1..=calls {
        for fault in FAULTS {
            let mut app = TestApp::new(Backend::Moto).await;
            let email = an_active_account(&app).await;
            let failure = app.fail_dynamodb_call(nth, fault).await.unwrap();
            let answers = reset_to(&app, &email, NEW_PASSWORD).await;
            let case = case_of(&failure, nth, fault);
            for (answer, expected) in answers.iter().zip([202, 200, 204]) {
                declared(answer, expected);
            }
            let works = one_password_works(&app, &email, PASSWORD, NEW_PASSWORD).await;
            if answers.len() == 3 && answers[2].status == 204 {
                assert_eq!(works, "new", "{case}");
            }
            // A code or token the fault left behind must not block a fresh attempt.
            app.clock.advance(Seconds::minutes(16));
            let third = "Copper-Lantern-58z";
            let retry = reset_to(&app, &email, third).await;
            assert_eq!(
                retry.last().unwrap().status,
                204,
                "{case}: {:?}",
                retry.last().unwrap().text
            );
            token_of(&log_in(&app, &email, third).await);
        }
    }
}

async fn change_password(app: &TestApp, token: &str) -> TestResponse {
    let body = json!({
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    });
    app.call(
        password_change::handle,
        authorized("PUT", "/v1/me/password", token, Some(&body)),
    )
    .await
}

/// A session of an account old enough for a voluntary change (the policy's minimum age).
async fn a_session(app: &TestApp) -> String {
    a_session_of(app, &an_active_account(app).await).await
}

async fn a_session_of(app: &TestApp, email: &str) -> String {
    app.clock.advance(Seconds::minutes(61));
    token_of(&log_in(app, email, PASSWORD).await)
}

async fn change_to_new(app: &TestApp, token: &str) {
    let r = change_password(app, token).await;
    assert_eq!(r.status, 204, "{}", r.text);
}

/// A password change (history, sessions revoked, new hash: one write): after a fault at any call,
/// either the old password and its session still work, or the new password works and the session
/// is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_survives_a_fault_at_every_call() {
    let calls = calls_of(a_session, change_to_new).await;
    for nth in 1..=calls {
        for fault in FAULTS {
            let mut app = TestApp::new(Backend::Moto).await;
            let email = an_active_account(&app).await;
            let token = a_session_of(&app, &email).await;
            let failure = app.fail_dynamodb_call(nth, fault).await.unwrap();
            let r = change_password(&app, &token).await;
            let case = case_of(&failure, nth, fault);
            declared(&r, 204);
            let session_alive = me(&app, &token).await.status == 200;
            match one_password_works(&app, &email, PASSWORD, NEW_PASSWORD).await {
                "new" => assert!(!session_alive, "{case}: the session outlived the change"),
                _ => {
                    assert!(session_alive, "{case}: the session died without a change");
                    assert_ne!(
                        r.status, 204,
                        "{case}: 204 but the old password still works"
                    );
                }
            }
        }
    }
}
