//! Partner-initiated customer access: a partner names a customer by email address, in advance
//! (seed 001: customers "need to be sponsored in advance, in order to register"). The
//! sponsorship waits under the address's digest, whether or not an account has it (so the
//! partner learns nothing about who has one), and becomes the customer's entitlement the next
//! time the account with that address reads its access.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::time::{Seconds, Timestamp};

use crate::registry::AgreementNumber;

/// How long a sponsorship waits for its customer.
pub const WAITS_FOR: Seconds = Seconds::days(90);

/// Where a sponsorship for `email` is kept: the SHA-256 of the address (as parsed, lower case),
/// so the store holds no address the partner typed.
pub fn email_digest(email: &Email) -> String {
    hex::encode(Sha256::digest(email.as_str().as_bytes()))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sponsorship {
    pub email_digest: String,
    pub partner: AccountId,
    /// The partner's agreement the customer's access is under.
    pub number: AgreementNumber,
    pub sponsored_at: Timestamp,
    /// When the access ends: the agreement's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_ends: Option<Timestamp>,
    /// Unclaimed by then, it is gone.
    pub claim_by: Timestamp,
}

impl Sponsorship {
    pub fn is_claimable(&self, now: Timestamp) -> bool {
        now < self.claim_by && self.access_ends.is_none_or(|end| now < end)
    }
}
