//! Relying applications, as a `program_admin` registers them: a name, whether the client keeps a
//! secret (confidential) or cannot (public: a browser or native app, held to PKCE alone), and the
//! exact redirect URIs it may receive codes at. A confidential client's secret is 256 random bits
//! shown once and stored only as its SHA-256 (a secret that long needs no salt or slow hash).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::Random;
use tessera_kernel::random_id;
use tessera_kernel::time::Timestamp;

/// At most this many redirect URIs (and as many post-logout URIs) per client.
pub const MAX_URIS: usize = 10;
const MAX_URI_LENGTH: usize = 2000;
const MAX_NAME_LENGTH: usize = 100;

/// A client id: 128 random bits as 32 hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    pub fn generate(random: &dyn Random) -> ClientId {
        ClientId(random_id::generate(random))
    }

    pub fn parse(raw: &str) -> Option<ClientId> {
        random_id::is_well_formed(raw).then(|| ClientId(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    /// Keeps a secret on a server: authenticates at the token endpoint with it.
    Confidential,
    /// Cannot keep a secret: authenticates by PKCE alone.
    Public,
}

/// A confidential client's secret as the client holds it. `Debug` never shows it.
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn generate(random: &dyn Random) -> ClientSecret {
        let mut bytes = [0u8; 32];
        random.fill(&mut bytes);
        ClientSecret(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> String {
        digest(&self.0)
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub kind: ClientKind,
    /// A confidential client's secret's SHA-256, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_digest: Option<String>,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    pub created_at: Timestamp,
    pub created_by: AccountId,
    /// Disabled clients are refused everywhere; the record stays for the audit trail.
    #[serde(default)]
    pub disabled: bool,
}

impl Client {
    /// Whether `presented` is this client's secret (constant time); a public client has none
    /// to present and is authenticated by PKCE.
    pub fn secret_matches(&self, presented: &str) -> bool {
        match &self.secret_digest {
            Some(stored) => stored.as_bytes().ct_eq(digest(presented).as_bytes()).into(),
            None => false,
        }
    }

    /// Exactly one of the registered redirect URIs (no prefix or pattern matching).
    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|u| u == uri)
    }

    pub fn allows_post_logout_redirect(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|u| u == uri)
    }
}

/// What a registration asks for, as the route parsed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub name: String,
    pub kind: ClientKind,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
}

/// Why a registration field was refused: the field, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub detail: String,
}

impl Registration {
    /// Checks every field, reporting each one that fails.
    pub fn check(&self) -> Result<(), Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = self.name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_LENGTH
            || name.chars().any(char::is_control)
        {
            problems.push(FieldProblem {
                field: "name",
                detail: format!("A name of 1 to {MAX_NAME_LENGTH} characters, on one line."),
            });
        }
        for (field, uris, required) in [
            ("redirect_uris", &self.redirect_uris, true),
            (
                "post_logout_redirect_uris",
                &self.post_logout_redirect_uris,
                false,
            ),
        ] {
            if (required && uris.is_empty()) || uris.len() > MAX_URIS {
                problems.push(FieldProblem {
                    field,
                    detail: format!("{} to {MAX_URIS} addresses.", if required { 1 } else { 0 }),
                });
            }
            for uri in uris {
                if let Err(why) = check_redirect_uri(uri) {
                    problems.push(FieldProblem {
                        field,
                        detail: format!("{uri:?}: {why}"),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The client this registration makes, and its secret (confidential clients only), which
    /// is shown once and never again.
    pub fn register(
        self,
        by: &AccountId,
        now: Timestamp,
        random: &dyn Random,
    ) -> (Client, Option<ClientSecret>) {
        let secret =
            (self.kind == ClientKind::Confidential).then(|| ClientSecret::generate(random));
        let client = Client {
            id: ClientId::generate(random),
            name: self.name.trim().to_string(),
            kind: self.kind,
            secret_digest: secret.as_ref().map(ClientSecret::digest),
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            created_at: now,
            created_by: by.clone(),
            disabled: false,
        };
        (client, secret)
    }
}

/// A redirect URI a client may register (OAuth 2.1 §2.3.1, RFC 8252 §7.3): absolute, no
/// fragment, HTTPS, or plain HTTP only to the loopback interface (a native app's local server).
fn check_redirect_uri(raw: &str) -> Result<(), &'static str> {
    if raw.len() > MAX_URI_LENGTH {
        return Err("too long");
    }
    let url = url::Url::parse(raw).map_err(|_| "not an absolute URL")?;
    if url.fragment().is_some() {
        return Err("a fragment is not allowed");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials in the address are not allowed");
    }
    // The stored form must be what clients send: a URL the parser would rewrite never matches.
    if url.as_str() != raw {
        return Err("not in its normal form");
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost")) => Ok(()),
        _ => Err("HTTPS, or HTTP to the loopback address only"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ports::CountingRandom;

    fn registration(kind: ClientKind, uris: &[&str]) -> Registration {
        Registration {
            name: "Learning app".into(),
            kind,
            redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
            post_logout_redirect_uris: vec![],
        }
    }

    #[test]
    fn redirect_uris_are_absolute_https_or_loopback_without_fragments() {
        for good in [
            "https://app.example.com/callback",
            "http://127.0.0.1:8765/cb",
            "http://localhost/cb",
            "https://app.example.com/cb?tenant=a",
        ] {
            assert_eq!(check_redirect_uri(good), Ok(()), "{good}");
        }
        for bad in [
            "/callback",
            "http://app.example.com/cb",
            "https://app.example.com/cb#x",
            "https://user:pw@app.example.com/cb",
            "javascript:alert(1)",
            "https://APP.example.com/cb",
            "https://app.example.com",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_registration_names_every_bad_field() {
        let mut bad = registration(ClientKind::Public, &[]);
        bad.name = " ".into();
        bad.post_logout_redirect_uris = vec!["ftp://x/".into()];
        let fields: Vec<_> = bad
            .check()
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            ["name", "redirect_uris", "post_logout_redirect_uris"]
        );
    }

    #[test]
    fn a_confidential_client_gets_a_secret_stored_only_as_its_digest() {
        let random = CountingRandom::from(0);
        let by = AccountId::from_stored("0123456789abcdef0123456789abcdef".into());
        let reg = registration(ClientKind::Confidential, &["https://a.example/cb"]);
        assert_eq!(reg.check(), Ok(()));
        let (client, secret) = reg.register(&by, Timestamp(1), &random);
        let secret = secret.expect("a secret");
        assert_eq!(secret.expose().len(), 43);
        assert_ne!(client.secret_digest.as_deref(), Some(secret.expose()));
        assert!(client.secret_matches(secret.expose()));
        assert!(!client.secret_matches("guess"));
        assert_eq!(format!("{secret:?}"), "ClientSecret(<redacted>)");
        assert!(client.allows_redirect("https://a.example/cb"));
        assert!(!client.allows_redirect("https://a.example/cb/"));
        assert!(!client.allows_redirect("https://a.example/cb?x=1"));

        let (public, none) = registration(ClientKind::Public, &["https://a.example/cb"]).register(
            &by,
            Timestamp(1),
            &random,
        );
        assert!(none.is_none());
        assert!(
            !public.secret_matches(""),
            "a public client has no secret to match"
        );
    }
}
