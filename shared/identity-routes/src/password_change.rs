//! Change password: decode → call the flow → encode.
//!
//! - `PUT /v1/me/password` `{current_password, new_password, confirm_password}` → 204, and every
//!   session (this one too) is logged out

use lambda_http::{Body, Request, Response};
use tessera_http::problem::FieldError;
use tessera_http::routing::route;
use tessera_http::{auth, response, Fields, Problem};
use tessera_identity::password::Password;
use tessera_identity::password_change;
use tessera_identity::password_change::{ChangePasswordError, PasswordChange};
use tessera_identity::signup::IdentityDeps;

/// This function uses no secret but the edge layer's (every HTTP function checks it when the
/// edge is on): it reads no other, and the template gives it no other.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    Change,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[("PUT", "/v1/me/password", Route::Change)];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::Change) => change(&request, &deps).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn change(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    auth::require_own_credentials(&profile)?;
    let mut f = Fields::from_request(
        request,
        &["current_password", "new_password", "confirm_password"],
    )?;
    let current = f.parse("current_password", "too_long", Password::new);
    let new = f.parse("new_password", "too_long", Password::new);
    let confirm = f.parse("confirm_password", "too_long", Password::new);
    let (Some(current), Some(new), Some(confirm)) = (current, new, confirm) else {
        return Err(f.into_problem());
    };
    let change = PasswordChange {
        current,
        new,
        confirm,
    };
    match password_change::change_password(deps, &profile, &change).await {
        Ok(()) => Ok(response::empty(204)),
        Err(e) => Err(problem(e, deps)),
    }
}

fn problem(error: ChangePasswordError, deps: &IdentityDeps) -> Problem {
    let policy = &deps.settings.policy;
    match error {
        ChangePasswordError::Mismatch => Problem::validation(vec![FieldError::new(
            "confirm_password",
            "mismatch",
            "The two new passwords are not the same.",
        )]),
        ChangePasswordError::WeakPassword(failures) => Problem::validation(
            failures
                .into_iter()
                .map(|f| FieldError::new("new_password", f.code(), policy.message(f)))
                .collect(),
        ),
        ChangePasswordError::WrongCurrentPassword => Problem::new(
            403,
            "invalid_current_password",
            "Current password is wrong",
            "Enter the password you log in with now.",
        ),
        ChangePasswordError::TooManyAttempts { retry_at } => {
            Problem::too_many_attempts((retry_at - deps.clock.now()).0)
        }
        ChangePasswordError::NoPassword => Problem::new(
            409,
            "no_password",
            "No password to change",
            "This account signs in through its organisation and has no password here.",
        ),
        ChangePasswordError::Store(e) => Problem::internal(&e),
        ChangePasswordError::Hash(e) => Problem::internal(&e),
    }
}
