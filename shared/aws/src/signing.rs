//! The program's signing keys in KMS: asymmetric `ECC_NIST_P256` keys used for `SIGN_VERIFY`,
//! the current one first (`TESSERA_CREDENTIAL_KEYS` or `TESSERA_ID_TOKEN_KEYS`). Their public
//! keys are read once per process, when first asked for; a signature is one `Sign` call (`ECDSA_SHA_256` over the raw message),
//! its DER answer turned into JWS's fixed `r || s` by `p256`.

use async_trait::async_trait;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use p256::pkcs8::spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use tessera_kernel::signing::{JwsSigner, PublicJwk, SignError};

pub use aws_sdk_kms::Client as KmsClient;

#[derive(Debug)]
pub struct KmsSigner {
    client: KmsClient,
    /// Key ids, ARNs or aliases, the current one (which signs) first.
    key_ids: Vec<String>,
    /// Every key's public part, the current one first, once read.
    keys: tokio::sync::OnceCell<Vec<PublicJwk>>,
}

impl KmsSigner {
    /// The keys `key_ids` name (the current one first); nothing is read until needed.
    pub fn new(client: KmsClient, key_ids: Vec<String>) -> KmsSigner {
        KmsSigner {
            client,
            key_ids,
            keys: tokio::sync::OnceCell::new(),
        }
    }

    async fn read_public_keys(&self) -> Result<Vec<PublicJwk>, SignError> {
        if self.key_ids.is_empty() {
            return Err(SignError::Unavailable("no key named".into()));
        }
        let mut keys = Vec::with_capacity(self.key_ids.len());
        for id in &self.key_ids {
            let answer = self
                .client
                .get_public_key()
                .key_id(id)
                .send()
                .await
                .map_err(|e| SignError::Unavailable(format!("{id}: {}", e.into_service_error())))?;
            let der = answer
                .public_key()
                .ok_or_else(|| SignError::Unavailable(format!("{id}: no public key")))?;
            let jwk = p256_point(der.as_ref())
                .and_then(PublicJwk::from_p256_point)
                .ok_or_else(|| SignError::Unavailable(format!("{id}: not a P-256 key")))?;
            keys.push(jwk);
        }
        Ok(keys)
    }
}

/// The curve point of a DER `SubjectPublicKeyInfo`, when it is a P-256 key.
fn p256_point(der: &[u8]) -> Option<&[u8]> {
    const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    let info = SubjectPublicKeyInfoRef::try_from(der).ok()?;
    let curve = info.algorithm.parameters_oid().ok()?;
    (info.algorithm.oid == EC_PUBLIC_KEY && curve == P256)
        .then(|| info.subject_public_key.as_bytes())
        .flatten()
}

#[async_trait]
impl JwsSigner for KmsSigner {
    async fn public_keys(&self) -> Result<Vec<PublicJwk>, SignError> {
        self.keys
            .get_or_try_init(|| self.read_public_keys())
            .await
            .cloned()
    }

    async fn sign(&self, input: &[u8]) -> Result<Vec<u8>, SignError> {
        let current = self
            .key_ids
            .first()
            .ok_or_else(|| SignError::Unavailable("no key named".into()))?;
        let answer = self
            .client
            .sign()
            .key_id(current)
            .message(Blob::new(input))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .map_err(|e| SignError::Unavailable(e.into_service_error().to_string()))?;
        let der = answer
            .signature()
            .ok_or_else(|| SignError::Unavailable("KMS answered no signature".into()))?;
        let signature = p256::ecdsa::Signature::from_der(der.as_ref())
            .map_err(|_| SignError::Unavailable("KMS answered a malformed signature".into()))?;
        Ok(signature.to_bytes().to_vec())
    }
}
