//! The password-policy function: the routes of `tessera_identity_routes::password_policy` (Password policy routes, for a UI checklist. No storage, no AWS client).

pub use tessera_identity_routes::password_policy::{handle, routes, SECRETS};
