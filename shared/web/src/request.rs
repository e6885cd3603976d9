//! One page request as every page function handles it: the visit (cookies, CSRF), the state the
//! API handlers take, the form checked before any route runs, and the pages for what no route
//! answers (not found, a refused form, a server error).

use lambda_http::{Body, Request, Response};
use maud::{html, Markup};
use serde_json::Value;
use std::future::Future;
use tessera_kernel::ports::Random;

use crate::api::{Answer, Api};
use crate::form::{Form, FormError};
use crate::page::{redirect, Page};
use crate::text;
use crate::visit::Visit;

/// A page request: what the page function's handlers share. `S` is the state the API handlers
/// behind the pages take.
pub struct PageRequest<'a, S> {
    pub request: &'a Request,
    pub state: &'a S,
    pub visit: Visit,
}

impl<'a, S: Clone> PageRequest<'a, S> {
    pub fn new(request: &'a Request, state: &'a S, random: &dyn Random) -> PageRequest<'a, S> {
        PageRequest {
            request,
            state,
            visit: Visit::of(request, random),
        }
    }

    pub fn api(&self) -> Api<'a> {
        Api::new(self.request, &self.visit)
    }

    /// `method path` with `body` (JSON) through the route's own `handler`, as this visit's caller.
    pub async fn call<H, Fut>(
        &self,
        handler: H,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer
    where
        H: Fn(Request, S) -> Fut,
        Fut: Future<Output = Response<Body>>,
    {
        self.api()
            .call(handler, self.state, method, path, body)
            .await
    }

    /// A download (a PDF, a logo) from the route's own `handler`, passed through as it answered:
    /// on success its body and content type; otherwise the page for what went wrong.
    pub async fn download<H, Fut>(&mut self, handler: H, path: &str) -> Response<Body>
    where
        H: Fn(Request, S) -> Fut,
        Fut: Future<Output = Response<Body>>,
    {
        self.download_as(handler, path, None).await
    }

    /// `download`, asking for the media type `accept` (a credential as a VC-JWT).
    pub async fn download_as<H, Fut>(
        &mut self,
        handler: H,
        path: &str,
        accept: Option<&str>,
    ) -> Response<Body>
    where
        H: Fn(Request, S) -> Fut,
        Fut: Future<Output = Response<Body>>,
    {
        let mut api = self.api();
        if let Some(accept) = accept {
            api = api.with_header("accept", accept);
        }
        let response = api.send(handler, self.state, "GET", path, None).await;
        if response.status().is_success() {
            return response;
        }
        let answer = Answer::from_response(response);
        if answer.status == 404 {
            return not_found();
        }
        self.unexpected(&answer)
    }

    pub fn csrf(&self) -> String {
        self.visit.csrf_token()
    }

    /// A page for a signed-in person (the header shows the account's links).
    pub fn signed_in_page(&self, title: &str, main: Markup) -> Page {
        Page::new(title, main).signed_in(&self.csrf())
    }

    /// The form a state-changing request posted, once it passed the checks (a form, not too
    /// large, this visit's token, from this site).
    pub fn form(&self) -> Result<Form, FormRefusal> {
        self.form_up_to(crate::form::MAX_FORM)
    }

    /// The same for a form that may be larger (up to `max` bytes).
    pub fn form_up_to(&self, max: usize) -> Result<Form, FormRefusal> {
        let form = Form::from_request_up_to(self.request, max).map_err(|e| match e {
            FormError::TooLarge => FormRefusal::TooLarge,
            FormError::NotAForm => FormRefusal::NotAForm,
        })?;
        match self.visit.check_form(self.request, &form) {
            Ok(()) => Ok(form),
            Err(refusal) => {
                tracing::info!(?refusal, "form refused");
                Err(FormRefusal::Forged)
            }
        }
    }

    /// The answer when the API no longer knows the session: the cookie goes, and the person
    /// starts again at the log-in page.
    pub fn session_ended(&mut self) -> Response<Body> {
        self.visit.end_session();
        redirect("/")
    }

    /// For a page that needs a session, opened without one (a link from an email): the log-in
    /// page, which brings the person back to this path and query once logged in.
    pub fn log_in_first(&self) -> Response<Body> {
        let uri = self.request.uri();
        let back = match uri.query() {
            Some(query) => format!("{}?{query}", uri.path()),
            None => uri.path().to_string(),
        };
        let next: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &back)
            .finish();
        redirect(&format!("/?{next}"))
    }

    /// A route's answer that is neither success nor a refusal the page explains: the session
    /// ended, or the server failed.
    pub fn unexpected(&mut self, answer: &Answer) -> Response<Body> {
        if answer.is_unauthenticated() {
            return self.session_ended();
        }
        server_error()
    }

    /// `response` with the cookies this visit set.
    pub fn finish(self, response: Response<Body>) -> Response<Body> {
        self.visit.finish(response)
    }
}

/// A path parameter a page passes on to an API route (a catalog, record, account, logo or
/// transcript id; an action's name): its shape only, so it can sit in the route's path. The
/// route judges the value.
pub fn is_path_id(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 80
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Why a posted form reached no route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormRefusal {
    TooLarge,
    NotAForm,
    /// Without this visit's token, or from another site.
    Forged,
}

impl FormRefusal {
    /// The page that says so: nothing was changed.
    pub fn into_response(self) -> Response<Body> {
        let (status, message) = match self {
            FormRefusal::TooLarge => (413, text::FORM_TOO_LARGE),
            FormRefusal::NotAForm => (415, text::NOT_A_FORM),
            FormRefusal::Forged => (403, text::FORM_EXPIRED),
        };
        notice_page(status, text::FORM_EXPIRED_TITLE, message)
    }
}

pub fn not_found() -> Response<Body> {
    notice_page(404, text::NOT_FOUND_TITLE, text::NOT_FOUND)
}

pub fn server_error() -> Response<Body> {
    notice_page(500, text::SERVER_ERROR_TITLE, text::SERVER_ERROR)
}

/// A page with one message and the way back to the start.
pub fn notice_page(status: u16, title: &str, message: &str) -> Response<Body> {
    Page::new(
        title,
        html! {
            p { (message) }
            p { a href="/" { (text::SIGN_IN) } }
        },
    )
    .status(status)
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_passed_on_only_in_a_safe_shape() {
        assert!(is_path_id("cert-associate_1"));
        assert!(!is_path_id(""));
        assert!(!is_path_id("a/b"));
        assert!(!is_path_id("..%2F"));
        assert!(!is_path_id(&"a".repeat(81)));
    }
}
