//! A browser's part in the page tests, without a browser: a cookie jar, and forms posted with the
//! CSRF token of the page last shown, through the page function's handler (so the DynamoDB keys
//! it touches are attributed to it).

use lambda_http::{http, Body, Request};
use std::collections::BTreeMap;
use tessera_testkit::{TestApp, TestResponse};

pub struct PageClient<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    /// Requests say they came over HTTPS (as API Gateway's do), so cookies are `__Host-` ones.
    https: bool,
    /// The CSRF token of the last page shown.
    csrf: Option<String>,
}

impl<'a> PageClient<'a> {
    pub fn new(app: &'a TestApp) -> PageClient<'a> {
        PageClient {
            app,
            cookies: BTreeMap::new(),
            https: true,
            csrf: None,
        }
    }

    /// A client whose requests came over plain HTTP (`make dev`).
    pub fn over_http(app: &'a TestApp) -> PageClient<'a> {
        PageClient {
            https: false,
            ..PageClient::new(app)
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Signs the client in with a session token the API gave (the cookie the page would set).
    pub fn use_session(&mut self, token: &str) {
        let name = if self.https {
            "__Host-tessera-session"
        } else {
            "tessera-session"
        };
        self.cookies.insert(name.to_string(), token.to_string());
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let mut request = self.request("GET", path, Body::Empty, &[]);
        if let Some((_, query)) = path.split_once('?') {
            use lambda_http::RequestExt;
            let query: std::collections::HashMap<String, String> =
                form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect();
            request = request.with_query_string_parameters(query);
        }
        self.send(request).await
    }

    /// Posts `fields` as a form from this site, with the last page's CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let csrf = self
            .csrf
            .clone()
            .expect("a page was shown before a form is posted");
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[("sec-fetch-site", "same-origin")])
            .await
    }

    /// Answers the provider's consent page for the authorization request `authorize` (a path
    /// with its query, the page last shown): its parameters posted back with `decision`.
    pub async fn answer_consent(&mut self, authorize: &str, decision: &str) -> TestResponse {
        let query = authorize
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default();
        let fields: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let mut form: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        form.push(("decision", decision));
        self.post("/oidc/authorize", &form).await
    }

    /// Posts exactly `fields` with `headers` (a forged or cross-site form).
    pub async fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut all = vec![("content-type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        let request = self.request("POST", path, Body::Text(body), &all);
        self.send(request).await
    }

    fn request(&self, method: &str, path: &str, body: Body, headers: &[(&str, &str)]) -> Request {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "portal.tessera.test");
        if self.https {
            builder = builder.header("x-forwarded-proto", "https");
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            builder = builder.header("cookie", jar.join("; "));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(body).expect("a valid request")
    }

    async fn send(&mut self, request: Request) -> TestResponse {
        // The function the template routes the page to.
        let response = match tessera_testkit::template::function_serving(&request).as_str() {
            "portal-certifications" => self.app.call(portal_certifications::handle, request).await,
            "portal-orders" => self.app.call(portal_orders::handle, request).await,
            "portal-badges" => self.app.call(portal_badges::handle, request).await,
            "staff-console" => self.app.call(staff_console::handle, request).await,
            "oidc" => self.app.call(oidc::handle, request).await,
            "access" => self.app.call(access::handle, request).await,
            "federation" => self.app.call(federation::handle, request).await,
            _ => self.app.call(portal::handle, request).await,
        };
        for line in response.headers.get_all("set-cookie") {
            let line = line.to_str().unwrap();
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        if let Some(token) = hidden(&response.text, "csrf") {
            self.csrf = Some(token);
        }
        response
    }
}

/// The value of the first hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("type=\"hidden\" name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(unescape(&html[start..start + end]))
}

/// Where a page that goes on at once (`continue_to`) sends the browser: its refresh's address.
pub fn continued_to(html: &str) -> Option<String> {
    let marker = "http-equiv=\"refresh\" content=\"0; url=";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(unescape(&html[start..start + end]))
}

/// The text of the first element with `class` (`<p class="key">…</p>`), unescaped.
pub fn text_of_class(html: &str, class: &str) -> Option<String> {
    let marker = format!("class=\"{class}\">");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('<')?;
    Some(unescape(&html[start..start + end]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
