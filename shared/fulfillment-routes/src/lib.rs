//! The fulfillment routes' handlers: decode → call a flow → encode (`fulfillment`, the kits, the
//! provider's events and the sandbox checkout; `staff_orders`, the fulfillment house's queue and
//! an order's status, reprints and refunds; `staff_privacy`, a person's export and erasure, which
//! reach their orders). Each function's crate is one of these modules and a `main`; the
//! certificates & plaques pages and the staff console call the same handlers in process.

pub mod fulfillment;
pub mod staff_orders;
#[cfg(feature = "privacy")]
pub mod staff_privacy;
