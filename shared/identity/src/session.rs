//! Sessions: opaque bearer tokens (`<account id>.<256 random bits, hex>`) stored only as their
//! SHA-256, with an idle and an absolute lifetime. A session dies when the account's session
//! epoch moves past it (password change or reset), so revocation needs no list of sessions.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::Random;
use tessera_kernel::time::{Seconds, Timestamp};

/// The token as the client holds it. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn generate(account_id: &AccountId, random: &dyn Random) -> SessionToken {
        let mut secret = [0u8; 32];
        random.fill(&mut secret);
        SessionToken(format!("{}.{}", account_id.as_str(), hex::encode(secret)))
    }

    /// A token as presented: `<32 hex>.<64 hex>`, or nothing.
    pub fn parse(raw: &str) -> Option<SessionToken> {
        let (account, secret) = raw.split_once('.')?;
        let hex_of = |s: &str, n: usize| {
            s.len() == n
                && s.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        (hex_of(account, 32) && hex_of(secret, 64)).then(|| SessionToken(raw.to_string()))
    }

    pub fn account_id(&self) -> AccountId {
        AccountId::from_stored(
            self.0
                .split_once('.')
                .map(|(a, _)| a)
                .unwrap_or_default()
                .to_string(),
        )
    }

    /// What is stored: the token's SHA-256, hex. 256 random bits need no salt or slow hash.
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionSettings {
    pub idle: Seconds,
    pub absolute: Seconds,
    /// `last_seen_at` is written at most this often, so most requests cost no write.
    pub touch_interval: Seconds,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            idle: Seconds::minutes(30),
            absolute: Seconds::hours(12),
            touch_interval: Seconds(60),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token_digest: String,
    pub account_id: AccountId,
    /// The account's session epoch when the session began; a later epoch revokes it.
    pub epoch: u64,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    /// The log-in passed the authenticator (or a recovery code), as staff routes require.
    #[serde(default)]
    pub second_factor: bool,
}

impl Session {
    pub fn start(
        token: &SessionToken,
        account_id: AccountId,
        epoch: u64,
        now: Timestamp,
        settings: &SessionSettings,
    ) -> Session {
        Session {
            token_digest: token.digest(),
            account_id,
            epoch,
            created_at: now,
            last_seen_at: now,
            expires_at: now + settings.absolute,
            second_factor: false,
        }
    }

    /// Alive at `now` for an account whose current epoch is `current_epoch`?
    pub fn is_alive(&self, now: Timestamp, current_epoch: u64, settings: &SessionSettings) -> bool {
        self.epoch == current_epoch
            && now < self.expires_at
            && now < self.last_seen_at + settings.idle
    }

    pub fn needs_touch(&self, now: Timestamp, settings: &SessionSettings) -> bool {
        now - self.last_seen_at >= settings.touch_interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ports::CountingRandom;

    fn account() -> AccountId {
        AccountId::from_stored("0123456789abcdef0123456789abcdef".into())
    }

    #[test]
    fn tokens_carry_256_random_bits_and_round_trip() {
        let token = SessionToken::generate(&account(), &CountingRandom::from(0));
        let (_, secret) = token.expose().split_once('.').unwrap();
        assert_eq!(secret.len(), 64);
        assert_eq!(SessionToken::parse(token.expose()), Some(token.clone()));
        assert_eq!(token.account_id(), account());
        assert_eq!(token.digest().len(), 64);
        assert_ne!(token.digest(), secret);
        assert_eq!(format!("{token:?}"), "SessionToken(<redacted>)");
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = SessionToken::generate(&account(), &CountingRandom::from(9));
        for bad in [
            "",
            "abc",
            "x.y",
            &good.expose().to_uppercase(),
            &format!("{}0", good.expose()),
            &good.expose().replace('.', "-"),
        ] {
            assert!(SessionToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn idle_absolute_and_epoch_limits() {
        let s = SessionSettings::default();
        let t0 = Timestamp(1_000_000);
        let token = SessionToken::generate(&account(), &CountingRandom::from(1));
        let mut session = Session::start(&token, account(), 3, t0, &s);
        assert!(session.is_alive(t0 + Seconds::minutes(29), 3, &s));
        assert!(
            !session.is_alive(t0 + Seconds::minutes(30), 3, &s),
            "idle for 30 minutes"
        );
        assert!(!session.is_alive(t0, 4, &s), "the epoch moved on");
        session.last_seen_at = t0 + Seconds::hours(12) - Seconds(10);
        assert!(
            !session.is_alive(t0 + Seconds::hours(12), 3, &s),
            "12 hours after it began, however active"
        );
        assert!(session.needs_touch(session.last_seen_at + Seconds(60), &s));
        assert!(!session.needs_touch(session.last_seen_at + Seconds(59), &s));
    }
}
