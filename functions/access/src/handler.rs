//! Access levels (flow 22): what an account may access and why, the ways it changes, and the
//! profile's "Access Management" page.
//!
//! - `GET /v1/me/access` → 200 `{levels, entitlements: [{level, resource?, source, granted_at,
//!   expires_at?}]}` (a partner's sponsorship waiting for the caller's address is granted first)
//! - `POST /v1/me/access/claims` `{kind: "service_contract"|"partner_agreement", number}` → 200
//!   the access; a number the registry does not hold in force → 422 `not_recognised`
//! - `POST /v1/me/access/sponsorships` `{customer_email}` (a partner) → 202 `{status:
//!   "sponsored"}`, the same whether or not an account has the address; not a partner → 403
//!   `not_partner`
//! - `POST /v1/me/access/codes` `{code}` → 200 the access; unknown, spent or expired → 422
//!   `not_recognised`
//! - `POST /v1/staff/access-codes` `{resource, expires_on, reason}` (support, program_admin) →
//!   201 `{code, resource, expires_at}`: the code shown this once
//! - `POST /v1/admin/imports/access-registry` (`text/csv`) → 200 `{imported, errors}`
//!
//! Wrong numbers and codes are counted per account (10 an hour) → 429 with `Retry-After`. The
//! staff console's page for issuing codes is `/staff/access-codes`.

mod api;
mod console;
mod page;

use lambda_http::{Body, Request, Response};
use std::sync::Arc;
use tessera_access::flows::AccessDeps;
use tessera_http::config::AdminAuth;
use tessera_http::routing::route;
use tessera_http::wiring::{FromWiring, Wiring, WiringError};
use tessera_http::Problem;
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::audit::AuditLog;

/// The routes' secrets: none beyond the edge layer's (no code is mailed; sessions need no
/// pepper).
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Access,
    Claim,
    Sponsor,
    Redeem,
    IssueCode,
    ImportRegistry,
    Page,
    PageClaim,
    PageSponsor,
    PageRedeem,
    ConsoleCodes,
    ConsoleIssue,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/me/access", Route::Access),
    ("POST", "/v1/me/access/claims", Route::Claim),
    ("POST", "/v1/me/access/sponsorships", Route::Sponsor),
    ("POST", "/v1/me/access/codes", Route::Redeem),
    ("POST", "/v1/staff/access-codes", Route::IssueCode),
    (
        "POST",
        "/v1/admin/imports/access-registry",
        Route::ImportRegistry,
    ),
    // The profile's "Access Management" page and its forms.
    ("GET", "/account/access", Route::Page),
    ("POST", "/account/access/claims", Route::PageClaim),
    ("POST", "/account/access/sponsorships", Route::PageSponsor),
    ("POST", "/account/access/codes", Route::PageRedeem),
    // The staff console's page for special access codes.
    ("GET", "/staff/access-codes", Route::ConsoleCodes),
    ("POST", "/staff/access-codes", Route::ConsoleIssue),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

#[derive(Clone)]
pub struct AccessState {
    /// Sessions (the callers' and the pages').
    pub identity: IdentityDeps,
    pub access: AccessDeps,
    pub admin: AdminAuth,
    /// Registry imports are recorded there.
    pub audit: Arc<dyn AuditLog>,
}

impl FromWiring for AccessState {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError> {
        Ok(AccessState {
            identity: wiring.identity_deps()?,
            access: wiring.access_deps()?,
            admin: wiring.config().admin.clone(),
            audit: wiring.audit_log()?,
        })
    }
}

pub async fn handle(request: Request, state: AccessState) -> Response<Body> {
    let route = match route(&request, ROUTES) {
        Ok(route) => route,
        Err(problem) => return problem.into_response(),
    };
    let answer = match route {
        Route::Access => api::access(&request, &state).await,
        Route::Claim => api::claim(&request, &state).await,
        Route::Sponsor => api::sponsor(&request, &state).await,
        Route::Redeem => api::redeem(&request, &state).await,
        Route::IssueCode => api::issue_code(&request, &state).await,
        Route::ImportRegistry => api::import_registry(&request, &state).await,
        Route::Page | Route::PageClaim | Route::PageSponsor | Route::PageRedeem => {
            return page::serve(route, &request, &state).await;
        }
        Route::ConsoleCodes | Route::ConsoleIssue => {
            let posted = (route == Route::ConsoleIssue).then_some(console::Issue);
            let random = state.access.random.as_ref();
            return tessera_web::console::serve(&request, &state, random, posted).await;
        }
    };
    answer.unwrap_or_else(Problem::into_response)
}
