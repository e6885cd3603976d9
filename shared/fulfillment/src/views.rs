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
