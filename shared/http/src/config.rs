//! Typed configuration from the environment, read once at start. A missing or malformed
//! variable stops the process with its name; secrets never appear in `Debug`.

use std::path::PathBuf;
use std::str::FromStr;
use tessera_identity::password::HashParams;
use tessera_identity::seed::SeedKeys;
use tessera_identity::signup::IdentitySettings;
use tessera_identity::PasswordPolicy;
use tessera_kernel::code::CodePepper;
use tessera_kernel::delivery::DeliverySettings;
use tessera_kernel::time::Seconds;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("missing environment variable {0}")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Where state lives and where messages go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite under `dir` and `dir/outbox.jsonl`: no AWS account, no Docker.
    Embedded { dir: PathBuf },
    /// DynamoDB, SES v2 and SNS, with the credentials and region Lambda puts in the environment.
    Aws {
        identity_table: String,
        /// Candidate records (`TESSERA_CANDIDATE_TABLE`): required by the certification
        /// functions, which refuse to start without it.
        candidate_table: Option<String>,
        /// The audit log (`TESSERA_AUDIT_TABLE`): required by the functions that write or read
        /// it, which refuse to start without it.
        audit_table: Option<String>,
        email_from: String,
        /// The SES configuration set every email is sent with (`TESSERA_SES_CONFIGURATION_SET`),
        /// whose bounce and complaint events feed the suppression list.
        ses_configuration_set: Option<String>,
        /// Which CA roots the HTTPS client trusts (`TESSERA_TLS_ROOTS`: `amazon`, the default, or
        /// `system`).
        tls_roots: tessera_aws::TrustedRoots,
    },
}

/// How the admin routes (imports, fulfillment reports) know their caller.
#[derive(Clone, PartialEq, Eq)]
pub enum AdminAuth {
    /// `Authorization: Bearer <token>` (`TESSERA_ADMIN_TOKEN`; the embedded default has a fixed
    /// development token).
    Token(String),
    /// API Gateway's IAM authorization: the request must carry the signed caller it verified.
    Iam,
}

impl std::fmt::Debug for AdminAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminAuth::Token(_) => f.write_str("Token(…)"),
            AdminAuth::Iam => f.write_str("Iam"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub backend: Backend,
    pub hashing: HashParams,
    pub identity: IdentitySettings,
    /// How messages go out, in every context: the SMS budget and the send timeout.
    pub delivery: DeliverySettings,
    pub admin: AdminAuth,
    /// The API's public address for links sent to third parties (`TESSERA_PUBLIC_URL`, e.g.
    /// `https://api.example.com`). Unset on AWS: the domain API Gateway was invoked on.
    pub public_url: Option<String>,
    /// Whether requests must come through the optional edge layer (`TESSERA_EDGE_SECRET`).
    pub edge: crate::edge::EdgeGate,
}

/// Where `make dev` serves the API.
pub const LOCAL_PUBLIC_URL: &str = "http://127.0.0.1:9000";

/// The admin token of the embedded default, for `make dev` and the README's session. The AWS
/// backend uses IAM instead unless `TESSERA_ADMIN_TOKEN` is set.
pub const LOCAL_ADMIN_TOKEN: &str = "tessera-local-admin-token";

/// The fixed development pepper of the embedded default. The AWS backend refuses to start without
/// its own `TESSERA_CODE_PEPPER`.
const LOCAL_PEPPER: &str = "tessera-local-development-pepper";

/// The embedded default's authenticator seed keys, made on first use beside its database.
const LOCAL_SEED_KEY_FILE: &str = "totp-seed-keys";

/// The secrets a function uses. Only these are read (and required on AWS); the template gives
/// each function exactly these (`tests/tests/secrets.rs` holds the two together). One that is
/// not used is never read: a random value stands in, so nothing made with it can match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Secrets {
    /// `TESSERA_CODE_PEPPER`: one-time codes, recovery codes, certificate verification codes.
    pub code_pepper: bool,
    /// `TESSERA_TOTP_KEYS`: authenticator seeds, sealed at rest.
    pub seed_keys: bool,
    /// `TESSERA_STRIPE_SECRET_KEY`: the payment provider's API.
    pub payment_api_key: bool,
    /// `TESSERA_PAYMENT_WEBHOOK_SECRET`: the provider's signed events.
    pub webhook_secret: bool,
    /// `TESSERA_EDGE_SECRET`: with the optional edge layer, the header proving a request came
    /// through it (every HTTP function).
    pub edge_secret: bool,
}

impl Secrets {
    pub const NONE: Secrets = Secrets {
        code_pepper: false,
        seed_keys: false,
        payment_api_key: false,
        webhook_secret: false,
        edge_secret: false,
    };
    /// What an HTTP function that uses no other secret reads.
    pub const HTTP: Secrets = Secrets {
        edge_secret: true,
        ..Secrets::NONE
    };
    pub const ALL: Secrets = Secrets {
        code_pepper: true,
        seed_keys: true,
        payment_api_key: true,
        webhook_secret: true,
        edge_secret: true,
    };

    /// The environment variables these secrets are read from.
    pub fn variables(&self) -> Vec<&'static str> {
        [
            (self.code_pepper, "TESSERA_CODE_PEPPER"),
            (self.seed_keys, "TESSERA_TOTP_KEYS"),
            (self.payment_api_key, "TESSERA_STRIPE_SECRET_KEY"),
            (self.webhook_secret, "TESSERA_PAYMENT_WEBHOOK_SECRET"),
            (self.edge_secret, "TESSERA_EDGE_SECRET"),
        ]
        .into_iter()
        .filter_map(|(used, name)| used.then_some(name))
        .collect()
    }
}

/// 32 random bytes as hex: the stand-in for a secret a function does not use.
fn unused_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

/// The embedded default's seed keys: read from the key file in `dir`, made on first use (several
/// processes may start at once: the first to create the file wins, the others read it).
fn local_seed_keys(dir: &std::path::Path) -> Result<String, ConfigError> {
    use std::io::Write;
    let invalid = |e: std::io::Error| ConfigError::Invalid {
        name: "TESSERA_LOCAL_DIR",
        reason: format!("cannot keep the seed key file: {e}"),
    };
    let path = dir.join(LOCAL_SEED_KEY_FILE);
    std::fs::create_dir_all(dir).map_err(invalid)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            let spec = tessera_identity::seed::SeedKeys::generate_spec("local-1", &SystemRandom);
            file.write_all(spec.as_bytes()).map_err(invalid)?;
            Ok(spec)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // A process that just created it may not have written it yet.
            for _ in 0..50 {
                let spec = std::fs::read_to_string(&path).map_err(invalid)?;
                if !spec.trim().is_empty() {
                    return Ok(spec);
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(invalid(std::io::Error::other("the key file stays empty")))
        }
        Err(e) => Err(invalid(e)),
    }
}

struct SystemRandom;

impl tessera_kernel::ports::Random for SystemRandom {
    fn fill(&self, buf: &mut [u8]) {
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, buf);
    }
}

impl Config {
    /// Every secret required: what tests and tools that run every flow use.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// A function's configuration: only the secrets it uses are read.
    pub fn from_env_for(secrets: Secrets) -> Result<Config, ConfigError> {
        Config::from_lookup_for(|name| std::env::var(name).ok(), secrets)
    }

    /// Builds the configuration from any variable lookup (tests pass a map), every secret read.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        Config::from_lookup_for(lookup, Secrets::ALL)
    }

    pub fn from_lookup_for(
        lookup: impl Fn(&str) -> Option<String>,
        secrets: Secrets,
    ) -> Result<Config, ConfigError> {
        let vars = Vars(&lookup);
        let backend = match vars.get("TESSERA_BACKEND").as_deref().unwrap_or("embedded") {
            "embedded" => Backend::Embedded {
                dir: PathBuf::from(
                    vars.get("TESSERA_LOCAL_DIR")
                        .unwrap_or_else(|| ".local".into()),
                ),
            },
            "aws" => Backend::Aws {
                identity_table: vars.require("TESSERA_IDENTITY_TABLE")?,
                candidate_table: vars.get("TESSERA_CANDIDATE_TABLE"),
                audit_table: vars.get("TESSERA_AUDIT_TABLE"),
                email_from: vars.require("TESSERA_EMAIL_FROM")?,
                ses_configuration_set: vars.get("TESSERA_SES_CONFIGURATION_SET"),
                tls_roots: match vars.get("TESSERA_TLS_ROOTS").as_deref() {
                    None | Some("amazon") => tessera_aws::TrustedRoots::AmazonTrustServices,
                    Some("system") => tessera_aws::TrustedRoots::System,
                    Some(other) => {
                        return Err(ConfigError::Invalid {
                            name: "TESSERA_TLS_ROOTS",
                            reason: format!("{other:?} is not \"amazon\" or \"system\""),
                        })
                    }
                },
            },
            other => {
                return Err(ConfigError::Invalid {
                    name: "TESSERA_BACKEND",
                    reason: format!("{other:?} is not \"embedded\" or \"aws\""),
                })
            }
        };
        let pepper = match (
            &backend,
            vars.get_if(secrets.code_pepper, "TESSERA_CODE_PEPPER"),
        ) {
            _ if !secrets.code_pepper => unused_secret(),
            (_, Some(p)) if p.len() >= 16 => p,
            (_, Some(_)) => {
                return Err(ConfigError::Invalid {
                    name: "TESSERA_CODE_PEPPER",
                    reason: "must be at least 16 characters".into(),
                })
            }
            (Backend::Embedded { .. }, None) => LOCAL_PEPPER.to_string(),
            (Backend::Aws { .. }, None) => return Err(ConfigError::Missing("TESSERA_CODE_PEPPER")),
        };
        let defaults = PasswordPolicy::default();
        let policy = PasswordPolicy {
            min_length: vars.parse("TESSERA_PASSWORD_MIN_LENGTH", defaults.min_length)?,
            max_length: vars.parse("TESSERA_PASSWORD_MAX_LENGTH", defaults.max_length)?,
            require_lowercase: vars.parse(
                "TESSERA_PASSWORD_REQUIRE_LOWERCASE",
                defaults.require_lowercase,
            )?,
            require_uppercase: vars.parse(
                "TESSERA_PASSWORD_REQUIRE_UPPERCASE",
                defaults.require_uppercase,
            )?,
            require_digit: vars.parse("TESSERA_PASSWORD_REQUIRE_DIGIT", defaults.require_digit)?,
            require_special: vars
                .parse("TESSERA_PASSWORD_REQUIRE_SPECIAL", defaults.require_special)?,
            forbid_username: vars
                .parse("TESSERA_PASSWORD_FORBID_USERNAME", defaults.forbid_username)?,
            forbid_email_parts: vars.parse(
                "TESSERA_PASSWORD_FORBID_EMAIL_PARTS",
                defaults.forbid_email_parts,
            )?,
            forbid_common: vars.parse("TESSERA_PASSWORD_FORBID_COMMON", defaults.forbid_common)?,
            history: vars.parse("TESSERA_PASSWORD_HISTORY", defaults.history)?,
            min_age_seconds: vars
                .parse("TESSERA_PASSWORD_MIN_AGE_SECONDS", defaults.min_age_seconds)?,
        };
        if policy.min_length == 0 || policy.min_length > policy.max_length {
            return Err(ConfigError::Invalid {
                name: "TESSERA_PASSWORD_MIN_LENGTH",
                reason: "must be at least 1 and at most TESSERA_PASSWORD_MAX_LENGTH".into(),
            });
        }
        let hash_defaults = HashParams::default();
        let hashing = HashParams {
            memory_kib: vars.parse("TESSERA_ARGON2_MEMORY_KIB", hash_defaults.memory_kib)?,
            iterations: vars.parse("TESSERA_ARGON2_ITERATIONS", hash_defaults.iterations)?,
            parallelism: vars.parse("TESSERA_ARGON2_PARALLELISM", hash_defaults.parallelism)?,
        };
        let mut identity = IdentitySettings::with_pepper(CodePepper::new(pepper.into_bytes()));
        identity.seed_keys = match (
            &backend,
            vars.get_if(secrets.seed_keys, "TESSERA_TOTP_KEYS"),
        ) {
            _ if !secrets.seed_keys => SeedKeys::none(),
            (_, Some(spec)) => SeedKeys::parse(&spec).map_err(|e| ConfigError::Invalid {
                name: "TESSERA_TOTP_KEYS",
                reason: e.to_string(),
            })?,
            (Backend::Embedded { dir }, None) => {
                SeedKeys::parse(&local_seed_keys(dir)?).map_err(|e| ConfigError::Invalid {
                    name: "TESSERA_LOCAL_DIR",
                    reason: format!("the seed key file: {e}"),
                })?
            }
            (Backend::Aws { .. }, None) => return Err(ConfigError::Missing("TESSERA_TOTP_KEYS")),
        };
        identity.policy = policy;
        identity.activation_ttl =
            Seconds::hours(vars.parse("TESSERA_ACTIVATION_CODE_TTL_HOURS", 24)?);
        identity.pending_account_ttl =
            Seconds::days(vars.parse("TESSERA_PENDING_ACCOUNT_TTL_DAYS", 7)?);
        identity.sessions.idle = Seconds::minutes(vars.parse("TESSERA_SESSION_IDLE_MINUTES", 30)?);
        identity.sessions.absolute =
            Seconds::hours(vars.parse("TESSERA_SESSION_ABSOLUTE_HOURS", 12)?);
        identity.throttle.free_failures = vars.parse(
            "TESSERA_LOGIN_FREE_FAILURES",
            identity.throttle.free_failures,
        )?;
        identity.throttle.lock_at =
            vars.parse("TESSERA_LOGIN_LOCK_AT", identity.throttle.lock_at)?;
        if let Some(parts) = vars.get("TESSERA_ROLE_ADDRESSES") {
            // Comma-separated local parts; `none` turns the rule off.
            identity.role_local_parts = parts
                .split(',')
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty() && p != "none")
                .collect();
        }
        if let Some(countries) = vars.country_list("TESSERA_PHONE_COUNTRIES")? {
            identity.phone_countries = countries;
        }
        let mut delivery = DeliverySettings::default();
        delivery.sms_budget.per_number =
            vars.parse("TESSERA_SMS_PER_NUMBER", delivery.sms_budget.per_number)?;
        delivery.sms_budget.per_day =
            vars.parse("TESSERA_SMS_PER_DAY", delivery.sms_budget.per_day)?;
        let limits = &mut identity.client_limits;
        limits.registration = vars.parse("TESSERA_CLIENT_REGISTRATIONS", limits.registration)?;
        limits.login = vars.parse("TESSERA_CLIENT_LOGINS", limits.login)?;
        limits.recovery = vars.parse("TESSERA_CLIENT_RECOVERIES", limits.recovery)?;
        limits.verification = vars.parse("TESSERA_CLIENT_VERIFICATIONS", limits.verification)?;
        limits.tokens = vars.parse("TESSERA_CLIENT_TOKENS", limits.tokens)?;
        delivery.send_timeout_ms =
            vars.parse("TESSERA_SEND_TIMEOUT_MS", delivery.send_timeout_ms)?;
        identity.uniform_answer_ms =
            vars.parse("TESSERA_UNIFORM_ANSWER_MS", identity.uniform_answer_ms)?;
        if delivery.send_timeout_ms == 0 {
            return Err(ConfigError::Invalid {
                name: "TESSERA_SEND_TIMEOUT_MS",
                reason: "must be at least 1".into(),
            });
        }
        let admin = match (&backend, vars.get("TESSERA_ADMIN_TOKEN")) {
            (_, Some(token)) if token.len() >= 16 => AdminAuth::Token(token),
            (_, Some(_)) => {
                return Err(ConfigError::Invalid {
                    name: "TESSERA_ADMIN_TOKEN",
                    reason: "must be at least 16 characters".into(),
                })
            }
            (Backend::Embedded { .. }, None) => AdminAuth::Token(LOCAL_ADMIN_TOKEN.into()),
            (Backend::Aws { .. }, None) => AdminAuth::Iam,
        };
        let public_url = match (
            &backend,
            vars.get("TESSERA_PUBLIC_URL").filter(|u| !u.is_empty()),
        ) {
            (_, Some(url)) if url.starts_with("https://") || url.starts_with("http://") => {
                Some(url.trim_end_matches('/').to_string())
            }
            (_, Some(_)) => {
                return Err(ConfigError::Invalid {
                    name: "TESSERA_PUBLIC_URL",
                    reason: "must start with https:// (or http:// locally)".into(),
                })
            }
            (Backend::Embedded { .. }, None) => Some(LOCAL_PUBLIC_URL.to_string()),
            (Backend::Aws { .. }, None) => None,
        };
        let edge = match vars.get_if(secrets.edge_secret, "TESSERA_EDGE_SECRET") {
            Some(secret) if secret.len() >= 32 => crate::edge::EdgeGate::new(Some(secret)),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "TESSERA_EDGE_SECRET",
                    reason: "must be at least 32 characters".into(),
                })
            }
            None => crate::edge::EdgeGate::default(),
        };
        let identity = IdentitySettings {
            public_url: public_url.clone(),
            ..identity
        };
        Ok(Config {
            backend,
            hashing,
            identity,
            delivery,
            admin,
            public_url,
            edge,
        })
    }
}

/// The embedded default's webhook secret: the sandbox signs its events with it.
pub const LOCAL_WEBHOOK_SECRET: &str = "whsec_tessera_local_sandbox";
/// The portal's order history, where the embedded default sends a candidate back after checkout
/// (at its public address).
pub const ORDER_HISTORY_PATH: &str = "/certificates/orders";

#[cfg(feature = "fulfillment")]
mod payment;
#[cfg(feature = "fulfillment")]
pub use payment::{PaymentConfig, PaymentProvider};

struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    /// A secret, read only when the function uses it.
    fn get_if(&self, used: bool, name: &str) -> Option<String> {
        used.then(|| self.get(name)).flatten()
    }

    fn require(&self, name: &'static str) -> Result<String, ConfigError> {
        self.get(name).ok_or(ConfigError::Missing(name))
    }

    /// A comma-separated list of ISO 3166-1 alpha-2 codes; absent or empty: no restriction.
    /// ISO country codes, comma-separated; `all` for every country (an empty list); `None` when
    /// unset.
    fn country_list(&self, name: &'static str) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(list) = self.get(name) else {
            return Ok(None);
        };
        if list.trim().eq_ignore_ascii_case("all") {
            return Ok(Some(Vec::new()));
        }
        list.split(',')
            .map(|c| {
                tessera_kernel::person::Country::parse(c)
                    .map(|c| c.as_str().to_string())
                    .ok_or_else(|| ConfigError::Invalid {
                        name,
                        reason: format!("{c:?} is not an ISO country code"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn parse<T: FromStr>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|e: T::Err| ConfigError::Invalid {
                    name,
                    reason: e.to_string(),
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A key of its own unless the test sets one: no key file is made beside the sources.
    const SEED_KEYS: &str = "t-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.entry("TESSERA_TOTP_KEYS".into())
            .or_insert_with(|| SEED_KEYS.into());
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn the_embedded_default_makes_its_seed_key_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().display().to_string();
        let read = || {
            let vars = HashMap::from([("TESSERA_LOCAL_DIR".to_string(), local.clone())]);
            Config::from_lookup(|k| vars.get(k).cloned()).unwrap()
        };
        let first = read();
        let file = std::fs::read_to_string(dir.path().join(LOCAL_SEED_KEY_FILE)).unwrap();
        assert!(file.starts_with("local-1:"), "{file}");
        let sealed = first
            .identity
            .seed_keys
            .seal("account", "JBSWY3DPEHPK3PXP", &SystemRandom)
            .unwrap();
        let again = read();
        assert_eq!(
            again.identity.seed_keys.open("account", &sealed).as_deref(),
            Some("JBSWY3DPEHPK3PXP"),
            "a second process reads the same key"
        );
        assert!(
            !format!("{:?}", again.identity).contains(&file[8..]),
            "never in Debug"
        );
    }

    #[test]
    fn defaults_to_the_embedded_backend_and_the_seed_policy() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.backend,
            Backend::Embedded {
                dir: PathBuf::from(".local")
            }
        );
        assert_eq!(c.identity.policy, PasswordPolicy::default());
        assert_eq!(c.hashing, HashParams::default());
        assert_eq!(c.identity.uniform_answer_ms, 400);
        // The activation email's links lead where the transcript links do.
        assert_eq!(c.identity.public_url.as_deref(), Some(LOCAL_PUBLIC_URL));
        assert_eq!(c.delivery.send_timeout_ms, 3000);
    }

    #[test]
    fn aws_backend_names_each_missing_variable() {
        assert_eq!(
            config(&[("TESSERA_BACKEND", "aws")]).unwrap_err(),
            ConfigError::Missing("TESSERA_IDENTITY_TABLE")
        );
        let partial = [
            ("TESSERA_BACKEND", "aws"),
            ("TESSERA_IDENTITY_TABLE", "t"),
            ("TESSERA_EMAIL_FROM", "no-reply@example.com"),
        ];
        assert_eq!(
            config(&partial).unwrap_err(),
            ConfigError::Missing("TESSERA_CODE_PEPPER")
        );
    }

    #[test]
    fn aws_trusts_the_amazon_roots_unless_told_otherwise() {
        let aws = [
            ("TESSERA_BACKEND", "aws"),
            ("TESSERA_IDENTITY_TABLE", "t"),
            ("TESSERA_EMAIL_FROM", "no-reply@example.com"),
            ("TESSERA_CODE_PEPPER", "0123456789abcdef"),
        ];
        let roots = |extra: Option<&'static str>| {
            let mut vars = aws.to_vec();
            vars.extend(extra.map(|v| ("TESSERA_TLS_ROOTS", v)));
            config(&vars).map(|c| match c.backend {
                Backend::Aws { tls_roots, .. } => tls_roots,
                other => panic!("{other:?}"),
            })
        };
        use tessera_aws::TrustedRoots::*;
        assert_eq!(roots(None).unwrap(), AmazonTrustServices);
        assert_eq!(roots(Some("amazon")).unwrap(), AmazonTrustServices);
        assert_eq!(roots(Some("system")).unwrap(), System);
        assert!(matches!(
            roots(Some("none")),
            Err(ConfigError::Invalid {
                name: "TESSERA_TLS_ROOTS",
                ..
            })
        ));
    }

    #[test]
    fn malformed_values_fail_fast_with_their_name() {
        let err = config(&[("TESSERA_PASSWORD_MIN_LENGTH", "twelve")]).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: "TESSERA_PASSWORD_MIN_LENGTH",
                ..
            }
        ));
        assert!(matches!(
            config(&[("TESSERA_BACKEND", "cloud")]),
            Err(ConfigError::Invalid {
                name: "TESSERA_BACKEND",
                ..
            })
        ));
        assert!(config(&[("TESSERA_PASSWORD_MIN_LENGTH", "61")]).is_err());
    }

    #[test]
    fn policy_rules_are_configurable() {
        let c = config(&[
            ("TESSERA_PASSWORD_MIN_LENGTH", "8"),
            ("TESSERA_PASSWORD_HISTORY", "0"),
        ])
        .unwrap();
        assert_eq!(c.identity.policy.min_length, 8);
        assert_eq!(c.identity.policy.history, 0);
    }

    #[test]
    fn session_and_throttle_limits_are_configurable() {
        let c = config(&[
            ("TESSERA_SESSION_IDLE_MINUTES", "15"),
            ("TESSERA_SESSION_ABSOLUTE_HOURS", "8"),
            ("TESSERA_LOGIN_LOCK_AT", "50"),
        ])
        .unwrap();
        assert_eq!(c.identity.sessions.idle, Seconds::minutes(15));
        assert_eq!(c.identity.sessions.absolute, Seconds::hours(8));
        assert_eq!(c.identity.throttle.lock_at, 50);
        assert_eq!(config(&[]).unwrap().identity.throttle.lock_at, 100);
    }

    #[test]
    fn admin_routes_use_a_token_locally_and_iam_on_aws() {
        assert_eq!(
            config(&[]).unwrap().admin,
            AdminAuth::Token(LOCAL_ADMIN_TOKEN.into())
        );
        let aws = [
            ("TESSERA_BACKEND", "aws"),
            ("TESSERA_IDENTITY_TABLE", "t"),
            ("TESSERA_EMAIL_FROM", "no-reply@example.com"),
            ("TESSERA_CODE_PEPPER", "0123456789abcdef"),
        ];
        assert_eq!(config(&aws).unwrap().admin, AdminAuth::Iam);
        let mut with_token = aws.to_vec();
        with_token.push(("TESSERA_ADMIN_TOKEN", "an-operator-token-123"));
        let c = config(&with_token).unwrap();
        assert_eq!(c.admin, AdminAuth::Token("an-operator-token-123".into()));
        assert!(!format!("{c:?}").contains("an-operator-token-123"));
        assert!(config(&[("TESSERA_ADMIN_TOKEN", "short")]).is_err());
    }

    #[test]
    fn the_pepper_never_prints() {
        let c = config(&[("TESSERA_CODE_PEPPER", "a-very-secret-pepper-value")]).unwrap();
        assert!(!format!("{c:?}").contains("a-very-secret-pepper-value"));
    }
}
