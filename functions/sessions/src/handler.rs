//! Session routes: decode → call a flow → encode.
//!
//! - `POST /v1/sessions` `{email, password}` → 201 `{token, expires_at, idle_timeout_seconds}`;
//!   401 `invalid_credentials` (one body for every reason); 429 `too_many_attempts` with `Retry-After`
//! - `DELETE /v1/sessions/current` → 204

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_core::login::{self, LoginError};
use tessera_core::password::Password;
use tessera_core::signup::IdentityDeps;
use tessera_core::Email;
use tessera_http::{auth, response, Fields, Problem};

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match (request.method().as_str(), request.uri().path()) {
        ("POST", "/v1/sessions") => log_in(&request, &deps).await,
        ("DELETE", "/v1/sessions/current") => log_out(&request, &deps).await,
        (_, "/v1/sessions" | "/v1/sessions/current") => Err(Problem::method_not_allowed()),
        _ => Err(Problem::not_found()),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn log_in(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let mut f = Fields::from_request(request, &["email", "password"])?;
    let email = f.parse("email", "invalid_email", Email::parse);
    let password = f.parse("password", "too_long", Password::new);
    let (Some(email), Some(password)) = (email, password) else {
        return Err(f.into_problem());
    };
    match login::log_in(deps, &email, &password).await {
        Ok(session) => Ok(response::json(
            201,
            &json!({
                "token": session.token.expose(),
                "expires_at": session.expires_at.to_rfc3339(),
                "idle_timeout_seconds": deps.settings.sessions.idle.0,
            }),
        )),
        Err(LoginError::InvalidCredentials) => Err(Problem::new(
            401,
            "invalid_credentials",
            "Invalid credentials",
            "The email address or password is not right, or the account cannot log in yet.",
        )),
        Err(LoginError::TooManyAttempts { retry_at }) => {
            let wait = (retry_at - deps.clock.now()).0.max(1);
            Err(Problem::new(
                429,
                "too_many_attempts",
                "Too many attempts",
                format!("Too many failed attempts for this address. Try again in {wait} seconds."),
            )
            .with_header("retry-after", wait.to_string()))
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
