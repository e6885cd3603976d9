//! An account's guess budget for the codes its identity holds.

use serde::{Deserialize, Serialize};
use tessera_kernel::attempts::{Allowance, AttemptWindow};
use tessera_kernel::time::Timestamp;

/// An account's wrong codes in the current window, emailed, SMS, TOTP and recovery alike (its
/// guess budget: a new code does not reset it), held on its identity.
///
/// A flow checks a code only while the budget has room, and answers only once the identity
/// write recording the outcome has landed, version-checked: the wrong code counted here, or the
/// right one used up. Two parallel guesses read the same version, so one of them writes and the
/// other reads again and finds the budget as the first left it: guesses are answered one at a
/// time, however they arrive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WrongCodes(Option<AttemptWindow>);

impl WrongCodes {
    /// Whether one more code may be checked at `now`.
    pub fn have_room(&self, allowance: Allowance, now: Timestamp) -> bool {
        AttemptWindow::take(self.0, allowance, now).is_ok()
    }

    /// Counts a wrong code at `now` (checked only while there was room).
    pub fn count(&mut self, allowance: Allowance, now: Timestamp) {
        if let Ok(window) = AttemptWindow::take(self.0, allowance, now) {
            self.0 = Some(window);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::time::Seconds;

    const FIVE_A_MINUTE: Allowance = Allowance {
        max: 5,
        window: Seconds(60),
    };

    #[test]
    fn only_wrong_codes_spend_the_budget_held_on_an_identity() {
        let mut wrong = WrongCodes::default();
        for i in 0..5 {
            assert!(wrong.have_room(FIVE_A_MINUTE, Timestamp(100 + i)));
            wrong.count(FIVE_A_MINUTE, Timestamp(100 + i));
        }
        assert!(!wrong.have_room(FIVE_A_MINUTE, Timestamp(159)), "spent");
        wrong.count(FIVE_A_MINUTE, Timestamp(159));
        assert_eq!(wrong.0.unwrap().count, 5, "never past the maximum");
        assert!(
            wrong.have_room(FIVE_A_MINUTE, Timestamp(160)),
            "a new window"
        );
        let stored = serde_json::to_value(wrong).unwrap();
        assert_eq!(stored["count"], 5, "stored as the window itself");
        let none: WrongCodes = serde_json::from_value(serde_json::Value::Null).unwrap();
        assert_eq!(none, WrongCodes::default(), "an identity stored before it");
    }
}
