//! Reading CSV files operators import (exam results, CE credits, the access registry): parsed at
//! the edge into typed rows. A row that fails is reported with its row number (the header is row
//! 1, and blank lines count, as an editor or spreadsheet shows them) and the others still import.
//! Cells are only ever text: one that looks like a spreadsheet formula (`=`, `+`, `-`, `@`) is
//! kept verbatim as a name or refused where a code, number or date is expected; nothing is
//! evaluated. Each file kind names its columns (header names, any order, extra columns ignored)
//! and turns a row's [`Cells`] into its own typed value.

use std::collections::HashMap;

use time::format_description::FormatItem;
use time::macros::format_description;
use time::Date;

use crate::email::Email;

/// Whole files larger than this are refused before any row is read.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// Files with more data rows than this are refused before any row is imported.
pub const MAX_IMPORT_ROWS: usize = 50_000;
const MAX_CELL_CHARS: usize = 200;
const ISO_DATE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

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

/// The rows of `text` that have every `required` column, each turned into a value by `row`.
pub fn parse<T>(
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
pub struct Cells<'a> {
    row: usize,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl Cells<'_> {
    pub fn get(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|i| self.record.get(*i))
            .unwrap_or("")
    }

    pub fn fail(&self, column: &str, code: &'static str, message: &str) -> RowError {
        RowError {
            row: self.row,
            code,
            message: format!("{column}: {message}"),
        }
    }

    pub fn required(&self, column: &str) -> Result<&str, RowError> {
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
    pub fn name(&self, column: &str) -> Result<String, RowError> {
        let value = self.required(column)?;
        if value.chars().any(char::is_control) {
            return Err(self.fail(column, "invalid", "contains control characters"));
        }
        Ok(value.to_string())
    }

    /// An identifier: letters, digits, `-`, `_`, `.`; a formula-looking cell is refused here.
    pub fn code(&self, column: &str) -> Result<String, RowError> {
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

    pub fn optional_code(&self, column: &str) -> Result<Option<String>, RowError> {
        if self.get(column).is_empty() {
            return Ok(None);
        }
        self.code(column).map(Some)
    }

    pub fn optional_email(&self, column: &str) -> Result<Option<Email>, RowError> {
        let value = self.get(column);
        if value.is_empty() {
            return Ok(None);
        }
        Email::parse(value)
            .map(Some)
            .map_err(|e| self.fail(column, "invalid_email", &e.to_string()))
    }

    /// A date as YYYY-MM-DD.
    pub fn date(&self, column: &str) -> Result<Date, RowError> {
        Date::parse(self.required(column)?, ISO_DATE)
            .map_err(|_| self.fail(column, "invalid_date", "must be a date as YYYY-MM-DD"))
    }

    pub fn optional_date(&self, column: &str) -> Result<Option<Date>, RowError> {
        if self.get(column).is_empty() {
            return Ok(None);
        }
        self.date(column).map(Some)
    }
}
