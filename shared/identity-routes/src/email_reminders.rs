//! Forgot email: decode → call a flow → encode.
//!
//! - `POST /v1/email-reminders` `{username, password}` → 200 `{email}`, and the owner is emailed;
//!   202 with an authenticator enrolled (the address is only emailed); 401 `invalid_credentials`
//!   (one body for every reason); 429 `too_many_attempts`, for known and unknown IDs alike
//! - `POST /v1/email-reminders` `{email}` → 202, always; a reminder goes to that address if it is
//!   an account's

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::client;
use tessera_http::routing::route;
use tessera_http::{response, Fields, Problem};
use tessera_identity::account::Username;
use tessera_identity::email_reminder;
use tessera_identity::email_reminder::Revealed;
use tessera_identity::login::LoginError;
use tessera_identity::password::Password;
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::client_limits::ClientRequest;
use tessera_kernel::email::Email;

/// This function uses no secret but the edge layer's (every HTTP function checks it when the
/// edge is on): it reads no other, and the template gives it no other.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    Remind,
}

const ROUTES: &[tessera_http::routing::Route<Route>] =
    &[("POST", "/v1/email-reminders", Route::Remind)];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::Remind) => response::uniformly(&deps, reminder(&request, &deps)).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn reminder(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    client::limit(request, deps, ClientRequest::Recovery).await?;
    let mut f = Fields::from_request(request, &["username", "password", "email"])?;
    let by_email = f.has("email");
    if by_email && (f.has("username") || f.has("password")) {
        f.error(
            "email",
            "ambiguous",
            "Send either email, or username and password, not both.",
        );
        return Err(f.into_problem());
    }
    if by_email {
        let Some(email) = f.parse("email", "invalid_email", Email::parse) else {
            return Err(f.into_problem());
        };
        email_reminder::remind(deps, &email)
            .await
            .map_err(|e| Problem::internal(&e))?;
        return Ok(response::json(202, &json!({ "status": "accepted" })));
    }
    let username = f.parse("username", "invalid_username", |u| {
        Username::parse(u).ok_or("is not a login ID")
    });
    let password = f.parse("password", "too_long", Password::new);
    let (Some(username), Some(password)) = (username, password) else {
        return Err(f.into_problem());
    };
    match email_reminder::reveal_email(deps, &username, &password).await {
        Ok(Revealed::Shown(email)) => Ok(response::json(200, &json!({ "email": email.as_str() }))),
        Ok(Revealed::Emailed) => Ok(response::json(202, &json!({ "status": "accepted" }))),
        Err(LoginError::InvalidCredentials) => Err(Problem::new(
            401,
            "invalid_credentials",
            "Invalid credentials",
            "The login ID or password is not right.",
        )),
        Err(LoginError::TooManyAttempts { retry_at }) => {
            Err(Problem::too_many_attempts((retry_at - deps.clock.now()).0))
        }
        Err(LoginError::Store(e)) => Err(Problem::internal(&e)),
        Err(LoginError::Hash(e)) => Err(Problem::internal(&e)),
    }
}
