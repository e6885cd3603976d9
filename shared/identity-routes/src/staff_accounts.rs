//! Support's routes on accounts (staff sessions only, each route naming its roles):
//!
//! - `GET /v1/staff/accounts?email=…` or `?username=…` → 200 the account as support sees it
//!   (support, program_admin, auditor)
//! - `POST /v1/staff/accounts/{id}/unlock`, `/disable`, `/enable` `{reason}` → 200 the account
//!   (support, program_admin); disabling ends every session at once
//! - `POST /v1/staff/accounts/{id}/email-change` `{new_email, reason}` → 202: a code goes to the
//!   new address, the owner confirms at `POST /v1/me/email-change/confirm` (support,
//!   program_admin)
//! - `PUT /v1/staff/accounts/{id}/roles` `{roles, reason}` → 200 the account (program_admin)
//! - `POST /v1/staff/accounts/{id}/resume-email` `{reason}` → 200 the account: mail goes to its
//!   address again after a bounce or complaint suppressed it; 409 `not_suppressed` otherwise
//!   (support, program_admin)
//!
//! Every write lands with its audit event in one write; one that changes nothing writes nothing.

use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{json, Value};
use tessera_http::problem::FieldError;
use tessera_http::routing::route_with_params;
use tessera_http::staff::{reason, reason_only, StaffCaller};
use tessera_http::{response, Fields, Problem};
use tessera_identity::account::Username;
use tessera_identity::email_change::{self, EmailChangeError};
use tessera_identity::phone;
use tessera_identity::signup::IdentityDeps;
use tessera_identity::staff::{change_roles, Role, Roles, RolesError};
use tessera_identity::support::{
    self, AccountAction, AccountCase, AccountKey, ResumeError, SupportError,
};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;

/// The code pepper (the email-change code is issued and checked with it), and the edge layer's
/// secret as every HTTP function.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

/// Who may read an account, and who may act on one.
const READERS: &[Role] = &[Role::Support, Role::ProgramAdmin, Role::Auditor];
const ACTORS: &[Role] = &[Role::Support, Role::ProgramAdmin];
const ROLE_GRANTORS: &[Role] = &[Role::ProgramAdmin];

#[derive(Clone, Copy)]
enum Route {
    Find,
    Act(AccountAction),
    Roles,
    EmailChange,
    ResumeEmail,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/staff/accounts", Route::Find),
    (
        "POST",
        "/v1/staff/accounts/{id}/unlock",
        Route::Act(AccountAction::Unlock),
    ),
    (
        "POST",
        "/v1/staff/accounts/{id}/disable",
        Route::Act(AccountAction::Disable),
    ),
    (
        "POST",
        "/v1/staff/accounts/{id}/enable",
        Route::Act(AccountAction::Enable),
    ),
    ("PUT", "/v1/staff/accounts/{id}/roles", Route::Roles),
    (
        "POST",
        "/v1/staff/accounts/{id}/email-change",
        Route::EmailChange,
    ),
    (
        "POST",
        "/v1/staff/accounts/{id}/resume-email",
        Route::ResumeEmail,
    ),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: IdentityDeps) -> Response<Body> {
    let result = match route_with_params(&request, ROUTES, |s| AccountId::parse(s).is_some()) {
        Ok((Route::Find, _)) => find(&request, &deps).await,
        Ok((Route::Act(action), params)) => act(&request, &deps, &account(&params), action).await,
        Ok((Route::Roles, params)) => set_roles(&request, &deps, &account(&params)).await,
        Ok((Route::EmailChange, params)) => email_change(&request, &deps, &account(&params)).await,
        Ok((Route::ResumeEmail, params)) => resume_email(&request, &deps, &account(&params)).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

/// The `{id}` the routing table accepted.
fn account(params: &[String]) -> AccountId {
    AccountId::parse(&params[0]).expect("the routing table accepts only account ids")
}

async fn find(request: &Request, deps: &IdentityDeps) -> Result<Response<Body>, Problem> {
    StaffCaller::admit(request, deps, READERS).await?;
    let query = request.query_string_parameters();
    let key = match (query.first("email"), query.first("username")) {
        (Some(email), None) => Email::parse(email).map(AccountKey::Email).map_err(|_| {
            Problem::validation(vec![FieldError::new(
                "email",
                "invalid_email",
                "This is not an email address.",
            )])
        })?,
        (None, Some(username)) => Username::parse(username)
            .map(AccountKey::Username)
            .ok_or_else(|| {
                Problem::validation(vec![FieldError::new(
                    "username",
                    "invalid_username",
                    "A login ID is 3-32 letters and digits.",
                )])
            })?,
        _ => {
            return Err(Problem::validation(vec![FieldError::new(
                "email",
                "required",
                "Give either email or username (not both).",
            )]))
        }
    };
    let case = support::find(deps, &key)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(Problem::not_found)?;
    Ok(response::json(200, &account_json(&case, deps)))
}

async fn act(
    request: &Request,
    deps: &IdentityDeps,
    account: &AccountId,
    action: AccountAction,
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, deps, ACTORS).await?;
    let reason = reason_only(request)?;
    match support::act(deps, &staff.by(reason), account, action).await {
        Ok(case) => Ok(response::json(200, &account_json(&case, deps))),
        Err(SupportError::NoAccount) => Err(Problem::not_found()),
        Err(SupportError::Store(e)) => Err(Problem::internal(&e)),
    }
}

async fn resume_email(
    request: &Request,
    deps: &IdentityDeps,
    account: &AccountId,
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, deps, ACTORS).await?;
    let reason = reason_only(request)?;
    match support::resume_email(deps, &staff.by(reason), account).await {
        Ok(case) => Ok(response::json(200, &account_json(&case, deps))),
        Err(ResumeError::NoAccount) => Err(Problem::not_found()),
        Err(ResumeError::NotSuppressed) => Err(Problem::new(
            409,
            "not_suppressed",
            "Mail is not suppressed",
            "Mail to this account's address is sent as usual.",
        )),
        Err(ResumeError::Store(e)) => Err(Problem::internal(&e)),
    }
}

async fn set_roles(
    request: &Request,
    deps: &IdentityDeps,
    account: &AccountId,
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, deps, ROLE_GRANTORS).await?;
    let mut f = Fields::from_request(request, &["roles", "reason"])?;
    let roles = roles(&mut f);
    let reason = reason(&mut f);
    let (Some(roles), Some(reason), true) = (roles, reason, f.is_valid()) else {
        return Err(f.into_problem());
    };
    let by = staff.by(reason);
    match change_roles(deps, &by, account, |_| roles.clone()).await {
        Ok(_) => {}
        Err(RolesError::NoAccount) => return Err(Problem::not_found()),
        Err(RolesError::Store(e)) => return Err(Problem::internal(&e)),
    }
    let case = support::case_of(deps, account)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(Problem::not_found)?;
    Ok(response::json(200, &account_json(&case, deps)))
}

async fn email_change(
    request: &Request,
    deps: &IdentityDeps,
    account: &AccountId,
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, deps, ACTORS).await?;
    let mut f = Fields::from_request(request, &["new_email", "reason"])?;
    let new_email = f.parse("new_email", "invalid_email", Email::parse);
    let reason = reason(&mut f);
    let (Some(new_email), Some(reason), true) = (new_email, reason, f.is_valid()) else {
        return Err(f.into_problem());
    };
    match email_change::request(deps, &staff.by(reason), account, &new_email).await {
        Ok(()) => Ok(response::json(
            202,
            &json!({ "email_change_to": new_email.as_str() }),
        )),
        Err(EmailChangeError::NoAccount) => Err(Problem::not_found()),
        Err(EmailChangeError::SameAddress) => Err(Problem::validation(vec![FieldError::new(
            "new_email",
            "same_email",
            "The account signs in with this address already.",
        )])),
        Err(EmailChangeError::Taken) => Err(Problem::new(
            409,
            "email_taken",
            "Address taken",
            "Another account signs in with this address.",
        )),
        Err(EmailChangeError::Store(e)) => Err(Problem::internal(&e)),
        Err(other) => Err(Problem::internal(&other)),
    }
}

/// `roles`: an array of role names, each once (an empty array takes every role away).
fn roles(f: &mut Fields) -> Option<Roles> {
    let message =
        "must be an array of distinct roles: support, fulfillment, program_admin, auditor";
    let Some(Value::Array(items)) = f.take("roles") else {
        f.error("roles", "invalid_roles", format!("This field {message}."));
        return None;
    };
    let parsed: Option<Vec<Role>> = items
        .iter()
        .map(|item| item.as_str().and_then(Role::parse))
        .collect();
    match parsed {
        Some(list) if list.len() == list.iter().copied().collect::<Roles>().len() => {
            Some(list.into_iter().collect())
        }
        _ => {
            f.error("roles", "invalid_roles", format!("This field {message}."));
            None
        }
    }
}

/// What support sees: who the account is, whether and how it can sign in, and its roles. No
/// secret (hashes, codes, the authenticator's key) and no full phone number.
fn account_json(case: &AccountCase, deps: &IdentityDeps) -> Value {
    let (profile, identity) = (&case.profile, &case.identity);
    let now = deps.clock.now();
    json!({
        "account_id": profile.account_id.as_str(),
        "email": identity.email.as_str(),
        "username": identity.username.as_ref().map(|u| u.as_str()),
        "first_name": profile.first_name.as_str(),
        "last_name": profile.last_name.as_str(),
        "country": profile.country.as_str(),
        "status": identity.status.as_str(),
        "disabled": identity.disabled,
        "federated": profile.federated,
        "mfa": { "totp": identity.totp.is_some() },
        "phone": phone::shown(identity),
        "failed_logins": case.failures(now),
        "locked": case.locked(now, deps),
        "roles": profile.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "candidate_id": profile.candidate_id.as_ref().map(|c| c.as_str()),
        "created_at": identity.created_at.to_rfc3339(),
        "email_suppressed": case.suppression.as_ref().map(|s| json!({
            "reason": s.reason.as_str(),
            "since": s.since.to_rfc3339(),
        })),
    })
}
