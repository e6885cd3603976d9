//! The API's public address, for the links messages and pages carry (transcript links, the
//! activation page): the pages and the API share one origin.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::problem::Problem;

/// The API's public address for links: the configured one, else the API Gateway domain the
/// request arrived on (never the `Host` header, which the caller controls).
pub fn public_base(configured: Option<&str>, request: &Request) -> Result<String, Problem> {
    if let Some(url) = configured {
        return Ok(url.to_string());
    }
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx
            .domain_name
            .as_ref()
            .map(|domain| format!("https://{domain}")),
        _ => None,
    }
    .ok_or_else(|| {
        Problem::internal(&std::io::Error::other(
            "no TESSERA_PUBLIC_URL and no API Gateway domain",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    #[test]
    fn links_use_the_configured_address_or_the_invoked_domain() {
        let text = include_str!("../../../events/transcripts/transcript-create.json");
        let event = lambda_http::request::from_str(text).expect("an API Gateway event");
        assert_eq!(
            public_base(Some("https://api.example.com"), &event).unwrap(),
            "https://api.example.com"
        );
        assert_eq!(
            public_base(None, &event).unwrap(),
            "https://api.tessera.example"
        );
        let bare = lambda_http::http::Request::builder()
            .uri("/v1/candidate/transcripts")
            .header("host", "evil.example")
            .body(Body::Empty)
            .unwrap();
        assert!(
            public_base(None, &bare).is_err(),
            "never the client's Host header"
        );
    }
}
