//! Requirement trees: "pass 1 qualifying exam OR earn 30 CE credits", with AND/OR groups and
//! thresholds, evaluated against a candidate's evidence within a window of dates. The same
//! evaluation gives the yes/no answer the status engine needs and the numbered progress tree
//! a candidate sees (`1.2 — 10 / 30 CE credits`).

use std::collections::HashMap;

use time::Date;

use super::catalog::{CertificationId, ExamCode};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// `need` of the children: all of them for an AND, 1 (or `at_least`) for an OR.
    Group {
        need: usize,
        children: Vec<Requirement>,
    },
    /// Pass `need` different exams of those listed.
    Exams { codes: Vec<ExamCode>, need: u32 },
    /// Hold `need` CE credits (points) that are active.
    CeCredits { need: u32 },
    /// Earn or renew `need` of the listed certifications (a higher certification renewing a
    /// lower one).
    Certifications {
        ids: Vec<CertificationId>,
        need: u32,
    },
}

/// A passed exam, with the date from which it no longer counts toward earning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pass {
    pub code: ExamCode,
    pub date: Date,
    pub counts_until: Date,
}

/// Continuing-education points, counting from `active` until (not including) `inactive`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    pub points: u32,
    pub active: Date,
    pub inactive: Date,
}

/// What a candidate has done, as the rules see it.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    pub passes: Vec<Pass>,
    pub credits: Vec<Credit>,
    /// The dates each certification was earned or renewed, filled in by the status engine as it
    /// goes (the catalog orders certifications so those named are computed first).
    pub awards: HashMap<CertificationId, Vec<Date>>,
}

/// Evidence dated from `from` to `at` (both included) counts, as it stood on `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: Date,
    pub at: Date,
}

impl Window {
    fn holds(&self, date: Date) -> bool {
        self.from <= date && date <= self.at
    }
}

/// What a node of the tree asks for, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ask {
    AllOf,
    AnyOf { need: usize },
    Exams { codes: Vec<ExamCode> },
    CeCredits,
    Certifications { ids: Vec<CertificationId> },
}

/// One node of a progress tree: `number` is its place ("1", "1.2"), `achieved / required` its
/// count in its own unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub number: String,
    pub ask: Ask,
    pub achieved: u32,
    pub required: u32,
    pub met: bool,
    pub children: Vec<Progress>,
}

/// How a met requirement was met: the kinds of evidence on its met branches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct How {
    pub exams: bool,
    pub ce_credits: bool,
    pub certifications: bool,
}

impl Progress {
    /// The kinds of evidence that meet this node, following met branches only (an OR met by CE
    /// credits is not "by exam" because one of two exams of another branch was passed).
    pub fn how(&self) -> How {
        let mut how = How::default();
        if self.met {
            match self.ask {
                Ask::Exams { .. } => how.exams = true,
                Ask::CeCredits => how.ce_credits = true,
                Ask::Certifications { .. } => how.certifications = true,
                Ask::AllOf | Ask::AnyOf { .. } => {
                    for child in &self.children {
                        let by = child.how();
                        how.exams |= by.exams;
                        how.ce_credits |= by.ce_credits;
                        how.certifications |= by.certifications;
                    }
                }
            }
        }
        how
    }

    pub fn unit(&self) -> &'static str {
        match self.ask {
            Ask::AllOf | Ask::AnyOf { .. } => "requirements",
            Ask::Exams { .. } => "exams",
            Ask::CeCredits => "CE credits",
            Ask::Certifications { .. } => "certifications",
        }
    }

    /// `10 / 30 CE credits`.
    pub fn summary(&self) -> String {
        format!("{} / {} {}", self.achieved, self.required, self.unit())
    }

    /// Every node, depth first, for flat displays and tests.
    pub fn flatten(&self) -> Vec<&Progress> {
        let mut all = vec![self];
        for c in &self.children {
            all.extend(c.flatten());
        }
        all
    }
}

impl Requirement {
    pub fn progress(&self, evidence: &Evidence, window: Window) -> Progress {
        self.progress_numbered("1".to_string(), evidence, window)
    }

    fn progress_numbered(&self, number: String, evidence: &Evidence, window: Window) -> Progress {
        match self {
            Requirement::Group { need, children } => {
                let children: Vec<Progress> = children
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        c.progress_numbered(format!("{number}.{}", i + 1), evidence, window)
                    })
                    .collect();
                let achieved = children.iter().filter(|c| c.met).count();
                let ask = if *need == children.len() {
                    Ask::AllOf
                } else {
                    Ask::AnyOf { need: *need }
                };
                Progress {
                    number,
                    ask,
                    achieved: achieved as u32,
                    required: *need as u32,
                    met: achieved >= *need,
                    children,
                }
            }
            Requirement::Exams { codes, need } => {
                let mut passed: Vec<&ExamCode> = evidence
                    .passes
                    .iter()
                    .filter(|p| {
                        codes.contains(&p.code)
                            && window.holds(p.date)
                            && window.at < p.counts_until
                    })
                    .map(|p| &p.code)
                    .collect();
                passed.sort();
                passed.dedup();
                leaf(
                    number,
                    Ask::Exams {
                        codes: codes.clone(),
                    },
                    passed.len() as u32,
                    *need,
                )
            }
            Requirement::CeCredits { need } => {
                let points = evidence
                    .credits
                    .iter()
                    .filter(|c| window.holds(c.active) && window.at < c.inactive)
                    .map(|c| c.points)
                    .fold(0u32, u32::saturating_add);
                leaf(number, Ask::CeCredits, points, *need)
            }
            Requirement::Certifications { ids, need } => {
                let awarded = ids
                    .iter()
                    .filter(|id| {
                        evidence
                            .awards
                            .get(*id)
                            .is_some_and(|dates| dates.iter().any(|d| window.holds(*d)))
                    })
                    .count();
                leaf(
                    number,
                    Ask::Certifications { ids: ids.clone() },
                    awarded as u32,
                    *need,
                )
            }
        }
    }

    pub fn is_met(&self, evidence: &Evidence, window: Window) -> bool {
        self.progress(evidence, window).met
    }

    /// The first day from `from` to `until` (both included) on which the rule is met by the
    /// evidence dated from `from`. The answer can only change on a day something happens, so only
    /// those days are tried.
    pub fn first_met(&self, evidence: &Evidence, from: Date, until: Date) -> Option<Date> {
        let mut days: Vec<Date> = self
            .evidence_days(evidence)
            .into_iter()
            .filter(|d| from <= *d && *d <= until)
            .collect();
        days.sort();
        days.dedup();
        days.into_iter()
            .find(|at| self.is_met(evidence, Window { from, at: *at }))
    }

    /// The earliest day from `from` on of evidence this rule counts (an exam it lists, a CE
    /// credit, an award it names): when work toward it started.
    pub fn first_contribution(&self, evidence: &Evidence, from: Date) -> Option<Date> {
        self.evidence_days(evidence)
            .into_iter()
            .filter(|d| *d >= from)
            .min()
    }

    fn evidence_days(&self, evidence: &Evidence) -> Vec<Date> {
        match self {
            Requirement::Group { children, .. } => children
                .iter()
                .flat_map(|c| c.evidence_days(evidence))
                .collect(),
            Requirement::Exams { codes, .. } => evidence
                .passes
                .iter()
                .filter(|p| codes.contains(&p.code))
                .map(|p| p.date)
                .collect(),
            Requirement::CeCredits { .. } => evidence.credits.iter().map(|c| c.active).collect(),
            Requirement::Certifications { ids, .. } => ids
                .iter()
                .filter_map(|id| evidence.awards.get(id))
                .flatten()
                .copied()
                .collect(),
        }
    }

    pub(super) fn named_certifications(&self) -> Box<dyn Iterator<Item = &CertificationId> + '_> {
        match self {
            Requirement::Group { children, .. } => {
                Box::new(children.iter().flat_map(|c| c.named_certifications()))
            }
            Requirement::Certifications { ids, .. } => Box::new(ids.iter()),
            Requirement::Exams { .. } | Requirement::CeCredits { .. } => {
                Box::new(std::iter::empty())
            }
        }
    }

    pub(super) fn names_certification(&self, id: &str) -> bool {
        self.named_certifications().any(|c| c.as_str() == id)
    }
}

fn leaf(number: String, ask: Ask, achieved: u32, required: u32) -> Progress {
    Progress {
        number,
        ask,
        achieved,
        required,
        met: achieved >= required,
        children: Vec::new(),
    }
}
