//! The staff-privacy function: the routes of `tessera_fulfillment_routes::staff_privacy` (a
//! person's export and erasure, by staff).

pub use tessera_fulfillment_routes::staff_privacy::{handle, routes, PrivacyState, SECRETS};
