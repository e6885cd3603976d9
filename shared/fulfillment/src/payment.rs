//! The payment provider, seen from the order flow: a hosted checkout for an order that costs
//! something, and the events the provider sends back when it is paid or abandoned (signed; see
//! `signature`). The event format is the provider's (`checkout.session.*` events); the local
//! sandbox provider speaks the same format so the whole flow runs on the embedded default.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::order::{Order, OrderId};
use tessera_kernel::time::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// Network failure, timeout or a 5xx: worth retrying with the same idempotency key.
    #[error("the payment provider did not answer: {0}")]
    Unavailable(String),
    /// A 4xx: the request or the account's configuration is wrong.
    #[error("the payment provider refused the checkout: {0}")]
    Refused(String),
}

/// Where the provider collects the payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

/// A payment provider.
#[async_trait]
pub trait Payments: Send + Sync {
    /// Its name, stored on each order's payment (`stripe`, `sandbox`).
    fn provider(&self) -> &'static str;

    /// Creates the hosted checkout for `order` (its `total_cents` in its `currency`). The order id
    /// is the provider's idempotency key: asking again for the same order answers the same
    /// session, so a retried order request never opens a second checkout.
    async fn checkout(
        &self,
        order: &Order,
        return_to: &ReturnUrls,
    ) -> Result<CheckoutSession, PaymentError>;

    /// Closes checkout `session_id` so it can no longer be paid (an order left unpaid is being
    /// cancelled). A checkout that had closed already answers what it became.
    async fn close_checkout(&self, session_id: &str) -> Result<CheckoutClosed, PaymentError>;

    /// Refunds the whole payment of the paid checkout `session_id` for `order`; the provider's
    /// refund id. Idempotent: asking again for the same order gives the same refund.
    async fn refund(&self, order: &OrderId, session_id: &str) -> Result<String, PaymentError>;
}

/// What became of a checkout asked to close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckoutClosed {
    /// It can no longer be paid (closed now, or it had expired).
    Closed,
    /// It was paid first: the provider's event will queue the order.
    Paid,
}

/// Where the provider sends the candidate back to (a front-end page). Proves nothing: only the
/// signed event moves the order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnUrls {
    pub success: String,
    pub cancel: String,
}

impl ReturnUrls {
    /// `base?order=<id>&checkout=success|cancelled`.
    pub fn for_order(base: &str, id: &OrderId) -> ReturnUrls {
        let join = if base.contains('?') { '&' } else { '?' };
        let url = |outcome: &str| format!("{base}{join}order={}&checkout={outcome}", id.as_str());
        ReturnUrls {
            success: url("success"),
            cancel: url("cancelled"),
        }
    }
}

/// A provider event the order flow acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The provider's event id: each is applied once.
    pub id: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The checkout was paid.
    Paid(Checkout),
    /// The checkout expired or its delayed payment failed: the order is cancelled.
    Failed(Checkout),
    /// Anything else (its type): acknowledged, not acted on.
    Other(String),
}

/// What an event says about a checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    pub session_id: String,
    /// The order the checkout was created for (`client_reference_id`).
    pub order_id: Option<OrderId>,
    pub amount_cents: i64,
    pub currency: String,
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: serde_json::Value,
}

#[derive(Deserialize)]
struct RawSession {
    id: String,
    client_reference_id: Option<String>,
    amount_total: Option<i64>,
    currency: Option<String>,
    payment_status: Option<String>,
}

/// Reads an event body (already verified by its signature).
pub fn parse_event(body: &[u8]) -> Result<PaymentEvent, serde_json::Error> {
    let raw: RawEvent = serde_json::from_slice(body)?;
    let session = || -> Result<(Checkout, Option<String>), serde_json::Error> {
        let s: RawSession = serde_json::from_value(raw.data.object.clone())?;
        Ok((
            Checkout {
                session_id: s.id,
                order_id: s.client_reference_id.as_deref().and_then(OrderId::parse),
                amount_cents: s.amount_total.unwrap_or(-1),
                currency: s.currency.unwrap_or_default().to_ascii_lowercase(),
            },
            s.payment_status,
        ))
    };
    let outcome = match raw.kind.as_str() {
        // A delayed method (a bank debit) completes the session unpaid; its own event follows.
        "checkout.session.completed" => match session()? {
            (checkout, Some(status)) if status == "paid" => Outcome::Paid(checkout),
            _ => Outcome::Other(raw.kind.clone()),
        },
        "checkout.session.async_payment_succeeded" => Outcome::Paid(session()?.0),
        "checkout.session.async_payment_failed" | "checkout.session.expired" => {
            Outcome::Failed(session()?.0)
        }
        other => Outcome::Other(other.to_string()),
    };
    Ok(PaymentEvent {
        id: raw.id,
        outcome,
    })
}

/// The local stand-in for the payment provider (embedded default, or a staging stack): its
/// checkout page is served by the fulfillment function itself, and approving there sends the
/// same signed `checkout.session.completed` event a real provider would. Never takes money.
pub struct SandboxPayments {
    /// The API's public address: the sandbox checkout page lives under it.
    pub public_base: String,
}

/// Sandbox session ids name their order: `cs_sandbox_<order id>`.
const SANDBOX_SESSION_PREFIX: &str = "cs_sandbox_";

impl SandboxPayments {
    pub fn session_id(order: &OrderId) -> String {
        format!("{SANDBOX_SESSION_PREFIX}{}", order.as_str())
    }

    /// The order a sandbox session id names.
    pub fn order_of(session_id: &str) -> Option<OrderId> {
        OrderId::parse(session_id.strip_prefix(SANDBOX_SESSION_PREFIX)?)
    }

    /// The event the sandbox sends when the candidate approves (or declines) `order`'s checkout.
    pub fn event(order: &Order, event_id: &str, approved: bool, at: Timestamp) -> Vec<u8> {
        let kind = if approved {
            "checkout.session.completed"
        } else {
            "checkout.session.expired"
        };
        json!({
            "id": event_id,
            "object": "event",
            "type": kind,
            "created": at.0,
            "data": { "object": {
                "id": SandboxPayments::session_id(&order.id),
                "object": "checkout.session",
                "client_reference_id": order.id.as_str(),
                "amount_total": order.total_cents,
                "currency": order.currency,
                "payment_status": if approved { "paid" } else { "unpaid" },
            }},
        })
        .to_string()
        .into_bytes()
    }
}

#[async_trait]
impl Payments for SandboxPayments {
    fn provider(&self) -> &'static str {
        "sandbox"
    }

    async fn checkout(
        &self,
        order: &Order,
        _return_to: &ReturnUrls,
    ) -> Result<CheckoutSession, PaymentError> {
        let id = SandboxPayments::session_id(&order.id);
        Ok(CheckoutSession {
            url: format!("{}/v1/payments/sandbox/{id}", self.public_base),
            id,
        })
    }

    /// The sandbox page pays only orders still waiting for payment: once cancelled, the order
    /// cannot be paid there, so there is nothing to close.
    async fn close_checkout(&self, _session_id: &str) -> Result<CheckoutClosed, PaymentError> {
        Ok(CheckoutClosed::Closed)
    }

    /// Nothing was charged: the refund is only the order's, named after it.
    async fn refund(&self, order: &OrderId, _session_id: &str) -> Result<String, PaymentError> {
        Ok(format!("re_sandbox_{}", order.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: &str = "0123456789abcdef0123456789abcdef";

    fn event(kind: &str, payment_status: &str) -> Vec<u8> {
        json!({
            "id": "evt_1", "type": kind,
            "data": {"object": {
                "id": "cs_1", "client_reference_id": ORDER, "amount_total": 4000,
                "currency": "USD", "payment_status": payment_status, "metadata": {}
            }}
        })
        .to_string()
        .into_bytes()
    }

    fn checkout() -> Checkout {
        Checkout {
            session_id: "cs_1".into(),
            order_id: OrderId::parse(ORDER),
            amount_cents: 4000,
            currency: "usd".into(),
        }
    }

    #[test]
    fn a_paid_completed_session_or_a_late_success_pays_the_order() {
        let paid = parse_event(&event("checkout.session.completed", "paid")).unwrap();
        assert_eq!(paid.id, "evt_1");
        assert_eq!(paid.outcome, Outcome::Paid(checkout()));
        let late = parse_event(&event("checkout.session.async_payment_succeeded", "paid")).unwrap();
        assert_eq!(late.outcome, Outcome::Paid(checkout()));
    }

    #[test]
    fn an_unpaid_completion_waits_and_expiry_or_failure_cancels() {
        let waiting = parse_event(&event("checkout.session.completed", "unpaid")).unwrap();
        assert_eq!(
            waiting.outcome,
            Outcome::Other("checkout.session.completed".into())
        );
        for kind in [
            "checkout.session.expired",
            "checkout.session.async_payment_failed",
        ] {
            let failed = parse_event(&event(kind, "unpaid")).unwrap();
            assert_eq!(failed.outcome, Outcome::Failed(checkout()), "{kind}");
        }
        let other = parse_event(&event("customer.created", "")).unwrap();
        assert_eq!(other.outcome, Outcome::Other("customer.created".into()));
    }

    #[test]
    fn malformed_events_are_errors() {
        assert!(parse_event(b"not json").is_err());
        assert!(parse_event(
            br#"{"id":"evt","type":"checkout.session.completed","data":{"object":{}}}"#
        )
        .is_err());
    }

    #[test]
    fn return_urls_name_the_order_and_the_outcome() {
        let id = OrderId::parse(ORDER).unwrap();
        let urls = ReturnUrls::for_order("https://app.example.com/orders", &id);
        assert_eq!(
            urls.success,
            format!("https://app.example.com/orders?order={ORDER}&checkout=success")
        );
        let urls = ReturnUrls::for_order("https://app.example.com/o?lang=en", &id);
        assert!(urls
            .cancel
            .ends_with(&format!("?lang=en&order={ORDER}&checkout=cancelled")));
    }

    #[test]
    fn sandbox_sessions_name_their_order() {
        let id = OrderId::parse(ORDER).unwrap();
        let session = SandboxPayments::session_id(&id);
        assert_eq!(SandboxPayments::order_of(&session), Some(id));
        assert_eq!(SandboxPayments::order_of("cs_live_123"), None);
    }
}
