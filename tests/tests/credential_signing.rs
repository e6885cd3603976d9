//! The program's signing keys on both backends (a key file on the embedded default, KMS on moto):
//! a credential signed as a compact JWS verifies, with a verifier's own JOSE library, against
//! the published public key its header names, and fails when anything in it changes; after a
//! rotation the retired key is still published and the new one signs.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use std::sync::Arc;
use tessera_aws::signing::{KmsClient, KmsSigner};
use tessera_kernel::signing::{compact_jws, JwsSigner, SigningKeys};
use tessera_local::signing::LocalSigner;
use tessera_testkit::Backend;

const JWKS_URL: &str = "https://certs.example.com/v1/issuer/jwks.json";

/// A signer with `keys` keys (the current one first), on `backend`.
async fn signer(backend: Backend, keys: usize) -> Arc<dyn JwsSigner> {
    match backend {
        Backend::Embedded => {
            let dir = tempfile::tempdir().unwrap().keep();
            LocalSigner::open(&dir, SigningKeys::Credentials).unwrap();
            for _ in 1..keys {
                LocalSigner::rotate(&dir, SigningKeys::Credentials).unwrap();
            }
            let signer = LocalSigner::open(&dir, SigningKeys::Credentials).unwrap();
            Arc::new(signer)
        }
        Backend::Moto => {
            let client = KmsClient::new(&tessera_testkit::moto::sdk_config().await);
            let mut ids = Vec::new();
            for _ in 0..keys {
                ids.push(tessera_testkit::moto::new_signing_key(&client).await);
            }
            Arc::new(KmsSigner::new(client, ids))
        }
    }
}

/// What a verifier does: the key the header names, from the published set, checks the token.
fn verify(token: &str, published: &[Value]) -> Result<Value, String> {
    let header = decode_header(token).map_err(|e| e.to_string())?;
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let kid = header.kid.ok_or("no kid")?;
    let fragment = kid
        .strip_prefix(&format!("{JWKS_URL}#"))
        .ok_or("the kid is not a key of the published set")?;
    let jwk = published
        .iter()
        .find(|k| k["kid"] == fragment)
        .ok_or("no published key has that id")?;
    let jwk: Jwk = serde_json::from_value(jwk.clone()).map_err(|e| e.to_string())?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    decode::<Value>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| e.to_string())
}

/// The signer's public keys as a verifier receives them: JSON.
async fn published(signer: &dyn JwsSigner) -> Vec<Value> {
    signer
        .public_keys()
        .await
        .unwrap()
        .iter()
        .map(|k| serde_json::to_value(k).unwrap())
        .collect()
}

async fn signed_credentials_verify_with_the_published_keys(backend: Backend) {
    let signer = signer(backend, 1).await;
    let published = published(signer.as_ref()).await;
    assert_eq!(published.len(), 1);
    assert_eq!(
        (
            &published[0]["kty"],
            &published[0]["crv"],
            &published[0]["alg"]
        ),
        (&json!("EC"), &json!("P-256"), &json!("ES256"))
    );
    assert!(published[0].get("d").is_none(), "never a private part");
    let payload = json!({ "iss": "https://certs.example.com/v1/issuer", "name": "Zoë's badge" });
    let token = compact_jws(signer.as_ref(), JWKS_URL, &payload)
        .await
        .unwrap();
    assert_eq!(verify(&token, &published), Ok(payload.clone()));

    // Another payload under the same signature: refused.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let forged = json!({ "iss": "https://certs.example.com/v1/issuer", "name": "Someone else" });
    parts[1] = base64_url(&forged.to_string());
    assert!(verify(&parts.join("."), &published).is_err());
}

async fn a_rotation_keeps_the_retired_key_published(backend: Backend) {
    let signer = signer(backend, 2).await;
    let published = published(signer.as_ref()).await;
    assert_eq!(published.len(), 2);
    assert_ne!(published[0]["kid"], published[1]["kid"]);
    let token = compact_jws(signer.as_ref(), JWKS_URL, &json!({ "n": 1 }))
        .await
        .unwrap();
    let kid = decode_header(&token).unwrap().kid.unwrap();
    assert!(
        kid.ends_with(published[0]["kid"].as_str().unwrap()),
        "the current key signs"
    );
    assert!(verify(&token, &published).is_ok());
    assert!(
        verify(&token, &published[1..]).is_err(),
        "the retired key does not verify what the current one signed"
    );
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

tessera_tests::on_both_backends!(
    signed_credentials_verify_with_the_published_keys,
    a_rotation_keeps_the_retired_key_published,
);
