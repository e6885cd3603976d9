//! Reaching an organisation's provider over HTTPS (`tessera_outbound`): its discovery document,
//! its keys and its token endpoint. Every answer is read whole within the time limit and parsed
//! before use; anything else is the provider's failure, never a sign-in.

use std::time::Duration;

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use tessera_outbound::{request, Outbound};

use crate::ports::{IssuerError, IssuerMetadata, Issuers};

/// How long a provider may take to answer each request.
const TIMEOUT: Duration = Duration::from_secs(5);

pub struct HttpIssuers {
    client: Outbound,
}

impl Default for HttpIssuers {
    fn default() -> Self {
        HttpIssuers {
            client: Outbound::new(TIMEOUT),
        }
    }
}

impl HttpIssuers {
    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Result<T, IssuerError> {
        let request = request(method, url, headers, body).map_err(IssuerError::Refused)?;
        let answer = self
            .client
            .exchange(request)
            .await
            .map_err(|e| IssuerError::Unavailable(e.0))?;
        if !answer.is_success() {
            let said =
                String::from_utf8_lossy(&answer.body[..answer.body.len().min(300)]).into_owned();
            return Err(IssuerError::Refused(format!(
                "HTTP {} from {url}: {said}",
                answer.status
            )));
        }
        serde_json::from_slice(&answer.body)
            .map_err(|e| IssuerError::Refused(format!("an unreadable answer from {url}: {e}")))
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
}

/// RFC 6749 §2.3.1: each part form-encoded, then Basic.
fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", encode(id), encode(secret)))
    )
}

#[async_trait]
impl Issuers for HttpIssuers {
    async fn metadata(&self, issuer: &str) -> Result<IssuerMetadata, IssuerError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        self.json(
            "GET",
            &url,
            &[("accept", "application/json")],
            String::new(),
        )
        .await
    }

    async fn keys(&self, jwks_uri: &str) -> Result<jsonwebtoken::jwk::JwkSet, IssuerError> {
        self.json(
            "GET",
            jwks_uri,
            &[("accept", "application/json")],
            String::new(),
        )
        .await
    }

    async fn redeem_code(
        &self,
        token_endpoint: &str,
        form: &[(&str, &str)],
        client: (&str, Option<&str>),
    ) -> Result<String, IssuerError> {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        let authorization = match client {
            (id, Some(secret)) => Some(basic(id, secret)),
            (id, None) => {
                fields.push(("client_id", id));
                None
            }
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut headers = vec![
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/json"),
        ];
        if let Some(value) = &authorization {
            headers.push(("authorization", value));
        }
        let answer: TokenAnswer = self.json("POST", token_endpoint, &headers, body).await?;
        answer
            .id_token
            .ok_or_else(|| IssuerError::Refused("the token answer has no id_token".into()))
    }
}
