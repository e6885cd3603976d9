//! Shipping details: the address the fulfillment house prints, in the Latin alphabet only, plus an
//! optional localized address in any script (double-byte characters allowed) for the parcel.

use serde::{Deserialize, Serialize};

use tessera_kernel::person::Country;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is required")]
    Required,
    #[error("may be at most {0} characters")]
    TooLong(usize),
    #[error("must use the Latin alphabet (letters, digits, spaces and . , ' - # / & ( ))")]
    NotLatin,
    #[error("may not contain control characters or markup")]
    Invalid,
}

/// A letter of the Latin script: ASCII, Latin-1 Supplement, Latin Extended-A/B and Additional
/// (accented letters such as é, ø, ł, ş are Latin; ×, ÷ are not letters).
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c as u32,
            0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x024F | 0x1E00..=0x1EFF)
}

fn is_address_punctuation(c: char) -> bool {
    matches!(
        c,
        ' ' | '.' | ',' | '\'' | '-' | '#' | '/' | '&' | '(' | ')'
    )
}

fn trimmed(raw: &str, max: usize) -> Result<String, TextError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(TextError::Required);
    }
    if value.chars().count() > max {
        return Err(TextError::TooLong(max));
    }
    Ok(value.to_string())
}

/// Text for the printed label: Latin letters, digits and address punctuation.
pub fn latin(raw: &str, max: usize) -> Result<String, TextError> {
    let value = trimmed(raw, max)?;
    if value
        .chars()
        .all(|c| is_latin_letter(c) || c.is_ascii_digit() || is_address_punctuation(c))
    {
        Ok(value)
    } else {
        Err(TextError::NotLatin)
    }
}

/// Localized text: any script, but no control characters and nothing that reads as markup.
pub fn localized(raw: &str, max: usize) -> Result<String, TextError> {
    let value = trimmed(raw, max)?;
    if value.chars().any(|c| {
        c.is_control() || matches!(c, '<' | '>' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}')
    }) {
        Err(TextError::Invalid)
    } else {
        Ok(value)
    }
}

/// The address on the label (every field Latin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipping {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_cont: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub country: Country,
}

/// The same address in the recipient's own script, for the parcel (optional).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedShipping {
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_cont: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_allows_accented_letters_and_address_punctuation() {
        assert_eq!(
            latin("  Zoë Ødegård-Łukasz ", 50),
            Ok("Zoë Ødegård-Łukasz".into())
        );
        assert_eq!(
            latin("12/B Rue de l'Église, #4 (rear)", 100).map(|_| ()),
            Ok(())
        );
        assert_eq!(latin("Nguyễn", 50).map(|_| ()), Ok(()));
    }

    #[test]
    fn latin_text_refuses_other_scripts_symbols_and_markup() {
        for raw in [
            "山田", "Иван", "Ada <b>", "Ada\u{0}", "a × b", "Ada;DROP", "=1+1",
        ] {
            assert_eq!(latin(raw, 50), Err(TextError::NotLatin), "{raw:?}");
        }
        assert_eq!(latin("   ", 50), Err(TextError::Required));
        assert_eq!(latin(&"a".repeat(51), 50), Err(TextError::TooLong(50)));
    }

    #[test]
    fn localized_text_allows_double_byte_characters_but_not_controls() {
        assert_eq!(
            localized("東京都千代田区１－１", 50),
            Ok("東京都千代田区１－１".into())
        );
        assert_eq!(localized("Иван Петров", 50).map(|_| ()), Ok(()));
        for raw in ["a\nb", "<script>", "a\u{202E}b"] {
            assert_eq!(localized(raw, 50), Err(TextError::Invalid), "{raw:?}");
        }
        assert_eq!(localized(&"東".repeat(51), 50), Err(TextError::TooLong(50)));
    }
}
