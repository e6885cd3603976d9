use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::{Body, Response};
use serde::Serialize;
use std::future::Future;
use std::time::Duration;
use tessera_identity::signup::IdentityDeps;

/// Runs an answer that must not reveal whether an account exists so that it takes at least the
/// configured `uniform_answer_ms`: the work an account's state causes (a write, an email) hides
/// under that floor.
pub async fn uniformly<T>(deps: &IdentityDeps, answer: impl Future<Output = T>) -> T {
    let floor = Duration::from_millis(deps.settings.uniform_answer_ms);
    let deadline = tokio::time::Instant::now() + floor;
    let out = answer.await;
    tokio::time::sleep_until(deadline).await;
    out
}

/// Like `uniformly`, for answers whose success already tells the caller what they proved (a
/// right code): only a failure waits out the floor, so a failure for an account with a code
/// outstanding looks like one for an address without.
pub async fn unless_ok_uniformly<T, E>(
    deps: &IdentityDeps,
    answer: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let floor = Duration::from_millis(deps.settings.uniform_answer_ms);
    let deadline = tokio::time::Instant::now() + floor;
    let out = answer.await;
    if out.is_err() {
        tokio::time::sleep_until(deadline).await;
    }
    out
}

/// API answers carry codes, tokens and personal data: never cached.
pub fn with_body(status: u16, content_type: &str, body: impl Into<Body>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, content_type)
        .header(CACHE_CONTROL, "no-store")
        .body(body.into())
        .expect("static headers are valid")
}

pub fn json<T: Serialize>(status: u16, value: &T) -> Response<Body> {
    with_body(
        status,
        "application/json",
        serde_json::to_string(value).unwrap_or_default(),
    )
}

pub fn empty(status: u16) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CACHE_CONTROL, "no-store")
        .body(Body::Empty)
        .expect("static headers are valid")
}
