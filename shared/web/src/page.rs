//! The layout every page shares and the parts forms are made of, written with `maud`: every
//! value is escaped as it is written into the page, so no caller can forget to.
//!
//! Forms follow one pattern: a summary of what went wrong at the top (announced, each entry a link
//! to its field), and each field's own message next to it, tied by `aria-describedby`.

use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use lambda_http::{Body, Response};
use maud::{html, Markup, DOCTYPE};

use crate::api::{Answer, FieldMessage};
use crate::text;

/// What the pages may load: their own style sheet and script, images of their own or inline
/// (`data:`, the authenticator's QR code), calls to their own origin (the password checklist).
/// No inline script or style, nothing from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Which navigation the header shows.
#[derive(Clone, Debug)]
pub enum Nav {
    /// Signed out: links to sign in and to create an account.
    SignedOut,
    /// Signed in: the account's pages and a sign-out button (a form, with the visit's token).
    SignedIn { csrf: String },
}

pub struct Page {
    title: String,
    nav: Nav,
    main: Markup,
    status: u16,
    /// Where the page sends the browser on at once (`continue_to`).
    refresh_to: Option<String>,
}

impl Page {
    pub fn new(title: impl Into<String>, main: Markup) -> Page {
        Page {
            title: title.into(),
            nav: Nav::SignedOut,
            main,
            status: 200,
            refresh_to: None,
        }
    }

    pub fn signed_in(mut self, csrf: &str) -> Page {
        self.nav = Nav::SignedIn {
            csrf: csrf.to_string(),
        };
        self
    }

    pub fn status(mut self, status: u16) -> Page {
        self.status = status;
        self
    }

    pub fn render(&self) -> Markup {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="robots" content="noindex, nofollow";
                    @if let Some(to) = &self.refresh_to {
                        meta http-equiv="refresh" content=(format!("0; url={to}"));
                    }
                    title { (self.title) " · " (text::PRODUCT) }
                    link rel="stylesheet" href=(crate::assets::STYLE_PATH);
                    link rel="icon" href=(crate::assets::ICON_PATH) type="image/svg+xml";
                    script src=(crate::assets::SCRIPT_PATH) defer {}
                }
                body {
                    a.skip href="#main" { (text::SKIP_TO_CONTENT) }
                    header.site {
                        a.brand href="/" { (text::PRODUCT) }
                        (nav(&self.nav))
                    }
                    main id="main" tabindex="-1" {
                        h1 { (self.title) }
                        (self.main)
                    }
                    footer.site { p { (text::FOOTER) } }
                }
            }
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let status = self.status;
        html_response(status, self.render().into_string())
    }
}

fn nav(nav: &Nav) -> Markup {
    match nav {
        Nav::SignedOut => html! {
            nav aria-label=(text::NAV_LABEL) {
                ul {
                    li { a href="/" { (text::SIGN_IN) } }
                    li { a href="/sign-up" { (text::CREATE_ACCOUNT) } }
                }
            }
        },
        Nav::SignedIn { csrf } => html! {
            nav aria-label=(text::NAV_LABEL) {
                ul {
                    li { a href="/account" { (text::PROFILE) } }
                    li { a href="/account/security" { (text::SECURITY) } }
                    li { a href="/account/access" { (text::ACCESS) } }
                    li { a href="/certifications" { (text::CERTIFICATIONS) } }
                    li {
                        form method="post" action="/sign-out" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.link type="submit" { (text::SIGN_OUT) }
                        }
                    }
                }
            }
        },
    }
}

/// A form's answer that leads on to `location` (a path on this site) where a redirect may not.
/// A browser holds every redirect after a form to `form-action 'self'`, so a sign-in that goes on
/// to another site (an organisation's provider behind `/federation/start`, an application behind
/// `/oidc/authorize`) would stop at the first redirect that leaves: this page sends the browser
/// on instead, at once (an instant refresh, which starts a navigation of its own) and with a link
/// for one that does not follow it.
pub fn continue_to(location: &str) -> Response<Body> {
    let mut page = Page::new(
        text::CONTINUING,
        html! { p { a href=(location) { (text::CONTINUE) } } },
    );
    page.refresh_to = Some(location.to_string());
    page.into_response()
}

/// An HTML answer with the pages' headers: never cached (pages show personal data), never framed,
/// the strict policy above.
pub fn html_response(status: u16, body: String) -> Response<Body> {
    with_page_headers(
        Response::builder()
            .status(status)
            .header(CONTENT_TYPE, "text/html; charset=utf-8"),
    )
    .body(Body::Text(body))
    .expect("static headers are valid")
}

/// The log-in that asks for the password even at a domain an organisation signs in (for staff,
/// whose accounts keep their password and authenticator): the first step with `with=password`.
pub const PASSWORD_SIGN_IN: &str = "/?with=password";

/// `raw` when it is a path on this site a person may be sent back to after logging in (a link
/// from an email opened while signed out): one leading `/`, no scheme or host (`//host` leads
/// elsewhere, and browsers read `\\` as `/`), printable ASCII only, so it is a valid `Location`
/// and stays on this origin.
pub fn return_path(raw: &str) -> Option<&str> {
    let local = raw.starts_with('/') && !raw.starts_with("//") && !raw.contains('\\');
    let printable = raw.bytes().all(|b| b.is_ascii_graphic());
    (local && printable && raw.len() <= 512).then_some(raw)
}

/// `303 See Other` to `location` (after a form: the browser then GETs the next page, so a reload
/// does not post again).
pub fn redirect(location: &str) -> Response<Body> {
    with_page_headers(Response::builder().status(303).header(LOCATION, location))
        .body(Body::Empty)
        .expect("a local path is a valid header")
}

/// `response` with another status (a page shown again with the route's refusal keeps its 4xx).
pub fn with_status(mut response: Response<Body>, status: u16) -> Response<Body> {
    if let Ok(status) = lambda_http::http::StatusCode::from_u16(status) {
        *response.status_mut() = status;
    }
    response
}

fn with_page_headers(
    builder: lambda_http::http::response::Builder,
) -> lambda_http::http::response::Builder {
    builder
        .header(CACHE_CONTROL, "no-store")
        .header("content-security-policy", CONTENT_SECURITY_POLICY)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "same-origin")
}

/// What went wrong with a form: one message for the whole form and one per field.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    pub general: Option<String>,
    pub fields: Vec<FieldMessage>,
}

impl Problems {
    pub fn none() -> Problems {
        Problems::default()
    }

    /// A route's refusal: its field errors, and its detail when no field error says it.
    pub fn from_answer(answer: &Answer) -> Problems {
        let fields = answer.field_errors();
        let general = (fields.is_empty() || !answer.detail().is_empty())
            .then(|| answer.detail().to_string())
            .filter(|d| !d.is_empty());
        Problems { general, fields }
    }

    pub fn general(message: impl Into<String>) -> Problems {
        Problems {
            general: Some(message.into()),
            fields: Vec::new(),
        }
    }

    pub fn field(mut self, field: &str, message: impl Into<String>) -> Problems {
        self.fields.push(FieldMessage {
            field: field.to_string(),
            message: message.into(),
        });
        self
    }

    /// A refusal about one field that names none (a wrong code): its detail shown at `field`.
    pub fn moved_to(mut self, field: &str) -> Problems {
        if self.fields.is_empty() {
            if let Some(message) = self.general.take() {
                self = self.field(field, message);
            }
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.general.is_none() && self.fields.is_empty()
    }

    fn about(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }
}

/// The summary at the top of a form that went wrong: announced, focusable, each field's message a
/// link to the field. Nothing when nothing went wrong.
pub fn problem_summary(problems: &Problems, labels: &[(&str, &str)]) -> Markup {
    problem_summary_in(problems, labels, "")
}

/// The same on a page of several forms: the posted form's fields' ids start with `prefix`
/// (`Field::in_form`).
pub fn problem_summary_in(problems: &Problems, labels: &[(&str, &str)], prefix: &str) -> Markup {
    if problems.is_empty() {
        return html! {};
    }
    let label_of = |field: &str| {
        labels
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, label)| *label)
    };
    html! {
        div.problems role="alert" aria-labelledby="problems-title" tabindex="-1" {
            h2 id="problems-title" { (text::THERE_IS_A_PROBLEM) }
            @if let Some(general) = &problems.general {
                p { (general) }
            }
            @if !problems.fields.is_empty() {
                ul {
                    @for f in &problems.fields {
                        li {
                            @match label_of(&f.field) {
                                Some(label) => { a href={ "#" (prefix) (f.field) } { (label) ": " (f.message) } }
                                None => { (f.message) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A notice that something worked (announced politely).
pub fn notice(message: &str) -> Markup {
    html! { p.notice role="status" { (message) } }
}

/// A form posting to `action` with the visit's CSRF token.
pub fn form(action: &str, csrf: &str, fields: Markup) -> Markup {
    html! {
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            (fields)
        }
    }
}

/// One input with its label, hint and error: a text-like `<input>` of its `kind`, or a
/// `"textarea"`, or a `"select"` of its `options`.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub autocomplete: Option<&'a str>,
    pub hint: Option<&'a str>,
    pub required: bool,
    pub inputmode: Option<&'a str>,
    /// Takes focus when the page opens (the one field a step is waiting for).
    pub autofocus: bool,
    /// Put before the name to make the field's id, on a page of several forms whose fields share
    /// names (every staff action has a reason): each label then names its own field.
    pub id_prefix: &'a str,
    /// A select's (value, label) pairs.
    pub options: &'a [(String, String)],
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: &'a str, kind: &'a str) -> Field<'a> {
        Field {
            name,
            label,
            kind,
            value: "",
            autocomplete: None,
            hint: None,
            required: true,
            inputmode: None,
            autofocus: false,
            id_prefix: "",
            options: &[],
        }
    }

    pub fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'a str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn autofocus(mut self) -> Self {
        self.autofocus = true;
        self
    }

    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    /// The field of the form whose fields' ids start with `prefix` (see `problem_summary_in`).
    pub fn in_form(mut self, prefix: &'a str) -> Self {
        self.id_prefix = prefix;
        self
    }

    /// A select of these (value, label) pairs, `value` selected.
    pub fn options(mut self, options: &'a [(String, String)]) -> Self {
        self.kind = "select";
        self.options = options;
        self
    }

    /// A one-time code: digits on a phone's keypad, filled from the message where the system can.
    pub fn code(name: &'a str, label: &'a str) -> Field<'a> {
        Field {
            inputmode: Some("numeric"),
            autocomplete: Some("one-time-code"),
            ..Field::new(name, label, "text")
        }
    }

    pub fn render(&self, problems: &Problems) -> Markup {
        let error = problems.about(self.name);
        let id = format!("{}{}", self.id_prefix, self.name);
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let described_by: Vec<&str> = [
            self.hint.map(|_| hint_id.as_str()),
            error.map(|_| error_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
        // A password is never written back into a page.
        let value = (self.kind != "password" && !self.value.is_empty()).then_some(self.value);
        let invalid = error.map(|_| "true");
        html! {
            div.field.invalid[error.is_some()] {
                label for=(id) { (self.label) }
                @if let Some(hint) = self.hint {
                    p.hint id=(hint_id) { (hint) }
                }
                @if let Some(message) = error {
                    p.error id=(error_id) { span.visually-hidden { (text::ERROR_PREFIX) } (message) }
                }
                @match self.kind {
                    "textarea" => {
                        textarea id=(id) name=(self.name) rows="8" required[self.required]
                            aria-invalid=[invalid] aria-describedby=[described_by] { (self.value) }
                    }
                    "select" => {
                        select id=(id) name=(self.name) required[self.required]
                            aria-invalid=[invalid] aria-describedby=[described_by] {
                            @for (option, label) in self.options {
                                option value=(option) selected[option == self.value] { (label) }
                            }
                        }
                    }
                    kind => {
                        input id=(id) name=(self.name) type=(kind) value=[value]
                            autocomplete=[self.autocomplete] inputmode=[self.inputmode]
                            required[self.required] autofocus[self.autofocus] aria-invalid=[invalid]
                            aria-describedby=[described_by];
                    }
                }
            }
        }
    }
}

/// Checkboxes named `name`, one per (value, label) option, those in `checked` ticked; the form
/// posts one `name` per ticked box.
pub fn checkboxes(
    field: &Field<'_>,
    options: &[(&str, &str)],
    checked: &[&str],
    problems: &Problems,
) -> Markup {
    let error = problems.about(field.name);
    let id = format!("{}{}", field.id_prefix, field.name);
    html! {
        fieldset.field.invalid[error.is_some()] id=(id) {
            legend { (field.label) }
            @if let Some(message) = error {
                p.error { span.visually-hidden { (text::ERROR_PREFIX) } (message) }
            }
            div.choices {
                @for (value, label) in options {
                    label { input type="checkbox" name=(field.name) value=(value) checked[checked.contains(value)]; " " (label) }
                }
            }
        }
    }
}

/// A yes/no question as two radio buttons in a fieldset.
pub fn yes_no(name: &str, legend: &str, value: Option<bool>, problems: &Problems) -> Markup {
    let error = problems.about(name);
    html! {
        fieldset.field.invalid[error.is_some()] {
            legend { (legend) }
            @if let Some(message) = error {
                p.error { span.visually-hidden { (text::ERROR_PREFIX) } (message) }
            }
            div.choices {
                label { input type="radio" name=(name) value="yes" checked[value == Some(true)]; " " (text::YES) }
                label { input type="radio" name=(name) value="no" checked[value == Some(false)]; " " (text::NO) }
            }
        }
    }
}

/// A menu of `options` (value, label) with one selected.
pub fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    problems: &Problems,
) -> Markup {
    Field::new(name, label, "select")
        .options(options)
        .value(selected)
        .render(problems)
}

/// The password rules under a new-password field (`for_field`), as (rule code, description). The
/// script ticks each off as the person types (from `POST /v1/password-policy/check`); without it
/// the list is the rules to read, and the server's answer names any that failed.
pub fn password_checklist(for_field: &str, rules: &[(&str, String)]) -> Markup {
    let title_id = format!("{for_field}-rules");
    html! {
        p.hint id=(title_id) { (text::PASSWORD_RULES) }
        ul.checklist data-password-checklist data-for=(for_field) data-met=(text::RULE_MET)
            data-not-met=(text::RULE_NOT_MET) aria-labelledby=(title_id) {
            @for (code, description) in rules {
                li data-rule=(code) { (description) span.state.visually-hidden {} }
            }
        }
    }
}

/// The certification tracking tabs, above each of these pages.
pub fn certification_tabs(current: &str) -> Markup {
    let tabs = [
        ("/certifications", text::CERTIFICATIONS),
        ("/personal-info", text::PERSONAL_INFO),
        ("/testing-history", text::TESTING_HISTORY),
        ("/logos", text::LOGOS),
        ("/badges", text::DIGITAL_BADGES),
        ("/certificates", text::CERTIFICATES_AND_PLAQUES),
        ("/transcripts", text::TRANSCRIPTS),
    ];
    html! {
        nav.tabs aria-label=(text::PORTAL_NAV_LABEL) {
            ul {
                @for (href, label) in tabs {
                    li {
                        a href=(href) aria-current=[(href == current).then_some("page")] { (label) }
                    }
                }
            }
        }
    }
}

/// The main button of a form.
pub fn submit(label: &str) -> Markup {
    html! { button.primary type="submit" { (label) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_returned_to() {
        for local in ["/mapping/confirm?code=042917", "/certifications", "/"] {
            assert_eq!(return_path(local), Some(local));
        }
        let elsewhere = [
            "https://elsewhere.example/",
            "//elsewhere.example/",
            "/\\elsewhere.example/",
            "\\\\elsewhere.example",
            "javascript:alert(1)",
            "/a b",
            "/line\nbreak",
            "",
        ];
        for raw in elsewhere {
            assert_eq!(return_path(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn every_value_is_escaped() {
        let page = Page::new("<b>Hi</b>", html! { p { ("<script>alert(1)</script>") } })
            .render()
            .into_string();
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("<title>&lt;b&gt;Hi&lt;/b&gt;"));
    }

    #[test]
    fn a_field_with_an_error_says_so_next_to_it() {
        let problems = Problems::none().field("email", "This field is not an email address.");
        let markup = Field::new("email", "Email", "email")
            .value("a\"b")
            .hint("Your work address")
            .render(&problems)
            .into_string();
        assert!(markup.contains("aria-invalid=\"true\""));
        assert!(markup.contains("aria-describedby=\"email-hint email-error\""));
        assert!(markup.contains("id=\"email-error\""));
        assert!(markup.contains("value=\"a&quot;b\""));
    }

    #[test]
    fn a_password_is_never_written_back() {
        let markup = Field::new("password", "Password", "password")
            .value("secret-value")
            .render(&Problems::none())
            .into_string();
        assert!(!markup.contains("secret-value"));
    }

    #[test]
    fn pages_carry_the_strict_policy_and_no_store() {
        let response = Page::new("T", html! {}).into_response();
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    }
}
