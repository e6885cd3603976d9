//! Identity: accounts (sign-up, activation, profiles), passwords and their policy, log-in with
//! its throttle and second step, sessions, authenticators and recovery codes, mobile numbers,
//! resets and reminders, staff roles, and the storage ports these flows need. Built on `tessera-kernel` only:
//! nothing here knows a certification or an order.

pub mod account;
pub mod challenge;
pub mod common_passwords;
pub mod email_change;
pub mod email_reminder;
pub mod held_code;
pub use tessera_kernel::links;
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
pub mod seed;
pub mod session;
pub mod signup;
pub mod staff;
pub mod support;
pub mod throttle;
pub mod token;
pub mod wrong_codes;

pub use account::{AccountStatus, Identity, Profile, ResetGrant, Username};
pub use password::{Password, PasswordHash, PasswordHasher};
pub use policy::{PasswordPolicy, PolicyFailure};
