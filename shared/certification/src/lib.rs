//! Certification tracking's domain: the catalog (data), requirement trees and the status
//! engine (pure: callers pass the day to judge), CSV imports, and the flows over candidate
//! records (mapping, transcripts, reminders), which reach storage only through the ports in
//! `ports`. Built on `tessera-kernel` only: accounts are seen through `AccountHolder`.

use std::sync::Arc;

use crate::ports::{AccountHolders, CandidateRecords, TranscriptStore};
use tessera_kernel::attempts::AttemptLedger;
use tessera_kernel::code::{CodePepper, SendLimits};
use tessera_kernel::delivery::Postbox;
use tessera_kernel::ids::{AccountId, CandidateId};
use tessera_kernel::person::{Country, Name};
use tessera_kernel::ports::{Clock, Random};

pub mod catalog;
pub mod catalog_versions;
pub mod dates;
pub mod import;
pub mod importer;
pub mod logos;
pub mod mapping;
pub mod merge;
pub mod messages;
pub mod oversight;
pub mod ports;
pub mod record;
pub mod reminders;
pub mod requirement;
#[cfg(any(test, feature = "samples"))]
pub mod samples;
pub mod status;
pub mod transcript;
pub mod verification_codes;
pub mod views;

pub use catalog::{Catalog, CatalogError, Certification, CertificationId, ExamCode};
pub use import::{Grade, RowError};
pub use importer::{import_ce_credits, import_exam_results, ImportFailure, ImportReport};
pub use record::{
    Acceptance, CandidateEdit, CandidateProfile, CandidateRecord, CandidateSettings, CeActivity,
    ConsentText, ExamRecord, IssuedBadge, LookupTerm, LOGO_GUIDELINES, VERIFICATION_CONSENT,
};
pub use requirement::{Ask, Credit, Evidence, Pass, Progress, Requirement, Window};
pub use status::{standings, HistoryEntry, Milestone, Standing, Status};

/// The signed-in account as certification tracking sees it: who it is, what it is called and
/// where, and the record it is mapped to. The composition root builds it from the account's
/// profile; nothing here reads an account otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountHolder {
    pub account_id: AccountId,
    pub first_name: Name,
    pub last_name: Name,
    pub country: Country,
    pub company: Option<String>,
    pub candidate_id: Option<CandidateId>,
}

/// The rules emailed codes follow here, as for accounts: the pepper they are stored under, how
/// often one may be sent, and how many wrong tries kill one.
#[derive(Clone, Debug)]
pub struct CodeRules {
    pub pepper: CodePepper,
    pub sends: SendLimits,
    pub max_attempts: u32,
}

/// What the certification flows need: the records, transcripts and account holders, the
/// catalog, the clock and randomness, the attempt ledger (mapping guesses), the postbox, and the
/// rules of emailed codes.
#[derive(Clone)]
pub struct CertificationDeps {
    pub records: Arc<dyn CandidateRecords>,
    pub transcripts: Arc<dyn TranscriptStore>,
    /// The verification codes printed on certificates and kits.
    pub verification_codes: Arc<dyn verification_codes::VerificationCodes>,
    /// The Open Badges credentials issued on records, and their status list.
    pub badges: Arc<dyn ports::BadgeStore>,
    pub holders: Arc<dyn AccountHolders>,
    /// The catalog this request judges by (`with_current_catalog`), and where newer ones come from.
    pub catalog: Arc<Catalog>,
    pub catalogs: Arc<catalog_versions::CatalogSource>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub attempts: Arc<dyn AttemptLedger>,
    pub postbox: Postbox,
    pub codes: CodeRules,
}

impl CertificationDeps {
    /// These deps with the latest catalog (`CatalogSource::current`): what every entry point
    /// that judges records calls first.
    pub async fn with_current_catalog(mut self) -> CertificationDeps {
        self.catalog = self.catalogs.current().await;
        self
    }

    /// Today (UTC), the day certifications are judged on.
    pub fn today(&self) -> time::Date {
        self.clock.now().date()
    }
}
