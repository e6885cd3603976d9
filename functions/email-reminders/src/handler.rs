//! The email-reminders function: the routes of `tessera_identity_routes::email_reminders` (Forgot email).

pub use tessera_identity_routes::email_reminders::{handle, routes, SECRETS};
