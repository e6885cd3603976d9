//! Authenticator seeds are sealed at rest with AES-256-GCM under a key that is not in the table
//! (configuration on AWS, a key file on the embedded default), bound to their account (the
//! account id is the additional data, so a sealed seed copied onto another account opens
//! nothing). Several keys may be configured, each with an id: the first seals, every one opens,
//! so a key can be rotated without breaking seeds sealed before.
//!
//! A stored seed reads `sealed:v1:<key id>:<base64 of nonce and ciphertext>`; one stored before
//! sealing existed is its base32 text, which still opens, and is sealed at its next write.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use std::fmt;

use tessera_kernel::ports::Random;

const PREFIX: &str = "sealed:v1:";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedKeyError {
    #[error("a key is written `<id>:<base64 of 32 bytes>`, keys separated by commas")]
    Format,
    #[error("key {0:?} is not 32 bytes of base64")]
    Key(String),
    #[error("two keys have the id {0:?}")]
    DuplicateId(String),
    #[error("no seed key is configured here")]
    NoKey,
}

/// The configured seed keys, the sealing one first. `Debug` shows the ids only.
#[derive(Clone, Default)]
pub struct SeedKeys {
    keys: Vec<(String, [u8; 32])>,
}

impl fmt::Debug for SeedKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "SeedKeys({ids:?})")
    }
}

impl SeedKeys {
    /// No key: sealed seeds do not open and nothing can be sealed (functions that never read
    /// an authenticator are not given the key).
    pub fn none() -> SeedKeys {
        SeedKeys::default()
    }

    /// `id:base64,id:base64…`, the sealing key first.
    pub fn parse(spec: &str) -> Result<SeedKeys, SeedKeyError> {
        let mut keys: Vec<(String, [u8; 32])> = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, key) = part.split_once(':').ok_or(SeedKeyError::Format)?;
            let ok_id = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok_id {
                return Err(SeedKeyError::Format);
            }
            let bytes = STANDARD
                .decode(key.trim())
                .map_err(|_| SeedKeyError::Key(id.into()))?;
            let key: [u8; 32] = bytes.try_into().map_err(|_| SeedKeyError::Key(id.into()))?;
            if keys.iter().any(|(known, _)| known == id) {
                return Err(SeedKeyError::DuplicateId(id.into()));
            }
            keys.push((id.to_string(), key));
        }
        if keys.is_empty() {
            return Err(SeedKeyError::Format);
        }
        Ok(SeedKeys { keys })
    }

    /// A new key spec with one random key named `id`, for a key file made on first use.
    pub fn generate_spec(id: &str, random: &dyn Random) -> String {
        let mut key = [0u8; 32];
        random.fill(&mut key);
        format!("{id}:{}", STANDARD.encode(key))
    }

    pub fn is_configured(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Seals `seed` for `account` under the first key.
    pub fn seal(
        &self,
        account: &str,
        seed: &str,
        random: &dyn Random,
    ) -> Result<String, SeedKeyError> {
        let (id, key) = self.keys.first().ok_or(SeedKeyError::NoKey)?;
        let mut nonce = [0u8; NONCE_LEN];
        random.fill(&mut nonce);
        let mut sealed = seed.as_bytes().to_vec();
        aead_key(key)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(account.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| SeedKeyError::NoKey)?;
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{id}:{}", STANDARD.encode(stored)))
    }

    /// The seed `stored` holds for `account`: opened with the key it names, or as it is when it
    /// was stored before sealing. `None` when no key here opens it (unknown id, another
    /// account's seed, or tampered).
    pub fn open(&self, account: &str, stored: &str) -> Option<String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Some(stored.to_string());
        };
        let (id, sealed) = rest.split_once(':')?;
        let (_, key) = self.keys.iter().find(|(known, _)| known == id)?;
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buffer = ciphertext.to_vec();
        let plain = aead_key(key)
            .open_in_place(nonce, Aad::from(account.as_bytes()), &mut buffer)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    /// Whether `stored` is sealed (and under the sealing key: one under an older key is sealed
    /// again at its next write, so retiring that key becomes possible).
    pub fn is_sealed_by_current(&self, stored: &str) -> bool {
        match (self.keys.first(), stored.strip_prefix(PREFIX)) {
            (Some((id, _)), Some(rest)) => rest.split_once(':').is_some_and(|(k, _)| k == id),
            _ => false,
        }
    }
}

fn aead_key(key: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte AES-256 key"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ports::CountingRandom;

    const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn keys(spec_ids: &[&str]) -> SeedKeys {
        let random = CountingRandom::from(1);
        let spec: Vec<String> = spec_ids
            .iter()
            .map(|id| SeedKeys::generate_spec(id, &random))
            .collect();
        SeedKeys::parse(&spec.join(",")).unwrap()
    }

    #[test]
    fn a_sealed_seed_opens_for_its_account_only() {
        let keys = keys(&["k1"]);
        let random = CountingRandom::from(7);
        let sealed = keys.seal("account-a", SEED, &random).unwrap();
        assert!(sealed.starts_with("sealed:v1:k1:"), "{sealed}");
        assert!(!sealed.contains(SEED));
        assert_eq!(keys.open("account-a", &sealed).as_deref(), Some(SEED));
        assert_eq!(
            keys.open("account-b", &sealed),
            None,
            "bound to its account"
        );
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(keys.open("account-a", &tampered), None);
        assert_eq!(SeedKeys::none().open("account-a", &sealed), None);
        assert_eq!(
            SeedKeys::none().seal("account-a", SEED, &random).err(),
            Some(SeedKeyError::NoKey)
        );
    }

    #[test]
    fn seeds_stored_before_sealing_still_open() {
        assert_eq!(keys(&["k1"]).open("a", SEED).as_deref(), Some(SEED));
        assert!(!keys(&["k1"]).is_sealed_by_current(SEED));
    }

    #[test]
    fn a_rotated_key_still_opens_what_it_sealed() {
        let random = CountingRandom::from(3);
        let old = keys(&["old"]);
        let sealed = old.seal("a", SEED, &random).unwrap();
        let old_spec = SeedKeys::generate_spec("old", &CountingRandom::from(1));
        let new_spec = SeedKeys::generate_spec("new", &CountingRandom::from(99));
        let rotated = SeedKeys::parse(&format!("{new_spec},{old_spec}")).unwrap();
        assert_eq!(rotated.open("a", &sealed).as_deref(), Some(SEED));
        assert!(!rotated.is_sealed_by_current(&sealed), "to be sealed again");
        let resealed = rotated.seal("a", SEED, &random).unwrap();
        assert!(resealed.starts_with("sealed:v1:new:"));
        assert!(rotated.is_sealed_by_current(&resealed));
    }

    #[test]
    fn malformed_specs_are_refused() {
        let error = |spec: &str| SeedKeys::parse(spec).err();
        assert_eq!(error(""), Some(SeedKeyError::Format));
        assert_eq!(error("nokey"), Some(SeedKeyError::Format));
        assert_eq!(error("k:c2hvcnQ="), Some(SeedKeyError::Key("k".into())));
        let one = SeedKeys::generate_spec("k", &CountingRandom::from(1));
        assert_eq!(
            error(&format!("{one},{one}")),
            Some(SeedKeyError::DuplicateId("k".into()))
        );
        assert!(format!("{:?}", SeedKeys::parse(&one).unwrap()).contains("\"k\""));
        assert!(!format!("{:?}", SeedKeys::parse(&one).unwrap()).contains(&one[2..]));
    }
}
