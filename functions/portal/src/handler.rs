//! The account pages (the guides' log-in, sign-up, reset, forgot-email, profile and security
//! screens), served as HTML on the same origin as `/v1`.
//!
//! Each page calls the API route behind it through that route's own handler, in process
//! (`tessera_web::api`), with the session from the page's cookie as its bearer token: the rules,
//! limits and messages are the API's, and a page costs the route's DynamoDB calls and no more.
//! Every form posts with the visit's CSRF token (`tessera_web::visit`); a refused form changes
//! nothing. Pages work without JavaScript; the one script only ticks the password checklist.

mod account;
mod recovery;
mod security;
mod sign_in;
mod sign_up;

use lambda_http::{Body, Request, Response};
use maud::html;
use tessera_http::routing::route;
use tessera_identity::signup::IdentityDeps;
use tessera_web::api::Answer;
use tessera_web::form::FormError;
use tessera_web::page::{redirect, Page};
use tessera_web::visit::Refusal;
use tessera_web::{text, Api, Form, Visit};

/// The secrets of the routes these pages call (sessions, sign-up, authenticator, phone, resets):
/// the one-time-code pepper and the authenticator seeds' keys.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    seed_keys: true,
    ..tessera_http::config::Secrets::HTTP
};

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Style,
    Script,
    SignIn,
    SignInStep,
    SignOut,
    SignUp,
    Register,
    Activation,
    Activate,
    ResendActivation,
    ForgotPassword,
    SendResetCode,
    VerifyResetCode,
    CompleteReset,
    ForgotEmail,
    RemindEmail,
    Profile,
    EditProfile,
    EditCommunication,
    Security,
    ChangePassword,
    StartAuthenticator,
    ConfirmAuthenticator,
    RemoveAuthenticator,
    SetPhone,
    VerifyPhone,
    RemovePhone,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/assets/portal.css", Route::Style),
    ("GET", "/assets/portal.js", Route::Script),
    ("GET", "/", Route::SignIn),
    ("POST", "/sign-in", Route::SignInStep),
    ("POST", "/sign-out", Route::SignOut),
    ("GET", "/sign-up", Route::SignUp),
    ("POST", "/sign-up", Route::Register),
    ("GET", "/activate", Route::Activation),
    ("POST", "/activate", Route::Activate),
    ("POST", "/activate/resend", Route::ResendActivation),
    ("GET", "/forgot-password", Route::ForgotPassword),
    ("POST", "/forgot-password", Route::SendResetCode),
    ("POST", "/forgot-password/verify", Route::VerifyResetCode),
    ("POST", "/forgot-password/complete", Route::CompleteReset),
    ("GET", "/forgot-email", Route::ForgotEmail),
    ("POST", "/forgot-email", Route::RemindEmail),
    ("GET", "/account", Route::Profile),
    ("POST", "/account/profile", Route::EditProfile),
    (
        "POST",
        "/account/communication-settings",
        Route::EditCommunication,
    ),
    ("GET", "/account/security", Route::Security),
    ("POST", "/account/password", Route::ChangePassword),
    ("POST", "/account/authenticator", Route::StartAuthenticator),
    (
        "POST",
        "/account/authenticator/confirm",
        Route::ConfirmAuthenticator,
    ),
    (
        "POST",
        "/account/authenticator/remove",
        Route::RemoveAuthenticator,
    ),
    ("POST", "/account/phone", Route::SetPhone),
    ("POST", "/account/phone/verify", Route::VerifyPhone),
    ("POST", "/account/phone/remove", Route::RemovePhone),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

/// One page request: the visit (cookies, CSRF) and what the pages call the API with.
pub(crate) struct Ctx<'a> {
    pub request: &'a Request,
    pub deps: &'a IdentityDeps,
    pub visit: Visit,
}

impl<'a> Ctx<'a> {
    pub fn api(&self) -> Api<'a> {
        Api::new(self.request, &self.visit)
    }

    /// `method path` with `body` (JSON) through the route's own `handler`, as this visit's caller.
    pub async fn call<H, Fut>(
        &self,
        handler: H,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Answer
    where
        H: Fn(Request, IdentityDeps) -> Fut,
        Fut: std::future::Future<Output = Response<Body>>,
    {
        self.api()
            .call(handler, self.deps, method, path, body)
            .await
    }

    pub fn csrf(&self) -> String {
        self.visit.csrf_token()
    }

    /// The password policy's rules, for the checklist under a new password.
    pub fn password_rules(&self) -> Vec<(&'static str, String)> {
        self.deps
            .settings
            .policy
            .describe()
            .into_iter()
            .map(|rule| (rule.code, rule.description))
            .collect()
    }

    /// A page for a signed-in person (the header shows the account's links).
    pub fn signed_in_page(&self, title: &str, main: maud::Markup) -> Page {
        Page::new(title, main).signed_in(&self.csrf())
    }

    /// The answer when the API no longer knows the session: the cookie goes, and the person
    /// starts again at the log-in page.
    pub fn session_ended(&mut self) -> Response<Body> {
        self.visit.end_session();
        redirect("/")
    }

    /// A route's answer that is neither success nor a refusal the page explains: the session
    /// ended, or the server failed.
    pub fn unexpected(&mut self, answer: &Answer) -> Response<Body> {
        if answer.is_unauthenticated() {
            return self.session_ended();
        }
        server_error()
    }
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let route = match route(&request, ROUTES) {
        Ok(Route::Style) => {
            return tessera_web::assets::serve(tessera_web::assets::STYLE_PATH)
                .unwrap_or_else(not_found)
        }
        Ok(Route::Script) => {
            return tessera_web::assets::serve(tessera_web::assets::SCRIPT_PATH)
                .unwrap_or_else(not_found)
        }
        Ok(route) => route,
        Err(problem) if problem.status == 405 => return problem.into_response(),
        Err(_) => return not_found(),
    };
    let visit = Visit::of(&request, deps.random.as_ref());
    let mut ctx = Ctx {
        request: &request,
        deps: &deps,
        visit,
    };
    let answer = if request.method() == "POST" {
        match Form::from_request(&request) {
            Ok(form) => match ctx.visit.check_form(&request, &form) {
                Ok(()) => post(route, &mut ctx, &form).await,
                Err(refusal) => refused(refusal),
            },
            Err(FormError::TooLarge) => {
                notice_page(413, text::FORM_EXPIRED_TITLE, text::FORM_TOO_LARGE)
            }
            Err(FormError::NotAForm) => {
                notice_page(415, text::FORM_EXPIRED_TITLE, text::NOT_A_FORM)
            }
        }
    } else {
        get(route, &mut ctx).await
    };
    ctx.visit.finish(answer)
}

async fn get(route: Route, ctx: &mut Ctx<'_>) -> Response<Body> {
    match route {
        Route::SignIn => sign_in::start(ctx),
        Route::SignUp => sign_up::form_page(ctx),
        Route::Activation => sign_up::activation_page(ctx),
        Route::ForgotPassword => recovery::forgot_password_page(ctx),
        Route::ForgotEmail => recovery::forgot_email_page(ctx),
        Route::Profile => account::profile_page(ctx).await,
        Route::Security => security::page(ctx).await,
        _ => not_found(),
    }
}

async fn post(route: Route, ctx: &mut Ctx<'_>, form: &Form) -> Response<Body> {
    match route {
        Route::SignInStep => sign_in::step(ctx, form).await,
        Route::SignOut => sign_in::sign_out(ctx).await,
        Route::Register => sign_up::register(ctx, form).await,
        Route::Activate => sign_up::activate(ctx, form).await,
        Route::ResendActivation => sign_up::resend(ctx, form).await,
        Route::SendResetCode => recovery::send_reset_code(ctx, form).await,
        Route::VerifyResetCode => recovery::verify_reset_code(ctx, form).await,
        Route::CompleteReset => recovery::complete_reset(ctx, form).await,
        Route::RemindEmail => recovery::remind_email(ctx, form).await,
        Route::EditProfile => account::edit_profile(ctx, form).await,
        Route::EditCommunication => account::edit_communication(ctx, form).await,
        Route::ChangePassword => security::change_password(ctx, form).await,
        Route::StartAuthenticator => security::start_authenticator(ctx, form).await,
        Route::ConfirmAuthenticator => security::confirm_authenticator(ctx, form).await,
        Route::RemoveAuthenticator => security::remove_authenticator(ctx, form).await,
        Route::SetPhone => security::set_phone(ctx, form).await,
        Route::VerifyPhone => security::verify_phone(ctx, form).await,
        Route::RemovePhone => security::remove_phone(ctx, form).await,
        _ => not_found(),
    }
}

fn refused(refusal: Refusal) -> Response<Body> {
    tracing::info!(?refusal, "form refused");
    notice_page(403, text::FORM_EXPIRED_TITLE, text::FORM_EXPIRED)
}

fn not_found() -> Response<Body> {
    notice_page(404, text::NOT_FOUND_TITLE, text::NOT_FOUND)
}

pub(crate) fn server_error() -> Response<Body> {
    notice_page(500, text::SERVER_ERROR_TITLE, text::SERVER_ERROR)
}

fn notice_page(status: u16, title: &str, message: &str) -> Response<Body> {
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
    fn every_page_route_is_distinct() {
        let pairs = routes();
        for (i, pair) in pairs.iter().enumerate() {
            assert!(!pairs[i + 1..].contains(pair), "{pair:?} twice");
        }
    }
}
