//! The lambda_http glue every function shares: strict JSON decoding with size limits, one error
//! format (`application/problem+json`), typed configuration that fails fast, wiring of the
//! ports for the chosen backend, JSON logs with the request id, and the Lambda entry point.

pub mod auth;
pub mod body;
#[cfg(feature = "certification")]
pub mod candidate;
pub mod client;
pub mod config;
pub mod edge;
pub mod links;
pub mod logging;
pub mod problem;
pub mod public_page;
pub mod response;
pub mod routing;
pub mod staff;
pub mod wiring;

pub use body::Fields;
pub use config::Config;
pub use problem::Problem;
pub use wiring::{serve, OsRandom, SystemClock};
