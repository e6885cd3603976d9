//! Email canonicalization: never panics; what it accepts is canonical (parsing it again gives
//! it back) and within the length limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera_kernel::email::MAX_EMAIL_LEN;
use tessera_kernel::email::Email;

fuzz_target!(|raw: &str| {
    if let Ok(email) = Email::parse(raw) {
        assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        assert!(email.as_str().chars().count() <= MAX_EMAIL_LEN);
        assert_eq!(email.as_str().trim(), email.as_str());
    }
});
