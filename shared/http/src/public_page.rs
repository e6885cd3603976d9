//! The public pages a third party opens without an account (a shared transcript, a checked
//! verification code): one small page shell with its only style allowed by hash, and the headers
//! that keep every answer private and inert. HTML for browsers, JSON for `Accept:
//! application/json`; every text is escaped by the caller with `escape_html`.

use lambda_http::http::header::ACCEPT;
use lambda_http::{Body, Request, Response};
use tessera_kernel::messages::escape_html;

use crate::response;

/// The pages' only style; the CSP allows it by hash (checked by a test).
const STYLE: &str = "body{font-family:system-ui,sans-serif;color:#1a1a1a;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ccc}tbody th{background:#eef2f7}caption{text-align:left;font-weight:bold;padding:.4rem 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:bold}dd{margin:0}.status{font-weight:bold}footer{margin-top:2rem;color:#555}";
const STYLE_HASH: &str = "sha256-BMsk9XNZ1MxHLeTi3Jt7n2lSAPmPsPWzwPjgkJTBdtQ=";

fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src '{STYLE_HASH}'; img-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// Whether the client's `Accept` names `media_type` (e.g. `application/vc+jwt`).
pub fn accepts(request: &Request, media_type: &str) -> bool {
    request
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(media_type))
}

/// JSON when the client asks for it and not for HTML (browsers list `text/html` first).
pub fn wants_json(request: &Request) -> bool {
    let accept = request
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept.contains("application/json") && !accept.contains("text/html")
}

/// `cache` as `Cache-Control`, and the headers every public page carries: no referrer (the
/// address is the only key), no sniffing, and a policy that allows nothing but the style.
pub fn with_page_headers(mut answer: Response<Body>, cache: &str) -> Response<Body> {
    let headers = answer.headers_mut();
    let set = |headers: &mut lambda_http::http::HeaderMap, name: &'static str, value: &str| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    set(headers, "cache-control", cache);
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "x-content-type-options", "nosniff");
    set(
        headers,
        "content-security-policy",
        &content_security_policy(),
    );
    answer
}

pub fn html(status: u16, page: &str) -> Response<Body> {
    response::with_body(status, "text/html; charset=utf-8", page.to_string())
}

/// A whole page: `title` (escaped here) and `main`, HTML the caller escaped.
pub fn page(title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex, nofollow\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n{main}</main>\n</body>\n</html>\n",
        escape_html(title)
    )
}

/// A page that says one thing: a heading and a sentence.
pub fn notice_page(title: &str, detail: &str) -> String {
    page(
        title,
        &format!(
            "<h1>{}</h1>\n<p>{}</p>\n",
            escape_html(title),
            escape_html(detail)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_policy_allows_exactly_the_page_style() {
        let digest = Sha256::digest(STYLE.as_bytes());
        let expected = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        assert_eq!(STYLE_HASH, expected);
        assert!(content_security_policy().contains(STYLE_HASH));
    }

    #[test]
    fn titles_are_escaped() {
        let page = notice_page("<b>", "a & b");
        assert!(page.contains("<title>&lt;b&gt;</title>"));
        assert!(page.contains("<p>a &amp; b</p>"));
    }
}
