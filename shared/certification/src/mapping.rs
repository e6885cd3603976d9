//! Account mapping on first use: linking the logged-in account to its candidate record.
//!
//! - **By score report**: last name + exam registration number + a new email address. The
//!   registration number finds the record, the last name must match it, and the account is mapped.
//!   The new address becomes the record's email on file only once proven: a code goes to it, the
//!   account confirms it (`confirm`), and the previous address on file is told. Guesses are
//!   counted per account (5 an hour) and per record named (10 an hour, whichever accounts guess),
//!   taken before the check.
//! - **By email**: a code goes to the record's address on file, and the account confirms it. The
//!   answer is the same whether or not a record has that address; if several records share it,
//!   the address is told (by email) to contact support to merge them.
//!
//! One record maps to one account and one account to one record; the mapping is one transaction.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::record::CandidateProfile;
use crate::messages;
use crate::{AccountHolder, CertificationDeps};
use tessera_kernel::attempts::{Allowance, AttemptKey, Guess, Take};
use tessera_kernel::code::{CodeCheck, CodePurpose, CodeRecord, OneTimeCode, SendLog};
use tessera_kernel::delivery::deliver;
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::links::PagesUrl;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Seconds;

/// Score-report guesses (and wrong confirmation codes) an account may make in `GUESS_WINDOW`.
pub const GUESS_LIMIT: u32 = 5;
/// Score-report guesses naming one record, from all accounts together, in `GUESS_WINDOW`.
pub const RECORD_GUESS_LIMIT: u32 = 10;
pub const GUESS_WINDOW: Seconds = Seconds::hours(1);
/// How long an emailed mapping code is valid (SECURITY.md: every emailed code, 10 minutes).
pub const CODE_TTL: Seconds = Seconds::minutes(10);

/// Per account: the pending email mapping and the code sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingState {
    /// Optimistic-concurrency version; 0 while nothing is stored.
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub pending: Option<PendingMapping>,
    #[serde(default)]
    pub sends: SendLog,
    /// The new address a score report gave for the record mapped to this account, until the
    /// code sent to it comes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_email: Option<PendingEmail>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMapping {
    pub candidate_id: CandidateId,
    pub code: CodeRecord,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEmail {
    pub candidate_id: CandidateId,
    pub email: Email,
    pub code: CodeRecord,
}

/// What a score report did.
#[derive(Debug, PartialEq, Eq)]
pub struct MappedByReport {
    pub candidate_id: CandidateId,
    /// A code went to the new address, which becomes the record's once confirmed; `false` when
    /// it was the address on file already.
    pub email_confirmation_sent: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("this account is mapped to a record already")]
    AlreadyMapped,
    #[error("no record matches")]
    NoMatch,
    #[error("the record is mapped to another account")]
    RecordTaken,
    #[error("the address is on file for more than one record")]
    DuplicateRecords,
    #[error("too many attempts")]
    TooManyAttempts(Seconds),
    #[error("the code is wrong, used or expired")]
    InvalidCode,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The score report's fields, parsed at the edge.
pub struct ScoreReport {
    pub last_name: String,
    pub registration_number: String,
    pub new_email: Email,
}

/// Names compared as a person would: without case, surrounding space or Unicode form.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().nfc().collect::<String>().to_lowercase();
    norm(a) == norm(b)
}

fn account_guess(deps: &CertificationDeps) -> Guess<'_> {
    let allowance = Allowance {
        max: GUESS_LIMIT,
        window: GUESS_WINDOW,
    };
    Guess::new(deps.attempts.as_ref(), deps.clock.as_ref(), allowance)
}

/// Takes the request's attempt at `key`; `TooManyAttempts` (with the wait) when it is spent.
async fn take(
    deps: &CertificationDeps,
    guess: &mut Guess<'_>,
    key: AttemptKey,
) -> Result<(), MappingError> {
    match guess.take(key).await? {
        Take::Taken { .. } => Ok(()),
        Take::Refused { retry_at } => {
            Err(MappingError::TooManyAttempts(retry_at - deps.clock.now()))
        }
    }
}

fn ensure_unmapped(holder: &AccountHolder) -> Result<(), MappingError> {
    match holder.candidate_id {
        Some(_) => Err(MappingError::AlreadyMapped),
        None => Ok(()),
    }
}

/// Runs the mapping transaction: `true` once mapped, `false` when its conditions failed and the
/// caller should read again and retry; `AlreadyMapped` if a concurrent request mapped this
/// account meanwhile (retrying cannot succeed then).
async fn try_map(
    deps: &CertificationDeps,
    mapped: &CandidateProfile,
    previous_email: Option<&Email>,
    state: &MappingState,
) -> Result<bool, MappingError> {
    match deps
        .records
        .map_account(mapped, previous_email, state)
        .await
    {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict) => {
            let account = mapped.account_id.as_ref().ok_or(StoreError::Conflict)?;
            if let Some(holder) = deps.holders.holder(account).await? {
                ensure_unmapped(&holder)?;
            }
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Maps by score report. The record's email on file stays until `report.new_email` is proven:
/// a code goes to it (within the send limits) for `confirm`.
pub async fn map_by_score_report(
    deps: &CertificationDeps,
    holder: &AccountHolder,
    report: &ScoreReport,
    pages: &PagesUrl,
) -> Result<MappedByReport, MappingError> {
    let account = &holder.account_id;
    ensure_unmapped(holder)?;
    let mut guess = account_guess(deps);
    let mut record_guess = Guess::new(
        deps.attempts.as_ref(),
        deps.clock.as_ref(),
        Allowance {
            max: RECORD_GUESS_LIMIT,
            window: GUESS_WINDOW,
        },
    );
    take(deps, &mut guess, AttemptKey::mapping(account)).await?;
    tessera_kernel::settle!(
        async {
            let now = deps.clock.now();
            let mut state = deps.records.mapping_state(account).await?;
            let Some(named) = deps
                .records
                .candidate_with_registration(&report.registration_number)
                .await?
            else {
                return Err(MappingError::NoMatch);
            };
            let record = AttemptKey::candidate_record(named.candidate_id.as_str());
            take(deps, &mut record_guess, record).await?;
            if !same_name(&named.last_name, &report.last_name) {
                return Err(MappingError::NoMatch);
            }
            if named.account_id.is_some() {
                return Err(MappingError::RecordTaken);
            }
            ensure_no_other_record(deps, &report.new_email, &named.candidate_id).await?;
            let mapped = CandidateProfile {
                account_id: Some(account.clone()),
                ..named
            };
            state.pending = None;
            let changes_email = mapped.email.as_ref() != Some(&report.new_email);
            let code = (changes_email && state.sends.may_send(now, &deps.codes.sends))
                .then(|| OneTimeCode::generate(deps.random.as_ref()));
            state.new_email = code.as_ref().map(|code| PendingEmail {
                candidate_id: mapped.candidate_id.clone(),
                email: report.new_email.clone(),
                code: CodeRecord::issue(
                    &deps.codes.pepper,
                    CodePurpose::RecordEmail,
                    account.as_str(),
                    code,
                    now,
                    CODE_TTL,
                ),
            });
            if code.is_some() {
                state.sends.record(now, &deps.codes.sends);
            }
            if try_map(deps, &mapped, mapped.email.as_ref(), &state).await? {
                guess.give_back().await?;
                record_guess.give_back().await?;
                if let Some(code) = &code {
                    let message = messages::RECORD_EMAIL_PROOF.render(
                        report.new_email.as_str(),
                        &[
                            ("first_name", &mapped.first_name),
                            ("candidate_id", mapped.candidate_id.as_str()),
                            ("code", code.expose()),
                            ("link", &pages.mapping_confirmation(code)),
                        ],
                    );
                    deliver(&deps.postbox, &message, now + CODE_TTL).await;
                }
                return Ok(Some(MappedByReport {
                    candidate_id: mapped.candidate_id,
                    email_confirmation_sent: code.is_some(),
                }));
            }
            Ok(None)
        }
        .await
    )
}

/// A record's address must not be another record's too (those need support to merge).
async fn ensure_no_other_record(
    deps: &CertificationDeps,
    email: &Email,
    candidate: &CandidateId,
) -> Result<(), MappingError> {
    let others = deps.records.candidates_with_email(email).await?;
    if others.iter().any(|o| &o.candidate_id != candidate) {
        return Err(MappingError::DuplicateRecords);
    }
    Ok(())
}

/// Starts mapping by email. Always succeeds the same way for the caller, whatever is on file:
/// a code goes to the one record with that address, a "contact support" notice when several
/// records share it, nothing when none does (or when sends are spaced out).
pub async fn map_by_email(
    deps: &CertificationDeps,
    holder: &AccountHolder,
    email: &Email,
    pages: &PagesUrl,
) -> Result<(), MappingError> {
    let account = &holder.account_id;
    ensure_unmapped(holder)?;
    let now = deps.clock.now();
    let records = deps.records.candidates_with_email(email).await?;
    let mut state = deps.records.mapping_state(account).await?;
    if !state.sends.may_send(now, &deps.codes.sends) {
        return Ok(());
    }
    let message = match records.as_slice() {
        [] => return Ok(()),
        [record] if record.account_id.is_none() => {
            let code = OneTimeCode::generate(deps.random.as_ref());
            state.pending = Some(PendingMapping {
                candidate_id: record.candidate_id.clone(),
                code: CodeRecord::issue(
                    &deps.codes.pepper,
                    CodePurpose::CandidateMapping,
                    account.as_str(),
                    &code,
                    now,
                    CODE_TTL,
                ),
            });
            messages::MAPPING_CODE.render(
                email.as_str(),
                &[
                    ("first_name", &record.first_name),
                    ("candidate_id", record.candidate_id.as_str()),
                    ("code", code.expose()),
                    ("link", &pages.mapping_confirmation(&code)),
                ],
            )
        }
        [_] => messages::MAPPING_TAKEN.render(email.as_str(), &[]),
        _ => messages::MAPPING_DUPLICATES.render(email.as_str(), &[]),
    };
    state.sends.record(now, &deps.codes.sends);
    match deps.records.save_mapping_state(account, &state).await {
        Ok(()) => deliver(&deps.postbox, &message, now + CODE_TTL).await,
        // A concurrent request for the same account stored (and sends) its own code; this one's
        // code was never stored, so it is not sent.
        Err(StoreError::Conflict) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// One guess at a code the account was emailed, taken from the account's mapping allowance
/// before the check: `Ok(None)` when right; `Ok(Some(counted))` when wrong, the code with the
/// failure counted for the caller to store (`wrong_code_stored`), so five wrong tries kill it.
async fn guess_code(
    deps: &CertificationDeps,
    guess: &mut Guess<'_>,
    account: &AccountId,
    issued: &CodeRecord,
    purpose: CodePurpose,
    code: &OneTimeCode,
) -> Result<Option<CodeRecord>, MappingError> {
    if let Take::Refused { .. } = guess.take(AttemptKey::mapping(account)).await? {
        return Err(MappingError::InvalidCode);
    }
    let check = issued.check(
        &deps.codes.pepper,
        purpose,
        account.as_str(),
        code,
        deps.clock.now(),
        deps.codes.max_attempts,
    );
    match check {
        CodeCheck::Valid => Ok(None),
        CodeCheck::Expired | CodeCheck::Exhausted => Err(MappingError::InvalidCode),
        CodeCheck::Wrong => Ok(Some(CodeRecord {
            failed_attempts: issued.failed_attempts + 1,
            ..issued.clone()
        })),
    }
}

/// Stores the state with a wrong guess counted: `InvalidCode` to answer, or `Ok` when the state
/// changed meanwhile and the caller should read it again.
async fn wrong_code_stored(
    deps: &CertificationDeps,
    account: &AccountId,
    state: &MappingState,
) -> Result<(), MappingError> {
    match deps.records.save_mapping_state(account, state).await {
        Ok(()) => Err(MappingError::InvalidCode),
        Err(StoreError::Conflict) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Completes a mapping by email with the emailed code; or, for an account mapped by score
/// report, proves the new address it gave, which then becomes the record's email on file (the
/// previous address is told).
pub async fn confirm(
    deps: &CertificationDeps,
    holder: &AccountHolder,
    code: &OneTimeCode,
) -> Result<CandidateId, MappingError> {
    if holder.candidate_id.is_some() {
        return confirm_new_email(deps, holder, code).await;
    }
    let account = &holder.account_id;
    let mut guess = account_guess(deps);
    tessera_kernel::settle!(
        async {
            let mut state = deps.records.mapping_state(account).await?;
            let Some(pending) = state.pending.clone() else {
                return Err(MappingError::InvalidCode);
            };
            let purpose = CodePurpose::CandidateMapping;
            if let Some(counted) =
                guess_code(deps, &mut guess, account, &pending.code, purpose, code).await?
            {
                state.pending = Some(PendingMapping {
                    code: counted,
                    ..pending
                });
                wrong_code_stored(deps, account, &state).await?;
                return Ok(None);
            }
            let Some(record) = deps.records.candidate(&pending.candidate_id).await? else {
                return Err(MappingError::InvalidCode);
            };
            if record.profile.account_id.is_some() {
                return Err(MappingError::RecordTaken);
            }
            let mapped = CandidateProfile {
                account_id: Some(account.clone()),
                ..record.profile
            };
            state.pending = None;
            if try_map(deps, &mapped, mapped.email.as_ref(), &state).await? {
                guess.give_back().await?;
                return Ok(Some(mapped.candidate_id));
            }
            Ok(None)
        }
        .await
    )
}

async fn confirm_new_email(
    deps: &CertificationDeps,
    holder: &AccountHolder,
    code: &OneTimeCode,
) -> Result<CandidateId, MappingError> {
    let account = &holder.account_id;
    let mut guess = account_guess(deps);
    tessera_kernel::settle!(
        async {
            let mut state = deps.records.mapping_state(account).await?;
            let Some(pending) = state.new_email.clone() else {
                return Err(MappingError::AlreadyMapped);
            };
            let purpose = CodePurpose::RecordEmail;
            if let Some(counted) =
                guess_code(deps, &mut guess, account, &pending.code, purpose, code).await?
            {
                state.new_email = Some(PendingEmail {
                    code: counted,
                    ..pending
                });
                wrong_code_stored(deps, account, &state).await?;
                return Ok(None);
            }
            let candidate = &pending.candidate_id;
            let Some(record) = deps.records.candidate(candidate).await? else {
                return Err(MappingError::InvalidCode);
            };
            if record.profile.account_id.as_ref() != Some(account) {
                return Err(MappingError::InvalidCode);
            }
            ensure_no_other_record(deps, &pending.email, candidate).await?;
            let previous = record.profile.email.clone();
            state.new_email = None;
            let changed = match previous.as_ref() == Some(&pending.email) {
                true => deps.records.save_mapping_state(account, &state).await,
                false => {
                    deps.records
                        .change_record_email(
                            candidate,
                            account,
                            previous.as_ref(),
                            &pending.email,
                            &state,
                        )
                        .await
                }
            };
            match changed {
                Ok(()) => {}
                Err(StoreError::Conflict) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
            guess.give_back().await?;
            if let Some(previous) = previous.filter(|p| p != &pending.email) {
                let when = deps.clock.now().to_rfc3339();
                let message = messages::RECORD_EMAIL_CHANGED.render(
                    previous.as_str(),
                    &[
                        ("first_name", &record.profile.first_name),
                        ("candidate_id", candidate.as_str()),
                        ("new_email", pending.email.as_str()),
                        ("when", &when),
                    ],
                );
                tessera_kernel::delivery::deliver_notice(&deps.postbox, &message).await;
            }
            Ok(Some(candidate.clone()))
        }
        .await
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_names_match_without_case_space_or_unicode_form() {
        assert!(same_name(" Lovelace ", "LOVELACE"));
        assert!(same_name("Gödel", "Go\u{308}del"));
        assert!(!same_name("Lovelace", "Lovelac"));
    }
}
