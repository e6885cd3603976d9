//! The payment provider's side: its signed webhook, and the sandbox provider's checkout page.

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_fulfillment::order::{Order, OrderStatus};
use tessera_fulfillment::ordering;
use tessera_fulfillment::ordering::{money, WebhookError};
use tessera_fulfillment::payment::{ReturnUrls, SandboxPayments};
use tessera_fulfillment::signature::SignatureError;
use tessera_http::{body, response, Problem};
use tessera_kernel::messages::escape_html;

use super::FulfillmentState;

/// Provider events are larger than API bodies (a session object with its details).
const MAX_EVENT_BYTES: usize = 64 * 1024;
const SIGNATURE_HEADER: &str = "stripe-signature";

/// `POST /v1/payments/webhook`: 200 `{received, effect}` for an event verified and applied (or
/// seen before, or not one orders act on); 400 for a bad signature or body; 422 when the event
/// does not match its order (nothing applied; the provider retries and shows the failure).
pub async fn webhook(
    request: &Request,
    state: &FulfillmentState,
) -> Result<Response<Body>, Problem> {
    let raw = body::bytes(request);
    if raw.len() > MAX_EVENT_BYTES {
        return Err(Problem::new(
            413,
            "body_too_large",
            "Body too large",
            format!("An event may be at most {MAX_EVENT_BYTES} bytes."),
        ));
    }
    let signature = request
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let effect = ordering::apply_event(&state.certification, &state.fulfillment, signature, raw)
        .await
        .map_err(webhook_problem)?;
    Ok(response::json(
        200,
        &json!({ "received": true, "effect": effect }),
    ))
}

fn webhook_problem(e: WebhookError) -> Problem {
    match e {
        WebhookError::Signature(s) => {
            tracing::warn!(reason = %s, "payment event refused: signature");
            let detail = match s {
                SignatureError::Malformed => "The signature header is missing or malformed.",
                SignatureError::Stale => "The signature's timestamp is outside the tolerance.",
                SignatureError::Mismatch => "No signature matches the body.",
            };
            Problem::new(400, "invalid_signature", "Invalid signature", detail)
        }
        WebhookError::Malformed(_) => Problem::new(
            400,
            "malformed_event",
            "Malformed event",
            "The body is not an event in the provider's format.",
        ),
        WebhookError::UnknownOrder => {
            tracing::warn!("payment event for no known order");
            Problem::new(
                422,
                "unknown_order",
                "Unknown order",
                "The event names no order of this service.",
            )
        }
        WebhookError::Mismatch(what) => {
            tracing::warn!(%what, "payment event does not match its order; not applied");
            Problem::new(
                422,
                "payment_mismatch",
                "Payment does not match the order",
                format!("The event's {what} does not match the order; nothing was applied."),
            )
        }
        WebhookError::Store(e) => Problem::internal(&e),
    }
}

/// `GET /v1/payments/sandbox/{session}`: the sandbox checkout page (approve or decline).
/// `POST` there (`decision=approve|decline`, form-encoded; empty approves): the sandbox sends the
/// signed event a real provider would, through the same webhook path, and redirects (303) to
/// the front end's return page. Answers only when the sandbox provider is configured.
pub async fn sandbox_page(
    state: &FulfillmentState,
    session: &str,
) -> Result<Response<Body>, Problem> {
    let order = sandbox_checkout(state, session).await?;
    Ok(page(&order, session))
}

/// `POST /v1/payments/sandbox/{session}`: the candidate's decision (see `sandbox_page`).
pub async fn sandbox_decision(
    request: &Request,
    state: &FulfillmentState,
    session: &str,
) -> Result<Response<Body>, Problem> {
    let order = sandbox_checkout(state, session).await?;
    approve_or_decline(request, state, &order).await
}

/// The order a sandbox checkout session names: 404 unless the sandbox provider is configured
/// and the order exists.
async fn sandbox_checkout(state: &FulfillmentState, session: &str) -> Result<Order, Problem> {
    if !state.sandbox {
        return Err(Problem::not_found());
    }
    sandbox_order(state, session)
        .await?
        .ok_or_else(Problem::not_found)
}

async fn sandbox_order(state: &FulfillmentState, session: &str) -> Result<Option<Order>, Problem> {
    let Some(id) = SandboxPayments::order_of(session) else {
        return Ok(None);
    };
    ordering::find_order(state.fulfillment.orders.as_ref(), &id)
        .await
        .map_err(|e| Problem::internal(&e))
}

async fn approve_or_decline(
    request: &Request,
    state: &FulfillmentState,
    order: &Order,
) -> Result<Response<Body>, Problem> {
    let form = String::from_utf8_lossy(body::bytes(request)).into_owned();
    let approved = match form.trim() {
        "" | "decision=approve" => true,
        "decision=decline" => false,
        _ => {
            return Err(Problem::validation(vec![
                tessera_http::problem::FieldError::new(
                    "decision",
                    "invalid",
                    "decision=approve or decision=decline",
                ),
            ]))
        }
    };
    let deps = &state.certification;
    let now = deps.clock.now();
    let event_id = format!(
        "evt_sandbox_{}",
        tessera_kernel::random_id::generate(state.certification.random.as_ref())
    );
    let event = SandboxPayments::event(order, &event_id, approved, now);
    let signature = state.fulfillment.webhook_secret.sign(now, &event);
    let effect = ordering::apply_event(deps, &state.fulfillment, &signature, &event)
        .await
        .map_err(webhook_problem)?;
    let urls = ReturnUrls::for_order(&state.fulfillment.return_url, &order.id);
    let location = if approved { urls.success } else { urls.cancel };
    let mut answer = response::json(303, &json!({ "effect": effect, "location": location }));
    if let Ok(value) = location.parse() {
        answer.headers_mut().insert("location", value);
    }
    Ok(answer)
}

fn page(order: &Order, session: &str) -> Response<Body> {
    let items: String = order
        .items
        .iter()
        .map(|i| {
            format!(
                "<li>{} &times; {}</li>",
                i.line.quantity,
                escape_html(&i.line.name)
            )
        })
        .collect();
    let waiting = order.status == OrderStatus::PendingPayment;
    let actions = if waiting {
        format!(
            r#"<form method="post" action="{base}{session}"><button name="decision" value="approve">Approve test payment</button> <button name="decision" value="decline">Decline</button></form>"#,
            base = super::SANDBOX,
            session = escape_html(session)
        )
    } else {
        "<p>This order is no longer waiting for payment.</p>".to_string()
    };
    let html = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sandbox checkout</title></head>
<body><main>
<h1>Sandbox checkout: no money moves</h1>
<p>Order {id}: {total}</p>
<ul>{items}</ul>
{actions}
</main></body></html>"#,
        id = order.id.as_str(),
        total = money(order.total_cents, &order.currency),
    );
    let mut page = response::with_body(200, "text/html; charset=utf-8", html);
    let headers = page.headers_mut();
    for (name, value) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
        (
            "content-security-policy",
            "default-src 'none'; form-action 'self'",
        ),
    ] {
        headers.insert(name, lambda_http::http::HeaderValue::from_static(value));
    }
    page
}
