//! Request bodies: JSON objects only, 16 KiB at most, no unknown fields, every field error
//! collected so one 422 lists them all.

use crate::problem::{FieldError, Problem};
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request};
use serde_json::{Map, Value};

pub const MAX_JSON_BODY: usize = 16 * 1024;

/// The body's bytes, whatever the `Body` variant.
pub fn bytes(request: &Request) -> &[u8] {
    match request.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    }
}

fn content_type_is(request: &Request, expected: &str) -> bool {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

/// A `text/csv` body of at most `max` bytes, as UTF-8 text: 413, 415 or 400 otherwise.
pub fn csv_text(request: &Request, max: usize) -> Result<&str, Problem> {
    let raw = bytes(request);
    if raw.len() > max {
        return Err(Problem::new(
            413,
            "body_too_large",
            "Body too large",
            format!("A CSV import may be at most {max} bytes."),
        ));
    }
    if !content_type_is(request, "text/csv") {
        return Err(Problem::new(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the file as text/csv.",
        ));
    }
    std::str::from_utf8(raw).map_err(|_| Problem::malformed_body("The CSV file is not UTF-8 text."))
}

/// A JSON object from the body, checked for size (413), content type (415) and syntax (400).
pub fn json_object(request: &Request) -> Result<Map<String, Value>, Problem> {
    json_object_up_to(request, MAX_JSON_BODY)
}

/// `json_object` for a route whose body may be larger (at most `max` bytes).
fn json_object_up_to(request: &Request, max: usize) -> Result<Map<String, Value>, Problem> {
    let raw = bytes(request);
    if raw.len() > max {
        return Err(Problem::new(
            413,
            "body_too_large",
            "Body too large",
            format!("The body may be at most {max} bytes."),
        ));
    }
    if !content_type_is(request, "application/json") {
        return Err(Problem::new(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the body as application/json.",
        ));
    }
    match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Problem::malformed_body("The body must be a JSON object.")),
        Err(e) => Err(Problem::malformed_body(format!(
            "The body is not valid JSON: {}",
            e.classify_message()
        ))),
    }
}

trait ClassifyMessage {
    fn classify_message(&self) -> &'static str;
}

impl ClassifyMessage for serde_json::Error {
    /// The category only: serde's full message can quote the body (and so a password).
    fn classify_message(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Eof => "it ends too early",
            serde_json::error::Category::Syntax => "syntax error",
            _ => "unreadable",
        }
    }
}

fn unknown_fields(unknown: Vec<FieldError>) -> Problem {
    Problem::new(
        400,
        "unknown_field",
        "Unknown field",
        "The body has fields this route does not accept.",
    )
    .with_errors(unknown)
}

/// The fields of a decoded object, taken one by one with every problem recorded.
pub struct Fields {
    map: Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Fields {
    /// Decodes the body and refuses fields not in `allowed` (400 `unknown_field`, all listed).
    pub fn from_request(request: &Request, allowed: &[&str]) -> Result<Fields, Problem> {
        Fields::from_request_up_to(request, allowed, MAX_JSON_BODY)
    }

    /// `from_request` for a route whose body may be larger than `MAX_JSON_BODY` (a catalog).
    pub fn from_request_up_to(
        request: &Request,
        allowed: &[&str],
        max: usize,
    ) -> Result<Fields, Problem> {
        let map = json_object_up_to(request, max)?;
        let unknown: Vec<FieldError> = map
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| FieldError::new(k, "unknown_field", "This field is not accepted here."))
            .collect();
        if !unknown.is_empty() {
            return Err(unknown_fields(unknown));
        }
        Ok(Fields {
            map,
            errors: Vec::new(),
        })
    }

    /// The fields of one element of an array field (`items[0]`), read like `object`.
    pub fn element(value: Value, allowed: &[&str], name: &str) -> Result<Fields, Problem> {
        match value {
            Value::Object(map) => Fields::from_map(map, allowed, name),
            _ => {
                let mut f = Fields::from_map(Map::new(), allowed, name)?;
                f.errors.push(FieldError::new(
                    "",
                    "invalid_type",
                    "Each element must be an object.",
                ));
                Ok(f)
            }
        }
    }

    /// Whether the body carries `field` with a non-null value.
    pub fn has(&self, field: &str) -> bool {
        self.map.get(field).is_some_and(|v| !v.is_null())
    }

    pub fn error(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// A string field; missing, `null` or another type are recorded as errors.
    pub fn string(&mut self, field: &str) -> Option<String> {
        match self.map.remove(field) {
            Some(Value::String(s)) => Some(s),
            None | Some(Value::Null) => {
                self.error(field, "required", "This field is required.");
                None
            }
            Some(_) => {
                self.error(field, "invalid_type", "This field must be a string.");
                None
            }
        }
    }

    /// The raw value of a field the caller parses itself (`None` when absent or `null`).
    pub fn take(&mut self, field: &str) -> Option<Value> {
        self.map.remove(field).filter(|v| !v.is_null())
    }

    /// The raw value of a field as sent, `null` included (`None` when absent): for a field
    /// whose `null` means something (clearing it).
    pub fn take_raw(&mut self, field: &str) -> Option<Value> {
        self.map.remove(field)
    }

    /// A list of strings (each trimmed); absent or `null` is an empty list unless `required`.
    /// Otherwise the field's error (`code`, `message`) and `None`.
    pub fn string_list(
        &mut self,
        field: &str,
        required: bool,
        code: &str,
        message: &str,
    ) -> Option<Vec<String>> {
        match self.take(field) {
            None if !required => Some(Vec::new()),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
                    .collect(),
            ),
            _ => {
                self.error(field, code, message.to_string());
                None
            }
        }
    }

    /// A string field that may be absent or `null`.
    pub fn optional_string(&mut self, field: &str) -> Option<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(_) => self.string(field),
        }
    }

    /// A required boolean.
    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.map.remove(field) {
            Some(Value::Bool(b)) => Some(b),
            None | Some(Value::Null) => {
                self.error(field, "required", "This field is required.");
                None
            }
            Some(_) => {
                self.error(field, "invalid_type", "This field must be true or false.");
                None
            }
        }
    }

    /// A required whole number (`4` or `4.0`: see [`whole`]), 0 to `u32::MAX`.
    pub fn whole_number(&mut self, field: &str) -> Option<u32> {
        match self.map.remove(field) {
            Some(value @ Value::Number(_)) => {
                match whole(&value).and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => Some(n),
                    None => {
                        self.error(
                            field,
                            "invalid_number",
                            "This field must be a whole number.",
                        );
                        None
                    }
                }
            }
            None | Some(Value::Null) => {
                self.error(field, "required", "This field is required.");
                None
            }
            Some(_) => {
                self.error(field, "invalid_type", "This field must be a number.");
                None
            }
        }
    }

    /// An optional text field that `null` clears: absent → `None`, `null` → `Some(None)`.
    /// Trimmed; empty counts as `null`; longer than `max` characters is an error.
    pub fn nullable_string(&mut self, field: &str, max: usize) -> Option<Option<String>> {
        match self.map.remove(field) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) => {
                let s = s.trim().to_string();
                if s.chars().count() > max {
                    self.error(
                        field,
                        "too_long",
                        format!("This field may be at most {max} characters."),
                    );
                    None
                } else if s.chars().any(char::is_control) {
                    self.error(
                        field,
                        "invalid_text",
                        "This field may not contain control characters.",
                    );
                    None
                } else {
                    Some((!s.is_empty()).then_some(s))
                }
            }
            Some(_) => {
                self.error(
                    field,
                    "invalid_type",
                    "This field must be a string or null.",
                );
                None
            }
        }
    }

    /// A required string parsed into a domain value; the parse error becomes `code`.
    pub fn parse<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        code: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.string(field)?;
        self.check(field, code, &raw, parse)
    }

    /// Like `parse`, for an optional field.
    pub fn parse_optional<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        code: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.optional_string(field)?;
        self.check(field, code, &raw, parse)
    }

    fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        code: &str,
        raw: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = format!("This field {e}.");
                self.error(field, code, message);
                None
            }
        }
    }

    /// An object field read with its own `allowed` fields (unknown ones: 400, as at the top
    /// level); `None` when absent or `null`, or not an object (recorded). Its errors come back
    /// through `absorb`.
    pub fn object(&mut self, field: &str, allowed: &[&str]) -> Result<Option<Fields>, Problem> {
        match self.take(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Fields::from_map(map, allowed, field).map(Some),
            Some(_) => {
                self.error(field, "invalid_type", "This field must be an object.");
                Ok(None)
            }
        }
    }

    /// Takes in the errors of `inner` (read from `prefix`), named `prefix.field`.
    pub fn absorb(&mut self, prefix: &str, inner: Fields) {
        for mut e in inner.errors {
            e.field = if e.field.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{}", e.field)
            };
            self.errors.push(e);
        }
    }

    fn from_map(
        map: Map<String, Value>,
        allowed: &[&str],
        prefix: &str,
    ) -> Result<Fields, Problem> {
        let unknown: Vec<FieldError> = map
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| {
                FieldError::new(
                    &format!("{prefix}.{k}"),
                    "unknown_field",
                    "This field is not accepted here.",
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(unknown_fields(unknown));
        }
        Ok(Fields {
            map,
            errors: Vec::new(),
        })
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The 422 listing every error recorded.
    pub fn into_problem(self) -> Problem {
        Problem::validation(self.errors)
    }
}

/// A JSON number that is a whole number from 0 up: `4`, and also `4.0`, which JSON Schema (and so
/// the OpenAPI document's `type: integer`) counts as the same integer.
pub fn whole(value: &Value) -> Option<u64> {
    let Value::Number(n) = value else {
        return None;
    };
    n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
            .map(|f| f as u64)
    })
}

#[cfg(test)]
mod whole_numbers {
    use super::whole;
    use serde_json::json;

    #[test]
    fn integers_written_with_a_zero_fraction_are_whole() {
        assert_eq!(whole(&json!(4)), Some(4));
        assert_eq!(whole(&json!(4.0)), Some(4));
        assert_eq!(whole(&json!(4.5)), None);
        assert_eq!(whole(&json!(-1)), None);
        assert_eq!(whole(&json!(-1.0)), None);
        assert_eq!(whole(&json!("4")), None);
    }
}
