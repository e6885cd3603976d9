//! The staff-orders function: the routes of `tessera_fulfillment_routes::staff_orders` (the
//! fulfillment house's queue, one order, its status, reprints and refunds, by staff).

pub use tessera_fulfillment_routes::staff_orders::{handle, routes, StaffOrdersState, SECRETS};
