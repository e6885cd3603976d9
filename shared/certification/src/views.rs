//! What the certification screens show, built from a candidate record, the catalog and the day:
//! the certifications grouped by track (active, in progress, past), one certification's progress
//! tree with its CE credits and history, the exam history sorted as asked, the CE activities
//! with their provenance, the agreements and the logos the candidate may download. Plain data,
//! serialized as the API's JSON.

use serde::Serialize;
use time::Date;

use super::catalog::{Catalog, Certification};
use super::dates::{add_years, iso_date};
use super::import::Grade;
use super::record::CandidateRecord;
use super::requirement::{Ask, Progress};
use super::status::{HistoryEntry, Milestone, Standing, Status};

fn day(date: Date) -> String {
    iso_date::format(date)
}

fn optional_day(date: Option<Date>) -> Option<String> {
    date.map(day)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackView {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificationSummary {
    pub id: String,
    pub name: String,
    pub abbreviation: String,
    pub track: TrackView,
    pub status: &'static str,
    pub started: Option<String>,
    pub active: Option<String>,
    pub expires: Option<String>,
    /// The logo and PDF certificate, for active certifications only.
    pub downloads: Option<Downloads>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Downloads {
    pub logo: Option<String>,
    pub certificate_pdf: String,
}

/// Certifications of one status, grouped by track in catalog order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackGroup {
    pub track: TrackView,
    pub certifications: Vec<CertificationSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificationsView {
    pub active: Vec<TrackGroup>,
    pub in_progress: Vec<TrackGroup>,
    pub past: Vec<TrackGroup>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProgressView {
    pub number: String,
    pub requirement: String,
    pub achieved: u32,
    pub required: u32,
    pub unit: &'static str,
    pub met: bool,
    /// `10 / 30 CE credits`.
    pub summary: String,
    pub children: Vec<ProgressView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreditView {
    pub activity: String,
    pub provider: String,
    pub points: u32,
    pub active_date: String,
    pub inactive_date: String,
    pub status: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryView {
    pub date: String,
    pub event: &'static str,
    /// How it happened, where the event alone does not say: "Manually granted: <reason>", or
    /// the reason for a hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How an earned, renewed or granted milestone happened: `exam`, `ce_credits`,
    /// `higher_certification`, `manual_grant` (empty for other events).
    pub how: Vec<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificationDetail {
    #[serde(flatten)]
    pub summary: CertificationSummary,
    /// Toward renewal while active, toward earning otherwise.
    pub progress_toward: &'static str,
    pub progress: ProgressView,
    /// CE credits dated in the current window (the ones the progress can count), active or not.
    pub ce_credits: Vec<CreditView>,
    pub history: Vec<HistoryView>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExamSort {
    Date,
    Code,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    Ascending,
    Descending,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExamView {
    pub code: String,
    pub exam: String,
    pub registration_number: String,
    pub grade: &'static str,
    pub date: String,
    /// Until when a pass counts toward earning; `None` ("never") for a fail or an exam the
    /// catalog does not know.
    pub expires: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActivitySource {
    pub file: String,
    pub external_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActivityView {
    pub name: String,
    pub provider: String,
    pub points: u32,
    pub active_date: String,
    pub expires: String,
    pub updated: String,
    pub status: &'static str,
    pub source: ActivitySource,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgreementView {
    pub name: String,
    pub active_date: String,
    /// `None`: never expires.
    pub expires: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogoView {
    pub id: String,
    pub name: String,
    /// The file name (in `data/logos/`).
    pub file: String,
    pub download: String,
}

/// Links the API answers carry, under `/v1/candidate`.
fn downloads(certification: &Certification) -> Downloads {
    Downloads {
        logo: certification
            .logo
            .as_ref()
            .map(|_| format!("/v1/candidate/logos/{}", certification.id)),
        certificate_pdf: format!(
            "/v1/candidate/certifications/{}/certificate.pdf",
            certification.id
        ),
    }
}

fn summary(catalog: &Catalog, standing: &Standing) -> Option<CertificationSummary> {
    let certification = catalog.certification(standing.certification.as_str())?;
    let track = catalog.track(&certification.track)?;
    Some(CertificationSummary {
        id: certification.id.to_string(),
        name: certification.name.clone(),
        abbreviation: certification.abbreviation.clone(),
        track: TrackView {
            id: track.id.clone(),
            name: track.name.clone(),
        },
        status: standing.status.as_str(),
        started: optional_day(standing.started),
        active: optional_day(standing.active),
        expires: optional_day(standing.expires),
        downloads: (standing.status == Status::Active).then(|| downloads(certification)),
    })
}

fn grouped(catalog: &Catalog, summaries: Vec<CertificationSummary>) -> Vec<TrackGroup> {
    catalog
        .tracks
        .iter()
        .filter_map(|track| {
            let certifications: Vec<CertificationSummary> = summaries
                .iter()
                .filter(|s| s.track.id == track.id)
                .cloned()
                .collect();
            (!certifications.is_empty()).then(|| TrackGroup {
                track: TrackView {
                    id: track.id.clone(),
                    name: track.name.clone(),
                },
                certifications,
            })
        })
        .collect()
}

pub fn certifications(
    catalog: &Catalog,
    record: &CandidateRecord,
    today: Date,
) -> CertificationsView {
    let standings = record.standings(catalog, today);
    let of = |shown: &dyn Fn(Status) -> bool| {
        let summaries = standings
            .iter()
            .filter(|s| shown(s.status))
            .filter_map(|s| summary(catalog, s))
            .collect();
        grouped(catalog, summaries)
    };
    CertificationsView {
        active: of(&|s| s == Status::Active),
        in_progress: of(&|s| s == Status::InProgress),
        // Held back by the program shows with the past ones, its status saying why.
        past: of(&|s| matches!(s, Status::Expired | Status::Suspended | Status::Revoked)),
    }
}

/// One certification's screen; `None` if the candidate has neither held nor started it.
pub fn certification(
    catalog: &Catalog,
    record: &CandidateRecord,
    id: &str,
    today: Date,
) -> Option<CertificationDetail> {
    let standing = record
        .standings(catalog, today)
        .into_iter()
        .find(|s| s.certification.as_str() == id)?;
    let summary = summary(catalog, &standing)?;
    // The window the progress counts: after the last active date while active, from the
    // expiration (or the beginning) otherwise.
    let window_from = match standing.status {
        Status::Active => standing.active.and_then(|d| d.next_day()),
        Status::Expired | Status::Suspended | Status::Revoked => standing.expires,
        Status::InProgress => None,
    };
    let ce_credits = record
        .activities
        .iter()
        .filter(|a| window_from.is_none_or(|from| a.active >= from) && a.active <= today)
        .map(|a| CreditView {
            activity: a.activity.clone(),
            provider: a.provider.clone(),
            points: a.points,
            active_date: day(a.active),
            inactive_date: day(a.inactive),
            status: if today < a.inactive {
                "active"
            } else {
                "inactive"
            },
        })
        .collect();
    Some(CertificationDetail {
        summary,
        progress_toward: if standing.status == Status::Active {
            "renewal"
        } else {
            "earning"
        },
        progress: progress_view(catalog, &standing.progress),
        ce_credits,
        history: history(record, &standing),
    })
}

/// Newest first: each milestone, a manual grant with its reason, and a hold on top.
fn history(record: &CandidateRecord, standing: &Standing) -> Vec<HistoryView> {
    let oversight = &record.profile.oversight;
    let hold = oversight
        .holds
        .get(&standing.certification)
        .map(|hold| HistoryView {
            date: day(hold.since),
            event: hold.kind.as_str(),
            note: Some(hold.reason.clone()),
            how: Vec::new(),
        });
    let milestones = standing.history.iter().rev().map(|h| HistoryView {
        date: day(h.date),
        event: match h.milestone {
            Milestone::Earned => "earned",
            Milestone::Granted => "granted",
            Milestone::Renewed => "renewed",
            Milestone::Expired => "expired",
        },
        note: (h.milestone == Milestone::Granted)
            .then(|| oversight.grant_on(&standing.certification, h.date))
            .flatten()
            .map(|grant| format!("Manually granted: {}", grant.reason)),
        how: how_words(h),
    });
    hold.into_iter().chain(milestones).collect()
}

/// A milestone's means as the API names them.
fn how_words(entry: &HistoryEntry) -> Vec<&'static str> {
    if entry.milestone == Milestone::Granted {
        return vec!["manual_grant"];
    }
    let how = entry.how;
    [
        (how.exams, "exam"),
        (how.ce_credits, "ce_credits"),
        (how.certifications, "higher_certification"),
    ]
    .into_iter()
    .filter_map(|(by, word)| by.then_some(word))
    .collect()
}

fn progress_view(catalog: &Catalog, progress: &Progress) -> ProgressView {
    ProgressView {
        number: progress.number.clone(),
        requirement: describe(catalog, progress),
        achieved: progress.achieved,
        required: progress.required,
        unit: progress.unit(),
        met: progress.met,
        summary: progress.summary(),
        children: progress
            .children
            .iter()
            .map(|c| progress_view(catalog, c))
            .collect(),
    }
}

/// The requirement in words: "Pass 1 of: IA-201 Infrastructure Associate, EC-301 Enterprise Core".
fn describe(catalog: &Catalog, progress: &Progress) -> String {
    let of = |n: u32| {
        if n == 1 {
            "1".to_string()
        } else {
            n.to_string()
        }
    };
    match &progress.ask {
        Ask::AllOf => "All of the following".into(),
        Ask::AnyOf { need } => format!("{} of the following", of(*need as u32)),
        Ask::Exams { codes } => {
            let names: Vec<String> = codes
                .iter()
                .map(|c| match catalog.exam(c) {
                    Some(exam) => format!("{c} {}", exam.name),
                    None => c.to_string(),
                })
                .collect();
            format!("Pass {} of: {}", of(progress.required), names.join(", "))
        }
        Ask::CeCredits => format!("Earn {} CE credits", progress.required),
        Ask::Certifications { ids } => {
            let names: Vec<String> = ids
                .iter()
                .map(|id| {
                    catalog
                        .certification(id.as_str())
                        .map_or_else(|| id.to_string(), |c| c.name.clone())
                })
                .collect();
            format!(
                "Earn or renew {} of: {}",
                of(progress.required),
                names.join(", ")
            )
        }
    }
}

pub fn exams(
    catalog: &Catalog,
    record: &CandidateRecord,
    sort: ExamSort,
    order: SortOrder,
) -> Vec<ExamView> {
    let mut exams: Vec<_> = record.exams.iter().collect();
    exams.sort_by(|a, b| {
        let by_date = a.date.cmp(&b.date);
        let by_code = a.exam_code.cmp(&b.exam_code);
        let primary = match sort {
            ExamSort::Date => by_date.then(by_code),
            ExamSort::Code => by_code.then(by_date),
        };
        primary.then_with(|| a.registration_number.cmp(&b.registration_number))
    });
    if order == SortOrder::Descending {
        exams.reverse();
    }
    exams
        .into_iter()
        .map(|e| ExamView {
            code: e.exam_code.to_string(),
            exam: e.exam_name.clone(),
            registration_number: e.registration_number.clone(),
            grade: e.grade.as_str(),
            date: day(e.date),
            expires: match (e.grade, catalog.exam(&e.exam_code)) {
                (Grade::Pass, Some(exam)) => Some(day(add_years(e.date, exam.pass_valid_years))),
                _ => None,
            },
        })
        .collect()
}

/// CE activities, the most recent first.
pub fn activities(record: &CandidateRecord, today: Date) -> Vec<ActivityView> {
    matching_activities(record, today, "")
}

/// The CE activities whose name, provider or external id contains `search` (any case; all of
/// them for an empty one): the guide's search box.
pub fn matching_activities(
    record: &CandidateRecord,
    today: Date,
    search: &str,
) -> Vec<ActivityView> {
    let search = search.trim().to_lowercase();
    let mut activities: Vec<_> = record
        .activities
        .iter()
        .filter(|a| {
            search.is_empty()
                || [&a.activity, &a.provider, &a.external_id]
                    .iter()
                    .any(|field| field.to_lowercase().contains(&search))
        })
        .collect();
    activities.sort_by(|a, b| b.active.cmp(&a.active).then_with(|| a.key().cmp(&b.key())));
    activities
        .into_iter()
        .map(|a| ActivityView {
            name: a.activity.clone(),
            provider: a.provider.clone(),
            points: a.points,
            active_date: day(a.active),
            expires: day(a.inactive),
            updated: day(a.imported),
            status: if today < a.inactive {
                "active"
            } else {
                "inactive"
            },
            source: ActivitySource {
                file: a.source_file.clone(),
                external_id: a.external_id.clone(),
            },
        })
        .collect()
}

/// The candidate agreement, accepted at the first exam; it does not expire.
pub fn agreements(catalog: &Catalog, record: &CandidateRecord) -> Vec<AgreementView> {
    vec![AgreementView {
        name: catalog.agreement.clone(),
        active_date: day(record.profile.first_exam),
        expires: None,
    }]
}

/// The logos the candidate may download: each active certification's, and the tenure
/// achievements reached (`<id>-<years>-years`).
pub fn logos(catalog: &Catalog, record: &CandidateRecord, today: Date) -> Vec<LogoView> {
    let mut logos = Vec::new();
    for standing in record.standings(catalog, today) {
        let Some(certification) = catalog.certification(standing.certification.as_str()) else {
            continue;
        };
        if standing.status != Status::Active {
            continue;
        }
        let logo = |id: String, name: String, file: String| LogoView {
            download: format!("/v1/candidate/logos/{id}"),
            id,
            name,
            file,
        };
        if let Some(file) = &certification.logo {
            logos.push(logo(
                certification.id.to_string(),
                certification.name.clone(),
                file.clone(),
            ));
        }
        if certification.tenure_logos {
            for years in standing.tenure_reached(catalog, today) {
                let id = format!("{}-{years}-years", certification.id);
                logos.push(logo(
                    id.clone(),
                    format!("{} - {years}-year achievement", certification.name),
                    format!("{id}.svg"),
                ));
            }
        }
    }
    logos
}
