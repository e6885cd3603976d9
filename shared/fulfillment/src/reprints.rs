//! Reprints, on staff's word: a kit lost or damaged on its way is sent again at no cost. The
//! reprint is a new order of the same kits (the same verification codes: it is the same
//! certificate) to the same address, queued for the fulfillment house at once, with its audit
//! event in the same write; the candidate gets the usual confirmation. An order is reprinted
//! once (its reprint can be reprinted in turn), so a repeated or raced request makes one reprint.

use super::messages;
use super::order::{Order, OrderId, OrderStatus, Placed, Stage};
use super::ordering::{email_about, find_order, FulfillmentDeps};
use tessera_certification::CertificationDeps;
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange};
use tessera_kernel::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ReprintError {
    #[error("no such order")]
    NotFound,
    /// Only a kit that left the fulfillment house can be lost or damaged on its way.
    #[error("an order {0:?} has not shipped")]
    NotShipped(OrderStatus),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The reprint of `original`, made `now`: its kits and address, free, queued.
fn reprint_of(original: &Order, id: OrderId, now: tessera_kernel::time::Timestamp) -> Order {
    let mut items = original.items.clone();
    for item in &mut items {
        item.line.claims_initial_kit = false;
        item.line.amount_cents = 0;
    }
    Order {
        id,
        idempotency_key: format!("reprint-{}", original.id.as_str()),
        request_digest: format!("reprint-{}", original.id.as_str()),
        items,
        tracking_cents: 0,
        total_cents: 0,
        payment: None,
        tracking_number: None,
        refund_id: None,
        reprint_of: Some(original.id.clone()),
        status: OrderStatus::Queued,
        created_at: now,
        updated_at: now,
        stages: vec![Stage {
            status: OrderStatus::Queued,
            at: now,
        }],
        ..original.clone()
    }
}

/// Reprints order `id` on `by`'s word; the reprint (the one made before, if any).
pub async fn reprint(
    deps: &CertificationDeps,
    fulfillment: &FulfillmentDeps,
    id: &OrderId,
    by: &Attribution,
) -> Result<Order, ReprintError> {
    let original = find_order(fulfillment.orders.as_ref(), id)
        .await?
        .ok_or(ReprintError::NotFound)?;
    if !matches!(original.status, OrderStatus::Sent | OrderStatus::Complete) {
        return Err(ReprintError::NotShipped(original.status));
    }
    let now = deps.clock.now();
    let reprint = reprint_of(&original, OrderId::generate(deps.random.as_ref()), now);
    let event = by.event(
        now,
        deps.random.as_ref(),
        "order.reprint",
        AuditParty::new("order", id.as_str()),
        vec![FieldChange::new(
            "reprint",
            None,
            Some(reprint.id.as_str().to_string()),
        )],
    );
    let placed = tessera_kernel::settle!(
        async {
            match fulfillment
                .orders
                .place_order_audited(&reprint, &event)
                .await
            {
                Err(StoreError::Conflict) => Ok(None),
                other => other.map(Some),
            }
        }
        .await
    )?;
    match placed {
        Placed::New => {
            email_about(deps, &messages::ORDER_CONFIRMED, &reprint).await;
            Ok(reprint)
        }
        Placed::Existing(earlier) => Ok(*earlier),
        // A reprint claims no kit.
        Placed::KitClaimed => Err(ReprintError::Store(StoreError::Conflict)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reprint_is_the_same_kits_free_and_queued() {
        let original: Order = serde_json::from_value(serde_json::json!({
            "id": "0123456789abcdef0123456789abcdef", "candidate_id": "TSC1000001",
            "idempotency_key": "k1", "request_digest": "d",
            "items": [{ "certification_id": "security-associate", "name": "Kit", "quantity": 2,
                        "claims_initial_kit": true, "amount_cents": 1500, "verification_code": "V1" }],
            "tracking": true, "tracking_cents": 500, "total_cents": 2000, "currency": "USD",
            "shipping": { "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                          "phone": "+44 20 7946 0000", "address": "12 Street", "city": "London",
                          "country": "GB" },
            "payment_method": "card", "notify_email": "ada@example.com",
            "payment": { "provider": "sandbox", "session_id": "cs_1", "checkout_url": "https://x" },
            "tracking_number": "1Z999", "status": "complete", "created_at": 1, "updated_at": 2,
        }))
        .unwrap();
        let id = OrderId::parse("fedcba9876543210fedcba9876543210").unwrap();
        let reprint = reprint_of(&original, id.clone(), tessera_kernel::time::Timestamp(9));
        assert_eq!(reprint.id, id);
        assert_eq!(reprint.reprint_of.as_ref(), Some(&original.id));
        assert_eq!((reprint.total_cents, reprint.tracking_cents), (0, 0));
        assert_eq!(reprint.status, OrderStatus::Queued);
        assert_eq!(
            reprint.items[0].verification_code, "V1",
            "the same certificate"
        );
        assert_eq!(reprint.items[0].line.quantity, 2);
        assert!(reprint.claims().is_empty(), "a reprint claims no kit");
        assert_eq!(reprint.shipping, original.shipping);
        assert_eq!(
            (reprint.payment.as_ref(), reprint.tracking_number.as_ref()),
            (None, None)
        );
        assert_eq!(
            reprint.idempotency_key,
            format!("reprint-{}", original.id.as_str())
        );
    }
}
