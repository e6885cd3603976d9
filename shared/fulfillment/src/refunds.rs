//! Refunds, on staff's word: the whole payment back through the provider that took it, the order
//! `refunded` with the provider's refund id and its audit event in one write, and the candidate
//! told. Safe to repeat and to race: the provider's refund is keyed by the order, so two requests
//! make one refund, and the order changes once.

use super::messages;
use super::order::{Order, OrderId, OrderStatus, Updated};
use super::ordering::{email_about, find_order, money, FulfillmentDeps};
use super::payment::PaymentError;
use tessera_certification::CertificationDeps;
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange};
use tessera_kernel::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("no such order")]
    NotFound,
    /// Not paid (waiting for payment, cancelled), or paid nothing (a free initial kit).
    #[error("an order {0:?} with nothing paid cannot be refunded")]
    NothingPaid(OrderStatus),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Refunds order `id` on `by`'s word; the order after. An order refunded already is answered as
/// it is, with nothing sent or written again.
pub async fn refund(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    id: &OrderId,
    by: &Attribution,
) -> Result<Order, RefundError> {
    for _ in 0..3 {
        let order = find_order(fulfillment.orders.as_ref(), id)
            .await?
            .ok_or(RefundError::NotFound)?;
        if order.status == OrderStatus::Refunded {
            return Ok(order);
        }
        let payment = order.payment.as_ref().filter(|_| order.total_cents > 0);
        let (true, Some(payment)) = (order.status.may_report(OrderStatus::Refunded), payment)
        else {
            return Err(RefundError::NothingPaid(order.status));
        };
        let refund_id = fulfillment
            .payments
            .refund(&order.id, &payment.session_id)
            .await?;
        let mut refunded = order.moved_to(OrderStatus::Refunded, deps.clock.now());
        refunded.refund_id = Some(refund_id);
        let event = by.event(
            refunded.updated_at,
            deps.random.as_ref(),
            "order.refund",
            AuditParty::new("order", id.as_str()),
            vec![
                FieldChange::new(
                    "status",
                    Some(order.status.as_str().into()),
                    Some(OrderStatus::Refunded.as_str().into()),
                ),
                FieldChange::new("refund_id", None, refunded.refund_id.clone()),
                FieldChange::new(
                    "amount",
                    None,
                    Some(money(order.total_cents, &order.currency)),
                ),
            ],
        );
        let write = fulfillment
            .orders
            .update_order(&refunded, order.status, None, Some(&event))
            .await;
        match write {
            Ok(Updated::Applied) => {
                email_about(deps, &messages::ORDER_REFUNDED, &refunded).await;
                tracing::info!(order = %id.as_str(), "order refunded");
                return Ok(refunded);
            }
            // Another request moved it meanwhile (perhaps refunded it): read it again.
            Ok(Updated::StatusMoved | Updated::EventSeen) | Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict.into())
}
