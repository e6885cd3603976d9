//! The certifications function: the routes of `tessera_certification_routes::certifications` (The certification screens and downloads, each read from the signed-in account's record).

pub use tessera_certification_routes::certifications::{handle, routes, SECRETS};
