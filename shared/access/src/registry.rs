//! The registry of service contracts and partner agreements that operators import: a number a
//! person gives is checked against it (known, and not expired), never taken on trust.

use serde::{Deserialize, Serialize};
use tessera_kernel::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    /// Makes its holder a customer.
    ServiceContract,
    /// Makes its holder a partner.
    PartnerAgreement,
}

impl AgreementKind {
    pub fn parse(raw: &str) -> Option<AgreementKind> {
        match raw.trim() {
            "service_contract" => Some(AgreementKind::ServiceContract),
            "partner_agreement" => Some(AgreementKind::PartnerAgreement),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgreementKind::ServiceContract => "service_contract",
            AgreementKind::PartnerAgreement => "partner_agreement",
        }
    }
}

/// A contract or agreement number as the registry keys it: letters (upper case), digits and
/// hyphens, 4 to 40 of them; spaces around it and the case it was typed in do not matter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgreementNumber(String);

impl AgreementNumber {
    pub fn parse(raw: &str) -> Option<AgreementNumber> {
        let number = raw.trim().to_ascii_uppercase();
        let shaped = (4..=40).contains(&number.len())
            && number
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        shaped.then_some(AgreementNumber(number))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One contract or agreement in the registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryEntry {
    pub kind: AgreementKind,
    pub number: AgreementNumber,
    /// Whose it is (shown to the person who gives the number, and to staff).
    pub organisation: String,
    /// The end of the contract or agreement; none: open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

impl RegistryEntry {
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.expires_at.is_none_or(|end| now < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_the_registry_keys_them() {
        assert_eq!(
            AgreementNumber::parse(" sc-2026-0042 ").unwrap().as_str(),
            "SC-2026-0042"
        );
        for bad in ["abc", "SC 2026", "SC_1", &"A".repeat(41), "ŞC-2026"] {
            assert_eq!(AgreementNumber::parse(bad), None, "{bad}");
        }
        assert_eq!(
            AgreementKind::parse("partner_agreement"),
            Some(AgreementKind::PartnerAgreement)
        );
        assert_eq!(AgreementKind::parse("customer"), None);
    }

    #[test]
    fn an_entry_is_in_force_until_its_end() {
        let entry = RegistryEntry {
            kind: AgreementKind::ServiceContract,
            number: AgreementNumber::parse("SC-1").unwrap(),
            organisation: "Example Corp".into(),
            expires_at: Some(Timestamp(100)),
        };
        assert!(entry.in_force(Timestamp(99)));
        assert!(!entry.in_force(Timestamp(100)));
        assert!(RegistryEntry {
            expires_at: None,
            ..entry
        }
        .in_force(Timestamp(i64::MAX)));
    }
}
