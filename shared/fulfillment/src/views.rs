//! Orders as the API shows them, to the candidate who placed them and to staff.

use serde_json::{json, Value};

use crate::order::{Order, OrderStatus};

/// What the candidate is told about delivery (said, not enforced).
pub const DELIVERY_NOTE: &str = "Please allow 6 to 8 weeks for delivery.";

/// An order: its lines with their verification codes, shipping, payment, status, the carrier's
/// tracking number and the provider's refund once there are.
pub fn order_json(order: &Order) -> Value {
    let items: Vec<Value> = order
        .items
        .iter()
        .map(|i| {
            json!({
                "certification_id": i.line.certification_id,
                "kind": i.line.kind,
                "name": i.line.name,
                "quantity": i.line.quantity,
                "initial_kit": i.line.claims_initial_kit,
                "amount_cents": i.line.amount_cents,
                "verification_code": i.verification_code,
            })
        })
        .collect();
    let checkout_url = order
        .payment
        .as_ref()
        .filter(|_| order.status == OrderStatus::PendingPayment)
        .map(|p| p.checkout_url.clone());
    json!({
        "id": order.id.as_str(),
        "status": order.status,
        "items": items,
        "tracking": order.tracking,
        "tracking_cents": order.tracking_cents,
        "total_cents": order.total_cents,
        "currency": order.currency,
        "shipping": order.shipping,
        "shipping_localized": order.shipping_localized,
        "payment_method": order.payment_method,
        "checkout_url": checkout_url,
        "tracking_number": order.tracking_number,
        "refund_id": order.refund_id,
        "reprint_of": order.reprint_of.as_ref().map(|id| id.as_str()),
        "created_at": order.created_at.to_rfc3339(),
        "updated_at": order.updated_at.to_rfc3339(),
        "stages": order
            .stages
            .iter()
            .map(|s| json!({ "status": s.status, "at": s.at.to_rfc3339() }))
            .collect::<Vec<_>>(),
        "delivery_note": DELIVERY_NOTE,
    })
}

/// The guide's "E-commerce Transactions": the money each order moved, newest first. A paid
/// order is a payment (when it was paid, or placed for one that cost nothing); a refund is a
/// second transaction, negative; an order still awaiting payment or cancelled unpaid moved none
/// and is listed with its status and no amount charged.
pub fn transactions(orders: &[Order]) -> Vec<Value> {
    let mut rows: Vec<(tessera_kernel::time::Timestamp, Value)> = Vec::new();
    for order in orders {
        let items: Vec<String> = order
            .items
            .iter()
            .map(|i| format!("{} × {}", i.line.quantity, i.line.name))
            .collect();
        let reached = |status: OrderStatus| {
            order
                .stages
                .iter()
                .find(|s| s.status == status)
                .map(|s| s.at)
        };
        let paid_at = reached(OrderStatus::Queued).unwrap_or(order.created_at);
        let (kind, at, amount) = match order.status {
            OrderStatus::PendingPayment => ("awaiting_payment", order.created_at, 0),
            OrderStatus::Cancelled => ("cancelled", order.updated_at, 0),
            _ => ("payment", paid_at, i64::from(order.total_cents)),
        };
        let row = |kind: &str, at: tessera_kernel::time::Timestamp, amount: i64| {
            json!({
                "order_id": order.id.as_str(),
                "kind": kind,
                "at": at.to_rfc3339(),
                "description": items.join(", "),
                "amount_cents": amount,
                "currency": order.currency,
                "payment_method": order.payment_method,
            })
        };
        rows.push((at, row(kind, at, amount)));
        if order.status == OrderStatus::Refunded {
            let refunded_at = reached(OrderStatus::Refunded).unwrap_or(order.updated_at);
            rows.push((
                refunded_at,
                row("refund", refunded_at, -i64::from(order.total_cents)),
            ));
        }
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    rows.into_iter().map(|(_, row)| row).collect()
}
