//! The personal-info function: the routes of `tessera_certification_routes::personal_info` (The candidate's personal info: identifiers, the five required settings, attributes).

pub use tessera_certification_routes::personal_info::{handle, routes, SECRETS};
