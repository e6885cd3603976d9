//! What every context of Tessera shares: time, emails, identifiers, one-time codes, counting
//! attempts, the outbox that delivers messages, and the ports (clock, randomness, the mail system,
//! storage failures) the contexts' flows need. Nothing here reads the clock or draws random
//! numbers itself, and nothing here knows an account, a certification or an order.

pub mod attempts;
pub mod audit;
pub mod client_limits;
pub mod code;
#[cfg(feature = "csv")]
pub mod csv_table;
pub mod delivery;
pub mod email;
pub mod ids;
pub mod jobs;
pub mod links;
pub mod messages;
pub mod metrics;
pub mod person;
pub mod ports;
pub mod race;
pub mod random_id;
pub mod signing;
pub mod suppression;
pub mod time;

pub use email::Email;
pub use ids::{AccountId, CandidateId};
pub use person::{Country, Name};
pub use time::Timestamp;
