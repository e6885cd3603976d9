//! The fulfillment routes' handlers: decode → call a flow → encode (`fulfillment`, the kits, the
//! provider's events and the sandbox checkout). The fulfillment function's crate is this module
//! and a `main`; the certificates & plaques pages call the same handlers in process.

pub mod fulfillment;
