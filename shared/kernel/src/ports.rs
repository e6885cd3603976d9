//! The ports every context shares: the clock, randomness, the mail system, the outbox of unsent
//! messages, and the storage failures all adapters translate their conditions into. Each context
//! owns its own storage ports beside its flows.

use crate::delivery::UnsentMessage;
use crate::time::Timestamp;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A CSPRNG in production; seeded in tests.
pub trait Random: Send + Sync {
    fn fill(&self, buf: &mut [u8]);
}

/// Randomness that is not random: bytes counting up from where it starts (wrapping). For unit
/// tests that need values they can predict; nothing in a running system uses it.
pub struct CountingRandom(std::sync::atomic::AtomicU8);

impl CountingRandom {
    pub fn from(start: u8) -> CountingRandom {
        CountingRandom(std::sync::atomic::AtomicU8::new(start))
    }
}

impl Random for CountingRandom {
    fn fill(&self, buf: &mut [u8]) {
        for b in buf {
            *b = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

type Source = Box<dyn std::error::Error + Send + Sync>;

/// Storage failures, in the domain's words. Adapters translate their conditions into these.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the record changed since it was read")]
    Conflict,
    #[error("storage unavailable: {0}")]
    Unavailable(#[source] Source),
}

impl StoreError {
    pub fn unavailable(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Unavailable(Box::new(e))
    }
}

/// Messages kept after a failed send, until the retry job sends or discards them.
#[async_trait]
pub trait UnsentMessages: Send + Sync {
    /// Stores a new unsent message.
    async fn keep(&self, unsent: &UnsentMessage) -> Result<(), StoreError>;

    /// Up to `limit` messages whose next attempt is due at `now`, the earliest first. Reads only
    /// what is due, whatever else is kept.
    async fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<UnsentMessage>, StoreError>;

    /// Replaces a kept message (its new attempt count and next attempt) if its stored attempt
    /// count is still `previous_attempts`; `Conflict` otherwise, or if it is gone.
    async fn claim(&self, unsent: &UnsentMessage, previous_attempts: u32)
        -> Result<(), StoreError>;

    /// Forgets a message: sent, or no longer worth sending.
    async fn remove(&self, id: &str) -> Result<(), StoreError>;

    /// Forgets every kept message to one of `addresses` (a person erased); how many.
    async fn discard_to(&self, addresses: &[String]) -> Result<usize, StoreError>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
}

/// An email (subject, text and HTML) or an SMS (text only), ready to send.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    pub channel: Channel,
    pub to: String,
    pub subject: Option<String>,
    pub text: String,
    pub html: Option<String>,
}

impl std::fmt::Debug for OutgoingMessage {
    /// Bodies carry codes: only the channel and subject are printable.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMessage")
            .field("channel", &self.channel)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("message not sent: {0}")]
pub struct SendError(#[source] pub Source);

#[async_trait]
pub trait Messenger: Send + Sync {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), SendError>;
}
