//! An organisation's ID token, checked as OpenID Connect Core §3.1.3.7 asks: signed by one of
//! the provider's published keys (`jsonwebtoken` verifies the signature), issued by it, for
//! Tessera's client, carrying the nonce this sign-in sent, and not expired by Tessera's own
//! clock (the time is injected, so the library's reading of the system clock is switched off).
//! Then the person: a subject, and an email address the provider says it verified.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use tessera_kernel::email::Email;
use tessera_kernel::time::Timestamp;

/// Seconds a provider's clock may run ahead of or behind Tessera's.
const LEEWAY: i64 = 60;

/// The algorithms a provider may sign with (the asymmetric ones of JWA).
const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// What Tessera expects of the token.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: Timestamp,
}

/// The person the token is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub subject: String,
    /// Only present when the provider says it verified it (`email_verified`).
    pub verified_email: Option<Email>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the ID token is not acceptable: {0}")]
pub struct Refused(pub &'static str);

/// The token names a key the provider's key set lacks: the set may be older than the token.
pub const UNKNOWN_KEY: Refused = Refused("signed with a key the provider does not publish");

pub fn verify(token: &str, keys: &JwkSet, expected: &Expected) -> Result<Person, Refused> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| Refused("not a signed JWT"))?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(Refused("signed with an algorithm not accepted"));
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or(UNKNOWN_KEY)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| Refused("a published key is unusable"))?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims.clear();
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => Refused("issued by another provider"),
            jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                Refused("issued for another client")
            }
            _ => Refused("its signature does not verify"),
        })?
        .claims;
    check_claims(&claims, expected)?;
    Ok(person(&claims))
}

fn check_claims(claims: &Map<String, Value>, expected: &Expected) -> Result<(), Refused> {
    let now = expected.now.0;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(Refused("it has no expiry"))?;
    if now >= exp + LEEWAY {
        return Err(Refused("it has expired"));
    }
    if claims
        .get("iat")
        .and_then(Value::as_i64)
        .is_some_and(|iat| iat > now + LEEWAY)
    {
        return Err(Refused("it was issued in the future"));
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(expected.nonce) {
        return Err(Refused("its nonce is not this sign-in's"));
    }
    // Several audiences: the authorized party must be Tessera (Core §3.1.3.7 items 4 and 5).
    if let Some(Value::Array(audiences)) = claims.get("aud") {
        if audiences.len() > 1
            && claims.get("azp").and_then(Value::as_str) != Some(expected.client_id)
        {
            return Err(Refused("it was issued to another party"));
        }
    }
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() && sub.len() <= 255 => Ok(()),
        _ => Err(Refused("it names no subject")),
    }
}

fn person(claims: &Map<String, Value>) -> Person {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    // Some providers send the flag as a string.
    let verified = matches!(claims.get("email_verified"), Some(Value::Bool(true)))
        || claims.get("email_verified").and_then(Value::as_str) == Some("true");
    Person {
        subject: text("sub").unwrap_or_default(),
        verified_email: text("email")
            .filter(|_| verified)
            .and_then(|e| Email::parse(&e).ok()),
        given_name: text("given_name"),
        family_name: text("family_name"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expected(now: i64) -> Expected<'static> {
        Expected {
            issuer: "https://login.example.com",
            client_id: "tessera",
            nonce: "n-1",
            now: Timestamp(now),
        }
    }

    fn claims(extra: Value) -> Map<String, Value> {
        let mut base = json!({
            "iss": "https://login.example.com", "aud": "tessera", "sub": "u-1",
            "exp": 1_000, "iat": 900, "nonce": "n-1",
            "email": "Ada@Example.com", "email_verified": true
        });
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base.as_object().unwrap().clone()
    }

    #[test]
    fn the_claims_hold_the_sign_in_to_its_nonce_and_tessera_s_clock() {
        assert_eq!(check_claims(&claims(json!({})), &expected(950)), Ok(()));
        assert_eq!(
            check_claims(&claims(json!({})), &expected(1_060)),
            Err(Refused("it has expired"))
        );
        assert_eq!(
            check_claims(&claims(json!({"nonce": "other"})), &expected(950)),
            Err(Refused("its nonce is not this sign-in's"))
        );
        assert_eq!(
            check_claims(&claims(json!({"iat": 2_000})), &expected(950)),
            Err(Refused("it was issued in the future"))
        );
        assert_eq!(
            check_claims(
                &claims(json!({"aud": ["tessera", "other"]})),
                &expected(950)
            ),
            Err(Refused("it was issued to another party"))
        );
        assert_eq!(
            check_claims(
                &claims(json!({"aud": ["tessera", "other"], "azp": "tessera"})),
                &expected(950)
            ),
            Ok(())
        );
    }

    #[test]
    fn only_an_address_the_provider_verified_is_taken() {
        let verified = person(&claims(json!({})));
        assert_eq!(verified.verified_email.unwrap().as_str(), "ada@example.com");
        for flag in [json!(false), json!("false"), Value::Null] {
            let unverified = person(&claims(json!({ "email_verified": flag })));
            assert_eq!(unverified.verified_email, None, "{flag}");
        }
        assert!(person(&claims(json!({"email_verified": "true"})))
            .verified_email
            .is_some());
    }
}
