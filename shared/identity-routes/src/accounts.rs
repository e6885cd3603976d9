//! Sign-up routes: decode → call a flow → encode. Nothing else.
//!
//! - `POST /v1/accounts` → 202 `{status: "activation_pending"}` for a new, pending or active address
//! - `POST /v1/accounts/activate` `{email, code, password}` → 200 `{username, status: "active"}`
//!   (the password given here is the account's); 400 `invalid_code`; 422 when the password fails
//!   the policy
//! - `POST /v1/accounts/activation-code` → 202, always

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::client;
use tessera_http::links::public_base;
use tessera_http::problem::FieldError;
use tessera_http::response;
use tessera_http::routing::route;
use tessera_http::{Fields, Problem};
use tessera_identity::links::PagesUrl;
use tessera_identity::password::Password;
use tessera_identity::policy::PolicyFailure;
use tessera_identity::signup;
use tessera_identity::signup::{ActivateError, Activation, IdentityDeps, SignUp, SignUpError};
use tessera_kernel::client_limits::ClientRequest;
use tessera_kernel::code::OneTimeCode;
use tessera_kernel::email::Email;
use tessera_kernel::person::{Country, Name};

/// The secrets this function uses (activation codes): the only ones it reads, and the only ones the
/// template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    SignUp,
    Activate,
    Resend,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("POST", "/v1/accounts", Route::SignUp),
    ("POST", "/v1/accounts/activate", Route::Activate),
    ("POST", "/v1/accounts/activation-code", Route::Resend),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::SignUp) => response::uniformly(&deps, sign_up(&request, &deps)).await,
        Ok(Route::Activate) => activate(&request, &deps).await,
        Ok(Route::Resend) => response::uniformly(&deps, resend(&request, &deps)).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn sign_up(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    client::limit(request, deps, ClientRequest::Registration).await?;
    let command = parse_sign_up(request, deps)?;
    signup::sign_up(deps, command)
        .await
        .map_err(|e| sign_up_problem(e, deps))?;
    Ok(response::json(
        202,
        &json!({ "status": "activation_pending" }),
    ))
}

fn parse_sign_up(request: &Request, deps: &IdentityDeps) -> Result<SignUp, Problem> {
    let mut f = Fields::from_request(
        request,
        &["email", "password", "first_name", "last_name", "country"],
    )?;
    let email = f.parse("email", "invalid_email", Email::parse);
    if email
        .as_ref()
        .is_some_and(|e| signup::is_role_address(&deps.settings, e))
    {
        f.error(
            "email",
            "role_address",
            "Accounts are personal: use your own address, not a group or role mailbox such as info@ or support@.",
        );
    }
    let password = f.parse("password", "too_long", Password::new);
    let first_name = f.parse("first_name", "invalid_name", Name::parse);
    let last_name = f.parse("last_name", "invalid_name", Name::parse);
    let country = f.parse("country", "invalid_country", |c| {
        Country::parse(c).ok_or("must be an ISO 3166-1 alpha-2 country code")
    });
    check_initial_password(&mut f, deps, email.as_ref(), password.as_ref());
    match (email, password, first_name, last_name, country) {
        (Some(email), Some(password), Some(first_name), Some(last_name), Some(country))
            if f.is_valid() =>
        {
            Ok(SignUp {
                email,
                password,
                first_name,
                last_name,
                country,
                pages: pages_url(request, deps)?,
            })
        }
        _ => Err(f.into_problem()),
    }
}

/// Reports the password rules an account's first password fails together with the other field
/// errors, in one 422.
fn check_initial_password(
    f: &mut Fields,
    deps: &IdentityDeps,
    email: Option<&Email>,
    password: Option<&Password>,
) {
    if let Some(password) = password {
        for failure in signup::first_password_failures(&deps.settings, email, password) {
            f.error(
                "password",
                failure.code(),
                deps.settings.policy.message(failure),
            );
        }
    }
}

fn weak_password(failures: Vec<PolicyFailure>, deps: &IdentityDeps) -> Problem {
    Problem::validation(
        failures
            .into_iter()
            .map(|f| FieldError::new("password", f.code(), deps.settings.policy.message(f)))
            .collect(),
    )
}

fn sign_up_problem(error: SignUpError, deps: &IdentityDeps) -> Problem {
    match error {
        SignUpError::WeakPassword(failures) => weak_password(failures, deps),
        SignUpError::Store(e) => Problem::internal(&e),
        SignUpError::Hash(e) => Problem::internal(&e),
    }
}

async fn activate(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    client::limit(request, deps, ClientRequest::Registration).await?;
    let mut f = Fields::from_request(request, &["email", "code", "password"])?;
    let email = f.parse("email", "invalid_email", Email::parse);
    let code = f.parse("code", "invalid_code_format", OneTimeCode::parse);
    let password = f.parse("password", "too_long", Password::new);
    check_initial_password(&mut f, deps, email.as_ref(), password.as_ref());
    let (Some(email), Some(code), Some(password), true) = (email, code, password, f.is_valid())
    else {
        return Err(f.into_problem());
    };
    let activation = Activation {
        email,
        code,
        password,
    };
    // A wrong answer takes the uniform-answer floor, whether or not an account has a code
    // outstanding (its extra reads and writes hide under it); a right one is not held.
    let activated = response::unless_ok_uniformly(deps, signup::activate(deps, &activation)).await;
    match activated {
        Ok(username) => Ok(response::json(
            200,
            &json!({ "username": username.as_str(), "status": "active" }),
        )),
        Err(ActivateError::InvalidCode) => Err(Problem::invalid_code()),
        Err(ActivateError::WeakPassword(failures)) => Err(weak_password(failures, deps)),
        Err(ActivateError::Store(e)) => Err(Problem::internal(&e)),
        Err(ActivateError::Hash(e)) => Err(Problem::internal(&e)),
    }
}

async fn resend(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    client::limit(request, deps, ClientRequest::Registration).await?;
    let mut f = Fields::from_request(request, &["email"])?;
    let Some(email) = f.parse("email", "invalid_email", Email::parse) else {
        return Err(f.into_problem());
    };
    signup::resend_activation_code(deps, &email, &pages_url(request, deps)?)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(response::json(
        202,
        &json!({ "status": "activation_pending" }),
    ))
}

/// Where the activation email's link leads: the pages, on the API's own origin.
fn pages_url(request: &Request, deps: &IdentityDeps) -> Result<PagesUrl, Problem> {
    let base = public_base(deps.settings.public_url.as_deref(), request)?;
    Ok(PagesUrl::new(&base))
}
