//! Bearer-token authentication: the session token from `Authorization`, checked against the store.

use crate::problem::Problem;
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::Request;
use tessera_core::account::Profile;
use tessera_core::login::{self, AuthError};
use tessera_core::session::{Session, SessionToken};
use tessera_core::signup::IdentityDeps;

/// The token in `Authorization: Bearer <token>`, if well formed. Tokens are never read from URLs.
pub fn bearer_token(request: &Request) -> Option<SessionToken> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| SessionToken::parse(token.trim()))?
}

/// The caller's live session and profile, or the one 401 every authentication failure gets.
pub async fn authenticate(
    request: &Request,
    deps: &IdentityDeps,
) -> Result<(Session, Profile), Problem> {
    let token = bearer_token(request).ok_or_else(Problem::unauthenticated)?;
    match login::authenticate(deps, &token).await {
        Ok(found) => Ok(found),
        Err(AuthError::Unauthenticated) => Err(Problem::unauthenticated()),
        Err(AuthError::Store(e)) => Err(Problem::internal(&e)),
    }
}

/// Password and security settings are not for accounts that sign in through their organisation.
pub fn require_own_credentials(profile: &Profile) -> Result<(), Problem> {
    if profile.federated {
        return Err(Problem::new(
            409,
            "federated_account",
            "Managed by your organisation",
            "This account signs in through its organisation: it has no password or security settings here.",
        ));
    }
    Ok(())
}
