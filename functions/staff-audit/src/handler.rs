//! The staff-audit function: the routes of `tessera_identity_routes::staff_audit` (the audit log,
//! read).

pub use tessera_identity_routes::staff_audit::{handle, routes, AuditState, SECRETS};
