//! Access levels, as the older registration help page (seed 001) describes them. Every account
//! is a **guest**. It becomes a **customer** by giving a service contract number, or a
//! **partner** by a partner agreement number, each checked against the registry operators import;
//! a partner may **sponsor** a customer's access (the partner's approval is the audit event);
//! staff issue a **special access code** for one named resource, with an expiry, which one person
//! redeems. Each grant is an [`entitlement::Entitlement`] saying where it came from and until
//! when; the account's [`entitlement::AccessRecord`] holds them all and changes only by a
//! version-checked write with its audit event.
//!
//! Nothing here speaks HTTP or reads the clock or randomness itself.

pub mod codes;
pub mod entitlement;
pub mod flows;
pub mod ports;
pub mod registry;
pub mod sponsorship;
