//! The HTTPS client the SDK clients share. By default it trusts only the roots AWS service
//! endpoints chain to (Amazon Trust Services, compiled in): loading the system's whole CA store
//! was most of an SDK function's Init (see bench/RESULTS.md). `System` restores the platform
//! store, for endpoints behind an inspecting proxy or another CA.

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;

use aws_sdk_dynamodb::config::{
    retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Credentials, IdentityCache,
    Region, SharedCredentialsProvider, SharedHttpClient,
};
use aws_smithy_async::rt::sleep::default_async_sleep;
use aws_types::SdkConfig;
use std::time::Duration;

const AMAZON_TRUST_SERVICES: &[u8] = include_bytes!("../roots/amazon-trust-services.pem");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustedRoots {
    /// Amazon Root CA 1–4 and Starfield Services Root CA G2 only.
    AmazonTrustServices,
    /// The platform's CA store.
    System,
}

pub fn https_client(roots: TrustedRoots) -> SharedHttpClient {
    let trust = match roots {
        TrustedRoots::AmazonTrustServices => TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(AMAZON_TRUST_SERVICES),
        TrustedRoots::System => TrustStore::default(),
    };
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a trust store without server names builds");
    Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https()
}

/// A setting the environment must hold for the AWS backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0} is not set: a function reads its AWS credentials and region from the environment, as \
     Lambda sets them (the operator command also reads profiles and roles)"
)]
pub struct MissingSetting(pub &'static str);

/// The SDK configuration from the environment alone: the credentials (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the region (`AWS_REGION`, or the older
/// `AWS_DEFAULT_REGION`) and `AWS_ENDPOINT_URL` (moto in tests), with the SDK's standard retries
/// and its default connect timeout. Lambda always provides the first two, so a function never
/// needs the standard chain's profile files, web-identity STS client or instance metadata: linking
/// that chain made every function about 0.15 MB larger zipped (bench/RESULTS.md).
pub fn load_config(roots: TrustedRoots) -> Result<SdkConfig, MissingSetting> {
    config_from(roots, |name| std::env::var(name).ok())
}

/// The standard AWS configuration chain (environment, profile files, SSO, container or instance
/// role), for commands an operator runs on their own machine.
pub async fn load_config_by_standard_chain(roots: TrustedRoots) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client(roots))
        .load()
        .await
}

fn config_from(
    roots: TrustedRoots,
    env: impl Fn(&str) -> Option<String>,
) -> Result<SdkConfig, MissingSetting> {
    let set = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    let key = set("AWS_ACCESS_KEY_ID").ok_or(MissingSetting("AWS_ACCESS_KEY_ID"))?;
    let secret = set("AWS_SECRET_ACCESS_KEY").ok_or(MissingSetting("AWS_SECRET_ACCESS_KEY"))?;
    let region = set("AWS_REGION")
        .or_else(|| set("AWS_DEFAULT_REGION"))
        .ok_or(MissingSetting("AWS_REGION"))?;
    let credentials = Credentials::new(key, secret, set("AWS_SESSION_TOKEN"), None, "environment");
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(https_client(roots))
        .retry_config(RetryConfig::standard())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .build(),
        )
        .identity_cache(IdentityCache::lazy().build());
    config.set_sleep_impl(default_async_sleep());
    config.set_endpoint_url(set("AWS_ENDPOINT_URL"));
    Ok(config.build())
}

/// The SDK's own default (what the standard chain sets).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;

    #[test]
    fn the_compiled_in_roots_are_the_five_amazon_trust_services_certificates() {
        let roots: Vec<_> = rustls_pki_types::CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES)
            .collect::<Result<_, _>>()
            .expect("each root parses");
        assert_eq!(roots.len(), 5);
    }

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[tokio::test]
    async fn credentials_and_region_in_the_environment_are_the_ones_used() {
        use aws_credential_types::provider::ProvideCredentials as _;
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_REGION", "eu-west-1"),
        ]);
        let sdk = config_from(TrustedRoots::AmazonTrustServices, env).expect("complete");
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(sdk.endpoint_url(), None);
        let credentials = sdk
            .credentials_provider()
            .expect("a credentials provider")
            .provide_credentials()
            .await
            .expect("credentials");
        assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "secret");
        assert_eq!(credentials.session_token(), Some("token"));
    }

    #[tokio::test]
    async fn the_older_region_variable_is_read_when_the_newer_is_unset_or_blank() {
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_REGION", " "),
            ("AWS_DEFAULT_REGION", "ap-south-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ]);
        let sdk = config_from(TrustedRoots::AmazonTrustServices, env).expect("complete");
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("ap-south-1"));
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:5000"));
    }

    #[test]
    fn a_missing_credential_or_region_is_named() {
        let complete = [
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_REGION", "eu-west-1"),
        ];
        for missing in 0..complete.len() {
            let mut vars = complete.to_vec();
            vars[missing].1 = "";
            let refused = config_from(TrustedRoots::AmazonTrustServices, env_of(&vars))
                .expect_err("incomplete");
            assert_eq!(refused, MissingSetting(complete[missing].0));
        }
    }

    #[tokio::test]
    async fn the_sdk_clients_retry_and_time_out_as_the_standard_chain_sets_them() {
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_REGION", "eu-west-1"),
        ]);
        let ours = config_from(TrustedRoots::AmazonTrustServices, env).expect("complete");
        // The chain with the region given, so that it does not ask instance metadata for one.
        let chain = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .http_client(https_client(TrustedRoots::AmazonTrustServices))
            .load()
            .await;
        assert_eq!(ours.retry_config(), chain.retry_config());
        assert_eq!(ours.timeout_config(), chain.timeout_config());
        assert!(ours.sleep_impl().is_some());
        assert!(ours.identity_cache().is_some());
    }
}
