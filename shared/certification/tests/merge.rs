//! What a merge makes of two records' profiles (`CandidateProfile::absorb`, `pointer_to`): the
//! survivor keeps its own details and takes only what it lacked; the duplicate keeps nothing but
//! its candidate ID and where it went.

use tessera_certification::CandidateProfile;
use tessera_kernel::ids::CandidateId;

fn profile(value: serde_json::Value) -> CandidateProfile {
    serde_json::from_value(value).unwrap()
}

#[test]
fn the_survivor_keeps_its_own_and_takes_what_it_lacked() {
    let kept = profile(serde_json::json!({
        "candidate_id": "TSC1", "first_name": "Grace", "last_name": "Hopper",
        "email": "grace@example.org", "testing_ids": ["VT1"], "first_exam": "2020-01-01",
        "settings": { "employee": true },
        "credential_numbers": { "expert": "EX-1" },
        "oversight": { "holds": { "security-associate": { "kind": "suspended", "since": "2024-01-01", "reason": "kept" } } },
    }));
    let duplicate = profile(serde_json::json!({
        "candidate_id": "TSC2", "first_name": "G.", "last_name": "Hopper-Murray",
        "email": "g@example.org", "testing_ids": ["VT2", "VT1"], "first_exam": "2018-05-05",
        "account_id": "0123456789abcdef0123456789abcdef",
        "settings": { "employee": false, "partner": true },
        "job_title": "Engineer", "academy_id": "AC-2",
        "credential_numbers": { "expert": "EX-2", "architect": "AR-2" },
        "oversight": {
            "grants": [{ "certification": "security-expert", "active_on": "2023-01-01", "by": "account:x", "reason": "lost results" }],
            "holds": { "security-associate": { "kind": "revoked", "since": "2023-01-01", "reason": "dup" } }
        },
    }));
    let merged = kept.absorb(&duplicate);
    assert_eq!(
        (merged.first_name.as_str(), merged.last_name.as_str()),
        ("Grace", "Hopper")
    );
    assert_eq!(merged.email, kept.email, "its own email on file");
    assert_eq!(merged.testing_ids, ["VT1", "VT2"]);
    assert_eq!(
        merged.account_id, duplicate.account_id,
        "the account it lacked"
    );
    assert_eq!(
        merged.first_exam, duplicate.first_exam,
        "the earlier first exam"
    );
    assert_eq!(merged.settings.employee, Some(true), "its own answer");
    assert_eq!(merged.settings.partner, Some(true), "an answer it lacked");
    assert_eq!(merged.job_title.as_deref(), Some("Engineer"));
    assert_eq!(merged.academy_id.as_deref(), Some("AC-2"));
    assert_eq!(merged.credential_numbers["expert"], "EX-1");
    assert_eq!(merged.credential_numbers["architect"], "AR-2");
    assert_eq!(merged.oversight.grants.len(), 1, "the duplicate's grant");
    let hold = serde_json::to_value(&merged.oversight.holds).unwrap();
    assert_eq!(
        hold["security-associate"]["kind"], "suspended",
        "its own hold"
    );
    assert_eq!(merged.merged_into, None);
    assert_eq!(kept.absorb(&kept), kept, "absorbing itself changes nothing");
}

#[test]
fn the_duplicate_becomes_a_pointer_that_names_no_one() {
    let duplicate = profile(serde_json::json!({
        "candidate_id": "TSC2", "first_name": "Grace", "last_name": "Hopper",
        "email": "g@example.org", "testing_ids": ["VT2"], "first_exam": "2018-05-05",
        "account_id": "0123456789abcdef0123456789abcdef", "settings": { "employee": false },
    }));
    let survivor = CandidateId::parse("TSC1").unwrap();
    let pointer = duplicate.pointer_to(&survivor);
    assert_eq!(pointer.merged_into, Some(survivor));
    assert_eq!(pointer.candidate_id, duplicate.candidate_id);
    let text = serde_json::to_string(&pointer).unwrap();
    for gone in [
        "Grace",
        "Hopper",
        "g@example.org",
        "VT2",
        "0123456789abcdef",
        "employee\":false",
    ] {
        assert!(!text.contains(gone), "{gone} kept: {text}");
    }
    assert!(pointer.lookup_terms().is_empty());
}
