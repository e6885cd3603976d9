//! The audit log, read (auditors only; nothing here or anywhere writes or deletes in it):
//!
//! - `GET /v1/staff/audit?actor=…&subject=…&since=…&before=…&limit=…` → 200
//!   `{events, next}`: newest first; `next` is the `before` of the following page.

use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{json, Value};
use std::sync::Arc;
use tessera_http::problem::FieldError;
use tessera_http::routing::route;
use tessera_http::staff::StaffCaller;
use tessera_http::{response, Problem};
use tessera_identity::signup::IdentityDeps;
use tessera_identity::staff::Role;
use tessera_kernel::audit::{AuditEvent, AuditId, AuditLog, AuditParty, AuditQuery};
use tessera_kernel::time::Timestamp;

pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

const READERS: &[Role] = &[Role::Auditor];
const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 200;

/// The staff session check and the log.
#[derive(Clone)]
pub struct AuditState {
    pub identity: IdentityDeps,
    pub audit: Arc<dyn AuditLog>,
}

impl tessera_http::wiring::FromWiring for AuditState {
    fn from_wiring<W: tessera_http::wiring::Wiring + ?Sized>(
        wiring: &W,
    ) -> Result<AuditState, tessera_http::wiring::WiringError> {
        Ok(AuditState {
            identity: wiring.identity_deps()?,
            audit: wiring.audit_log()?,
        })
    }
}

#[derive(Clone, Copy)]
enum Route {
    Events,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[("GET", "/v1/staff/audit", Route::Events)];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, state: AuditState) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::Events) => events(&request, &state).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn events(request: &Request, state: &AuditState) -> Result<Response<Body>, Problem> {
    StaffCaller::admit(request, &state.identity, READERS).await?;
    let query = parse_query(request)?;
    let page = state
        .audit
        .query(&query)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(response::json(
        200,
        &json!({
            "events": page.events.iter().map(event_json).collect::<Vec<_>>(),
            "next": page.next.as_ref().map(|id| id.as_str()),
        }),
    ))
}

/// The query's parameters, each checked; every bad one reported at once.
fn parse_query(request: &Request) -> Result<AuditQuery, Problem> {
    let params = request.query_string_parameters();
    let mut errors = Vec::new();
    let mut field = |name: &str, message: &str, parse: &dyn Fn(&str) -> bool| {
        let raw = params.first(name)?;
        if !parse(raw) {
            errors.push(FieldError::new(name, "invalid", message));
            return None;
        }
        Some(raw.to_string())
    };
    let party = "a party as the log names it: kind:id (account:…, admin:…, operator:…)";
    let actor = field("actor", party, &|raw| AuditParty::parse(raw).is_some());
    let subject = field("subject", party, &|raw| AuditParty::parse(raw).is_some());
    let since = field("since", "an RFC 3339 time or a date (YYYY-MM-DD)", &|raw| {
        Timestamp::parse(raw).is_some()
    });
    let before = field("before", "the next value of an earlier page", &|raw| {
        AuditId::parse(raw).is_some()
    });
    let limit = field("limit", "a whole number from 1 to 200", &|raw| {
        raw.parse::<usize>()
            .is_ok_and(|n| (1..=MAX_PAGE).contains(&n))
    });
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    Ok(AuditQuery {
        actor: actor.as_deref().and_then(AuditParty::parse),
        subject: subject.as_deref().and_then(AuditParty::parse),
        since: since.as_deref().and_then(Timestamp::parse),
        before: before.as_deref().and_then(AuditId::parse),
        limit: limit.and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_PAGE),
    })
}

fn event_json(event: &AuditEvent) -> Value {
    json!({
        "id": event.id.as_str(),
        "at": event.at.to_rfc3339(),
        "actor": event.actor.as_str(),
        "action": event.action,
        "subject": event.subject.as_str(),
        "reason": event.reason.as_str(),
        "changes": event.changes,
    })
}
