//! The payment port over Stripe's HTTP API: `POST /v1/checkout/sessions` (form-encoded, with the
//! order id as the `Idempotency-Key`, so a retried order opens the same checkout), and
//! `POST /v1/checkout/sessions/{id}/expire` when an unpaid order is cancelled, and
//! `POST /v1/refunds` (keyed by the order) when staff refund a paid one. The candidate
//! pays on the provider's hosted page; the signed `checkout.session.*` events that follow are
//! read by `tessera_fulfillment::payment`. The secret key is only ever a header value.
//!
//! The HTTPS client (`tessera_outbound`) is built on the first checkout, not at start: only
//! orders that cost something pay for loading the platform's CA roots.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use tessera_fulfillment::order::{Order, OrderId, PaymentMethod};
use tessera_fulfillment::payment::{
    CheckoutClosed, CheckoutSession, PaymentError, Payments, ReturnUrls,
};
use tessera_outbound::bytes::Bytes;
use tessera_outbound::{hyper, FullBody as Full, Outbound};

/// The provider's API address.
pub const API_BASE: &str = "https://api.stripe.com";
/// How long a checkout request may take before the order is answered 502 (and retried by the
/// client with the same key).
const TIMEOUT: Duration = Duration::from_secs(5);

pub struct StripePayments {
    api_base: String,
    secret_key: String,
    client: Outbound,
}

impl std::fmt::Debug for StripePayments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripePayments")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

impl StripePayments {
    /// `api_base` is `API_BASE` in production (tests point it at a loopback server).
    pub fn new(api_base: impl Into<String>, secret_key: impl Into<String>) -> StripePayments {
        StripePayments {
            api_base: api_base.into().trim_end_matches('/').to_string(),
            secret_key: secret_key.into(),
            client: Outbound::new(TIMEOUT),
        }
    }
}

impl StripePayments {
    /// An authenticated request with a form body.
    fn request(
        &self,
        method: &str,
        url: String,
        form: String,
    ) -> Result<hyper::Request<Full<Bytes>>, PaymentError> {
        hyper::Request::builder()
            .method(method)
            .uri(url)
            .header("authorization", format!("Bearer {}", self.secret_key))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(form)))
            .map_err(|e| PaymentError::Refused(e.to_string()))
    }

    /// Sends `request` and reads the whole answer, within `TIMEOUT`.
    async fn exchange(
        &self,
        request: hyper::Request<Full<Bytes>>,
    ) -> Result<(u16, Bytes), PaymentError> {
        let answer = self
            .client
            .exchange(request)
            .await
            .map_err(|e| PaymentError::Unavailable(e.0))?;
        Ok((answer.status, answer.body))
    }
}

/// The form the checkout request sends: the order's lines that cost something (a free initial
/// kit is not a charge), trackable shipping as its own line, the method, where to return.
pub fn checkout_form(order: &Order, return_to: &ReturnUrls) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("mode", "payment")
        .append_pair("client_reference_id", order.id.as_str())
        .append_pair("metadata[order_id]", order.id.as_str())
        .append_pair("payment_intent_data[metadata][order_id]", order.id.as_str())
        .append_pair("customer_email", &order.notify_email)
        .append_pair("success_url", &return_to.success)
        .append_pair("cancel_url", &return_to.cancel)
        .append_pair(
            "payment_method_types[0]",
            match order.payment_method {
                PaymentMethod::Card => "card",
                PaymentMethod::Paypal => "paypal",
            },
        );
    let charges = order
        .items
        .iter()
        .filter(|i| i.line.amount_cents > 0)
        .map(|i| {
            let paid = i.line.quantity - u32::from(i.line.claims_initial_kit);
            (i.line.name.clone(), i.line.amount_cents / paid.max(1), paid)
        })
        .chain(
            order
                .tracking
                .then(|| ("Trackable shipping".to_string(), order.tracking_cents, 1))
                .filter(|(_, cents, _)| *cents > 0),
        );
    for (n, (name, unit_cents, quantity)) in charges.enumerate() {
        let field = |f: &str| format!("line_items[{n}]{f}");
        form.append_pair(&field("[price_data][currency]"), &order.currency)
            .append_pair(&field("[price_data][product_data][name]"), &name)
            .append_pair(&field("[price_data][unit_amount]"), &unit_cents.to_string())
            .append_pair(&field("[quantity]"), &quantity.to_string());
    }
    form.finish()
}

#[derive(Deserialize)]
struct SessionAnswer {
    id: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct SessionState {
    status: Option<String>,
    /// The payment the session took, once paid.
    #[serde(default)]
    payment_intent: Option<String>,
}

#[derive(Deserialize)]
struct RefundAnswer {
    id: String,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[async_trait]
impl Payments for StripePayments {
    fn provider(&self) -> &'static str {
        "stripe"
    }

    async fn checkout(
        &self,
        order: &Order,
        return_to: &ReturnUrls,
    ) -> Result<CheckoutSession, PaymentError> {
        let mut request = self.request(
            "POST",
            format!("{}/v1/checkout/sessions", self.api_base),
            checkout_form(order, return_to),
        )?;
        request.headers_mut().insert(
            "idempotency-key",
            hyper::header::HeaderValue::from_str(&format!("order-{}", order.id.as_str()))
                .map_err(|e| PaymentError::Refused(e.to_string()))?,
        );
        let (status, body) = self.exchange(request).await?;
        match status {
            200..=299 => {
                let session: SessionAnswer = serde_json::from_slice(&body)
                    .map_err(|e| PaymentError::Unavailable(format!("unreadable answer: {e}")))?;
                let url = session.url.ok_or_else(|| {
                    PaymentError::Unavailable("the session has no checkout URL".into())
                })?;
                Ok(CheckoutSession {
                    id: session.id,
                    url,
                })
            }
            _ => Err(failure(status, &body)),
        }
    }

    /// `POST /v1/checkout/sessions/{id}/expire`; a session that is not open any more is read
    /// (`GET /v1/checkout/sessions/{id}`) to tell an expired checkout from a paid one.
    async fn close_checkout(&self, session_id: &str) -> Result<CheckoutClosed, PaymentError> {
        let session_url = format!("{}/v1/checkout/sessions/{session_id}", self.api_base);
        let expire = self.request("POST", format!("{session_url}/expire"), String::new())?;
        let (status, body) = self.exchange(expire).await?;
        match status {
            200..=299 => return Ok(CheckoutClosed::Closed),
            // Only an open session can be expired: what is it now?
            400 => {}
            _ => return Err(failure(status, &body)),
        }
        let read = self.request("GET", session_url, String::new())?;
        let (status, body) = self.exchange(read).await?;
        if !(200..=299).contains(&status) {
            return Err(failure(status, &body));
        }
        let session: SessionState = serde_json::from_slice(&body)
            .map_err(|e| PaymentError::Unavailable(format!("unreadable answer: {e}")))?;
        match session.status.as_deref() {
            Some("expired") => Ok(CheckoutClosed::Closed),
            Some("complete") => Ok(CheckoutClosed::Paid),
            other => Err(PaymentError::Refused(format!(
                "the session could not be expired and is {other:?}"
            ))),
        }
    }

    /// `GET /v1/checkout/sessions/{id}` for the payment it took, then `POST /v1/refunds` for
    /// the whole of it, keyed by the order (`Idempotency-Key: refund-<order>`), so a repeated
    /// refund is the same refund.
    async fn refund(&self, order: &OrderId, session_id: &str) -> Result<String, PaymentError> {
        let session_url = format!("{}/v1/checkout/sessions/{session_id}", self.api_base);
        let (status, body) = self
            .exchange(self.request("GET", session_url, String::new())?)
            .await?;
        if !(200..=299).contains(&status) {
            return Err(failure(status, &body));
        }
        let session: SessionState = serde_json::from_slice(&body)
            .map_err(|e| PaymentError::Unavailable(format!("unreadable answer: {e}")))?;
        let payment = session
            .payment_intent
            .ok_or_else(|| PaymentError::Refused("the checkout took no payment".into()))?;
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("payment_intent", &payment)
            .append_pair("metadata[order_id]", order.as_str())
            .finish();
        let mut request = self.request("POST", format!("{}/v1/refunds", self.api_base), form)?;
        request.headers_mut().insert(
            "idempotency-key",
            hyper::header::HeaderValue::from_str(&format!("refund-{}", order.as_str()))
                .map_err(|e| PaymentError::Refused(e.to_string()))?,
        );
        let (status, body) = self.exchange(request).await?;
        if !(200..=299).contains(&status) {
            return Err(failure(status, &body));
        }
        let refund: RefundAnswer = serde_json::from_slice(&body)
            .map_err(|e| PaymentError::Unavailable(format!("unreadable answer: {e}")))?;
        Ok(refund.id)
    }
}

/// A provider's failure answer: retried later (`Unavailable`) or not (`Refused`).
fn failure(status: u16, body: &[u8]) -> PaymentError {
    match status {
        // A conflicting concurrent request with the same key, or rate limiting: try later.
        409 | 429 | 500..=599 => PaymentError::Unavailable(format!("HTTP {status}")),
        _ => {
            let detail = serde_json::from_slice::<ErrorAnswer>(body)
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.error.kind.unwrap_or_default(),
                        e.error.message.unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            PaymentError::Refused(format!("HTTP {status} {detail}"))
        }
    }
}
