//! Fulfillment's storage port. Adapters live in `tessera-aws` (the candidate table) and
//! `tessera-local` (SQLite).

use crate::order::{Order, OrderBook, OrderId, OrderStatus, Placed, Updated};
use async_trait::async_trait;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

/// Fulfillment orders, kept per candidate with a pointer from each order id to its candidate.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Stores `order` and its initial-kit claims (`Order::claims`) together, unless the candidate
    /// used `order.idempotency_key` before (`Existing`) or a claimed kit is taken (`KitClaimed`).
    async fn place_order(&self, order: &Order) -> Result<Placed, StoreError>;

    /// `place_order` for an order staff make (a reprint), with `audit` appended to the audit log
    /// in the same write (nothing appended unless the order is `New`).
    async fn place_order_audited(
        &self,
        order: &Order,
        audit: &AuditEvent,
    ) -> Result<Placed, StoreError>;

    /// The candidate's orders and claimed initial kits.
    async fn order_book(&self, candidate: &CandidateId) -> Result<OrderBook, StoreError>;

    /// Whose order an id is.
    async fn order_owner(&self, id: &OrderId) -> Result<Option<CandidateId>, StoreError>;

    /// Orders in `status` placed at `since` or later, oldest first, at most `limit`: the
    /// fulfillment house's queue, found by an index, whatever the number of orders.
    async fn queue(
        &self,
        status: OrderStatus,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError>;

    /// Replaces the stored order with `order` if its status is still `from` (`StatusMoved`
    /// otherwise), recording the provider's `event` in the same write so an event applies once
    /// (`EventSeen`), and appending `audit` to the audit log in it too (a report the fulfillment
    /// house made). An order moving to `Cancelled` gives its initial-kit claims back.
    async fn update_order(
        &self,
        order: &Order,
        from: OrderStatus,
        event: Option<&str>,
        audit: Option<&AuditEvent>,
    ) -> Result<Updated, StoreError>;

    /// Orders waiting for payment that were placed at `placed_by` or earlier, oldest first, at
    /// most `limit`: found by an index of waiting orders, whatever the number of other orders.
    async fn unpaid_orders(
        &self,
        placed_by: Timestamp,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError>;
}
