//! Password policy routes, for a UI checklist. No storage, no AWS client.
//!
//! - `GET /v1/password-policy` → 200: the rules in force
//! - `POST /v1/password-policy/check` `{password, email?, username?}` → 200 `{ok, failed}`

use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::sync::Arc;
use tessera_http::response;
use tessera_http::routing::route;
use tessera_http::{Fields, Problem};
use tessera_identity::password::Password;
use tessera_identity::policy::PolicyContext;
use tessera_identity::PasswordPolicy;
use tessera_kernel::email::Email;

/// This function uses no secret but the edge layer's (every HTTP function checks it when the
/// edge is on): it reads no other, and the template gives it no other.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    Describe,
    Check,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/password-policy", Route::Describe),
    ("POST", "/v1/password-policy/check", Route::Check),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, policy: Arc<PasswordPolicy>) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::Describe) => Ok(describe(&policy)),
        Ok(Route::Check) => check(&request, &policy),
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

fn describe(policy: &PasswordPolicy) -> Response<Body> {
    response::json(
        200,
        &json!({
            "min_length": policy.min_length,
            "max_length": policy.max_length,
            "history": policy.history,
            "min_age_seconds": policy.min_age_seconds,
            "rules": policy.describe(),
        }),
    )
}

fn check(request: &Request, policy: &PasswordPolicy) -> Result<Response<Body>, Problem> {
    let mut f = Fields::from_request(request, &["password", "email", "username"])?;
    let password = f.parse("password", "too_long", Password::new);
    let email = f.parse_optional("email", "invalid_email", Email::parse);
    let username = f.optional_string("username");
    let Some(password) = password.filter(|_| f.is_valid()) else {
        return Err(f.into_problem());
    };
    let context = PolicyContext {
        email: email.as_ref(),
        username: username.as_deref(),
        ..Default::default()
    };
    let failed: Vec<&str> = policy
        .check(password.expose(), &context)
        .into_iter()
        .map(|r| r.code())
        .collect();
    Ok(response::json(
        200,
        &json!({ "ok": failed.is_empty(), "failed": failed }),
    ))
}
