//! Identity for other applications: Tessera as an OpenID Connect provider.
//!
//! A relying application is a registered [`client::Client`] (confidential, with a secret stored
//! only as its SHA-256, or public). It sends the person to the authorization endpoint with PKCE
//! (S256 only) and an exactly registered redirect URI ([`authorize`]); once the person has signed
//! in on the portal's pages and consented (remembered per client), a single-use authorization code
//! goes back. At the token endpoint ([`grants`]) the code becomes an ID token signed ES256 with
//! the program's ID-token keys, an access token, and a refresh token. The tokens of one sign-in
//! form a *family* ([`tokens::TokenFamily`]): each refresh rotates the family's refresh token,
//! and presenting a spent one revokes the whole family (someone holds a copy). A family dies with
//! the account's password (its session epoch), with revocation, and with RP-initiated logout.
//!
//! Nothing here speaks HTTP or reads the clock or randomness itself; no cryptography is written
//! here: signatures come from the signing port, digests and verification from `sha2` and `ring`.

pub mod authorize;
pub mod claims;
pub mod client;
pub mod grants;
pub mod ports;
pub mod scopes;
pub mod tokens;

use std::sync::Arc;

use tessera_identity::ports::AccountStore;
use tessera_kernel::attempts::AttemptLedger;
use tessera_kernel::audit::AuditLog;
use tessera_kernel::ports::{Clock, Random};
use tessera_kernel::signing::JwsSigner;
use tessera_kernel::time::Seconds;

/// What the provider's flows need.
#[derive(Clone)]
pub struct OidcDeps {
    pub store: Arc<dyn ports::OidcStore>,
    /// The account profiles claims come from (and whose session epoch ends families).
    pub accounts: Arc<dyn AccountStore>,
    /// The access levels the `access` scope's claims come from (a partner's sponsorship
    /// waiting for the person's address is granted on the way, as on the access page).
    pub access: tessera_access::flows::AccessDeps,
    pub attempts: Arc<dyn AttemptLedger>,
    pub audit: Arc<dyn AuditLog>,
    /// The program's ID-token keys.
    pub signer: Arc<dyn JwsSigner>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub settings: Lifetimes,
}

/// How long each thing lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetimes {
    /// An authorization code: redeemed within a minute (OAuth 2.1 recommends short).
    pub code: Seconds,
    pub access_token: Seconds,
    pub id_token: Seconds,
    /// A token family from its sign-in, however often it is refreshed.
    pub family: Seconds,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            code: Seconds(60),
            access_token: Seconds::minutes(10),
            id_token: Seconds::minutes(10),
            family: Seconds::days(30),
        }
    }
}
