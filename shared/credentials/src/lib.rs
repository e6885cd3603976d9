//! Credentials: what a third party checks. The PDF certificate (with its verification code and a
//! QR code of the code's public page), public verification of every code Tessera prints, and the
//! issuer behind the program's signed credentials (its profile and keys). Built on certification
//! tracking's records and the register of codes in its ports.

pub mod achievement;
pub mod badges;
pub mod baked;
pub mod certificate;
pub mod issuer;
pub use tessera_kernel::signing;
pub mod verification;
