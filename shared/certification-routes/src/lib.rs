//! The candidate's certification routes' handlers: decode → call a flow → encode, one module per
//! function that serves them (its `handle`, `routes` and `SECRETS`). Each of those functions'
//! crates is its module and a `main`; the certification pages call the same handlers in process
//! (`tessera_web::api`), so a route's parsing, rules and messages have one home.

pub mod certifications;
pub mod mapping;
pub mod personal_info;
pub mod staff_records;
pub mod transcripts;
