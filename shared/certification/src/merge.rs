//! Merging duplicate records, the case the guide sends to support: one person holds two
//! candidate IDs. Staff merge the duplicate (`source`) into the record that stays (`survivor`):
//! every exam with its registration number, CE activity, order and transcript moves there, the
//! survivor keeps its own details and takes what it lacked from the duplicate, and the duplicate
//! becomes a pointer to it (imports for its candidate ID land in the survivor from then on).

use super::oversight::Oversight;
use super::record::{CandidateProfile, CandidateRecord, CandidateSettings};
use super::CertificationDeps;
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange};
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::race::landed;

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("no such record")]
    NoRecord,
    #[error("no record to merge from")]
    NoSource,
    #[error("a record cannot be merged into itself")]
    SameRecord,
    /// One of the two is a pointer already (merged into another record).
    #[error("{} is merged into another record", .0.as_str())]
    Merged(CandidateId),
    /// Each is mapped to an account: which account keeps the person is not staff's guess.
    #[error("both records are mapped to accounts")]
    BothMapped,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CandidateSettings {
    /// Each answer of `self`, or `other`'s where `self` has none.
    fn or(self, other: CandidateSettings) -> CandidateSettings {
        CandidateSettings {
            employee: self.employee.or(other.employee),
            partner: self.partner.or(other.partner),
            email_notifications: self.email_notifications.or(other.email_notifications),
            academy_student: self.academy_student.or(other.academy_student),
            verification_consent: self.verification_consent.or(other.verification_consent),
            verification_consent_version: match self.verification_consent {
                Some(_) => self.verification_consent_version,
                None => other.verification_consent_version,
            },
        }
    }
}

impl Oversight {
    /// `self`'s grants and holds, with `other`'s where `self` has none for that grant's day or
    /// that hold's certification.
    pub fn absorb(&self, other: &Oversight) -> Oversight {
        let mut merged = self.clone();
        for grant in &other.grants {
            if self
                .grant_on(&grant.certification, grant.active_on)
                .is_none()
            {
                merged.grants.push(grant.clone());
            }
        }
        for (certification, hold) in &other.holds {
            merged
                .holds
                .entry(certification.clone())
                .or_insert_with(|| hold.clone());
        }
        merged
    }
}

impl CandidateProfile {
    /// The survivor after a merge: its own details, and from `other` what it lacked (an email
    /// on file, an account, answers, a job title, an academy id), every testing ID and
    /// credential number of both, the earlier first exam, and `other`'s grants and holds where
    /// it has none of its own.
    pub fn absorb(&self, other: &CandidateProfile) -> CandidateProfile {
        let mut merged = self.clone();
        for id in &other.testing_ids {
            if !merged.testing_ids.contains(id) {
                merged.testing_ids.push(id.clone());
            }
        }
        merged.email = self.email.clone().or_else(|| other.email.clone());
        merged.account_id = self.account_id.clone().or_else(|| other.account_id.clone());
        merged.first_exam = self.first_exam.min(other.first_exam);
        merged.settings = self.settings.or(other.settings);
        merged.job_title = self.job_title.clone().or_else(|| other.job_title.clone());
        for (name, number) in &other.credential_numbers {
            merged
                .credential_numbers
                .entry(name.clone())
                .or_insert_with(|| number.clone());
        }
        merged.academy_id = self.academy_id.clone().or_else(|| other.academy_id.clone());
        merged.oversight = self.oversight.absorb(&other.oversight);
        merged
    }

    /// What stays of a merged record: its candidate ID pointing at `survivor`, nothing else.
    pub fn pointer_to(&self, survivor: &CandidateId) -> CandidateProfile {
        CandidateProfile {
            settings: CandidateSettings::default(),
            oversight: Oversight::default(),
            merged_into: Some(survivor.clone()),
            ..self.erased()
        }
    }
}

/// Merges `source` into `survivor` on `by`'s word (the storage moves everything in
/// `CandidateRecords::merge_records`, with the audit event). Running the same merge again
/// finishes one that was interrupted, or moves what an import added to the duplicate meanwhile.
/// The survivor's record after.
pub async fn merge(
    deps: &CertificationDeps,
    by: &Attribution,
    survivor: &CandidateId,
    source: &CandidateId,
) -> Result<CandidateRecord, MergeError> {
    if survivor == source {
        return Err(MergeError::SameRecord);
    }
    tessera_kernel::settle!(
        async {
            let records = &deps.records;
            let kept = records
                .candidate(survivor)
                .await?
                .ok_or(MergeError::NoRecord)?;
            let merged = records
                .candidate(source)
                .await?
                .ok_or(MergeError::NoSource)?;
            if kept.profile.merged_into.is_some() {
                return Err(MergeError::Merged(survivor.clone()));
            }
            if matches!(&merged.profile.merged_into, Some(other) if other != survivor) {
                return Err(MergeError::Merged(source.clone()));
            }
            if kept.profile.account_id.is_some() && merged.profile.account_id.is_some() {
                return Err(MergeError::BothMapped);
            }
            let after = kept.profile.absorb(&merged.profile);
            let count = |r: &CandidateRecord| (r.exams.len() + r.activities.len()).to_string();
            let event = by.event(
                deps.clock.now(),
                deps.random.as_ref(),
                "record.merge",
                AuditParty::new("candidate", survivor.as_str()),
                vec![
                    FieldChange::new("merged_from", None, Some(source.as_str().to_string())),
                    FieldChange::new("exams_and_activities_moved", None, Some(count(&merged))),
                    FieldChange::new(
                        "account_id",
                        kept.profile.account_id.as_ref().map(|a| a.as_str().into()),
                        after.account_id.as_ref().map(|a| a.as_str().into()),
                    ),
                ],
            );
            let write = records
                .merge_records(&kept.profile, &merged.profile, &after, &event)
                .await;
            Ok::<_, MergeError>(landed(write)?.then_some(()))
        }
        .await
    )?;
    // New evidence for the survivor: the reminders job looks at it again.
    deps.records.watch_again(survivor).await?;
    deps.records
        .candidate(survivor)
        .await?
        .ok_or(MergeError::NoRecord)
}

/// Merges chained at most this deep are followed (a merged survivor merged again, and so on).
const MAX_HOPS: usize = 8;

/// The record that takes what arrives for `candidate`: itself, or the record it was merged into
/// (followed through merges of merges).
pub async fn current_record(
    records: &dyn super::ports::CandidateRecords,
    candidate: &CandidateId,
) -> Result<CandidateId, StoreError> {
    let mut current = candidate.clone();
    for _ in 0..MAX_HOPS {
        match records.merged_into(&current).await? {
            Some(next) => current = next,
            None => break,
        }
    }
    Ok(current)
}
