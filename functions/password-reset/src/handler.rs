//! The password-reset function: the routes of `tessera_identity_routes::password_reset` (Forgot-password routes).

pub use tessera_identity_routes::password_reset::{handle, routes, SECRETS};
