//! The status engine: from exams passed and CE credits, each certification's history (earned,
//! renewed, expired), its dates, its status on a given day, and the progress tree toward what is
//! next: renewal while it is active, earning (again) otherwise.
//!
//! The rules, as a candidate would read them:
//! - A certification is **earned** on the first day its earning rule is met. It is active from
//!   that day for `valid_years`.
//! - While active, meeting the renewal rule with evidence dated after the last active date
//!   **renews** it: active from that day, and the expiration moves `valid_years` further (it is
//!   added to the old expiration, so renewing early loses nothing).
//! - On its expiration day it **expires**. Renewal evidence after that no longer renews it; it has
//!   to be earned again, with evidence dated from the expiration on.
//! - Earning or renewing a certification counts as evidence for rules that name it, so a higher
//!   certification can renew a lower one.
//! - A **manual grant** begins an active period on its day as earning would (until its own
//!   expiration, or for `valid_years`); from there it renews and expires like any other.
//! - A **hold** (revoked, suspended) is the status whatever the evidence says, until lifted.

use time::Date;

use super::catalog::{Catalog, Certification, CertificationId};
use super::dates::add_years;
use super::requirement::{Credit, Evidence, How, Pass, Progress, Window};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    Expired,
    InProgress,
    /// Held back by the program while something is looked into.
    Suspended,
    /// Taken away by the program.
    Revoked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expired => "expired",
            Status::InProgress => "in_progress",
            Status::Suspended => "suspended",
            Status::Revoked => "revoked",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Milestone {
    Earned,
    /// Granted by hand (`oversight::ManualGrant`).
    Granted,
    Renewed,
    Expired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub date: Date,
    pub milestone: Milestone,
    /// For an earned or renewed milestone, the evidence that met the rule on that day.
    pub how: How,
}

/// Where one certification stands on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub certification: CertificationId,
    pub status: Status,
    /// When work toward earning it (again) began; only while not active.
    pub started: Option<Date>,
    /// The first day of the current (or, once expired, the last) active period.
    pub active: Option<Date>,
    pub expires: Option<Date>,
    /// Held without a gap since this day (active only): what tenure is counted from.
    pub held_since: Option<Date>,
    pub history: Vec<HistoryEntry>,
    /// Toward renewal while active; toward earning otherwise.
    pub progress: Progress,
}

impl Standing {
    /// The tenure years (from the catalog's list) this holder has reached on `today`.
    pub fn tenure_reached(&self, catalog: &Catalog, today: Date) -> Vec<u32> {
        let Some(since) = self.held_since.filter(|_| self.status == Status::Active) else {
            return Vec::new();
        };
        catalog
            .tenure_years
            .iter()
            .copied()
            .filter(|years| add_years(since, *years) <= today)
            .collect()
    }
}

/// The evidence form of a passed exam: it counts toward earning for the exam's
/// `pass_valid_years` (exams the catalog does not know count for nothing).
pub fn pass(catalog: &Catalog, code: &super::catalog::ExamCode, date: Date) -> Option<Pass> {
    let exam = catalog.exam(code)?;
    Some(Pass {
        code: code.clone(),
        date,
        counts_until: add_years(date, exam.pass_valid_years),
    })
}

/// Every certification the candidate holds, held, or has started, as of `today`, in catalog
/// order. Certifications with no history and no progress are left out.
pub fn standings(
    catalog: &Catalog,
    passes: Vec<Pass>,
    credits: Vec<Credit>,
    grants: &[Grant],
    today: Date,
) -> Vec<Standing> {
    let mut evidence = Evidence {
        passes: passes.into_iter().filter(|p| p.date <= today).collect(),
        credits: credits.into_iter().filter(|c| c.active <= today).collect(),
        awards: Default::default(),
    };
    let mut all = Vec::new();
    for index in &catalog.evaluation_order {
        let certification = &catalog.certifications[*index];
        let standing = standing(certification, &evidence, grants, today).map(|s| (*index, s));
        let awards: Vec<Date> = standing
            .iter()
            .flat_map(|(_, s)| &s.history)
            .filter(|h| h.milestone != Milestone::Expired)
            .map(|h| h.date)
            .collect();
        evidence.awards.insert(certification.id.clone(), awards);
        all.extend(standing);
    }
    all.sort_by_key(|(index, _)| *index);
    all.into_iter().map(|(_, s)| s).collect()
}

/// A manual grant as the engine counts it: an active period of `certification` beginning on
/// `active`, until `expires` or for the certification's validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub certification: CertificationId,
    pub active: Date,
    pub expires: Option<Date>,
}

#[derive(Clone, Copy)]
struct Period {
    active: Date,
    expires: Date,
    held_since: Date,
}

fn standing(
    certification: &Certification,
    evidence: &Evidence,
    grants: &[Grant],
    today: Date,
) -> Option<Standing> {
    let valid = certification.valid_years;
    let mut history = Vec::new();
    let mut earn_from = Date::MIN;
    let mut current: Option<Period> = None;
    let mut last: Option<Period> = None;
    loop {
        match current {
            None => {
                let earned = certification.earn.first_met(evidence, earn_from, today);
                let granted = grants
                    .iter()
                    .filter(|g| g.certification == certification.id)
                    .filter(|g| earn_from <= g.active && g.active <= today)
                    .filter(|g| g.expires.is_none_or(|expires| g.active < expires))
                    .min_by_key(|g| g.active);
                let (date, milestone, expires) = match (earned, granted) {
                    (Some(earned), Some(grant)) if earned < grant.active => {
                        (earned, Milestone::Earned, add_years(earned, valid))
                    }
                    (_, Some(grant)) => (
                        grant.active,
                        Milestone::Granted,
                        grant
                            .expires
                            .unwrap_or_else(|| add_years(grant.active, valid)),
                    ),
                    (Some(earned), None) => (earned, Milestone::Earned, add_years(earned, valid)),
                    (None, None) => break,
                };
                let how = match milestone {
                    Milestone::Earned => certification
                        .earn
                        .progress(
                            evidence,
                            Window {
                                from: earn_from,
                                at: date,
                            },
                        )
                        .how(),
                    _ => How::default(),
                };
                history.push(HistoryEntry {
                    date,
                    milestone,
                    how,
                });
                current = Some(Period {
                    active: date,
                    expires,
                    held_since: date,
                });
            }
            Some(period) => {
                let renew_from = period.active.next_day().unwrap_or(Date::MAX);
                let last_day = period
                    .expires
                    .previous_day()
                    .unwrap_or(Date::MIN)
                    .min(today);
                let renewed = (renew_from <= last_day)
                    .then(|| {
                        certification
                            .recertify
                            .first_met(evidence, renew_from, last_day)
                    })
                    .flatten();
                if let Some(renewed) = renewed {
                    let window = Window {
                        from: renew_from,
                        at: renewed,
                    };
                    history.push(HistoryEntry {
                        date: renewed,
                        milestone: Milestone::Renewed,
                        how: certification.recertify.progress(evidence, window).how(),
                    });
                    current = Some(Period {
                        active: renewed,
                        expires: add_years(period.expires, valid),
                        held_since: period.held_since,
                    });
                } else if period.expires <= today {
                    history.push(HistoryEntry {
                        date: period.expires,
                        milestone: Milestone::Expired,
                        how: How::default(),
                    });
                    earn_from = period.expires;
                    last = Some(period);
                    current = None;
                } else {
                    break;
                }
            }
        }
    }

    let (status, shown, progress, started) = match current {
        Some(period) => {
            let window = Window {
                from: period.active.next_day().unwrap_or(Date::MAX),
                at: today,
            };
            let progress = certification.recertify.progress(evidence, window);
            (Status::Active, Some(period), progress, None)
        }
        None => {
            let window = Window {
                from: earn_from,
                at: today,
            };
            let progress = certification.earn.progress(evidence, window);
            let started = certification.earn.first_contribution(evidence, earn_from);
            let status = if last.is_some() {
                Status::Expired
            } else if started.is_some() {
                Status::InProgress
            } else {
                return None;
            };
            (status, last, progress, started)
        }
    };
    Some(Standing {
        certification: certification.id.clone(),
        status,
        started,
        active: shown.map(|p| p.active),
        expires: shown.map(|p| p.expires),
        held_since: current.map(|p| p.held_since),
        history,
        progress,
    })
}
