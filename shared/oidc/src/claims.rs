//! What the provider says about a person: the ID token's claims (Core §2) and userinfo's
//! (Core §5.3), each profile claim only under the scope that asks for it (Core §5.4).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tessera_identity::Profile;
use tessera_kernel::time::Timestamp;

use crate::scopes::Scopes;
use crate::tokens::{FamilyToken, TokenFamily};

/// What the `access` scope's claims say: the levels in force (`guest` always first) and the
/// resources special access was given to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessClaims {
    pub levels: Vec<&'static str>,
    pub resources: Vec<String>,
}

impl AccessClaims {
    pub fn of(record: &tessera_access::entitlement::AccessRecord, now: Timestamp) -> AccessClaims {
        AccessClaims {
            levels: record.levels(now),
            resources: record
                .live(now)
                .filter_map(|e| e.resource.clone())
                .collect(),
        }
    }
}

/// The claims the scopes grant, `sub` always; `access` is read only when its scope was granted.
pub fn userinfo(
    profile: &Profile,
    scopes: &Scopes,
    access: Option<&AccessClaims>,
) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(profile.account_id.as_str()));
    if scopes.has("profile") {
        let (given, family) = (profile.first_name.as_str(), profile.last_name.as_str());
        claims.insert("name".into(), json!(format!("{given} {family}")));
        claims.insert("given_name".into(), json!(given));
        claims.insert("family_name".into(), json!(family));
        if let Some(username) = &profile.username {
            claims.insert("preferred_username".into(), json!(username.as_str()));
        }
    }
    if scopes.has("email") {
        claims.insert("email".into(), json!(profile.email.as_str()));
        // An account is usable only once its address answered the activation code; a changed
        // address is proven the same way before it is stored.
        claims.insert("email_verified".into(), json!(true));
    }
    if let (true, Some(access)) = (scopes.has("access"), access) {
        claims.insert("access_levels".into(), json!(access.levels));
        claims.insert("access_resources".into(), json!(access.resources));
    }
    claims
}

/// When and by whom an ID token is issued.
pub struct Issuance<'a> {
    pub issuer: &'a str,
    pub at: Timestamp,
    pub lifetime: tessera_kernel::time::Seconds,
}

/// The ID token's claims for `family`, issued with its access token `access`.
pub fn id_token(
    issuance: &Issuance<'_>,
    family: &TokenFamily,
    profile: &Profile,
    levels: Option<&AccessClaims>,
    nonce: Option<&str>,
    access: &FamilyToken,
) -> Value {
    let Issuance {
        issuer,
        at: now,
        lifetime,
    } = *issuance;
    let mut claims = userinfo(profile, &family.scopes, levels);
    claims.insert("iss".into(), json!(issuer));
    claims.insert("aud".into(), json!(family.client_id.as_str()));
    claims.insert("iat".into(), json!(now.0));
    claims.insert("exp".into(), json!((now + lifetime).0));
    claims.insert("auth_time".into(), json!(family.auth_time.0));
    claims.insert("sid".into(), json!(family.id.as_str()));
    // RFC 8176 methods: a password, and the authenticator when the sign-in passed it; an
    // account that signs in only through its organisation's provider: `fed` (federated).
    let amr: &[&str] = if profile.federated {
        &["fed"]
    } else if family.second_factor {
        &["pwd", "otp", "mfa"]
    } else {
        &["pwd"]
    };
    claims.insert("amr".into(), json!(amr));
    claims.insert("at_hash".into(), json!(at_hash(access.expose())));
    if let Some(nonce) = nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    Value::Object(claims)
}

/// Core §3.1.3.6: the left half of the access token's SHA-256 (ES256), base64url.
fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The claims of an ID token this provider signed with one of `keys` (its `kid` names the key),
/// or nothing: what an `id_token_hint` is checked by. Its expiry is not checked (a hint may be
/// an old token, Core §3.1.2.1); `ring` verifies the signature.
pub fn verify_own(
    keys: &[tessera_kernel::signing::PublicJwk],
    token: &str,
) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header.get("alg")? != "ES256" {
        return None;
    }
    let kid = header.get("kid")?.as_str()?;
    let key = keys.iter().find(|k| k.kid == kid)?;
    let mut point = vec![0x04];
    point.extend(URL_SAFE_NO_PAD.decode(&key.x).ok()?);
    point.extend(URL_SAFE_NO_PAD.decode(&key.y).ok()?);
    let verifier =
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point);
    let signed = &token[..token.rfind('.')?];
    verifier
        .verify(signed.as_bytes(), &URL_SAFE_NO_PAD.decode(signature).ok()?)
        .ok()?;
    match serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}
