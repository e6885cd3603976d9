//! The optional edge layer (a CloudFront distribution with a WAF rate-based rule in front of the
//! API, `infra/template.yaml`). With it, every request must come through the edge: the
//! distribution adds a secret header the functions check (`TESSERA_EDGE_SECRET`), so calling the
//! API Gateway address directly (around the WAF) is refused. Behind the edge, the address API
//! Gateway sees is the edge's, so the edge's viewer-request function writes the viewer's address
//! into a header of its own (replacing any the caller sent), and the per-client limits key on
//! that, trusted only with the secret.

use lambda_http::Request;
use subtle::ConstantTimeEq;

use crate::problem::Problem;

/// The header the distribution adds to every request it forwards, holding the edge secret.
pub const EDGE_HEADER: &str = "x-tessera-edge";
/// The header the edge's viewer-request function sets to the viewer's address.
pub const VIEWER_HEADER: &str = "x-tessera-viewer";

/// The client address the edge vouched for, kept on the request for the per-client limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerAddress(pub String);

/// Whether requests must have come through the edge (`Some(secret)`) or may come straight from
/// API Gateway (`None`, the default).
#[derive(Clone, Default)]
pub struct EdgeGate(Option<String>);

impl std::fmt::Debug for EdgeGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(_) => f.write_str("EdgeGate(required)"),
            None => f.write_str("EdgeGate(off)"),
        }
    }
}

impl EdgeGate {
    pub fn new(secret: Option<String>) -> EdgeGate {
        EdgeGate(secret)
    }

    /// Lets the request in, noting the viewer's address the edge vouched for; 403
    /// `edge_required` when the edge is required and the request did not come through it.
    pub fn admit(&self, request: &mut Request) -> Result<(), Problem> {
        let Some(secret) = &self.0 else {
            return Ok(());
        };
        let given = request
            .headers()
            .get(EDGE_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !bool::from(given.ct_eq(secret.as_bytes())) {
            return Err(Problem::new(
                403,
                "edge_required",
                "Use the API's public address",
                "This API answers only through its public address.",
            ));
        }
        let viewer = request
            .headers()
            .get(VIEWER_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(viewer) = viewer {
            request.extensions_mut().insert(ViewerAddress(viewer));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = lambda_http::http::Request::builder().uri("/v1/sessions");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(lambda_http::Body::Empty).unwrap()
    }

    const SECRET: &str = "an-edge-secret-of-thirty-two-chars!!";

    #[test]
    fn without_the_edge_every_request_is_let_in_and_no_header_is_trusted() {
        let mut r = request(&[(VIEWER_HEADER, "203.0.113.9")]);
        assert!(EdgeGate::default().admit(&mut r).is_ok());
        assert_eq!(r.extensions().get::<ViewerAddress>(), None);
    }

    #[test]
    fn with_the_edge_only_its_requests_get_in_and_their_viewer_is_trusted() {
        let gate = EdgeGate::new(Some(SECRET.into()));
        for headers in [
            vec![],
            vec![(EDGE_HEADER, "a-guess")],
            vec![(VIEWER_HEADER, "203.0.113.9")],
        ] {
            let problem = gate.admit(&mut request(&headers)).unwrap_err();
            assert_eq!(problem.into_response().status(), 403);
        }
        let mut r = request(&[(EDGE_HEADER, SECRET), (VIEWER_HEADER, "203.0.113.9")]);
        assert!(gate.admit(&mut r).is_ok());
        assert_eq!(
            r.extensions().get::<ViewerAddress>(),
            Some(&ViewerAddress("203.0.113.9".into()))
        );
        assert!(!format!("{gate:?}").contains(SECRET));
    }
}
