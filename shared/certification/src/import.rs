//! Imports of exam results and CE credits: CSV files from testing vendors and CE providers,
//! parsed at the edge into typed rows. A row that fails is reported with its row number (the
//! header is row 1, and blank lines count, as an editor or spreadsheet shows them) and the others
//! still import. Cells are only ever
//! text: one that looks like a spreadsheet formula (`=`, `+`, `-`, `@`) is kept verbatim as a
//! name or refused where a code, number or date is expected; nothing is evaluated.
//!
//! Column sets (header names, any order, extra columns ignored) are documented in
//! `docs/imports.md`, with samples in `events/imports/`.

use std::collections::HashMap;
use tessera_kernel::ids::CandidateId;

use time::Date;

use super::catalog::ExamCode;
use super::dates::iso_date;
use tessera_kernel::email::Email;

/// Whole files larger than this are refused before any row is read.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// Files with more data rows than this are refused before any row is imported.
pub const MAX_IMPORT_ROWS: usize = 50_000;
const MAX_CELL_CHARS: usize = 200;

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub code: &'static str,
    pub message: String,
}

/// The rows that parsed, each with its row number, and the ones that did not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed<T> {
    pub rows: Vec<(usize, T)>,
    pub errors: Vec<RowError>,
}

/// Refusals of the whole file: nothing is imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is larger than {MAX_IMPORT_BYTES} bytes")]
    TooLarge,
    #[error("the file has more than {MAX_IMPORT_ROWS} rows")]
    TooManyRows,
    #[error("the file has no header row")]
    Empty,
    #[error("the header lacks the columns: {}", .0.join(", "))]
    MissingColumns(Vec<&'static str>),
    #[error("the file is not valid CSV: {0}")]
    Malformed(String),
}

impl ImportError {
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::TooLarge => "import_too_large",
            ImportError::TooManyRows => "too_many_rows",
            ImportError::Empty => "empty_import",
            ImportError::MissingColumns(_) => "missing_columns",
            ImportError::Malformed(_) => "malformed_csv",
        }
    }
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

fn parse<T>(
    text: &str,
    required: &[&'static str],
    row: impl Fn(&Cells) -> Result<T, RowError>,
) -> Result<Parsed<T>, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| ImportError::Malformed(e.to_string()))?
        .clone();
    if header.iter().all(str::is_empty) {
        return Err(ImportError::Empty);
    }
    let columns: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, name)| (name.to_ascii_lowercase(), i))
        .collect();
    let missing: Vec<&'static str> = required
        .iter()
        .copied()
        .filter(|c| !columns.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing));
    }

    let mut parsed = Parsed {
        rows: Vec::new(),
        errors: Vec::new(),
    };
    let mut lines = Lines {
        text: text.as_bytes(),
        counted_to: 0,
        line: 1,
    };
    for (index, record) in reader.records().enumerate() {
        if index >= MAX_IMPORT_ROWS {
            return Err(ImportError::TooManyRows);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = lines.at(e.position(), index + 2);
                parsed.errors.push(RowError {
                    row,
                    code: "malformed_row",
                    message: e.to_string(),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        // The line the row starts on: blank lines are skipped by the reader but still counted.
        let row_number = lines.at(record.position(), index + 2);
        let cells = Cells {
            row: row_number,
            record: &record,
            columns: &columns,
        };
        match row(&cells) {
            Ok(value) => parsed.rows.push((row_number, value)),
            Err(e) => parsed.errors.push(e),
        }
    }
    Ok(parsed)
}

/// Line numbers of byte offsets, counted forward as the rows are read (the reader's own line
/// count skips blank lines).
struct Lines<'a> {
    text: &'a [u8],
    counted_to: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, position: Option<&csv::Position>, fallback: usize) -> usize {
        let Some(mut byte) = position.map(|p| (p.byte() as usize).min(self.text.len())) else {
            return fallback;
        };
        // A row's position is where the reader started looking: before any blank lines.
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte >= self.counted_to {
            self.line += self.text[self.counted_to..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.counted_to = byte;
        }
        self.line
    }
}

/// One data row, read by column name.
struct Cells<'a> {
    row: usize,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|i| self.record.get(*i))
            .unwrap_or("")
    }

    fn fail(&self, column: &str, code: &'static str, message: &str) -> RowError {
        RowError {
            row: self.row,
            code,
            message: format!("{column}: {message}"),
        }
    }

    fn required(&self, column: &str) -> Result<&str, RowError> {
        let value = self.get(column);
        if value.is_empty() {
            return Err(self.fail(column, "required", "is empty"));
        }
        if value.chars().count() > MAX_CELL_CHARS {
            return Err(self.fail(column, "too_long", "is longer than 200 characters"));
        }
        Ok(value)
    }

    /// Free text (names, titles): kept exactly as written, even when it looks like a formula.
    fn name(&self, column: &str) -> Result<String, RowError> {
        let value = self.required(column)?;
        if value.chars().any(char::is_control) {
            return Err(self.fail(column, "invalid", "contains control characters"));
        }
        Ok(value.to_string())
    }

    /// An identifier: letters, digits, `-`, `_`, `.`; a formula-looking cell is refused here.
    fn code(&self, column: &str) -> Result<String, RowError> {
        let value = self.required(column)?;
        let valid = value.len() <= 64
            && !value.starts_with(['-', '.'])
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !valid {
            return Err(self.fail(
                column,
                "invalid",
                "must be letters, digits, '-', '_' or '.'",
            ));
        }
        Ok(value.to_string())
    }

    fn optional_code(&self, column: &str) -> Result<Option<String>, RowError> {
        if self.get(column).is_empty() {
            return Ok(None);
        }
        self.code(column).map(Some)
    }

    fn candidate_id(&self, column: &str) -> Result<CandidateId, RowError> {
        CandidateId::parse(self.required(column)?)
            .ok_or_else(|| self.fail(column, "invalid", "must be 1–32 letters, digits or '-'"))
    }

    fn exam_code(&self, column: &str) -> Result<ExamCode, RowError> {
        ExamCode::parse(self.required(column)?)
            .ok_or_else(|| self.fail(column, "invalid", "is not an exam code"))
    }

    fn optional_email(&self, column: &str) -> Result<Option<Email>, RowError> {
        let value = self.get(column);
        if value.is_empty() {
            return Ok(None);
        }
        Email::parse(value)
            .map(Some)
            .map_err(|e| self.fail(column, "invalid_email", &e.to_string()))
    }

    fn grade(&self, column: &str) -> Result<Grade, RowError> {
        match self.required(column)?.to_ascii_lowercase().as_str() {
            "pass" | "passed" | "p" => Ok(Grade::Pass),
            "fail" | "failed" | "f" => Ok(Grade::Fail),
            _ => Err(self.fail(column, "invalid", "must be pass or fail")),
        }
    }

    fn date(&self, column: &str) -> Result<Date, RowError> {
        Date::parse(self.required(column)?, iso_date::FORMAT)
            .map_err(|_| self.fail(column, "invalid_date", "must be a date as YYYY-MM-DD"))
    }

    fn points(&self, column: &str) -> Result<u32, RowError> {
        self.required(column)?
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=1000).contains(p))
            .ok_or_else(|| self.fail(column, "invalid", "must be a whole number from 1 to 1000"))
    }
}
