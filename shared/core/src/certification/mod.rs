//! Certification tracking's domain: the catalog (data), requirement trees and the status
//! engine (pure: callers pass the day to judge), CSV imports, and the flows over candidate
//! records, which reach storage only through the `CandidateRecords` port.

use std::sync::Arc;

use crate::ports::{CandidateRecords, Clock, OrderStore, TranscriptStore};

pub mod catalog;
pub mod certificate;
pub mod dates;
pub mod import;
pub mod importer;
pub mod logos;
pub mod mapping;
pub mod record;
pub mod reminders;
pub mod requirement;
pub mod status;
pub mod transcript;
pub mod views;

pub use catalog::{Catalog, CatalogError, Certification, CertificationId, ExamCode};
pub use import::{CandidateId, Grade, RowError};
pub use importer::{import_ce_credits, import_exam_results, ImportFailure, ImportReport};
pub use record::{
    CandidateEdit, CandidateProfile, CandidateRecord, CandidateSettings, CeActivity, ExamRecord,
};
pub use requirement::{Ask, Credit, Evidence, Pass, Progress, Requirement, Window};
pub use status::{standings, HistoryEntry, Milestone, Standing, Status};

/// What the certification flows need: the records, transcripts and fulfillment orders, the
/// catalog and the clock.
#[derive(Clone)]
pub struct CertificationDeps {
    pub records: Arc<dyn CandidateRecords>,
    pub transcripts: Arc<dyn TranscriptStore>,
    pub orders: Arc<dyn OrderStore>,
    pub catalog: Arc<Catalog>,
    pub clock: Arc<dyn Clock>,
}

impl CertificationDeps {
    /// Today (UTC), the day certifications are judged on.
    pub fn today(&self) -> time::Date {
        self.clock.now().date()
    }
}
