//! The profile function: the routes of `tessera_identity_routes::profile` (Profile routes).

pub use tessera_identity_routes::profile::{handle, routes, SECRETS};
