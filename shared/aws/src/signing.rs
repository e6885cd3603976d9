//! The program's signing keys in KMS: asymmetric `ECC_NIST_P256` keys used for `SIGN_VERIFY`,
//! the current one first (`TESSERA_CREDENTIAL_KEYS`). Their public keys are read once, when the
//! process starts; a signature is one `Sign` call (`ECDSA_SHA_256` over the raw message), its DER
//! answer turned into JWS's fixed `r || s` by `p256`.

use async_trait::async_trait;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use p256::pkcs8::spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use tessera_credentials::signing::{CredentialSigner, PublicJwk, SignError};

pub use aws_sdk_kms::Client as KmsClient;

#[derive(Clone, Debug)]
pub struct KmsSigner {
    client: KmsClient,
    /// The current key's id (or alias), which signs.
    current: String,
    /// Every key's public part, the current one first.
    keys: Vec<PublicJwk>,
}

impl KmsSigner {
    /// Reads the public key of each of `key_ids` (the current one first).
    pub async fn open(client: KmsClient, key_ids: &[String]) -> Result<KmsSigner, SignError> {
        let current = key_ids
            .first()
            .cloned()
            .ok_or_else(|| SignError::Unavailable("no key named".into()))?;
        let mut keys = Vec::with_capacity(key_ids.len());
        for id in key_ids {
            let answer = client
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
        Ok(KmsSigner {
            client,
            current,
            keys,
        })
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
impl CredentialSigner for KmsSigner {
    fn public_keys(&self) -> Vec<PublicJwk> {
        self.keys.clone()
    }

    async fn sign(&self, input: &[u8]) -> Result<Vec<u8>, SignError> {
        let answer = self
            .client
            .sign()
            .key_id(&self.current)
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
