//! The staff-accounts function: the routes of `tessera_identity_routes::staff_accounts` (support's
//! routes on accounts).

pub use tessera_identity_routes::staff_accounts::{handle, routes, SECRETS};
