//! The issuer as a verifier sees it: the program's Open Badges 3.0 `Profile` (what credentials
//! name as their `issuer`) and the JWK Set of its signing keys. Both hang off the API's public
//! address, so the ids credentials carry resolve to them.

use serde_json::{json, Value};

use crate::signing::PublicJwk;

/// The JSON-LD contexts of every Open Badges 3.0 document Tessera serves: Verifiable
/// Credentials 2.0, then Open Badges 3.0.
pub const CONTEXTS: [&str; 2] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
];

/// Who issues the program's credentials, as the operator names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub name: String,
    /// The program's own home page; the API's address when unset.
    pub url: Option<String>,
    /// Where recipients and verifiers write to.
    pub email: Option<String>,
}

impl Default for Program {
    fn default() -> Self {
        Program {
            name: "Tessera certification program".into(),
            url: None,
            email: None,
        }
    }
}

/// Where the issuer's documents live under the API's public address `base`.
pub fn profile_url(base: &str) -> String {
    format!("{base}/v1/issuer")
}

pub fn keys_url(base: &str) -> String {
    format!("{base}/v1/issuer/jwks.json")
}

/// The issuer's `Profile`.
pub fn profile(base: &str, program: &Program) -> Value {
    let mut profile = json!({
        "@context": CONTEXTS,
        "id": profile_url(base),
        "type": ["Profile"],
        "name": program.name,
        "url": program.url.clone().unwrap_or_else(|| base.to_string()),
    });
    if let Some(email) = &program.email {
        profile["email"] = json!(email);
    }
    profile
}

/// The public keys as a JWK Set (RFC 7517 section 5), the current key first.
pub fn key_set(keys: &[PublicJwk]) -> Value {
    json!({ "keys": keys })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_names_the_program_at_the_issuers_address() {
        let program = Program {
            email: Some("certs@example.com".into()),
            ..Program::default()
        };
        let profile = profile("https://certs.example.com", &program);
        assert_eq!(profile["id"], "https://certs.example.com/v1/issuer");
        assert_eq!(profile["type"], json!(["Profile"]));
        assert_eq!(profile["url"], "https://certs.example.com");
        assert_eq!(profile["email"], "certs@example.com");
        assert_eq!(profile["@context"][1], CONTEXTS[1]);
    }
}
