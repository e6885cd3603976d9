//! The program's signing keys, as credentials and ID tokens need them: a port that signs with the
//! current key (ES256: ECDSA over P-256 with SHA-256) and lists every public key, current and
//! retired, so what was signed before a rotation still verifies; and the compact JWS (RFC 7515) a
//! signed credential or token travels as. Adapters: a key file on the embedded default, KMS on AWS. Nothing here
//! computes a signature: the adapters' libraries (or KMS) do.

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A public signing key as a JWK (RFC 7517), `kid` its RFC 7638 thumbprint. Never a private part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub x: String,
    pub y: String,
    pub kid: String,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub usage: &'static str,
}

impl PublicJwk {
    /// The key whose uncompressed P-256 point (SEC 1: `0x04 || x || y`) is `point`.
    pub fn from_p256_point(point: &[u8]) -> Option<PublicJwk> {
        let (tag, coordinates) = point.split_first()?;
        if *tag != 0x04 || coordinates.len() != 64 {
            return None;
        }
        let (x, y) = coordinates.split_at(32);
        let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
        // RFC 7638: the required members in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Some(PublicJwk {
            kty: "EC",
            crv: "P-256",
            x,
            y,
            kid,
            alg: "ES256",
            usage: "sig",
        })
    }
}

/// The program's two sets of keys, kept apart so that neither signs what the other's verifiers
/// accept: credentials (badges) and ID tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningKeys {
    Credentials,
    IdTokens,
}

impl SigningKeys {
    /// The key file beside the embedded database.
    pub fn local_file(self) -> &'static str {
        match self {
            SigningKeys::Credentials => "credential-signing-keys",
            SigningKeys::IdTokens => "id-token-signing-keys",
        }
    }

    /// The variable naming the KMS keys on AWS, comma-separated, the current one first.
    pub fn variable(self) -> &'static str {
        match self {
            SigningKeys::Credentials => "TESSERA_CREDENTIAL_KEYS",
            SigningKeys::IdTokens => "TESSERA_ID_TOKEN_KEYS",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the signing key is unavailable: {0}")]
    Unavailable(String),
}

/// The program's keys.
#[async_trait]
pub trait JwsSigner: Send + Sync {
    /// Every key a credential may be signed with, the current one first.
    async fn public_keys(&self) -> Result<Vec<PublicJwk>, SignError>;

    /// The ES256 signature of `input` with the current key: `r || s`, 64 bytes (RFC 7518 3.4).
    async fn sign(&self, input: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// `payload` as a compact JWS signed with `signer`'s current key; its header names the key by
/// `key_url` (where the key can be fetched: the JWK Set's address, `#` the key's id).
pub async fn compact_jws(
    signer: &dyn JwsSigner,
    key_url: &str,
    payload: &serde_json::Value,
) -> Result<String, SignError> {
    signed_jwt(signer, |kid| format!("{key_url}#{kid}"), payload).await
}

/// `payload` as a compact JWS signed with `signer`'s current key, whose header `kid` is
/// `header_kid` of the key's own id (ID tokens name the key by its id in the JWK Set alone).
pub async fn signed_jwt(
    signer: &dyn JwsSigner,
    header_kid: impl FnOnce(&str) -> String,
    payload: &serde_json::Value,
) -> Result<String, SignError> {
    let kid = signer
        .public_keys()
        .await?
        .first()
        .map(|k| header_kid(&k.kid))
        .ok_or_else(|| SignError::Unavailable("no signing key".into()))?;
    let header = serde_json::json!({ "alg": "ES256", "kid": kid, "typ": "JWT" });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = signer.sign(input.as_bytes()).await?;
    if signature.len() != 64 {
        return Err(SignError::Unavailable(format!(
            "an ES256 signature of {} bytes",
            signature.len()
        )));
    }
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_becomes_a_public_jwk_named_by_its_thumbprint() {
        let mut point = vec![0x04];
        point.extend((0u8..64).collect::<Vec<_>>());
        let jwk = PublicJwk::from_p256_point(&point).unwrap();
        assert_eq!(jwk.x, URL_SAFE_NO_PAD.encode((0u8..32).collect::<Vec<_>>()));
        assert_eq!(jwk.kid.len(), 43, "a SHA-256 digest in base64url");
        let json = serde_json::to_value(&jwk).unwrap();
        assert_eq!(json["use"], "sig");
        assert!(json.get("d").is_none());
        assert_eq!(PublicJwk::from_p256_point(&point[1..]), None);
        assert_eq!(PublicJwk::from_p256_point(&[0x02; 33]), None);
    }
}
