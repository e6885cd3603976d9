//! Where the provider keeps clients, consents, codes and token families.

use async_trait::async_trait;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::client::{Client, ClientId};
use crate::scopes::Scopes;
use crate::tokens::{CodeGrant, FamilyId, TokenFamily};

#[async_trait]
pub trait OidcStore: Send + Sync {
    /// Stores a new client with its audit event: both or neither.
    async fn register_client(&self, client: &Client, event: &AuditEvent) -> Result<(), StoreError>;

    async fn client(&self, id: &ClientId) -> Result<Option<Client>, StoreError>;

    /// Every client, newest first.
    async fn clients(&self) -> Result<Vec<Client>, StoreError>;

    /// Disables a client with its audit event: both or neither. Whether there was such a client
    /// still enabled.
    async fn disable_client(&self, id: &ClientId, event: &AuditEvent) -> Result<bool, StoreError>;

    /// The scopes the person has consented to give the client, if any.
    async fn consent(
        &self,
        account: &AccountId,
        client: &ClientId,
    ) -> Result<Option<Scopes>, StoreError>;

    /// Every client the person has consented to, with the scopes: what an export of their data
    /// lists.
    async fn consents(&self, account: &AccountId) -> Result<Vec<(ClientId, Scopes)>, StoreError>;

    /// Remembers the scopes the person consented to give the client (replacing any before).
    async fn remember_consent(
        &self,
        account: &AccountId,
        client: &ClientId,
        scopes: &Scopes,
    ) -> Result<(), StoreError>;

    async fn save_code(&self, grant: &CodeGrant) -> Result<(), StoreError>;

    /// Takes the code stored under `digest` away and returns it, in one conditional write: of two
    /// racing redemptions exactly one gets it. Expired codes may still be returned (the caller
    /// checks the time).
    async fn redeem_code(&self, digest: &str) -> Result<Option<CodeGrant>, StoreError>;

    /// Stores a new family (its id is new: `Conflict` otherwise).
    async fn start_family(&self, family: &TokenFamily) -> Result<(), StoreError>;

    async fn family(&self, id: &FamilyId) -> Result<Option<TokenFamily>, StoreError>;

    /// Replaces the family with `family` if its stored refresh token is still `expected_refresh`
    /// and it is not revoked; whether it did (of two racing refreshes one wins).
    async fn rotate_family(
        &self,
        family: &TokenFamily,
        expected_refresh: &str,
    ) -> Result<bool, StoreError>;

    /// Marks the family revoked at `at` (kept, so a replay after it is still seen); nothing if
    /// there is no such family or it was revoked already.
    async fn revoke_family(&self, id: &FamilyId, at: Timestamp) -> Result<(), StoreError>;
}
