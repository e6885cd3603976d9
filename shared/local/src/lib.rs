//! The embedded default: what runs when no AWS settings are given. A SQLite database under
//! `.local/` (WAL mode, so the separate processes `cargo lambda watch` starts share it safely)
//! and a file outbox where every email and SMS lands as one JSON line.

#[cfg(feature = "access")]
mod access;
mod attempts;
mod audit;
#[cfg(feature = "certification")]
mod badges;
#[cfg(feature = "certification")]
mod candidates;
#[cfg(feature = "certification")]
mod catalogs;
#[cfg(feature = "federation")]
mod federation;
#[cfg(feature = "oidc")]
mod oidc;
#[cfg(feature = "fulfillment")]
mod orders;
mod outbox;
#[cfg(feature = "signing")]
pub mod signing;
mod store;
mod suppressions;
#[cfg(feature = "certification")]
mod transcripts;
#[cfg(feature = "certification")]
mod verification_codes;

pub use outbox::FileOutbox;
pub use store::{backup, database_file, restore, SqliteStore};
