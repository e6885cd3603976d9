//! The password policy: every rule a candidate fails, reported at once so a UI can tick them off.
//!
//! The default is the seed product's policy (12–60 characters, four character classes, not the
//! username, none of the last 8, not common, 1 hour minimum age, no part of the email). Where it
//! departs from NIST SP 800-63B, SECURITY.md in the project says why.

use crate::common_passwords;
use serde::Serialize;
use tessera_kernel::email::Email;
use tessera_kernel::time::{Seconds, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_digit: bool,
    pub require_special: bool,
    pub forbid_username: bool,
    pub forbid_email_parts: bool,
    pub forbid_common: bool,
    /// How many previous passwords (the current one included) may not be reused; 0 turns it off.
    pub history: usize,
    /// Seconds that must pass after a voluntary change before the next one; 0 turns it off.
    pub min_age_seconds: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 12,
            max_length: 60,
            require_lowercase: true,
            require_uppercase: true,
            require_digit: true,
            require_special: true,
            forbid_username: true,
            forbid_email_parts: true,
            forbid_common: true,
            history: 8,
            min_age_seconds: 3600,
        }
    }
}

/// A rule a password failed; `code()` is the API's machine-readable name for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyFailure {
    TooShort,
    TooLong,
    NoLowercase,
    NoUppercase,
    NoDigit,
    NoSpecial,
    ContainsUsername,
    ContainsEmailPart,
    Common,
    RecentlyUsed,
    TooSoon,
}

impl PolicyFailure {
    pub fn code(self) -> &'static str {
        match self {
            PolicyFailure::TooShort => "min_length",
            PolicyFailure::TooLong => "max_length",
            PolicyFailure::NoLowercase => "lowercase",
            PolicyFailure::NoUppercase => "uppercase",
            PolicyFailure::NoDigit => "digit",
            PolicyFailure::NoSpecial => "special",
            PolicyFailure::ContainsUsername => "not_username",
            PolicyFailure::ContainsEmailPart => "no_email_parts",
            PolicyFailure::Common => "not_common",
            PolicyFailure::RecentlyUsed => "not_recent",
            PolicyFailure::TooSoon => "min_age",
        }
    }
}

/// One line of the UI checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleDescription {
    pub code: &'static str,
    pub description: String,
}

/// Why the password is being set: the minimum age applies to voluntary changes only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The first password, at sign-up.
    Initial,
    /// The owner changing it while logged in.
    Voluntary,
    /// Set through a verified reset: exempt from the minimum age.
    Reset,
}

/// What the policy knows of the account. History reuse is found by the caller (it costs an
/// argon2 verification per stored hash) and passed in as a fact.
#[derive(Clone, Debug, Default)]
pub struct PolicyContext<'a> {
    pub email: Option<&'a Email>,
    pub username: Option<&'a str>,
    pub reuses_recent_password: bool,
    /// The owner's last voluntary change, which the minimum age counts from.
    pub last_changed_at: Option<Timestamp>,
    pub now: Option<Timestamp>,
    pub change: Option<ChangeKind>,
}

/// Email parts shorter than this are ignored: "no part of the email" cannot mean "no letter a".
const MIN_EMAIL_PART_LEN: usize = 3;

impl PasswordPolicy {
    /// Every rule `password` fails, in the order of `describe()`.
    pub fn check(&self, password: &str, ctx: &PolicyContext<'_>) -> Vec<PolicyFailure> {
        let mut failed = Vec::new();
        let length = password.chars().count();
        if length < self.min_length {
            failed.push(PolicyFailure::TooShort);
        }
        if length > self.max_length {
            failed.push(PolicyFailure::TooLong);
        }
        if self.require_lowercase && !password.chars().any(char::is_lowercase) {
            failed.push(PolicyFailure::NoLowercase);
        }
        if self.require_uppercase && !password.chars().any(char::is_uppercase) {
            failed.push(PolicyFailure::NoUppercase);
        }
        if self.require_digit && !password.chars().any(char::is_numeric) {
            failed.push(PolicyFailure::NoDigit);
        }
        if self.require_special && !password.chars().any(|c| !c.is_alphanumeric()) {
            failed.push(PolicyFailure::NoSpecial);
        }
        let lower = password.to_lowercase();
        if self.forbid_username {
            if let Some(username) = ctx.username.filter(|u| !u.trim().is_empty()) {
                if lower.contains(&username.trim().to_lowercase()) {
                    failed.push(PolicyFailure::ContainsUsername);
                }
            }
        }
        if self.forbid_email_parts {
            if let Some(email) = ctx.email {
                if email_parts(email)
                    .iter()
                    .any(|part| lower.contains(part.as_str()))
                {
                    failed.push(PolicyFailure::ContainsEmailPart);
                }
            }
        }
        if self.forbid_common && common_passwords::is_common(password) {
            failed.push(PolicyFailure::Common);
        }
        if self.history > 0 && ctx.reuses_recent_password {
            failed.push(PolicyFailure::RecentlyUsed);
        }
        if let (Some(ChangeKind::Voluntary), Some(changed), Some(now)) =
            (ctx.change, ctx.last_changed_at, ctx.now)
        {
            if self.min_age_seconds > 0 && now - changed < Seconds(self.min_age_seconds) {
                failed.push(PolicyFailure::TooSoon);
            }
        }
        failed
    }

    /// The rules in force, for `GET /v1/password-policy`.
    pub fn describe(&self) -> Vec<RuleDescription> {
        let mut rules = vec![
            rule(
                PolicyFailure::TooShort,
                format!("At least {} characters", self.min_length),
            ),
            rule(
                PolicyFailure::TooLong,
                format!("At most {} characters", self.max_length),
            ),
        ];
        let optional = [
            (
                self.require_lowercase,
                PolicyFailure::NoLowercase,
                "A lowercase letter".to_string(),
            ),
            (
                self.require_uppercase,
                PolicyFailure::NoUppercase,
                "An uppercase letter".to_string(),
            ),
            (
                self.require_digit,
                PolicyFailure::NoDigit,
                "A number".to_string(),
            ),
            (
                self.require_special,
                PolicyFailure::NoSpecial,
                "A special character".to_string(),
            ),
            (
                self.forbid_username,
                PolicyFailure::ContainsUsername,
                "Not your username".to_string(),
            ),
            (
                self.forbid_email_parts,
                PolicyFailure::ContainsEmailPart,
                "No part of your email address".to_string(),
            ),
            (
                self.forbid_common,
                PolicyFailure::Common,
                "Not a common password".to_string(),
            ),
            (
                self.history > 0,
                PolicyFailure::RecentlyUsed,
                format!("None of your last {} passwords", self.history),
            ),
            (
                self.min_age_seconds > 0,
                PolicyFailure::TooSoon,
                format!(
                    "At least {} since you last changed your password",
                    human_duration(self.min_age_seconds)
                ),
            ),
        ];
        rules.extend(
            optional
                .into_iter()
                .filter(|(on, _, _)| *on)
                .map(|(_, f, d)| rule(f, d)),
        );
        rules
    }

    /// The message for a failed rule, as `describe()` words it.
    pub fn message(&self, failure: PolicyFailure) -> String {
        self.describe()
            .into_iter()
            .find(|r| r.code == failure.code())
            .map(|r| r.description)
            .unwrap_or_else(|| failure.code().to_string())
    }
}

fn rule(failure: PolicyFailure, description: String) -> RuleDescription {
    RuleDescription {
        code: failure.code(),
        description,
    }
}

fn human_duration(seconds: i64) -> String {
    match seconds {
        s if s % 3600 == 0 => format!("{} hour(s)", s / 3600),
        s if s % 60 == 0 => format!("{} minute(s)", s / 60),
        s => format!("{s} second(s)"),
    }
}

/// The local part whole and split at separators, and the domain's labels but the last (the TLD).
fn email_parts(email: &Email) -> Vec<String> {
    let local = email.local_part();
    let mut parts: Vec<String> = vec![local.to_string()];
    parts.extend(
        local
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_string),
    );
    let labels: Vec<&str> = email.domain().split('.').collect();
    parts.extend(
        labels[..labels.len().saturating_sub(1)]
            .iter()
            .map(|l| l.to_string()),
    );
    parts.retain(|p| p.chars().count() >= MIN_EMAIL_PART_LEN);
    parts.sort();
    parts.dedup();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "Tessellate-9-Quartz";

    fn codes(failed: &[PolicyFailure]) -> Vec<&'static str> {
        failed.iter().map(|f| f.code()).collect()
    }

    fn check(pw: &str) -> Vec<&'static str> {
        codes(&PasswordPolicy::default().check(pw, &PolicyContext::default()))
    }

    #[test]
    fn a_good_password_passes_every_rule() {
        assert!(check(GOOD).is_empty());
    }

    #[test]
    fn length_bounds_are_12_and_60_characters() {
        assert_eq!(check("Abcdefgh-1x"), vec!["min_length"]); // 11
        assert!(check("Abcdefgh-1xy").is_empty()); // 12
        let sixty = format!("Aa1-{}", "x".repeat(56));
        assert!(check(&sixty).is_empty());
        let sixty_one = format!("Aa1-{}", "x".repeat(57));
        assert_eq!(check(&sixty_one), vec!["max_length"]);
        // Length counts characters, not bytes.
        assert!(check("Ääääääääää-1").is_empty());
    }

    #[test]
    fn every_failed_rule_is_reported_at_once() {
        assert_eq!(
            check("qzx"),
            vec!["min_length", "uppercase", "digit", "special"]
        );
        assert_eq!(
            check(""),
            vec!["min_length", "lowercase", "uppercase", "digit", "special"]
        );
    }

    #[test]
    fn character_classes_are_each_required() {
        assert_eq!(check("TESSELLATE-9-QUARTZ"), vec!["lowercase"]);
        assert_eq!(check("tessellate-9-quartz"), vec!["uppercase"]);
        assert_eq!(check("Tessellate-X-Quartz"), vec!["digit"]);
        assert_eq!(check("Tessellate9Quartz"), vec!["special"]);
    }

    #[test]
    fn common_passwords_are_rejected_even_decorated() {
        assert_eq!(check("Password123!"), vec!["not_common"]);
        assert_eq!(check("Baseball!2024"), vec!["not_common"]);
    }

    #[test]
    fn email_parts_and_username_are_rejected() {
        let email = Email::parse("ada.lovelace@analytical.example").unwrap();
        let ctx = PolicyContext {
            email: Some(&email),
            username: Some("TS12345678"),
            ..Default::default()
        };
        let p = PasswordPolicy::default();
        assert_eq!(
            codes(&p.check("Lovelace-Rocks-9", &ctx)),
            vec!["no_email_parts"]
        );
        assert_eq!(
            codes(&p.check("My-Analytical-9x", &ctx)),
            vec!["no_email_parts"]
        );
        assert_eq!(
            codes(&p.check("Ada.Lovelace-2024", &ctx)),
            vec!["no_email_parts"]
        );
        assert_eq!(
            codes(&p.check("x-ts12345678-Y", &ctx)),
            vec!["not_username"]
        );
        // Two-letter fragments ("ada" is three, "ex" is not a part) do not count.
        assert!(p.check("Quartz-Exe-9-Blue", &ctx).is_empty());
    }

    #[test]
    fn history_and_minimum_age() {
        let p = PasswordPolicy::default();
        let reused = PolicyContext {
            reuses_recent_password: true,
            ..Default::default()
        };
        assert_eq!(codes(&p.check(GOOD, &reused)), vec!["not_recent"]);

        let changed = Timestamp(1_000_000);
        let soon = |kind, now| PolicyContext {
            last_changed_at: Some(changed),
            now: Some(now),
            change: Some(kind),
            ..Default::default()
        };
        let within = changed + Seconds(3599);
        let after = changed + Seconds(3600);
        assert_eq!(
            codes(&p.check(GOOD, &soon(ChangeKind::Voluntary, within))),
            vec!["min_age"]
        );
        assert!(p
            .check(GOOD, &soon(ChangeKind::Voluntary, after))
            .is_empty());
        assert!(p.check(GOOD, &soon(ChangeKind::Reset, within)).is_empty());
    }

    #[test]
    fn rules_are_configurable() {
        let relaxed = PasswordPolicy {
            min_length: 8,
            require_special: false,
            forbid_common: false,
            history: 0,
            min_age_seconds: 0,
            ..Default::default()
        };
        assert!(relaxed
            .check("Abcdefg1", &PolicyContext::default())
            .is_empty());
        let described: Vec<_> = relaxed.describe().into_iter().map(|r| r.code).collect();
        assert!(!described.contains(&"special") && !described.contains(&"not_recent"));
        assert!(described.contains(&"min_length"));
    }

    #[test]
    fn describe_lists_every_default_rule_with_its_numbers() {
        let rules = PasswordPolicy::default().describe();
        assert_eq!(rules.len(), 11);
        assert_eq!(rules[0].description, "At least 12 characters");
        assert!(rules
            .iter()
            .any(|r| r.description == "None of your last 8 passwords"));
        assert!(rules.iter().any(|r| r.description.contains("1 hour(s)")));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn failures(password: &str) -> Vec<PolicyFailure> {
        PasswordPolicy::default().check(password, &PolicyContext::default())
    }

    proptest! {
        /// Length is counted in characters, not bytes, and each bound is reported on its own.
        #[test]
        fn length_rules_follow_the_character_count(password in "\\PC{0,80}") {
            let length = password.chars().count();
            let found = failures(&password);
            prop_assert_eq!(found.contains(&PolicyFailure::TooShort), length < 12);
            prop_assert_eq!(found.contains(&PolicyFailure::TooLong), length > 60);
        }

        /// A password with all four classes, of an allowed length, and not built on a listed
        /// word, passes the default policy when nothing else is known about the account.
        #[test]
        fn strong_passwords_pass(
            lower in "[a-z]{3,12}", upper in "[A-Z]{3,12}", digits in "[0-9]{3,12}",
            special in "[!#%&*+=?@^_~-]{3,12}",
        ) {
            let password = format!("{upper}{special}{lower}{digits}");
            prop_assert_eq!(failures(&password), vec![]);
        }

        /// Failures come in the order `describe()` lists the rules, each at most once.
        #[test]
        fn failures_are_listed_once_in_rule_order(password in "\\PC{0,80}") {
            let found = failures(&password);
            let order: Vec<&str> = PasswordPolicy::default()
                .describe()
                .into_iter()
                .map(|rule| rule.code)
                .collect();
            let positions: Vec<usize> = found
                .iter()
                .map(|f| order.iter().position(|code| *code == f.code()).expect("a described rule"))
                .collect();
            prop_assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{:?}", found);
        }

        /// The account's own email address, in any case, is never accepted inside a password.
        #[test]
        fn the_email_local_part_is_refused_in_any_case(local in "[a-z]{3,12}", padding in "[A-Z][0-9]![a-z]{8}") {
            let email = Email::parse(&format!("{local}@example.org")).unwrap();
            let ctx = PolicyContext { email: Some(&email), ..PolicyContext::default() };
            let password = format!("{padding}{}", local.to_uppercase());
            prop_assert!(PasswordPolicy::default()
                .check(&password, &ctx)
                .contains(&PolicyFailure::ContainsEmailPart));
        }
    }
}
