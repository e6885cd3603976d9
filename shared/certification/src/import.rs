//! Imports of exam results and CE credits: CSV files from testing vendors and CE providers, read
//! by `tessera_kernel::csv_table` (row numbers, row errors, formula-looking cells) into typed rows.
//!
//! Column sets (header names, any order, extra columns ignored) are documented in
//! `docs/imports.md`, with samples in `events/imports/`.

use tessera_kernel::csv_table::{parse, Cells};
pub use tessera_kernel::csv_table::{
    ImportError, Parsed, RowError, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS,
};
use tessera_kernel::email::Email;
use tessera_kernel::ids::CandidateId;
use time::Date;

use super::catalog::ExamCode;

/// Who a row is about, as the file says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateFields {
    pub candidate_id: CandidateId,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<Email>,
    pub testing_id: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    Pass,
    Fail,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Pass => "pass",
            Grade::Fail => "fail",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExamResultRow {
    pub candidate: CandidateFields,
    pub registration_number: String,
    pub exam: ExamCode,
    pub exam_name: String,
    pub grade: Grade,
    pub date: Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CeCreditRow {
    pub candidate_id: CandidateId,
    /// The provider's own id of the activity: with the provider, what makes a re-import a
    /// duplicate.
    pub external_id: String,
    pub activity: String,
    pub provider: String,
    pub points: u32,
    pub active: Date,
    pub inactive: Date,
}

pub const EXAM_RESULT_COLUMNS: &[&str] = &[
    "candidate_id",
    "first_name",
    "last_name",
    "email",
    "testing_id",
    "registration_number",
    "exam_code",
    "exam_name",
    "grade",
    "date",
];

pub const CE_CREDIT_COLUMNS: &[&str] = &[
    "candidate_id",
    "external_id",
    "activity",
    "provider",
    "points",
    "active_date",
    "inactive_date",
];

pub fn parse_exam_results(text: &str) -> Result<Parsed<ExamResultRow>, ImportError> {
    parse(text, EXAM_RESULT_COLUMNS, |cells| {
        let candidate = CandidateFields {
            candidate_id: cells.candidate_id("candidate_id")?,
            first_name: cells.name("first_name")?,
            last_name: cells.name("last_name")?,
            email: cells.optional_email("email")?,
            testing_id: cells.optional_code("testing_id")?,
        };
        Ok(ExamResultRow {
            candidate,
            registration_number: cells.code("registration_number")?,
            exam: cells.exam_code("exam_code")?,
            exam_name: cells.name("exam_name")?,
            grade: cells.grade("grade")?,
            date: cells.date("date")?,
        })
    })
}

pub fn parse_ce_credits(text: &str) -> Result<Parsed<CeCreditRow>, ImportError> {
    parse(text, CE_CREDIT_COLUMNS, |cells| {
        let active = cells.date("active_date")?;
        let inactive = cells.date("inactive_date")?;
        if inactive <= active {
            return Err(cells.fail(
                "inactive_date",
                "date_order",
                "inactive_date must be after active_date",
            ));
        }
        Ok(CeCreditRow {
            candidate_id: cells.candidate_id("candidate_id")?,
            external_id: cells.code("external_id")?,
            activity: cells.name("activity")?,
            provider: cells.name("provider")?,
            points: cells.points("points")?,
            active,
            inactive,
        })
    })
}

/// The cells only these files have, read as the kernel reads the common ones.
trait CertificationCells {
    fn candidate_id(&self, column: &str) -> Result<CandidateId, RowError>;
    fn exam_code(&self, column: &str) -> Result<ExamCode, RowError>;
    fn grade(&self, column: &str) -> Result<Grade, RowError>;
    fn points(&self, column: &str) -> Result<u32, RowError>;
}

impl CertificationCells for Cells<'_> {
    fn candidate_id(&self, column: &str) -> Result<CandidateId, RowError> {
        CandidateId::parse(self.required(column)?)
            .ok_or_else(|| self.fail(column, "invalid", "must be 1–32 letters, digits or '-'"))
    }

    fn exam_code(&self, column: &str) -> Result<ExamCode, RowError> {
        ExamCode::parse(self.required(column)?)
            .ok_or_else(|| self.fail(column, "invalid", "is not an exam code"))
    }

    fn grade(&self, column: &str) -> Result<Grade, RowError> {
        match self.required(column)?.to_ascii_lowercase().as_str() {
            "pass" | "passed" | "p" => Ok(Grade::Pass),
            "fail" | "failed" | "f" => Ok(Grade::Fail),
            _ => Err(self.fail(column, "invalid", "must be pass or fail")),
        }
    }

    fn points(&self, column: &str) -> Result<u32, RowError> {
        self.required(column)?
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=1000).contains(p))
            .ok_or_else(|| self.fail(column, "invalid", "must be a whole number from 1 to 1000"))
    }
}
