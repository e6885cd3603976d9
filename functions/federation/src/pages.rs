//! The two stops of a federated sign-in in the browser. `start` sends the person to their
//! organisation with this sign-in's `state` in a cookie of its own; `callback` takes them back,
//! holds the `state` sent back to the cookie (so a sign-in another browser began cannot be
//! finished in this one), and signs the browser in. Whatever goes wrong is a page saying so,
//! never a half sign-in.

use lambda_http::{Body, Request, Response};
use maud::html;
use subtle::ConstantTimeEq;
use tessera_federation::flows::{self, FinishError, StartError};
use tessera_http::links::public_base;
use tessera_kernel::email::Email;
use tessera_web::form::query_value;
use tessera_web::page::{redirect, return_path, Page, PASSWORD_SIGN_IN};
use tessera_web::request::{notice_page, server_error};
use tessera_web::{text, Visit};

use crate::FederationState;

/// The cookie that holds the `state` while the person is at their organisation.
const STATE_COOKIE: &str = "federation";
/// As long as the sign-in itself may take.
const STATE_COOKIE_SECONDS: u32 = flows::LOGIN_WINDOW.0 as u32;

fn failed(status: u16, message: &str) -> Response<Body> {
    notice_page(status, text::FEDERATION_FAILED_TITLE, message)
}

/// A staff account at an organisation's domain is never signed in through it: the page sends
/// the person to the log-in that asks for the password (and then the authenticator).
fn staff_account() -> Response<Body> {
    Page::new(
        text::FEDERATION_FAILED_TITLE,
        html! {
            p { (text::FEDERATION_STAFF) }
            p { a href=(PASSWORD_SIGN_IN) { (text::SIGN_IN_WITH_PASSWORD) } }
        },
    )
    .status(403)
    .into_response()
}

/// This site's callback, as registered at each organisation's provider.
pub(crate) fn callback_uri(request: &Request, state: &FederationState) -> Option<String> {
    public_base(state.public_url.as_deref(), request)
        .ok()
        .map(|base| format!("{base}/federation/callback"))
}

/// `GET /federation/start?email=&next=`: to the organisation's sign-in page.
pub async fn start(request: &Request, state: &FederationState) -> Response<Body> {
    let deps = &state.federation;
    let mut visit = Visit::of(request, deps.identity.random.as_ref());
    let Some(email) = query_value(request, "email").and_then(|e| Email::parse(&e).ok()) else {
        return visit.finish(failed(400, text::FEDERATION_BAD_EMAIL));
    };
    let asked = query_value(request, "next");
    let next = asked.as_deref().and_then(return_path);
    let Some(callback) = callback_uri(request, state) else {
        return visit.finish(server_error());
    };
    let answer = match flows::start(deps, &email, next, &callback).await {
        Ok(started) => {
            visit.set_cookie(STATE_COOKIE, &started.state, STATE_COOKIE_SECONDS);
            redirect(&started.url)
        }
        // No provider (any more) for the domain: the log-in page's password step.
        Err(StartError::NotFederated) => redirect("/"),
        Err(StartError::Provider(e)) => {
            tracing::warn!(error = %e, "organisation's provider unreachable");
            failed(502, text::FEDERATION_UNREACHABLE)
        }
        Err(StartError::Store(e)) => {
            tracing::error!(error = %e, "federated sign-in start");
            server_error()
        }
    };
    visit.finish(answer)
}

/// `GET /federation/callback?state=&code=` (or `?error=`): back from the organisation.
pub async fn callback(request: &Request, state: &FederationState) -> Response<Body> {
    let deps = &state.federation;
    let mut visit = Visit::of(request, deps.identity.random.as_ref());
    let kept = visit.own_cookie(request, STATE_COOKIE).map(str::to_string);
    visit.clear_cookie(STATE_COOKIE);
    if query_value(request, "error").is_some() {
        return visit.finish(failed(400, text::FEDERATION_CANCELLED));
    }
    let (Some(sent_state), Some(code)) =
        (query_value(request, "state"), query_value(request, "code"))
    else {
        return visit.finish(failed(400, text::FEDERATION_NOT_STARTED));
    };
    let same_browser = kept.is_some_and(|k| bool::from(k.as_bytes().ct_eq(sent_state.as_bytes())));
    if !same_browser {
        return visit.finish(failed(400, text::FEDERATION_NOT_STARTED));
    }
    let Some(callback) = callback_uri(request, state) else {
        return visit.finish(server_error());
    };
    let answer = match flows::finish(deps, &sent_state, &code, &callback).await {
        Ok(signed_in) => {
            visit.start_session(signed_in.token.expose());
            redirect(
                signed_in
                    .next
                    .as_deref()
                    .and_then(return_path)
                    .unwrap_or("/account"),
            )
        }
        Err(FinishError::UnknownState | FinishError::ProviderGone) => {
            failed(400, text::FEDERATION_NOT_STARTED)
        }
        Err(FinishError::Provider(e)) => {
            tracing::warn!(error = %e, "organisation's provider failed");
            failed(502, text::FEDERATION_UNREACHABLE)
        }
        Err(FinishError::Refused(e)) => {
            tracing::warn!(error = %e, "organisation's ID token refused");
            failed(403, text::FEDERATION_REFUSED)
        }
        Err(FinishError::NotVouched) => failed(403, text::FEDERATION_NOT_VOUCHED),
        Err(FinishError::AccountDisabled) => failed(403, text::FEDERATION_DISABLED),
        Err(FinishError::StaffAccount) => staff_account(),
        Err(FinishError::Store(e)) => {
            tracing::error!(error = %e, "federated sign-in finish");
            server_error()
        }
    };
    visit.finish(answer)
}
