//! The password-change function: the routes of `tessera_identity_routes::password_change` (Change password).

pub use tessera_identity_routes::password_change::{handle, routes, SECRETS};
