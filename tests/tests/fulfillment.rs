//! Fulfillment end to end on both backends: a candidate claims a free kit and buys another with
//! tracking, the paid one through the checkout adapter (against a loopback server playing the
//! payment provider) and a signed webhook; the fulfillment house reports it sent and complete;
//! the emails are read from what was really sent. Then the payment rules one by one: one order
//! per idempotency key, ten concurrent claims of one kit, events applied once, tampered and
//! stale signatures, mismatched amounts, a provider outage, the sandbox provider, and bad input
//! refused with nothing written.

use std::sync::Arc;

use lambda_http::{Body, Request};
use serde_json::{json, Value};
use tessera_fulfillment::signature::SigningSecret;
use tessera_kernel::time::Seconds;
use tessera_kernel::time::Timestamp;
use tessera_testkit::payment_provider::FakeProvider;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::certification::holder;
use tessera_tests::orders::{order_body, order_status, report, ORDERS};
use tessera_tests::{authorized, fulfillment_state, on_both_backends, with_provider};

const CATALOG: &str = "/v1/candidate/fulfillment/catalog";
const WEBHOOK: &str = "/v1/payments/webhook";

/// The function's state: the checkout adapter against `provider`, or the sandbox.
fn state(app: &TestApp, provider: Option<&FakeProvider>) -> fulfillment::FulfillmentState {
    fulfillment_state(app, provider)
}

async fn send(app: &TestApp, provider: Option<&FakeProvider>, request: Request) -> TestResponse {
    TestResponse::from_response(
        tessera_testkit::keys::within(
            "fulfillment",
            fulfillment::handle(request, state(app, provider)),
        )
        .await,
    )
}

async fn get(
    app: &TestApp,
    provider: Option<&FakeProvider>,
    path: &str,
    token: &str,
) -> TestResponse {
    send(app, provider, authorized("GET", path, token, None)).await
}

async fn place(
    app: &TestApp,
    provider: Option<&FakeProvider>,
    token: &str,
    key: &str,
    body: &Value,
) -> TestResponse {
    tessera_tests::orders::place(state(app, provider), token, key, body).await
}

fn signed_event(body: &[u8], at: Timestamp) -> Request {
    let secret = SigningSecret::new(tessera_http::config::LOCAL_WEBHOOK_SECRET);
    webhook_request(body, &secret.sign(at, body))
}

fn webhook_request(body: &[u8], signature: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri(WEBHOOK)
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(Body::Text(String::from_utf8(body.to_vec()).unwrap()))
        .unwrap()
}

async fn deliver(app: &TestApp, provider: &FakeProvider, event: &[u8]) -> TestResponse {
    let request = signed_event(event, app.clock_now());
    send(app, Some(provider), request).await
}

trait Now {
    fn clock_now(&self) -> Timestamp;
}

impl Now for TestApp {
    fn clock_now(&self) -> Timestamp {
        use tessera_kernel::ports::Clock;
        self.clock.now()
    }
}

/// The kits on offer: (certification id, price) in catalog order.
async fn kits(app: &TestApp, token: &str) -> Vec<(String, u64)> {
    let r = get(app, None, CATALOG, token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["kits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["certification_id"].as_str().unwrap().to_string(),
                k["price_cents"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn a_free_kit_and_a_paid_kit_with_tracking_end_to_end(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (email, token) = holder(&app).await;

    let offered = kits(&app, &token).await;
    assert!(offered.len() >= 2, "{offered:?}");
    assert!(
        offered.iter().all(|(_, price)| *price == 0),
        "initial kits are free"
    );
    let kit = offered[0].0.clone();
    let catalog = get(&app, None, CATALOG, &token).await;
    assert_eq!(catalog.json["tracking"]["price_cents"], 1000);
    assert_eq!(catalog.json["currency"], "usd");

    // The free initial kit: queued at once, no checkout, a confirmation with its code.
    let free = place(
        &app,
        Some(&provider),
        &token,
        "claim-1",
        &order_body(&kit, 1, false),
    )
    .await;
    assert_eq!(free.status, 201, "{}", free.text);
    assert_eq!(free.json["status"], "queued");
    assert_eq!(free.json["total_cents"], 0);
    assert_eq!(free.json["items"][0]["initial_kit"], true);
    assert_eq!(free.json["shipping"]["first_name"], "Zoë");
    assert_eq!(free.json["shipping"]["country"], "GB");
    assert_eq!(free.json["shipping_localized"]["city"], "東京都");
    assert!(free.json["checkout_url"].is_null());
    let free_id = free.json["id"].as_str().unwrap().to_string();
    let free_code = free.json["items"][0]["verification_code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(free_code.len(), 14, "{free_code}");
    assert!(
        provider.received().is_empty(),
        "a free order never reaches the provider"
    );
    let mail = app.messages_to(&email);
    let confirmation = mail.last().expect("a confirmation email");
    assert!(confirmation.subject.as_deref().unwrap().contains(&free_id));
    assert!(
        confirmation.body.contains(&free_code),
        "{}",
        confirmation.body
    );

    // The same request again under its key: the same order, nothing new, no second email.
    let again = place(
        &app,
        Some(&provider),
        &token,
        "claim-1",
        &order_body(&kit, 1, false),
    )
    .await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.json["id"], free_id.as_str());
    assert_eq!(again.json, free.json, "the same answer");
    assert_eq!(app.messages_to(&email).len(), mail.len());
    // The key with another request: refused.
    let other = place(
        &app,
        Some(&provider),
        &token,
        "claim-1",
        &order_body(&kit, 1, true),
    )
    .await;
    assert_eq!(other.status, 409, "{}", other.text);
    assert_eq!(other.json["code"], "idempotency_key_reused");

    app.clock.advance(Seconds(60));
    // The next kit of that certification costs the kit price.
    let offered = kits(&app, &token).await;
    assert_eq!(offered[0], (kit.clone(), 1500));

    // A paid kit with tracking: waiting for payment, with the provider's checkout.
    let paid = place(
        &app,
        Some(&provider),
        &token,
        "buy-1",
        &order_body(&kit, 1, true),
    )
    .await;
    assert_eq!(paid.status, 201, "{}", paid.text);
    assert_eq!(paid.json["status"], "pending_payment");
    assert_eq!(paid.json["total_cents"], 2500);
    assert_eq!(paid.json["items"][0]["initial_kit"], false);
    let paid_id = paid.json["id"].as_str().unwrap().to_string();
    let checkout_url = paid.json["checkout_url"].as_str().unwrap();
    assert!(
        checkout_url.starts_with("https://checkout.provider.test/"),
        "{checkout_url}"
    );
    let received = provider.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.idempotency_key, format!("order-{paid_id}"));
    assert_eq!(request.field("client_reference_id"), Some(paid_id.as_str()));
    assert_eq!(request.field("payment_method_types[0]"), Some("card"));
    assert_eq!(
        request.field("line_items[0][price_data][unit_amount]"),
        Some("1500")
    );
    assert_eq!(
        request.field("line_items[1][price_data][product_data][name]"),
        Some("Trackable shipping")
    );
    assert_eq!(request.field("customer_email"), Some(email.as_str()));
    assert!(request
        .field("success_url")
        .unwrap()
        .ends_with(&format!("order={paid_id}&checkout=success")));
    let session = checkout_url.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        provider.session(&session)["amount_total"],
        2500,
        "the provider charges the server's total"
    );
    // The provider's return redirect proves nothing: still waiting.
    assert_eq!(
        order_status(&app, &token, &paid_id).await,
        "pending_payment"
    );

    // The provider's signed event, delivered three times: applied once, one confirmation.
    let mails_before = app.messages_to(&email).len();
    let event = provider.event("evt_paid_1", "checkout.session.completed", &session);
    let first = deliver(&app, &provider, &event).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["effect"], "applied");
    for _ in 0..2 {
        let repeat = deliver(&app, &provider, &event).await;
        assert_eq!(repeat.status, 200, "{}", repeat.text);
        assert_eq!(repeat.json["effect"], "already_applied");
    }
    assert_eq!(order_status(&app, &token, &paid_id).await, "queued");
    let mail = app.messages_to(&email);
    assert_eq!(
        mail.len(),
        mails_before + 1,
        "one confirmation for three deliveries"
    );
    assert!(mail.last().unwrap().body.contains("25.00 USD"));

    // The fulfillment house: sent (with tracking), then complete; a shipment email.
    let sent = report(
        &app,
        &paid_id,
        json!({"status": "sent", "tracking_number": "1Z999AA10123456784"}),
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.json["status"], "sent");
    let shipped = app.messages_to(&email);
    let shipment = shipped.last().unwrap();
    assert!(shipment.subject.as_deref().unwrap().contains("shipped"));
    assert!(shipment.body.contains("1Z999AA10123456784"));
    // Reported twice: nothing more happens.
    let twice = report(&app, &paid_id, json!({"status": "sent"})).await;
    assert_eq!(twice.status, 200, "{}", twice.text);
    assert_eq!(app.messages_to(&email).len(), shipped.len());
    app.clock.advance(Seconds(1));
    let complete = report(&app, &paid_id, json!({"status": "complete"})).await;
    assert_eq!(complete.json["status"], "complete");
    let backwards = report(&app, &paid_id, json!({"status": "sent"})).await;
    assert_eq!(backwards.status, 409, "{}", backwards.text);
    assert_eq!(backwards.json["code"], "invalid_transition");
    // Each report that changed the order is in the audit log, with what it changed; the repeated
    // and the refused ones left nothing.
    let query = tessera_kernel::audit::AuditQuery {
        subject: Some(tessera_kernel::audit::AuditParty::new("order", &paid_id)),
        limit: 10,
        ..Default::default()
    };
    let reports = app.audit.query(&query).await.unwrap().events;
    type Change = (String, Option<String>, Option<String>);
    let changes: Vec<Vec<Change>> = reports
        .iter()
        .map(|e| {
            assert_eq!(
                (e.actor.as_str(), e.action.as_str()),
                ("admin:token", "order.status")
            );
            e.changes
                .iter()
                .map(|c| (c.field.clone(), c.before.clone(), c.after.clone()))
                .collect()
        })
        .collect();
    let some = |s: &str| Some(s.to_string());
    let tracking = some("1Z999AA10123456784");
    assert_eq!(
        changes,
        [
            vec![("status".into(), some("sent"), some("complete"))],
            vec![
                ("status".into(), some("queued"), some("sent")),
                ("tracking_number".into(), None, tracking.clone()),
            ],
        ]
    );

    // History: newest first, codes and statuses.
    let history = get(&app, None, ORDERS, &token).await;
    let orders = history.json["orders"].as_array().unwrap();
    let summary: Vec<(&str, &str)> = orders
        .iter()
        .map(|o| (o["id"].as_str().unwrap(), o["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [(paid_id.as_str(), "complete"), (free_id.as_str(), "queued")]
    );
    assert_eq!(
        orders[1]["items"][0]["verification_code"],
        free_code.as_str()
    );
    assert_eq!(orders[0]["tracking_number"], "1Z999AA10123456784");
    // Each stage with its date: placed awaiting payment, paid (queued), sent, complete.
    let stages: Vec<&str> = orders[0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["pending_payment", "queued", "sent", "complete"]);
    let last = &orders[0]["stages"][3];
    assert_eq!(last["at"], orders[0]["updated_at"]);
    assert_eq!(
        orders[1]["stages"][0]["status"], "queued",
        "a free order is queued when placed"
    );
    // The E-commerce Transactions: the paid order's payment when it was paid, the free one's
    // (nothing charged) when placed, newest first.
    let transactions = history.json["transactions"].as_array().unwrap();
    let of = |id: &str| {
        transactions
            .iter()
            .find(|t| t["order_id"] == id)
            .unwrap_or_else(|| panic!("{id}: {transactions:?}"))
    };
    assert_eq!(transactions.len(), 2, "{transactions:?}");
    let paid = of(&paid_id);
    assert_eq!(
        (&paid["kind"], &paid["amount_cents"], &paid["at"]),
        (
            &json!("payment"),
            &orders[0]["total_cents"],
            &orders[0]["stages"][1]["at"]
        )
    );
    assert_eq!(of(&free_id)["amount_cents"], 0);
    assert!(transactions[0]["at"].as_str() >= transactions[1]["at"].as_str());
}

async fn ten_concurrent_claims_of_one_kit_make_one_order(backend: Backend) {
    let app = Arc::new(TestApp::new(backend).await);
    let (_, token) = holder(&app).await;
    let kit = kits(&app, &token).await[0].0.clone();
    let mut claims = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (app, token, kit) = (app.clone(), token.clone(), kit.clone());
        claims.spawn(async move {
            place(
                &app,
                None,
                &token,
                &format!("race-{i}"),
                &order_body(&kit, 1, false),
            )
            .await
        });
    }
    // Exactly one order gets the free kit. The others are refused when they race it
    // (`initial_kit_claimed`), or, arriving after it, are priced as the next kit.
    let mut free = 0;
    while let Some(r) = claims.join_next().await {
        let r = r.unwrap();
        match r.status {
            201 if r.json["total_cents"] == 0 => free += 1,
            201 => assert_eq!(
                (r.json["total_cents"].as_u64(), r.json["status"].as_str()),
                (Some(1500), Some("pending_payment"))
            ),
            409 => assert_eq!(r.json["code"], "initial_kit_claimed", "{}", r.text),
            _ => panic!("{}", r.text),
        }
    }
    assert_eq!(free, 1);
    let history = get(&app, None, ORDERS, &token).await;
    let free_orders = history.json["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["total_cents"] == 0)
        .count();
    assert_eq!(free_orders, 1);
}

async fn webhook_signatures_amounts_and_orders_are_checked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (_, token) = holder(&app).await;
    let kit = kits(&app, &token).await[0].0.clone();
    // Two kits, the first free: 15.00 to pay.
    let order = place(
        &app,
        Some(&provider),
        &token,
        "k-1",
        &order_body(&kit, 2, false),
    )
    .await;
    assert_eq!(order.status, 201, "{}", order.text);
    assert_eq!(order.json["total_cents"], 1500);
    let id = order.json["id"].as_str().unwrap().to_string();
    let session = order.json["checkout_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let event = provider.event("evt_rules_1", "checkout.session.completed", &session);
    let now = app.clock_now();

    // Tampered body (the amount lowered) under the original signature.
    let secret = SigningSecret::new(tessera_http::config::LOCAL_WEBHOOK_SECRET);
    let signature = secret.sign(now, &event);
    let tampered = String::from_utf8(event.clone())
        .unwrap()
        .replace("1500", "1");
    let r = send(&app, None, webhook_request(tampered.as_bytes(), &signature)).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (400, Some("invalid_signature")),
        "{}",
        r.text
    );
    // Stale: signed 301 s ago; from the future, likewise.
    for at in [now.0 - 301, now.0 + 301] {
        let r = send(&app, None, signed_event(&event, Timestamp(at))).await;
        assert_eq!(r.status, 400, "{}", r.text);
    }
    // The most extreme timestamps a header can carry: a clear 400, never an overflow.
    for t in [i64::MIN, i64::MAX] {
        let header = format!("t={t},v1={}", "00".repeat(32));
        let r = send(&app, None, webhook_request(&event, &header)).await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (400, Some("invalid_signature")),
            "{}",
            r.text
        );
    }
    // Signed with another secret; no signature at all.
    let forged = SigningSecret::new("whsec_someone_else_entirely").sign(now, &event);
    assert_eq!(
        send(&app, None, webhook_request(&event, &forged))
            .await
            .status,
        400
    );
    assert_eq!(
        send(&app, None, webhook_request(&event, "")).await.status,
        400
    );
    // Well signed but for another amount, or another currency: refused, nothing applied.
    for (from, to) in [
        ("\"amount_total\":1500", "\"amount_total\":1"),
        ("\"currency\":\"usd\"", "\"currency\":\"eur\""),
    ] {
        let altered = String::from_utf8(event.clone()).unwrap().replace(from, to);
        assert_ne!(
            altered.as_bytes(),
            event.as_slice(),
            "{from} is in the event"
        );
        let r = send(&app, None, signed_event(altered.as_bytes(), now)).await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (422, Some("payment_mismatch")),
            "{}",
            r.text
        );
    }
    // An event naming an order that does not exist.
    let stranger = String::from_utf8(event.clone())
        .unwrap()
        .replace(&id, "0123456789abcdef0123456789abcdef");
    let r = send(&app, None, signed_event(stranger.as_bytes(), now)).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        order_status(&app, &token, &id).await,
        "pending_payment",
        "nothing applied"
    );
    // Events orders do not act on are acknowledged.
    let other =
        json!({"id": "evt_other", "type": "customer.created", "data": {"object": {}}}).to_string();
    let r = send(&app, None, signed_event(other.as_bytes(), now)).await;
    assert_eq!(
        (r.status, r.json["effect"].as_str()),
        (200, Some("ignored"))
    );

    // An expired checkout cancels the order and gives its free kit back.
    assert_eq!(kits(&app, &token).await[0], (kit.clone(), 1500));
    let expired = provider.event("evt_rules_2", "checkout.session.expired", &session);
    let r = deliver(&app, &provider, &expired).await;
    assert_eq!(r.json["effect"], "applied", "{}", r.text);
    assert_eq!(order_status(&app, &token, &id).await, "cancelled");
    assert_eq!(
        kits(&app, &token).await[0],
        (kit, 0),
        "the initial kit is claimable again"
    );
    // A payment arriving for a cancelled order changes nothing.
    let late = provider.event("evt_rules_3", "checkout.session.completed", &session);
    assert_eq!(
        deliver(&app, &provider, &late).await.json["effect"],
        "already_applied"
    );
    assert_eq!(order_status(&app, &token, &id).await, "cancelled");
}

async fn a_provider_outage_keeps_the_order_and_a_retry_gets_its_one_checkout(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (_, token) = holder(&app).await;
    let kit = kits(&app, &token).await[0].0.clone();
    provider.fail_next(1);
    let body = order_body(&kit, 2, true);
    let failed = place(&app, Some(&provider), &token, "retry-me", &body).await;
    assert_eq!(failed.status, 502, "{}", failed.text);
    assert_eq!(failed.json["code"], "payment_provider_unavailable");
    let retried = place(&app, Some(&provider), &token, "retry-me", &body).await;
    assert_eq!(retried.status, 201, "{}", retried.text);
    assert!(retried.json["checkout_url"].is_string());
    // Asked again: the same checkout, no new provider call.
    let again = place(&app, Some(&provider), &token, "retry-me", &body).await;
    assert_eq!(again.json, retried.json);
    let received = provider.received();
    assert_eq!(received.len(), 2, "the failed call and the retry");
    assert_eq!(received[0].idempotency_key, received[1].idempotency_key);
    let history = get(&app, None, ORDERS, &token).await;
    assert_eq!(history.json["orders"].as_array().unwrap().len(), 1);
}

async fn a_checkout_the_provider_refuses_is_a_502_and_keeps_the_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (_, token) = holder(&app).await;
    let kit = kits(&app, &token).await[0].0.clone();
    // A wrong key: the provider answers 401, which is not worth retrying blindly.
    let state: fulfillment::FulfillmentState =
        with_provider(&app, Some((&provider.url, "sk_test_revoked")));
    let mut request = authorized("POST", ORDERS, &token, Some(&order_body(&kit, 2, false)));
    request
        .headers_mut()
        .insert("idempotency-key", "refused-1".parse().unwrap());
    let r = TestResponse::from_response(fulfillment::handle(request, state).await);
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (502, Some("payment_provider_unavailable")),
        "{}",
        r.text
    );
    assert!(r.json["detail"].as_str().unwrap().contains("refused"));
    assert!(
        !r.text.contains("sk_test_revoked"),
        "the key never reaches an answer"
    );
    let history = get(&app, None, ORDERS, &token).await;
    assert_eq!(history.json["orders"][0]["status"], "pending_payment");
    assert!(history.json["orders"][0]["checkout_url"].is_null());
}

async fn the_sandbox_provider_runs_the_whole_flow_locally(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    let kit = kits(&app, &token).await[0].0.clone();
    let order = place(&app, None, &token, "sandbox-1", &order_body(&kit, 2, true)).await;
    assert_eq!(order.status, 201, "{}", order.text);
    let id = order.json["id"].as_str().unwrap().to_string();
    let url = order.json["checkout_url"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:9000/v1/payments/sandbox/cs_sandbox_"),
        "{url}"
    );
    let path = &url["http://127.0.0.1:9000".len()..];

    let page = send(&app, None, authorized("GET", path, "", None)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Approve test payment") && page.text.contains("25.00 USD"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));

    let approve = lambda_http::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::Text("decision=approve".into()))
        .unwrap();
    let approved = send(&app, None, approve).await;
    assert_eq!(approved.status, 303, "{}", approved.text);
    assert_eq!(
        approved.header("location"),
        Some(
            format!(
                "{}{}?order={id}&checkout=success",
                tessera_http::config::LOCAL_PUBLIC_URL,
                tessera_http::config::ORDER_HISTORY_PATH
            )
            .as_str()
        )
    );
    assert_eq!(order_status(&app, &token, &id).await, "queued");
    assert!(app.messages_to(&email).last().unwrap().body.contains(&id));
    // The sandbox page is not there when a real provider is configured.
    let provider = FakeProvider::start().await;
    let hidden = send(&app, Some(&provider), authorized("GET", path, "", None)).await;
    assert_eq!(hidden.status, 404);
}

async fn bad_orders_are_refused_and_write_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    let kit = kits(&app, &token).await[0].0.clone();
    let good = order_body(&kit, 1, false);

    let mut no_key = authorized("POST", ORDERS, &token, Some(&good));
    no_key.headers_mut().remove("idempotency-key");
    let r = send(&app, None, no_key).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (400, Some("idempotency_key_required"))
    );
    let r = place(&app, None, &token, "no spaces allowed", &good).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (400, Some("invalid_idempotency_key"))
    );
    // A price is the server's to compute.
    let mut priced = good.clone();
    priced["total_cents"] = json!(0);
    let r = place(&app, None, &token, "k", &priced).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (400, Some("unknown_field"))
    );
    let mut priced_item = good.clone();
    priced_item["items"][0]["price_cents"] = json!(0);
    assert_eq!(
        place(&app, None, &token, "k", &priced_item).await.status,
        400
    );

    // Every field error at once: a non-Latin label name, a bad country, a bad method, a bad
    // quantity.
    let mut bad = good.clone();
    bad["shipping"]["first_name"] = json!("Иван");
    bad["shipping"]["country"] = json!("XX");
    bad["shipping"]["email"] = json!("not an email");
    bad["payment_method"] = json!("cash");
    bad["items"][0]["quantity"] = json!(-1);
    bad["items"][0]["kind"] = json!("statue");
    bad["shipping_localized"]["city"] = json!("<script>");
    let r = place(&app, None, &token, "k", &bad).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let fields = r.error_fields();
    for field in [
        "shipping.first_name",
        "shipping.country",
        "shipping.email",
        "payment_method",
        "items[0].quantity",
        "items[0].kind",
        "shipping_localized.city",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    // Rules the quote holds: too many kits, a kit not offered (an expired certification).
    let r = place(&app, None, &token, "k", &order_body(&kit, 6, false)).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = place(
        &app,
        None,
        &token,
        "k",
        &order_body("enterprise-professional", 1, false),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["errors"][0]["code"], "kit_not_offered");

    let history = get(&app, None, ORDERS, &token).await;
    assert_eq!(history.json["orders"], json!([]), "nothing written");
    assert_eq!(kits(&app, &token).await[0], (kit, 0), "nothing claimed");
    // Another candidate's order is not found, nor is an order without a session.
    let unauthenticated = get(&app, None, ORDERS, "not-a-token").await;
    assert_eq!(unauthenticated.status, 401);
}

/// Plaques and recognition letters beside certificate kits: each active certification offers
/// all three, the plaque and letter at their own prices (never free), a certification's kit and
/// plaque are two lines of one order, and the order and its history name each line's kind.
async fn plaques_and_recognition_letters_are_ordered_beside_kits(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (_, token) = holder(&app).await;
    let catalog = get(&app, None, CATALOG, &token).await;
    assert_eq!(catalog.status, 200, "{}", catalog.text);
    assert_eq!(
        catalog.json["prices"],
        json!({ "certificate_kit": 1500, "plaque": 4500, "recognition_letter": 500 })
    );
    let items = catalog.json["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    let kits = catalog.json["kits"].as_array().unwrap();
    assert_eq!(items.len(), kits.len() * 3, "{kinds:?}");
    assert!(kits.iter().all(|k| k["kind"] == "certificate_kit"));
    let plaque = items.iter().find(|i| i["kind"] == "plaque").unwrap();
    assert_eq!(
        (&plaque["price_cents"], &plaque["initial_kit_available"]),
        (&json!(4500), &json!(false))
    );
    let certification = plaque["certification_id"].as_str().unwrap();
    assert!(plaque["name"].as_str().unwrap().ends_with(" plaque"));

    let mut body = order_body(certification, 1, false);
    body["items"] = json!([
        { "certification_id": certification, "quantity": 1 },
        { "certification_id": certification, "kind": "plaque", "quantity": 2 },
        { "certification_id": certification, "kind": "recognition_letter", "quantity": 1 },
    ]);
    let placed = place(&app, Some(&provider), &token, "plaques-1", &body).await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    assert_eq!(placed.json["status"], "pending_payment");
    assert_eq!(
        placed.json["total_cents"],
        2 * 4500 + 500,
        "the kit is the free one"
    );
    let lines: Vec<(&str, u64, bool)> = placed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap(),
                i["amount_cents"].as_u64().unwrap(),
                i["initial_kit"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("certificate_kit", 0, true),
            ("plaque", 9000, false),
            ("recognition_letter", 500, false)
        ]
    );
    let history = get(&app, None, ORDERS, &token).await;
    assert_eq!(history.json["orders"][0]["items"][1]["kind"], "plaque");

    let mut twice = order_body(certification, 1, false);
    twice["items"] = json!([
        { "certification_id": certification, "kind": "plaque", "quantity": 1 },
        { "certification_id": certification, "kind": "plaque", "quantity": 1 },
    ]);
    let r = place(&app, Some(&provider), &token, "plaques-2", &twice).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        get(&app, None, ORDERS, &token).await.json["orders"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing written"
    );
}

async fn orders_stay_with_their_owner(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    let kit = kits(&app, &token).await[0].0.clone();
    let order = place(&app, None, &token, "mine", &order_body(&kit, 1, false)).await;
    let id = order.json["id"].as_str().unwrap();
    // A second account, mapped to no record: not mapped; the order id is not its business.
    app.clock.advance(Seconds(1));
    let (other_email, _) = tessera_tests::active_account(&app, "other").await;
    let other = tessera_tests::token_of(
        &tessera_tests::log_in(&app, &other_email, tessera_tests::PASSWORD).await,
    );
    let r = get(&app, None, &format!("{ORDERS}/{id}"), &other).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (404, Some("not_mapped"))
    );
}

on_both_backends!(
    a_free_kit_and_a_paid_kit_with_tracking_end_to_end,
    ten_concurrent_claims_of_one_kit_make_one_order,
    webhook_signatures_amounts_and_orders_are_checked,
    a_provider_outage_keeps_the_order_and_a_retry_gets_its_one_checkout,
    a_checkout_the_provider_refuses_is_a_502_and_keeps_the_order,
    the_sandbox_provider_runs_the_whole_flow_locally,
    bad_orders_are_refused_and_write_nothing,
    plaques_and_recognition_letters_are_ordered_beside_kits,
    orders_stay_with_their_owner,
);
