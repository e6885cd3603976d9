//! Profile routes: decode → call a flow → encode.
//!
//! - `GET /v1/me` → 200 the caller's profile

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_core::signup::IdentityDeps;
use tessera_http::{auth, response, Problem};

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match (request.method().as_str(), request.uri().path()) {
        ("GET", "/v1/me") => me(&request, &deps).await,
        (_, "/v1/me") => Err(Problem::method_not_allowed()),
        _ => Err(Problem::not_found()),
    };
    result.unwrap_or_else(Problem::into_response)
}

/// The session check returns the profile with it; the identity adds the security settings.
async fn me(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, deps).await?;
    let identity = deps
        .store
        .identity(&profile.email)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let totp = identity.as_ref().is_some_and(|i| i.totp.is_some());
    Ok(response::json(
        200,
        &json!({
            "username": profile.username.as_ref().map(|u| u.as_str()),
            "email": profile.email.as_str(),
            "first_name": profile.first_name.as_str(),
            "last_name": profile.last_name.as_str(),
            "country": profile.country.as_str(),
            "company": null,
            "job_title": null,
            "phone": null,
            "mfa": { "totp": totp },
            "federated": false,
        }),
    ))
}
