//! Phone parsing: never panics; an accepted number is E.164 (`+` and at most 15 digits), parses
//! back to itself, and its masked form hides the middle digits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera_identity::phone::{mask, PhoneNumber};

fuzz_target!(|raw: &str| {
    if let Ok(number) = PhoneNumber::parse(raw) {
        let e164 = number.e164();
        assert!(e164.starts_with('+'));
        assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()));
        assert!(e164.len() <= 16);
        assert_eq!(
            PhoneNumber::parse(e164).map(|n| n.e164().to_string()),
            Ok(e164.to_string())
        );
        assert_ne!(mask(e164), e164);
    }
});
