//! Fault injection on the AWS adapters (moto). DynamoDB: every call a flow makes is failed in
//! turn, before it is sent, after the table applied it with the answer lost (a timeout), or
//! refused on its condition as if a concurrent request had won; after each fault the stored state is the old one or the new one, never a mix, the answer is one
//! the API declares, and the user can finish what they started. SES and SNS: a message whose call
//! fails either way is kept, and the retry job delivers it.

use lambda_http::{Body, Request};
use serde_json::{json, Value};
use tessera_fulfillment::signature::SigningSecret;
use tessera_kernel::ports::Clock;
use tessera_kernel::time::Seconds;
use tessera_testkit::calls::{FailOneCall, Fault};
use tessera_testkit::payment_provider::FakeProvider;
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};
use tessera_tests::certification::holder;
use tessera_tests::orders::{order_body, ORDERS};
use tessera_tests::{
    activate, active_account, authorized, fulfillment_state, log_in, me, request_reset, sign_up,
    token_of, verify_reset, PASSWORD,
};

const CATALOG: &str = "/v1/candidate/fulfillment/catalog";

/// The faults of a DynamoDB call: not sent, applied with the answer lost, refused on its
/// condition (as when a concurrent request won).
const STORE_FAULTS: [Fault; 3] = [
    Fault::BeforeSending,
    Fault::AnswerLost,
    Fault::ConditionFailed,
];
/// The faults of an SES or SNS call: not sent, or sent with the answer lost.
const SEND_FAULTS: [Fault; 2] = [Fault::BeforeSending, Fault::AnswerLost];
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

/// A fault leaves an answer the API declares: the flow's own, the generic 500, or the generic
/// 409 of a request that lost its race (an injected condition failure reads as one).
fn declared(r: &TestResponse, expected: u16) {
    assert!(
        r.status == expected
            || (r.status == 500 && r.json["code"] == "internal_error")
            || (r.status == 409 && r.json["code"] == "conflict"),
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
        for fault in STORE_FAULTS {
            let mut app = TestApp::new(Backend::Moto).await;
            let email = unique_email("fault");
            let failure = app.fail_dynamodb_call(nth, fault).await.unwrap();
            let r = sign_up(&app, &email, PASSWORD).await;
            let case = case_of(&failure, nth, fault);
            declared(&r, 202);

            let canonical = tessera_kernel::email::Email::parse(&email).unwrap();
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
        for fault in STORE_FAULTS {
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
        for fault in STORE_FAULTS {
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

/// A candidate with a certification, and so a free initial kit to claim, as the fulfillment
/// function sees them (with a loopback payment provider).
struct Buyer {
    email: String,
    token: String,
    kit: String,
    provider: FakeProvider,
}

impl Buyer {
    async fn new(app: &TestApp) -> Buyer {
        let (email, token) = holder(app).await;
        let provider = FakeProvider::start().await;
        let mut buyer = Buyer {
            email,
            token,
            kit: String::new(),
            provider,
        };
        let catalog = buyer
            .send(app, authorized("GET", CATALOG, &buyer.token, None))
            .await;
        assert_eq!(catalog.status, 200, "{}", catalog.text);
        buyer.kit = catalog.json["kits"][0]["certification_id"]
            .as_str()
            .unwrap()
            .to_string();
        buyer
    }

    async fn send(&self, app: &TestApp, request: Request) -> TestResponse {
        let state = fulfillment_state(app, Some(&self.provider));
        TestResponse::from_response(
            tessera_testkit::keys::within("fulfillment", fulfillment::handle(request, state)).await,
        )
    }

    /// The free initial kit, shipped without tracking (idempotency key `claim-1`).
    async fn claim(&self, app: &TestApp) -> TestResponse {
        self.order(app, "claim-1", &order_body(&self.kit, 1, false))
            .await
    }

    /// Two kits with tracking, paid by card (idempotency key `buy-1`).
    async fn buy(&self, app: &TestApp) -> TestResponse {
        self.order(app, "buy-1", &order_body(&self.kit, 2, true))
            .await
    }

    async fn order(&self, app: &TestApp, key: &str, body: &Value) -> TestResponse {
        let mut request = authorized("POST", ORDERS, &self.token, Some(body));
        let key = key.parse().unwrap();
        request.headers_mut().insert("idempotency-key", key);
        self.send(app, request).await
    }

    /// The provider's signed `checkout.session.completed` for the checkout of `order`.
    async fn pay(&self, app: &TestApp, order: &TestResponse) -> TestResponse {
        let url = order.json["checkout_url"].as_str().expect("a checkout");
        let session = url.rsplit('/').next().unwrap();
        let event = self
            .provider
            .event("evt_fault_1", "checkout.session.completed", session);
        let secret = SigningSecret::new(tessera_http::config::LOCAL_WEBHOOK_SECRET);
        let signature = secret.sign(app.clock.now(), &event);
        let request = lambda_http::http::Request::builder()
            .method("POST")
            .uri("/v1/payments/webhook")
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(Body::Text(String::from_utf8(event).unwrap()))
            .unwrap();
        self.send(app, request).await
    }

    /// The fulfillment house reports the order sent.
    async fn report_sent(&self, app: &TestApp, id: &str) -> TestResponse {
        let path = format!("/v1/admin/fulfillment/orders/{id}/status");
        let body = json!({"status": "sent", "tracking_number": "1Z999AA10123456784"});
        let admin = tessera_http::config::LOCAL_ADMIN_TOKEN;
        self.send(app, authorized("POST", &path, admin, Some(&body)))
            .await
    }

    /// The candidate's orders as their front end lists them.
    async fn orders(&self, app: &TestApp) -> Vec<Value> {
        let r = self
            .send(app, authorized("GET", ORDERS, &self.token, None))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["orders"].as_array().unwrap().clone()
    }

    /// The subjects of the emails about order `id`: its confirmation, then its shipment.
    fn subjects_about(&self, app: &TestApp, id: &str) -> Vec<String> {
        app.messages_to(&self.email)
            .into_iter()
            .filter_map(|m| m.subject)
            .filter(|subject| subject.contains(id))
            .collect()
    }
}

/// Asks until the answer is `expected`, as a front end, the payment provider or the fulfillment
/// house does after a failure (one fault is injected, so the second answer is final).
async fn until<F: AsyncFn() -> TestResponse>(
    first: TestResponse,
    expected: u16,
    again: F,
) -> TestResponse {
    declared(&first, expected);
    if first.status == expected {
        return first;
    }
    let second = again().await;
    assert_eq!(second.status, expected, "{}", second.text);
    second
}

/// The number of DynamoDB calls `step` makes on a buyer prepared by `setup`, without faults.
async fn buyer_calls_of<S, F>(setup: S, step: F) -> usize
where
    S: AsyncFn(&TestApp, &Buyer) -> TestResponse,
    F: AsyncFn(&TestApp, &Buyer, &TestResponse) -> TestResponse,
{
    let mut app = TestApp::new(Backend::Moto).await;
    let buyer = Buyer::new(&app).await;
    let before = setup(&app, &buyer).await;
    let counter = app.count_dynamodb_calls().await.expect("moto");
    let r = step(&app, &buyer, &before).await;
    assert!(r.status < 300, "{} {}", r.status, r.text);
    let calls = counter.take().len();
    assert!(calls > 0, "the step made no DynamoDB call");
    calls
}

async fn nothing(_: &TestApp, _: &Buyer) -> TestResponse {
    TestResponse::from_response(lambda_http::Response::new(Body::Empty))
}

async fn claim_free_kit(app: &TestApp, buyer: &Buyer, _: &TestResponse) -> TestResponse {
    buyer.claim(app).await
}

/// A free kit claim is one transaction (order, claim, idempotency key) followed by its email:
/// after a fault at any call the front end's retry under the same key ends with one queued order
/// and one confirmation, including when the write landed and its answer was lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kit_claim_survives_a_fault_at_every_call() {
    let calls = buyer_calls_of(nothing, claim_free_kit).await;
    for nth in 1..=calls {
        for fault in STORE_FAULTS {
            let mut app = TestApp::new(Backend::Moto).await;
            let buyer = Buyer::new(&app).await;
            let failure = app.fail_dynamodb_call(nth, fault).await.unwrap();
            let first = buyer.claim(&app).await;
            let case = case_of(&failure, nth, fault);
            let placed = until(first, 201, async || buyer.claim(&app).await).await;
            let id = placed.json["id"].as_str().unwrap();
            let orders = buyer.orders(&app).await;
            assert_eq!(orders.len(), 1, "{case}: {orders:?}");
            assert_eq!(orders[0]["status"], "queued", "{case}");
            let subjects = buyer.subjects_about(&app, id);
            assert_eq!(subjects.len(), 1, "{case}: one confirmation {subjects:?}");
        }
    }
}

async fn paid_order(app: &TestApp, buyer: &Buyer) -> TestResponse {
    let r = buyer.buy(app).await;
    assert_eq!(r.json["status"], "pending_payment", "{}", r.text);
    r
}

async fn pay(app: &TestApp, buyer: &Buyer, order: &TestResponse) -> TestResponse {
    buyer.pay(app, order).await
}

/// The provider's payment event is one conditional write recording the event with the order's
/// new status, followed by the confirmation: after a fault at any call the provider's
/// redelivery ends with the order queued and one confirmation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_event_survives_a_fault_at_every_call() {
    let calls = buyer_calls_of(paid_order, pay).await;
    for nth in 1..=calls {
        for fault in STORE_FAULTS {
            let mut app = TestApp::new(Backend::Moto).await;
            let buyer = Buyer::new(&app).await;
            let order = paid_order(&app, &buyer).await;
            let id = order.json["id"].as_str().unwrap();
            let failure = app.fail_dynamodb_call(nth, fault).await.unwrap();
            let first = buyer.pay(&app, &order).await;
            let case = case_of(&failure, nth, fault);
            until(first, 200, async || buyer.pay(&app, &order).await).await;
            let orders = buyer.orders(&app).await;
            assert_eq!(orders[0]["status"], "queued", "{case}");
            let subjects = buyer.subjects_about(&app, id);
            assert_eq!(subjects.len(), 1, "{case}: one confirmation {subjects:?}");
        }
    }
}

async fn queued_order(app: &TestApp, buyer: &Buyer) -> TestResponse {
    let r = buyer.claim(app).await;
    assert_eq!(r.json["status"], "queued", "{}", r.text);
    r
}

async fn report_sent(app: &TestApp, buyer: &Buyer, order: &TestResponse) -> TestResponse {
    buyer
        .report_sent(app, order.json["id"].as_str().unwrap())
        .await
}

/// The fulfillment house's report: after a fault at any call its retry ends with the order sent
/// and one shipment email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shipment_report_survives_a_fault_at_every_call() {
    let calls = buyer_calls_of(queued_order, report_sent).await;
    for nth in 1..=calls {
        for fault in STORE_FAULTS {
            let mut app = TestApp::new(Backend::Moto).await;
            let buyer = Buyer::new(&app).await;
            let order = queued_order(&app, &buyer).await;
            let id = order.json["id"].as_str().unwrap();
            let failure = app.fail_dynamodb_call(nth, fault).await.unwrap();
            let first = report_sent(&app, &buyer, &order).await;
            let case = case_of(&failure, nth, fault);
            until(first, 200, async || report_sent(&app, &buyer, &order).await).await;
            let orders = buyer.orders(&app).await;
            assert_eq!(orders[0]["status"], "sent", "{case}");
            let subjects = buyer.subjects_about(&app, id);
            let shipped = subjects.iter().filter(|s| s.contains("shipped")).count();
            assert_eq!(shipped, 1, "{case}: one shipment email {subjects:?}");
        }
    }
}

async fn retry_unsent(app: &TestApp) -> tessera_kernel::delivery::RetryReport {
    tessera_testkit::keys::within(
        "notification-retries",
        notification_retries::run(&app.state()),
    )
    .await
    .expect("retry run")
}

/// SES fails the activation email at the adapter: before sending (it never reached SES) or with
/// the answer lost (SES sent it; the function cannot know). Sign-up answers 202 either way, the
/// email is kept, the retry job sends it a minute later, and its code activates the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_the_mail_system_fails_is_kept_and_retried() {
    for fault in SEND_FAULTS {
        let mut app = TestApp::new(Backend::Moto).await;
        let failure = app.fail_messenger_call(1, fault).await.unwrap();
        let email = unique_email("ses-fault");
        let r = sign_up(&app, &email, PASSWORD).await;
        let case = case_of(&failure, 1, fault);
        assert_eq!(r.status, 202, "{case}: {}", r.text);
        let delivered = app.messages_to(&email).len();
        assert_eq!(delivered, usize::from(fault == Fault::AnswerLost), "{case}");

        app.clock.advance(Seconds(60));
        assert_eq!(retry_unsent(&app).await.sent, 1, "{case}");
        assert_eq!(app.messages_to(&email).len(), delivered + 1, "{case}");
        let r = activate(&app, &email, &app.latest_code(&email)).await;
        assert_eq!(r.status, 200, "{case}: {}", r.text);
    }
}

async fn phone_call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> TestResponse {
    app.call(phone::handle, authorized(method, path, token, Some(&body)))
        .await
}

/// SNS fails the verification SMS at the adapter, either way: the number is saved unverified
/// (202), the SMS is kept, the retry job sends it, and its code verifies the number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_the_sms_service_fails_is_kept_and_retried() {
    for fault in SEND_FAULTS {
        let mut app = TestApp::new(Backend::Moto).await;
        let email = an_active_account(&app).await;
        let token = a_session_of(&app, &email).await;
        let number = tessera_testkit::app::unique_mobile();
        let failure = app.fail_messenger_call(1, fault).await.unwrap();
        let body = json!({ "password": PASSWORD, "phone": number });
        let r = phone_call(&app, "PUT", "/v1/me/phone", &token, body).await;
        let case = case_of(&failure, 1, fault);
        assert_eq!(r.status, 202, "{case}: {}", r.text);
        let delivered = app.messages_to(&number).len();
        assert_eq!(delivered, usize::from(fault == Fault::AnswerLost), "{case}");

        app.clock.advance(Seconds(60));
        assert_eq!(retry_unsent(&app).await.sent, 1, "{case}");
        assert_eq!(app.messages_to(&number).len(), delivered + 1, "{case}");
        let code = json!({ "code": app.latest_code(&number) });
        let r = phone_call(&app, "POST", "/v1/me/phone/verify", &token, code).await;
        assert_eq!(r.status, 204, "{case}: {}", r.text);
    }
}

/// The injected refusal reads as the table's own: to the store a refused conditional write is a
/// conflict, not an outage, and nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_condition_failure_reads_as_the_tables_own() {
    let mut app = TestApp::new(Backend::Moto).await;
    let email = an_active_account(&app).await;
    let canonical = tessera_kernel::email::Email::parse(&email).unwrap();
    let identity = app.deps.store.identity(&canonical).await.unwrap().unwrap();
    let failure = app
        .fail_dynamodb_call(1, Fault::ConditionFailed)
        .await
        .unwrap();
    let refused = app.deps.store.update_identity(&identity).await;
    assert_eq!(failure.struck().as_deref(), Some("PutItem"), "{refused:?}");
    assert!(
        matches!(refused, Err(tessera_kernel::ports::StoreError::Conflict)),
        "{refused:?}"
    );
    let stored = app.deps.store.identity(&canonical).await.unwrap().unwrap();
    assert_eq!(stored.version, identity.version, "nothing was written");
    app.deps.store.update_identity(&identity).await.unwrap();
    let stored = app.deps.store.identity(&canonical).await.unwrap().unwrap();
    assert_eq!(stored.version, identity.version + 1);
}
