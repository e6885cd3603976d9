//! The unpaid-orders job: an order still waiting for payment a day after it was placed is
//! cancelled. Its checkout is closed first, so it cannot be paid afterwards (a checkout paid in
//! the meantime is left to the provider's event, which queues the order); then the order moves
//! to cancelled on the condition it is still waiting, giving its initial kits back, and the
//! candidate is told once — only the run whose write moved it sends the email.

use super::order::{OrderStatus, Updated};
use super::ordering::{items_text, FulfillmentDeps, EMAIL_RETRY_WINDOW};
use super::payment::CheckoutClosed;
use crate::messages;
use tessera_certification::CertificationDeps;
use tessera_kernel::delivery::deliver;
use tessera_kernel::jobs::JobReport;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Seconds;

/// How long an order may wait for its payment.
pub const PAYMENT_WINDOW: Seconds = Seconds::hours(24);

/// One run: cancels up to `limit` orders placed more than `PAYMENT_WINDOW` ago and still unpaid.
/// A store failure fails the run (the scheduler retries it); a provider failure leaves that
/// order due for the next run.
pub async fn cancel_unpaid(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    limit: usize,
) -> Result<JobReport, StoreError> {
    let now = deps.clock.now();
    let due = fulfillment
        .orders
        .unpaid_orders(now - PAYMENT_WINDOW, limit)
        .await?;
    let mut report = JobReport {
        due: due.len() as u32,
        ..JobReport::default()
    };
    for order in due {
        let id = order.id.as_str().to_string();
        if order.status != OrderStatus::PendingPayment {
            report.skipped += 1;
            continue;
        }
        if let Some(payment) = &order.payment {
            match fulfillment
                .payments
                .close_checkout(&payment.session_id)
                .await
            {
                Ok(CheckoutClosed::Closed) => {}
                Ok(CheckoutClosed::Paid) => {
                    tracing::info!(order = %id, "unpaid order was paid meanwhile; left to the payment event");
                    report.skipped += 1;
                    continue;
                }
                Err(e) => {
                    tracing::warn!(order = %id, error = %e, "checkout not closed; the order stays due");
                    report.failed += 1;
                    continue;
                }
            }
        }
        let cancelled = order.moved_to(OrderStatus::Cancelled, now);
        match fulfillment
            .orders
            .update_order(&cancelled, OrderStatus::PendingPayment, None, None)
            .await?
        {
            Updated::Applied => {}
            Updated::StatusMoved | Updated::EventSeen => {
                report.skipped += 1;
                continue;
            }
        }
        tracing::info!(order = %id, "unpaid order cancelled");
        report.changed += 1;
        let message = messages::ORDER_CANCELLED.render(
            &cancelled.notify_email,
            &[
                ("order_id", cancelled.id.as_str()),
                ("name", &cancelled.shipping.first_name),
                ("items", &items_text(&cancelled)),
                ("hours", &(PAYMENT_WINDOW.0 / 3600).to_string()),
            ],
        );
        deliver(&deps.postbox, &message, now + EMAIL_RETRY_WINDOW).await;
        report.notified += 1;
    }
    Ok(report)
}
