//! One home for counting guesses: an allowance of so many attempts per fixed window, per key.
//!
//! Guesses at what an identity holds (its emailed and SMS codes, its authenticator, its recovery
//! codes) are counted on the identity itself (identity's `WrongCodes`): the answer waits for the
//! version-checked write that records it, so parallel guesses are answered one at a time and
//! a right answer costs no extra write. Guesses at anything else (a candidate record, requests
//! per client address, text messages) are *taken* from the attempt ledger ([`AttemptLedger`])
//! atomically before the check, so a burst of parallel requests gets no more checks than the
//! same requests one at a time; a right answer may give its attempt back.

use crate::ids::AccountId;
use crate::ports::{Clock, StoreError};
use crate::time::{Seconds, Timestamp};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What an allowance counts attempts at. Each constructor names one limit of SECURITY.md.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttemptKey(String);

impl AttemptKey {
    /// An account's attempts at mapping itself to a candidate record (score report or code).
    pub fn mapping(account: &AccountId) -> AttemptKey {
        AttemptKey(format!("mapping#{}", account.as_str()))
    }

    /// An account's guesses at contract and agreement numbers and at special access codes.
    pub fn access(account: &AccountId) -> AttemptKey {
        AttemptKey(format!("access#{}", account.as_str()))
    }

    /// Score-report guesses that named one candidate record, from whichever accounts.
    pub fn candidate_record(candidate: &str) -> AttemptKey {
        AttemptKey(format!("record#{candidate}"))
    }

    /// Requests of one kind from one client address (per-client limits on the routes that cost
    /// a hash or send a message).
    pub fn client(kind: &str, address: &str) -> AttemptKey {
        AttemptKey(format!("client#{kind}#{address}"))
    }

    /// Text messages to one number.
    pub fn sms_number(e164: &str) -> AttemptKey {
        AttemptKey(format!("sms-number#{e164}"))
    }

    /// Soft bounces of one email address (lower case), toward its suppression.
    pub fn soft_bounce(address: &str) -> AttemptKey {
        AttemptKey(format!("soft-bounce#{address}"))
    }

    /// Text messages sent on one UTC day, to any number (`day`: `YYYY-MM-DD`).
    pub fn sms_day(day: &str) -> AttemptKey {
        AttemptKey(format!("sms-day#{day}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At most `max` attempts in a window of `window`, counted from the window's first attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    pub max: u32,
    pub window: Seconds,
}

/// The attempts counted for one key in its current window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptWindow {
    pub window_start: Timestamp,
    pub count: u32,
}

/// What taking an attempt did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Take {
    /// The attempt may be made; `count` attempts are now counted in the window.
    Taken { count: u32 },
    /// The allowance is spent until `retry_at`: nothing may be checked.
    Refused { retry_at: Timestamp },
}

impl AttemptWindow {
    /// The window after taking one attempt at `now` from `current` (none stored: a fresh one),
    /// or when the next attempt may be made. Both adapters apply exactly this rule, atomically.
    pub fn take(
        current: Option<AttemptWindow>,
        allowance: Allowance,
        now: Timestamp,
    ) -> Result<AttemptWindow, Timestamp> {
        AttemptWindow::take_many(current, 1, allowance, now)
    }

    /// The window after taking `n` attempts at once (all or none), or when the allowance has
    /// room again: `take` for a batch.
    pub fn take_many(
        current: Option<AttemptWindow>,
        n: u32,
        allowance: Allowance,
        now: Timestamp,
    ) -> Result<AttemptWindow, Timestamp> {
        match current {
            Some(w) if now < w.ends_at(allowance) => {
                if w.count.saturating_add(n) <= allowance.max {
                    Ok(AttemptWindow {
                        count: w.count + n,
                        ..w
                    })
                } else {
                    Err(w.ends_at(allowance))
                }
            }
            _ if n > allowance.max => Err(now + allowance.window),
            _ => Ok(AttemptWindow {
                window_start: now,
                count: n,
            }),
        }
    }

    pub fn ends_at(&self, allowance: Allowance) -> Timestamp {
        self.window_start + allowance.window
    }
}

/// Where attempts are counted: one small item per key, changed only by atomic conditional
/// updates, expiring once its window is over.
#[async_trait]
pub trait AttemptLedger: Send + Sync {
    /// Takes one attempt from the key's allowance at `now` (the rule of `AttemptWindow::take`),
    /// atomically: parallel callers together take no more than `allowance.max` per window.
    async fn take_attempt(
        &self,
        key: &AttemptKey,
        allowance: Allowance,
        now: Timestamp,
    ) -> Result<Take, StoreError> {
        self.take_attempts(key, 1, allowance, now).await
    }

    /// Takes `n` attempts at once, all or none (`AttemptWindow::take_many`), atomically.
    async fn take_attempts(
        &self,
        key: &AttemptKey,
        n: u32,
        allowance: Allowance,
        now: Timestamp,
    ) -> Result<Take, StoreError>;

    /// Gives one taken attempt back (the answer was right; only wrong ones are spent). Never
    /// below zero; nothing if the key has no attempts counted.
    async fn give_back_attempt(&self, key: &AttemptKey) -> Result<(), StoreError>;

    /// Forgets the key's count (its name holds a person's number, and the person is erased).
    async fn forget(&self, key: &AttemptKey) -> Result<(), StoreError>;
}

/// The one attempt a request takes from an allowance: taken before the first check, however
/// often the request then retries a lost race, and given back if the answer was right (where
/// only wrong answers should count).
pub struct Guess<'a> {
    ledger: &'a dyn AttemptLedger,
    clock: &'a dyn Clock,
    allowance: Allowance,
    taken: Option<AttemptKey>,
}

impl<'a> Guess<'a> {
    pub fn new(
        ledger: &'a dyn AttemptLedger,
        clock: &'a dyn Clock,
        allowance: Allowance,
    ) -> Guess<'a> {
        Guess {
            ledger,
            clock,
            allowance,
            taken: None,
        }
    }

    /// Takes this request's attempt at `key` (once): `Refused` means nothing may be checked.
    pub async fn take(&mut self, key: AttemptKey) -> Result<Take, StoreError> {
        if self.taken.is_some() {
            return Ok(Take::Taken { count: 0 });
        }
        let now = self.clock.now();
        let take = self.ledger.take_attempt(&key, self.allowance, now).await?;
        if let Take::Taken { .. } = take {
            self.taken = Some(key);
        }
        Ok(take)
    }

    /// The answer was right: the attempt goes back (once).
    pub async fn give_back(&mut self) -> Result<(), StoreError> {
        match self.taken.take() {
            Some(key) => self.ledger.give_back_attempt(&key).await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_A_MINUTE: Allowance = Allowance {
        max: 5,
        window: Seconds(60),
    };

    #[test]
    fn attempts_are_taken_up_to_the_maximum_then_refused_until_the_window_ends() {
        let mut window = None;
        for expected in 1..=5 {
            let w = AttemptWindow::take(window, FIVE_A_MINUTE, Timestamp(100 + expected)).unwrap();
            assert_eq!((w.window_start, w.count), (Timestamp(101), expected as u32));
            window = Some(w);
        }
        assert_eq!(
            AttemptWindow::take(window, FIVE_A_MINUTE, Timestamp(160)),
            Err(Timestamp(161))
        );
        let fresh = AttemptWindow::take(window, FIVE_A_MINUTE, Timestamp(161)).unwrap();
        assert_eq!((fresh.window_start, fresh.count), (Timestamp(161), 1));
    }

    #[test]
    fn keys_name_their_limit_and_never_collide() {
        let account = AccountId::from_stored("0123456789abcdef0123456789abcdef".into());
        let keys = [
            AttemptKey::mapping(&account),
            AttemptKey::candidate_record("0123456789abcdef0123456789abcdef"),
            AttemptKey::client("login", "192.0.2.1"),
            AttemptKey::sms_number("+33612345678"),
            AttemptKey::sms_day("2026-12-06"),
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    proptest::proptest! {
        /// However attempts are spaced, a window never counts more than the maximum, and a
        /// window that has ended starts again at one.
        #[test]
        fn a_window_never_counts_past_its_maximum(
            start in 0i64..4_000_000_000,
            gaps in proptest::collection::vec(0i64..120, 0..30),
            window in 60i64..7200,
            max in 1u32..12,
        ) {
            let allowance = Allowance { max, window: Seconds(window) };
            let (mut current, mut now) = (None, start);
            for gap in &gaps {
                now += gap;
                match AttemptWindow::take(current, allowance, Timestamp(now)) {
                    Ok(next) => {
                        proptest::prop_assert!(next.count >= 1 && next.count <= max);
                        proptest::prop_assert!(now < next.ends_at(allowance).0);
                        current = Some(next);
                    }
                    Err(retry_at) => {
                        let w = current.unwrap();
                        proptest::prop_assert_eq!(w.count, max);
                        proptest::prop_assert_eq!(retry_at, w.ends_at(allowance));
                    }
                }
            }
            if let Some(w) = current {
                let after = AttemptWindow::take(current, allowance, w.ends_at(allowance)).unwrap();
                proptest::prop_assert_eq!(after.count, 1);
            }
        }
    }
}
