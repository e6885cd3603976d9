//! The links messages carry to the person's own pages, which share the API's origin.

use crate::code::OneTimeCode;
use crate::email::Email;

/// Where the person's pages are: the API's public address (`TESSERA_PUBLIC_URL`, or the domain
/// API Gateway was invoked on), without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PagesUrl(String);

impl PagesUrl {
    pub fn new(base: &str) -> PagesUrl {
        PagesUrl(base.trim_end_matches('/').to_string())
    }

    /// The activation page with the address and the code filled in. Opening it activates
    /// nothing (mail scanners open links): the person confirms there with their password.
    pub fn activation(&self, email: &Email, code: &OneTimeCode) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("email", email.as_str())
            .append_pair("code", code.expose())
            .finish();
        format!("{}/activate?{query}", self.0)
    }

    /// The page that confirms a record-mapping code (or a record's new address) with the code
    /// filled in. Opening it confirms nothing: the signed-in person confirms there.
    pub fn mapping_confirmation(&self, code: &OneTimeCode) -> String {
        format!("{}/mapping/confirm?code={}", self.0, code.expose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_activation_link_carries_the_address_and_code_escaped() {
        let pages = PagesUrl::new("https://id.example.com/");
        let email = Email::parse("ada+lab@example.com").unwrap();
        let code = OneTimeCode::parse("042917").unwrap();
        assert_eq!(
            pages.activation(&email, &code),
            "https://id.example.com/activate?email=ada%2Blab%40example.com&code=042917"
        );
        assert_eq!(
            pages.mapping_confirmation(&code),
            "https://id.example.com/mapping/confirm?code=042917"
        );
    }
}
