//! One request to a page: whether it came over HTTPS, its session (the API's session token, kept
//! in a cookie), its form key, and the CSRF token every form carries.
//!
//! Two cookies, both `HttpOnly` and `Path=/`, named with the `__Host-` prefix over HTTPS (so no
//! other host can set them), plainly over HTTP (only `make dev` on loopback, where a `__Host-`
//! cookie must be `Secure` and the browser would drop it):
//! - the **session**: the token `POST /v1/sessions` gave; `SameSite=Lax`, so a link from an email
//!   opens the portal signed in, while a form posted from another site arrives without it;
//! - the **form key**: 32 random bytes set on the first page; `SameSite=Strict`.
//!
//! A state-changing request must carry a `csrf` field equal to a hash of the form key and the
//! session (so a token is bound to both, and no server secret is needed), and must not come from
//! another site (`Sec-Fetch-Site`, which every current browser sends).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use lambda_http::http::header::{COOKIE, SET_COOKIE};
use lambda_http::http::HeaderValue;
use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tessera_kernel::ports::Random;

use crate::form::Form;

/// The longest cookie value read (a session token is 43 characters; anything longer is not ours).
const MAX_COOKIE_VALUE: usize = 256;

/// The cookie names for a visit over HTTPS or plain HTTP.
struct CookieNames {
    session: &'static str,
    form_key: &'static str,
}

const SECURE_NAMES: CookieNames = CookieNames {
    session: "__Host-tessera-session",
    form_key: "__Host-tessera-form",
};
const PLAIN_NAMES: CookieNames = CookieNames {
    session: "tessera-session",
    form_key: "tessera-form",
};

/// Why a state-changing request was refused before it reached a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Posted from another site (`Sec-Fetch-Site: cross-site` or `same-site`).
    CrossSite,
    /// No form key cookie, no `csrf` field, or one that does not match.
    BadToken,
}

pub struct Visit {
    secure: bool,
    session: Option<String>,
    form_key: String,
    /// `Set-Cookie` lines the answer carries: a new form key, a session started or ended.
    set_cookies: Vec<String>,
}

impl Visit {
    /// The visit `request` makes; a form key is made (and set on the answer) when it has none.
    pub fn of(request: &Request, random: &dyn Random) -> Visit {
        let secure = is_https(request);
        let names = names(secure);
        let session = cookie(request, names.session).map(str::to_string);
        let mut set_cookies = Vec::new();
        let form_key = match cookie(request, names.form_key).filter(|k| k.len() == 43) {
            Some(key) => key.to_string(),
            None => {
                let mut bytes = [0u8; 32];
                random.fill(&mut bytes);
                let key = URL_SAFE_NO_PAD.encode(bytes);
                set_cookies.push(cookie_line(names.form_key, &key, secure, "Strict", None));
                key
            }
        };
        Visit {
            secure,
            session,
            form_key,
            set_cookies,
        }
    }

    /// The session token from the cookie, if any (whether it is still live, the API says).
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// The token this visit's forms carry in their `csrf` field.
    pub fn csrf_token(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(b"tessera form v1\0");
        hash.update(self.form_key.as_bytes());
        hash.update(b"\0");
        hash.update(self.session.as_deref().unwrap_or_default().as_bytes());
        URL_SAFE_NO_PAD.encode(hash.finalize())
    }

    /// A state-changing request's checks: from this site, with this visit's token.
    pub fn check_form(&self, request: &Request, form: &Form) -> Result<(), Refusal> {
        let site = request
            .headers()
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok());
        if matches!(site, Some(s) if s != "same-origin" && s != "none") {
            return Err(Refusal::CrossSite);
        }
        let given = form.get("csrf").unwrap_or_default();
        let expected = self.csrf_token();
        let same: bool = given.as_bytes().ct_eq(expected.as_bytes()).into();
        if same {
            Ok(())
        } else {
            Err(Refusal::BadToken)
        }
    }

    /// Signs the browser in with `token` (from `POST /v1/sessions`); forms rendered on this answer
    /// are bound to it.
    pub fn start_session(&mut self, token: &str) {
        let names = names(self.secure);
        self.set_cookies
            .push(cookie_line(names.session, token, self.secure, "Lax", None));
        self.session = Some(token.to_string());
    }

    /// Forgets the session in the browser (after signing out, or when the API no longer knows it).
    pub fn end_session(&mut self) {
        let names = names(self.secure);
        self.set_cookies
            .push(cookie_line(names.session, "", self.secure, "Lax", Some(0)));
        self.session = None;
    }

    /// Sets a short-lived cookie of this visit's own, `tessera-<name>` (`__Host-` over HTTPS),
    /// `SameSite=Lax`: it comes back with a top-level navigation from another site (an
    /// organisation's provider sending the person back), never with a cross-site form.
    pub fn set_cookie(&mut self, name: &str, value: &str, max_age: u32) {
        let name = own_cookie_name(self.secure, name);
        self.set_cookies
            .push(cookie_line(&name, value, self.secure, "Lax", Some(max_age)));
    }

    /// The value of this visit's own cookie `name` (as `set_cookie` named it).
    pub fn own_cookie<'r>(&self, request: &'r Request, name: &str) -> Option<&'r str> {
        cookie(request, &own_cookie_name(self.secure, name))
    }

    /// Removes this visit's own cookie `name`.
    pub fn clear_cookie(&mut self, name: &str) {
        self.set_cookie(name, "", 0);
    }

    /// `response` with the cookies this visit set.
    pub fn finish(self, mut response: Response<Body>) -> Response<Body> {
        for line in self.set_cookies {
            if let Ok(value) = HeaderValue::from_str(&line) {
                response.headers_mut().append(SET_COOKIE, value);
            }
        }
        response
    }
}

fn names(secure: bool) -> &'static CookieNames {
    if secure {
        &SECURE_NAMES
    } else {
        &PLAIN_NAMES
    }
}

fn own_cookie_name(secure: bool, name: &str) -> String {
    if secure {
        format!("__Host-tessera-{name}")
    } else {
        format!("tessera-{name}")
    }
}

fn cookie_line(
    name: &str,
    value: &str,
    secure: bool,
    same_site: &str,
    max_age: Option<u32>,
) -> String {
    let mut line = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if secure {
        line.push_str("; Secure");
    }
    if let Some(age) = max_age {
        line.push_str(&format!("; Max-Age={age}"));
    }
    line
}

/// HTTPS as API Gateway (and the edge layer) report it; `cargo lambda watch` serves plain HTTP.
fn is_https(request: &Request) -> bool {
    let forwarded = request
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok());
    match forwarded {
        Some(proto) => proto.eq_ignore_ascii_case("https"),
        None => request.uri().scheme_str() == Some("https"),
    }
}

/// The value of the cookie `name`, if it is there and looks like one of ours (visible ASCII,
/// bounded).
pub fn cookie<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|v| {
            !v.is_empty()
                && v.len() <= MAX_COOKIE_VALUE
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http;

    struct Fixed;
    impl Random for Fixed {
        fn fill(&self, buf: &mut [u8]) {
            buf.fill(7);
        }
    }

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = http::Request::builder().uri("/sign-in");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::Empty).unwrap()
    }

    fn form_with(token: &str) -> Form {
        Form::parse(format!("csrf={token}").as_bytes()).unwrap()
    }

    #[test]
    fn a_first_visit_gets_a_form_key_cookie_named_by_its_scheme() {
        let plain = Visit::of(&request(&[]), &Fixed);
        let line = &plain.set_cookies[0];
        assert!(line.starts_with("tessera-form="), "{line}");
        assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict"));
        assert!(!line.contains("Secure"));
        let secure = Visit::of(&request(&[("x-forwarded-proto", "https")]), &Fixed);
        let line = &secure.set_cookies[0];
        assert!(line.starts_with("__Host-tessera-form="), "{line}");
        assert!(line.contains("; Secure"));
    }

    #[test]
    fn the_token_is_bound_to_the_form_key_and_the_session() {
        let key = "k".repeat(43);
        let signed_out = Visit::of(
            &request(&[("cookie", &format!("tessera-form={key}"))]),
            &Fixed,
        );
        assert!(signed_out.set_cookies.is_empty());
        let signed_in = Visit::of(
            &request(&[(
                "cookie",
                &format!("tessera-form={key}; tessera-session=abc"),
            )]),
            &Fixed,
        );
        assert_eq!(signed_in.session(), Some("abc"));
        assert_ne!(signed_out.csrf_token(), signed_in.csrf_token());
        let other_key = Visit::of(
            &request(&[(
                "cookie",
                &format!("tessera-form={}; tessera-session=abc", "j".repeat(43)),
            )]),
            &Fixed,
        );
        assert_ne!(other_key.csrf_token(), signed_in.csrf_token());
    }

    #[test]
    fn a_form_needs_the_token_and_this_site() {
        let key = "k".repeat(43);
        let cookie = format!("tessera-form={key}");
        let visit = Visit::of(&request(&[("cookie", &cookie)]), &Fixed);
        let token = visit.csrf_token();
        let same = request(&[("cookie", &cookie), ("sec-fetch-site", "same-origin")]);
        assert_eq!(visit.check_form(&same, &form_with(&token)), Ok(()));
        assert_eq!(
            visit.check_form(&same, &form_with("forged")),
            Err(Refusal::BadToken)
        );
        assert_eq!(
            visit.check_form(&same, &Form::parse(b"").unwrap()),
            Err(Refusal::BadToken)
        );
        let cross = request(&[("cookie", &cookie), ("sec-fetch-site", "cross-site")]);
        assert_eq!(
            visit.check_form(&cross, &form_with(&token)),
            Err(Refusal::CrossSite)
        );
    }

    #[test]
    fn cookies_that_are_not_ours_are_ignored() {
        let r = request(&[("cookie", "tessera-session=a b; other=1")]);
        assert_eq!(cookie(&r, "tessera-session"), None);
        let r = request(&[("cookie", "x=1; tessera-session=ok-token_1")]);
        assert_eq!(cookie(&r, "tessera-session"), Some("ok-token_1"));
    }

    #[test]
    fn ending_a_session_expires_its_cookie() {
        let mut visit = Visit::of(&request(&[("cookie", "tessera-session=abc")]), &Fixed);
        visit.end_session();
        assert_eq!(visit.session(), None);
        assert!(visit
            .set_cookies
            .iter()
            .any(|l| l.starts_with("tessera-session=;") && l.contains("Max-Age=0")));
    }
}
