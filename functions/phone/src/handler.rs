//! The phone function: the routes of `tessera_identity_routes::phone` (Mobile number routes).

pub use tessera_identity_routes::phone::{handle, routes, SECRETS};
