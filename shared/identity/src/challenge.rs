//! The second step of a login, with no write at the first. The challenge handed out after a
//! right password proves itself: an addressed token (`token.rs`) whose secret part is a random
//! nonce, the issue time and an HMAC over them under the code pepper, bound to the account, its
//! address and its session epoch (a password change or reset voids it). Nothing is stored when
//! it is issued.
//!
//! What answering did is kept on the identity, written only when a challenge is answered (the
//! same version-checked write that records the wrong code or uses the right one up): the second
//! in which the latest challenge answered was issued, and each challenge of that second that was
//! answered, with its wrong codes and whether it was used ([`ChallengeMark`]). A challenge issued
//! in an earlier second is void, so nobody, the holder of a stolen password included, can go
//! back to an earlier challenge for fresh guesses. Each lives 5 minutes and ends at its fifth
//! wrong code; every wrong code also spends the account's guess budget.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::account::Identity;
use crate::token::AddressedToken;
use tessera_kernel::code::{CodePepper, CodePurpose};
use tessera_kernel::ports::Random;
use tessera_kernel::time::{Seconds, Timestamp};

pub const CHALLENGE_TTL: Seconds = Seconds::minutes(5);
/// Wrong codes that end a login challenge (and a reset grant's second step).
pub const CHALLENGE_MAX_FAILURES: u32 = 5;

const NONCE_BYTES: usize = 8;
const TIME_BYTES: usize = 8;
const MAC_BYTES: usize = 16;

/// One challenge: when it was issued and its nonce (hex).
#[derive(Clone, Debug, PartialEq, Eq)]
struct ChallengeId {
    issued_at: Timestamp,
    nonce: String,
}

/// The challenges answered on an identity that were issued in the latest such second.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeMark {
    pub issued_at: Timestamp,
    pub answered: Vec<AnsweredChallenge>,
}

/// What the answers to one challenge did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnsweredChallenge {
    pub nonce: String,
    /// Wrong codes answered to it.
    pub failures: u32,
    /// A right code was: the challenge is over.
    pub used: bool,
}

/// A challenge that may still be answered, as the identity stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenChallenge {
    id: ChallengeId,
    failures: u32,
}

impl OpenChallenge {
    /// Records a wrong code to it on `identity` (which the caller writes before answering).
    pub fn record_wrong(self, identity: &mut Identity) {
        let failures = self.failures + 1;
        self.record(identity, failures, false);
    }

    /// Records it used on `identity` (which the caller writes before starting the session).
    pub fn record_used(self, identity: &mut Identity) {
        let failures = self.failures;
        self.record(identity, failures, true);
    }

    fn record(self, identity: &mut Identity, failures: u32, used: bool) {
        let answer = AnsweredChallenge {
            nonce: self.id.nonce,
            failures,
            used,
        };
        match identity.challenge_mark.as_mut() {
            Some(mark) if mark.issued_at == self.id.issued_at => {
                mark.answered.retain(|a| a.nonce != answer.nonce);
                mark.answered.push(answer);
            }
            // `open` found no mark, or one of an earlier second: this second's starts.
            _ => {
                identity.challenge_mark = Some(ChallengeMark {
                    issued_at: self.id.issued_at,
                    answered: vec![answer],
                })
            }
        }
    }
}

/// A new challenge for `identity`, whose password was just found right.
pub fn issue(
    pepper: &CodePepper,
    identity: &Identity,
    now: Timestamp,
    random: &dyn Random,
) -> AddressedToken {
    let mut nonce = [0u8; NONCE_BYTES];
    random.fill(&mut nonce);
    let id = ChallengeId {
        issued_at: now,
        nonce: hex::encode(nonce),
    };
    let mut secret = [0u8; NONCE_BYTES + TIME_BYTES + MAC_BYTES];
    secret[..NONCE_BYTES].copy_from_slice(&nonce);
    secret[NONCE_BYTES..NONCE_BYTES + TIME_BYTES].copy_from_slice(&now.0.to_be_bytes());
    secret[NONCE_BYTES + TIME_BYTES..].copy_from_slice(&mac(pepper, identity, &id));
    AddressedToken::from_secret(&identity.email, secret)
}

/// The challenge `token` names, if it is genuine for `identity` and may still be answered at
/// `now`: issued for this account, address and session epoch, less than 5 minutes ago, not in a
/// second before the mark's, not used, fewer than 5 wrong codes.
pub fn open(
    pepper: &CodePepper,
    identity: &Identity,
    token: &AddressedToken,
    now: Timestamp,
) -> Option<OpenChallenge> {
    let secret = token.secret()?;
    let (nonce, rest) = secret.split_at(NONCE_BYTES);
    let (time, presented_mac) = rest.split_at(TIME_BYTES);
    let issued_at = Timestamp(i64::from_be_bytes(time.try_into().ok()?));
    let id = ChallengeId {
        issued_at,
        nonce: hex::encode(nonce),
    };
    let genuine: bool = mac(pepper, identity, &id).ct_eq(presented_mac).into();
    if !genuine || now >= issued_at + CHALLENGE_TTL {
        return None;
    }
    let failures = match &identity.challenge_mark {
        Some(mark) if issued_at < mark.issued_at => return None,
        Some(mark) if issued_at == mark.issued_at => {
            match mark.answered.iter().find(|a| a.nonce == id.nonce) {
                Some(answered) if answered.used => return None,
                Some(answered) => answered.failures,
                None => 0,
            }
        }
        _ => 0,
    };
    (failures < CHALLENGE_MAX_FAILURES).then_some(OpenChallenge { id, failures })
}

fn mac(pepper: &CodePepper, identity: &Identity, id: &ChallengeId) -> [u8; MAC_BYTES] {
    let message = format!(
        "{}|{}|{}|{}",
        identity.email.as_str(),
        id.nonce,
        id.issued_at.0,
        identity.session_epoch
    );
    let digest = pepper.digest_secret(
        CodePurpose::LoginChallenge,
        identity.account_id.as_str(),
        &message,
    );
    let mut out = [0u8; MAC_BYTES];
    // The digest is 64 hex digits: its first half is the first 16 bytes.
    hex::decode_to_slice(&digest[..MAC_BYTES * 2], &mut out).expect("an HMAC digest is hex");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::AccountStatus;
    use crate::password::PasswordHash;
    use tessera_kernel::email::Email;
    use tessera_kernel::ids::AccountId;

    struct Counter(std::sync::atomic::AtomicU8);
    impl Random for Counter {
        fn fill(&self, buf: &mut [u8]) {
            let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            buf.fill(n);
        }
    }

    fn identity() -> Identity {
        Identity {
            status: AccountStatus::Active,
            ..Identity::pending(
                Email::parse("ada@example.com").unwrap(),
                AccountId::from_stored("0123456789abcdef0123456789abcdef".into()),
                PasswordHash::unusable(),
                Timestamp(0),
            )
        }
    }

    #[test]
    fn a_challenge_is_genuine_only_for_its_account_address_and_epoch_and_lives_five_minutes() {
        let pepper = CodePepper::new(b"pepper".to_vec());
        let random = Counter(Default::default());
        let ada = identity();
        let token = issue(&pepper, &ada, Timestamp(1000), &random);
        assert!(open(&pepper, &ada, &token, Timestamp(1299)).is_some());
        assert!(
            open(&pepper, &ada, &token, Timestamp(1300)).is_none(),
            "expired"
        );
        let other_pepper = CodePepper::new(b"other".to_vec());
        assert!(open(&other_pepper, &ada, &token, Timestamp(1000)).is_none());
        let changed = Identity {
            session_epoch: 1,
            ..ada.clone()
        };
        assert!(
            open(&pepper, &changed, &token, Timestamp(1000)).is_none(),
            "a password change voids it"
        );
        let recreated = Identity {
            account_id: AccountId::from_stored("fedcba9876543210fedcba9876543210".into()),
            ..ada.clone()
        };
        assert!(open(&pepper, &recreated, &token, Timestamp(1000)).is_none());
        // Any change to the token's secret part breaks it.
        let raw = token.expose();
        for i in raw.find('.').unwrap() + 1..raw.len() {
            let mut bytes = raw.as_bytes().to_vec();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let tampered = AddressedToken::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
            assert!(
                open(&pepper, &ada, &tampered, Timestamp(1000)).is_none(),
                "{i}"
            );
        }
    }

    #[test]
    fn answers_are_marked_and_earlier_challenges_are_void() {
        let pepper = CodePepper::new(b"pepper".to_vec());
        let random = Counter(Default::default());
        let mut ada = identity();
        let earlier = issue(&pepper, &ada, Timestamp(1000), &random);
        let later = issue(&pepper, &ada, Timestamp(1001), &random);
        for expected in 0..CHALLENGE_MAX_FAILURES {
            let open_now = open(&pepper, &ada, &later, Timestamp(1002)).unwrap();
            assert_eq!(open_now.failures, expected);
            open_now.record_wrong(&mut ada);
        }
        assert!(
            open(&pepper, &ada, &later, Timestamp(1002)).is_none(),
            "five wrong codes"
        );
        assert!(
            open(&pepper, &ada, &earlier, Timestamp(1002)).is_none(),
            "issued before the mark"
        );
        let third = issue(&pepper, &ada, Timestamp(1003), &random);
        let open_now = open(&pepper, &ada, &third, Timestamp(1004)).unwrap();
        assert_eq!(open_now.failures, 0, "a later challenge starts afresh");
        open_now.record_used(&mut ada);
        assert!(
            open(&pepper, &ada, &third, Timestamp(1004)).is_none(),
            "used once"
        );
    }

    #[test]
    fn challenges_of_one_second_keep_their_own_answers() {
        let pepper = CodePepper::new(b"pepper".to_vec());
        let random = Counter(Default::default());
        let mut ada = identity();
        let one = issue(&pepper, &ada, Timestamp(2000), &random);
        let two = issue(&pepper, &ada, Timestamp(2000), &random);
        for _ in 0..2 {
            open(&pepper, &ada, &one, Timestamp(2001))
                .unwrap()
                .record_wrong(&mut ada);
        }
        open(&pepper, &ada, &two, Timestamp(2001))
            .unwrap()
            .record_used(&mut ada);
        assert!(open(&pepper, &ada, &two, Timestamp(2001)).is_none(), "used");
        let again = open(&pepper, &ada, &one, Timestamp(2001)).unwrap();
        assert_eq!(again.failures, 2, "going to a sibling resets nothing");
    }
}
