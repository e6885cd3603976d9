//! Login throttling, keyed by canonical email whether or not an account exists, so the delay
//! itself reveals nothing. After 5 consecutive failures each attempt must wait a growing delay;
//! at 100 the account (if there is one) needs a password reset.

use crate::time::{Seconds, Timestamp};
use serde::{Deserialize, Serialize};

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

/// Consecutive failed logins for one email address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginThrottle {
    pub failures: u32,
    pub last_failure_at: Timestamp,
}

impl LoginThrottle {
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
        let at = self.last_failure_at + self.delay(settings);
        (now < at).then_some(at)
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
        };
        assert_eq!(t.retry_at(Timestamp(101), &s), Some(Timestamp(104)));
        assert_eq!(t.retry_at(Timestamp(104), &s), None);
        assert_eq!(LoginThrottle::default().retry_at(Timestamp(0), &s), None);
    }
}
