//! The fulfillment house's queue and an order's handling, through the real handlers on both
//! backends: orders by status and date as JSON and as CSV; one order read and reported sent and
//! complete by staff; a refund through the payment provider (the loopback
//! provider, and the sandbox) made once however often, and however concurrently, it is asked
//! for, shown on the order, emailed to the candidate and audited once; an order with nothing
//! paid is not refunded.

use lambda_http::{Body, Request, RequestExt};
use serde_json::json;
use std::collections::HashMap;
use tessera_fulfillment::signature::SigningSecret;
use tessera_identity::staff::Role;
use tessera_testkit::payment_provider::{FakeProvider, SECRET_KEY};
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::certification::holder;
use tessera_tests::orders::{order_body, order_status, place};
use tessera_tests::{
    authorized, fulfillment_state, on_both_backends, staff_member, with_provider, Staff,
};

/// A staff-orders request with the function's state: the checkout adapter against `provider`,
/// or the sandbox.
async fn staff_orders(
    app: &TestApp,
    provider: Option<&FakeProvider>,
    request: Request,
) -> TestResponse {
    let state: staff_orders::StaffOrdersState =
        with_provider(app, provider.map(|p| (p.url.as_str(), SECRET_KEY)));
    TestResponse::from_response(
        tessera_testkit::keys::within("staff-orders", staff_orders::handle(request, state)).await,
    )
}

fn queue_request(token: &str, query: &[(&str, &str)], accept: Option<&str>) -> Request {
    let mut request = authorized("GET", "/v1/staff/orders", token, None);
    if let Some(accept) = accept {
        request
            .headers_mut()
            .insert("accept", accept.parse().unwrap());
    }
    request.with_query_string_parameters(
        query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
    )
}

fn refund_request(token: &str, order: &str, reason: &str) -> Request {
    let path = format!("/v1/staff/orders/{order}/refund");
    authorized("POST", &path, token, Some(&json!({ "reason": reason })))
}

fn ids(r: &TestResponse) -> Vec<String> {
    r.json["orders"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.text))
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

/// A kit bought through `provider` and paid: its order id (queued).
async fn paid_order(app: &TestApp, provider: &FakeProvider, token: &str, kit: &str) -> String {
    let placed = place(
        fulfillment_state(app, Some(provider)),
        token,
        "bought-1",
        &order_body(kit, 1, true),
    )
    .await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    let id = placed.json["id"].as_str().unwrap().to_string();
    let session = placed.json["checkout_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    provider.pay(&session);
    let event = provider.event("evt_paid", "checkout.session.completed", &session);
    let now = tessera_kernel::ports::Clock::now(app.clock.as_ref());
    let signature =
        SigningSecret::new(tessera_http::config::LOCAL_WEBHOOK_SECRET).sign(now, &event);
    let webhook = lambda_http::http::Request::builder()
        .method("POST")
        .uri("/v1/payments/webhook")
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(Body::Text(String::from_utf8(event).unwrap()))
        .unwrap();
    let delivered = fulfillment::handle(webhook, fulfillment_state(app, Some(provider))).await;
    assert_eq!(delivered.status(), 200);
    assert_eq!(order_status(app, token, &id).await, "queued");
    id
}

/// A holder of certifications (the samples' record), a staff member holding `role`, and the
/// first kit on offer: the holder's token, the staff member, the kit.
async fn holder_and_staff(app: &TestApp, name: &str, role: Role) -> (String, Staff, String) {
    let (_, token) = holder(app).await;
    // After the holder: its clock move would outlast a session begun before.
    let house = staff_member(app, name, &[role]).await;
    let kit = first_kit(app, &token).await;
    (token, house, kit)
}

/// Places an order on the sandbox provider's state: its id and checkout URL.
async fn order(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> (String, Option<String>) {
    let placed = place(fulfillment_state(app, None), token, key, body).await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    (
        placed.json["id"].as_str().unwrap().to_string(),
        placed.json["checkout_url"].as_str().map(str::to_string),
    )
}

/// The first kit on offer to the holder.
async fn first_kit(app: &TestApp, token: &str) -> String {
    let catalog = authorized("GET", "/v1/candidate/fulfillment/catalog", token, None);
    let r = tessera_tests::fulfillment_call(app, catalog).await;
    r.json["kits"][0]["certification_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The queue by status, oldest first, from a time; the same rows as CSV; bad parameters 422.
async fn the_queue_lists_orders_by_status_and_date_as_json_or_csv(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, house, kit) = holder_and_staff(&app, "shipping.desk", Role::Fulfillment).await;
    let (free_id, _) = order(&app, &token, "free-1", &order_body(&kit, 1, false)).await;
    app.clock.advance(tessera_kernel::time::Seconds(60));
    let provider = FakeProvider::start().await;
    let paid_id = paid_order(&app, &provider, &token, &kit).await;
    let (pending_id, _) = order(&app, &token, "unpaid-1", &order_body(&kit, 2, false)).await;

    let queued = staff_orders(&app, None, queue_request(&house.token, &[], None)).await;
    assert_eq!(queued.status, 200, "{}", queued.text);
    assert_eq!(
        ids(&queued),
        [free_id.clone(), paid_id.clone()],
        "queued, oldest first"
    );
    assert_eq!(queued.json["orders"][0]["shipping"]["city"], "London");
    assert!(queued.json["orders"][0]["candidate_id"].is_string());
    let waiting = staff_orders(
        &app,
        None,
        queue_request(&house.token, &[("status", "pending_payment")], None),
    )
    .await;
    assert_eq!(ids(&waiting), [pending_id]);
    let now = tessera_kernel::ports::Clock::now(app.clock.as_ref());
    let since = now.to_rfc3339();
    let later = staff_orders(
        &app,
        None,
        queue_request(&house.token, &[("since", &since)], None),
    )
    .await;
    assert_eq!(
        ids(&later),
        std::slice::from_ref(&paid_id),
        "placed since then"
    );

    let csv = staff_orders(
        &app,
        None,
        queue_request(&house.token, &[], Some("text/csv")),
    )
    .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.text);
    assert!(lines[0].starts_with("order_id,candidate_id,status,placed_at,items"));
    assert!(lines[1].starts_with(&format!("{free_id},")) && lines[1].contains("London"));
    assert!(lines[2].starts_with(&format!("{paid_id},")), "{}", lines[2]);
    assert!(
        lines[2].ends_with("25.00 USD,"),
        "the total, no refund yet: {}",
        lines[2]
    );

    let bad = staff_orders(
        &app,
        None,
        queue_request(
            &house.token,
            &[("status", "lost"), ("since", "soon"), ("limit", "0")],
            None,
        ),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json["errors"].as_array().unwrap().len(), 3);
}

/// Two refunds of one paid order at once, then a third: one refund at the provider, the order
/// refunded with its id, one email, one audit event; a free order has nothing to refund.
async fn a_refund_goes_through_the_provider_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    // After the holder: its clock move would outlast a session begun before.
    let house = staff_member(&app, "refund.desk", &[Role::Fulfillment]).await;
    let kit = first_kit(&app, &token).await;
    let provider = FakeProvider::start().await;
    let (free_id, _) = order(&app, &token, "free-1", &order_body(&kit, 1, false)).await;
    let id = paid_order(&app, &provider, &token, &kit).await;
    let mails_before = app.messages_to(&email).len();

    let (first, second) = tokio::join!(
        staff_orders(
            &app,
            Some(&provider),
            refund_request(&house.token, &id, "damaged in transit")
        ),
        staff_orders(
            &app,
            Some(&provider),
            refund_request(&house.token, &id, "damaged in transit")
        ),
    );
    for r in [&first, &second] {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["status"], "refunded");
    }
    assert_eq!(first.json["refund_id"], second.json["refund_id"]);
    let again = staff_orders(
        &app,
        Some(&provider),
        refund_request(&house.token, &id, "again"),
    )
    .await;
    assert_eq!(again.json["refund_id"], first.json["refund_id"]);
    let refunds = provider.refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0]["id"], first.json["refund_id"]);
    assert_eq!(refunds[0]["metadata"]["order_id"], json!(id));
    assert_eq!(order_status(&app, &token, &id).await, "refunded");

    let mail: Vec<_> = app
        .messages_to(&email)
        .into_iter()
        .skip(mails_before)
        .collect();
    assert_eq!(mail.len(), 1, "one refund email");
    assert!(mail[0].subject.as_deref().unwrap().contains("refunded"));
    let events = tessera_tests::audit_about(&app, "order", &id).await;
    assert_eq!(
        events.iter().filter(|e| e.action == "order.refund").count(),
        1
    );
    assert_eq!(
        events[0].actor.as_str(),
        format!("account:{}", house.account.as_str())
    );

    let nothing = staff_orders(
        &app,
        Some(&provider),
        refund_request(&house.token, &free_id, "x"),
    )
    .await;
    assert_eq!(
        (nothing.status, nothing.json["code"].clone()),
        (409, json!("nothing_to_refund"))
    );
    let unknown = staff_orders(
        &app,
        None,
        refund_request(&house.token, "0123456789abcdef0123456789abcdef", "x"),
    )
    .await;
    assert_eq!(unknown.status, 404);
}

/// On the embedded default's sandbox provider, a paid order is refunded locally.
async fn the_sandbox_refunds_locally(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, house, kit) = holder_and_staff(&app, "sandbox.desk", Role::ProgramAdmin).await;
    let (id, url) = order(&app, &token, "sandbox-1", &order_body(&kit, 2, true)).await;
    let url = url.expect("a sandbox checkout");
    let path = &url[url.find("/v1/").unwrap()..];
    let approve = lambda_http::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::Text("decision=approve".into()))
        .unwrap();
    assert_eq!(
        tessera_tests::fulfillment_call(&app, approve).await.status,
        303
    );
    let refunded = staff_orders(&app, None, refund_request(&house.token, &id, "test order")).await;
    assert_eq!(refunded.status, 200, "{}", refunded.text);
    assert_eq!(
        refunded.json["refund_id"],
        json!(format!("re_sandbox_{id}"))
    );
}

fn reprint_request(token: &str, order: &str) -> Request {
    let body = json!({ "reason": "arrived damaged (case 88)" });
    authorized(
        "POST",
        &format!("/v1/staff/orders/{order}/reprint"),
        token,
        Some(&body),
    )
}

/// Support reprints a kit that arrived damaged: refused until it ships, then a free order of
/// the same kits and verification codes to the same address, queued for the fulfillment house,
/// the candidate emailed; asked for twice at once, one reprint; audited once.
async fn a_shipped_kit_is_reprinted_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, support, kit) = holder_and_staff(&app, "reprint.desk", Role::Support).await;
    let (id, _) = order(&app, &token, "reprint-1", &order_body(&kit, 1, false)).await;
    let early = staff_orders(&app, None, reprint_request(&support.token, &id)).await;
    assert_eq!(
        (early.status, early.json["code"].as_str()),
        (409, Some("not_shipped"))
    );
    let sent = tessera_tests::orders::report(&app, &id, json!({ "status": "sent" })).await;
    assert_eq!(sent.status, 200, "{}", sent.text);

    let (a, b) = tokio::join!(
        staff_orders(&app, None, reprint_request(&support.token, &id)),
        staff_orders(&app, None, reprint_request(&support.token, &id))
    );
    assert_eq!((a.status, b.status), (201, 201), "{} / {}", a.text, b.text);
    assert_eq!(a.json["id"], b.json["id"], "one reprint");
    let reprint = &a.json;
    assert_eq!(reprint["reprint_of"], json!(id));
    assert_eq!(reprint["status"], "queued");
    assert_eq!(reprint["total_cents"], 0);
    let original = tessera_tests::fulfillment_call(
        &app,
        authorized(
            "GET",
            &format!("{}/{id}", tessera_tests::orders::ORDERS),
            &token,
            None,
        ),
    )
    .await;
    assert_eq!(
        reprint["items"][0]["verification_code"], original.json["items"][0]["verification_code"],
        "the same certificate"
    );
    assert_eq!(reprint["shipping"], original.json["shipping"]);
    let queue = staff_orders(
        &app,
        None,
        queue_request(&support.token, &[("status", "queued")], None),
    )
    .await;
    assert!(ids(&queue).contains(&reprint["id"].as_str().unwrap().to_string()));
    let events = tessera_tests::audit_about(&app, "order", &id).await;
    let reprints = events
        .iter()
        .filter(|e| e.action == "order.reprint")
        .count();
    assert_eq!(reprints, 1);
}

fn status_request(token: &str, order: &str, body: serde_json::Value) -> Request {
    let path = format!("/v1/staff/orders/{order}/status");
    authorized("POST", &path, token, Some(&body))
}

/// The house's desk reads one order (with whose it is) and reports it sent with the carrier's
/// number, then complete, each with a reason: the candidate is emailed the number, each change
/// is audited under the staff member; support may read but not report; a change the status does
/// not allow is 409, a refund by status 422, an unknown order 404.
async fn staff_read_an_order_and_report_its_status(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    let house = staff_member(&app, "status.desk", &[Role::Fulfillment]).await;
    let support = staff_member(&app, "status.support", &[Role::Support]).await;
    let kit = first_kit(&app, &token).await;
    let (id, _) = order(&app, &token, "status-1", &order_body(&kit, 1, false)).await;

    let one = authorized(
        "GET",
        &format!("/v1/staff/orders/{id}"),
        &support.token,
        None,
    );
    let read = staff_orders(&app, None, one).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        (read.json["id"].as_str(), read.json["status"].as_str()),
        (Some(id.as_str()), Some("queued"))
    );
    assert!(read.json["candidate_id"].is_string(), "{}", read.text);

    let sent_body = json!({ "status": "sent", "tracking_number": "1Z999AA10123456784", "reason": "picked up today" });
    let not_support = staff_orders(
        &app,
        None,
        status_request(&support.token, &id, sent_body.clone()),
    )
    .await;
    assert_eq!(not_support.status, 403, "{}", not_support.text);
    let too_soon = staff_orders(
        &app,
        None,
        status_request(
            &house.token,
            &id,
            json!({ "status": "complete", "reason": "x" }),
        ),
    )
    .await;
    assert_eq!(
        (too_soon.status, too_soon.json["code"].as_str()),
        (409, Some("invalid_transition"))
    );
    let mails_before = app.messages_to(&email).len();
    let sent = staff_orders(
        &app,
        None,
        status_request(&house.token, &id, sent_body.clone()),
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(
        (
            sent.json["status"].as_str(),
            sent.json["tracking_number"].as_str()
        ),
        (Some("sent"), Some("1Z999AA10123456784"))
    );
    let again = staff_orders(&app, None, status_request(&house.token, &id, sent_body)).await;
    assert_eq!(again.status, 200, "the same report again changes nothing");
    let mail: Vec<_> = app
        .messages_to(&email)
        .into_iter()
        .skip(mails_before)
        .collect();
    assert_eq!(mail.len(), 1, "one shipping email");
    assert!(
        mail[0].body.contains("1Z999AA10123456784"),
        "{}",
        mail[0].body
    );
    let complete = staff_orders(
        &app,
        None,
        status_request(
            &house.token,
            &id,
            json!({ "status": "complete", "reason": "delivered" }),
        ),
    )
    .await;
    assert_eq!(complete.json["status"], "complete", "{}", complete.text);

    let events = tessera_tests::audit_about(&app, "order", &id).await;
    let reported: Vec<_> = events
        .iter()
        .filter(|e| e.action == "order.status")
        .collect();
    assert_eq!(reported.len(), 2, "sent and complete, once each");
    for event in reported {
        assert_eq!(
            event.actor.as_str(),
            format!("account:{}", house.account.as_str())
        );
    }

    let refund = staff_orders(
        &app,
        None,
        status_request(
            &house.token,
            &id,
            json!({ "status": "refunded", "reason": "x" }),
        ),
    )
    .await;
    assert_eq!(refund.status, 422, "{}", refund.text);
    let no_reason = staff_orders(
        &app,
        None,
        status_request(&house.token, &id, json!({ "status": "sent" })),
    )
    .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.text);
    let unknown = "0123456789abcdef0123456789abcdef";
    let missing = staff_orders(
        &app,
        None,
        authorized(
            "GET",
            &format!("/v1/staff/orders/{unknown}"),
            &house.token,
            None,
        ),
    )
    .await;
    assert_eq!(
        (missing.status, missing.json["code"].as_str()),
        (404, Some("order_not_found"))
    );
    let missing = staff_orders(
        &app,
        None,
        status_request(
            &house.token,
            unknown,
            json!({ "status": "sent", "reason": "x" }),
        ),
    )
    .await;
    assert_eq!(missing.status, 404);
}

on_both_backends!(
    staff_read_an_order_and_report_its_status,
    a_shipped_kit_is_reprinted_once,
    the_queue_lists_orders_by_status_and_date_as_json_or_csv,
    a_refund_goes_through_the_provider_once,
    the_sandbox_refunds_locally,
);
