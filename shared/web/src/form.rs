//! A submitted HTML form (`application/x-www-form-urlencoded`), bounded like the API's bodies.

use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::Request;

/// The largest form read: the API's body limit.
pub const MAX_FORM: usize = 16 * 1024;

#[derive(Clone, Debug, Default)]
pub struct Form {
    fields: Vec<(String, String)>,
}

/// Why a body is not a form this portal reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormError {
    TooLarge,
    NotAForm,
}

impl Form {
    /// The form a page request posted.
    pub fn from_request(request: &Request) -> Result<Form, FormError> {
        Form::from_request_up_to(request, MAX_FORM)
    }

    /// The same with a larger bound, for the one form that carries a file's text.
    pub fn from_request_up_to(request: &Request, max: usize) -> Result<Form, FormError> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(FormError::NotAForm);
        }
        Form::parse_up_to(tessera_http::body::bytes(request), max)
    }

    pub fn parse(body: &[u8]) -> Result<Form, FormError> {
        Form::parse_up_to(body, MAX_FORM)
    }

    /// A form that may be larger than most (a catalog's text): up to `max` bytes.
    pub fn parse_up_to(body: &[u8], max: usize) -> Result<Form, FormError> {
        if body.len() > max {
            return Err(FormError::TooLarge);
        }
        Ok(Form {
            fields: form_urlencoded::parse(body).into_owned().collect(),
        })
    }

    /// The first value of `name`, if the form has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value of `name`, trimmed, or empty.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_string()
    }

    /// The lines of the text area `name`, each trimmed, empty ones left out (addresses or domains
    /// typed one per line).
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.text(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Every value of `name`, trimmed, in the order posted (a group of checkboxes).
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .collect()
    }

    /// Whether a checkbox named `name` was ticked (its value is `yes`).
    pub fn ticked(&self, name: &str) -> bool {
        self.get(name) == Some("yes")
    }

    /// Every field, in the order posted.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The value of `key` in the request's query: as Lambda parses it, or from the URI (a request
/// that came another way).
/// `value` encoded for a query string (`application/x-www-form-urlencoded`).
pub fn query_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub fn query_value(request: &Request, key: &str) -> Option<String> {
    use lambda_http::RequestExt;
    if let Some(value) = request
        .query_string_parameters_ref()
        .and_then(|q| q.first(key))
    {
        return Some(value.to_string());
    }
    let query = request.uri().query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decoded_and_the_first_wins() {
        let form = Form::parse(b"email=ada%40example.com&name=A+B&name=C&box=yes").unwrap();
        assert_eq!(form.get("email"), Some("ada@example.com"));
        assert_eq!(form.get("name"), Some("A B"));
        assert!(form.ticked("box"));
        assert!(!form.ticked("other"));
        assert_eq!(form.text("missing"), "");
    }

    #[test]
    fn a_body_over_the_limit_is_refused() {
        assert_eq!(
            Form::parse(&vec![b'a'; MAX_FORM + 1]).unwrap_err(),
            FormError::TooLarge
        );
    }
}
