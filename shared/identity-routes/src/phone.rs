//! Mobile number routes: decode → call a flow → encode.
//!
//! - `GET /v1/phone/countries` → 200 `{countries: [{country, calling_code}]}`, public: the
//!   countries numbers may come from, for the form's menu
//! - `PUT /v1/me/phone` `{password, phone, country?}` → 202; a code goes to the new number by SMS
//!   (`phone` in international form, or national for `country`)
//! - `POST /v1/me/phone/verify` `{code}` → 204; the number is bound and the owner emailed
//! - `DELETE /v1/me/phone` `{password}` → 204

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::problem::FieldError;
use tessera_http::routing::route;
use tessera_http::{auth, response, Fields, Problem};
use tessera_identity::password::Password;
use tessera_identity::phone;
use tessera_identity::phone::{PhoneError, PhoneNumber};
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::code::OneTimeCode;
use tessera_kernel::person::Country;

/// The secrets this function uses (phone verification codes): the only ones it reads, and the only
/// ones the template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    Countries,
    Change,
    Verify,
    Remove,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/phone/countries", Route::Countries),
    ("PUT", "/v1/me/phone", Route::Change),
    ("POST", "/v1/me/phone/verify", Route::Verify),
    ("DELETE", "/v1/me/phone", Route::Remove),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::Countries) => Ok(countries(&deps)),
        Ok(Route::Change) => change(&request, &deps).await,
        Ok(Route::Verify) => verify(&request, &deps).await,
        Ok(Route::Remove) => remove(&request, &deps).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn change(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    auth::require_own_credentials(&profile)?;
    let mut f = Fields::from_request(request, &["password", "phone", "country"])?;
    let password = f.parse("password", "too_long", Password::new);
    let country = f.parse_optional("country", "invalid_country", |c| {
        Country::parse(c).ok_or("must be an ISO 3166-1 alpha-2 country code")
    });
    let number = f.parse("phone", "invalid_phone", |raw| match &country {
        Some(country) => PhoneNumber::parse_in(raw, country.as_str()),
        None => PhoneNumber::parse(raw),
    });
    let (Some(password), Some(number)) = (password, number) else {
        return Err(f.into_problem());
    };
    phone::request_change(deps, &profile, &password, &number)
        .await
        .map_err(|e| problem(e, deps))?;
    Ok(response::json(
        202,
        &json!({ "status": "verification_sent" }),
    ))
}

/// The countries numbers may come from, with their calling codes: the same for everyone, so
/// caches may keep it for an hour.
fn countries(deps: &IdentityDeps) -> Response<Body> {
    let countries: Vec<_> = phone::allowed_countries(&deps.settings)
        .into_iter()
        .map(|(country, code)| json!({ "country": country, "calling_code": format!("+{code}") }))
        .collect();
    let mut answer = response::json(200, &json!({ "countries": countries }));
    answer.headers_mut().insert(
        "cache-control",
        lambda_http::http::HeaderValue::from_static("public, max-age=3600"),
    );
    answer
}

async fn verify(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    auth::require_own_credentials(&profile)?;
    let mut f = Fields::from_request(request, &["code"])?;
    let Some(code) = f.parse("code", "invalid_code_format", OneTimeCode::parse) else {
        return Err(f.into_problem());
    };
    phone::verify(deps, &profile, &code)
        .await
        .map_err(|e| problem(e, deps))?;
    Ok(response::empty(204))
}

async fn remove(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    auth::require_own_credentials(&profile)?;
    let mut f = Fields::from_request(request, &["password"])?;
    let Some(password) = f.parse("password", "too_long", Password::new) else {
        return Err(f.into_problem());
    };
    phone::remove(deps, &profile, &password)
        .await
        .map_err(|e| problem(e, deps))?;
    Ok(response::empty(204))
}

fn problem(error: PhoneError, deps: &IdentityDeps) -> Problem {
    match error {
        PhoneError::WrongPassword => Problem::new(
            403,
            "invalid_password",
            "Password is wrong",
            "Enter the password you log in with.",
        ),
        PhoneError::CountryNotAllowed => Problem::validation(vec![FieldError::new(
            "phone",
            "country_not_allowed",
            "Numbers from this country are not accepted.",
        )]),
        PhoneError::InvalidCode => Problem::invalid_code(),
        PhoneError::NothingPending => Problem::new(
            409,
            "no_pending_phone",
            "Nothing to verify",
            "Add the number first; its code is sent by SMS.",
        ),
        PhoneError::NoPhone => Problem::new(
            409,
            "no_phone",
            "No mobile number",
            "This account has no mobile number to remove.",
        ),
        PhoneError::TooManySends => Problem::new(
            429,
            "too_many_codes",
            "Too many codes",
            "Codes are sent at most once a minute and six times a day. Try again later.",
        ),
        PhoneError::TooManyAttempts { retry_at } => {
            Problem::too_many_attempts((retry_at - deps.clock.now()).0)
        }
        PhoneError::Store(e) => Problem::internal(&e),
        PhoneError::Hash(e) => Problem::internal(&e),
    }
}
