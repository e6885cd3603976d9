//! Kit orders as a candidate's front end places them, shared by the fulfillment and job tests.

use serde_json::{json, Value};
use tessera_testkit::{TestApp, TestResponse};

pub const ORDERS: &str = "/v1/candidate/fulfillment/orders";

fn shipping() -> Value {
    json!({
        "first_name": "Zoë", "last_name": "Lovelace", "email": "ada@example.com",
        "phone": "+44 20 7946 0000", "address": "12 Rue de l'Église", "address_cont": null,
        "city": "London", "postal_code": "N1 1AA", "country": "gb"
    })
}

/// `quantity` kits of one certification, by card, shipped with or without tracking.
pub fn order_body(certification: &str, quantity: u32, tracking: bool) -> Value {
    json!({
        "items": [{ "certification_id": certification, "quantity": quantity }],
        "tracking": tracking,
        "shipping": shipping(),
        "shipping_localized": {
            "first_name": "ゾーイ", "last_name": "ラブレス", "address": "千代田区１－１", "city": "東京都"
        },
        "payment_method": "card",
    })
}

/// Places `body` under idempotency `key` through the fulfillment handler with `state`.
pub async fn place(
    state: fulfillment::FulfillmentState,
    token: &str,
    key: &str,
    body: &Value,
) -> TestResponse {
    let mut request = crate::authorized("POST", ORDERS, token, Some(body));
    request
        .headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    TestResponse::from_response(
        tessera_testkit::keys::within("fulfillment", fulfillment::handle(request, state)).await,
    )
}

/// The fulfillment house's report on an order (`{status, tracking_number?}`), by the admin route
/// with the operator's token.
pub async fn report(app: &TestApp, id: &str, body: Value) -> TestResponse {
    let request = lambda_http::http::Request::builder()
        .method("POST")
        .uri(format!("/v1/admin/fulfillment/orders/{id}/status"))
        .header("content-type", "application/json")
        .header(
            "authorization",
            format!("Bearer {}", tessera_http::config::LOCAL_ADMIN_TOKEN),
        )
        .body(lambda_http::Body::Text(body.to_string()))
        .unwrap();
    crate::fulfillment_call(app, request).await
}

/// The order's status as its candidate sees it.
pub async fn order_status(app: &TestApp, token: &str, id: &str) -> String {
    let request = crate::authorized("GET", &format!("{ORDERS}/{id}"), token, None);
    let r = crate::fulfillment_call(app, request).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["status"].as_str().unwrap().to_string()
}

/// One kit of the first certification on offer (the free initial kit: queued at once).
pub async fn order_a_kit(app: &TestApp, token: &str, key: &str) -> TestResponse {
    let catalog = crate::fulfillment_call(
        app,
        crate::authorized("GET", "/v1/candidate/fulfillment/catalog", token, None),
    )
    .await;
    let kit = catalog.json["kits"][0]["certification_id"]
        .as_str()
        .unwrap();
    let order = place(
        crate::fulfillment_state(app, None),
        token,
        key,
        &order_body(kit, 1, false),
    )
    .await;
    assert_eq!(order.status, 201, "{}", order.text);
    order
}
