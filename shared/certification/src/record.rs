//! A candidate record: who the testing vendors know (candidate ID, names, email on file, testing
//! IDs), the exams they sat and the CE activities they earned, with where each came from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::catalog::{Catalog, CertificationId, ExamCode};
use super::dates::iso_date;
use super::import::Grade;
use super::oversight::{HoldKind, Oversight};
use super::requirement::{Credit, Pass};
use super::status::{self, Grant, Standing, Status};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ids::CandidateId;

/// The record's own fields (one stored item), without its exams and activities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateProfile {
    pub candidate_id: CandidateId,
    pub first_name: String,
    pub last_name: String,
    /// Where mapping by email sends its code; imports fill it when the record has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default)]
    pub testing_ids: Vec<String>,
    /// The account mapped to this record, once mapping completed (absent, not null, until then:
    /// the mapping's condition is that it does not exist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    /// The day the first exam result arrived: the candidate agreement's active date.
    #[serde(with = "iso_date")]
    pub first_exam: Date,
    /// The five required yes/no settings; `None` until the candidate answers.
    #[serde(default)]
    pub settings: CandidateSettings,
    /// The one attribute the candidate edits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    /// Credential numbers (e.g. an expert number) set by the program, read-only to the candidate.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub credential_numbers: BTreeMap<String, String>,
    /// The candidate's id at the training academy, set by staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub academy_id: Option<String>,
    /// Manual grants and holds (`oversight`): set by staff only, each with an audit event.
    #[serde(default, skip_serializing_if = "Oversight::is_empty")]
    pub oversight: Oversight,
    /// Set when staff merged this record into another (`merge`): the record is then only a
    /// pointer there, and imports for its candidate ID land in the other record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<CandidateId>,
    /// When the candidate accepted the logo guidelines, and which version: recorded by their
    /// first logo download under that version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_guidelines: Option<Acceptance>,
}

/// A text the candidate accepted: its version, and the moment (RFC 3339).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub version: u32,
    pub at: String,
}

/// The logo guidelines a logo download accepts.
pub const LOGO_GUIDELINES: ConsentText = ConsentText {
    version: 1,
    text: "Use a logo only while the certification it shows is active, and only to show that \
           you hold it: unaltered (no changes of colour, proportion or wording), at a size where \
           its text reads, apart from other marks, and never as part of your own name, product \
           or company logo. The program may withdraw permission to use its logos.",
};

/// The required yes/no settings of the personal-info screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateSettings {
    pub employee: Option<bool>,
    pub partner: Option<bool>,
    pub email_notifications: Option<bool>,
    pub academy_student: Option<bool>,
    /// Consent to verification of certification status by third parties (transcripts).
    pub verification_consent: Option<bool>,
    /// The version of the consent text (`VERIFICATION_CONSENT`) that answer was given to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_consent_version: Option<u32>,
}

/// A consent the screens ask for, as the holder reads it. A new text gets a new version, and an
/// answer records the version it was given to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentText {
    pub version: u32,
    pub text: &'static str,
}

/// The consent behind `verification_consent`.
pub const VERIFICATION_CONSENT: ConsentText = ConsentText {
    version: 1,
    text: "I agree that the program may confirm my certifications, their dates and their status \
           to third parties who ask: through the transcripts I share, the codes printed on my \
           certificates and kits, and my digital badges. I can withdraw this at any time; \
           afterwards the program confirms only that a code is genuine.",
};

impl CandidateSettings {
    /// Whether every required setting has an answer.
    pub fn complete(&self) -> bool {
        [
            self.employee,
            self.partner,
            self.email_notifications,
            self.academy_student,
            self.verification_consent,
        ]
        .iter()
        .all(Option::is_some)
    }
}

/// A change the candidate makes to their record's own fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CandidateEdit {
    Settings(CandidateSettings),
    JobTitle(Option<String>),
    LogoGuidelines(Acceptance),
}

/// A term staff find records by besides the candidate ID, the email on file and a registration
/// number: a last name (any case, surrounding space ignored) or a testing ID (any case). Each
/// record is listed under the terms of its profile (`CandidateProfile::lookup_terms`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LookupTerm {
    LastName(String),
    TestingId(String),
}

impl LookupTerm {
    /// The most a term holds: a name or an ID, not a paragraph.
    const MAX_CHARS: usize = 100;

    pub fn last_name(raw: &str) -> Option<LookupTerm> {
        Self::normalized(raw, |t| t.to_lowercase()).map(LookupTerm::LastName)
    }

    pub fn testing_id(raw: &str) -> Option<LookupTerm> {
        Self::normalized(raw, |t| t.to_uppercase()).map(LookupTerm::TestingId)
    }

    fn normalized(raw: &str, case: impl Fn(&str) -> String) -> Option<String> {
        let text = raw.trim();
        let ok = !text.is_empty()
            && text.chars().count() <= Self::MAX_CHARS
            && !text.chars().any(char::is_control);
        ok.then(|| case(text))
    }

    /// The term as an index stores it: `last:<name>` or `tid:<id>`.
    pub fn key(&self) -> String {
        match self {
            LookupTerm::LastName(name) => format!("last:{name}"),
            LookupTerm::TestingId(id) => format!("tid:{id}"),
        }
    }
}

impl CandidateProfile {
    /// The terms the record is found by: its last name and each testing ID (none once erased).
    pub fn lookup_terms(&self) -> std::collections::BTreeSet<LookupTerm> {
        LookupTerm::last_name(&self.last_name)
            .into_iter()
            .chain(
                self.testing_ids
                    .iter()
                    .filter_map(|id| LookupTerm::testing_id(id)),
            )
            .collect()
    }

    /// The record as it stays after its person is erased: unmapped, and without what names or
    /// reaches them (names, email on file, testing IDs, job title, credential numbers, academy
    /// id). The candidate ID, dates, settings and staff decisions stay with the exams and CE
    /// activities, which name no one.
    pub fn erased(&self) -> CandidateProfile {
        CandidateProfile {
            candidate_id: self.candidate_id.clone(),
            first_name: String::new(),
            last_name: String::new(),
            email: None,
            testing_ids: Vec::new(),
            account_id: None,
            first_exam: self.first_exam,
            settings: self.settings,
            job_title: None,
            credential_numbers: BTreeMap::new(),
            academy_id: None,
            oversight: self.oversight.clone(),
            merged_into: self.merged_into.clone(),
            logo_guidelines: self.logo_guidelines.clone(),
        }
    }

    pub fn apply(&mut self, edit: &CandidateEdit) {
        match edit {
            CandidateEdit::Settings(settings) => self.settings = *settings,
            CandidateEdit::JobTitle(title) => self.job_title = title.clone(),
            CandidateEdit::LogoGuidelines(accepted) => {
                self.logo_guidelines = Some(accepted.clone())
            }
        }
    }
}

impl CandidateProfile {
    /// What an import adds to an existing record: testing IDs it lacks, and the email when the
    /// record has none. Names and an email on file are never overwritten by an import (the
    /// candidate or support keeps them); the earliest exam date is kept.
    pub fn merge_import(&mut self, incoming: &CandidateProfile) {
        for id in &incoming.testing_ids {
            if !self.testing_ids.contains(id) {
                self.testing_ids.push(id.clone());
            }
        }
        if self.email.is_none() {
            self.email = incoming.email.clone();
        }
        self.first_exam = self.first_exam.min(incoming.first_exam);
    }
}

/// One exam sitting. The registration number identifies it: importing it again changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamRecord {
    pub registration_number: String,
    pub exam_code: ExamCode,
    pub exam_name: String,
    pub grade: Grade,
    #[serde(with = "iso_date")]
    pub date: Date,
    pub source_file: String,
}

/// One CE activity. The provider and its external id identify it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeActivity {
    pub provider: String,
    pub external_id: String,
    pub activity: String,
    pub points: u32,
    #[serde(with = "iso_date")]
    pub active: Date,
    #[serde(with = "iso_date")]
    pub inactive: Date,
    pub source_file: String,
    /// The day it was imported (the "updated" column).
    #[serde(with = "iso_date")]
    pub imported: Date,
}

impl CeActivity {
    /// What makes a re-import of the same activity a duplicate.
    pub fn key(&self) -> String {
        activity_key(&self.provider, &self.external_id)
    }
}

/// Provider names compared without case or surrounding space, so one provider's files agree.
pub fn activity_key(provider: &str, external_id: &str) -> String {
    format!("{}#{}", provider.trim().to_lowercase(), external_id)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateRecord {
    pub profile: CandidateProfile,
    pub exams: Vec<ExamRecord>,
    pub activities: Vec<CeActivity>,
    /// The Open Badges credentials issued for its certifications, at most one each.
    pub badges: Vec<IssuedBadge>,
}

/// The Open Badges credential issued for one certification of a record: its public id, its
/// entry in the program's status list, and the salt of its recipient's hashed email. Issued once
/// and kept: a renewal or a change of dates signs it again under the same id, and a hold on the
/// certification is its status list entry's value (`oversight::CredentialStatus`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedBadge {
    pub certification: CertificationId,
    pub badge_id: String,
    pub status_index: u32,
    pub salt: String,
}

impl CandidateRecord {
    /// The CE activities as the rules count them.
    pub fn credits(&self) -> Vec<Credit> {
        self.activities
            .iter()
            .map(|a| Credit {
                points: a.points,
                active: a.active,
                inactive: a.inactive,
            })
            .collect()
    }

    /// Where each certification stands on `today`.
    pub fn standings(&self, catalog: &Catalog, today: Date) -> Vec<Standing> {
        let passes: Vec<Pass> = self
            .exams
            .iter()
            .filter(|e| e.grade == Grade::Pass)
            .filter_map(|e| status::pass(catalog, &e.exam_code, e.date))
            .collect();
        let grants: Vec<Grant> = self
            .profile
            .oversight
            .grants
            .iter()
            .map(|g| Grant {
                certification: g.certification.clone(),
                active: g.active_on,
                expires: g.expires_on,
            })
            .collect();
        let credits = self.credits();
        let mut standings = status::standings(catalog, passes, credits, &grants, today);
        for standing in &mut standings {
            if let Some(hold) = self.profile.oversight.holds.get(&standing.certification) {
                standing.status = match hold.kind {
                    HoldKind::Revoked => Status::Revoked,
                    HoldKind::Suspended => Status::Suspended,
                };
            }
        }
        standings
    }
}
