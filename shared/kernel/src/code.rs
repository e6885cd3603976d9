//! One-time codes: six digits from a CSPRNG, stored only as an HMAC bound to purpose and
//! account, with an expiry, an attempt counter and the per-account guess budget.

use crate::ports::Random;
use crate::time::{Seconds, Timestamp};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

pub const CODE_DIGITS: usize = 6;

/// Six digits as typed by a person. `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 6 digits")]
pub struct CodeFormatError;

impl OneTimeCode {
    pub fn parse(raw: &str) -> Result<OneTimeCode, CodeFormatError> {
        let code = raw.trim();
        if code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(OneTimeCode(code.to_string()))
        } else {
            Err(CodeFormatError)
        }
    }

    /// A fresh code, uniform over 000000–999999. Every code made is sent (or kept for a retry):
    /// counted here, in one place, as a code sent.
    pub fn generate(random: &dyn Random) -> OneTimeCode {
        crate::metrics::count(crate::metrics::Metric::CodesSent);
        OneTimeCode(random_digits(random, CODE_DIGITS))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

/// `n` decimal digits, each uniform (rejection sampling, no modulo bias).
pub fn random_digits(random: &dyn Random, n: usize) -> String {
    let mut out = String::with_capacity(n);
    let mut byte = [0u8; 1];
    while out.len() < n {
        random.fill(&mut byte);
        if byte[0] < 250 {
            out.push(char::from(b'0' + byte[0] % 10));
        }
    }
    out
}

/// What a code is for. Part of the HMAC input, so a code for one purpose never passes for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    Activation,
    PasswordReset,
    PhoneVerification,
    CandidateMapping,
    /// Proving the new address a score report gave for a candidate record.
    RecordEmail,
    RecoveryCode,
    Certificate,
    /// The proof a login challenge carries (`challenge.rs`).
    LoginChallenge,
    /// Proving a new sign-in address support set for its owner.
    EmailChange,
}

impl CodePurpose {
    fn label(self) -> &'static str {
        match self {
            CodePurpose::Activation => "activation",
            CodePurpose::PasswordReset => "password_reset",
            CodePurpose::PhoneVerification => "phone_verification",
            CodePurpose::CandidateMapping => "candidate_mapping",
            CodePurpose::RecordEmail => "record_email",
            CodePurpose::Certificate => "certificate",
            CodePurpose::RecoveryCode => "recovery_code",
            CodePurpose::LoginChallenge => "login_challenge",
            CodePurpose::EmailChange => "email_change",
        }
    }
}

/// The server-side key the code HMACs are made with; a leaked table alone does not give codes.
#[derive(Clone)]
pub struct CodePepper(Vec<u8>);

impl CodePepper {
    pub fn new(secret: impl Into<Vec<u8>>) -> CodePepper {
        CodePepper(secret.into())
    }

    /// HMAC-SHA256(pepper, purpose | subject | code), hex. `subject` binds it to one account.
    pub fn digest(&self, purpose: CodePurpose, subject: &str, code: &OneTimeCode) -> String {
        self.digest_secret(purpose, subject, code.expose())
    }

    /// The same HMAC over any short secret (recovery codes).
    pub fn digest_secret(&self, purpose: CodePurpose, subject: &str, secret: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        for part in [purpose.label(), subject, secret] {
            mac.update(&(part.len() as u32).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for CodePepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodePepper(<redacted>)")
    }
}

/// An outstanding code as stored: never the code itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    pub purpose: CodePurpose,
    pub digest: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub failed_attempts: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Valid,
    Wrong,
    Expired,
    /// Too many wrong tries on this code: it is dead even if the next guess is right.
    Exhausted,
}

impl CodeRecord {
    pub fn issue(
        pepper: &CodePepper,
        purpose: CodePurpose,
        subject: &str,
        code: &OneTimeCode,
        now: Timestamp,
        ttl: Seconds,
    ) -> CodeRecord {
        CodeRecord {
            purpose,
            digest: pepper.digest(purpose, subject, code),
            issued_at: now,
            expires_at: now + ttl,
            failed_attempts: 0,
        }
    }

    /// Checks a guess. Expiry is checked here on every read: storage TTLs delete late.
    pub fn check(
        &self,
        pepper: &CodePepper,
        purpose: CodePurpose,
        subject: &str,
        guess: &OneTimeCode,
        now: Timestamp,
        max_attempts: u32,
    ) -> CodeCheck {
        let expected = pepper.digest(purpose, subject, guess);
        let matches: bool = expected.as_bytes().ct_eq(self.digest.as_bytes()).into();
        if self.failed_attempts >= max_attempts {
            CodeCheck::Exhausted
        } else if now >= self.expires_at {
            CodeCheck::Expired
        } else if purpose != self.purpose || !matches {
            CodeCheck::Wrong
        } else {
            CodeCheck::Valid
        }
    }
}

/// When codes of one kind were sent, to hold resends 60 s apart and to a daily count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendLog {
    pub last_sent_at: Timestamp,
    pub window_start: Timestamp,
    pub sent_in_window: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SendLimits {
    pub min_interval: Seconds,
    pub max_per_window: u32,
    pub window: Seconds,
}

impl Default for SendLimits {
    /// 60 s apart; 5 resends a day, so 6 sends with the first.
    fn default() -> Self {
        SendLimits {
            min_interval: Seconds(60),
            max_per_window: 6,
            window: Seconds::hours(24),
        }
    }
}

impl SendLog {
    pub fn first(now: Timestamp) -> SendLog {
        SendLog {
            last_sent_at: now,
            window_start: now,
            sent_in_window: 1,
        }
    }

    pub fn may_send(&self, now: Timestamp, limits: &SendLimits) -> bool {
        let spaced = now - self.last_sent_at >= limits.min_interval;
        let window_open = now >= self.window_start + limits.window;
        spaced && (window_open || self.sent_in_window < limits.max_per_window)
    }

    pub fn record(&mut self, now: Timestamp, limits: &SendLimits) {
        if now >= self.window_start + limits.window {
            self.window_start = now;
            self.sent_in_window = 0;
        }
        self.sent_in_window += 1;
        self.last_sent_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ports::CountingRandom;

    fn pepper() -> CodePepper {
        CodePepper::new(b"test-pepper".to_vec())
    }

    fn code(s: &str) -> OneTimeCode {
        OneTimeCode::parse(s).unwrap()
    }

    #[test]
    fn parses_exactly_six_digits() {
        assert!(OneTimeCode::parse(" 012345 ").is_ok());
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６"] {
            assert!(OneTimeCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(format!("{:?}", code("123456")), "OneTimeCode(<redacted>)");
    }

    #[test]
    fn random_digits_reject_biased_bytes() {
        // Bytes 250..=255 would bias toward 0–5: they are skipped.
        let r = CountingRandom::from(248);
        assert_eq!(random_digits(&r, 4), "8901");
    }

    #[test]
    fn digest_binds_purpose_subject_and_code() {
        let p = pepper();
        let d = p.digest(CodePurpose::Activation, "acct-1", &code("123456"));
        assert_ne!(
            d,
            p.digest(CodePurpose::PasswordReset, "acct-1", &code("123456"))
        );
        assert_ne!(
            d,
            p.digest(CodePurpose::Activation, "acct-2", &code("123456"))
        );
        assert_ne!(
            d,
            CodePepper::new(b"other".to_vec()).digest(
                CodePurpose::Activation,
                "acct-1",
                &code("123456")
            )
        );
        assert!(!d.contains("123456"));
    }

    #[test]
    fn expiry_is_exclusive_at_the_deadline() {
        let p = pepper();
        let issued = Timestamp(1000);
        let rec = CodeRecord::issue(
            &p,
            CodePurpose::PasswordReset,
            "a",
            &code("111111"),
            issued,
            Seconds::minutes(10),
        );
        let check = |now: i64| {
            rec.check(
                &p,
                CodePurpose::PasswordReset,
                "a",
                &code("111111"),
                Timestamp(now),
                5,
            )
        };
        assert_eq!(check(1000 + 599), CodeCheck::Valid); // 9:59
        assert_eq!(check(1000 + 600), CodeCheck::Expired); // 10:00
        assert_eq!(check(1000 + 601), CodeCheck::Expired); // 10:01
    }

    #[test]
    fn wrong_purpose_subject_or_digits_fail_and_exhausted_codes_stay_dead() {
        let p = pepper();
        let mut rec = CodeRecord::issue(
            &p,
            CodePurpose::Activation,
            "a",
            &code("222222"),
            Timestamp(0),
            Seconds(60),
        );
        let now = Timestamp(1);
        assert_eq!(
            rec.check(&p, CodePurpose::PasswordReset, "a", &code("222222"), now, 5),
            CodeCheck::Wrong
        );
        assert_eq!(
            rec.check(&p, CodePurpose::Activation, "b", &code("222222"), now, 5),
            CodeCheck::Wrong
        );
        assert_eq!(
            rec.check(&p, CodePurpose::Activation, "a", &code("222223"), now, 5),
            CodeCheck::Wrong
        );
        rec.failed_attempts = 5;
        assert_eq!(
            rec.check(&p, CodePurpose::Activation, "a", &code("222222"), now, 5),
            CodeCheck::Exhausted
        );
    }

    #[test]
    fn sends_are_spaced_and_capped_per_day() {
        let limits = SendLimits::default();
        let t0 = Timestamp(50_000);
        let mut log = SendLog::first(t0);
        assert!(!log.may_send(t0 + Seconds(59), &limits));
        let mut t = t0;
        for _ in 0..5 {
            t = t + Seconds(60);
            assert!(log.may_send(t, &limits));
            log.record(t, &limits);
        }
        t = t + Seconds(600);
        assert!(
            !log.may_send(t, &limits),
            "a sixth resend in the day is refused"
        );
        let next_day = t0 + Seconds::hours(24);
        assert!(log.may_send(next_day, &limits));
        log.record(next_day, &limits);
        assert_eq!(log.sent_in_window, 1);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const MAX_ATTEMPTS: u32 = 5;

    fn code() -> OneTimeCode {
        OneTimeCode::parse("123456").unwrap()
    }

    fn issued(at: i64, ttl: i64) -> (CodePepper, CodeRecord) {
        let pepper = CodePepper::new(b"property-pepper-0123".to_vec());
        let record = CodeRecord::issue(
            &pepper,
            CodePurpose::PasswordReset,
            "account",
            &code(),
            Timestamp(at),
            Seconds(ttl),
        );
        (pepper, record)
    }

    proptest! {
        /// The right code is valid through the last second of its life and expired from then on,
        /// wherever the clock stands.
        #[test]
        fn a_code_expires_exactly_at_issue_plus_ttl(
            at in 0i64..4_000_000_000,
            ttl in 1i64..200_000,
            elapsed in 0i64..400_000,
        ) {
            let (pepper, record) = issued(at, ttl);
            let check_after = |seconds: i64| record.check(
                &pepper, CodePurpose::PasswordReset, "account", &code(),
                Timestamp(at + seconds), MAX_ATTEMPTS,
            );
            let expected = if elapsed < ttl { CodeCheck::Valid } else { CodeCheck::Expired };
            prop_assert_eq!(check_after(elapsed), expected);
            prop_assert_eq!(check_after(ttl - 1), CodeCheck::Valid);
            prop_assert_eq!(check_after(ttl), CodeCheck::Expired);
        }

        /// Once a code has had its wrong tries, no guess and no time makes it valid again.
        #[test]
        fn an_exhausted_code_stays_dead(
            at in 0i64..4_000_000_000,
            ttl in 1i64..200_000,
            elapsed in 0i64..400_000,
            extra_failures in 0u32..10,
        ) {
            let (pepper, mut record) = issued(at, ttl);
            record.failed_attempts = MAX_ATTEMPTS + extra_failures;
            let outcome = record.check(
                &pepper, CodePurpose::PasswordReset, "account", &code(),
                Timestamp(at + elapsed), MAX_ATTEMPTS,
            );
            prop_assert_eq!(outcome, CodeCheck::Exhausted);
        }
    }
}
