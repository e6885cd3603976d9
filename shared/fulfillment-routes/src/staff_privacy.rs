//! A person's requests under data-protection law, handled by staff (support, program_admin):
//! - `GET /v1/staff/accounts/{id}/export` → 200 a JSON attachment with what Tessera holds about
//!   them: the account (its profile and sign-in facts: no password hash, code or authenticator
//!   key), the candidate record mapped to it (exams, CE activities, settings, manual grants and
//!   holds), its orders, its transcripts, its access levels (each entitlement with its source and
//!   expiry), the applications it consented to share its identity with (and the scopes), and the
//!   audit events about the account and the record.
//! - `DELETE /v1/staff/accounts/{id}` `{reason}` → 200 what was erased (`erasure`); 409
//!   `orders_open` while an order is still to be paid or shipped.

mod erasure;

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use tessera_access::ports::AccessStore;
use tessera_certification::CertificationDeps;
use tessera_fulfillment::ports::OrderStore;
use tessera_fulfillment::views::order_json;
use tessera_http::routing::route_with_params;
use tessera_http::staff::{reason_only, StaffCaller};
use tessera_http::{response, Problem};
use tessera_identity::signup::IdentityDeps;
use tessera_identity::staff::Role;
use tessera_identity::support;
use tessera_kernel::audit::{AuditEvent, AuditLog, AuditParty, AuditQuery};
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;
use tessera_oidc::ports::OidcStore;

/// The edge layer's secret as every HTTP function; nothing else.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

const EXPORTERS: &[Role] = &[Role::Support, Role::ProgramAdmin];
/// Audit events per subject in an export: far more than a person's history holds.
const AUDIT_LIMIT: usize = 1000;

#[derive(Clone)]
pub struct PrivacyState {
    pub identity: IdentityDeps,
    pub certification: CertificationDeps,
    pub orders: std::sync::Arc<dyn OrderStore>,
    pub audit: std::sync::Arc<dyn AuditLog>,
    pub access: std::sync::Arc<dyn AccessStore>,
    pub consents: std::sync::Arc<dyn OidcStore>,
}

impl tessera_http::wiring::FromWiring for PrivacyState {
    fn from_wiring<W: tessera_http::wiring::Wiring + ?Sized>(
        wiring: &W,
    ) -> Result<PrivacyState, tessera_http::wiring::WiringError> {
        Ok(PrivacyState {
            identity: wiring.identity_deps()?,
            certification: wiring.certification_deps()?,
            orders: wiring.orders()?,
            audit: wiring.audit_log()?,
            access: wiring.access_deps()?.store,
            consents: wiring.oidc_store()?,
        })
    }
}

#[derive(Clone, Copy)]
enum Route {
    Export,
    Erase,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/staff/accounts/{id}/export", Route::Export),
    ("DELETE", "/v1/staff/accounts/{id}", Route::Erase),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, state: PrivacyState) -> Response<Body> {
    let result = match route_with_params(&request, ROUTES, |s| AccountId::parse(s).is_some()) {
        Ok((Route::Export, params)) => export(&request, &state, &params[0]).await,
        Ok((Route::Erase, params)) => erase(&request, &state, &params[0]).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn export(
    request: &Request,
    state: &PrivacyState,
    account: &str,
) -> Result<Response<Body>, Problem> {
    StaffCaller::admit(request, &state.identity, EXPORTERS).await?;
    let account = AccountId::parse(account).ok_or_else(Problem::not_found)?;
    let internal = |e: StoreError| Problem::internal(&e);
    let case = support::case_of(&state.identity, &account)
        .await
        .map_err(internal)?
        .ok_or_else(Problem::not_found)?;
    let (profile, identity) = (&case.profile, &case.identity);
    let mut audit = events_about(state, AuditParty::new("account", account.as_str()))
        .await
        .map_err(internal)?;
    let mut held = json!(null);
    if let Some(candidate) = &profile.candidate_id {
        let record = state
            .certification
            .records
            .candidate(candidate)
            .await
            .map_err(internal)?;
        let transcripts = state
            .certification
            .transcripts
            .transcripts(candidate)
            .await
            .map_err(internal)?;
        let orders = state.orders.order_book(candidate).await.map_err(internal)?;
        audit.extend(
            events_about(state, AuditParty::new("candidate", candidate.as_str()))
                .await
                .map_err(internal)?,
        );
        held = json!({
            "record": record.as_ref().map(|r| json!({
                "candidate": r.profile,
                "exams": r.exams,
                "ce_activities": r.activities,
            })),
            "transcripts": transcripts,
            "orders": book_json(&orders.orders),
        });
    }
    audit.sort_by(|a, b| b.id.cmp(&a.id));
    let access = state.access.access(&account).await.map_err(internal)?;
    let consents = state.consents.consents(&account).await.map_err(internal)?;
    let body = json!({
        "exported_at": state.identity.clock.now().to_rfc3339(),
        "account": {
            "profile": profile,
            "sign_in": {
                "email": identity.email.as_str(),
                "username": identity.username.as_ref().map(|u| u.as_str()),
                "status": identity.status.as_str(),
                "disabled": identity.disabled,
                "created_at": identity.created_at.to_rfc3339(),
                "password_changed_at": identity.password_changed_at.to_rfc3339(),
                "authenticator": identity.totp.is_some(),
                "phone": identity.phone.as_ref().map(|p| p.number.as_str()),
                "email_change_to": identity.email_change.as_ref().map(|c| c.new_email.as_str()),
                "email_suppressed": case.suppression.as_ref().map(|s| json!({
                    "reason": s.reason.as_str(),
                    "since": s.since.to_rfc3339(),
                })),
            },
        },
        "certification": held,
        // Every entitlement the record holds, expired ones too, as stored.
        "access": access.entitlements,
        "applications": consents.iter().map(|(client, scopes)| json!({
            "client_id": client.as_str(),
            "scopes": scopes,
        })).collect::<Vec<_>>(),
        "audit": audit,
    });
    let mut response = response::json(200, &body);
    let disposition = format!(
        "attachment; filename=\"tessera-export-{}.json\"",
        account.as_str()
    );
    if let Ok(value) = disposition.parse() {
        response.headers_mut().insert("content-disposition", value);
    }
    if let Ok(value) = "no-store".parse() {
        response.headers_mut().insert("cache-control", value);
    }
    Ok(response)
}

async fn erase(
    request: &Request,
    state: &PrivacyState,
    account: &str,
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, EXPORTERS).await?;
    let account = AccountId::parse(account).ok_or_else(Problem::not_found)?;
    let reason = reason_only(request)?;
    let deps = erasure::ErasureDeps {
        identity: &state.identity,
        certification: &state.certification,
        orders: state.orders.as_ref(),
    };
    match erasure::erase(&deps, &staff.by(reason), &account).await {
        Ok(erased) => Ok(response::json(
            200,
            &json!({
                "account_id": account.as_str(),
                "erased": true,
                "candidate_id": erased.candidate.as_ref().map(|c| c.as_str()),
                "transcripts_deleted": erased.transcripts,
                "orders_blanked": erased.orders,
                "messages_discarded": erased.messages,
            }),
        )),
        Err(erasure::ErasureError::NoAccount) => Err(Problem::not_found()),
        Err(erasure::ErasureError::OrdersOpen) => Err(Problem::new(
            409,
            "orders_open",
            "Orders still open",
            "An order of this person is still to be paid or shipped: cancel or refund it, or \
             erase once it is sent.",
        )),
        Err(erasure::ErasureError::Store(e)) => Err(Problem::internal(&e)),
    }
}

fn book_json(orders: &[tessera_fulfillment::order::Order]) -> Vec<Value> {
    orders.iter().map(order_json).collect()
}

async fn events_about(
    state: &PrivacyState,
    subject: AuditParty,
) -> Result<Vec<AuditEvent>, StoreError> {
    let query = AuditQuery {
        subject: Some(subject),
        limit: AUDIT_LIMIT,
        ..AuditQuery::default()
    };
    Ok(state.audit.query(&query).await?.events)
}
