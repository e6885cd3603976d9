//! Orders: what a candidate bought, how it ships, how it is paid, and where it stands. Placed
//! once per idempotency key, with the initial-kit claims it makes, in one atomic write.

use serde::{Deserialize, Serialize};

use super::shipping::{LocalizedShipping, Shipping};
use super::Line;
use tessera_certification::verification_codes::{CodeCarrier, CodeSubject, VerificationCode};
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::Random;
use tessera_kernel::random_id;
use tessera_kernel::time::Timestamp;

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

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::PendingPayment,
        OrderStatus::Queued,
        OrderStatus::Sent,
        OrderStatus::Complete,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    /// A status as the API names it.
    pub fn parse(raw: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The status as the API and the audit log name it.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Queued => "queued",
            OrderStatus::Sent => "sent",
            OrderStatus::Complete => "complete",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// Still to be paid or shipped: the order needs its address and its buyer a while longer.
    pub fn is_open(self) -> bool {
        matches!(self, OrderStatus::PendingPayment | OrderStatus::Queued)
    }

    /// Whether the fulfillment house (or an operator) may report `next` for an order in `self`:
    /// queued → sent → complete; cancelled before it ships; refunded once paid.
    pub fn may_report(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (Queued, Sent)
                | (Sent, Complete)
                | (PendingPayment | Queued, Cancelled)
                | (Queued | Sent | Complete, Refunded)
        )
    }
}

/// The payment provider's checkout for an order that costs something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// `stripe`, or `sandbox` on the embedded default.
    pub provider: String,
    pub session_id: String,
    /// Where the candidate pays (the provider's hosted page).
    pub checkout_url: String,
}

/// One line of the order, with the code the printed kit carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    #[serde(flatten)]
    pub line: Line,
    pub verification_code: String,
}

/// The client's `Idempotency-Key` for one order: 1–100 of `A-Z a-z 0-9 _ -` (a UUID fits),
/// surrounding space ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str) -> Option<IdempotencyKey> {
        let key = raw.trim();
        let well_formed = (1..=Self::MAX_LEN).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        well_formed.then(|| IdempotencyKey(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A carrier's tracking number as the fulfillment house reports it: 1–40 letters, digits or
/// hyphens, surrounding space ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    pub fn parse(raw: &str) -> Option<TrackingNumber> {
        let number = raw.trim();
        let well_formed = (1..=40).contains(&number.len())
            && number
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        well_formed.then(|| TrackingNumber(number.to_string()))
    }

    pub fn into_string(self) -> String {
        self.0
    }
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
    /// The checkout, once the provider created it (orders that cost nothing have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
    /// The account's stored address at the time of the order: confirmations go here.
    pub notify_email: String,
    /// The carrier's number, when the fulfillment house reports the kit sent with tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// The provider's refund, once staff refunded the order through it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    /// The order this one reprints at no cost (a kit lost or damaged on its way), made by staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reprint_of: Option<OrderId>,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the order reached each status it has had, in order (the history shows the dates of
    /// its stages: queued, sent, complete). Orders placed before it was kept have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
}

/// A status an order reached, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub status: OrderStatus,
    pub at: Timestamp,
}

impl Order {
    /// The order moved to `next` at `now`: its status, its last change and its stages.
    pub fn moved_to(&self, next: OrderStatus, now: Timestamp) -> Order {
        let mut moved = self.clone();
        moved.status = next;
        moved.updated_at = now;
        moved.stages.push(Stage {
            status: next,
            at: now,
        });
        moved
    }

    /// The order as it is kept after its person is erased, for the tax records: what was bought,
    /// for how much, how it was paid and where it went by country and region; not who, nor the
    /// address, the number, the carrier's tracking or where confirmations went.
    pub fn without_personal_data(&self) -> Order {
        Order {
            shipping: Shipping {
                first_name: String::new(),
                last_name: String::new(),
                email: String::new(),
                phone: String::new(),
                address: String::new(),
                address_cont: None,
                city: String::new(),
                region: self.shipping.region.clone(),
                postal_code: None,
                country: self.shipping.country.clone(),
            },
            shipping_localized: None,
            notify_email: String::new(),
            tracking_number: None,
            ..self.clone()
        }
    }

    /// The certifications whose initial kit this order claims.
    pub fn claims(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| i.line.claims_initial_kit)
            .map(|i| i.line.certification_id.clone())
            .collect()
    }

    /// The codes this order's kits carry, each leading to its certification: registered with
    /// the order. A reprint carries its original's codes, registered already.
    pub fn kit_codes(&self) -> Vec<(VerificationCode, CodeSubject)> {
        if self.reprint_of.is_some() {
            return Vec::new();
        }
        self.items
            .iter()
            .filter_map(|i| {
                let code = VerificationCode::parse(&i.verification_code)?;
                let subject = CodeSubject {
                    candidate_id: self.candidate_id.clone(),
                    certification_id: i.line.certification_id.clone(),
                    carrier: CodeCarrier::Kit,
                };
                Some((code, subject))
            })
            .collect()
    }
}

/// A candidate's orders and the initial kits they claimed (one read).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderBook {
    /// Oldest first.
    pub orders: Vec<Order>,
    /// Certifications whose initial kit is claimed, sorted.
    pub claimed: Vec<String>,
}

impl OrderBook {
    pub fn by_key(&self, idempotency_key: &IdempotencyKey) -> Option<&Order> {
        self.orders
            .iter()
            .find(|o| o.idempotency_key == idempotency_key.as_str())
    }

    pub fn by_id(&self, id: &OrderId) -> Option<&Order> {
        self.orders.iter().find(|o| &o.id == id)
    }
}

/// What a conditional order update did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Updated {
    Applied,
    /// The provider event was applied before: nothing written.
    EventSeen,
    /// The order is no longer in the status the update started from: nothing written.
    StatusMoved,
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

/// The code printed on a kit and checked by anyone verifying it: 12 characters of Crockford's
/// base 32 (no I, L, O or U to misread), grouped by four. 60 random bits.
pub fn verification_code(random: &dyn Random) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 12];
    random.fill(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ports::CountingRandom;

    #[test]
    fn idempotency_keys_and_tracking_numbers_have_their_shapes() {
        let uuid = "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b";
        assert_eq!(
            IdempotencyKey::parse(&format!(" {uuid} "))
                .unwrap()
                .as_str(),
            uuid
        );
        assert!(IdempotencyKey::parse("key_1-A").is_some());
        for bad in ["", " ", "a b", "key/1", "clé", &"k".repeat(101)] {
            assert!(IdempotencyKey::parse(bad).is_none(), "{bad:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(100)).is_some());
        assert_eq!(
            TrackingNumber::parse(" 1Z-999AA1 ").unwrap().into_string(),
            "1Z-999AA1"
        );
        for bad in ["", "1Z 999", "1Z_999", &"9".repeat(41)] {
            assert!(TrackingNumber::parse(bad).is_none(), "{bad:?}");
        }
    }
    use OrderStatus::*;

    #[test]
    fn the_fulfillment_house_moves_orders_forward_only() {
        assert!(Queued.may_report(Sent));
        assert!(Sent.may_report(Complete));
        assert!(PendingPayment.may_report(Cancelled));
        assert!(Complete.may_report(Refunded));
        for (from, to) in [
            (PendingPayment, Sent),
            (Queued, Complete),
            (Sent, Queued),
            (Sent, Cancelled),
            (Cancelled, Queued),
            (PendingPayment, Refunded),
            (Refunded, Refunded),
        ] {
            assert!(!from.may_report(to), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn an_erased_persons_order_keeps_what_the_tax_records_need() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "id": "0123456789abcdef0123456789abcdef", "candidate_id": "TSC1000001",
            "idempotency_key": "k1", "request_digest": "d",
            "items": [{ "certification_id": "security-associate", "name": "Kit", "quantity": 1,
                        "claims_initial_kit": true, "amount_cents": 0, "verification_code": "V1" }],
            "tracking": true, "tracking_cents": 500, "total_cents": 500, "currency": "USD",
            "shipping": { "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                          "phone": "+44 20 7946 0000", "address": "12 Street", "address_cont": "Flat 2",
                          "city": "London", "region": "England", "postal_code": "N1 1AA",
                          "country": "GB" },
            "shipping_localized": { "first_name": "エイダ", "last_name": "ラブレス", "address": "一",
                                    "city": "東京" },
            "payment_method": "card", "notify_email": "ada@example.com",
            "tracking_number": "1Z999", "status": "sent", "created_at": 1, "updated_at": 2,
        }))
        .unwrap();
        let kept = order.without_personal_data();
        let text = serde_json::to_string(&kept).unwrap();
        for personal in [
            "Ada",
            "Lovelace",
            "ada@example.com",
            "+44",
            "Street",
            "Flat",
            "London\"",
            "N1 1AA",
            "ラブレス",
            "1Z999",
        ] {
            assert!(!text.contains(personal), "{personal} kept: {text}");
        }
        assert_eq!(
            (kept.total_cents, &kept.items, kept.status, kept.created_at),
            (500, &order.items, Sent, Timestamp(1))
        );
        assert_eq!(kept.shipping.country.as_str(), "GB");
        assert_eq!(kept.shipping.region.as_deref(), Some("England"));
        assert_eq!(
            kept.without_personal_data(),
            kept,
            "blanking twice changes nothing"
        );
        assert!(PendingPayment.is_open() && Queued.is_open());
        assert!(
            !Sent.is_open() && !Complete.is_open() && !Cancelled.is_open() && !Refunded.is_open()
        );
    }

    #[test]
    fn verification_codes_are_three_groups_of_four_unambiguous_characters() {
        let code = verification_code(&CountingRandom::from(0));
        assert_eq!(code, "0123-4567-89AB");
        let code = verification_code(&CountingRandom::from(20));
        assert_eq!(code.len(), 14);
        assert!(code
            .chars()
            .all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"ILOU".contains(c))));
    }
}
