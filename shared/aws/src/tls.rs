//! The HTTPS client the SDK clients share. By default it trusts only the roots AWS service
//! endpoints chain to (Amazon Trust Services, compiled in): loading the system's whole CA store
//! was most of an SDK function's Init (see bench/RESULTS.md). `System` restores the platform
//! store, for endpoints behind an inspecting proxy or another CA.

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::SharedHttpClient;

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
/// instance role), with the shared HTTPS client.
pub async fn load_config(roots: TrustedRoots) -> SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client(roots))
        .load()
        .await
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
}
