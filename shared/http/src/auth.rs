//! Bearer-token authentication: the session token from `Authorization`, checked against the store;
//! and the admin routes' check (a configured token, or API Gateway's IAM authorization).

use crate::config::AdminAuth;
use crate::problem::Problem;
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::request::RequestContext;
use lambda_http::Request;
use lambda_http::RequestExt;
use subtle::ConstantTimeEq;
use tessera_identity::account::Profile;
use tessera_identity::login;
use tessera_identity::login::AuthError;
use tessera_identity::session::{Session, SessionToken};
use tessera_identity::signup::IdentityDeps;
use tessera_identity::staff;
use tessera_identity::staff::{Role, StaffRefusal};

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

/// A staff route's caller: a live session that passed the authenticator, of an account holding
/// one of the roles the route `allows` (the one it is admitted by comes back). 401 without a
/// session; 403 `forbidden` without such a role, 403 `second_factor_required` without the
/// second step.
pub async fn authenticate_staff(
    request: &Request,
    deps: &IdentityDeps,
    allows: &[Role],
) -> Result<(Session, Profile, Role), Problem> {
    let (session, profile) = authenticate(request, deps).await?;
    match staff::admit(&profile, &session, allows) {
        Ok(role) => Ok((session, profile, role)),
        Err(StaffRefusal::NotAllowed) => Err(Problem::new(
            403,
            "forbidden",
            "Not allowed",
            format!(
                "This needs one of the staff roles: {}.",
                allows
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        Err(StaffRefusal::SecondFactorRequired) => Err(Problem::new(
            403,
            "second_factor_required",
            "Second step required",
            "Staff routes need a session that passed the authenticator: enrol one \
             (POST /v1/me/mfa/totp), then log in again.",
        )),
    }
}

/// Password and security settings are not for accounts that sign in through their organisation.
pub fn require_own_credentials(profile: &Profile) -> Result<(), Problem> {
    if profile.federated {
        return Err(federated_account());
    }
    Ok(())
}

/// The one answer for a password or security action on an account that signs in through its
/// organisation.
pub fn federated_account() -> Problem {
    Problem::new(
        409,
        "federated_account",
        "Managed by your organisation",
        "This account signs in through its organisation: it has no password or security settings here.",
    )
}

/// Admin routes: with a token configured, `Authorization: Bearer <token>` (compared in constant
/// time); on AWS, the IAM caller API Gateway verified (the route's authorizer is `AWS_IAM`, so an
/// unsigned request never arrives; this check keeps a misconfigured route closed). The caller
/// comes back (`token`, or the IAM principal) and is named in the log and the audit log, never
/// the token.
pub fn require_admin(request: &Request, admin: &AdminAuth) -> Result<String, Problem> {
    let caller = match admin {
        AdminAuth::Token(expected) => {
            let given = request
                .headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim().as_bytes())
                .unwrap_or_default();
            let matches: bool = given.ct_eq(expected.as_bytes()).into();
            matches.then(|| "token".to_string())
        }
        AdminAuth::Iam => match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx
                .authorizer
                .as_ref()
                .and_then(|a| a.iam.as_ref())
                .and_then(|iam| iam.user_arn.clone().or_else(|| iam.caller_id.clone())),
            _ => None,
        },
    };
    match caller {
        Some(caller) => {
            tracing::info!(%caller, "admin request");
            Ok(caller)
        }
        None => Err(Problem::new(
            401,
            "unauthenticated",
            "Not authenticated",
            "Admin routes need the admin token (Authorization: Bearer) or, on AWS, an IAM-signed request.",
        )),
    }
}
