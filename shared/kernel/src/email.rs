//! The canonical email identity: trimmed, Unicode NFC, lowercased, then checked for shape.
//! Every lookup and every uniqueness marker uses this form; mail goes to the stored address.

use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

pub const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is empty")]
    Empty,
    #[error("is longer than 254 characters")]
    TooLong,
    #[error("is not an email address")]
    Invalid,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let canonical: String = raw.trim().nfc().collect::<String>().to_lowercase();
        if canonical.is_empty() {
            return Err(EmailError::Empty);
        }
        if canonical.chars().count() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = canonical.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let local_ok = !local.is_empty()
            && local.chars().count() <= MAX_LOCAL_LEN
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(is_local_char);
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.chars().count() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Email(canonical))
        } else {
            Err(EmailError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map(|(l, _)| l).unwrap_or("")
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

/// Printable characters other than separators and quoting: quoted local parts and comments are
/// legal in RFC 5322 but no real sign-up needs them, and they are a classic source of confusion.
fn is_local_char(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && !matches!(
            c,
            '@' | '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | ']' | '\\'
        )
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_is_trimmed_nfc_lowercase() {
        let a = Email::parse("  Ada@Example.COM ").unwrap();
        assert_eq!(a.as_str(), "ada@example.com");
        // "é" composed vs "e" + combining acute: one identity.
        let composed = Email::parse("jos\u{e9}@example.com").unwrap();
        let decomposed = Email::parse("jose\u{301}@example.com").unwrap();
        assert_eq!(composed, decomposed);
    }

    #[test]
    fn canonicalization_is_idempotent() {
        for raw in [
            "Ada@Example.COM",
            "  x.y+tag@Sub.Example.org",
            "JOSE\u{301}@EXAMPLE.COM",
        ] {
            let once = Email::parse(raw).unwrap();
            assert_eq!(Email::parse(once.as_str()).unwrap(), once);
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "   ",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
            "a@@example.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-x.com",
            "a@x..com",
            "a\"b@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(Email::parse(&long), Err(EmailError::Invalid));
        let too_long = format!("a@{}.com", "b".repeat(260));
        assert_eq!(Email::parse(&too_long), Err(EmailError::TooLong));
    }

    #[test]
    fn splits_local_part_and_domain() {
        let e = Email::parse("ada.lovelace@example.com").unwrap();
        assert_eq!(e.local_part(), "ada.lovelace");
        assert_eq!(e.domain(), "example.com");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Addresses with the shapes people type: mixed case, padding, accents (composed or not).
    fn typed_address() -> impl Strategy<Value = String> {
        let part = "[a-zA-Z0-9._%+-]{1,20}|[a-zA-ZéÉüÜ]{1,8}|e\u{301}[a-z]{0,5}";
        (
            part,
            "[a-zA-Z0-9-]{1,15}",
            "[a-zA-Z]{2,6}",
            "[ \t]{0,2}",
            "[ \t]{0,2}",
        )
            .prop_map(|(local, host, tld, before, after)| {
                format!("{before}{local}@{host}.{tld}{after}")
            })
    }

    proptest! {
        #[test]
        fn canonicalization_is_idempotent(raw in typed_address()) {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            }
        }

        #[test]
        fn case_and_padding_make_no_second_identity(raw in typed_address()) {
            let variants = [raw.to_uppercase(), raw.to_lowercase(), format!("  {raw} ")];
            for variant in variants {
                prop_assert_eq!(Email::parse(&variant), Email::parse(&raw));
            }
        }

        #[test]
        fn composed_and_decomposed_accents_are_one_identity(raw in typed_address()) {
            let decomposed: String = raw.nfd().collect();
            prop_assert_eq!(Email::parse(&decomposed), Email::parse(&raw));
        }

        #[test]
        fn any_input_is_answered_without_panicking(raw in "\\PC{0,300}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert!(email.as_str().chars().count() <= MAX_EMAIL_LEN);
                prop_assert_eq!(email.as_str().trim(), email.as_str());
            }
        }
    }
}
