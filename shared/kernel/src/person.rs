//! What a person is called and where they live, as every context records it.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// A person's first or last name: NFC, trimmed, 1–100 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Name(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("is empty")]
    Empty,
    #[error("is longer than 100 characters")]
    TooLong,
    #[error("contains control characters")]
    ControlCharacters,
}

impl Name {
    pub const MAX_LEN: usize = 100;
    pub fn parse(raw: &str) -> Result<Name, NameError> {
        let name: String = raw.trim().nfc().collect();
        if name.is_empty() {
            Err(NameError::Empty)
        } else if name.chars().count() > Self::MAX_LEN {
            Err(NameError::TooLong)
        } else if name.chars().any(char::is_control) {
            Err(NameError::ControlCharacters)
        } else {
            Ok(Name(name))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code that is officially assigned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Country(String);

const ASSIGNED_COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

impl Country {
    /// Every assigned code, upper case (the OpenAPI document's pattern is checked against it).
    pub fn assigned() -> impl Iterator<Item = &'static str> {
        ASSIGNED_COUNTRIES.split(' ')
    }

    pub fn parse(raw: &str) -> Option<Country> {
        let code = raw.trim().to_ascii_uppercase();
        (code.len() == 2 && ASSIGNED_COUNTRIES.split(' ').any(|c| c == code))
            .then_some(Country(code))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_assigned_iso_codes() {
        assert_eq!(Country::parse("de").unwrap().as_str(), "DE");
        assert!(Country::parse("XX").is_none());
        assert!(Country::parse("DEU").is_none());
        assert!(Country::parse("").is_none());
        assert_eq!(ASSIGNED_COUNTRIES.split(' ').count(), 249);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Ada ").unwrap().as_str(), "Ada");
        assert_eq!(Name::parse(" "), Err(NameError::Empty));
        assert_eq!(Name::parse(&"x".repeat(101)), Err(NameError::TooLong));
        assert_eq!(Name::parse("A\u{0}b"), Err(NameError::ControlCharacters));
        assert!(
            Name::parse("<script>").is_ok(),
            "names are data; escaping is the renderer's job"
        );
    }
}
