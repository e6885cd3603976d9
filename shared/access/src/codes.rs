//! Special access codes: staff issue one for one named resource, with an expiry; one person
//! redeems it. 128 random bits written as eight groups of four hex digits (typed in any case,
//! with or without the hyphens), stored only as the SHA-256 of their digits (that many random
//! bits need no salt or slow hash; guesses are counted per account as every secret's are).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::Random;
use tessera_kernel::time::Timestamp;

/// A code as the person holds it. `Debug` never shows it.
pub struct AccessCode(String);

impl AccessCode {
    pub fn generate(random: &dyn Random) -> AccessCode {
        let mut bytes = [0u8; 16];
        random.fill(&mut bytes);
        AccessCode(hex::encode(bytes))
    }

    /// A code as typed: 32 hex digits once spaces and hyphens are left out.
    pub fn parse(raw: &str) -> Option<AccessCode> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        (digits.len() == 32 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .then_some(AccessCode(digits))
    }

    /// As it is printed and emailed: `1a2b-3c4d-…`.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCode(<redacted>)")
    }
}

/// A resource's name: what special access is to (a course, a beta, a document set): 1 to 80
/// letters, digits, hyphens, dots or underscores.
pub fn is_resource_name(raw: &str) -> bool {
    (1..=80).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
}

/// What a code grants, stored under its digest until it expires. Once redeemed it names the
/// account that redeemed it: that account asking again (a retry whose answer was lost) gets its
/// access, any other is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCode {
    pub digest: String,
    pub resource: String,
    pub expires_at: Timestamp,
    pub issued_by: AccountId,
    pub issued_at: Timestamp,
    /// Absent (not null) until redeemed: the store's write is conditioned on its absence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemed_by: Option<AccountId>,
}

impl IssuedCode {
    /// Whether `account` may redeem it at `now`: not expired, and not redeemed by another.
    pub fn usable_by(&self, account: &AccountId, now: Timestamp) -> bool {
        now < self.expires_at && self.redeemed_by.as_ref().is_none_or(|by| by == account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ports::CountingRandom;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = AccessCode::generate(&CountingRandom::from(0xa0));
        let shown = code.display();
        assert_eq!(shown.len(), 39);
        assert_eq!(shown.matches('-').count(), 7);
        for typed in [
            shown.clone(),
            shown.to_uppercase(),
            shown.replace('-', " "),
            shown.replace('-', ""),
        ] {
            assert_eq!(
                AccessCode::parse(&typed).unwrap().digest(),
                code.digest(),
                "{typed}"
            );
        }
        assert!(AccessCode::parse("1234").is_none());
        assert!(AccessCode::parse(&"g".repeat(32)).is_none());
        assert_ne!(code.digest(), shown);
        assert_eq!(format!("{code:?}"), "AccessCode(<redacted>)");
        assert!(is_resource_name("course.networking-201"));
        assert!(!is_resource_name("a b") && !is_resource_name(""));
    }
}
