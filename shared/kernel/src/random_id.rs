//! Identifiers made of 128 random bits, written as 32 lower-case hex digits: unguessable, so an
//! id that is the only key to what it names (a transcript link, an order) cannot be enumerated.

use crate::ports::Random;

pub const LENGTH: usize = 32;

pub fn generate(random: &dyn Random) -> String {
    let mut bits = [0u8; 16];
    random.fill(&mut bits);
    hex::encode(bits)
}

/// Whether `raw` has the form `generate` writes.
pub fn is_well_formed(raw: &str) -> bool {
    raw.len() == LENGTH
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lower_case_hex_of_the_full_length_is_well_formed() {
        assert!(is_well_formed("0123456789abcdef0123456789abcdef"));
        assert!(!is_well_formed("0123456789ABCDEF0123456789abcdef"));
        assert!(!is_well_formed("0123"));
        assert!(!is_well_formed("../etc/passwd/0123456789abcdef0"));
    }
}
