//! Login throttling, keyed by canonical email whether or not an account exists (or by a login
//! ID no account has), so the delay itself reveals nothing. After 5 consecutive failures each
//! attempt must wait a growing delay; at 100 the account (if there is one) needs a password
//! reset.
//!
//! An attempt is counted *before* its password is checked, so parallel attempts get no more
//! checks than the same attempts one at a time. A wrong password then marks the run as failed;
//! a right one clears the count, except when the count is its own attempt alone: that lone,
//! unmarked attempt is left in place (saving a write on every ordinary login) and counts as
//! nothing once it is older than any request can last ([`ATTEMPT_LEASE`]).

use crate::account::{Identity, Username};
use serde::{Deserialize, Serialize};
use tessera_kernel::email::Email;
use tessera_kernel::time::{Seconds, Timestamp};

/// Longer than any request may run (API Gateway gives up after 30 s): an attempt counted this
/// long ago has been answered, so if it was not marked failed it succeeded.
pub const ATTEMPT_LEASE: Seconds = Seconds(60);

/// Whose consecutive failures an attempt at a password counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThrottleKey {
    /// A canonical address, whether or not an account has it.
    Email(Email),
    /// A login ID no account has: throttled like a known one, so answers cannot tell them apart.
    UnknownUsername(Username),
}

/// How an attempt at a password began.
#[derive(Debug)]
pub enum LoginStart {
    /// The attempt may check the password; it is already counted in `throttle`. The identity is
    /// read in the same step for an address key.
    Attempt {
        identity: Option<Box<Identity>>,
        throttle: LoginThrottle,
    },
    /// The growing delay is running: nothing was counted or checked.
    Wait { retry_at: Timestamp },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Consecutive failures allowed before delays start.
    pub free_failures: u32,
    pub max_delay: Seconds,
    /// Consecutive failures at which the account needs a password reset.
    pub lock_at: u32,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            free_failures: 5,
            max_delay: Seconds::minutes(15),
            lock_at: 100,
        }
    }
}

/// The attempts at one key's password since its last success.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginThrottle {
    /// Attempts counted (each when it began) and not known to have succeeded.
    pub failures: u32,
    /// When the latest one was counted.
    pub last_failure_at: Timestamp,
    /// Whether one of them is known to have failed.
    #[serde(default)]
    pub failed: bool,
}

impl LoginThrottle {
    /// What the stored state counts at `now`: nothing for a lone unmarked attempt past the lease
    /// (a success that left its count in place).
    pub fn counted(&self, now: Timestamp) -> LoginThrottle {
        if self.is_spent_success(now) {
            LoginThrottle::default()
        } else {
            *self
        }
    }

    /// A lone attempt, never marked failed, counted at least [`ATTEMPT_LEASE`] before `now`.
    pub fn is_spent_success(&self, now: Timestamp) -> bool {
        self.failures <= 1 && !self.failed && now >= self.last_failure_at + ATTEMPT_LEASE
    }

    /// Seconds to wait after the last failure: 0 for the first 5, then 1, 2, 4, … up to the cap.
    pub fn delay(&self, settings: &ThrottleSettings) -> Seconds {
        if self.failures < settings.free_failures {
            return Seconds(0);
        }
        let doublings = (self.failures - settings.free_failures).min(30);
        Seconds((1i64 << doublings).min(settings.max_delay.0))
    }

    /// When the next attempt may be made, if that is after `now`.
    pub fn retry_at(&self, now: Timestamp, settings: &ThrottleSettings) -> Option<Timestamp> {
        let counted = self.counted(now);
        let at = counted.last_failure_at + counted.delay(settings);
        (now < at).then_some(at)
    }

    /// The throttle after counting one more attempt at `now`, or when to retry if the delay is
    /// running. Both adapters apply exactly this rule, atomically.
    pub fn begin_attempt(
        &self,
        now: Timestamp,
        settings: &ThrottleSettings,
    ) -> Result<LoginThrottle, Timestamp> {
        if let Some(retry_at) = self.retry_at(now, settings) {
            return Err(retry_at);
        }
        let counted = self.counted(now);
        Ok(LoginThrottle {
            failures: counted.failures.saturating_add(1),
            last_failure_at: now,
            failed: counted.failed,
        })
    }

    /// After a right password, whether the count must be cleared: not when it is the attempt's
    /// own alone, which the lease retires.
    pub fn needs_clearing(&self) -> bool {
        self.failures > 1 || self.failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_starts_after_five_failures_and_doubles_to_a_cap() {
        let s = ThrottleSettings::default();
        let delay = |failures| {
            LoginThrottle {
                failures,
                last_failure_at: Timestamp(0),
                failed: true,
            }
            .delay(&s)
            .0
        };
        assert_eq!((0..=4).map(delay).collect::<Vec<_>>(), vec![0; 5]);
        assert_eq!(
            (5..=10).map(delay).collect::<Vec<_>>(),
            vec![1, 2, 4, 8, 16, 32]
        );
        assert_eq!(delay(15), 900);
        assert_eq!(delay(99), 900);
    }

    #[test]
    fn retry_at_is_only_given_while_waiting() {
        let s = ThrottleSettings::default();
        let t = LoginThrottle {
            failures: 7,
            last_failure_at: Timestamp(100),
            failed: true,
        };
        assert_eq!(t.retry_at(Timestamp(101), &s), Some(Timestamp(104)));
        assert_eq!(t.retry_at(Timestamp(104), &s), None);
        assert_eq!(LoginThrottle::default().retry_at(Timestamp(0), &s), None);
    }

    #[test]
    fn a_lone_unmarked_attempt_counts_until_its_lease_ends() {
        let s = ThrottleSettings::default();
        let success = LoginThrottle::default()
            .begin_attempt(Timestamp(1000), &s)
            .unwrap();
        assert_eq!((success.failures, success.failed), (1, false));
        assert!(
            !success.needs_clearing(),
            "an ordinary login writes no clear"
        );
        let during = success.begin_attempt(Timestamp(1059), &s).unwrap();
        assert_eq!(during.failures, 2, "it may still be in flight: counted");
        assert!(during.needs_clearing());
        let after = success.begin_attempt(Timestamp(1060), &s).unwrap();
        assert_eq!(after.failures, 1, "answered long ago, unmarked: a success");
        let failed = LoginThrottle {
            failed: true,
            ..success
        };
        assert_eq!(
            failed.begin_attempt(Timestamp(5000), &s).unwrap().failures,
            2,
            "a failure is never forgotten by waiting"
        );
    }

    proptest::proptest! {
        /// Begun one after another, attempts never get more checks before the delay than the
        /// free failures, whatever the spacing, when each of them fails.
        #[test]
        fn failed_attempts_are_never_forgotten(gaps in proptest::collection::vec(0i64..200, 1..40)) {
            let s = ThrottleSettings::default();
            let (mut state, mut now, mut checks) = (LoginThrottle::default(), 0i64, 0u32);
            for gap in gaps {
                now += gap;
                if let Ok(next) = state.begin_attempt(Timestamp(now), &s) {
                    checks += 1;
                    state = LoginThrottle { failed: true, ..next };
                    proptest::prop_assert_eq!(state.failures, checks);
                }
            }
        }
    }
}
