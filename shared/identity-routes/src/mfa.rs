//! Authenticator (TOTP) routes: decode → call a flow → encode.
//!
//! - `POST /v1/me/mfa/totp` `{password}` → 200 `{secret, otpauth_uri, qr_png_base64}`
//! - `POST /v1/me/mfa/totp/confirm` `{code}` → 200 `{recovery_codes}` (shown once)
//! - `DELETE /v1/me/mfa/totp` `{password, code}` → 204

mod qr;

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::routing::route;
use tessera_http::{auth, response, Fields, Problem};
use tessera_identity::mfa;
use tessera_identity::mfa::MfaError;
use tessera_identity::password::Password;
use tessera_identity::signup::IdentityDeps;

/// The secrets this function uses (enrolment and removal: TOTP seeds and recovery codes): the only
/// ones it reads, and the only ones the template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    seed_keys: true,
    ..tessera_http::config::Secrets::HTTP
};

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    Enrol,
    Confirm,
    Remove,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("POST", "/v1/me/mfa/totp", Route::Enrol),
    ("POST", "/v1/me/mfa/totp/confirm", Route::Confirm),
    ("DELETE", "/v1/me/mfa/totp", Route::Remove),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::Enrol) => enrol(&request, &deps).await,
        Ok(Route::Confirm) => confirm(&request, &deps).await,
        Ok(Route::Remove) => remove(&request, &deps).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn enrol(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    auth::require_own_credentials(&profile)?;
    let mut f = Fields::from_request(request, &["password"])?;
    let Some(password) = f.parse("password", "too_long", Password::new) else {
        return Err(f.into_problem());
    };
    let enrolment = mfa::start_enrolment(deps, &profile, &password)
        .await
        .map_err(|e| problem(e, deps))?;
    let qr = qr::png_base64(&enrolment.otpauth_uri).map_err(|e| Problem::internal(&e))?;
    Ok(response::json(
        200,
        &json!({ "secret": enrolment.secret_base32, "otpauth_uri": enrolment.otpauth_uri, "qr_png_base64": qr }),
    ))
}

async fn confirm(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    auth::require_own_credentials(&profile)?;
    let mut f = Fields::from_request(request, &["code"])?;
    let Some(code) = f.string("code") else {
        return Err(f.into_problem());
    };
    let codes = mfa::confirm_enrolment(deps, &profile, &code)
        .await
        .map_err(|e| problem(e, deps))?;
    Ok(response::json(200, &json!({ "recovery_codes": codes })))
}

async fn remove(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    auth::require_own_credentials(&profile)?;
    let mut f = Fields::from_request(request, &["password", "code"])?;
    let password = f.parse("password", "too_long", Password::new);
    let code = f.string("code");
    let (Some(password), Some(code)) = (password, code) else {
        return Err(f.into_problem());
    };
    mfa::remove(deps, &profile, &password, &code)
        .await
        .map_err(|e| problem(e, deps))?;
    Ok(response::empty(204))
}

fn problem(error: MfaError, deps: &IdentityDeps) -> Problem {
    match error {
        MfaError::WrongPassword => {
            Problem::new(403, "invalid_password", "Password is wrong", "Enter the password you log in with.")
        }
        MfaError::InvalidCode => Problem::new(
            400,
            "invalid_code",
            "Invalid code",
            "The code is wrong or was already used. Enter the current code from your authenticator app.",
        ),
        MfaError::AlreadyEnabled => Problem::new(
            409,
            "mfa_already_enabled",
            "Authenticator already set up",
            "Remove the current authenticator before setting up another.",
        ),
        MfaError::NotEnabled => {
            Problem::new(409, "mfa_not_enabled", "No authenticator", "This account has no authenticator to remove.")
        }
        MfaError::NoPendingEnrolment => Problem::new(
            409,
            "no_pending_enrolment",
            "Nothing to confirm",
            "Start the set-up again: it was never begun, or it expired after 15 minutes.",
        ),
        MfaError::TooManyAttempts { retry_at } => Problem::too_many_attempts((retry_at - deps.clock.now()).0),
        MfaError::Store(e) => Problem::internal(&e),
        MfaError::Hash(e) => Problem::internal(&e),
    }
}
