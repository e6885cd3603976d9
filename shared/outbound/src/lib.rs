//! Calls to other services (the payment provider's API, an organisation's OpenID Connect
//! provider): one HTTPS client per process, built on the first call rather than at start (only
//! the requests that go out pay for loading the platform's CA roots), each exchange read whole
//! within a time limit.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

pub use bytes;
pub use http_body_util::Full as FullBody;
pub use hyper;

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The service did not answer in time, or not at all: worth trying again later.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// An answer: its status and whole body.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

pub struct Outbound {
    timeout: Duration,
    client: OnceLock<Result<HttpsClient, String>>,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Outbound {
    /// A client whose every exchange must finish within `timeout`.
    pub fn new(timeout: Duration) -> Outbound {
        Outbound {
            timeout,
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> Result<&HttpsClient, Unavailable> {
        self.client
            .get_or_init(|| {
                let connector = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
                    .map_err(|e| format!("no CA roots: {e}"))?
                    .https_or_http()
                    .enable_http1()
                    .build();
                Ok(Client::builder(TokioExecutor::new()).build(connector))
            })
            .as_ref()
            .map_err(|e| Unavailable(e.clone()))
    }

    /// Sends `request` and reads the whole answer, within the time limit.
    pub async fn exchange(
        &self,
        request: hyper::Request<Full<Bytes>>,
    ) -> Result<Answer, Unavailable> {
        let exchange = async {
            let response = self
                .client()?
                .request(request)
                .await
                .map_err(|e| Unavailable(e.to_string()))?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| Unavailable(e.to_string()))?
                .to_bytes();
            Ok::<_, Unavailable>(Answer { status, body })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| Unavailable(format!("no answer within {:?}", self.timeout)))?
    }
}

/// A request with `body` (empty for a GET) and the given headers.
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<hyper::Request<Full<Bytes>>, String> {
    let mut builder = hyper::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(Full::new(body.into()))
        .map_err(|e| e.to_string())
}
