//! An API route's handler called in process for a page: the same decoding, rules, limits and
//! errors as over HTTP, at the same cost. The inner request carries the page request's context
//! (so per-client limits count the real client) and the session from the cookie as its bearer
//! token.

use lambda_http::http::header::{AUTHORIZATION, CONTENT_TYPE};
use lambda_http::RequestExt;
use lambda_http::{http, Body, Request, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;

use crate::visit::Visit;

/// Calls API handlers on behalf of one page request.
pub struct Api<'r> {
    page: &'r Request,
    token: Option<String>,
    headers: Vec<(&'static str, String)>,
}

impl<'r> Api<'r> {
    pub fn new(page: &'r Request, visit: &Visit) -> Api<'r> {
        Api {
            page,
            token: visit.session().map(str::to_string),
            headers: Vec::new(),
        }
    }

    /// The same caller with `token` as its session (just after signing in).
    pub fn with_token(mut self, token: &str) -> Api<'r> {
        self.token = Some(token.to_string());
        self
    }

    /// The same caller sending `name: value` too (an order's `Idempotency-Key`).
    pub fn with_header(mut self, name: &'static str, value: &str) -> Api<'r> {
        self.headers.push((name, value.to_string()));
        self
    }

    /// `method path` with `body` (JSON) through `handler`; its answer.
    pub async fn call<S, H, Fut>(
        &self,
        handler: H,
        state: &S,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer
    where
        S: Clone,
        H: Fn(Request, S) -> Fut,
        Fut: Future<Output = Response<Body>>,
    {
        Answer::from_response(self.send(handler, state, method, path, body).await)
    }

    /// `call`, with the response as the handler gave it (a download is passed through).
    pub async fn send<S, H, Fut>(
        &self,
        handler: H,
        state: &S,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Response<Body>
    where
        S: Clone,
        H: Fn(Request, S) -> Fut,
        Fut: Future<Output = Response<Body>>,
    {
        let mut builder = http::Request::builder().method(method).uri(path);
        if let Some(token) = &self.token {
            builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value.as_str());
        }
        let body = match body {
            Some(json) => {
                builder = builder.header(CONTENT_TYPE, "application/json");
                Body::Text(json.to_string())
            }
            None => Body::Empty,
        };
        let mut inner = builder.body(body).expect("a method and a path are valid");
        *inner.extensions_mut() = self.page.extensions().clone();
        // Handlers read a query as Lambda gives it: parsed, beside the path.
        let query: HashMap<String, String> = path
            .split_once('?')
            .map(|(_, query)| {
                form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let inner = inner.with_query_string_parameters(query);
        // On the heap: held inline, every route's state machine made the page's future grow past
        // a thread's 2 MiB stack in debug builds (a test overflowed it).
        Box::pin(handler(inner, state.clone())).await
    }
}

/// What a route answered: its status and its JSON body (`Null` when it had none, or was not JSON:
/// a PDF or a CSV is not read through here).
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<String>,
}

/// A problem's error about one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

impl Answer {
    pub fn from_response(response: Response<Body>) -> Answer {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = match response.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            Body::Binary(bytes) => serde_json::from_slice(bytes).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        Answer {
            status,
            body,
            retry_after,
        }
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The session is missing, ended or expired: the page sends the person to sign in.
    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401 && self.code() == "unauthenticated"
    }

    /// A problem's `code` (empty on success).
    pub fn code(&self) -> &str {
        self.text("code")
    }

    /// A problem's `detail`: what the person is told.
    pub fn detail(&self) -> &str {
        self.text("detail")
    }

    /// A string member of the body, or empty.
    pub fn text(&self, key: &str) -> &str {
        self.body
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The same answer with its errors about `from` said about `to` (a page whose form names a
    /// field differently from the route, e.g. two password fields on one page).
    pub fn renamed(&self, from: &str, to: &str) -> Answer {
        let mut answer = self.clone();
        if let Some(errors) = answer.body.get_mut("errors").and_then(Value::as_array_mut) {
            for error in errors {
                if error.get("field").and_then(Value::as_str) == Some(from) {
                    error["field"] = Value::String(to.to_string());
                }
            }
        }
        answer
    }

    /// A problem's `errors`, each with the field it is about.
    pub fn field_errors(&self) -> Vec<FieldMessage> {
        self.body
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| FieldMessage {
                        field: e
                            .get("field")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .into(),
                        message: e
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .into(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_problem_reads_as_its_code_detail_and_field_errors() {
        let response = Response::builder()
            .status(422)
            .header("retry-after", "5")
            .body(Body::Text(
                json!({"code": "validation_failed", "detail": "Check the fields.",
                       "errors": [{"field": "email", "code": "invalid_email", "message": "is not an email address"}]})
                .to_string(),
            ))
            .unwrap();
        let answer = Answer::from_response(response);
        assert!(!answer.is_success());
        assert_eq!(answer.code(), "validation_failed");
        assert_eq!(answer.detail(), "Check the fields.");
        assert_eq!(answer.retry_after.as_deref(), Some("5"));
        assert_eq!(
            answer.field_errors(),
            vec![FieldMessage {
                field: "email".into(),
                message: "is not an email address".into()
            }]
        );
    }

    #[test]
    fn an_empty_success_has_a_null_body() {
        let answer =
            Answer::from_response(Response::builder().status(204).body(Body::Empty).unwrap());
        assert!(answer.is_success());
        assert_eq!(answer.body, Value::Null);
        assert_eq!(answer.code(), "");
    }
}
