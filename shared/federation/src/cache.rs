//! What organisations' providers publish, kept for a while in the process: a warm function signs
//! many people in, and each sign-in would otherwise fetch the discovery document twice (start and
//! callback) and the key set once, beside the one call that cannot be kept (the code's
//! redemption). A key set that lacks the token's key is fetched again (`fresh_keys`): the provider
//! rotated its keys since.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jsonwebtoken::jwk::JwkSet;
use tessera_kernel::ports::Clock;
use tessera_kernel::time::{Seconds, Timestamp};

use crate::ports::{IssuerError, IssuerMetadata, Issuers};

/// How long a discovery document or key set is used before it is fetched again.
pub const KEPT_FOR: Seconds = Seconds::minutes(10);

/// Each URL's answer with when it was fetched.
type Kept<T> = Mutex<HashMap<String, (Timestamp, T)>>;

pub struct CachedIssuers {
    inner: Arc<dyn Issuers>,
    clock: Arc<dyn Clock>,
    metadata: Kept<IssuerMetadata>,
    keys: Kept<JwkSet>,
}

impl CachedIssuers {
    pub fn new(inner: Arc<dyn Issuers>, clock: Arc<dyn Clock>) -> CachedIssuers {
        CachedIssuers {
            inner,
            clock,
            metadata: Mutex::default(),
            keys: Mutex::default(),
        }
    }
}

/// The answer kept for `url`, while it is fresh.
fn fresh<T: Clone>(kept: &Kept<T>, url: &str, now: Timestamp) -> Option<T> {
    let kept = kept.lock().expect("the issuers' cache");
    kept.get(url)
        .filter(|(at, _)| now < *at + KEPT_FOR)
        .map(|(_, value)| value.clone())
}

fn keep<T>(kept: &Kept<T>, url: &str, now: Timestamp, value: T) {
    kept.lock()
        .expect("the issuers' cache")
        .insert(url.to_string(), (now, value));
}

#[async_trait]
impl Issuers for CachedIssuers {
    async fn metadata(&self, issuer: &str) -> Result<IssuerMetadata, IssuerError> {
        let now = self.clock.now();
        if let Some(metadata) = fresh(&self.metadata, issuer, now) {
            return Ok(metadata);
        }
        let metadata = self.inner.metadata(issuer).await?;
        keep(&self.metadata, issuer, now, metadata.clone());
        Ok(metadata)
    }

    async fn keys(&self, jwks_uri: &str) -> Result<JwkSet, IssuerError> {
        match fresh(&self.keys, jwks_uri, self.clock.now()) {
            Some(keys) => Ok(keys),
            None => self.fresh_keys(jwks_uri).await,
        }
    }

    async fn fresh_keys(&self, jwks_uri: &str) -> Result<JwkSet, IssuerError> {
        let now = self.clock.now();
        let keys = self.inner.keys(jwks_uri).await?;
        keep(&self.keys, jwks_uri, now, keys.clone());
        Ok(keys)
    }

    async fn redeem_code(
        &self,
        token_endpoint: &str,
        form: &[(&str, &str)],
        client: (&str, Option<&str>),
    ) -> Result<String, IssuerError> {
        self.inner.redeem_code(token_endpoint, form, client).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

    struct Clockwork(AtomicI64);

    impl Clock for Clockwork {
        fn now(&self) -> Timestamp {
            Timestamp(self.0.load(Ordering::SeqCst))
        }
    }

    /// Counts what reaches the provider; its key set grows a key at each fetch.
    #[derive(Default)]
    struct Provider {
        metadata: AtomicUsize,
        keys: AtomicUsize,
        redeemed: AtomicUsize,
    }

    #[async_trait]
    impl Issuers for Provider {
        async fn metadata(&self, issuer: &str) -> Result<IssuerMetadata, IssuerError> {
            if issuer.contains("down") {
                return Err(IssuerError::Unavailable("down".into()));
            }
            self.metadata.fetch_add(1, Ordering::SeqCst);
            Ok(IssuerMetadata {
                issuer: issuer.into(),
                authorization_endpoint: format!("{issuer}/authorize"),
                token_endpoint: format!("{issuer}/token"),
                jwks_uri: format!("{issuer}/jwks"),
                code_challenge_methods_supported: vec!["S256".into()],
            })
        }

        async fn keys(&self, _: &str) -> Result<JwkSet, IssuerError> {
            let fetched = self.keys.fetch_add(1, Ordering::SeqCst) + 1;
            let keys: Vec<_> = (0..fetched)
                .map(|i| {
                    serde_json::json!({
                        "kty": "EC", "crv": "P-256", "kid": format!("k{i}"),
                        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                    })
                })
                .collect();
            Ok(serde_json::from_value(serde_json::json!({ "keys": keys })).unwrap())
        }

        async fn redeem_code(
            &self,
            _: &str,
            _: &[(&str, &str)],
            _: (&str, Option<&str>),
        ) -> Result<String, IssuerError> {
            self.redeemed.fetch_add(1, Ordering::SeqCst);
            Ok("token".into())
        }
    }

    fn cached() -> (Arc<Provider>, Arc<Clockwork>, CachedIssuers) {
        let provider = Arc::new(Provider::default());
        let clock = Arc::new(Clockwork(AtomicI64::new(1_000)));
        let cache = CachedIssuers::new(provider.clone(), clock.clone());
        (provider, clock, cache)
    }

    #[tokio::test]
    async fn a_discovery_document_is_fetched_once_while_fresh() {
        let (provider, clock, cache) = cached();
        let first = cache.metadata("https://a.example").await.unwrap();
        assert_eq!(cache.metadata("https://a.example").await.unwrap(), first);
        assert_eq!(provider.metadata.load(Ordering::SeqCst), 1);
        cache.metadata("https://b.example").await.unwrap();
        assert_eq!(provider.metadata.load(Ordering::SeqCst), 2, "per issuer");
        clock.0.fetch_add(KEPT_FOR.0, Ordering::SeqCst);
        cache.metadata("https://a.example").await.unwrap();
        assert_eq!(provider.metadata.load(Ordering::SeqCst), 3, "stale: again");
        assert!(cache.metadata("https://down.example").await.is_err());
        assert!(
            cache.metadata("https://down.example").await.is_err(),
            "a failure is not kept as an answer"
        );
    }

    #[tokio::test]
    async fn keys_are_kept_until_stale_or_asked_for_fresh() {
        let (provider, clock, cache) = cached();
        let uri = "https://a.example/jwks";
        assert_eq!(cache.keys(uri).await.unwrap().keys.len(), 1);
        assert_eq!(cache.keys(uri).await.unwrap().keys.len(), 1);
        assert_eq!(provider.keys.load(Ordering::SeqCst), 1);
        let rotated = cache.fresh_keys(uri).await.unwrap();
        assert_eq!(rotated.keys.len(), 2, "fetched again");
        assert!(
            cache.keys(uri).await.unwrap().find("k1").is_some(),
            "and kept"
        );
        assert_eq!(provider.keys.load(Ordering::SeqCst), 2);
        clock.0.fetch_add(KEPT_FOR.0 - 1, Ordering::SeqCst);
        cache.keys(uri).await.unwrap();
        assert_eq!(provider.keys.load(Ordering::SeqCst), 2, "still fresh");
        clock.0.fetch_add(1, Ordering::SeqCst);
        cache.keys(uri).await.unwrap();
        assert_eq!(provider.keys.load(Ordering::SeqCst), 3, "stale: again");
    }

    #[tokio::test]
    async fn a_code_is_always_redeemed_at_the_provider() {
        let (provider, _, cache) = cached();
        for _ in 0..2 {
            cache
                .redeem_code("https://a.example/token", &[], ("id", None))
                .await
                .unwrap();
        }
        assert_eq!(provider.redeemed.load(Ordering::SeqCst), 2);
    }
}
