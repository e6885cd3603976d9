//! The identifiers every context names: an account, and a candidate record.

use crate::ports::Random;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 128 random bits, hex; internal, never a login name.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    pub fn generate(random: &dyn Random) -> AccountId {
        let mut bytes = [0u8; 16];
        random.fill(&mut bytes);
        AccountId(hex::encode(bytes))
    }
    pub fn from_stored(s: String) -> AccountId {
        AccountId(s)
    }
    /// An id as a caller writes it (a path segment): 32 lowercase hex digits, as generated.
    pub fn parse(raw: &str) -> Option<AccountId> {
        let ok = raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| AccountId(raw.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.0)
    }
}

/// The candidate ID a testing vendor knows a candidate by (`TSC1000001`).
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct CandidateId(String);

impl CandidateId {
    pub fn parse(raw: &str) -> Option<CandidateId> {
        let id = raw.trim().to_ascii_uppercase();
        let valid = (1..=32).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        valid.then_some(CandidateId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CandidateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
