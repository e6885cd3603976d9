//! Structured JSON logs, one line per event, with the request id on every line of a request.
//! Bodies are never logged; typed secrets (`Password`, `OneTimeCode`, peppers) redact themselves.

use lambda_http::{Request, RequestExt};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt;

/// Installs the JSON subscriber writing to stdout (CloudWatch, or the terminal locally).
/// `RUST_LOG` sets the level (default `info`).
pub fn init() {
    let _ = builder().try_init();
}

/// The subscriber `init` installs; tests point it at their own writer.
pub fn builder() -> fmt::SubscriberBuilder<
    fmt::format::JsonFields,
    fmt::format::Format<fmt::format::Json>,
    LevelFilter,
> {
    fmt()
        .json()
        .with_max_level(level(std::env::var("RUST_LOG").ok().as_deref()))
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
}

/// The level `RUST_LOG` names (`error`, `warn`, `info`, `debug`, `trace` or `off`, as the
/// template's `LogLevel` allows), `info` when it is unset or names none. A plain level rather than
/// per-module directives: the directive parser brings a regex engine into every function.
fn level(setting: Option<&str>) -> LevelFilter {
    setting
        .map(str::trim)
        // The level parser reads an empty string as `error`.
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
        .unwrap_or(LevelFilter::INFO)
}

/// The path a log line names: every random id (32 hex digits ending a segment, such as a
/// transcript link's or a sandbox checkout's `cs_sandbox_<id>`) masked as `{id}`, since such an
/// id is the only key to what it names.
pub fn loggable_path(request: &Request) -> String {
    request
        .uri()
        .path()
        .split('/')
        .map(|segment| {
            let cut = segment
                .len()
                .saturating_sub(tessera_kernel::random_id::LENGTH);
            match segment.split_at_checked(cut) {
                Some((prefix, id))
                    if tessera_kernel::random_id::is_well_formed(&id.to_ascii_lowercase()) =>
                {
                    format!("{prefix}{{id}}")
                }
                _ => segment.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_is_the_one_named_or_info() {
        assert_eq!(level(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level(Some(" WARN ")), LevelFilter::WARN);
        assert_eq!(level(Some("off")), LevelFilter::OFF);
        assert_eq!(level(Some("tessera=debug")), LevelFilter::INFO);
        assert_eq!(level(Some("")), LevelFilter::INFO);
        assert_eq!(level(None), LevelFilter::INFO);
    }

    #[test]
    fn random_ids_in_paths_are_masked() {
        let request = |path: &str| {
            lambda_http::http::Request::builder()
                .uri(path)
                .body(lambda_http::Body::Empty)
                .unwrap()
        };
        assert_eq!(
            loggable_path(&request("/v1/transcripts/0123456789abcdef0123456789ABCDEF")),
            "/v1/transcripts/{id}"
        );
        assert_eq!(
            loggable_path(&request(
                "/v1/candidate/transcripts/0123456789abcdef0123456789abcdef/emails"
            )),
            "/v1/candidate/transcripts/{id}/emails"
        );
        assert_eq!(
            loggable_path(&request(
                "/v1/payments/sandbox/cs_sandbox_0123456789abcdef0123456789abcdef"
            )),
            "/v1/payments/sandbox/cs_sandbox_{id}"
        );
        assert_eq!(
            loggable_path(&request(
                "/v1/candidate/certifications/infrastructure-associate"
            )),
            "/v1/candidate/certifications/infrastructure-associate"
        );
    }
}
