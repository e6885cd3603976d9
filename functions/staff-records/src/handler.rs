//! The staff-records function: the routes of `tessera_certification_routes::staff_records` (staff
//! routes on candidate records, and the catalog at runtime).

pub use tessera_certification_routes::staff_records::{handle, routes, SECRETS};
