//! The access routes: decode → call the flow → encode. Each maps its flow's error here, once.

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use tessera_access::entitlement::{AccessRecord, Entitlement, Source};
use tessera_access::flows::{self, AccessError, IssueError};
use tessera_access::registry::{parse_registry, AgreementKind, AgreementNumber};
use tessera_http::problem::FieldError;
use tessera_http::staff::{reason, StaffCaller};
use tessera_http::{auth, body, response, Fields, Problem};
use tessera_identity::staff::Role;
use tessera_kernel::audit::{Attribution, AuditParty, FieldChange, Reason};
use tessera_kernel::csv_table::MAX_IMPORT_BYTES;
use tessera_kernel::email::Email;
use tessera_kernel::time::Timestamp;

use crate::AccessState;

/// Who may issue special access codes.
const CODE_ISSUERS: &[Role] = &[Role::Support, Role::ProgramAdmin];

fn source_json(source: &Source) -> Value {
    match source {
        Source::Agreement {
            agreement,
            number,
            organisation,
        } => json!({
            "kind": agreement.as_str(),
            "number": number.as_str(),
            "organisation": organisation,
        }),
        // The partner's agreement number, not the partner's account.
        Source::SponsoredBy { number, .. } => json!({
            "kind": "partner_sponsorship",
            "number": number.as_str(),
        }),
        Source::AccessCode { .. } => json!({ "kind": "access_code" }),
    }
}

fn entitlement_json(e: &Entitlement) -> Value {
    json!({
        "level": e.level.as_str(),
        "resource": e.resource,
        "source": source_json(&e.source),
        "granted_at": e.granted_at.to_rfc3339(),
        "expires_at": e.expires_at.map(Timestamp::to_rfc3339),
    })
}

/// The access as `GET /v1/me/access` shows it: the levels in force, and each entitlement in force
/// with where it came from.
fn access_json(record: &AccessRecord, now: Timestamp) -> Value {
    json!({
        "levels": record.levels(now),
        "entitlements": record.live(now).map(entitlement_json).collect::<Vec<_>>(),
    })
}

fn refusal(e: AccessError, field: &str, state: &AccessState) -> Problem {
    match e {
        AccessError::NotRecognised => Problem::new(
            422,
            "not_recognised",
            "Not recognised",
            "That is not a number or code in force here.",
        )
        .with_errors(vec![FieldError::new(
            field,
            "not_recognised",
            match field {
                "number" => "This number is not in the registry, or it has ended. A product serial number or purchase order number cannot be used.",
                _ => "This code is not known, was used already, or has expired.",
            },
        )]),
        AccessError::TooManyAttempts { retry_at } => {
            Problem::too_many_attempts((retry_at - state.access.clock.now()).0)
        }
        AccessError::NotPartner => Problem::new(
            403,
            "not_partner",
            "Not a partner",
            "Sponsoring a customer needs a partner agreement in force on this account.",
        ),
        AccessError::Store(e) => Problem::internal(&e),
    }
}

pub async fn access(request: &Request, state: &AccessState) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, &state.identity).await?;
    let record = flows::current(&state.access, &profile.account_id, &profile.email)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(response::json(
        200,
        &access_json(&record, state.access.clock.now()),
    ))
}

pub async fn claim(request: &Request, state: &AccessState) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, &state.identity).await?;
    let mut f = Fields::from_request(request, &["kind", "number"])?;
    let kind = f.parse("kind", "invalid_kind", |raw| {
        AgreementKind::parse(raw).ok_or("service_contract or partner_agreement")
    });
    let number = f.parse("number", "invalid_number", |raw| {
        AgreementNumber::parse(raw).ok_or("4 to 40 letters, digits or hyphens")
    });
    let (Some(kind), Some(number), true) = (kind, number, f.is_valid()) else {
        return Err(f.into_problem());
    };
    let record = flows::claim(&state.access, &profile.account_id, kind, &number)
        .await
        .map_err(|e| refusal(e, "number", state))?;
    Ok(response::json(
        200,
        &access_json(&record, state.access.clock.now()),
    ))
}

pub async fn sponsor(request: &Request, state: &AccessState) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, &state.identity).await?;
    let mut f = Fields::from_request(request, &["customer_email"])?;
    let email = f.parse("customer_email", "invalid_email", Email::parse);
    let (Some(email), true) = (email, f.is_valid()) else {
        return Err(f.into_problem());
    };
    if email == profile.email {
        return Err(Problem::validation(vec![FieldError::new(
            "customer_email",
            "own_address",
            "A partner sponsors a customer, not their own account.",
        )]));
    }
    flows::sponsor(&state.access, &profile.account_id, &email)
        .await
        .map_err(|e| refusal(e, "customer_email", state))?;
    // The same answer whether or not an account has the address: it waits for one.
    Ok(response::json(202, &json!({ "status": "sponsored" })))
}

pub async fn redeem(request: &Request, state: &AccessState) -> Result<Response<Body>, Problem> {
    let (_, profile) = auth::authenticate(request, &state.identity).await?;
    let mut f = Fields::from_request(request, &["code"])?;
    let code = f.string("code");
    let (Some(code), true) = (code, f.is_valid()) else {
        return Err(f.into_problem());
    };
    let record = flows::redeem_code(&state.access, &profile.account_id, &code)
        .await
        .map_err(|e| refusal(e, "code", state))?;
    Ok(response::json(
        200,
        &access_json(&record, state.access.clock.now()),
    ))
}

pub async fn issue_code(request: &Request, state: &AccessState) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, CODE_ISSUERS).await?;
    let mut f = Fields::from_request(request, &["resource", "expires_on", "reason"])?;
    let resource = f.string("resource");
    // The code works through the last day named.
    let expires_at = f.parse("expires_on", "invalid_date", |raw| {
        Timestamp::parse(raw)
            .filter(|_| raw.trim().len() == 10)
            .map(|day| Timestamp::day_start(day.date().next_day().unwrap_or(day.date())))
            .ok_or("must be a date (YYYY-MM-DD)")
    });
    let reason = reason(&mut f);
    let (Some(resource), Some(expires_at), Some(reason), true) =
        (resource, expires_at, reason, f.is_valid())
    else {
        return Err(f.into_problem());
    };
    let deps = &state.access;
    let code = flows::issue_code(
        deps,
        &staff.by(reason),
        &staff.profile.account_id,
        &resource,
        expires_at,
    )
    .await
    .map_err(|e| match e {
        IssueError::InvalidResource => Problem::validation(vec![FieldError::new(
            "resource",
            "invalid_resource",
            e.to_string(),
        )]),
        IssueError::PastExpiry => Problem::validation(vec![FieldError::new(
            "expires_on",
            "invalid_date",
            "The code must work until today at least.",
        )]),
        IssueError::Store(e) => Problem::internal(&e),
    })?;
    Ok(response::json(
        201,
        &json!({
            "code": code.display(),
            "resource": resource,
            "expires_at": expires_at.to_rfc3339(),
        }),
    ))
}

/// An operator's registry file: entries added or replaced, bad rows reported by row number, the
/// import recorded in the audit log.
pub async fn import_registry(
    request: &Request,
    state: &AccessState,
) -> Result<Response<Body>, Problem> {
    let caller = auth::require_admin(request, &state.admin)?;
    let csv = body::csv_text(request, MAX_IMPORT_BYTES)?;
    let parsed = parse_registry(csv).map_err(|e| Problem::file_refused(&e))?;
    let entries: Vec<_> = parsed.rows.into_iter().map(|(_, entry)| entry).collect();
    let deps = &state.access;
    deps.store
        .put_registry_entries(&entries)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let count = |field: &str, n: usize| FieldChange::new(field, None, Some(n.to_string()));
    let event = Attribution::new(
        AuditParty::new("admin", &caller),
        Reason::parse("the access registry file was sent").expect("a valid reason"),
    )
    .event(
        deps.clock.now(),
        deps.random.as_ref(),
        "import.access_registry",
        AuditParty::new("import", "access-registry"),
        vec![
            count("imported", entries.len()),
            count("errors", parsed.errors.len()),
        ],
    );
    // After the entries: an import changes nothing when sent again, so a retry after a failure
    // here records it then.
    state
        .audit
        .append(&event)
        .await
        .map_err(|e| Problem::internal(&e))?;
    tracing::info!(
        imported = entries.len(),
        row_errors = parsed.errors.len(),
        "access registry import"
    );
    let errors: Vec<Value> = parsed
        .errors
        .iter()
        .map(|e| json!({ "row": e.row, "code": e.code, "message": e.message }))
        .collect();
    Ok(response::json(
        200,
        &json!({ "imported": entries.len(), "errors": errors }),
    ))
}
