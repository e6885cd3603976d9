//! The sessions function: the routes of `tessera_identity_routes::sessions` (Session routes).

pub use tessera_identity_routes::sessions::{handle, routes, SECRETS};
