//! The mapping function: the routes of `tessera_certification_routes::mapping` (Account mapping on first use: linking the signed-in account to its candidate record).

pub use tessera_certification_routes::mapping::{handle, routes, SECRETS};
