//! `OrderStore`: placed once per key, kits claimed once, conditional updates, unpaid orders.

use super::*;

/// One order per idempotency key; each initial kit claimed once, by one atomic write.
pub async fn orders_are_placed_once_per_key_and_kits_claimed_once(
    orders: Arc<dyn tessera_fulfillment::ports::OrderStore>,
) {
    use tessera_fulfillment::order::Placed;
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = format!("TSO{n}");
    let id = CandidateId::parse(&candidate).unwrap();

    let first = order(&candidate, "key-1", &["infrastructure-associate"], &[]);
    assert_eq!(orders.place_order(&first).await.unwrap(), Placed::New);
    // The same key again (another attempt at the same request): the first order, unchanged.
    let retry = order(&candidate, "key-1", &["infrastructure-associate"], &[]);
    assert_eq!(
        orders.place_order(&retry).await.unwrap(),
        Placed::Existing(Box::new(first.clone()))
    );
    assert_eq!(
        orders.order_book(&id).await.unwrap().claimed,
        ["infrastructure-associate"]
    );
    // Another key claiming the same kit: refused, nothing written.
    let again = order(
        &candidate,
        "key-2",
        &["infrastructure-associate"],
        &["networking-technician"],
    );
    assert_eq!(
        orders.place_order(&again).await.unwrap(),
        Placed::KitClaimed
    );
    assert_eq!(orders.order_owner(&again.id).await.unwrap(), None);
    assert_eq!(
        orders.order_book(&id).await.unwrap().orders,
        vec![first.clone()]
    );
    // A paid kit under a new key is fine.
    let paid = order(&candidate, "key-3", &[], &["infrastructure-associate"]);
    assert_eq!(orders.place_order(&paid).await.unwrap(), Placed::New);
    assert_eq!(orders.order_book(&id).await.unwrap().orders.len(), 2);
    assert_eq!(
        orders.order_owner(&paid.id).await.unwrap(),
        Some(id.clone())
    );

    // Ten concurrent claims of one kit, each with its own key: one order.
    let mut racing = tokio::task::JoinSet::new();
    for i in 0..10 {
        let orders = orders.clone();
        let attempt = order(
            &candidate,
            &format!("race-{i}"),
            &["networking-technician"],
            &[],
        );
        racing.spawn(async move {
            for _ in 0..5 {
                match orders.place_order(&attempt).await {
                    // Cancelled by a concurrent transaction: try again, as the flow does.
                    Err(StoreError::Conflict) => continue,
                    other => return other.unwrap(),
                }
            }
            panic!("kept conflicting");
        });
    }
    let mut placed = Vec::new();
    while let Some(outcome) = racing.join_next().await {
        placed.push(outcome.unwrap());
    }
    assert_eq!(placed.iter().filter(|p| **p == Placed::New).count(), 1);
    assert_eq!(
        placed.iter().filter(|p| **p == Placed::KitClaimed).count(),
        9
    );
    assert_eq!(orders.order_book(&id).await.unwrap().orders.len(), 3);
    assert_eq!(
        orders.order_book(&id).await.unwrap().claimed,
        ["infrastructure-associate", "networking-technician"]
    );
}

/// A status change is conditional on the status read; a provider event applies once; a
/// cancelled order gives its initial-kit claims back (and only its own).
pub async fn order_updates_are_conditional_and_events_apply_once(
    orders: Arc<dyn tessera_fulfillment::ports::OrderStore>,
) {
    use tessera_fulfillment::order::{OrderStatus, Placed, Updated};
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = format!("TSU{n}");
    let id = CandidateId::parse(&candidate).unwrap();
    let event = format!("evt_{n}");

    // A free kit and a paid one: waiting for payment, the initial kit claimed.
    let placed = order(
        &candidate,
        "key-1",
        &["infrastructure-associate"],
        &["networking-technician"],
    );
    assert_eq!(placed.status, OrderStatus::PendingPayment);
    assert_eq!(orders.place_order(&placed).await.unwrap(), Placed::New);

    let mut paid = placed.clone();
    paid.status = OrderStatus::Queued;
    paid.updated_at = Timestamp(placed.updated_at.0 + 60);
    // Three deliveries of one event, at once: applied once.
    let mut deliveries = tokio::task::JoinSet::new();
    for _ in 0..3 {
        let (orders, paid, event) = (orders.clone(), paid.clone(), event.clone());
        deliveries.spawn(async move {
            loop {
                match orders
                    .update_order(&paid, OrderStatus::PendingPayment, Some(&event), None)
                    .await
                {
                    Err(StoreError::Conflict) => continue,
                    other => return other.unwrap(),
                }
            }
        });
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = deliveries.join_next().await {
        outcomes.push(outcome.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| **o == Updated::Applied).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        orders.order_book(&id).await.unwrap().orders,
        vec![paid.clone()]
    );
    // The same event again, later: seen, nothing written.
    let mut replay = paid.clone();
    replay.status = OrderStatus::Cancelled;
    assert_eq!(
        orders
            .update_order(&replay, OrderStatus::PendingPayment, Some(&event), None)
            .await
            .unwrap(),
        Updated::EventSeen
    );
    // Another event for an order that moved on: nothing written.
    assert_eq!(
        orders
            .update_order(
                &replay,
                OrderStatus::PendingPayment,
                Some(&format!("{event}-b")),
                None,
            )
            .await
            .unwrap(),
        Updated::StatusMoved
    );
    assert_eq!(
        orders.order_book(&id).await.unwrap().orders[0].status,
        OrderStatus::Queued
    );

    // A second order waiting for payment, cancelled: its claim is given back, the paid order's
    // claim stays.
    let unpaid = order(
        &candidate,
        "key-2",
        &["networking-technician"],
        &["infrastructure-associate"],
    );
    assert_eq!(orders.place_order(&unpaid).await.unwrap(), Placed::New);
    assert_eq!(
        orders.order_book(&id).await.unwrap().claimed,
        ["infrastructure-associate", "networking-technician"]
    );
    let mut cancelled = unpaid.clone();
    cancelled.status = OrderStatus::Cancelled;
    assert_eq!(
        orders
            .update_order(&cancelled, OrderStatus::PendingPayment, None, None)
            .await
            .unwrap(),
        Updated::Applied
    );
    let book = orders.order_book(&id).await.unwrap();
    assert_eq!(book.claimed, ["infrastructure-associate"]);
    assert_eq!(
        book.by_id(&unpaid.id).unwrap().status,
        OrderStatus::Cancelled
    );
}

/// Orders waiting for payment are listed by placing time until their status moves.
pub async fn unpaid_orders_are_listed_until_they_move(
    orders: Arc<dyn tessera_fulfillment::ports::OrderStore>,
) {
    use tessera_fulfillment::order::{OrderStatus, Updated};
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = format!("TSU{n}");
    let mut early = order(&candidate, "unpaid-1", &[], &["infrastructure-associate"]);
    early.created_at = Timestamp(early.created_at.0 - 60);
    let late = order(
        &candidate,
        "unpaid-2",
        &["networking-technician"],
        &["networking-technician"],
    );
    let free = order(&candidate, "free", &["infrastructure-associate"], &[]);
    for o in [&late, &early, &free] {
        orders.place_order(o).await.unwrap();
    }
    let placed = late.created_at;
    let ids = |listed: Vec<tessera_fulfillment::order::Order>| -> Vec<String> {
        listed.iter().map(|o| o.id.as_str().to_string()).collect()
    };
    let by_early = orders.unpaid_orders(early.created_at, 100).await.unwrap();
    assert_eq!(ids(by_early), [early.id.as_str()]);
    let by_late = orders.unpaid_orders(placed, 100).await.unwrap();
    assert_eq!(
        ids(by_late),
        [early.id.as_str(), late.id.as_str()],
        "oldest first; free orders never"
    );

    let mut cancelled = late.clone();
    cancelled.status = OrderStatus::Cancelled;
    let moved = orders
        .update_order(&cancelled, OrderStatus::PendingPayment, None, None)
        .await
        .unwrap();
    assert_eq!(moved, Updated::Applied);
    let left = orders.unpaid_orders(placed, 100).await.unwrap();
    assert_eq!(ids(left), [early.id.as_str()]);
}
