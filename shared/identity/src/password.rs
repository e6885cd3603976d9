//! Passwords as secrets: NFC-normalized, capped before any hashing, never printed.
//! Hashing is argon2id with explicit parameters, run off the async threads, stored as PHC strings.
//!
//! Each hash needs `memory_kib` of working memory (19 MiB by default). Allocating it per hash
//! made a warm function's memory climb by megabytes a login until it passed its limit: the
//! allocator kept the freed blocks of every blocking thread. So the hasher owns a fixed number of
//! slots, each an argon2 `Hasher` that keeps its arena between hashes; a hash borrows a slot for
//! its duration and at most `slots × memory_kib` is ever held (bench/RESULTS.md, "Memory").

use argon2_rust::{params::Memory, Algorithm, Argon2, Hasher, Params, Version};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

/// Inputs longer than this are refused before they reach the hash (a policy may cap lower).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A candidate or stored-for-checking password. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordInputError {
    #[error("is longer than {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
}

impl Password {
    pub fn new(raw: &str) -> Result<Password, PasswordInputError> {
        if raw.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordInputError::TooLong);
        }
        Ok(Password(raw.nfc().collect()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_phc(phc: String) -> PasswordHash {
        PasswordHash(phc)
    }
    /// What an account that signs in through its organisation stores: no password verifies.
    pub fn unusable() -> PasswordHash {
        PasswordHash("!federated".into())
    }
    /// An argon2id PHC string a password could verify against; anything else (a federated
    /// account's marker) is no password at all.
    pub fn is_usable(&self) -> bool {
        self.0.starts_with("$argon2id$")
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// argon2id cost parameters. The default is the OWASP minimum: m = 19 MiB, t = 2, p = 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2 parameters rejected: {0}")]
    Params(String),
    #[error("hashing task failed: {0}")]
    Task(String),
}

/// Hashes and verifies passwords on tokio's blocking pool, in a bounded set of reused arenas.
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<HasherInner>,
}

struct HasherInner {
    argon: Argon2,
    /// One permit per slot: a hash waits here for a free arena instead of allocating one.
    permits: Semaphore,
    /// The idle slots. A holder of a permit always finds one.
    slots: Mutex<Vec<Hasher>>,
    /// A hash of a random secret, verified against when an account does not exist, so the
    /// unknown-account path costs one verification like the known one. Made on first use.
    dummy: OnceLock<PasswordHash>,
}

impl PasswordHasher {
    /// As many slots as the machine has cores: more concurrent hashes would only share them.
    pub fn new(params: HashParams) -> Result<PasswordHasher, HashError> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PasswordHasher::with_slots(params, cores)
    }

    /// `slots` bounds both the concurrent hashes and the memory held: `slots × memory_kib`.
    pub fn with_slots(params: HashParams, slots: usize) -> Result<PasswordHasher, HashError> {
        let slots = slots.max(1);
        let p = Params::builder()
            .memory(Memory::kib(u64::from(params.memory_kib)))
            .passes(params.iterations)
            .lanes(params.parallelism)
            .build()
            .map_err(|e| HashError::Params(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
        Ok(PasswordHasher {
            inner: Arc::new(HasherInner {
                argon,
                permits: Semaphore::new(slots),
                slots: Mutex::new((0..slots).map(|_| argon.hasher()).collect()),
                dummy: OnceLock::new(),
            }),
        })
    }

    /// Working memory held by the slots now, in KiB (what a memory test watches).
    pub fn arena_kib(&self) -> usize {
        let idle = self.inner.slots.lock().expect("hasher slots");
        idle.iter().map(Hasher::reserved_blocks).sum()
    }

    /// `salt` must come from a CSPRNG (16 bytes, as the PHC format recommends).
    pub async fn hash(
        &self,
        password: &Password,
        salt: [u8; 16],
    ) -> Result<PasswordHash, HashError> {
        let password = password.clone();
        self.in_slot(move |slot| hash_now(slot, &password, &salt))
            .await?
    }

    /// Whether `password` matches `hash`. A hash no password can match (a federated account's)
    /// costs one verification all the same, against the dummy, so no answer is faster for it.
    pub async fn verify(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<bool, HashError> {
        if !hash.is_usable() {
            self.verify_dummy(password).await?;
            return Ok(false);
        }
        self.verify_usable(password, hash).await
    }

    async fn verify_usable(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<bool, HashError> {
        let password = password.clone();
        let hash = hash.clone();
        self.in_slot(move |slot| verify_now(slot, &password, &hash))
            .await
    }

    /// Does `password` match any of `hashes`? Stops at the first match.
    pub async fn matches_any(
        &self,
        password: &Password,
        hashes: &[PasswordHash],
    ) -> Result<bool, HashError> {
        let password = password.clone();
        let hashes = hashes.to_vec();
        self.in_slot(move |slot| hashes.iter().any(|h| verify_now(slot, &password, h)))
            .await
    }

    /// Spend the cost of one verification without an account to verify against.
    pub async fn verify_dummy(&self, password: &Password) -> Result<(), HashError> {
        let dummy = match self.inner.dummy.get() {
            Some(d) => d.clone(),
            None => {
                let made = self
                    .hash(&Password("dummy-password-for-timing".into()), [7u8; 16])
                    .await?;
                self.inner.dummy.get_or_init(|| made).clone()
            }
        };
        self.verify_usable(password, &dummy).await.map(|_| ())
    }

    /// Runs `work` on the blocking pool with an idle slot, waiting for one if all are busy.
    async fn in_slot<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Hasher) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Task(e.to_string()))?;
        let mut slot = self
            .inner
            .slots
            .lock()
            .expect("hasher slots")
            .pop()
            .expect("a permit always finds an idle slot");
        let done = tokio::task::spawn_blocking(move || {
            let answer = work(&mut slot);
            (slot, answer)
        })
        .await;
        let (slot, answer) = match done {
            Ok(done) => done,
            Err(e) => {
                // The slot went down with the task: put a fresh one back so the pool keeps its size.
                self.give_back(self.inner.argon.hasher());
                return Err(HashError::Task(e.to_string()));
            }
        };
        self.give_back(slot);
        Ok(answer)
    }

    fn give_back(&self, slot: Hasher) {
        self.inner.slots.lock().expect("hasher slots").push(slot);
    }
}

fn hash_now(
    slot: &mut Hasher,
    password: &Password,
    salt: &[u8; 16],
) -> Result<PasswordHash, HashError> {
    slot.hash_password(password.expose().as_bytes(), salt)
        .map(PasswordHash)
        .map_err(|e| HashError::Params(e.to_string()))
}

/// Parameters come from the PHC string, so hashes made under older settings still verify. A
/// string asking for more memory than the slot holds is verified in an arena freed straight
/// after, so a stored hash cannot make a slot grow.
fn verify_now(slot: &mut Hasher, password: &Password, hash: &PasswordHash) -> bool {
    slot.verify_encoded(
        hash.as_str(),
        password.expose().as_bytes(),
        Algorithm::Argon2id,
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::with_slots(
            HashParams {
                memory_kib: 64,
                iterations: 1,
                parallelism: 1,
            },
            1,
        )
        .unwrap()
    }

    #[tokio::test]
    async fn hashes_to_argon2id_phc_and_verifies() {
        let pw = Password::new("Correct-Horse-42").unwrap();
        let h = fast().hash(&pw, [1; 16]).await.unwrap();
        assert!(h.as_str().starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(fast().verify(&pw, &h).await.unwrap());
        assert!(!fast()
            .verify(&Password::new("correct-horse-42").unwrap(), &h)
            .await
            .unwrap());
    }

    /// Written by the argon2 implementation used before this one (RustCrypto's `argon2` 0.5):
    /// hashes already stored must keep verifying.
    const EARLIER_HASHES: [&str; 2] = [
        "$argon2id$v=19$m=64,t=1,p=1$CQkJCQkJCQkJCQkJCQkJCQ$Odo/FOd0l1cTstRDHkXHGfsyLsoHkGmoMz7qkctBj64",
        "$argon2id$v=19$m=19456,t=2,p=1$CQkJCQkJCQkJCQkJCQkJCQ$GTF2sqXsSPJIVAhRLvvXOTYNlBvmuIPwSHm3+2VaiUs",
    ];

    #[tokio::test]
    async fn hashes_stored_by_the_earlier_implementation_still_verify() {
        let right = Password::new("Correct-Horse-42").unwrap();
        let wrong = Password::new("Correct-Horse-43").unwrap();
        for phc in EARLIER_HASHES {
            let stored = PasswordHash::from_phc(phc.into());
            assert!(fast().verify(&right, &stored).await.unwrap(), "{phc}");
            assert!(!fast().verify(&wrong, &stored).await.unwrap(), "{phc}");
        }
        // The same password and salt hash to the same string as before.
        let again = fast().hash(&right, [9; 16]).await.unwrap();
        assert_eq!(again.as_str(), EARLIER_HASHES[0]);
    }

    #[tokio::test]
    async fn a_malformed_or_foreign_hash_never_verifies() {
        let pw = Password::new("Correct-Horse-42").unwrap();
        for phc in [
            "",
            "!federated",
            "$argon2i$v=19$m=64,t=1,p=1$CQkJCQkJCQkJCQkJCQkJCQ$Odo/FOd0l1cTstRDHkXHGfsyLsoHkGmoMz7qkctBj64",
            "$argon2id$v=19$m=64,t=1,p=1$CQkJCQkJCQkJCQkJCQkJCQ$",
        ] {
            let stored = PasswordHash::from_phc(phc.into());
            assert!(!fast().verify(&pw, &stored).await.unwrap(), "{phc}");
        }
    }

    /// A federated account's marker verifies nothing, at the cost of a real verification (the
    /// real parameters, so the difference would show: a refused marker alone takes microseconds).
    #[tokio::test]
    async fn an_unusable_hash_costs_a_verification_too() {
        let hasher = PasswordHasher::with_slots(HashParams::default(), 1).unwrap();
        let pw = Password::new("Correct-Horse-42").unwrap();
        let real = hasher.hash(&pw, [3; 16]).await.unwrap();
        hasher.verify_dummy(&pw).await.unwrap();
        let time = |hash: PasswordHash| {
            let (hasher, pw) = (hasher.clone(), pw.clone());
            async move {
                let mut took = Vec::new();
                for _ in 0..5 {
                    let start = std::time::Instant::now();
                    hasher.verify(&pw, &hash).await.unwrap();
                    took.push(start.elapsed());
                }
                took.sort();
                took[2]
            }
        };
        let federated = time(PasswordHash::unusable()).await;
        let usable = time(real).await;
        assert!(!PasswordHash::unusable().is_usable());
        assert!(
            federated * 2 > usable,
            "federated {federated:?}, usable {usable:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_hashes_share_a_fixed_number_of_arenas() {
        let params = HashParams {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        };
        let hasher = PasswordHasher::with_slots(params, 2).unwrap();
        let pw = Password::new("Correct-Horse-42").unwrap();
        for round in 0..5u8 {
            let burst: Vec<_> = (0..8u8)
                .map(|i| {
                    let (hasher, pw) = (hasher.clone(), pw.clone());
                    tokio::spawn(async move { hasher.hash(&pw, [round * 8 + i; 16]).await })
                })
                .collect();
            for task in burst {
                let hash = task.await.unwrap().unwrap();
                assert!(hasher.verify(&pw, &hash).await.unwrap());
            }
        }
        // Forty hashes, eight at a time: still two arenas of 256 KiB, kept for the next hash.
        assert_eq!(hasher.arena_kib(), 2 * 256);
    }

    #[tokio::test]
    async fn a_stored_hash_asking_for_more_memory_leaves_the_slot_as_it_was() {
        let small = fast();
        let pw = Password::new("Correct-Horse-42").unwrap();
        assert!(small.hash(&pw, [1; 16]).await.is_ok());
        assert_eq!(small.arena_kib(), 64);
        let big = PasswordHash::from_phc(EARLIER_HASHES[1].into());
        assert!(small.verify(&pw, &big).await.unwrap());
        assert_eq!(small.arena_kib(), 64);
    }

    #[tokio::test]
    async fn default_parameters_are_the_owasp_minimum() {
        let h = PasswordHasher::new(HashParams::default()).unwrap();
        let phc = h.hash(&Password::new("x").unwrap(), [2; 16]).await.unwrap();
        assert!(
            phc.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            phc.as_str()
        );
    }

    #[test]
    fn passwords_are_nfc_normalized_and_capped() {
        assert_eq!(
            Password::new("e\u{301}").unwrap(),
            Password::new("\u{e9}").unwrap()
        );
        assert!(Password::new(&"a".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
        assert_eq!(
            format!("{:?}", Password::new("hunter2").unwrap()),
            "Password(<redacted>)"
        );
    }

    #[tokio::test]
    async fn matches_any_finds_an_old_password() {
        let h = fast();
        let old = Password::new("Old-Password-1").unwrap();
        let hashes = vec![
            h.hash(&Password::new("Other-Password-2").unwrap(), [3; 16])
                .await
                .unwrap(),
            h.hash(&old, [4; 16]).await.unwrap(),
        ];
        assert!(h.matches_any(&old, &hashes).await.unwrap());
        assert!(!h
            .matches_any(&Password::new("New-Password-3").unwrap(), &hashes)
            .await
            .unwrap());
    }
}
