//! The program's signing keys on the embedded default: a key file beside the database, one
//! P-256 key per line (base64 PKCS#8), the current key first. Made with one key on first use; a
//! key put on a new first line rotates, and the keys below keep verifying what they signed.
//! `ring` signs (ES256, fixed-length `r || s`).

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use std::io::Write;
use std::path::Path;
use tessera_kernel::signing::{JwsSigner, PublicJwk, SignError, SigningKeys};

pub struct LocalSigner {
    /// The current key first.
    keys: Vec<EcdsaKeyPair>,
    random: SystemRandom,
}

impl std::fmt::Debug for LocalSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LocalSigner({} keys)", self.keys.len())
    }
}

impl LocalSigner {
    /// The keys in `dir`'s key file for `keys`, made with one new key when there is none
    /// (processes starting together: the first to create the file writes it, the others read it).
    pub fn open(dir: &Path, keys: SigningKeys) -> std::io::Result<LocalSigner> {
        let random = SystemRandom::new();
        let path = dir.join(keys.local_file());
        std::fs::create_dir_all(dir)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let text = match options.open(&path) {
            Ok(mut file) => {
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random)
                    .map_err(|_| std::io::Error::other("no key could be generated"))?;
                let line = format!("{}\n", STANDARD.encode(pkcs8.as_ref()));
                file.write_all(line.as_bytes())?;
                line
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_written(&path)?,
            Err(e) => return Err(e),
        };
        Self::from_lines(&text, random)
    }

    /// Rotates the keys in `dir`'s key file for `keys`: a new key becomes the current one, and
    /// the others stay, to verify what they signed.
    pub fn rotate(dir: &Path, keys: SigningKeys) -> std::io::Result<()> {
        let path = dir.join(keys.local_file());
        let kept = std::fs::read_to_string(&path)?;
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|_| std::io::Error::other("no key could be generated"))?;
        let written = path.with_extension("new");
        std::fs::write(
            &written,
            format!("{}\n{kept}", STANDARD.encode(pkcs8.as_ref())),
        )?;
        // One rename: a process starting meanwhile reads the old file or the new one, whole.
        std::fs::rename(written, path)
    }

    fn from_lines(text: &str, random: SystemRandom) -> std::io::Result<LocalSigner> {
        let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
        let keys = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| {
                let der = STANDARD
                    .decode(line)
                    .map_err(|_| invalid("a key is not base64"))?;
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &random)
                    .map_err(|_| invalid("a key is not a P-256 PKCS#8 key"))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        if keys.is_empty() {
            return Err(invalid("the key file holds no key"));
        }
        Ok(LocalSigner { keys, random })
    }
}

/// The file another process just created, once it holds its key.
fn read_written(path: &Path) -> std::io::Result<String> {
    for _ in 0..50 {
        let text = std::fs::read_to_string(path)?;
        if text.ends_with('\n') {
            return Ok(text);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err(std::io::Error::other("the key file stays empty"))
}

#[async_trait]
impl JwsSigner for LocalSigner {
    async fn public_keys(&self) -> Result<Vec<PublicJwk>, SignError> {
        Ok(self
            .keys
            .iter()
            .filter_map(|k| PublicJwk::from_p256_point(k.public_key().as_ref()))
            .collect())
    }

    async fn sign(&self, input: &[u8]) -> Result<Vec<u8>, SignError> {
        let current = self
            .keys
            .first()
            .ok_or_else(|| SignError::Unavailable("no key".into()))?;
        current
            .sign(&self.random, input)
            .map(|signature| signature.as_ref().to_vec())
            .map_err(|_| SignError::Unavailable("ring refused to sign".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_key_file_is_made_once_and_a_new_first_line_rotates() {
        let dir = std::env::temp_dir().join(format!("tessera-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = LocalSigner::open(&dir, SigningKeys::Credentials).unwrap();
        let again = LocalSigner::open(&dir, SigningKeys::Credentials).unwrap();
        let keys = first.public_keys().await.unwrap();
        assert_eq!(keys, again.public_keys().await.unwrap());
        assert_eq!(keys.len(), 1);

        let id_tokens = LocalSigner::open(&dir, SigningKeys::IdTokens).unwrap();
        let id_token_keys = id_tokens.public_keys().await.unwrap();
        assert_ne!(id_token_keys, keys, "ID tokens have keys of their own");

        LocalSigner::rotate(&dir, SigningKeys::Credentials).unwrap();
        let signer = LocalSigner::open(&dir, SigningKeys::Credentials).unwrap();
        let rotated = signer.public_keys().await.unwrap();
        assert_eq!(rotated.len(), 2);
        assert_eq!(rotated[1], keys[0], "the retired key is still published");
        assert_ne!(rotated[0], keys[0], "a new key signs");
        assert_eq!(signer.sign(b"input").await.unwrap().len(), 64);
        let id_tokens = LocalSigner::open(&dir, SigningKeys::IdTokens).unwrap();
        assert_eq!(id_tokens.public_keys().await.unwrap(), id_token_keys);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
