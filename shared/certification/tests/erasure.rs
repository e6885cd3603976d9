//! What erasure leaves of a candidate record (`CandidateProfile::erased`): the candidate ID,
//! dates, settings and staff decisions, and nothing that names or reaches the person.

use tessera_certification::CandidateProfile;

#[test]
fn an_erased_record_names_no_one() {
    let record: CandidateProfile = serde_json::from_value(serde_json::json!({
        "candidate_id": "TSC1000001", "first_name": "Ada", "last_name": "Lovelace",
        "email": "ada@example.com", "testing_ids": ["VT226754252"],
        "account_id": "0123456789abcdef0123456789abcdef", "first_exam": "2019-12-08",
        "settings": { "employee": false, "partner": true, "email_notifications": true,
                      "academy_student": false, "verification_consent": true },
        "job_title": "Analyst", "credential_numbers": { "expert": "EX-12" },
        "academy_id": "AC-77",
    }))
    .unwrap();
    let erased = record.erased();
    let text = serde_json::to_string(&erased).unwrap();
    for personal in [
        "Ada",
        "Lovelace",
        "ada@example.com",
        "VT226754252",
        "0123456789abcdef",
        "Analyst",
        "EX-12",
        "AC-77",
    ] {
        assert!(!text.contains(personal), "{personal} kept: {text}");
    }
    assert_eq!(erased.candidate_id, record.candidate_id);
    assert_eq!(erased.first_exam, record.first_exam);
    assert_eq!(erased.settings, record.settings);
    assert_eq!(erased.oversight, record.oversight);
    assert_eq!(erased.erased(), erased, "erasing twice changes nothing");
}
