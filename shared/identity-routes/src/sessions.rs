//! Session routes: decode → call a flow → encode.
//!
//! - `POST /v1/sessions` `{email, password}` → 201 `{token, expires_at, idle_timeout_seconds}`;
//!   401 `invalid_credentials` (one body for every reason); 429 `too_many_attempts` with `Retry-After`
//!   or, with an authenticator enrolled, 200 `{mfa_required: true, challenge}`
//! - `POST /v1/sessions/mfa` `{challenge, code}` (TOTP or recovery code) → 201 as above;
//!   400 `invalid_challenge` (log in again); 401 `invalid_code`
//! - `DELETE /v1/sessions/current` → 204

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::client;
use tessera_http::routing::route;
use tessera_http::{auth, response, Fields, Problem};
use tessera_identity::login;
use tessera_identity::login::{LoggedIn, LoginError, LoginOutcome};
use tessera_identity::mfa;
use tessera_identity::mfa::MfaLoginError;
use tessera_identity::password::Password;
use tessera_identity::signup::IdentityDeps;
use tessera_identity::token::AddressedToken;
use tessera_kernel::client_limits::ClientRequest;
use tessera_kernel::email::Email;

/// The secrets this function uses (the authenticator step: TOTP seeds and recovery codes): the only
/// ones it reads, and the only ones the template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    seed_keys: true,
    ..tessera_http::config::Secrets::HTTP
};

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    LogIn,
    AnswerChallenge,
    LogOut,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("POST", "/v1/sessions", Route::LogIn),
    ("POST", "/v1/sessions/mfa", Route::AnswerChallenge),
    ("DELETE", "/v1/sessions/current", Route::LogOut),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::LogIn) => log_in(&request, &deps).await,
        Ok(Route::AnswerChallenge) => answer_challenge(&request, &deps).await,
        Ok(Route::LogOut) => log_out(&request, &deps).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn log_in(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    client::limit(request, deps, ClientRequest::Login).await?;
    let mut f = Fields::from_request(request, &["email", "password"])?;
    let email = f.parse("email", "invalid_email", Email::parse);
    let password = f.parse("password", "too_long", Password::new);
    let (Some(email), Some(password)) = (email, password) else {
        return Err(f.into_problem());
    };
    match login::log_in(deps, &email, &password).await {
        Ok(LoginOutcome::Session(session)) => Ok(created(&session, deps)),
        Ok(LoginOutcome::MfaRequired(challenge)) => Ok(response::json(
            200,
            &json!({ "mfa_required": true, "challenge": challenge.expose() }),
        )),
        Err(LoginError::InvalidCredentials) => Err(Problem::new(
            401,
            "invalid_credentials",
            "Invalid credentials",
            "The email address or password is not right, or the account cannot log in yet.",
        )),
        Err(LoginError::TooManyAttempts { retry_at }) => {
            Err(Problem::too_many_attempts((retry_at - deps.clock.now()).0))
        }
        Err(LoginError::Store(e)) => Err(Problem::internal(&e)),
        Err(LoginError::Hash(e)) => Err(Problem::internal(&e)),
    }
}

async fn log_out(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (session, _) = auth::authenticate(request, deps).await?;
    login::log_out(deps, &session)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(response::empty(204))
}

fn created(session: &LoggedIn, deps: &IdentityDeps) -> Response<Body> {
    response::json(
        201,
        &json!({
            "token": session.token.expose(),
            "expires_at": session.expires_at.to_rfc3339(),
            "idle_timeout_seconds": deps.settings.sessions.idle.0,
        }),
    )
}

async fn answer_challenge(
    request: &Request,
    deps: &IdentityDeps,
) -> Result<Response<Body>, Problem> {
    let mut f = Fields::from_request(request, &["challenge", "code"])?;
    let challenge = f.parse("challenge", "invalid_challenge", |c| {
        AddressedToken::parse(c).ok_or("is not a login challenge")
    });
    let code = f.string("code");
    let (Some(challenge), Some(code)) = (challenge, code) else {
        return Err(f.into_problem());
    };
    match mfa::complete_login(deps, &challenge, &code).await {
        Ok(session) => Ok(created(&session, deps)),
        Err(MfaLoginError::InvalidChallenge) => Err(Problem::new(
            400,
            "invalid_challenge",
            "Invalid challenge",
            "The login challenge is unknown, used, expired or had too many wrong codes. Log in again.",
        )),
        Err(MfaLoginError::InvalidCode) => Err(Problem::new(
            401,
            "invalid_code",
            "Invalid code",
            "The code is wrong or was already used. Enter the current code from your authenticator app, or a recovery code.",
        )),
        Err(MfaLoginError::Store(e)) => Err(Problem::internal(&e)),
    }
}
