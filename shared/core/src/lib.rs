//! Tessera's domain: typed values parsed at the edge, the password policy, one-time codes,
//! the sign-up flows, and the ports (storage, messaging, clock, randomness) they need.
//! Nothing here talks to AWS or HTTP, reads the clock or draws random numbers itself.

pub mod account;
pub mod attempts;
pub mod certification;
pub mod challenge;
pub mod client_limits;
pub mod code;
pub mod common_passwords;
pub mod delivery;
pub mod email;
pub mod email_reminder;
pub mod fulfillment;
pub mod held_code;
pub mod jobs;
pub mod login;
pub mod messages;
pub mod mfa;
pub mod password;
pub mod password_change;
pub mod password_reset;
pub mod phone;
pub mod policy;
pub mod ports;
pub mod profile;
pub mod random_id;
pub mod seed;
pub mod session;
pub mod signup;
pub mod throttle;
pub mod time;
pub mod token;

pub use account::{
    AccountId, AccountStatus, Country, Identity, Name, Profile, ResetGrant, Username,
};
pub use email::Email;
pub use password::{Password, PasswordHash, PasswordHasher};
pub use policy::{PasswordPolicy, PolicyFailure};
pub use time::Timestamp;
