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
use tessera_http::routing::route;
use tessera_identity::signup::IdentityDeps;
use tessera_web::request::not_found;
use tessera_web::{assets, Form, PageRequest};

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
    Icon,
    Favicon,
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
    ConfirmEmailChange,
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
    ("GET", "/assets/icon.svg", Route::Icon),
    ("GET", "/favicon.ico", Route::Favicon),
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
    ("POST", "/account/email-change", Route::ConfirmEmailChange),
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

/// One page request to these pages (their API handlers take the identity state).
pub(crate) type Ctx<'a> = PageRequest<'a, IdentityDeps>;

/// The password policy's rules, for the checklist under a new password.
pub(crate) fn password_rules(ctx: &Ctx<'_>) -> Vec<(&'static str, String)> {
    ctx.state
        .settings
        .policy
        .describe()
        .into_iter()
        .map(|rule| (rule.code, rule.description))
        .collect()
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let route = match route(&request, ROUTES) {
        Ok(Route::Style) => return assets::serve(assets::STYLE_PATH).unwrap_or_else(not_found),
        Ok(Route::Script) => return assets::serve(assets::SCRIPT_PATH).unwrap_or_else(not_found),
        Ok(Route::Icon) => return assets::serve(assets::ICON_PATH).unwrap_or_else(not_found),
        Ok(Route::Favicon) => return assets::serve(assets::FAVICON_PATH).unwrap_or_else(not_found),
        Ok(route) => route,
        Err(problem) if problem.status == 405 => return problem.into_response(),
        Err(_) => return not_found(),
    };
    let mut ctx = Ctx::new(&request, &deps, deps.random.as_ref());
    let answer = if request.method() == "POST" {
        match ctx.form() {
            Ok(form) => post(route, &mut ctx, &form).await,
            Err(refusal) => refusal.into_response(),
        }
    } else {
        get(route, &mut ctx).await
    };
    ctx.finish(answer)
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
        Route::ConfirmEmailChange => account::confirm_email_change(ctx, form).await,
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
