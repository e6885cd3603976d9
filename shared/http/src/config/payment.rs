//! The payment provider's settings, read by the fulfillment function and the unpaid-orders job
//! only (the other functions start without them, and link no fulfillment code).

use super::{
    unused_secret, ConfigError, Secrets, Vars, LOCAL_PUBLIC_URL, LOCAL_WEBHOOK_SECRET,
    ORDER_HISTORY_PATH,
};

/// The payment provider the fulfillment function uses.
#[derive(Clone, PartialEq, Eq)]
pub enum PaymentProvider {
    /// The local stand-in: approves on its own page, never takes money (`sandbox`).
    Sandbox,
    /// The provider's HTTP API (`stripe`), at `api_base`, with the account's secret key.
    Stripe {
        api_base: String,
        secret_key: String,
    },
}

/// Fulfillment settings, read by the fulfillment function only (the other functions start
/// without them).
#[derive(Clone)]
pub struct PaymentConfig {
    pub prices: tessera_fulfillment::Prices,
    pub provider: PaymentProvider,
    /// The provider's webhook signing secret (`TESSERA_PAYMENT_WEBHOOK_SECRET`).
    pub webhook_secret: String,
    /// The page the provider sends the candidate back to (the portal's order history locally).
    pub return_url: String,
}

impl std::fmt::Debug for PaymentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let provider = match &self.provider {
            PaymentProvider::Sandbox => "sandbox".to_string(),
            PaymentProvider::Stripe { api_base, .. } => format!("stripe at {api_base}"),
        };
        f.debug_struct("PaymentConfig")
            .field("prices", &self.prices)
            .field("provider", &provider)
            .field("return_url", &self.return_url)
            .finish_non_exhaustive()
    }
}

impl PaymentConfig {
    /// Only the payment secrets `secrets` names are read.
    pub fn from_env_for(secrets: Secrets) -> Result<PaymentConfig, ConfigError> {
        PaymentConfig::from_lookup_for(|name| std::env::var(name).ok(), secrets)
    }

    /// Every payment secret read (tests).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<PaymentConfig, ConfigError> {
        PaymentConfig::from_lookup_for(lookup, Secrets::ALL)
    }

    pub fn from_lookup_for(
        lookup: impl Fn(&str) -> Option<String>,
        secrets: Secrets,
    ) -> Result<PaymentConfig, ConfigError> {
        let vars = Vars(&lookup);
        let embedded = vars.get("TESSERA_BACKEND").as_deref().unwrap_or("embedded") == "embedded";
        let defaults = tessera_fulfillment::Prices::default();
        let currency = vars.get("TESSERA_CURRENCY").unwrap_or(defaults.currency);
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(ConfigError::Invalid {
                name: "TESSERA_CURRENCY",
                reason: "must be an ISO 4217 code such as usd".into(),
            });
        }
        let prices = tessera_fulfillment::Prices {
            kit_cents: vars.parse("TESSERA_KIT_PRICE_CENTS", defaults.kit_cents)?,
            plaque_cents: vars.parse("TESSERA_PLAQUE_PRICE_CENTS", defaults.plaque_cents)?,
            letter_cents: vars.parse("TESSERA_LETTER_PRICE_CENTS", defaults.letter_cents)?,
            tracking_cents: vars.parse("TESSERA_TRACKING_PRICE_CENTS", defaults.tracking_cents)?,
            currency: currency.to_ascii_lowercase(),
        };
        let priced = [
            ("TESSERA_KIT_PRICE_CENTS", prices.kit_cents),
            ("TESSERA_PLAQUE_PRICE_CENTS", prices.plaque_cents),
            ("TESSERA_LETTER_PRICE_CENTS", prices.letter_cents),
        ];
        if let Some((name, _)) = priced.into_iter().find(|(_, cents)| *cents == 0) {
            return Err(ConfigError::Invalid {
                name,
                reason: "must be at least 1 (the initial kit is the only free item)".into(),
            });
        }
        let provider_name = match vars.get("TESSERA_PAYMENT_PROVIDER") {
            Some(name) => name,
            None if embedded => "sandbox".into(),
            None => return Err(ConfigError::Missing("TESSERA_PAYMENT_PROVIDER")),
        };
        let provider = match provider_name.as_str() {
            "sandbox" => PaymentProvider::Sandbox,
            "stripe" => {
                let secret_key = match secrets.payment_api_key {
                    true => vars.require("TESSERA_STRIPE_SECRET_KEY")?,
                    false => format!("sk_unused_{}", unused_secret()),
                };
                if !(secret_key.starts_with("sk_") || secret_key.starts_with("rk_")) {
                    return Err(ConfigError::Invalid {
                        name: "TESSERA_STRIPE_SECRET_KEY",
                        reason: "must be a secret or restricted key (sk_… or rk_…)".into(),
                    });
                }
                let api_base = vars
                    .get("TESSERA_STRIPE_API_BASE")
                    .unwrap_or_else(|| "https://api.stripe.com".into());
                let loopback = ["http://127.0.0.1:", "http://localhost:"]
                    .iter()
                    .any(|p| api_base.starts_with(p));
                if !(api_base.starts_with("https://") || loopback) {
                    return Err(ConfigError::Invalid {
                        name: "TESSERA_STRIPE_API_BASE",
                        reason: "must start with https:// (http:// only on loopback)".into(),
                    });
                }
                PaymentProvider::Stripe {
                    api_base,
                    secret_key,
                }
            }
            other => {
                return Err(ConfigError::Invalid {
                    name: "TESSERA_PAYMENT_PROVIDER",
                    reason: format!("{other:?} is not \"sandbox\" or \"stripe\""),
                })
            }
        };
        let webhook_secret =
            match vars.get_if(secrets.webhook_secret, "TESSERA_PAYMENT_WEBHOOK_SECRET") {
                _ if !secrets.webhook_secret => unused_secret(),
                Some(secret) if secret.len() >= 16 => secret,
                Some(_) => {
                    return Err(ConfigError::Invalid {
                        name: "TESSERA_PAYMENT_WEBHOOK_SECRET",
                        reason: "must be at least 16 characters".into(),
                    })
                }
                None if embedded => LOCAL_WEBHOOK_SECRET.into(),
                None => return Err(ConfigError::Missing("TESSERA_PAYMENT_WEBHOOK_SECRET")),
            };
        // Unset (or empty, as the template passes an empty parameter): the portal's own order
        // history, on the address the pages are served from.
        let public_url = vars
            .get("TESSERA_PUBLIC_URL")
            .filter(|url| !url.is_empty())
            .or_else(|| embedded.then(|| LOCAL_PUBLIC_URL.to_string()));
        let return_url = match vars
            .get("TESSERA_CHECKOUT_RETURN_URL")
            .filter(|u| !u.is_empty())
        {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => url,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "TESSERA_CHECKOUT_RETURN_URL",
                    reason: "must be an http(s) URL".into(),
                })
            }
            None => match public_url {
                Some(public) => format!("{}{ORDER_HISTORY_PATH}", public.trim_end_matches('/')),
                None => return Err(ConfigError::Missing("TESSERA_CHECKOUT_RETURN_URL")),
            },
        };
        Ok(PaymentConfig {
            prices,
            provider,
            webhook_secret,
            return_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn payments(vars: &[(&str, &str)]) -> Result<PaymentConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        PaymentConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn payments_default_to_the_sandbox_locally_and_must_be_configured_on_aws() {
        let local = payments(&[]).unwrap();
        assert!(local.provider == PaymentProvider::Sandbox);
        assert_eq!(local.prices, tessera_fulfillment::Prices::default());
        assert_eq!(local.webhook_secret, LOCAL_WEBHOOK_SECRET);
        assert_eq!(
            local.return_url,
            "http://127.0.0.1:9000/certificates/orders"
        );
        let elsewhere = payments(&[("TESSERA_PUBLIC_URL", "http://127.0.0.1:9031/")]).unwrap();
        assert_eq!(
            elsewhere.return_url, "http://127.0.0.1:9031/certificates/orders",
            "the order history at the address the pages are served from"
        );
        let stripe = [
            ("TESSERA_BACKEND", "aws"),
            ("TESSERA_PAYMENT_PROVIDER", "stripe"),
            ("TESSERA_STRIPE_SECRET_KEY", "sk_live_0123456789"),
            ("TESSERA_PAYMENT_WEBHOOK_SECRET", "whsec_0123456789abcdef"),
            ("TESSERA_CHECKOUT_RETURN_URL", ""),
        ];
        assert_eq!(
            payments(&stripe).unwrap_err(),
            ConfigError::Missing("TESSERA_CHECKOUT_RETURN_URL"),
            "on AWS without a public address there is no order history to return to"
        );
        let mut with_public = stripe.to_vec();
        with_public.push(("TESSERA_PUBLIC_URL", "https://certs.example.org"));
        assert_eq!(
            payments(&with_public).unwrap().return_url,
            "https://certs.example.org/certificates/orders"
        );
        assert_eq!(
            payments(&[("TESSERA_BACKEND", "aws")]).unwrap_err(),
            ConfigError::Missing("TESSERA_PAYMENT_PROVIDER")
        );
        let aws = [
            ("TESSERA_BACKEND", "aws"),
            ("TESSERA_PAYMENT_PROVIDER", "stripe"),
            ("TESSERA_STRIPE_SECRET_KEY", "sk_live_0123456789"),
            ("TESSERA_PAYMENT_WEBHOOK_SECRET", "whsec_0123456789abcdef"),
            (
                "TESSERA_CHECKOUT_RETURN_URL",
                "https://app.example.com/orders",
            ),
            ("TESSERA_KIT_PRICE_CENTS", "2000"),
            ("TESSERA_PLAQUE_PRICE_CENTS", "6000"),
            ("TESSERA_CURRENCY", "EUR"),
        ];
        let c = payments(&aws).unwrap();
        assert!(
            matches!(&c.provider, PaymentProvider::Stripe { api_base, .. } if api_base == "https://api.stripe.com")
        );
        assert_eq!(c.prices.kit_cents, 2000);
        assert_eq!((c.prices.plaque_cents, c.prices.letter_cents), (6000, 500));
        assert_eq!(c.prices.currency, "eur");
        let printed = format!("{c:?}");
        assert!(!printed.contains("sk_live_0123456789") && !printed.contains("whsec_0123"));
        for (name, bad) in [
            ("TESSERA_STRIPE_SECRET_KEY", "pk_live_public"),
            ("TESSERA_STRIPE_API_BASE", "http://api.example.com"),
            ("TESSERA_CURRENCY", "dollars"),
            ("TESSERA_KIT_PRICE_CENTS", "0"),
            ("TESSERA_PLAQUE_PRICE_CENTS", "0"),
            ("TESSERA_LETTER_PRICE_CENTS", "x"),
            ("TESSERA_PAYMENT_WEBHOOK_SECRET", "short"),
        ] {
            let mut vars = aws.to_vec();
            vars.retain(|(k, _)| *k != name);
            vars.push((name, bad));
            assert!(
                matches!(payments(&vars), Err(ConfigError::Invalid { name: n, .. }) if n == name),
                "{name}={bad}"
            );
        }
    }
}
