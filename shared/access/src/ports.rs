//! Where access is kept: each account's record (version-checked, written with its audit event),
//! the registry of contracts and agreements, and the special access codes staff issue.

use async_trait::async_trait;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;

use crate::codes::IssuedCode;
use crate::entitlement::AccessRecord;
use crate::registry::{AgreementKind, AgreementNumber, RegistryEntry};
use crate::sponsorship::Sponsorship;

#[async_trait]
pub trait AccessStore: Send + Sync {
    /// The account's record (an empty one at version 0 when it has none).
    async fn access(&self, account: &AccountId) -> Result<AccessRecord, StoreError>;

    /// Stores `record` (at `record.version`) if the stored one is still at `record.version - 1`,
    /// with `event`: both or neither. `Conflict` otherwise.
    async fn save_access(
        &self,
        account: &AccountId,
        record: &AccessRecord,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    async fn registry_entry(
        &self,
        kind: AgreementKind,
        number: &AgreementNumber,
    ) -> Result<Option<RegistryEntry>, StoreError>;

    /// Adds or replaces each entry (an import run again changes nothing).
    async fn put_registry_entries(&self, entries: &[RegistryEntry]) -> Result<(), StoreError>;

    /// Stores a new code with its audit event: both or neither.
    async fn issue_code(&self, code: &IssuedCode, event: &AuditEvent) -> Result<(), StoreError>;

    /// The code stored under `digest`, redeemed or not.
    async fn code(&self, digest: &str) -> Result<Option<IssuedCode>, StoreError>;

    /// Redeems the code under `digest` for `account` and stores `record` as `save_access` does,
    /// with `event`, in one transaction: `Conflict` (and nothing written) if the code was
    /// redeemed meanwhile or the record moved on. Of two racing redemptions one gets it.
    async fn redeem_code(
        &self,
        account: &AccountId,
        digest: &str,
        record: &AccessRecord,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// Stores a partner's sponsorship (replacing one for the same address) with its audit
    /// event: both or neither.
    async fn save_sponsorship(
        &self,
        sponsorship: &Sponsorship,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// The sponsorship waiting for the address with this digest.
    async fn sponsorship(&self, email_digest: &str) -> Result<Option<Sponsorship>, StoreError>;

    /// The account's record and the sponsorship waiting for its address, in one read.
    async fn access_and_sponsorship(
        &self,
        account: &AccountId,
        email_digest: &str,
    ) -> Result<(AccessRecord, Option<Sponsorship>), StoreError>;

    /// Removes it once its customer has the entitlement (nothing when there is none).
    async fn remove_sponsorship(&self, email_digest: &str) -> Result<(), StoreError>;
}
