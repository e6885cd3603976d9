//! CSV import rows: never panics on any file; every row reported (imported or refused) is a row of the file.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera_certification::import::{parse_ce_credits, parse_exam_results};

fuzz_target!(|text: &str| {
    let lines = text.lines().count() + 1;
    if let Ok(parsed) = parse_exam_results(text) {
        assert!(parsed.errors.iter().all(|e| e.row <= lines));
        assert!(parsed.rows.iter().all(|(row, _)| *row <= lines));
    }
    if let Ok(parsed) = parse_ce_credits(text) {
        assert!(parsed.errors.iter().all(|e| e.row <= lines));
        assert!(parsed.rows.iter().all(|(row, _)| *row <= lines));
    }
});
