//! Structured JSON logs, one line per event, with the request id on every line of a request.
//! Bodies are never logged; typed secrets (`Password`, `OneTimeCode`, peppers) redact themselves.

use lambda_http::{Request, RequestExt};
use tracing_subscriber::{fmt, EnvFilter};

/// Installs the JSON subscriber writing to stdout (CloudWatch, or the terminal locally).
/// `RUST_LOG` sets the level (default `info`).
pub fn init() {
    let _ = builder().try_init();
}

/// The subscriber `init` installs; tests point it at their own writer.
pub fn builder() -> fmt::SubscriberBuilder<
    fmt::format::JsonFields,
    fmt::format::Format<fmt::format::Json>,
    EnvFilter,
> {
    fmt()
        .json()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
}

/// The id API Gateway (or `cargo lambda watch`) gave this request, or the Lambda invocation id.
pub fn request_id(request: &Request) -> String {
    use lambda_http::request::RequestContext;
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone().unwrap_or_default(),
        _ => request
            .lambda_context_ref()
            .map(|c| c.request_id.clone())
            .unwrap_or_default(),
    }
}
