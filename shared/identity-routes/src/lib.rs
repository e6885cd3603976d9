//! The identity routes' handlers: decode → call a flow → encode, one module per function that
//! serves them (its `handle`, `routes` and `SECRETS`). Each identity function's crate is its
//! module and a `main`; the portal's pages call the same handlers in process
//! (`tessera_web::api`), so a route's parsing, rules and messages have one home.

pub mod accounts;
pub mod email_reminders;
pub mod mfa;
pub mod password_change;
pub mod password_policy;
pub mod password_reset;
pub mod phone;
pub mod profile;
pub mod sessions;
pub mod staff_accounts;
pub mod staff_audit;
