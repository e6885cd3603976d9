//! The order flows: the catalog, placing an order (once per idempotency key), the payment
//! provider's events, and the fulfillment house's reports. Emails go out through the durable
//! delivery path (kept for retry when the mail system fails).

use std::sync::Arc;
use tessera_kernel::audit::{Attribution, AuditEvent, AuditParty, FieldChange};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::order::{
    verification_code, IdempotencyKey, Order, OrderId, OrderItem, OrderStatus, Payment,
    PaymentMethod, Placed, Stage, TrackingNumber, Updated,
};
use super::payment::{parse_event, Outcome, PaymentError, PaymentEvent, Payments, ReturnUrls};
use super::shipping::{LocalizedShipping, Shipping};
use super::signature::{SignatureError, SigningSecret};
use super::{kits, quote, Kit, Prices, QuoteError, Requested};
use crate::messages;
use crate::ports::OrderStore;
use tessera_certification::record::CandidateRecord;
use tessera_certification::CertificationDeps;
use tessera_kernel::delivery::deliver;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Seconds;

/// What the order flows need beyond the certification ports: the orders, the payment provider
/// and its settings, the prices.
#[derive(Clone)]
pub struct FulfillmentDeps {
    pub orders: Arc<dyn OrderStore>,
    pub payments: Arc<dyn Payments>,
    pub prices: Prices,
    /// The provider's webhook signing secret.
    pub webhook_secret: SigningSecret,
    /// The front-end page the provider sends the candidate back to (`ReturnUrls::for_order`).
    pub return_url: String,
}

/// How long an order email is worth retrying.
pub(crate) const EMAIL_RETRY_WINDOW: Seconds = Seconds::days(7);

/// An order as the candidate asks for it, parsed and validated at the edge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderRequest {
    pub items: Vec<Requested>,
    pub tracking: bool,
    pub shipping: Shipping,
    pub shipping_localized: Option<LocalizedShipping>,
    pub payment_method: PaymentMethod,
}

impl OrderRequest {
    /// SHA-256 of the parsed request: two bodies meaning the same order (other key order,
    /// spacing, trimmed text) have one digest.
    pub fn digest(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("an order request serializes");
        hex::encode(Sha256::digest(canonical))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error(transparent)]
    Quote(#[from] QuoteError),
    #[error("this idempotency key was used for another request")]
    KeyReused,
    #[error("an initial kit in this order was claimed by another order")]
    KitClaimed,
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The kits the candidate may order now, with their prices.
pub async fn catalog(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    record: &CandidateRecord,
) -> Result<Vec<Kit>, StoreError> {
    let book = fulfillment
        .orders
        .order_book(&record.profile.candidate_id)
        .await?;
    Ok(kits(
        &deps.catalog,
        record,
        &book.claimed,
        &fulfillment.prices,
        deps.today(),
    ))
}

/// Places the order `request` under the candidate's `idempotency_key`: the same key with the same
/// request answers the first order (its checkout created if an earlier attempt failed before);
/// with another request, `KeyReused`. An order that costs nothing is queued at once; one that
/// costs something waits for its payment, with the provider's checkout on it.
pub async fn place(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    record: &CandidateRecord,
    notify_email: &str,
    idempotency_key: &IdempotencyKey,
    request: &OrderRequest,
) -> Result<Order, OrderError> {
    let candidate = &record.profile.candidate_id;
    let digest = request.digest();
    let book = fulfillment.orders.order_book(candidate).await?;
    if let Some(earlier) = book.by_key(idempotency_key) {
        return answer_again(deps, fulfillment, earlier.clone(), &digest).await;
    }
    let offered = kits(
        &deps.catalog,
        record,
        &book.claimed,
        &fulfillment.prices,
        deps.today(),
    );
    let quote = quote(
        &offered,
        &request.items,
        request.tracking,
        &fulfillment.prices,
    )?;
    let now = deps.clock.now();
    let status = if quote.total_cents == 0 {
        OrderStatus::Queued
    } else {
        OrderStatus::PendingPayment
    };
    let order = Order {
        id: OrderId::generate(deps.random.as_ref()),
        candidate_id: candidate.clone(),
        idempotency_key: idempotency_key.as_str().to_string(),
        request_digest: digest.clone(),
        items: quote
            .lines
            .into_iter()
            .map(|line| OrderItem {
                line,
                verification_code: verification_code(deps.random.as_ref()),
            })
            .collect(),
        tracking: quote.tracking,
        tracking_cents: quote.tracking_cents,
        total_cents: quote.total_cents,
        currency: quote.currency,
        shipping: request.shipping.clone(),
        shipping_localized: request.shipping_localized.clone(),
        payment_method: request.payment_method,
        payment: None,
        notify_email: notify_email.to_string(),
        tracking_number: None,
        refund_id: None,
        reprint_of: None,
        status,
        created_at: now,
        updated_at: now,
        stages: vec![Stage { status, at: now }],
    };
    match place_retrying(fulfillment.orders.as_ref(), &order).await? {
        Placed::New => {}
        // A concurrent request with this key won.
        Placed::Existing(earlier) => {
            return answer_again(deps, fulfillment, *earlier, &digest).await
        }
        Placed::KitClaimed => return Err(OrderError::KitClaimed),
    }
    tracing::info!(order = %order.id.as_str(), total_cents = order.total_cents, "order placed");
    tessera_kernel::metrics::count(tessera_kernel::metrics::Metric::Orders);
    if order.status == OrderStatus::Queued {
        confirm(deps, &order).await;
        return Ok(order);
    }
    with_checkout(deps, fulfillment, order).await
}

/// A transaction cancelled by a concurrent one on the same items names no winner: try again
/// (the next attempt sees the winner's key or claim).
async fn place_retrying(orders: &dyn OrderStore, order: &Order) -> Result<Placed, StoreError> {
    tessera_kernel::settle!(
        async {
            match orders.place_order(order).await {
                Err(StoreError::Conflict) => Ok(None),
                Err(StoreError::Unavailable(_)) if landed(orders, order).await => {
                    Ok(Some(Placed::New))
                }
                other => other.map(Some),
            }
        }
        .await
    )
}

/// Whether `order` is stored exactly as given. Asked when a write failed without saying whether
/// it was applied (its answer lost to a timeout): if it was, the caller goes on as if it had
/// answered, so the email that follows the write still goes out. A retried request would find
/// the write done and send nothing.
async fn landed(orders: &dyn OrderStore, order: &Order) -> bool {
    match orders.order_book(&order.candidate_id).await {
        Ok(book) => book.by_id(&order.id) == Some(order),
        Err(_) => false,
    }
}

/// `update_order`, with a write whose outcome is unknown counted as applied when the order
/// reads back as written (see `landed`).
async fn update_checked(
    orders: &dyn OrderStore,
    order: &Order,
    from: OrderStatus,
    event: Option<&str>,
    audit: Option<&AuditEvent>,
) -> Result<Updated, StoreError> {
    match orders.update_order(order, from, event, audit).await {
        Err(StoreError::Unavailable(_)) if landed(orders, order).await => Ok(Updated::Applied),
        other => other,
    }
}

async fn answer_again(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    earlier: Order,
    digest: &str,
) -> Result<Order, OrderError> {
    if earlier.request_digest != digest {
        return Err(OrderError::KeyReused);
    }
    with_checkout(deps, fulfillment, earlier).await
}

/// The order with its checkout: created now if it is waiting for payment and has none yet (the
/// provider call failed or timed out on an earlier attempt).
async fn with_checkout(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    order: Order,
) -> Result<Order, OrderError> {
    if order.status != OrderStatus::PendingPayment || order.payment.is_some() {
        return Ok(order);
    }
    let return_to = ReturnUrls::for_order(&fulfillment.return_url, &order.id);
    let session = fulfillment.payments.checkout(&order, &return_to).await?;
    let mut next = order.clone();
    next.payment = Some(Payment {
        provider: fulfillment.payments.provider().to_string(),
        session_id: session.id,
        checkout_url: session.url,
    });
    next.updated_at = deps.clock.now();
    match fulfillment
        .orders
        .update_order(&next, OrderStatus::PendingPayment, None, None)
        .await?
    {
        Updated::Applied => Ok(next),
        // Paid or cancelled meanwhile (or a concurrent attempt stored the same checkout): as stored.
        Updated::StatusMoved | Updated::EventSeen => {
            let book = fulfillment.orders.order_book(&order.candidate_id).await?;
            Ok(book.by_id(&order.id).cloned().unwrap_or(next))
        }
    }
}

/// The order `id`, whoever's it is (the provider's events and the fulfillment house name orders
/// by id alone): its owner from the id's pointer, then the owner's orders.
pub async fn find_order(
    orders: &dyn OrderStore,
    id: &OrderId,
) -> Result<Option<Order>, StoreError> {
    let Some(owner) = orders.order_owner(id).await? else {
        return Ok(None);
    };
    let book = orders.order_book(&owner).await?;
    Ok(book.by_id(id).cloned())
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("the event is not one the provider sends: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("the event names no order of ours")]
    UnknownOrder,
    #[error("the event's {0} does not match the order")]
    Mismatch(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an accepted event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventEffect {
    /// The order moved (paid → queued, or cancelled).
    Applied,
    /// Delivered before, or the order had moved on already: nothing changed.
    AlreadyApplied,
    /// Not an event orders act on.
    Ignored,
}

/// Applies the provider's signed event `body` (header `signature`), once: the signature first
/// (HMAC over the raw bytes, 300 s tolerance), then the order, amount, currency and checkout.
pub async fn apply_event(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    signature: &str,
    body: &[u8],
) -> Result<EventEffect, WebhookError> {
    if let Err(refused) = fulfillment
        .webhook_secret
        .verify(signature, body, deps.clock.now())
    {
        tessera_kernel::metrics::count(tessera_kernel::metrics::Metric::WebhookRejections);
        return Err(refused.into());
    }
    let PaymentEvent { id, outcome } = parse_event(body)?;
    let (checkout, next) = match outcome {
        Outcome::Paid(checkout) => (checkout, OrderStatus::Queued),
        Outcome::Failed(checkout) => (checkout, OrderStatus::Cancelled),
        Outcome::Other(kind) => {
            tracing::info!(event = %id, %kind, "payment event ignored");
            return Ok(EventEffect::Ignored);
        }
    };
    let order_id = checkout
        .order_id
        .as_ref()
        .ok_or(WebhookError::UnknownOrder)?;
    let order = find_order(fulfillment.orders.as_ref(), order_id)
        .await?
        .ok_or(WebhookError::UnknownOrder)?;
    if let Some(payment) = &order.payment {
        if payment.session_id != checkout.session_id {
            return Err(WebhookError::Mismatch("checkout session"));
        }
    }
    if next == OrderStatus::Queued {
        if checkout.amount_cents != i64::from(order.total_cents) {
            return Err(WebhookError::Mismatch("amount"));
        }
        if checkout.currency != order.currency {
            return Err(WebhookError::Mismatch("currency"));
        }
    }
    if order.status != OrderStatus::PendingPayment {
        tracing::info!(event = %id, order = %order_id.as_str(), status = ?order.status,
            "payment event for an order no longer waiting for payment");
        return Ok(EventEffect::AlreadyApplied);
    }
    let updated = order.moved_to(next, deps.clock.now());
    match update_checked(
        fulfillment.orders.as_ref(),
        &updated,
        OrderStatus::PendingPayment,
        Some(&id),
        None,
    )
    .await?
    {
        Updated::Applied => {
            tracing::info!(event = %id, order = %order_id.as_str(), status = ?next, "payment event applied");
            if next == OrderStatus::Queued {
                confirm(deps, &updated).await;
            }
            Ok(EventEffect::Applied)
        }
        Updated::EventSeen | Updated::StatusMoved => Ok(EventEffect::AlreadyApplied),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no such order")]
    NotFound,
    #[error("an order {from:?} cannot become {to:?}")]
    Transition { from: OrderStatus, to: OrderStatus },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A report on order `id` (the fulfillment house's, or a staff member's: `by` says whose, and
/// why): sent (with the carrier's tracking number, if any), complete, cancelled or refunded,
/// written with its audit event.
/// Reporting the status the order has already is a no-op, so a retried report does nothing
/// twice.
pub async fn report(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    id: &OrderId,
    next: OrderStatus,
    tracking_number: Option<TrackingNumber>,
    by: Attribution,
) -> Result<Order, ReportError> {
    let order = find_order(fulfillment.orders.as_ref(), id)
        .await?
        .ok_or(ReportError::NotFound)?;
    if order.status == next {
        return Ok(order.clone());
    }
    if !order.status.may_report(next) {
        return Err(ReportError::Transition {
            from: order.status,
            to: next,
        });
    }
    let mut updated = order.moved_to(next, deps.clock.now());
    if let Some(number) = tracking_number {
        updated.tracking_number = Some(number.into_string());
    }
    let now = updated.updated_at;
    let audit = by.event(
        now,
        deps.random.as_ref(),
        "order.status",
        AuditParty::new("order", id.as_str()),
        vec![
            FieldChange::new(
                "status",
                Some(order.status.as_str().into()),
                Some(next.as_str().into()),
            ),
            FieldChange::new(
                "tracking_number",
                order.tracking_number.clone(),
                updated.tracking_number.clone(),
            ),
        ],
    );
    let write = update_checked(
        fulfillment.orders.as_ref(),
        &updated,
        order.status,
        None,
        Some(&audit),
    );
    match write.await? {
        Updated::Applied => {}
        // Another report moved it between the read and the write: the caller retries.
        Updated::StatusMoved | Updated::EventSeen => return Err(StoreError::Conflict.into()),
    }
    tracing::info!(order = %id.as_str(), from = ?order.status, to = ?next, "order status reported");
    if next == OrderStatus::Sent {
        let tracking = updated
            .tracking_number
            .as_deref()
            .map(|n| format!("Tracking number: {n}"))
            .unwrap_or_else(|| "This parcel ships without tracking.".into());
        let message = messages::ORDER_SENT.render(
            &updated.notify_email,
            &[
                ("order_id", updated.id.as_str()),
                ("name", &updated.shipping.first_name),
                ("items", &items_text(&updated)),
                ("tracking", &tracking),
            ],
        );
        deliver(
            &deps.postbox,
            &message,
            deps.clock.now() + EMAIL_RETRY_WINDOW,
        )
        .await;
    }
    Ok(updated)
}

/// The confirmation email, once an order is queued (placed at no cost, or paid).
async fn confirm(deps: &CertificationDeps, order: &Order) {
    email_about(deps, &messages::ORDER_CONFIRMED, order).await;
}

/// An email about `order` to the address it notifies: its id, the shipping name, its lines and
/// its total.
pub(crate) async fn email_about(
    deps: &CertificationDeps,
    template: &tessera_kernel::messages::EmailTemplate,
    order: &Order,
) {
    let message = template.render(
        &order.notify_email,
        &[
            ("order_id", order.id.as_str()),
            ("name", &order.shipping.first_name),
            ("items", &items_text(order)),
            ("total", &money(order.total_cents, &order.currency)),
        ],
    );
    deliver(
        &deps.postbox,
        &message,
        deps.clock.now() + EMAIL_RETRY_WINDOW,
    )
    .await;
}

/// One line per kit: quantity, name and verification code.
pub(crate) fn items_text(order: &Order) -> String {
    order
        .items
        .iter()
        .map(|i| {
            format!(
                "{} x {} (verification code {})",
                i.line.quantity, i.line.name, i.verification_code
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `40.00 USD`.
pub fn money(cents: u32, currency: &str) -> String {
    format!(
        "{}.{:02} {}",
        cents / 100,
        cents % 100,
        currency.to_ascii_uppercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::person::Country;

    fn request(tracking: bool) -> OrderRequest {
        OrderRequest {
            items: vec![Requested {
                certification_id: "networking-technician".into(),
                kind: crate::ItemKind::CertificateKit,
                quantity: 2,
            }],
            tracking,
            shipping: Shipping {
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                email: "ada@example.com".into(),
                phone: "+44 20 7946 0000".into(),
                address: "1 Analytical Way".into(),
                address_cont: None,
                city: "London".into(),
                region: None,
                postal_code: Some("N1 1AA".into()),
                country: Country::parse("GB").unwrap(),
            },
            shipping_localized: None,
            payment_method: PaymentMethod::Card,
        }
    }

    #[test]
    fn the_digest_tells_requests_apart_and_only_them() {
        assert_eq!(request(true).digest(), request(true).digest());
        assert_ne!(request(true).digest(), request(false).digest());
        let mut other_card = request(true);
        other_card.payment_method = PaymentMethod::Paypal;
        assert_ne!(request(true).digest(), other_card.digest());
        assert_eq!(request(true).digest().len(), 64);
    }

    #[test]
    fn money_is_written_in_major_units_with_the_currency() {
        assert_eq!(money(4000, "usd"), "40.00 USD");
        assert_eq!(money(5, "eur"), "0.05 EUR");
    }
}
