//! One-time codes an identity holds (activation, password reset, phone verification): the one
//! way a flow checks one. A code is checked only while the account's guess budget has room; a
//! wrong guess is counted on the code (five kill it) and in the budget, and the flow answers
//! only once its version-checked write of the identity has recorded that (`attempts::WrongCodes`
//! says why that makes parallel guesses count one by one).

use crate::account::Identity;
use crate::signup::IdentitySettings;
use tessera_kernel::code::{CodeCheck, CodePurpose, CodeRecord, OneTimeCode};
use tessera_kernel::time::Timestamp;

/// What checking a held code decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeldCodeCheck {
    /// Right: the flow uses it up in its own write.
    Valid,
    /// Wrong, and now counted on the identity: write it (version-checked) before answering.
    Wrong,
    /// Nothing to check or to record: no such code, expired, used up, or the budget is spent.
    Refused,
}

/// Checks `guess` against the code `held` picks out of `identity`, bound to the account.
pub fn check_held_code(
    identity: &mut Identity,
    held: impl Fn(&mut Identity) -> Option<&mut CodeRecord>,
    settings: &IdentitySettings,
    purpose: CodePurpose,
    guess: &OneTimeCode,
    now: Timestamp,
) -> HeldCodeCheck {
    let budget = settings.code_budget();
    if !identity.wrong_codes.have_room(budget, now) {
        return HeldCodeCheck::Refused;
    }
    let subject = identity.account_id.as_str().to_string();
    let Some(record) = held(identity) else {
        return HeldCodeCheck::Refused;
    };
    let check = record.check(
        &settings.pepper,
        purpose,
        &subject,
        guess,
        now,
        settings.code_max_attempts,
    );
    match check {
        CodeCheck::Valid => HeldCodeCheck::Valid,
        CodeCheck::Expired | CodeCheck::Exhausted => HeldCodeCheck::Refused,
        CodeCheck::Wrong => {
            record.failed_attempts += 1;
            identity.wrong_codes.count(budget, now);
            HeldCodeCheck::Wrong
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::password::PasswordHash;
    use tessera_kernel::code::CodePepper;
    use tessera_kernel::email::Email;
    use tessera_kernel::ids::AccountId;
    use tessera_kernel::time::Seconds;

    #[test]
    fn wrong_guesses_count_on_the_code_and_in_the_budget_and_a_spent_budget_checks_nothing() {
        let settings = IdentitySettings::with_pepper(CodePepper::new(b"pepper".to_vec()));
        let now = Timestamp(1000);
        let mut identity = Identity::pending(
            Email::parse("ada@example.com").unwrap(),
            AccountId::from_stored("0123456789abcdef0123456789abcdef".into()),
            PasswordHash::unusable(),
            now,
        );
        let account = identity.account_id.clone();
        let issue = |code: &str| {
            CodeRecord::issue(
                &settings.pepper,
                CodePurpose::Activation,
                account.as_str(),
                &OneTimeCode::parse(code).unwrap(),
                now,
                Seconds::hours(24),
            )
        };
        let right = OneTimeCode::parse("123456").unwrap();
        let wrong = OneTimeCode::parse("654321").unwrap();
        identity.activation = Some(issue("123456"));
        let check = |identity: &mut Identity, guess: &OneTimeCode, purpose| {
            check_held_code(
                identity,
                |i| i.activation.as_mut(),
                &settings,
                purpose,
                guess,
                now,
            )
        };
        assert_eq!(
            check(&mut identity, &wrong, CodePurpose::Activation),
            HeldCodeCheck::Wrong
        );
        assert_eq!(identity.activation.as_ref().unwrap().failed_attempts, 1);
        assert_eq!(
            check(&mut identity, &right, CodePurpose::PasswordReset),
            HeldCodeCheck::Wrong,
            "bound to its purpose"
        );
        assert_eq!(
            check(&mut identity, &right, CodePurpose::Activation),
            HeldCodeCheck::Valid
        );
        // Five wrong guesses kill a code; the budget (10) spans fresh ones, then nothing is checked.
        for _ in 0..3 {
            check(&mut identity, &wrong, CodePurpose::Activation);
        }
        assert_eq!(
            check(&mut identity, &right, CodePurpose::Activation),
            HeldCodeCheck::Refused
        );
        identity.activation = Some(issue("123456"));
        for _ in 0..5 {
            check(&mut identity, &wrong, CodePurpose::Activation);
        }
        identity.activation = Some(issue("123456"));
        assert_eq!(
            check(&mut identity, &right, CodePurpose::Activation),
            HeldCodeCheck::Refused
        );
        assert_eq!(
            identity.activation.as_ref().unwrap().failed_attempts,
            0,
            "nothing checked"
        );
        identity.activation = None;
        assert_eq!(
            check(&mut identity, &right, CodePurpose::Activation),
            HeldCodeCheck::Refused
        );
    }
}
