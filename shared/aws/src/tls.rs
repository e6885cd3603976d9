//! The HTTPS client the SDK clients share. By default it trusts only the roots AWS service
//! endpoints chain to (Amazon Trust Services, compiled in): loading the system's whole CA store
//! was most of an SDK function's Init (see bench/RESULTS.md). `System` restores the platform
//! store, for endpoints behind an inspecting proxy or another CA.

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::{Credentials, SharedHttpClient};

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

/// The standard AWS configuration chain (environment, then profile files, then the container or
/// instance role), with the shared HTTPS client. Where the environment holds the credentials and
/// the region (always, on Lambda) they are taken from it directly: the chain would pick the same
/// ones first, but building the rest of it (a web-identity STS client, an IMDS client) was most of
/// the configuration's cost at Init.
pub async fn load_config(roots: TrustedRoots) -> SdkConfig {
    load_config_from(roots, |name| std::env::var(name).ok()).await
}

async fn load_config_from(roots: TrustedRoots, env: impl Fn(&str) -> Option<String>) -> SdkConfig {
    let set = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client(roots));
    if let (Some(key), Some(secret)) = (set("AWS_ACCESS_KEY_ID"), set("AWS_SECRET_ACCESS_KEY")) {
        let token = set("AWS_SESSION_TOKEN");
        loader =
            loader.credentials_provider(Credentials::new(key, secret, token, None, "environment"));
    }
    if let Some(region) = set("AWS_REGION").or_else(|| set("AWS_DEFAULT_REGION")) {
        loader = loader.region(aws_config::Region::new(region));
    }
    loader.load().await
}

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
        let sdk = load_config_from(TrustedRoots::AmazonTrustServices, env).await;
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-west-1"));
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
        let env = env_of(&[("AWS_REGION", " "), ("AWS_DEFAULT_REGION", "ap-south-1")]);
        let sdk = load_config_from(TrustedRoots::AmazonTrustServices, env).await;
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("ap-south-1"));
    }
}
