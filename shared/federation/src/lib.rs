//! Federated accounts (flow 32): an organisation's own OpenID Connect provider, registered by a
//! `program_admin` with its email domains, signs its people in. Sign-in is identifier-first: the
//! address's domain finds the provider (`provider`), Tessera sends the person there as a relying
//! party with PKCE, and links the account by the email the provider verified, never by an
//! unverified one (`flows`); the ID token is checked against the provider's published keys
//! (`id_token`). Such accounts have no password and no security settings here.
//!
//! Nothing here reads the clock or randomness itself; the provider is reached through the
//! `Issuers` port (`issuer::HttpIssuers` over HTTPS, behind `cache::CachedIssuers`).

pub mod cache;
pub mod flows;
pub mod id_token;
pub mod issuer;
pub mod ports;
pub mod provider;
