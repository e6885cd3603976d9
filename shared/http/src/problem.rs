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

/// A problem to answer with. `type` is derived from `code` when it is written out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub status: u16,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`).
    pub headers: Vec<(&'static str, String)>,
}

/// The RFC 9457 document as sent.
#[derive(Serialize)]
struct Wire<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
}

impl Problem {
    pub fn new(
        status: u16,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            status,
            code,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Problem {
        self.errors = errors;
        self
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Problem {
        self.headers.push((name, value.into()));
        self
    }

    /// No valid session: missing, malformed, unknown, expired or revoked token alike.
    pub fn unauthenticated() -> Problem {
        Problem::new(
            401,
            "unauthenticated",
            "Not authenticated",
            "Log in and send the session token as a Bearer token.",
        )
        .with_header("www-authenticate", "Bearer")
    }

    /// Too many failed attempts: wait `seconds` (also sent as `Retry-After`).
    pub fn too_many_attempts(seconds: i64) -> Problem {
        let seconds = seconds.max(1);
        Problem::new(
            429,
            "too_many_attempts",
            "Too many attempts",
            format!("Too many failed attempts. Try again in {seconds} seconds."),
        )
        .with_header("retry-after", seconds.to_string())
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

    /// A one-time code (emailed or texted) that does not open anything: wrong, used, expired, or
    /// past its guesses; one answer for all.
    pub fn invalid_code() -> Problem {
        Problem::new(
            400,
            "invalid_code",
            "Invalid code",
            "The code is wrong, used or expired. Ask for a new one if needed.",
        )
    }

    /// An import file refused whole (too large, no header, columns missing, not CSV): nothing
    /// was imported.
    #[cfg(any(feature = "certification", feature = "access"))]
    pub fn file_refused(e: &tessera_kernel::csv_table::ImportError) -> Problem {
        let status = match e {
            tessera_kernel::csv_table::ImportError::TooLarge => 413,
            _ => 422,
        };
        Problem::new(
            status,
            e.code(),
            "File refused",
            format!("{e}; nothing was imported."),
        )
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

    /// The answer to an error no flow names. A request that lost every retry of a race (the
    /// record kept changing under it) is told to try again (409); anything else is the only
    /// 5xx body, which says nothing about the cause: that goes to the log.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Problem {
        if lost_a_race(error) {
            tracing::warn!(error = %error_chain(error), "request lost a race");
            return Problem::new(
                409,
                "conflict",
                "Conflict",
                "The record changed while this request was handled. Try again.",
            );
        }
        tracing::error!(error = %error_chain(error), "request failed");
        Problem::new(
            500,
            "internal_error",
            "Internal error",
            "Something went wrong on our side. Try again later.",
        )
    }

    pub fn into_response(self) -> Response<Body> {
        let wire = Wire {
            kind: format!("urn:tessera:problem:{}", self.code),
            title: self.title,
            status: self.status,
            detail: &self.detail,
            code: self.code,
            errors: &self.errors,
        };
        let body = serde_json::to_string(&wire).unwrap_or_default();
        let mut response =
            crate::response::with_body(self.status, "application/problem+json", body);
        for (name, value) in self.headers {
            if let Ok(value) = lambda_http::http::HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// Whether `error`, or an error it wraps, is a store conflict.
fn lost_a_race(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if matches!(
            e.downcast_ref::<tessera_kernel::ports::StoreError>(),
            Some(tessera_kernel::ports::StoreError::Conflict)
        ) {
            return true;
        }
        next = e.source();
    }
    false
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

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ports::StoreError;

    #[test]
    fn a_lost_race_is_told_to_try_again_and_a_fault_says_nothing() {
        let conflict = Problem::internal(&StoreError::Conflict);
        assert_eq!((conflict.status, conflict.code), (409, "conflict"));
        let fault = Problem::internal(&StoreError::unavailable(std::io::Error::other("disk")));
        assert_eq!((fault.status, fault.code), (500, "internal_error"));
        assert!(!fault.detail.contains("disk"));
    }
}
