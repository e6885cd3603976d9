//! Per-client limits on the unauthenticated routes that cost a hash or send a message: each
//! request is taken from an allowance per client address (`ClientLimits`), counted in the
//! attempt ledger so that every instance of a function shares it.
//!
//! Counting each request would cost a ledger write on every log-in. Instead a process takes a
//! small batch of its client's requests at once (`ClientLimits::batch`) and spends them one by
//! one from memory (`ClientLeases`): most requests cost no call, and parallel instances together
//! still take no more than the allowance (each batch is taken atomically, all or none; near the
//! limit they take one at a time). A batch is kept for a minute at most, so requests counted in
//! one window are not spent in the next.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::attempts::{Allowance, AttemptKey, AttemptLedger, Take};
use crate::ports::StoreError;
use crate::time::{Seconds, Timestamp};

/// The kinds of unauthenticated requests limited per client address, each with its allowance in
/// `ClientLimits::window`; 0 turns a kind's limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientRequest {
    /// Sign-up, activation and activation-code resends.
    Registration,
    /// Log-in with a password.
    Login,
    /// Forgot password (request, verify, complete) and forgot email.
    Recovery,
    /// Checks of printed verification codes (a guessing run is what this stops).
    Verification,
    /// The OpenID Connect provider's token, userinfo and revocation endpoints: each checks a
    /// secret (a client's, a code, a token).
    Tokens,
}

impl ClientRequest {
    pub fn name(self) -> &'static str {
        match self {
            ClientRequest::Registration => "registration",
            ClientRequest::Login => "login",
            ClientRequest::Recovery => "recovery",
            ClientRequest::Verification => "verification",
            ClientRequest::Tokens => "tokens",
        }
    }
}

/// Per-client limits: generous enough for a campus or an office behind one address, small enough
/// that one client cannot spend the program's hashes or messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimits {
    pub window: Seconds,
    pub registration: u32,
    pub login: u32,
    pub recovery: u32,
    pub verification: u32,
    pub tokens: u32,
}

impl Default for ClientLimits {
    fn default() -> Self {
        ClientLimits {
            window: Seconds::minutes(10),
            registration: 60,
            login: 300,
            recovery: 60,
            verification: 300,
            // Relying applications' servers call from few addresses, for many people each.
            tokens: 3000,
        }
    }
}

impl ClientLimits {
    /// The allowance for `kind`, or `None` when its limit is off.
    pub fn allowance(&self, kind: ClientRequest) -> Option<Allowance> {
        let max = match kind {
            ClientRequest::Registration => self.registration,
            ClientRequest::Login => self.login,
            ClientRequest::Recovery => self.recovery,
            ClientRequest::Verification => self.verification,
            ClientRequest::Tokens => self.tokens,
        };
        (max > 0).then_some(Allowance {
            max,
            window: self.window,
        })
    }

    /// Requests a process takes at once: a thirtieth of the allowance (one for small ones), so
    /// even thirty instances serving one client hold no more than it in reserve.
    pub fn batch(&self, allowance: Allowance) -> u32 {
        (allowance.max / 30).max(1)
    }
}

/// How long requests taken ahead stay good in a process.
const LEASE: Seconds = Seconds(60);
/// Past this many clients a process forgets the leases that ran out.
const MAX_LEASES: usize = 10_000;

/// Requests taken ahead, per kind and client address, in this process.
#[derive(Debug, Default)]
pub struct ClientLeases(Mutex<HashMap<(ClientRequest, String), Lease>>);

#[derive(Debug, Clone, Copy)]
struct Lease {
    left: u32,
    until: Timestamp,
}

impl ClientLeases {
    /// Spends one request taken ahead, if one is left and still good.
    fn spend(&self, kind: ClientRequest, address: &str, now: Timestamp) -> bool {
        let mut leases = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match leases.get_mut(&(kind, address.to_string())) {
            Some(lease) if lease.left > 0 && now < lease.until => {
                lease.left -= 1;
                true
            }
            _ => false,
        }
    }

    fn keep(&self, kind: ClientRequest, address: &str, left: u32, now: Timestamp) {
        let mut leases = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if leases.len() >= MAX_LEASES {
            leases.retain(|_, lease| lease.left > 0 && now < lease.until);
        }
        let until = now + LEASE;
        leases.insert((kind, address.to_string()), Lease { left, until });
    }
}

/// What a per-client limit is counted with: the attempt ledger, this process's leases, and the
/// limits.
pub struct ClientCounting<'a> {
    pub attempts: &'a dyn AttemptLedger,
    pub leases: &'a ClientLeases,
    pub limits: &'a ClientLimits,
}

/// Takes one request of `kind` from `address`'s allowance, before any hash, message or lookup:
/// when it is spent, when the next may be made.
pub async fn take_client_request(
    counting: ClientCounting<'_>,
    kind: ClientRequest,
    address: &str,
    now: Timestamp,
) -> Result<Option<Timestamp>, StoreError> {
    let ClientCounting {
        attempts,
        leases,
        limits,
    } = counting;
    let Some(allowance) = limits.allowance(kind) else {
        return Ok(None);
    };
    if leases.spend(kind, address, now) {
        return Ok(None);
    }
    let key = AttemptKey::client(kind.name(), address);
    let batch = limits.batch(allowance);
    if batch > 1 {
        if let Take::Taken { .. } = attempts.take_attempts(&key, batch, allowance, now).await? {
            leases.keep(kind, address, batch - 1, now);
            return Ok(None);
        }
    }
    match attempts.take_attempt(&key, allowance, now).await? {
        Take::Taken { .. } => Ok(None),
        Take::Refused { retry_at } => Ok(Some(retry_at)),
    }
}
