//! Credentials: what a third party checks. The PDF certificate (with its verification code and a
//! QR code of the code's public page) and public verification of every code Tessera prints.
//! Built on certification tracking's records and the register of codes in its ports.

pub mod certificate;
pub mod signing;
pub mod verification;
