//! Forgot-password routes: decode → call a flow → encode.
//!
//! - `POST /v1/password-resets` `{email, channel: "email" | "sms"}` → 202, always
//! - `POST /v1/password-resets/verify` `{email, code}` → 200 `{reset_token, mfa_required}`; 400 `invalid_code`
//! - `POST /v1/password-resets/complete` `{reset_token, new_password, confirm_password, mfa_code?}`
//!   → 204, every session logged out; 400 `invalid_reset_token`

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::client;
use tessera_http::problem::FieldError;
use tessera_http::routing::route;
use tessera_http::{response, Fields, Problem};
use tessera_identity::password::Password;
use tessera_identity::password_reset;
use tessera_identity::password_reset::{
    CompleteResetError, ResetChannel, ResetToken, VerifyResetError,
};
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::client_limits::ClientRequest;
use tessera_kernel::code::OneTimeCode;
use tessera_kernel::email::Email;

/// The secrets this function uses (reset codes, and the authenticator a reset with MFA checks): the
/// only ones it reads, and the only ones the template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    seed_keys: true,
    ..tessera_http::config::Secrets::HTTP
};

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    Request,
    Verify,
    Complete,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("POST", "/v1/password-resets", Route::Request),
    ("POST", "/v1/password-resets/verify", Route::Verify),
    ("POST", "/v1/password-resets/complete", Route::Complete),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::Request) => response::uniformly(&deps, request_reset(&request, &deps)).await,
        Ok(Route::Verify) => verify(&request, &deps).await,
        Ok(Route::Complete) => complete(&request, &deps).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

fn parse_channel(raw: &str) -> Result<ResetChannel, &'static str> {
    match raw {
        "email" => Ok(ResetChannel::Email),
        "sms" => Ok(ResetChannel::Sms),
        _ => Err("must be \"email\" or \"sms\""),
    }
}

async fn request_reset(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    client::limit(request, deps, ClientRequest::Recovery).await?;
    let mut f = Fields::from_request(request, &["email", "channel"])?;
    let email = f.parse("email", "invalid_email", Email::parse);
    let channel = f.parse("channel", "invalid_channel", parse_channel);
    let (Some(email), Some(channel)) = (email, channel) else {
        return Err(f.into_problem());
    };
    password_reset::request_reset(deps, &email, channel)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(response::json(202, &json!({ "status": "accepted" })))
}

async fn verify(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    client::limit(request, deps, ClientRequest::Recovery).await?;
    let mut f = Fields::from_request(request, &["email", "code"])?;
    let email = f.parse("email", "invalid_email", Email::parse);
    let code = f.parse("code", "invalid_code_format", OneTimeCode::parse);
    let (Some(email), Some(code)) = (email, code) else {
        return Err(f.into_problem());
    };
    // A wrong answer takes the uniform-answer floor, whether or not the address has a code
    // outstanding; a right one is not held.
    let verified =
        response::unless_ok_uniformly(deps, password_reset::verify_reset_code(deps, &email, &code))
            .await;
    match verified {
        Ok(verified) => Ok(response::json(
            200,
            &json!({ "reset_token": verified.token.expose(), "mfa_required": verified.mfa_required }),
        )),
        Err(VerifyResetError::InvalidCode) => Err(Problem::invalid_code()),
        Err(VerifyResetError::Federated) => Err(tessera_http::auth::federated_account()),
        Err(VerifyResetError::Store(e)) => Err(Problem::internal(&e)),
    }
}

async fn complete(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    client::limit(request, deps, ClientRequest::Recovery).await?;
    let mut f = Fields::from_request(
        request,
        &[
            "reset_token",
            "new_password",
            "confirm_password",
            "mfa_code",
        ],
    )?;
    let token = f.parse("reset_token", "invalid_reset_token", |t| {
        ResetToken::parse(t).ok_or("is not a reset token")
    });
    let new = f.parse("new_password", "too_long", Password::new);
    let confirm = f.parse("confirm_password", "too_long", Password::new);
    let mfa_code = f.optional_string("mfa_code");
    let (Some(token), Some(new), Some(confirm)) = (token, new, confirm) else {
        return Err(f.into_problem());
    };
    let policy = &deps.settings.policy;
    match password_reset::complete_reset(deps, &token, &new, &confirm, mfa_code.as_deref()).await {
        Ok(()) => Ok(response::empty(204)),
        Err(CompleteResetError::Mismatch) => Err(Problem::validation(vec![FieldError::new(
            "confirm_password",
            "mismatch",
            "The two new passwords are not the same.",
        )])),
        Err(CompleteResetError::WeakPassword(failures)) => Err(Problem::validation(
            failures
                .into_iter()
                .map(|f| FieldError::new("new_password", f.code(), policy.message(f)))
                .collect(),
        )),
        Err(CompleteResetError::MfaCodeRequired) => Err(Problem::new(
            401,
            "mfa_code_required",
            "Authenticator code required",
            "This account has an authenticator: send a current code from it, or a recovery code, as mfa_code.",
        )),
        Err(CompleteResetError::InvalidToken) => Err(Problem::new(
            400,
            "invalid_reset_token",
            "Invalid reset token",
            "The reset is unknown, used or expired. Start again with a new code.",
        )),
        Err(CompleteResetError::Federated) => Err(tessera_http::auth::federated_account()),
        Err(CompleteResetError::Store(e)) => Err(Problem::internal(&e)),
        Err(CompleteResetError::Hash(e)) => Err(Problem::internal(&e)),
    }
}
