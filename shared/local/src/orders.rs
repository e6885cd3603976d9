//! Fulfillment orders in SQLite: one row each (the JSON document), unique per candidate and
//! idempotency key, one row per claimed initial kit (the primary key makes a claim once), and one
//! row per applied payment event (likewise, once).

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use tessera_fulfillment::order::{Order, OrderBook, OrderId, OrderStatus, Placed, Updated};
use tessera_fulfillment::ports::OrderStore;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::store::{bodies, from_json, is_unique_violation, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS orders (
    id              TEXT PRIMARY KEY,
    candidate_id    TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body            TEXT NOT NULL,
    UNIQUE (candidate_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS kit_claims (
    candidate_id     TEXT NOT NULL,
    certification_id TEXT NOT NULL,
    order_id         TEXT NOT NULL,
    PRIMARY KEY (candidate_id, certification_id)
);
-- Orders waiting for payment, by placing time: the unpaid-orders job reads only these.
CREATE INDEX IF NOT EXISTS orders_unpaid ON orders (json_extract(body, '$.created_at'))
    WHERE json_extract(body, '$.status') = 'pending_payment';
-- The fulfillment house's queue: orders by status, oldest first.
CREATE INDEX IF NOT EXISTS orders_by_status
    ON orders (json_extract(body, '$.status'), json_extract(body, '$.created_at'));
CREATE TABLE IF NOT EXISTS payment_events (
    id       TEXT PRIMARY KEY,
    order_id TEXT NOT NULL
);
";

impl SqliteStore {
    /// Places `order` (see `OrderStore::place_order`), with `audit` in the same transaction.
    async fn place(
        &self,
        order: &Order,
        audit: Option<&tessera_kernel::audit::AuditEvent>,
    ) -> Result<Placed, StoreError> {
        let (order, audit) = (order.clone(), audit.cloned());
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let candidate = order.candidate_id.as_str();
            let existing: Option<String> = tx
                .query_row(
                    "SELECT body FROM orders WHERE candidate_id = ?1 AND idempotency_key = ?2",
                    params![candidate, order.idempotency_key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            if let Some(body) = existing {
                return Ok(Placed::Existing(Box::new(from_json(&body)?)));
            }
            for certification in order.claims() {
                let claimed = tx.execute(
                    "INSERT INTO kit_claims (candidate_id, certification_id, order_id)
                     VALUES (?1, ?2, ?3)",
                    params![candidate, certification, order.id.as_str()],
                );
                match claimed {
                    Ok(_) => {}
                    // Dropping the transaction rolls back the claims made so far.
                    Err(e) if is_unique_violation(&e) => return Ok(Placed::KitClaimed),
                    Err(e) => return Err(StoreError::unavailable(e)),
                }
            }
            for (code, subject) in order.kit_codes() {
                crate::verification_codes::insert_code(&tx, &code, &subject)?;
            }
            tx.execute(
                "INSERT INTO orders (id, candidate_id, idempotency_key, body) VALUES (?1, ?2, ?3, ?4)",
                params![order.id.as_str(), candidate, order.idempotency_key, to_json(&order)?],
            )
            .map_err(StoreError::unavailable)?;
            if let Some(event) = &audit {
                crate::audit::insert_event(&tx, event)?;
            }
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(Placed::New)
        })
        .await
    }
}

#[async_trait]
impl OrderStore for SqliteStore {
    async fn place_order(&self, order: &Order) -> Result<Placed, StoreError> {
        self.place(order, None).await
    }

    async fn place_order_audited(
        &self,
        order: &Order,
        audit: &tessera_kernel::audit::AuditEvent,
    ) -> Result<Placed, StoreError> {
        self.place(order, Some(audit)).await
    }

    async fn order_book(&self, candidate: &CandidateId) -> Result<OrderBook, StoreError> {
        let candidate = candidate.as_str().to_string();
        self.with(move |conn| {
            let strings = |sql: &str| -> Result<Vec<String>, StoreError> {
                let mut statement = conn.prepare(sql).map_err(StoreError::unavailable)?;
                let rows = statement
                    .query_map([&candidate], |r| r.get::<_, String>(0))
                    .map_err(StoreError::unavailable)?;
                rows.map(|r| r.map_err(StoreError::unavailable)).collect()
            };
            let claimed = strings(
                "SELECT certification_id FROM kit_claims WHERE candidate_id = ?1 ORDER BY certification_id",
            )?;
            let mut orders: Vec<Order> = strings("SELECT body FROM orders WHERE candidate_id = ?1 ORDER BY rowid")?
                .iter()
                .map(|body| from_json(body))
                .collect::<Result<_, _>>()?;
            // Stable: orders placed in one second keep the order they were placed in.
            orders.sort_by_key(|o| o.created_at);
            Ok(OrderBook { orders, claimed })
        })
        .await
    }

    async fn order_owner(&self, id: &OrderId) -> Result<Option<CandidateId>, StoreError> {
        let id = id.as_str().to_string();
        self.with(move |conn| {
            let owner: Option<String> = conn
                .query_row("SELECT candidate_id FROM orders WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(StoreError::unavailable)?;
            Ok(owner.as_deref().and_then(CandidateId::parse))
        })
        .await
    }

    async fn update_order(
        &self,
        order: &Order,
        from: OrderStatus,
        event: Option<&str>,
        audit: Option<&AuditEvent>,
    ) -> Result<Updated, StoreError> {
        let order = order.clone();
        let event = event.map(str::to_string);
        let audit = audit.cloned();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let id = order.id.as_str();
            if let Some(event) = &event {
                let recorded = tx.execute(
                    "INSERT INTO payment_events (id, order_id) VALUES (?1, ?2)",
                    params![event, id],
                );
                match recorded {
                    Ok(_) => {}
                    Err(e) if is_unique_violation(&e) => return Ok(Updated::EventSeen),
                    Err(e) => return Err(StoreError::unavailable(e)),
                }
            }
            let stored: Option<String> = tx
                .query_row("SELECT body FROM orders WHERE id = ?1", [id], |r| r.get(0))
                .optional()
                .map_err(StoreError::unavailable)?;
            let Some(stored) = stored else {
                return Ok(Updated::StatusMoved);
            };
            if from_json::<Order>(&stored)?.status != from {
                // Dropping the transaction forgets the event: it may apply to nothing else.
                return Ok(Updated::StatusMoved);
            }
            tx.execute(
                "UPDATE orders SET body = ?2 WHERE id = ?1",
                params![id, to_json(&order)?],
            )
            .map_err(StoreError::unavailable)?;
            if order.status == OrderStatus::Cancelled {
                tx.execute("DELETE FROM kit_claims WHERE order_id = ?1", [id])
                    .map_err(StoreError::unavailable)?;
            }
            if let Some(audit) = &audit {
                crate::audit::insert_event(&tx, audit)?;
            }
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(Updated::Applied)
        })
        .await
    }

    async fn unpaid_orders(
        &self,
        placed_by: Timestamp,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT body FROM orders
                 WHERE json_extract(body, '$.status') = 'pending_payment'
                   AND json_extract(body, '$.created_at') <= ?1
                 ORDER BY json_extract(body, '$.created_at') LIMIT ?2",
                params![placed_by.0, limit as i64],
            )
        })
        .await
    }

    async fn queue(
        &self,
        status: OrderStatus,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT body FROM orders
                 WHERE json_extract(body, '$.status') = ?1
                   AND json_extract(body, '$.created_at') >= ?2
                 ORDER BY json_extract(body, '$.created_at'), id LIMIT ?3",
                params![status.as_str(), since.0, limit as i64],
            )
        })
        .await
    }
}
