//! Fulfillment orders in the candidate table, beside each candidate's record partition:
//!
//! | item        | pk                | sk                  | notes                              |
//! |-------------|-------------------|---------------------|------------------------------------|
//! | order       | `ORDERS#<cand>`   | `ORDER#<id>`        | the order document                 |
//! | idempotency | `ORDERS#<cand>`   | `IDEMP#<key>`       | the order a key placed             |
//! | claim       | `ORDERS#<cand>`   | `CLAIM#<cert>`      | the initial kit is claimed (by `order_id`) |
//! | pointer     | `ORDER#<id>`      | `ORDER`             | the candidate an order id is       |
//! | event       | `EVENT#<id>`      | `EVENT`             | a payment event applied (`order_id`, expires) |
//!
//! An order is placed by one transaction that writes all of them on the condition none exists,
//! so two requests with one key, or two claims of one kit, make one order. A status change is one
//! transaction too: the order conditioned on its status, the event that caused it (once), and
//! the claims a cancelled order gives back.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use tessera_fulfillment::order::{Order, OrderBook, OrderId, OrderStatus, Placed, Updated};
use tessera_fulfillment::ports::OrderStore;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Seconds;
use tessera_kernel::time::Timestamp;

use crate::dynamo::{
    from_item, item_key, item_with_key, orders_pk, set_due, sort_key, CandidateStore, Item,
};

/// Orders waiting for payment are listed in the `due` index under this job, by placing time.
const UNPAID: &str = "UNPAID";

fn idempotency_key(candidate: &CandidateId, key: &str) -> Item {
    item_key(orders_pk(candidate), &format!("IDEMP#{key}"))
}

fn claim_key(candidate: &CandidateId, certification: &str) -> Item {
    item_key(orders_pk(candidate), &format!("CLAIM#{certification}"))
}

fn with_order_id(mut item: Item, id: &OrderId) -> Item {
    item.insert("order_id".into(), AttributeValue::S(id.as_str().into()));
    item
}

/// How long an applied payment event is remembered: well past the provider's retries (days).
const EVENT_MEMORY: Seconds = Seconds::days(90);

fn event_key(event: &str) -> Item {
    item_key(format!("EVENT#{event}"), "EVENT")
}

fn order_key(candidate: &CandidateId, id: &OrderId) -> Item {
    item_key(orders_pk(candidate), &format!("ORDER#{}", id.as_str()))
}

/// The order document, listed in the `due` index under its status by placing time: while it
/// waits for payment under the unpaid-orders job, then in the fulfillment house's queue for its
/// status (each write of the whole item moves it).
fn order_item(order: &Order) -> Result<Item, StoreError> {
    let mut item = item_with_key(order, order_key(&order.candidate_id, &order.id), None)?;
    set_due(
        &mut item,
        &listing(order.status),
        order.created_at,
        order.id.as_str(),
    );
    Ok(item)
}

/// Where orders in `status` are listed in the `due` index.
fn listing(status: OrderStatus) -> String {
    match status {
        OrderStatus::PendingPayment => UNPAID.to_string(),
        other => format!("QUEUE#{}", other.as_str()),
    }
}

impl CandidateStore {
    /// The order an idempotency key placed, if any.
    async fn order_for_key(
        &self,
        candidate: &CandidateId,
        key: &str,
    ) -> Result<Option<Order>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Marker {
            order_id: OrderId,
        }
        let Some(marker) = self.get::<Marker>(idempotency_key(candidate, key)).await? else {
            return Ok(None);
        };
        self.get(order_key(candidate, &marker.order_id)).await
    }

    /// The order, written if its stored status is still `from`.
    fn put_if_status(
        &self,
        order: &Order,
        from: OrderStatus,
    ) -> Result<TransactWriteItem, StoreError> {
        let from = serde_json::to_value(from)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .ok_or(StoreError::Conflict)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(order_item(order)?))
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", AttributeValue::S(from))
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Gives back an initial kit `order` claimed (if it is still this order's claim).
    fn release_claim(
        &self,
        order: &Order,
        certification: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(claim_key(&order.candidate_id, certification)))
            .condition_expression("attribute_not_exists(pk) OR order_id = :order")
            .expression_attribute_values(":order", AttributeValue::S(order.id.as_str().into()))
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Places `order` (see `OrderStore::place_order`), with `audit` in the same transaction.
    async fn place(&self, order: &Order, audit: Option<&AuditEvent>) -> Result<Placed, StoreError> {
        let candidate = &order.candidate_id;
        let mut pointer = item_key(format!("ORDER#{}", order.id.as_str()), "ORDER");
        pointer.insert(
            "candidate_id".into(),
            AttributeValue::S(candidate.as_str().into()),
        );
        let mut items = vec![
            self.put_new(order_item(order)?)?,
            self.put_new(pointer)?,
            self.put_new(with_order_id(
                idempotency_key(candidate, &order.idempotency_key),
                &order.id,
            ))?,
        ];
        for (code, subject) in order.kit_codes() {
            items.push(self.put_new(crate::verification_codes::code_item(&code, &subject)?)?);
        }
        for certification in order.claims() {
            items.push(self.put_new(with_order_id(
                claim_key(candidate, &certification),
                &order.id,
            ))?);
        }
        if let Some(event) = audit {
            items.push(self.audit_put(event)?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(Placed::New),
            // Which condition failed: the key was used, or a kit was claimed. Read to tell
            // (a transaction cancelled by a concurrent one names neither: `Conflict`, retry).
            Err(StoreError::Conflict) => {
                if let Some(existing) = self
                    .order_for_key(candidate, &order.idempotency_key)
                    .await?
                {
                    return Ok(Placed::Existing(Box::new(existing)));
                }
                let claimed = self.order_book(candidate).await?.claimed;
                if order.claims().iter().any(|c| claimed.contains(c)) {
                    Ok(Placed::KitClaimed)
                } else {
                    Err(StoreError::Conflict)
                }
            }
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl OrderStore for CandidateStore {
    async fn place_order(&self, order: &Order) -> Result<Placed, StoreError> {
        self.place(order, None).await
    }

    async fn place_order_audited(
        &self,
        order: &Order,
        audit: &AuditEvent,
    ) -> Result<Placed, StoreError> {
        self.place(order, Some(audit)).await
    }

    async fn order_book(&self, candidate: &CandidateId) -> Result<OrderBook, StoreError> {
        let mut book = OrderBook::default();
        for item in self.query_partition(orders_pk(candidate), None).await? {
            let sk = sort_key(&item).to_string();
            if let Some(certification) = sk.strip_prefix("CLAIM#") {
                book.claimed.push(certification.to_string());
            } else if sk.starts_with("ORDER#") {
                book.orders.push(from_item(item)?);
            }
        }
        book.claimed.sort();
        book.orders.sort_by_key(|o| o.created_at);
        Ok(book)
    }

    async fn order_owner(&self, id: &OrderId) -> Result<Option<CandidateId>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Pointer {
            candidate_id: CandidateId,
        }
        let pointer: Option<Pointer> = self
            .get(item_key(format!("ORDER#{}", id.as_str()), "ORDER"))
            .await?;
        Ok(pointer.map(|p| p.candidate_id))
    }

    async fn update_order(
        &self,
        order: &Order,
        from: OrderStatus,
        event: Option<&str>,
        audit: Option<&tessera_kernel::audit::AuditEvent>,
    ) -> Result<Updated, StoreError> {
        let mut items = vec![self.put_if_status(order, from)?];
        if let Some(audit) = audit {
            items.push(self.audit_put(audit)?);
        }
        if let Some(event) = event {
            let mut marker = with_order_id(event_key(event), &order.id);
            marker.insert(
                "ttl".into(),
                AttributeValue::N((order.updated_at + EVENT_MEMORY).0.to_string()),
            );
            items.push(self.put_new(marker)?);
        }
        if order.status == OrderStatus::Cancelled {
            for certification in order.claims() {
                items.push(self.release_claim(order, &certification)?);
            }
        }
        match self.transact(items).await {
            Ok(()) => Ok(Updated::Applied),
            Err(StoreError::Conflict) => {
                if let Some(event) = event {
                    let seen: Option<serde_json::Value> = self.get(event_key(event)).await?;
                    if seen.is_some() {
                        return Ok(Updated::EventSeen);
                    }
                }
                let stored: Option<Order> =
                    self.get(order_key(&order.candidate_id, &order.id)).await?;
                match stored {
                    Some(stored) if stored.status == from => Err(StoreError::Conflict),
                    _ => Ok(Updated::StatusMoved),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn unpaid_orders(
        &self,
        placed_by: Timestamp,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.due_items(UNPAID, placed_by, limit).await
    }

    async fn queue(
        &self,
        status: OrderStatus,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.listed_since(&listing(status), since, limit).await
    }
}
