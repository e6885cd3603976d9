//! The registry of service contracts and partner agreements that operators import: a number a
//! person gives is checked against it (known, and not expired), never taken on trust.

use serde::{Deserialize, Serialize};
use tessera_kernel::csv_table::{parse, ImportError, Parsed};
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

/// The registry file's columns: `kind` (`service_contract` or `partner_agreement`), `number`,
/// `organisation`, and `expires_on` (the last day in force, YYYY-MM-DD; empty: open-ended).
pub const REGISTRY_COLUMNS: &[&str] = &["kind", "number", "organisation", "expires_on"];

/// The entries of a registry file; bad rows are reported by row number, the others import.
pub fn parse_registry(text: &str) -> Result<Parsed<RegistryEntry>, ImportError> {
    parse(text, REGISTRY_COLUMNS, |cells| {
        let kind = AgreementKind::parse(cells.required("kind")?).ok_or_else(|| {
            cells.fail(
                "kind",
                "invalid",
                "must be service_contract or partner_agreement",
            )
        })?;
        let number = AgreementNumber::parse(cells.required("number")?).ok_or_else(|| {
            cells.fail(
                "number",
                "invalid",
                "must be 4 to 40 letters, digits or hyphens",
            )
        })?;
        let organisation = cells.name("organisation")?;
        let expires_at = cells
            .optional_date("expires_on")?
            .map(|last| Timestamp::day_start(last.next_day().unwrap_or(last)));
        Ok(RegistryEntry {
            kind,
            number,
            organisation,
            expires_at,
        })
    })
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
    fn a_registry_file_reads_into_entries_in_force_through_their_last_day() {
        let parsed = parse_registry(
            "number,kind,organisation,expires_on\n\
             sc-2026-0042,service_contract,Example Corp,2027-03-31\n\
             PA-7,partner_agreement,=HYPERLINK(\"x\"),\n\
             PA-8,reseller,Other,\n\
             PO 1234,service_contract,Other,\n\
             SC-9,service_contract,Other,31/03/2027\n",
        )
        .unwrap();
        assert_eq!(parsed.rows.len(), 2);
        let (row, contract) = &parsed.rows[0];
        assert_eq!((*row, contract.number.as_str()), (2, "SC-2026-0042"));
        let end = Timestamp::parse("2027-04-01").unwrap();
        assert!(contract.in_force(Timestamp(end.0 - 1)) && !contract.in_force(end));
        assert_eq!(
            parsed.rows[1].1.organisation, "=HYPERLINK(\"x\")",
            "a name is kept as text, never evaluated"
        );
        assert_eq!(parsed.rows[1].1.expires_at, None);
        let refused: Vec<(usize, &str)> = parsed.errors.iter().map(|e| (e.row, e.code)).collect();
        assert_eq!(
            refused,
            [(4, "invalid"), (5, "invalid"), (6, "invalid_date")]
        );
        assert_eq!(
            parse_registry("number,kind\nSC-1,service_contract\n"),
            Err(ImportError::MissingColumns(vec![
                "organisation",
                "expires_on"
            ]))
        );
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
