//! The mfa function: the routes of `tessera_identity_routes::mfa` (Authenticator (TOTP) routes).

pub use tessera_identity_routes::mfa::{handle, routes, SECRETS};
