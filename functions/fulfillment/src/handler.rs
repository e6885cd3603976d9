//! The fulfillment function: the routes of `tessera_fulfillment_routes::fulfillment` (printed
//! certificate kits, the payment provider's events and the sandbox checkout).

pub use tessera_fulfillment_routes::fulfillment::{handle, routes, FulfillmentState, SECRETS};
