//! Identity's storage ports, each small and named for what it does. Adapters live in
//! `tessera-aws` (DynamoDB) and `tessera-local` (SQLite).

use crate::account::{CommunicationSettings, Identity, Profile, ProfileEdit, Username};
use crate::session::Session;
use crate::staff::Roles;
use crate::throttle::{LoginStart, LoginThrottle, ThrottleKey, ThrottleSettings};
use async_trait::async_trait;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

/// Writing what must be unique: a new account's address, an activated account's login ID.
#[derive(Debug, thiserror::Error)]
pub enum UniqueWriteError {
    #[error("the address or login ID is taken already")]
    Taken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creating accounts and reading them by email.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Writes identity and profile together, or neither. `Taken` if the identity exists.
    async fn create_account(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<(), UniqueWriteError>;

    /// A strongly consistent read of the identity for a canonical email.
    async fn identity(&self, email: &Email) -> Result<Option<Identity>, StoreError>;

    /// Replaces the identity if its stored version is still `identity.version`, storing
    /// `version + 1`. `Conflict` otherwise.
    async fn update_identity(&self, identity: &Identity) -> Result<(), StoreError>;

    /// A pending account signed up for again: the identity (version-checked, as
    /// `update_identity`) and the profile replaced by the latest registration's, in one
    /// transaction. `Conflict` if the identity changed meanwhile.
    async fn replace_registration(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<(), StoreError>;

    /// Activation in one transaction: the identity (version-checked, as `update_identity`),
    /// a username marker that must not exist yet (`Taken` otherwise), and the profile's username
    /// and purge date.
    async fn activate(
        &self,
        identity: &Identity,
        username: &Username,
    ) -> Result<(), UniqueWriteError>;

    /// What decides sign-in, saved in one transaction: the identity (version-checked, as
    /// `update_identity`; a new password, a lock lifted, the account disabled or enabled), its
    /// session epoch (and whether it is federated) mirrored onto the profile so every older
    /// session dies with it, when
    /// `clear_login_failures` the address's failed-login count removed, and a staff action's
    /// `audit` event appended.
    async fn save_sign_in(
        &self,
        identity: &Identity,
        clear_login_failures: bool,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError>;

    async fn profile(&self, account_id: &AccountId) -> Result<Option<Profile>, StoreError>;

    /// Applies an edit to the profile's own attributes only (never its session epoch), and
    /// returns the profile as it is after. `None` if there is no such profile.
    async fn edit_profile(
        &self,
        account_id: &AccountId,
        edit: &ProfileEdit,
    ) -> Result<Option<Profile>, StoreError>;

    /// Sets the account's staff roles to `roles` if they are still `expected`, and appends
    /// `event` to the audit log, in one write: both or neither. `Conflict` if the roles changed
    /// since they were read, or the account is gone.
    async fn set_roles(
        &self,
        account_id: &AccountId,
        expected: &Roles,
        roles: &Roles,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// Moves an account to a new sign-in address, in one transaction: the identity stored under
    /// `identity.email` (version-checked, as `update_identity`) is removed, `moved` is stored under
    /// its own address, which must be free (`Taken` otherwise), the profile's address follows,
    /// and `event` is appended to the audit log. `Conflict` if the identity changed meanwhile.
    async fn move_email(
        &self,
        identity: &Identity,
        moved: &Identity,
        event: &AuditEvent,
    ) -> Result<(), UniqueWriteError>;

    /// Replaces the communication settings.
    async fn set_communication(
        &self,
        account_id: &AccountId,
        settings: CommunicationSettings,
    ) -> Result<(), StoreError>;

    /// The account id a username belongs to.
    async fn account_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<AccountId>, StoreError>;

    /// Whether an organisation's provider signs in the people of `domain` (identifier-first
    /// sign-in sends them there instead of asking for a password).
    async fn federated_domain(&self, domain: &str) -> Result<bool, StoreError>;

    /// Pending accounts whose purge date is `now` or earlier, soonest first, at most `limit`:
    /// found by an index of pending accounts, whatever the number of active ones.
    async fn purgeable_accounts(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Identity>, StoreError>;

    /// Deletes a pending account — its identity (which frees the email) and its profile,
    /// together — if the stored identity is still pending at version `identity.version`;
    /// whether it did.
    async fn purge_account(&self, identity: &Identity) -> Result<bool, StoreError>;

    /// Erases an account on its owner's request, in one transaction: the identity (if its
    /// stored version is still `identity.version`; `Conflict` otherwise), its profile, its
    /// username marker, its address's failed-login count, its access levels and the consents
    /// it gave applications are deleted, and `tombstone` is appended to the audit log. Every
    /// session (and application's token family) ends with the profile; sign-in finds no one.
    async fn erase_account(
        &self,
        identity: &Identity,
        tombstone: &AuditEvent,
    ) -> Result<(), StoreError>;
}

/// What logging in reads and writes.
#[async_trait]
pub trait LoginStore: Send + Sync {
    /// Begins an attempt at a password, atomically: unless the key's delay is running, the
    /// attempt is counted before the password is checked (`LoginThrottle::begin_attempt`), and
    /// for an address the identity is read alongside. Parallel attempts therefore get no more
    /// checks than the same attempts made one at a time.
    async fn begin_login(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
        settings: &ThrottleSettings,
    ) -> Result<LoginStart, StoreError>;

    /// The key's throttle as stored (tests, and the conformance suite).
    async fn login_throttle(&self, key: &ThrottleKey) -> Result<LoginThrottle, StoreError>;

    /// Forgets the key's attempts: the password was right.
    async fn clear_login_failures(&self, key: &ThrottleKey) -> Result<(), StoreError>;

    /// Marks the key's counted attempts as including a failure, so waiting never forgets them.
    /// Nothing if the count was cleared meanwhile.
    async fn mark_login_failed(&self, key: &ThrottleKey) -> Result<(), StoreError>;

    /// Adds one failure for the email, atomically (a wrong second factor after a right
    /// password); the state after it.
    async fn record_login_failure(
        &self,
        email: &Email,
        now: Timestamp,
    ) -> Result<LoginThrottle, StoreError>;

    /// The address's identity and its throttle, in one read: what the second step of a login
    /// needs (the challenge, and whether a success must clear the count).
    async fn identity_and_throttle(
        &self,
        email: &Email,
    ) -> Result<(Option<Identity>, LoginThrottle), StoreError>;

    /// Stores a new session and, when `clear_throttle`, clears the email's count (sent
    /// together; an ordinary login's own lone attempt needs no clearing, see `throttle`).
    async fn start_session(
        &self,
        session: &Session,
        email: &Email,
        clear_throttle: bool,
    ) -> Result<(), StoreError>;
}

/// What checking and ending a session needs.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The session for a token digest and the profile of the account the token names, in one read.
    async fn session_and_profile(
        &self,
        token_digest: &str,
        account_id: &AccountId,
    ) -> Result<(Option<Session>, Option<Profile>), StoreError>;

    /// Records activity; a session deleted meanwhile stays deleted.
    async fn touch_session(
        &self,
        token_digest: &str,
        last_seen_at: Timestamp,
    ) -> Result<(), StoreError>;

    async fn end_session(&self, token_digest: &str) -> Result<(), StoreError>;
}
