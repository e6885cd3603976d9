//! Passwords as secrets: NFC-normalized, capped before any hashing, never printed.
//! Hashing is argon2id with explicit parameters, run off the async threads, stored as PHC strings.

use argon2::password_hash::{PasswordHash as PhcHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Arc, OnceLock};
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

/// Hashes and verifies passwords on tokio's blocking pool.
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<HasherInner>,
}

struct HasherInner {
    argon: Argon2<'static>,
    /// A hash of a random secret, verified against when an account does not exist, so the
    /// unknown-account path costs one verification like the known one. Made on first use.
    dummy: OnceLock<PasswordHash>,
}

impl PasswordHasher {
    pub fn new(params: HashParams) -> Result<PasswordHasher, HashError> {
        let p = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| HashError::Params(e.to_string()))?;
        Ok(PasswordHasher {
            inner: Arc::new(HasherInner {
                argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, p),
                dummy: OnceLock::new(),
            }),
        })
    }

    /// `salt` must come from a CSPRNG (16 bytes, as the PHC format recommends).
    pub async fn hash(
        &self,
        password: &Password,
        salt: [u8; 16],
    ) -> Result<PasswordHash, HashError> {
        let inner = self.inner.clone();
        let password = password.clone();
        tokio::task::spawn_blocking(move || inner.hash_now(&password, &salt))
            .await
            .map_err(|e| HashError::Task(e.to_string()))?
    }

    pub async fn verify(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<bool, HashError> {
        let inner = self.inner.clone();
        let password = password.clone();
        let hash = hash.clone();
        tokio::task::spawn_blocking(move || Ok(inner.verify_now(&password, &hash)))
            .await
            .map_err(|e| HashError::Task(e.to_string()))?
    }

    /// Does `password` match any of `hashes`? Stops at the first match.
    pub async fn matches_any(
        &self,
        password: &Password,
        hashes: &[PasswordHash],
    ) -> Result<bool, HashError> {
        let inner = self.inner.clone();
        let password = password.clone();
        let hashes = hashes.to_vec();
        tokio::task::spawn_blocking(move || {
            Ok(hashes.iter().any(|h| inner.verify_now(&password, h)))
        })
        .await
        .map_err(|e| HashError::Task(e.to_string()))?
    }

    /// Spend the cost of one verification without an account to verify against.
    pub async fn verify_dummy(&self, password: &Password) -> Result<(), HashError> {
        let inner = self.inner.clone();
        let password = password.clone();
        tokio::task::spawn_blocking(move || {
            let dummy = match inner.dummy.get() {
                Some(d) => d.clone(),
                None => {
                    let made = inner
                        .hash_now(&Password("dummy-password-for-timing".into()), &[7u8; 16])?;
                    inner.dummy.get_or_init(|| made).clone()
                }
            };
            let _ = inner.verify_now(&password, &dummy);
            Ok(())
        })
        .await
        .map_err(|e| HashError::Task(e.to_string()))?
    }
}

impl HasherInner {
    fn hash_now(&self, password: &Password, salt: &[u8; 16]) -> Result<PasswordHash, HashError> {
        let salt = SaltString::encode_b64(salt).map_err(|e| HashError::Params(e.to_string()))?;
        let phc = self
            .argon
            .hash_password(password.expose().as_bytes(), &salt)
            .map_err(|e| HashError::Params(e.to_string()))?;
        Ok(PasswordHash(phc.to_string()))
    }

    /// Parameters come from the PHC string, so hashes made under older settings still verify.
    fn verify_now(&self, password: &Password, hash: &PasswordHash) -> bool {
        match PhcHash::new(hash.as_str()) {
            Ok(parsed) => self
                .argon
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::new(HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
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
