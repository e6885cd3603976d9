//! The badges function: the routes of `tessera_credential_routes::badges` (the holder's Open
//! Badges credentials, their downloads and baked images).

pub use tessera_credential_routes::badges::{handle, routes, BadgesState, SECRETS};
