//! What the program decides by hand about a candidate's certifications, beside what the evidence
//! says: manual grants (with their dates, who and why), and holds (revoked or suspended) that
//! last until a reinstatement lifts them. Kept on the record, changed only by staff with an
//! audit event; the status engine and every screen read them through `CandidateRecord`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::catalog::CertificationId;
use super::dates::{iso_date, optional_iso_date};
use super::record::CandidateRecord;
use super::CertificationDeps;
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange};
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::race::landed;

/// A record's manual grants and holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Oversight {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<ManualGrant>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub holds: BTreeMap<CertificationId, Hold>,
}

impl Oversight {
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty() && self.holds.is_empty()
    }

    /// The grant that began an active period of `certification` on `active`, if one did.
    pub fn grant_on(&self, certification: &CertificationId, active: Date) -> Option<&ManualGrant> {
        self.grants
            .iter()
            .find(|g| g.certification == *certification && g.active_on == active)
    }
}

/// A certification granted by hand: active from `active_on`, until `expires_on` or, without
/// one, for the catalog's validity; renewed and expiring as an earned one does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualGrant {
    pub certification: CertificationId,
    #[serde(with = "iso_date")]
    pub active_on: Date,
    #[serde(
        default,
        with = "optional_iso_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_on: Option<Date>,
    /// Who granted it, as the audit log names them.
    pub by: String,
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    /// Taken away for good (until a reinstatement says otherwise).
    Revoked,
    /// Held back while something is looked into.
    Suspended,
}

impl HoldKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldKind::Revoked => "revoked",
            HoldKind::Suspended => "suspended",
        }
    }
}

/// A certification held back: whatever the evidence says, its status is the hold's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub kind: HoldKind,
    #[serde(with = "iso_date")]
    pub since: Date,
    pub reason: String,
}

/// What a decision leaves in the program's status list for the certification's Open Badges
/// credential: an issued one's entry takes the certification's hold (none, suspended, revoked);
/// with none issued when the record was read, the write also holds that none was issued since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialStatus {
    pub certification: CertificationId,
    pub status_index: Option<u32>,
    pub hold: Option<HoldKind>,
}

/// What staff decide about one certification of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Grant {
        active_on: Date,
        expires_on: Option<Date>,
    },
    Hold(HoldKind),
    /// Lifts a hold.
    Reinstate,
}

impl Decision {
    /// The audit log's name for it.
    pub fn action(&self) -> &'static str {
        match self {
            Decision::Grant { .. } => "certification.grant",
            Decision::Hold(HoldKind::Revoked) => "certification.revoke",
            Decision::Hold(HoldKind::Suspended) => "certification.suspend",
            Decision::Reinstate => "certification.reinstate",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OversightError {
    #[error("no such record")]
    NoRecord,
    #[error("the catalog has no such certification")]
    UnknownCertification,
    /// A hold on a certification the record has neither held nor started.
    #[error("the record has no such certification")]
    NotOnRecord,
    /// Unmapping a record no account is mapped to.
    #[error("the record is not mapped to an account")]
    NotMapped,
    /// Moving a mapping to an account that does not exist.
    #[error("no such account")]
    NoAccount,
    /// Moving a mapping to an account mapped to a record already.
    #[error("the account is mapped to another record")]
    AccountMapped,
    /// The record was merged into another: staff act on that one.
    #[error("the record is merged into {}", .0.as_str())]
    Merged(CandidateId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The record staff act on: `NoRecord` without one, `Merged` when it is only a pointer now.
async fn record_to_act_on(
    deps: &CertificationDeps,
    candidate: &CandidateId,
) -> Result<CandidateRecord, OversightError> {
    let record = deps
        .records
        .candidate(candidate)
        .await?
        .ok_or(OversightError::NoRecord)?;
    match &record.profile.merged_into {
        Some(survivor) => Err(OversightError::Merged(survivor.clone())),
        None => Ok(record),
    }
}

/// Applies `decision` about `certification` to `candidate`'s record on `by`'s word: the grants
/// and holds, their audit event and the certification's credential status land in one write, read again and retried if they changed
/// meanwhile. A hold already in place, or a reinstatement with none, writes nothing. The record
/// as it is after.
pub async fn decide(
    deps: &CertificationDeps,
    by: &Attribution,
    candidate: &CandidateId,
    certification: &CertificationId,
    decision: &Decision,
) -> Result<CandidateRecord, OversightError> {
    if deps.catalog.certification(certification.as_str()).is_none() {
        return Err(OversightError::UnknownCertification);
    }
    let record = decided(deps, by, candidate, certification, decision).await?;
    if matches!(decision, Decision::Grant { .. }) {
        // The reminders job looks at the record again: a grant is news (congratulations), and
        // its expiry has reminders of its own.
        deps.records.watch_again(candidate).await?;
    }
    Ok(record)
}

async fn decided(
    deps: &CertificationDeps,
    by: &Attribution,
    candidate: &CandidateId,
    certification: &CertificationId,
    decision: &Decision,
) -> Result<CandidateRecord, OversightError> {
    tessera_kernel::settle!(
        async {
            let mut record = record_to_act_on(deps, candidate).await?;
            let today = deps.today();
            let before = record.profile.oversight.clone();
            let mut after = before.clone();
            let held = before.holds.get(certification).map(|h| h.kind.as_str());
            let (field, was, now) = match decision {
                Decision::Grant {
                    active_on,
                    expires_on,
                } => {
                    after.grants.push(ManualGrant {
                        certification: certification.clone(),
                        active_on: *active_on,
                        expires_on: *expires_on,
                        by: by.actor.as_str().to_string(),
                        reason: by.reason.as_str().to_string(),
                    });
                    let until = expires_on.map_or("its validity".into(), iso_date::format);
                    let period = format!("{} until {until}", iso_date::format(*active_on));
                    ("grant", None, Some(period))
                }
                Decision::Hold(kind) => {
                    let on_record = record
                        .standings(&deps.catalog, today)
                        .iter()
                        .any(|s| s.certification == *certification);
                    if !on_record {
                        return Err(OversightError::NotOnRecord);
                    }
                    if before.holds.get(certification).map(|h| h.kind) != Some(*kind) {
                        let hold = Hold {
                            kind: *kind,
                            since: today,
                            reason: by.reason.as_str().to_string(),
                        };
                        after.holds.insert(certification.clone(), hold);
                    }
                    ("hold", held.map(String::from), Some(kind.as_str().into()))
                }
                Decision::Reinstate => {
                    after.holds.remove(certification);
                    ("hold", held.map(String::from), None)
                }
            };
            if after == before {
                return Ok(Some(record));
            }
            let event = by.event(
                deps.clock.now(),
                deps.random.as_ref(),
                decision.action(),
                AuditParty::new("candidate", candidate.as_str()),
                vec![FieldChange::new(
                    &format!("{field}:{}", certification.as_str()),
                    was,
                    now,
                )],
            );
            let status = CredentialStatus {
                certification: certification.clone(),
                status_index: record
                    .badges
                    .iter()
                    .find(|b| b.certification == *certification)
                    .map(|b| b.status_index),
                hold: after.holds.get(certification).map(|h| h.kind),
            };
            let write = deps
                .records
                .set_oversight(candidate, &before, &after, &status, &event)
                .await;
            Ok(landed(write)?.then(|| {
                record.profile.oversight = after;
                record
            }))
        }
        .await
    )
}

/// The details of a record staff keep by hand: names, the email on file (where mapping by email
/// sends its code), credential numbers and the academy id. Imports never overwrite them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDetails {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<tessera_kernel::email::Email>,
    pub credential_numbers: std::collections::BTreeMap<String, String>,
    pub academy_id: Option<String>,
}

impl RecordDetails {
    pub fn of(profile: &super::record::CandidateProfile) -> RecordDetails {
        RecordDetails {
            first_name: profile.first_name.clone(),
            last_name: profile.last_name.clone(),
            email: profile.email.clone(),
            credential_numbers: profile.credential_numbers.clone(),
            academy_id: profile.academy_id.clone(),
        }
    }

    pub fn apply_to(&self, profile: &mut super::record::CandidateProfile) {
        profile.first_name = self.first_name.clone();
        profile.last_name = self.last_name.clone();
        profile.email = self.email.clone();
        profile.credential_numbers = self.credential_numbers.clone();
        profile.academy_id = self.academy_id.clone();
    }

    /// Each detail that differs from `other`, before (self) and after (other), as the audit
    /// log records them.
    fn changes_to(&self, other: &RecordDetails) -> Vec<FieldChange> {
        let numbers = |n: &std::collections::BTreeMap<String, String>| {
            (!n.is_empty()).then(|| serde_json::to_string(n).unwrap_or_default())
        };
        vec![
            FieldChange::new(
                "first_name",
                Some(self.first_name.clone()),
                Some(other.first_name.clone()),
            ),
            FieldChange::new(
                "last_name",
                Some(self.last_name.clone()),
                Some(other.last_name.clone()),
            ),
            FieldChange::new(
                "email",
                self.email.as_ref().map(|e| e.as_str().to_string()),
                other.email.as_ref().map(|e| e.as_str().to_string()),
            ),
            FieldChange::new(
                "credential_numbers",
                numbers(&self.credential_numbers),
                numbers(&other.credential_numbers),
            ),
            FieldChange::new(
                "academy_id",
                self.academy_id.clone(),
                other.academy_id.clone(),
            ),
        ]
    }
}

/// Staff's edit of a record's details: each field given replaces the one on file (`Some(None)`
/// clears an optional one); the others stay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DetailsEdit {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<Option<tessera_kernel::email::Email>>,
    pub credential_numbers: Option<std::collections::BTreeMap<String, String>>,
    pub academy_id: Option<Option<String>>,
}

impl DetailsEdit {
    fn applied(&self, details: &RecordDetails) -> RecordDetails {
        let mut after = details.clone();
        if let Some(v) = &self.first_name {
            after.first_name = v.clone();
        }
        if let Some(v) = &self.last_name {
            after.last_name = v.clone();
        }
        if let Some(v) = &self.email {
            after.email = v.clone();
        }
        if let Some(v) = &self.credential_numbers {
            after.credential_numbers = v.clone();
        }
        if let Some(v) = &self.academy_id {
            after.academy_id = v.clone();
        }
        after
    }
}

/// Applies `edit` to `candidate`'s record on `by`'s word: the details and their audit event in
/// one write, read again and retried if they changed meanwhile; an edit that changes nothing
/// writes nothing. The record after.
pub async fn amend(
    deps: &CertificationDeps,
    by: &Attribution,
    candidate: &CandidateId,
    edit: &DetailsEdit,
) -> Result<CandidateRecord, OversightError> {
    tessera_kernel::settle!(
        async {
            let mut record = record_to_act_on(deps, candidate).await?;
            let before = RecordDetails::of(&record.profile);
            let after = edit.applied(&before);
            if after == before {
                return Ok(Some(record));
            }
            let event = by.event(
                deps.clock.now(),
                deps.random.as_ref(),
                "record.edit",
                AuditParty::new("candidate", candidate.as_str()),
                before.changes_to(&after),
            );
            let write = deps
                .records
                .amend_record(candidate, &before, &after, &event)
                .await;
            Ok(landed(write)?.then(|| {
                after.apply_to(&mut record.profile);
                record
            }))
        }
        .await
    )
}

/// Unmaps `candidate`'s record from its account on `by`'s word: the record and the account
/// forget each other, with the audit event, in one write. The account may map a record again;
/// the record may be mapped again. The record after.
pub async fn unmap(
    deps: &CertificationDeps,
    by: &Attribution,
    candidate: &CandidateId,
) -> Result<CandidateRecord, OversightError> {
    tessera_kernel::settle!(
        async {
            let mut record = record_to_act_on(deps, candidate).await?;
            let Some(account) = record.profile.account_id.clone() else {
                return Err(OversightError::NotMapped);
            };
            let event = by.event(
                deps.clock.now(),
                deps.random.as_ref(),
                "record.unmap",
                AuditParty::new("candidate", candidate.as_str()),
                vec![FieldChange::new(
                    "account_id",
                    Some(account.as_str().to_string()),
                    None,
                )],
            );
            let write = deps.records.unmap(candidate, &account, &event).await;
            Ok(landed(write)?.then(|| {
                record.profile.account_id = None;
                record
            }))
        }
        .await
    )
}

/// Moves `candidate`'s record from the account it is mapped to onto the account `to`, on `by`'s
/// word (the record went to the wrong account, or its person moved accounts): the record, both
/// accounts and the audit event in one write. The record after.
pub async fn move_mapping(
    deps: &CertificationDeps,
    by: &Attribution,
    candidate: &CandidateId,
    to: &tessera_kernel::ids::AccountId,
) -> Result<CandidateRecord, OversightError> {
    tessera_kernel::settle!(
        async {
            let mut record = record_to_act_on(deps, candidate).await?;
            let Some(from) = record.profile.account_id.clone() else {
                return Err(OversightError::NotMapped);
            };
            if &from == to {
                return Ok(Some(record));
            }
            let holder = deps
                .holders
                .holder(to)
                .await?
                .ok_or(OversightError::NoAccount)?;
            if holder.candidate_id.is_some() {
                return Err(OversightError::AccountMapped);
            }
            let event = by.event(
                deps.clock.now(),
                deps.random.as_ref(),
                "record.move_mapping",
                AuditParty::new("candidate", candidate.as_str()),
                vec![FieldChange::new(
                    "account_id",
                    Some(from.as_str().to_string()),
                    Some(to.as_str().to_string()),
                )],
            );
            let write = deps
                .records
                .move_mapping(candidate, &from, to, &event)
                .await;
            Ok(landed(write)?.then(|| {
                record.profile.account_id = Some(to.clone());
                record
            }))
        }
        .await
    )
}
