//! Rule "secrets reach only the functions that use them": each function declares the secrets it
//! uses (`SECRETS` in its crate, what its `main` reads); the template gives it exactly those, and
//! no secret sits in `Globals`. A function's configuration reads no other secret, even when one
//! is present.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use tessera_http::config::{Config, PaymentConfig, Secrets};
use tessera_testkit::template;

fn declared() -> BTreeMap<&'static str, Secrets> {
    BTreeMap::from([
        ("accounts", accounts::SECRETS),
        ("certifications", certifications::SECRETS),
        ("email-reminders", email_reminders::SECRETS),
        ("expiry-jobs", expiry_jobs::SECRETS),
        ("fulfillment", fulfillment::SECRETS),
        ("imports", imports::SECRETS),
        ("mapping", mapping::SECRETS),
        ("mfa", mfa::SECRETS),
        ("mail-events", mail_events::SECRETS),
        ("notification-retries", notification_retries::SECRETS),
        ("password-change", password_change::SECRETS),
        ("password-policy", password_policy::SECRETS),
        ("password-reset", password_reset::SECRETS),
        ("personal-info", personal_info::SECRETS),
        ("phone", phone::SECRETS),
        ("portal", portal::SECRETS),
        ("portal-certifications", portal_certifications::SECRETS),
        ("portal-orders", portal_orders::SECRETS),
        ("staff-console", staff_console::SECRETS),
        ("profile", profile::SECRETS),
        ("sessions", sessions::SECRETS),
        ("transcript-page", transcript_page::SECRETS),
        ("verification", verification::SECRETS),
        ("issuer", issuer::SECRETS),
        ("oidc", oidc::SECRETS),
        ("access", access::SECRETS),
        ("federation", federation::SECRETS),
        ("badges", badges::SECRETS),
        ("portal-badges", portal_badges::SECRETS),
        ("staff-accounts", staff_accounts::SECRETS),
        ("staff-audit", staff_audit::SECRETS),
        ("staff-records", staff_records::SECRETS),
        ("staff-orders", staff_orders::SECRETS),
        ("staff-privacy", staff_privacy::SECRETS),
        ("transcripts", transcripts::SECRETS),
    ])
}

#[test]
fn the_template_gives_each_function_exactly_the_secrets_it_uses() {
    let template = template::load();
    let environments = template::function_environments(&template);
    let all: BTreeSet<&str> = Secrets::ALL.variables().into_iter().collect();
    let declared = declared();
    assert_eq!(
        environments.keys().map(String::as_str).collect::<Vec<_>>(),
        declared.keys().copied().collect::<Vec<_>>(),
        "every function is declared here"
    );
    for (function, variables) in &environments {
        let given: BTreeSet<&str> = variables
            .iter()
            .map(String::as_str)
            .filter(|v| all.contains(v))
            .collect();
        let uses: BTreeSet<&str> = declared[function.as_str()]
            .variables()
            .into_iter()
            .collect();
        assert_eq!(given, uses, "{function}");
    }
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    for secret in &all {
        assert!(globals.get(*secret).is_none(), "{secret} in Globals");
    }
    // The code pepper only where codes are made or checked; the seed keys only where an
    // authenticator is read (the portal's pages call those routes in process) or an
    // organisation's client secret is sealed and opened (federation).
    assert_eq!(
        declared
            .iter()
            .filter(|(_, s)| s.code_pepper)
            .map(|(f, _)| *f)
            .collect::<Vec<_>>(),
        [
            "accounts",
            "certifications",
            "mapping",
            "mfa",
            "password-reset",
            "phone",
            "portal",
            "portal-certifications",
            "profile",
            "sessions",
            "staff-accounts",
            "staff-console"
        ]
    );
    assert_eq!(
        declared
            .iter()
            .filter(|(_, s)| s.seed_keys)
            .map(|(f, _)| *f)
            .collect::<Vec<_>>(),
        ["federation", "mfa", "password-reset", "portal", "sessions"]
    );
}

/// An AWS function's configuration with every variable set: which secret variables it read.
fn secrets_read(secrets: Secrets) -> BTreeSet<String> {
    let read = Mutex::new(BTreeSet::new());
    let all: BTreeSet<&str> = Secrets::ALL.variables().into_iter().collect();
    let lookup = |name: &str| {
        if all.contains(name) {
            read.lock().unwrap().insert(name.to_string());
        }
        Some(
            match name {
                "TESSERA_BACKEND" => "aws",
                "TESSERA_TOTP_KEYS" => tessera_testkit::app::MOTO_SEED_KEYS,
                "TESSERA_EDGE_SECRET" => "an-edge-secret-of-at-least-thirty-two-characters",
                "TESSERA_PAYMENT_PROVIDER" => "stripe",
                "TESSERA_STRIPE_SECRET_KEY" => "sk_test_0123456789abcdef",
                "TESSERA_PUBLIC_URL"
                | "TESSERA_CHECKOUT_RETURN_URL"
                | "TESSERA_STRIPE_API_BASE" => "https://example.com",
                "TESSERA_CURRENCY" => "usd",
                "TESSERA_TLS_ROOTS" => "amazon",
                name if name.ends_with("_MS")
                    || name.ends_with("_CENTS")
                    || name.starts_with("TESSERA_SMS_")
                    || name.starts_with("TESSERA_CLIENT_") =>
                {
                    "1000"
                }
                name if name.starts_with("TESSERA_PASSWORD_REQUIRE")
                    || name.starts_with("TESSERA_PASSWORD_FORBID") =>
                {
                    "true"
                }
                "TESSERA_PHONE_COUNTRIES" => "GB,US",
                "TESSERA_REMINDER_DAYS" => "90,30,7",
                "TESSERA_PASSWORD_MIN_LENGTH" => "12",
                "TESSERA_PASSWORD_MAX_LENGTH" => "60",
                "TESSERA_ARGON2_MEMORY_KIB" => "19456",
                "TESSERA_ARGON2_ITERATIONS" => "2",
                "TESSERA_ARGON2_PARALLELISM" => "1",
                "TESSERA_EMAIL_FROM" => "no-reply@example.com",
                name if name.contains("TTL")
                    || name.contains("MINUTES")
                    || name.contains("HOURS")
                    || name.contains("SECONDS")
                    || name.contains("HISTORY")
                    || name.starts_with("TESSERA_LOGIN") =>
                {
                    "24"
                }
                _ => "a-configured-value-0123456789",
            }
            .to_string(),
        )
    };
    Config::from_lookup_for(lookup, secrets).expect("configuration");
    PaymentConfig::from_lookup_for(lookup, secrets).expect("payment configuration");
    read.into_inner().unwrap()
}

#[test]
fn a_function_reads_only_the_secrets_it_declares() {
    for (function, secrets) in declared() {
        let expected: BTreeSet<String> = secrets
            .variables()
            .into_iter()
            .map(str::to_string)
            .collect();
        assert_eq!(secrets_read(secrets), expected, "{function}");
    }
}

#[test]
fn on_aws_a_function_that_reads_authenticators_needs_the_seed_keys() {
    let lookup = |name: &str| match name {
        "TESSERA_BACKEND" => Some("aws".to_string()),
        "TESSERA_IDENTITY_TABLE" => Some("identity".to_string()),
        "TESSERA_EMAIL_FROM" => Some("no-reply@example.com".to_string()),
        "TESSERA_CODE_PEPPER" => Some("a-pepper-of-sixteen-or-more".to_string()),
        _ => None,
    };
    let error = Config::from_lookup_for(lookup, sessions::SECRETS).unwrap_err();
    assert_eq!(
        error.to_string(),
        "missing environment variable TESSERA_TOTP_KEYS"
    );
    assert!(Config::from_lookup_for(lookup, accounts::SECRETS).is_ok());
    assert!(Config::from_lookup_for(lookup, profile::SECRETS).is_ok());
}
