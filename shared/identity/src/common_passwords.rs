//! The common-password list, compiled in: 19,640 passwords that appear most often in public
//! breach corpora (the list the Django project ships, BSD-3-Clause; see data/README.md).

use std::collections::HashSet;
use std::sync::LazyLock;

static LIST: &str = include_str!("../data/common-passwords.txt");

static SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    LIST.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

pub fn len() -> usize {
    SET.len()
}

/// True when the password, or its letters with digits and symbols stripped from either end
/// (`Password123!` → `password`), is on the list. Compared case-insensitively.
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    if SET.contains(lower.as_str()) {
        return true;
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    !core.is_empty() && core.len() < lower.len() && SET.contains(core)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_real_and_large() {
        assert!(len() >= 10_000, "only {} entries", len());
    }

    #[test]
    fn finds_common_passwords_and_decorated_ones() {
        assert!(is_common("password"));
        assert!(is_common("Password123!"));
        assert!(is_common("!!Sunshine2024"));
        assert!(is_common("QWERTY"));
        assert!(!is_common("Tessellated-Gorilla-Parade-19"));
    }
}
