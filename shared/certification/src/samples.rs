//! Candidate records built from the documented sample files (`docs/samples/`), for tests here
//! and in the contexts that build on certification tracking (the `samples` feature).

use crate::import::{parse_ce_credits, parse_exam_results};
use crate::record::{CandidateProfile, CandidateRecord, CeActivity, ExamRecord};
use time::macros::date;

/// One candidate of the documented sample files, as the importer would store them.
pub fn sample_record(candidate: &str) -> CandidateRecord {
    let exams = parse_exam_results(include_str!("../../../docs/samples/exam-results.csv"))
        .unwrap()
        .rows;
    let credits = parse_ce_credits(include_str!("../../../docs/samples/ce-credits.csv"))
        .unwrap()
        .rows;
    let mine: Vec<_> = exams
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| r.candidate.candidate_id.as_str() == candidate)
        .collect();
    let first = &mine[0].candidate;
    CandidateRecord {
        profile: CandidateProfile {
            candidate_id: first.candidate_id.clone(),
            first_name: first.first_name.clone(),
            last_name: first.last_name.clone(),
            email: first.email.clone(),
            testing_ids: first.testing_id.iter().cloned().collect(),
            account_id: None,
            first_exam: mine.iter().map(|r| r.date).min().unwrap(),
            settings: Default::default(),
            job_title: None,
            credential_numbers: Default::default(),
            academy_id: None,
            oversight: Default::default(),
            merged_into: None,
            logo_guidelines: None,
        },
        exams: mine
            .iter()
            .map(|r| ExamRecord {
                registration_number: r.registration_number.clone(),
                exam_code: r.exam.clone(),
                exam_name: r.exam_name.clone(),
                grade: r.grade,
                date: r.date,
                source_file: "exam-results.csv".into(),
            })
            .collect(),
        activities: credits
            .into_iter()
            .map(|(_, c)| c)
            .filter(|c| c.candidate_id.as_str() == candidate)
            .map(|c| CeActivity {
                provider: c.provider,
                external_id: c.external_id,
                activity: c.activity,
                points: c.points,
                active: c.active,
                inactive: c.inactive,
                source_file: "ce-credits.csv".into(),
                imported: date!(2026 - 11 - 01),
            })
            .collect(),
        badges: Vec::new(),
    }
}
