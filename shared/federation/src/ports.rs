//! Where federation is kept (the providers, which provider each domain belongs to, sign-ins under
//! way) and how an organisation's provider is reached.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::provider::{OrgProvider, ProviderId};

/// A sign-in sent to an organisation's provider and not back yet: kept under the SHA-256 of its
/// `state`, taken once when the provider sends the person back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state_digest: String,
    pub provider: ProviderId,
    pub nonce: String,
    /// The PKCE verifier the token request proves the code with.
    pub code_verifier: String,
    /// Where the person goes once signed in (a path on this site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    pub expires_at: Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Another enabled provider has one of the domains.
    #[error("a domain belongs to another provider: {0}")]
    DomainTaken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait FederationStore: Send + Sync {
    /// Stores a new provider, each of its domains pointing at it, and its audit event: all or
    /// nothing (`DomainTaken` when a domain is another's).
    async fn register_provider(
        &self,
        provider: &OrgProvider,
        event: &AuditEvent,
    ) -> Result<(), RegisterError>;

    /// Every provider, newest first.
    async fn providers(&self) -> Result<Vec<OrgProvider>, StoreError>;

    async fn provider(&self, id: &ProviderId) -> Result<Option<OrgProvider>, StoreError>;

    /// The enabled provider a domain belongs to.
    async fn provider_for_domain(&self, domain: &str) -> Result<Option<OrgProvider>, StoreError>;

    /// Disables an enabled provider and frees its domains (their people sign in with a password
    /// again, after a reset), with its audit event. `false`: no such enabled provider.
    async fn disable_provider(
        &self,
        id: &ProviderId,
        event: &AuditEvent,
    ) -> Result<bool, StoreError>;

    async fn save_login(&self, login: &PendingLogin) -> Result<(), StoreError>;

    /// Takes the sign-in stored under `state_digest` away and returns it, in one write: a
    /// `state` sent back twice finds nothing the second time.
    async fn take_login(&self, state_digest: &str) -> Result<Option<PendingLogin>, StoreError>;
}

/// What a provider publishes about itself (Discovery §3), as far as signing in needs it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct IssuerMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
}

/// The provider could not be reached, or answered what Tessera cannot use.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error("the provider did not answer: {0}")]
    Unavailable(String),
    #[error("the provider refused: {0}")]
    Refused(String),
}

/// An organisation's provider, over HTTPS.
#[async_trait]
pub trait Issuers: Send + Sync {
    /// `<issuer>/.well-known/openid-configuration`.
    async fn metadata(&self, issuer: &str) -> Result<IssuerMetadata, IssuerError>;

    /// The JWK Set at `jwks_uri` (one kept for a while will do).
    async fn keys(&self, jwks_uri: &str) -> Result<jsonwebtoken::jwk::JwkSet, IssuerError>;

    /// The JWK Set at `jwks_uri` as the provider publishes it now: asked for when a token is
    /// signed with a key the set from `keys` lacks (the provider rotated its keys).
    async fn fresh_keys(&self, jwks_uri: &str) -> Result<jsonwebtoken::jwk::JwkSet, IssuerError> {
        self.keys(jwks_uri).await
    }

    /// The token request (`grant_type=authorization_code`): the ID token it answers with.
    /// `client_secret` present: `client_secret_basic`; otherwise the client id in the form.
    async fn redeem_code(
        &self,
        token_endpoint: &str,
        form: &[(&str, &str)],
        client: (&str, Option<&str>),
    ) -> Result<String, IssuerError>;
}
