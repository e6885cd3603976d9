use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::{Body, Response};
use serde::Serialize;

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
