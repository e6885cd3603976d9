//! The ports the flows need, each small and named for what it does. Adapters live in
//! `tessera-aws` (DynamoDB, SES, SNS) and `tessera-local` (SQLite, file outbox).

use crate::account::{AccountId, CommunicationSettings, Identity, Profile, ProfileEdit, Username};
use crate::certification::import::CandidateId;
use crate::certification::mapping::MappingState;
use crate::certification::record::{
    CandidateEdit, CandidateProfile, CandidateRecord, CeActivity, ExamRecord,
};
use crate::certification::reminders::Watch;
use crate::certification::transcript::{Transcript, TranscriptContent, TranscriptId, ViewCount};
use crate::delivery::UnsentMessage;
use crate::email::Email;
use crate::fulfillment::order::{Order, OrderBook, OrderId, OrderStatus, Placed, Updated};
use crate::session::Session;
use crate::throttle::{LoginStart, LoginThrottle, ThrottleKey, ThrottleSettings};
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

type Source = Box<dyn std::error::Error + Send + Sync>;

/// Storage failures, in the domain's words. Adapters translate their conditions into these.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("an account already exists for this email")]
    EmailTaken,
    #[error("the username is already assigned")]
    UsernameTaken,
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

/// Creating accounts and reading them by email.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Writes identity and profile together, or neither. `EmailTaken` if the identity exists.
    async fn create_account(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<(), StoreError>;

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
    /// a username marker that must not exist yet, and the profile's username and purge date.
    async fn activate(&self, identity: &Identity, username: &Username) -> Result<(), StoreError>;

    /// A new password in one transaction: the identity (version-checked, as `update_identity`),
    /// its session epoch mirrored onto the profile so every older session dies with it, and, when
    /// `clear_login_failures`, the address's failed-login count removed.
    async fn save_password(
        &self,
        identity: &Identity,
        clear_login_failures: bool,
    ) -> Result<(), StoreError>;

    async fn profile(&self, account_id: &AccountId) -> Result<Option<Profile>, StoreError>;

    /// Applies an edit to the profile's own attributes only (never its session epoch), and
    /// returns the profile as it is after. `None` if there is no such profile.
    async fn edit_profile(
        &self,
        account_id: &AccountId,
        edit: &ProfileEdit,
    ) -> Result<Option<Profile>, StoreError>;

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
    ) -> Result<Option<crate::AccountId>, StoreError>;

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
}

/// What adding one keyed item to a candidate record did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    New,
    /// Already recorded: nothing changed.
    Duplicate,
    /// The key (a registration number) is recorded for another candidate.
    TakenBy(CandidateId),
}

/// Candidate records: created and extended by imports, read whole for the candidate's screens.
#[async_trait]
pub trait CandidateRecords: Send + Sync {
    /// Creates the record from `profile` if there is none, or merges `profile` into it
    /// (`CandidateProfile::merge_import`); then adds each exam whose registration number is new,
    /// in order. The answer has one entry per exam.
    async fn add_exams(
        &self,
        profile: &CandidateProfile,
        exams: &[ExamRecord],
    ) -> Result<Vec<Added>, StoreError>;

    /// Adds each activity whose key (`CeActivity::key`) is new to the record; `None` if there is
    /// no record for `candidate`.
    async fn add_activities(
        &self,
        candidate: &CandidateId,
        activities: &[CeActivity],
    ) -> Result<Option<Vec<Added>>, StoreError>;

    /// The whole record: profile, exams and activities, in one read.
    async fn candidate(
        &self,
        candidate: &CandidateId,
    ) -> Result<Option<CandidateRecord>, StoreError>;

    /// The profile of the record a registration number belongs to.
    async fn candidate_with_registration(
        &self,
        registration_number: &str,
    ) -> Result<Option<CandidateProfile>, StoreError>;

    /// The profiles of every record with `email` on file.
    async fn candidates_with_email(
        &self,
        email: &Email,
    ) -> Result<Vec<CandidateProfile>, StoreError>;

    /// The account's mapping state (`version` 0 when it has none yet).
    async fn mapping_state(&self, account: &AccountId) -> Result<MappingState, StoreError>;

    /// Stores the state if the stored version is still `state.version` (absent for 0), as
    /// `version + 1`; `Conflict` otherwise.
    async fn save_mapping_state(
        &self,
        account: &AccountId,
        state: &MappingState,
    ) -> Result<(), StoreError>;

    /// Applies the candidate's own edit to the record (only the attributes it names, so an
    /// import running meanwhile is not undone) and returns the profile after it; `None` if there
    /// is no such record.
    async fn edit_candidate(
        &self,
        candidate: &CandidateId,
        edit: &CandidateEdit,
    ) -> Result<Option<CandidateProfile>, StoreError>;

    /// Maps the record to the account, in one transaction: `profile` (with `account_id` set and
    /// perhaps a new email; `previous_email` is the one it replaces) is written only if the
    /// stored record is not mapped yet; the account's own profile gets `candidate_id` only if it
    /// exists and has none yet; and `state` is stored as `save_mapping_state` does. `Conflict`
    /// if any of the three has changed.
    async fn map_account(
        &self,
        profile: &CandidateProfile,
        previous_email: Option<&Email>,
        state: &MappingState,
    ) -> Result<(), StoreError>;

    /// Changes the email on file of the record mapped to `account`, in one transaction: the
    /// record only if it is still mapped to `account` with `previous` on file, its email index
    /// moved, and `state` stored as `save_mapping_state` does. `Conflict` if either changed.
    async fn change_record_email(
        &self,
        candidate: &CandidateId,
        account: &AccountId,
        previous: Option<&Email>,
        new: &Email,
        state: &MappingState,
    ) -> Result<(), StoreError>;

    /// Watches due at `now` or earlier, soonest first, at most `limit`: found by an index of
    /// due days, whatever the number of records.
    async fn watches_due(&self, now: Timestamp, limit: usize) -> Result<Vec<Watch>, StoreError>;

    /// Stores the watch if the stored version is still `watch.version` (absent for 0), as
    /// `version + 1`; `Conflict` otherwise.
    async fn save_watch(&self, watch: &Watch) -> Result<(), StoreError>;

    /// Makes the holder's watch due at once (new evidence arrived), keeping the notices sent.
    async fn watch_again(&self, candidate: &CandidateId) -> Result<(), StoreError>;
}

/// Transcripts, kept per holder (one query lists them) with a pointer from each public id to its
/// holder.
#[async_trait]
pub trait TranscriptStore: Send + Sync {
    /// Stores a new transcript and its pointer, together.
    async fn create_transcript(&self, transcript: &Transcript) -> Result<(), StoreError>;

    /// The holder's transcripts, oldest first.
    async fn transcripts(&self, candidate: &CandidateId) -> Result<Vec<Transcript>, StoreError>;

    /// One of the holder's transcripts.
    async fn transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
    ) -> Result<Option<Transcript>, StoreError>;

    /// Whose transcript a public id is.
    async fn transcript_owner(&self, id: &TranscriptId) -> Result<Option<CandidateId>, StoreError>;

    /// Replaces what the holder set (not the views); the transcript after, `None` if gone.
    async fn replace_content(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        content: &TranscriptContent,
    ) -> Result<Option<Transcript>, StoreError>;

    /// Deletes the transcript and its pointer; whether there was one.
    async fn delete_transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
    ) -> Result<bool, StoreError>;

    /// Counts one view at `now`, atomically, if the transcript exists and has not expired.
    async fn count_view(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        now: Timestamp,
    ) -> Result<ViewCount, StoreError>;

    /// Counts one transcript email in the holder's window starting at `window`, if fewer than
    /// `limit` were sent in it; whether it was counted.
    async fn count_email(
        &self,
        candidate: &CandidateId,
        window: Timestamp,
        limit: u32,
    ) -> Result<bool, StoreError>;
    /// Transcripts that expired at `expired_by` or earlier, soonest first, at most `limit`:
    /// found by an index of expiry dates, whatever the number of transcripts.
    async fn expired_transcripts(
        &self,
        expired_by: Timestamp,
        limit: usize,
    ) -> Result<Vec<Transcript>, StoreError>;

    /// Deletes the transcript and its pointer if it still expires at `expired_by` or earlier (an
    /// edit that extended it meanwhile keeps it); whether it did.
    async fn delete_expired_transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        expired_by: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// Fulfillment orders, kept per candidate with a pointer from each order id to its candidate.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Stores `order` and its initial-kit claims (`Order::claims`) together, unless the candidate
    /// used `order.idempotency_key` before (`Existing`) or a claimed kit is taken (`KitClaimed`).
    async fn place_order(&self, order: &Order) -> Result<Placed, StoreError>;

    /// The candidate's orders and claimed initial kits.
    async fn order_book(&self, candidate: &CandidateId) -> Result<OrderBook, StoreError>;

    /// Whose order an id is.
    async fn order_owner(&self, id: &OrderId) -> Result<Option<CandidateId>, StoreError>;

    /// Replaces the stored order with `order` if its status is still `from` (`StatusMoved`
    /// otherwise), recording the provider's `event` in the same write so an event applies once
    /// (`EventSeen`). An order moving to `Cancelled` gives its initial-kit claims back.
    async fn update_order(
        &self,
        order: &Order,
        from: OrderStatus,
        event: Option<&str>,
    ) -> Result<Updated, StoreError>;

    /// Orders waiting for payment that were placed at `placed_by` or earlier, oldest first, at
    /// most `limit`: found by an index of waiting orders, whatever the number of other orders.
    async fn unpaid_orders(
        &self,
        placed_by: Timestamp,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError>;
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
