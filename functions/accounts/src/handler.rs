//! The accounts function: the routes of `tessera_identity_routes::accounts` (Sign-up routes).

pub use tessera_identity_routes::accounts::{handle, routes, SECRETS};
