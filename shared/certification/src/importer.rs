//! The import flows: a CSV file in, candidate records created or extended, and a report of what
//! was imported, what was already there and which rows failed (by row number). Idempotent:
//! importing a file again imports nothing and reports every row as a duplicate.

use std::collections::BTreeMap;

use time::Date;

use super::catalog::Catalog;
use super::import::{parse_ce_credits, parse_exam_results, ImportError, RowError};
use super::record::{CandidateProfile, CeActivity, ExamRecord};
use crate::ports::{Added, CandidateRecords};
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    pub duplicates: usize,
    pub errors: Vec<RowError>,
    /// Rows imported that deserve a look: an exam code the catalog does not list counts toward
    /// no certification until a catalog version lists it (kept, for exams a catalog will learn).
    pub warnings: Vec<RowError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The whole file is refused; nothing was imported.
    #[error(transparent)]
    Refused(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file name shown as the activities' import source: 1–100 letters, digits, `.`, `_`, `-`.
pub fn source_name(raw: &str) -> Option<String> {
    let valid = (1..=100).contains(&raw.len())
        && !raw.starts_with('.')
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    valid.then(|| raw.to_string())
}

impl ImportReport {
    fn count(&mut self, row: usize, added: &Added) {
        match added {
            Added::New => self.imported += 1,
            Added::Duplicate => self.duplicates += 1,
            Added::TakenBy(other) => self.errors.push(RowError {
                row,
                code: "registration_number_taken",
                message: format!("registration_number: already recorded for candidate {other}"),
            }),
        }
    }

    fn finish(mut self) -> ImportReport {
        self.errors.sort_by_key(|e| e.row);
        self.warnings.sort_by_key(|e| e.row);
        self
    }
}

/// Rows grouped per candidate (each group in file order), so each record is written once.
fn by_candidate<T>(
    rows: Vec<(usize, T)>,
    candidate: impl Fn(&T) -> &CandidateId,
) -> BTreeMap<CandidateId, Vec<(usize, T)>> {
    let mut groups: BTreeMap<CandidateId, Vec<(usize, T)>> = BTreeMap::new();
    for (row, value) in rows {
        groups
            .entry(candidate(&value).clone())
            .or_default()
            .push((row, value));
    }
    groups
}

pub async fn import_exam_results(
    store: &dyn CandidateRecords,
    catalog: &Catalog,
    csv: &str,
    source_file: &str,
) -> Result<ImportReport, ImportFailure> {
    let parsed = parse_exam_results(csv)?;
    let warnings = parsed
        .rows
        .iter()
        .filter(|(_, r)| catalog.exam(&r.exam).is_none())
        .map(|(row, r)| RowError {
            row: *row,
            code: "unknown_exam",
            message: format!(
                "exam_code: {} is not in the catalog; imported, it counts toward no certification until a catalog version lists it",
                r.exam
            ),
        })
        .collect();
    let mut report = ImportReport {
        errors: parsed.errors,
        warnings,
        ..ImportReport::default()
    };
    let by_candidate = by_candidate(parsed.rows, |exam| &exam.candidate.candidate_id);
    for (candidate_id, rows) in by_candidate {
        let first = &rows[0].1.candidate;
        let mut testing_ids: Vec<String> = Vec::new();
        for (_, r) in &rows {
            if let Some(id) = &r.candidate.testing_id {
                if !testing_ids.contains(id) {
                    testing_ids.push(id.clone());
                }
            }
        }
        // A merged record's rows land in the record it was merged into.
        let candidate_id = super::merge::current_record(store, &candidate_id).await?;
        let profile = CandidateProfile {
            candidate_id,
            first_name: first.first_name.clone(),
            last_name: first.last_name.clone(),
            email: rows.iter().find_map(|(_, r)| r.candidate.email.clone()),
            testing_ids,
            account_id: None,
            first_exam: rows.iter().map(|(_, r)| r.date).min().unwrap_or(Date::MAX),
            settings: Default::default(),
            job_title: None,
            credential_numbers: Default::default(),
            academy_id: None,
            oversight: Default::default(),
            merged_into: None,
            logo_guidelines: None,
        };
        let exams: Vec<ExamRecord> = rows
            .iter()
            .map(|(_, r)| ExamRecord {
                registration_number: r.registration_number.clone(),
                exam_code: r.exam.clone(),
                exam_name: r.exam_name.clone(),
                grade: r.grade,
                date: r.date,
                source_file: source_file.to_string(),
            })
            .collect();
        let outcomes = store.add_exams(&profile, &exams).await?;
        // New evidence: the reminders job looks at this holder again.
        store.watch_again(&profile.candidate_id).await?;
        for ((row, _), added) in rows.iter().zip(&outcomes) {
            report.count(*row, added);
        }
    }
    Ok(report.finish())
}

pub async fn import_ce_credits(
    store: &dyn CandidateRecords,
    csv: &str,
    source_file: &str,
    today: Date,
) -> Result<ImportReport, ImportFailure> {
    let parsed = parse_ce_credits(csv)?;
    let mut report = ImportReport {
        errors: parsed.errors,
        ..ImportReport::default()
    };
    let by_candidate = by_candidate(parsed.rows, |credit| &credit.candidate_id);
    for (candidate_id, rows) in by_candidate {
        let activities: Vec<CeActivity> = rows
            .iter()
            .map(|(_, c)| CeActivity {
                provider: c.provider.clone(),
                external_id: c.external_id.clone(),
                activity: c.activity.clone(),
                points: c.points,
                active: c.active,
                inactive: c.inactive,
                source_file: source_file.to_string(),
                imported: today,
            })
            .collect();
        let candidate_id = super::merge::current_record(store, &candidate_id).await?;
        match store.add_activities(&candidate_id, &activities).await? {
            Some(outcomes) => {
                store.watch_again(&candidate_id).await?;
                for ((row, _), added) in rows.iter().zip(&outcomes) {
                    report.count(*row, added);
                }
            }
            None => report.errors.extend(rows.iter().map(|(row, _)| RowError {
                row: *row,
                code: "unknown_candidate",
                message: format!(
                    "candidate_id: no candidate {candidate_id} (import their exam results first)"
                ),
            })),
        }
    }
    Ok(report.finish())
}
