//! Per-client limits on the unauthenticated routes that cost a hash or send a message, keyed by
//! the source address API Gateway saw, or the viewer's the edge layer vouched for (never a header
//! the caller writes). They are counted in
//! the attempt ledger, so every instance of a function shares them.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::client_limits::{take_client_request, ClientCounting, ClientRequest};
use tessera_kernel::time::Timestamp;

use crate::edge::ViewerAddress;
use crate::problem::Problem;

/// The caller's address: the viewer's, when the edge layer vouched for it (`edge`), else the one
/// API Gateway saw; requests that came through neither (handlers driven in process) share one.
pub fn client_address(request: &Request) -> String {
    if let Some(ViewerAddress(viewer)) = request.extensions().get::<ViewerAddress>() {
        return viewer.clone();
    }
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".to_string())
}

/// Takes this request from its client's allowance of `kind`, before any hash or message: 429
/// `too_many_requests` with `Retry-After` when it is spent.
pub async fn limit(
    request: &Request,
    deps: &IdentityDeps,
    kind: ClientRequest,
) -> Result<(), Problem> {
    let counting = ClientCounting {
        attempts: deps.attempts.as_ref(),
        leases: &deps.client_leases,
        limits: &deps.settings.client_limits,
    };
    limit_by(request, counting, kind, deps.clock.now()).await
}

/// [`limit`] for a function without the identity flows' ports (public verification).
pub async fn limit_by(
    request: &Request,
    counting: ClientCounting<'_>,
    kind: ClientRequest,
    now: Timestamp,
) -> Result<(), Problem> {
    let address = client_address(request);
    match take_client_request(counting, kind, &address, now).await {
        Ok(None) => Ok(()),
        Ok(Some(retry_at)) => {
            let seconds = (retry_at - now).0.max(1);
            Err(Problem::new(
                429,
                "too_many_requests",
                "Too many requests",
                format!(
                    "Too many requests of this kind from your network. Try again in {seconds} seconds."
                ),
            )
            .with_header("retry-after", seconds.to_string()))
        }
        Err(e) => Err(Problem::internal(&e)),
    }
}
