//! Public verification of a printed code: anyone holding a certificate or a kit asks whose
//! certification it is, its dates and its status now. The answer stays within the holder's
//! consent: when they withdrew consent to third-party verification it says only that the code is
//! genuine. Each check is counted for the holder, who never learns who checked.
//!
//! A malformed code is looked up as one that was never issued, so it costs what an unknown one
//! does and gets the same answer.

use serde::Serialize;
use tessera_certification::dates::iso_date;
use tessera_certification::transcript::record_name;
use tessera_certification::verification_codes::{CodeCarrier, VerificationCode};
use tessera_certification::{CandidateRecord, CertificationDeps, Status};
use tessera_kernel::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Never issued, malformed, or its record is gone.
    #[error("no such verification code")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a check shows. `Withheld` when the holder withdrew consent to third-party verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    Disclosed(VerifiedCertification),
    Withheld { code: String },
}

/// The certification a code leads to, as the record holds it today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedCertification {
    /// As printed: three groups of four.
    pub code: String,
    /// What carries the code: `certificate` or `kit`.
    pub carrier: CodeCarrier,
    pub holder: String,
    pub certification_id: String,
    pub certification: String,
    pub abbreviation: String,
    /// `active`, `expired`, `suspended` or `revoked`.
    pub status: &'static str,
    /// The first day of the current (or last) active period.
    pub active: Option<String>,
    pub expires: Option<String>,
}

/// Checks the code `raw` as typed (`VerificationCode::parse`), counting the check.
pub async fn verify(deps: &CertificationDeps, raw: &str) -> Result<Verification, VerifyError> {
    let code = VerificationCode::parse(raw);
    let lookup = code.clone().unwrap_or_else(VerificationCode::never_issued);
    let check = deps
        .verification_codes
        .check_code(&lookup)
        .await?
        .ok_or(VerifyError::NotFound)?;
    let code = code.ok_or(VerifyError::NotFound)?;
    let record = holder_record(deps, &check.subject.candidate_id).await?;
    let id = &check.subject.certification_id;
    let (Some(certification), Some(standing)) = (
        deps.catalog.certification(id),
        record
            .standings(&deps.catalog, deps.today())
            .into_iter()
            .find(|s| s.certification.as_str() == id),
    ) else {
        return Err(VerifyError::NotFound);
    };
    if record.profile.settings.verification_consent == Some(false) {
        return Ok(Verification::Withheld {
            code: code.grouped(),
        });
    }
    Ok(Verification::Disclosed(VerifiedCertification {
        code: code.grouped(),
        carrier: check.subject.carrier,
        holder: record_name(&record.profile),
        certification_id: id.clone(),
        certification: certification.name.clone(),
        abbreviation: certification.abbreviation.clone(),
        status: status_now(standing.status),
        active: standing.active.map(iso_date::format),
        expires: standing.expires.map(iso_date::format),
    }))
}

/// The record a code's candidate ID names, following a merge once (codes printed before a
/// merge name the merged record). A record whose person was erased names no one: not found.
async fn holder_record(
    deps: &CertificationDeps,
    candidate: &tessera_kernel::ids::CandidateId,
) -> Result<CandidateRecord, VerifyError> {
    let mut record = deps.records.candidate(candidate).await?;
    if let Some(survivor) = record.as_ref().and_then(|r| r.profile.merged_into.clone()) {
        record = deps.records.candidate(&survivor).await?;
    }
    record
        .filter(|r| !r.profile.last_name.trim().is_empty())
        .ok_or(VerifyError::NotFound)
}

/// A printed code's certification was earned once; while work toward earning it again is under
/// way, it has expired.
pub fn status_now(status: Status) -> &'static str {
    match status {
        Status::InProgress => Status::Expired.as_str(),
        other => other.as_str(),
    }
}

/// How a code reads on the page: its carrier in words.
pub fn carrier_label(carrier: CodeCarrier) -> &'static str {
    match carrier {
        CodeCarrier::Certificate => "PDF certificate",
        CodeCarrier::Kit => "Certificate kit",
    }
}
