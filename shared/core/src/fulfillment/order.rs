//! Orders: what a candidate bought, how it ships, how it is paid, and where it stands. Placed
//! once per idempotency key, with the initial-kit claims it makes, in one atomic write.

use serde::{Deserialize, Serialize};

use super::shipping::{LocalizedShipping, Shipping};
use super::Line;
use crate::certification::CandidateId;
use crate::ports::Random;
use crate::random_id;
use crate::time::Timestamp;

/// 128 random bits as 32 lower-case hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(String);

impl OrderId {
    pub fn generate(random: &dyn Random) -> OrderId {
        OrderId(random_id::generate(random))
    }

    pub fn parse(raw: &str) -> Option<OrderId> {
        random_id::is_well_formed(raw).then(|| OrderId(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    Paypal,
}

/// Pending payment → queued → sent → complete; or cancelled / refunded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Queued,
    Sent,
    Complete,
    Cancelled,
    Refunded,
}

/// One line of the order, with the code the printed kit carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    #[serde(flatten)]
    pub line: Line,
    pub verification_code: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub candidate_id: CandidateId,
    /// The client's `Idempotency-Key`, and a digest of the request it came with: the same key
    /// with another request is refused.
    pub idempotency_key: String,
    pub request_digest: String,
    pub items: Vec<OrderItem>,
    pub tracking: bool,
    pub tracking_cents: u32,
    pub total_cents: u32,
    pub currency: String,
    pub shipping: Shipping,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_localized: Option<LocalizedShipping>,
    pub payment_method: PaymentMethod,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Order {
    /// The certifications whose initial kit this order claims.
    pub fn claims(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| i.line.claims_initial_kit)
            .map(|i| i.line.certification_id.clone())
            .collect()
    }
}

/// What placing an order did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placed {
    /// Stored, with its claims.
    New,
    /// The candidate used this idempotency key before: that order, unchanged.
    Existing(Box<Order>),
    /// An initial kit it claims was claimed meanwhile; nothing stored.
    KitClaimed,
}
