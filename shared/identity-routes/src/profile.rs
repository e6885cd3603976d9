//! Profile routes: decode → call the store → encode.
//!
//! - `GET /v1/me` → 200 the caller's profile
//! - `PATCH /v1/me` names, country, company, job title → 200 the profile; `email` → 422
//!   `email_change_not_supported`
//! - `GET`, `PUT /v1/me/communication-settings` → 200 `{product_updates, newsletters, event_invitations}`
//! - `POST /v1/me/email-change/confirm` `{code}` → 200 `{email}`: the new sign-in address support
//!   set, proven by the code sent to it

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::routing::route;
use tessera_http::{auth, response, Fields, Problem};
use tessera_identity::account::{CommunicationSettings, Profile, ProfileEdit};
use tessera_identity::email_change::{self, EmailChangeError};
use tessera_identity::phone;
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::code::OneTimeCode;
use tessera_kernel::person::{Country, Name};
use tessera_kernel::suppression::normalized;

/// The code pepper (the email-change code is issued and checked with it), and the edge layer's
/// secret as every HTTP function.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

const DETAIL_MAX: usize = 100;

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    Me,
    Edit,
    Communication,
    SetCommunication,
    ConfirmEmailChange,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/me", Route::Me),
    ("PATCH", "/v1/me", Route::Edit),
    ("GET", "/v1/me/communication-settings", Route::Communication),
    (
        "PUT",
        "/v1/me/communication-settings",
        Route::SetCommunication,
    ),
    (
        "POST",
        "/v1/me/email-change/confirm",
        Route::ConfirmEmailChange,
    ),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::Me) => me(&request, &deps).await,
        Ok(Route::Edit) => edit(&request, &deps).await,
        Ok(Route::Communication) => communication(&request, &deps).await,
        Ok(Route::SetCommunication) => set_communication(&request, &deps).await,
        Ok(Route::ConfirmEmailChange) => confirm_email_change(&request, &deps).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

/// The session check returns the profile with it; the identity adds the security settings.
async fn me(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    Ok(response::json(200, &profile_json(&profile, deps).await?))
}

async fn profile_json(
    profile: &Profile,
    deps: &IdentityDeps,
) -> Result<serde_json::Value, Problem> {
    // Both reads at once: the suppression list answers whether mail reaches the address.
    let address = normalized(profile.email.as_str());
    let (identity, suppression) = tokio::join!(
        deps.store.identity(&profile.email),
        deps.postbox.suppressions.suppression(&address),
    );
    let identity = identity.map_err(|e| Problem::internal(&e))?;
    let suppression = suppression.map_err(|e| Problem::internal(&e))?;
    let totp = identity.as_ref().is_some_and(|i| i.totp.is_some());
    let phone = identity.as_ref().and_then(phone::shown);
    Ok(json!({
        "username": profile.username.as_ref().map(|u| u.as_str()),
        "email": profile.email.as_str(),
        "first_name": profile.first_name.as_str(),
        "last_name": profile.last_name.as_str(),
        "country": profile.country.as_str(),
        "company": profile.details.company,
        "job_title": profile.details.job_title,
        "phone": phone,
        "mfa": { "totp": totp },
        "federated": profile.federated,
        "email_suppressed": suppression.map(|s| json!({
            "reason": s.reason.as_str(),
            "since": s.since.to_rfc3339(),
        })),
    }))
}

async fn edit(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    let mut f = Fields::from_request(
        request,
        &[
            "first_name",
            "last_name",
            "country",
            "company",
            "job_title",
            "email",
        ],
    )?;
    if f.has("email") {
        f.error(
            "email",
            "email_change_not_supported",
            "The sign-in email address cannot be changed here: support sets a new one on request, and you confirm it with the code sent there (POST /v1/me/email-change/confirm).",
        );
    }
    let edit = ProfileEdit {
        first_name: f.parse_optional("first_name", "invalid_name", Name::parse),
        last_name: f.parse_optional("last_name", "invalid_name", Name::parse),
        country: f.parse_optional("country", "invalid_country", |c| {
            Country::parse(c).ok_or("must be an ISO 3166-1 alpha-2 country code")
        }),
        company: f.nullable_string("company", DETAIL_MAX),
        job_title: f.nullable_string("job_title", DETAIL_MAX),
    };
    if !f.is_valid() {
        return Err(f.into_problem());
    }
    if edit.is_empty() {
        f.error("body", "empty_edit", "Send at least one field to change.");
        return Err(f.into_problem());
    }
    let updated = tessera_identity::profile::edit(deps, &profile, &edit)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(Problem::unauthenticated)?;
    Ok(response::json(200, &profile_json(&updated, deps).await?))
}

async fn communication(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    Ok(response::json(200, &profile.communication))
}

async fn set_communication(
    request: &Request,
    deps: &IdentityDeps,
) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    let mut f = Fields::from_request(
        request,
        &["product_updates", "newsletters", "event_invitations"],
    )?;
    let product_updates = f.boolean("product_updates");
    let newsletters = f.boolean("newsletters");
    let event_invitations = f.boolean("event_invitations");
    let (Some(product_updates), Some(newsletters), Some(event_invitations)) =
        (product_updates, newsletters, event_invitations)
    else {
        return Err(f.into_problem());
    };
    let settings = CommunicationSettings {
        product_updates,
        newsletters,
        event_invitations,
    };
    deps.store
        .set_communication(&profile.account_id, settings)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(response::json(200, &settings))
}

async fn confirm_email_change(
    request: &Request,
    deps: &IdentityDeps,
) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    let mut f = Fields::from_request(request, &["code"])?;
    let Some(code) = f.parse("code", "invalid_code_format", OneTimeCode::parse) else {
        return Err(f.into_problem());
    };
    match email_change::confirm(deps, &profile, &code).await {
        Ok(email) => Ok(response::json(200, &json!({ "email": email.as_str() }))),
        Err(EmailChangeError::NothingPending) => Err(Problem::new(
            409,
            "no_email_change",
            "No change of address",
            "No new sign-in address is waiting for this account.",
        )),
        Err(EmailChangeError::InvalidCode) => Err(Problem::invalid_code()),
        Err(EmailChangeError::Taken) => Err(Problem::new(
            409,
            "email_taken",
            "Address taken",
            "Another account signs in with the new address now; ask support for another.",
        )),
        Err(EmailChangeError::Store(e)) => Err(Problem::internal(&e)),
        Err(other) => Err(Problem::internal(&other)),
    }
}
