//! The terms staff find records by (`LookupTerm`): a last name in any case, a testing ID in any
//! case, surrounding space ignored; a record is listed under its last name and each testing ID.

use tessera_certification::{CandidateProfile, LookupTerm};

#[test]
fn terms_ignore_case_and_surrounding_space() {
    assert_eq!(
        LookupTerm::last_name("  BRONTË "),
        LookupTerm::last_name("brontë")
    );
    assert_eq!(
        LookupTerm::testing_id(" vt226754252"),
        LookupTerm::testing_id("VT226754252")
    );
    assert_ne!(
        LookupTerm::last_name("Hopper").map(|t| t.key()),
        LookupTerm::testing_id("Hopper").map(|t| t.key()),
        "a name and an ID never share an index entry"
    );
    for bad in ["", "   ", "a\u{7}b", &"x".repeat(101)] {
        assert_eq!(LookupTerm::last_name(bad), None, "{bad:?}");
        assert_eq!(LookupTerm::testing_id(bad), None, "{bad:?}");
    }
}

#[test]
fn a_record_is_listed_under_its_last_name_and_each_testing_id() {
    let record: CandidateProfile = serde_json::from_value(serde_json::json!({
        "candidate_id": "TSC1000001", "first_name": "Ada", "last_name": "Lovelace",
        "testing_ids": ["VT1", "vt2"], "first_exam": "2019-12-08",
    }))
    .unwrap();
    let keys: Vec<String> = record.lookup_terms().iter().map(|t| t.key()).collect();
    assert_eq!(keys, ["last:lovelace", "tid:VT1", "tid:VT2"]);
    assert!(record.erased().lookup_terms().is_empty());
}
