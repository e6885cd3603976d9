//! The payment provider's webhook signature: a `Stripe-Signature`-style header
//! `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]` over `"<t>.<raw body>"` with the endpoint's
//! signing secret. Several `v1` values arrive while a secret is being rolled; any one matching is
//! enough. Compared in constant time; a timestamp more than the tolerance away from now is
//! refused, so a captured delivery cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use tessera_kernel::time::{Seconds, Timestamp};

/// How far the signed timestamp may be from now (either way).
pub const TOLERANCE: Seconds = Seconds(300);
/// The longest header considered (a few signatures fit easily).
const MAX_HEADER: usize = 2048;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing or malformed")]
    Malformed,
    #[error("the signature timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches the body")]
    Mismatch,
}

/// The endpoint's signing secret (`whsec_…`): only ever used as an HMAC key.
#[derive(Clone)]
pub struct SigningSecret(Vec<u8>);

impl SigningSecret {
    pub fn new(secret: impl Into<Vec<u8>>) -> SigningSecret {
        SigningSecret(secret.into())
    }

    fn mac(&self, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The header value a provider would send for `body` at `timestamp` (for tests and the local
    /// sandbox provider).
    pub fn sign(&self, timestamp: Timestamp, body: &[u8]) -> String {
        let tag = self.mac(timestamp.0, body).finalize().into_bytes();
        format!("t={},v1={}", timestamp.0, hex::encode(tag))
    }

    /// Checks `header` against `body` at `now`.
    pub fn verify(&self, header: &str, body: &[u8], now: Timestamp) -> Result<(), SignatureError> {
        if header.len() > MAX_HEADER {
            return Err(SignatureError::Malformed);
        }
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for part in header.split(',') {
            let (key, value) = part
                .trim()
                .split_once('=')
                .ok_or(SignatureError::Malformed)?;
            match key {
                "t" if timestamp.is_none() => {
                    let t = value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?;
                    timestamp = Some(t);
                }
                "t" => return Err(SignatureError::Malformed),
                "v1" => {
                    // A value that is not 32 bytes of hex cannot match; skip it like the
                    // unknown schemes below rather than refuse the others.
                    if let Ok(bytes) = hex::decode(value) {
                        if bytes.len() == 32 {
                            signatures.push(bytes);
                        }
                    }
                }
                // Other schemes (`v0`, future ones) are not ours to check.
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
        if signatures.is_empty() {
            return Err(SignatureError::Malformed);
        }
        // `abs_diff` cannot overflow, whatever timestamp the header carries.
        if now.0.abs_diff(timestamp) > TOLERANCE.0.unsigned_abs() {
            return Err(SignatureError::Stale);
        }
        let matched = signatures
            .iter()
            .any(|s| self.mac(timestamp, body).verify_slice(s).is_ok());
        if matched {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const NOW: Timestamp = Timestamp(1_764_000_000);

    fn secret() -> SigningSecret {
        SigningSecret::new("whsec_test_secret")
    }

    #[test]
    fn a_fresh_signature_over_the_body_is_accepted() {
        let header = secret().sign(NOW, BODY);
        assert_eq!(secret().verify(&header, BODY, NOW), Ok(()));
        assert_eq!(
            secret().verify(&header, BODY, Timestamp(NOW.0 + 300)),
            Ok(())
        );
    }

    #[test]
    fn a_known_vector_matches() {
        // HMAC-SHA256("whsec_test_secret", "1764000000.{body}") computed independently.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_test_secret").unwrap();
        mac.update(b"1764000000.");
        mac.update(BODY);
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(
            secret().sign(NOW, BODY),
            format!("t=1764000000,v1={expected}")
        );
    }

    #[test]
    fn a_tampered_body_or_another_secret_is_refused() {
        let header = secret().sign(NOW, BODY);
        let tampered = br#"{"id":"evt_1","type":"checkout.session.completed" }"#;
        assert_eq!(
            secret().verify(&header, tampered, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            SigningSecret::new("whsec_other").verify(&header, BODY, NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_stale_or_future_timestamp_is_refused() {
        let old = secret().sign(Timestamp(NOW.0 - 301), BODY);
        assert_eq!(secret().verify(&old, BODY, NOW), Err(SignatureError::Stale));
        let future = secret().sign(Timestamp(NOW.0 + 301), BODY);
        assert_eq!(
            secret().verify(&future, BODY, NOW),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn an_extreme_timestamp_is_stale_not_a_panic() {
        for t in [i64::MIN, i64::MIN + 1, -1, i64::MAX] {
            let header = format!("t={t},v1={}", "00".repeat(32));
            for now in [NOW, Timestamp(i64::MIN), Timestamp(i64::MAX)] {
                let verdict = secret().verify(&header, BODY, now);
                assert!(verdict.is_err(), "t={t} now={now:?}");
            }
            assert_eq!(
                secret().verify(&header, BODY, NOW),
                Err(SignatureError::Stale)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_header_gets_a_verdict(header in "\\PC{0,200}", t in proptest::num::i64::ANY) {
            let _ = secret().verify(&header, BODY, NOW);
            let with_time = format!("t={t},v1={}", "ab".repeat(32));
            proptest::prop_assert!(secret().verify(&with_time, BODY, NOW).is_err());
        }
    }

    #[test]
    fn any_of_several_v1_values_may_match() {
        let good = secret().sign(NOW, BODY);
        let tag = good.split("v1=").nth(1).unwrap();
        let header = format!("t={},v1={},v0=ignored,v1={tag}", NOW.0, "ab".repeat(32));
        assert_eq!(secret().verify(&header, BODY, NOW), Ok(()));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in [
            "",
            "v1=00",
            &format!("t={}", NOW.0),
            "t=abc,v1=00",
            &format!("t={},v1=zz", NOW.0),
            &format!("t={},t={},v1={}", NOW.0, NOW.0, "00".repeat(32)),
            &format!("t={},v1", NOW.0),
        ] {
            assert_eq!(
                secret().verify(header, BODY, NOW),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
        let long = format!("t={},{}", NOW.0, "v1=00,".repeat(1000));
        assert_eq!(
            secret().verify(&long, BODY, NOW),
            Err(SignatureError::Malformed)
        );
    }
}
