//! RFC 9457 problem details. Every error any route returns goes through here, once.

use lambda_http::{Body, Response};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: u16, code: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("urn:tessera:problem:{code}"),
            title: title.to_string(),
            status,
            detail: detail.into(),
            code: code.to_string(),
            errors: Vec::new(),
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Problem {
        self.errors = errors;
        self
    }

    pub fn malformed_body(detail: impl Into<String>) -> Problem {
        Problem::new(400, "malformed_body", "Malformed request body", detail)
    }

    pub fn validation(errors: Vec<FieldError>) -> Problem {
        Problem::new(
            422,
            "validation_failed",
            "Validation failed",
            "One or more fields are invalid.",
        )
        .with_errors(errors)
    }

    pub fn not_found() -> Problem {
        Problem::new(404, "not_found", "Not found", "No such route.")
    }

    pub fn method_not_allowed() -> Problem {
        Problem::new(
            405,
            "method_not_allowed",
            "Method not allowed",
            "This route does not take that method.",
        )
    }

    /// The only 5xx body: it says nothing about the cause, which goes to the log instead.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Problem {
        tracing::error!(error = %error_chain(error), "request failed");
        Problem::new(
            500,
            "internal_error",
            "Internal error",
            "Something went wrong on our side. Try again later.",
        )
    }

    pub fn into_response(self) -> Response<Body> {
        let body = serde_json::to_string(&self).unwrap_or_default();
        crate::response::with_body(self.status, "application/problem+json", body)
    }
}

/// "outer: inner: innermost", for one log field.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}
