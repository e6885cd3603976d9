use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use tessera_identity::account::{CommunicationSettings, ProfileEdit};
use tessera_identity::ports::{AccountStore, UniqueWriteError};
use tessera_identity::{Identity, Profile, Username};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::{Clock, Random, StoreError};
use tessera_kernel::time::Seconds;
use tessera_kernel::time::Timestamp;

/// A clock that moves only when told.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// 2026-01-01T00:00:00Z.
    pub const START: Timestamp = Timestamp(1_767_225_600);

    pub fn new() -> ManualClock {
        ManualClock(AtomicI64::new(Self::START.0))
    }
    pub fn advance(&self, by: Seconds) {
        self.0.fetch_add(by.0, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// Randomness from a seed, so a failing test replays. Different seeds per test keep ids apart.
pub struct SeededRandom(Mutex<StdRng>);

impl SeededRandom {
    pub fn new(seed: u64) -> SeededRandom {
        SeededRandom(Mutex::new(StdRng::seed_from_u64(seed)))
    }
}

impl Random for SeededRandom {
    fn fill(&self, buf: &mut [u8]) {
        self.0.lock().unwrap().fill_bytes(buf);
    }
}

/// Wraps a real messenger and fails the first `failures` sends, as SES or SNS would when down.
pub struct FlakyMessenger {
    inner: std::sync::Arc<dyn tessera_kernel::ports::Messenger>,
    failures_left: std::sync::atomic::AtomicU32,
}

impl FlakyMessenger {
    pub fn new(
        inner: std::sync::Arc<dyn tessera_kernel::ports::Messenger>,
        failures: u32,
    ) -> FlakyMessenger {
        FlakyMessenger {
            inner,
            failures_left: std::sync::atomic::AtomicU32::new(failures),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("injected send failure")]
struct InjectedFailure;

#[async_trait::async_trait]
impl tessera_kernel::ports::Messenger for FlakyMessenger {
    async fn send(
        &self,
        message: &tessera_kernel::ports::OutgoingMessage,
    ) -> Result<(), tessera_kernel::ports::SendError> {
        let left = self.failures_left.load(Ordering::SeqCst);
        if left > 0 {
            self.failures_left.store(left - 1, Ordering::SeqCst);
            return Err(tessera_kernel::ports::SendError(Box::new(InjectedFailure)));
        }
        self.inner.send(message).await
    }
}

/// A mail system that never answers: the send hangs until the caller gives up.
pub struct SilentMessenger;

#[async_trait::async_trait]
impl tessera_kernel::ports::Messenger for SilentMessenger {
    async fn send(
        &self,
        _message: &tessera_kernel::ports::OutgoingMessage,
    ) -> Result<(), tessera_kernel::ports::SendError> {
        std::future::pending().await
    }
}

/// A store whose every call fails, as DynamoDB does when it is unreachable.
pub struct UnavailableStore;

#[derive(Debug, thiserror::Error)]
#[error("injected storage outage")]
struct InjectedOutage;

fn outage<T>() -> Result<T, StoreError> {
    Err(StoreError::unavailable(InjectedOutage))
}

#[async_trait::async_trait]
impl AccountStore for UnavailableStore {
    async fn create_account(&self, _: &Identity, _: &Profile) -> Result<(), UniqueWriteError> {
        Ok(outage()?)
    }
    async fn identity(&self, _: &Email) -> Result<Option<Identity>, StoreError> {
        outage()
    }
    async fn update_identity(&self, _: &Identity) -> Result<(), StoreError> {
        outage()
    }
    async fn replace_registration(&self, _: &Identity, _: &Profile) -> Result<(), StoreError> {
        outage()
    }
    async fn activate(&self, _: &Identity, _: &Username) -> Result<(), UniqueWriteError> {
        Ok(outage()?)
    }
    async fn save_sign_in(
        &self,
        _: &Identity,
        _: bool,
        _: Option<&tessera_kernel::audit::AuditEvent>,
    ) -> Result<(), StoreError> {
        outage()
    }
    async fn profile(&self, _: &AccountId) -> Result<Option<Profile>, StoreError> {
        outage()
    }
    async fn edit_profile(
        &self,
        _: &AccountId,
        _: &ProfileEdit,
    ) -> Result<Option<Profile>, StoreError> {
        outage()
    }
    async fn set_communication(
        &self,
        _: &AccountId,
        _: CommunicationSettings,
    ) -> Result<(), StoreError> {
        outage()
    }
    async fn move_email(
        &self,
        _: &Identity,
        _: &Identity,
        _: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), tessera_identity::ports::UniqueWriteError> {
        Ok(outage()?)
    }
    async fn set_roles(
        &self,
        _: &AccountId,
        _: &tessera_identity::staff::Roles,
        _: &tessera_identity::staff::Roles,
        _: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        outage()
    }
    async fn account_by_username(&self, _: &Username) -> Result<Option<AccountId>, StoreError> {
        outage()
    }
    async fn federated_domain(&self, _: &str) -> Result<bool, StoreError> {
        outage()
    }
    async fn purgeable_accounts(
        &self,
        _: Timestamp,
        _: usize,
    ) -> Result<Vec<Identity>, StoreError> {
        outage()
    }
    async fn purge_account(&self, _: &Identity) -> Result<bool, StoreError> {
        outage()
    }

    async fn erase_account(
        &self,
        _: &Identity,
        _: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        outage()
    }
}
