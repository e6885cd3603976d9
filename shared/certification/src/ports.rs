//! Certification tracking's storage ports. Adapters live in `tessera-aws` (the candidate
//! table) and `tessera-local` (SQLite).

use crate::mapping::MappingState;
use crate::oversight::{CredentialStatus, HoldKind, Oversight, RecordDetails};
use crate::record::{
    CandidateEdit, CandidateProfile, CandidateRecord, CeActivity, ExamRecord, IssuedBadge,
    LookupTerm,
};
use crate::reminders::Watch;
use crate::transcript::{Transcript, TranscriptContent, TranscriptId, ViewCount};
use crate::AccountHolder;
use async_trait::async_trait;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::email::Email;
use tessera_kernel::ids::{AccountId, CandidateId};
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

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

    /// Records listed under `term` (a last name, a testing ID), at most `limit`, by candidate
    /// ID: found by an index, whatever the number of records.
    async fn candidates_by_term(
        &self,
        term: &LookupTerm,
        limit: usize,
    ) -> Result<Vec<CandidateProfile>, StoreError>;

    /// The record `candidate` was merged into, if it was (one read of its profile).
    async fn merged_into(&self, candidate: &CandidateId)
        -> Result<Option<CandidateId>, StoreError>;

    /// Merges the record `source` into `survivor` (both as read; `merge::merge` decides): every
    /// exam (with its registration number's claim), CE activity, order (with its kit claims and
    /// its id) and transcript (with its public id) of `source` moves to `survivor`, which becomes
    /// `survivor_after`; `source` becomes `source.pointer_to(survivor)`; the account mapped to
    /// `source`, if any, is mapped to `survivor` instead; `event` is appended to the audit log.
    /// `source` is marked merged into `survivor` before anything moves, so a merge of either
    /// into a third record meanwhile is refused (`Conflict`), imports for `source` land in
    /// `survivor` at once, and the same merge run again finishes one that was interrupted.
    async fn merge_records(
        &self,
        survivor: &CandidateProfile,
        source: &CandidateProfile,
        survivor_after: &CandidateProfile,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

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

    /// Replaces the record's staff-kept details (`RecordDetails`: names, email on file with its
    /// index entry, credential numbers, academy id) with `after` if they are still `before`, and
    /// appends `event` to the audit log, in one write. `Conflict` if they changed since read.
    async fn amend_record(
        &self,
        candidate: &CandidateId,
        before: &RecordDetails,
        after: &RecordDetails,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// Unmaps the record from `account`, in one transaction: the record's `account_id` removed if
    /// it is still `account`, the account profile's `candidate_id` removed if it is still this
    /// record, and `event` appended to the audit log. `Conflict` if either changed.
    async fn unmap(
        &self,
        candidate: &CandidateId,
        account: &AccountId,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// The certification side of erasing `account`'s person, in one transaction: the account's
    /// mapping state (pending codes, a pending new address) deleted and, for the record mapped
    /// to it, the record replaced by `CandidateProfile::erased` if it is still mapped to
    /// `account` (`Conflict` otherwise), its email index entry removed and `event` appended to
    /// the audit log. The account profile's mark goes with the profile itself.
    async fn erase_person(
        &self,
        account: &AccountId,
        record: Option<(&CandidateProfile, &AuditEvent)>,
    ) -> Result<(), StoreError>;

    /// Moves the record from the account `from` to the account `to`, in one transaction: the
    /// record's `account_id` becomes `to` if it is still `from`, `from`'s profile loses its
    /// `candidate_id` if it is still this record, `to`'s profile gets it if it exists and has
    /// none, and `event` is appended to the audit log. `Conflict` if any of the three changed.
    async fn move_mapping(
        &self,
        candidate: &CandidateId,
        from: &AccountId,
        to: &AccountId,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// Replaces the record's manual grants and holds with `new` if they are still `expected`,
    /// sets the certification's credential `status` in the program's status list, and appends
    /// `event` to the audit log, in one write: all or nothing. `Conflict` if they changed since
    /// they were read, a credential was issued meanwhile, or the record is gone.
    async fn set_oversight(
        &self,
        candidate: &CandidateId,
        expected: &Oversight,
        new: &Oversight,
        status: &CredentialStatus,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

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

/// The accounts mapping needs to see: one read of an account, as a holder (the mapping
/// transaction's loser checks whether its account was mapped meanwhile).
#[async_trait]
pub trait AccountHolders: Send + Sync {
    async fn holder(&self, account: &AccountId) -> Result<Option<AccountHolder>, StoreError>;
}

/// The Open Badges credentials issued on records, and the status list their holds are published
/// in (`tessera_credentials::badges`). Adapters: the candidate table and the embedded database.
#[async_trait]
pub trait BadgeStore: Send + Sync {
    /// Issues `badge` on `candidate`'s record in one write: its place on the record, its id and
    /// its status list entry (each claimed: no two badges share either), provided the record's
    /// holds are still `oversight`. `Conflict` when the certification has a badge already, the
    /// id or entry is taken, or the holds changed.
    async fn issue(
        &self,
        candidate: &CandidateId,
        badge: &IssuedBadge,
        oversight: &Oversight,
    ) -> Result<(), StoreError>;

    /// Whose record the badge `badge_id` was issued on.
    async fn badge_holder(&self, badge_id: &str) -> Result<Option<CandidateId>, StoreError>;

    /// The status list's entries that carry a hold.
    async fn held_entries(&self) -> Result<Vec<(u32, HoldKind)>, StoreError>;
}
