//! An organisation's OpenID Connect provider, as a `program_admin` registers it: where it is (its
//! issuer), Tessera's client there, and the email domains whose people it signs in. The client
//! secret is sealed at rest (`tessera_identity::seed`, bound to the provider's id).

use serde::{Deserialize, Serialize};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::person::Country;
use tessera_kernel::ports::Random;
use tessera_kernel::time::Timestamp;

/// 128 random bits, 32 lower-case hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderId(String);

impl ProviderId {
    pub fn generate(random: &dyn Random) -> ProviderId {
        ProviderId(tessera_kernel::random_id::generate(random))
    }

    pub fn parse(raw: &str) -> Option<ProviderId> {
        tessera_kernel::random_id::is_well_formed(raw).then(|| ProviderId(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgProvider {
    pub id: ProviderId,
    /// The organisation's name, shown on the way to its sign-in page.
    pub name: String,
    /// Its issuer identifier: where its discovery document is, and what its ID tokens' `iss` is.
    pub issuer: String,
    /// Tessera's client id at the provider.
    pub client_id: String,
    /// Tessera's client secret there, sealed; none: a public client (PKCE alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_secret: Option<String>,
    /// The email domains (lower case) whose people it signs in.
    pub domains: Vec<String>,
    /// The country given to an account made at its first sign-in (the person can change it).
    pub default_country: Country,
    pub created_by: AccountId,
    pub created_at: Timestamp,
    #[serde(default)]
    pub disabled: bool,
}

impl OrgProvider {
    /// Whether this provider may vouch for `email`: its domain is one of the provider's.
    pub fn vouches_for(&self, email: &Email) -> bool {
        self.domains.iter().any(|d| d == domain_of(email))
    }
}

/// The domain of an address (what identifier-first sign-in routes by).
pub fn domain_of(email: &Email) -> &str {
    email
        .as_str()
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or_default()
}

/// What a `program_admin` sends to register a provider, before it is checked.
#[derive(Clone, Debug)]
pub struct Registration {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub domains: Vec<String>,
    pub default_country: Country,
}

/// Why a registration is refused, by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationProblem {
    pub field: &'static str,
    pub detail: &'static str,
}

const MAX_DOMAINS: usize = 20;

impl Registration {
    pub fn check(&self) -> Result<(), Vec<RegistrationProblem>> {
        let mut problems = Vec::new();
        let mut refuse = |field, detail| problems.push(RegistrationProblem { field, detail });
        if !(1..=100).contains(&self.name.chars().count())
            || self.name.chars().any(char::is_control)
        {
            refuse("name", "1 to 100 characters of text.");
        }
        if !is_issuer(&self.issuer) {
            refuse(
                "issuer",
                "An HTTPS address without query or fragment (HTTP only to 127.0.0.1 or localhost).",
            );
        }
        if !(1..=200).contains(&self.client_id.len())
            || !self.client_id.bytes().all(|b| b.is_ascii_graphic())
        {
            refuse("client_id", "1 to 200 printable characters.");
        }
        if let Some(secret) = &self.client_secret {
            if !(1..=500).contains(&secret.len()) || !secret.bytes().all(|b| b.is_ascii_graphic()) {
                refuse("client_secret", "1 to 500 printable characters.");
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        if self.domains.is_empty()
            || self.domains.len() > MAX_DOMAINS
            || !self
                .domains
                .iter()
                .all(|d| is_domain(d) && seen.insert(d.clone()))
        {
            refuse(
                "domains",
                "1 to 20 different domain names, such as example.com, in lower case.",
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// An issuer identifier (OpenID Connect Discovery §2): HTTPS with no query or fragment; plain
/// HTTP only on this machine (a provider a test or a developer runs).
pub fn is_issuer(raw: &str) -> bool {
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    scheme_ok
        && url.host_str().is_some()
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && raw.len() <= 300
}

/// A domain name as email addresses carry it: lower-case labels of letters, digits and hyphens,
/// at least two of them.
pub fn is_domain(raw: &str) -> bool {
    let labels: Vec<&str> = raw.split('.').collect();
    raw.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration() -> Registration {
        Registration {
            name: "Example Corp".into(),
            issuer: "https://login.example.com/tenant".into(),
            client_id: "tessera".into(),
            client_secret: Some("s3cret".into()),
            domains: vec!["example.com".into(), "example.co.uk".into()],
            default_country: Country::parse("GB").unwrap(),
        }
    }

    #[test]
    fn a_registration_names_an_https_issuer_and_real_domains() {
        assert_eq!(registration().check(), Ok(()));
        for issuer in [
            "http://login.example.com",
            "https://login.example.com/?tenant=1",
            "https://login.example.com/#x",
            "ftp://login.example.com",
            "login.example.com",
        ] {
            let r = Registration {
                issuer: issuer.into(),
                ..registration()
            };
            assert_eq!(r.check().unwrap_err()[0].field, "issuer", "{issuer}");
        }
        assert!(is_issuer("http://127.0.0.1:8080/"));
        for domains in [
            vec![],
            vec!["Example.com".to_string()],
            vec!["localhost".to_string()],
            vec!["example.com".to_string(), "example.com".to_string()],
            vec!["-x.com".to_string()],
        ] {
            let r = Registration {
                domains: domains.clone(),
                ..registration()
            };
            assert_eq!(r.check().unwrap_err()[0].field, "domains", "{domains:?}");
        }
    }

    #[test]
    fn a_provider_vouches_only_for_its_domains() {
        let provider = OrgProvider {
            id: ProviderId("0".repeat(32)),
            name: "Example".into(),
            issuer: "https://login.example.com".into(),
            client_id: "tessera".into(),
            sealed_secret: None,
            domains: vec!["example.com".into()],
            default_country: Country::parse("GB").unwrap(),
            created_by: AccountId::from_stored("1".repeat(32)),
            created_at: Timestamp(0),
            disabled: false,
        };
        assert!(provider.vouches_for(&Email::parse("ada@example.com").unwrap()));
        assert!(!provider.vouches_for(&Email::parse("ada@sub.example.com").unwrap()));
        assert!(!provider.vouches_for(&Email::parse("ada@example.com.evil.test").unwrap()));
    }
}
