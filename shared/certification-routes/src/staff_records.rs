//! Staff routes on candidate records (staff sessions only, each route naming its roles):
//!
//! - `GET /v1/staff/candidates?q=…` → 200 `{candidates}`: by candidate ID, email on file, last
//!   name (any case), registration number or testing ID (support, program_admin, auditor)
//! - `GET /v1/staff/candidates/{id}` → 200 the whole record (support, program_admin, auditor)
//! - `PATCH /v1/staff/candidates/{id}` `{first_name?, last_name?, email?, credential_numbers?,
//!   academy_id?, reason}` → 200 the record (support, program_admin)
//! - `DELETE /v1/staff/candidates/{id}/mapping` `{reason}` → 200 the record, unmapped from its
//!   account (support, program_admin)
//! - `PUT /v1/staff/candidates/{id}/mapping` `{account_id, reason}` → 200 the record, moved from
//!   its account to another with no record (support, program_admin)
//! - `POST /v1/staff/candidates/{id}/grants` `{certification_id, active_on, expires_on?, reason}`
//!   → 200 the record, its history saying "Manually granted" (program_admin)
//! - `POST /v1/staff/candidates/{id}/merge` `{from, reason}` → 200 the record, with everything
//!   of the duplicate `from` moved into it; `from` becomes a pointer (support, program_admin)
//! - `POST /v1/staff/candidates/{id}/certifications/{cert}/status`
//!   `{status: revoked | suspended | reinstated, reason}` → 200 the record (program_admin)
//!
//! - `GET`, `PUT /v1/staff/catalog`: the catalog at runtime (`catalog`)
//!
//! Every write lands with its audit event in one write; one that changes nothing writes nothing.

use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tessera_certification::dates::iso_date;
use tessera_certification::merge::{self, MergeError};
use tessera_certification::oversight::{self, Decision, DetailsEdit, HoldKind, OversightError};
use tessera_certification::views::{self, ExamSort, SortOrder};
use tessera_certification::{
    CandidateProfile, CandidateRecord, CertificationDeps, CertificationId, LookupTerm,
};
use tessera_http::candidate::CandidateState;
use tessera_http::problem::FieldError;
use tessera_http::routing::route_with_params;
use tessera_http::staff::{field_and_reason, reason, reason_only, StaffCaller};
use tessera_http::{response, Fields, Problem};
use tessera_identity::staff::Role;
use tessera_kernel::email::Email;
use tessera_kernel::ids::{AccountId, CandidateId};
use tessera_kernel::person::Name;
use time::Date;

pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

mod catalog;

const READERS: &[Role] = &[Role::Support, Role::ProgramAdmin, Role::Auditor];
const CERTIFIERS: &[Role] = &[Role::ProgramAdmin];
const EDITORS: &[Role] = &[Role::Support, Role::ProgramAdmin];
/// Records a search lists at most per term: a common last name finds many.
const SEARCH_LIMIT: usize = 50;
/// Credential numbers a record holds at most, and the longest name or number.
const MAX_CREDENTIALS: usize = 10;
const MAX_CREDENTIAL_TEXT: usize = 40;

#[derive(Clone, Copy)]
enum Route {
    Search,
    Record,
    Edit,
    Unmap,
    Grant,
    Status,
    Merge,
    MoveMapping,
    Catalog,
    PublishCatalog,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/staff/candidates", Route::Search),
    ("GET", "/v1/staff/candidates/{id}", Route::Record),
    ("PATCH", "/v1/staff/candidates/{id}", Route::Edit),
    ("DELETE", "/v1/staff/candidates/{id}/mapping", Route::Unmap),
    (
        "PUT",
        "/v1/staff/candidates/{id}/mapping",
        Route::MoveMapping,
    ),
    ("POST", "/v1/staff/candidates/{id}/grants", Route::Grant),
    ("POST", "/v1/staff/candidates/{id}/merge", Route::Merge),
    ("GET", "/v1/staff/catalog", Route::Catalog),
    ("PUT", "/v1/staff/catalog", Route::PublishCatalog),
    (
        "POST",
        "/v1/staff/candidates/{id}/certifications/{cert}/status",
        Route::Status,
    ),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

/// A path segment that can be a candidate ID or a catalog id (each checked again below).
fn plausible_id(segment: &str) -> bool {
    CandidateId::parse(segment).is_some() || CertificationId::parse(segment).is_some()
}

pub async fn handle(request: Request, state: CandidateState) -> Response<Body> {
    let state = state.with_current_catalog().await;
    let result = match route_with_params(&request, ROUTES, plausible_id) {
        Ok((Route::Search, _)) => search(&request, &state).await,
        Ok((Route::Record, params)) => record(&request, &state, &params).await,
        Ok((Route::Edit, params)) => edit_record(&request, &state, &params).await,
        Ok((Route::Unmap, params)) => unmap(&request, &state, &params).await,
        Ok((Route::Grant, params)) => grant(&request, &state, &params).await,
        Ok((Route::Status, params)) => status(&request, &state, &params).await,
        Ok((Route::Merge, params)) => merge(&request, &state, &params).await,
        Ok((Route::MoveMapping, params)) => move_mapping(&request, &state, &params).await,
        Ok((Route::Catalog, _)) => catalog::read(&request, &state)
            .await
            .map(|body| response::json(200, &body)),
        Ok((Route::PublishCatalog, _)) => catalog::publish(&request, &state)
            .await
            .map(|body| response::json(200, &body)),
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

fn candidate_id(params: &[String]) -> Result<CandidateId, Problem> {
    CandidateId::parse(&params[0]).ok_or_else(Problem::not_found)
}

async fn search(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    StaffCaller::admit(request, &state.identity, READERS).await?;
    let query = request.query_string_parameters();
    let raw = query.first("q").unwrap_or_default();
    let q = raw.trim();
    if q.is_empty() || raw.chars().count() > 254 {
        return Err(Problem::validation(vec![FieldError::new(
            "q",
            "required",
            "Give a candidate ID, an email address, a last name, a registration number or a \
             testing ID.",
        )]));
    }
    let records = &state.certification.records;
    let internal = |e: tessera_kernel::ports::StoreError| Problem::internal(&e);
    let mut found: Vec<CandidateProfile> = Vec::new();
    if let Ok(email) = Email::parse(q) {
        found.extend(
            records
                .candidates_with_email(&email)
                .await
                .map_err(internal)?,
        );
    }
    if let Some(id) = CandidateId::parse(q) {
        if let Some(record) = records.candidate(&id).await.map_err(internal)? {
            found.push(record.profile);
        }
    }
    if let Some(profile) = records
        .candidate_with_registration(q)
        .await
        .map_err(internal)?
    {
        found.push(profile);
    }
    for term in [LookupTerm::last_name(q), LookupTerm::testing_id(q)]
        .into_iter()
        .flatten()
    {
        found.extend(
            records
                .candidates_by_term(&term, SEARCH_LIMIT)
                .await
                .map_err(internal)?,
        );
    }
    found.sort_by(|a, b| a.candidate_id.cmp(&b.candidate_id));
    found.dedup_by(|a, b| a.candidate_id == b.candidate_id);
    Ok(response::json(
        200,
        &json!({ "candidates": found.iter().map(profile_json).collect::<Vec<_>>() }),
    ))
}

async fn record(
    request: &Request,
    state: &CandidateState,
    params: &[String],
) -> Result<Response<Body>, Problem> {
    StaffCaller::admit(request, &state.identity, READERS).await?;
    let candidate = candidate_id(params)?;
    let record = state
        .certification
        .records
        .candidate(&candidate)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(Problem::not_found)?;
    Ok(response::json(
        200,
        &record_json(&state.certification, &record),
    ))
}

async fn edit_record(
    request: &Request,
    state: &CandidateState,
    params: &[String],
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, EDITORS).await?;
    let candidate = candidate_id(params)?;
    let mut f = Fields::from_request(
        request,
        &[
            "first_name",
            "last_name",
            "email",
            "credential_numbers",
            "academy_id",
            "reason",
        ],
    )?;
    let name = |raw: &str| Name::parse(raw).map(|n| n.as_str().to_string());
    let edit = DetailsEdit {
        first_name: f.parse_optional("first_name", "invalid_name", name),
        last_name: f.parse_optional("last_name", "invalid_name", name),
        email: email_on_file(&mut f),
        credential_numbers: credential_numbers(&mut f),
        academy_id: f.nullable_string("academy_id", MAX_CREDENTIAL_TEXT),
    };
    let reason = reason(&mut f);
    let (Some(reason), true) = (reason, f.is_valid()) else {
        return Err(f.into_problem());
    };
    let deps = &state.certification;
    let record = oversight::amend(deps, &staff.by(reason), &candidate, &edit)
        .await
        .map_err(oversight_problem)?;
    Ok(response::json(200, &record_json(deps, &record)))
}

async fn unmap(
    request: &Request,
    state: &CandidateState,
    params: &[String],
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, EDITORS).await?;
    let candidate = candidate_id(params)?;
    let reason = reason_only(request)?;
    let deps = &state.certification;
    let record = oversight::unmap(deps, &staff.by(reason), &candidate)
        .await
        .map_err(oversight_problem)?;
    Ok(response::json(200, &record_json(deps, &record)))
}

/// `PUT …/{id}/mapping {account_id, reason}`: the record moved to another account.
async fn move_mapping(
    request: &Request,
    state: &CandidateState,
    params: &[String],
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, EDITORS).await?;
    let candidate = candidate_id(params)?;
    let (to, reason) = field_and_reason(request, "account_id", "invalid_account_id", |raw| {
        AccountId::parse(raw).ok_or("must be an account id")
    })?;
    let deps = &state.certification;
    let record = oversight::move_mapping(deps, &staff.by(reason), &candidate, &to)
        .await
        .map_err(oversight_problem)?;
    Ok(response::json(200, &record_json(deps, &record)))
}

/// `POST …/{id}/merge {from, reason}`: the record `from` merged into this one.
async fn merge(
    request: &Request,
    state: &CandidateState,
    params: &[String],
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, EDITORS).await?;
    let candidate = candidate_id(params)?;
    let (from, reason) = field_and_reason(request, "from", "invalid_candidate_id", |raw| {
        CandidateId::parse(raw).ok_or("must be a candidate ID")
    })?;
    let deps = &state.certification;
    let refused = |code: &'static str, message: &str| {
        Problem::validation(vec![FieldError::new("from", code, message)])
    };
    let record = match merge::merge(deps, &staff.by(reason), &candidate, &from).await {
        Ok(record) => record,
        Err(MergeError::NoRecord) => return Err(Problem::not_found()),
        Err(MergeError::NoSource) => {
            return Err(refused(
                "unknown_candidate",
                "There is no record with this candidate ID.",
            ))
        }
        Err(MergeError::SameRecord) => {
            return Err(refused(
                "same_record",
                "A record cannot be merged into itself.",
            ))
        }
        Err(MergeError::Merged(into)) => return Err(merged_problem(&into)),
        Err(MergeError::BothMapped) => {
            return Err(Problem::new(
                409,
                "both_mapped",
                "Both mapped",
                "Each record is mapped to an account: unmap the one that should not keep the \
                 person first.",
            ))
        }
        Err(MergeError::Store(e)) => return Err(Problem::internal(&e)),
    };
    Ok(response::json(200, &record_json(deps, &record)))
}

/// A record that is only a pointer now.
fn merged_problem(into: &CandidateId) -> Problem {
    Problem::new(
        409,
        "merged",
        "Merged",
        format!(
            "The record was merged into {}: act on that record.",
            into.as_str()
        ),
    )
}

/// How an oversight flow's refusal answers.
fn oversight_problem(error: OversightError) -> Problem {
    match error {
        OversightError::NoRecord => Problem::not_found(),
        OversightError::UnknownCertification => Problem::validation(vec![FieldError::new(
            "certification_id",
            "unknown_certification",
            "The catalog has no such certification.",
        )]),
        OversightError::NotOnRecord => Problem::new(
            409,
            "not_on_record",
            "Not on the record",
            "The record has neither held nor started this certification.",
        ),
        OversightError::NotMapped => Problem::new(
            409,
            "not_mapped",
            "Not mapped",
            "No account is mapped to this record.",
        ),
        OversightError::Merged(into) => merged_problem(&into),
        OversightError::NoAccount => Problem::validation(vec![FieldError::new(
            "account_id",
            "unknown_account",
            "There is no account with this id.",
        )]),
        OversightError::AccountMapped => Problem::new(
            409,
            "account_mapped",
            "Account mapped",
            "That account is mapped to another record: unmap it first.",
        ),
        OversightError::Store(e) => Problem::internal(&e),
    }
}

/// `email`: an address, or `null` to clear the email on file; absent leaves it.
fn email_on_file(f: &mut Fields) -> Option<Option<Email>> {
    match f.take_raw("email")? {
        Value::Null => Some(None),
        Value::String(raw) => match Email::parse(&raw) {
            Ok(email) => Some(Some(email)),
            Err(e) => {
                f.error("email", "invalid_email", format!("This field {e}."));
                None
            }
        },
        _ => {
            f.error(
                "email",
                "invalid_type",
                "This field must be a string or null.",
            );
            None
        }
    }
}

/// `credential_numbers`: an object of at most 10 names to numbers, each 1–40 of letters,
/// digits, `-` and `_` (names lower-case); it replaces the record's.
fn credential_numbers(f: &mut Fields) -> Option<BTreeMap<String, String>> {
    let value = f.take_raw("credential_numbers")?;
    let shaped = |text: &str, lower: bool| {
        (1..=MAX_CREDENTIAL_TEXT).contains(&text.len())
            && text.bytes().all(|b| {
                b.is_ascii_digit()
                    || b == b'-'
                    || b == b'_'
                    || b.is_ascii_lowercase()
                    || (!lower && b.is_ascii_uppercase())
            })
    };
    let parsed: Option<BTreeMap<String, String>> = match &value {
        Value::Object(map) if map.len() <= MAX_CREDENTIALS => map
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(n) if shaped(k, true) && shaped(n, false) => Some((k.clone(), n.to_string())),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    if parsed.is_none() {
        f.error(
            "credential_numbers",
            "invalid_credential_numbers",
            "This field must be an object of at most 10 names (a-z, 0-9, - and _) to numbers \
             (letters, digits, - and _), each 1-40 characters.",
        );
    }
    parsed
}

async fn grant(
    request: &Request,
    state: &CandidateState,
    params: &[String],
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, CERTIFIERS).await?;
    let candidate = candidate_id(params)?;
    let mut f = Fields::from_request(
        request,
        &["certification_id", "active_on", "expires_on", "reason"],
    )?;
    let certification = f.parse("certification_id", "invalid_certification", |raw| {
        CertificationId::parse(raw).ok_or("must be a certification id from the catalog")
    });
    let today = state.certification.today();
    let active_on = f.parse("active_on", "invalid_date", |raw| match day(raw) {
        Some(date) if date <= today => Ok(date),
        Some(_) => Err("must not be in the future"),
        None => Err("must be a date (YYYY-MM-DD)"),
    });
    let expires_on = f.parse_optional("expires_on", "invalid_date", |raw| {
        day(raw).ok_or("must be a date (YYYY-MM-DD)")
    });
    let reason = reason(&mut f);
    if let (Some(active), Some(expires)) = (active_on, expires_on) {
        if expires <= active {
            f.error(
                "expires_on",
                "invalid_date",
                "This field must be after active_on.",
            );
        }
    }
    let (Some(certification), Some(active_on), Some(reason), true) =
        (certification, active_on, reason, f.is_valid())
    else {
        return Err(f.into_problem());
    };
    let decision = Decision::Grant {
        active_on,
        expires_on,
    };
    decide(state, &staff, &candidate, &certification, &decision, reason).await
}

async fn status(
    request: &Request,
    state: &CandidateState,
    params: &[String],
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, CERTIFIERS).await?;
    let candidate = candidate_id(params)?;
    let certification = CertificationId::parse(&params[1]).ok_or_else(Problem::not_found)?;
    let mut f = Fields::from_request(request, &["status", "reason"])?;
    let decision = f.parse("status", "invalid_status", |raw| match raw {
        "revoked" => Ok(Decision::Hold(HoldKind::Revoked)),
        "suspended" => Ok(Decision::Hold(HoldKind::Suspended)),
        "reinstated" => Ok(Decision::Reinstate),
        _ => Err("must be revoked, suspended or reinstated"),
    });
    let reason = reason(&mut f);
    let (Some(decision), Some(reason), true) = (decision, reason, f.is_valid()) else {
        return Err(f.into_problem());
    };
    decide(state, &staff, &candidate, &certification, &decision, reason).await
}

async fn decide(
    state: &CandidateState,
    staff: &StaffCaller,
    candidate: &CandidateId,
    certification: &CertificationId,
    decision: &Decision,
    reason: tessera_kernel::audit::Reason,
) -> Result<Response<Body>, Problem> {
    let deps = &state.certification;
    let record = oversight::decide(deps, &staff.by(reason), candidate, certification, decision)
        .await
        .map_err(oversight_problem)?;
    Ok(response::json(200, &record_json(deps, &record)))
}

/// A calendar day written YYYY-MM-DD (surrounding space ignored), and nothing else.
fn day(raw: &str) -> Option<Date> {
    let text = raw.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| Date::parse(text, iso_date::FORMAT).ok())
        .flatten()
}

fn profile_json(profile: &CandidateProfile) -> Value {
    json!({
        "candidate_id": profile.candidate_id.as_str(),
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "email": profile.email.as_ref().map(|e| e.as_str()),
        "testing_ids": profile.testing_ids,
        "account_id": profile.account_id.as_ref().map(|a| a.as_str()),
        "merged_into": profile.merged_into.as_ref().map(|c| c.as_str()),
    })
}

/// The whole record as staff see it: who, settings and attributes, the certifications as the
/// candidate sees them (holds and grants applied), every exam and activity, and the program's
/// manual grants and holds with who and why.
fn record_json(deps: &CertificationDeps, record: &CandidateRecord) -> Value {
    let today = deps.today();
    let catalog = &deps.catalog;
    let profile = &record.profile;
    let mut person = profile_json(profile);
    person["settings"] = json!(profile.settings);
    person["job_title"] = json!(profile.job_title);
    person["credential_numbers"] = json!(profile.credential_numbers);
    person["academy_id"] = json!(profile.academy_id);
    person["first_exam"] = json!(iso_date::format(profile.first_exam));
    let standings: Vec<Value> = record
        .standings(catalog, today)
        .iter()
        .filter_map(|s| views::certification(catalog, record, s.certification.as_str(), today))
        .map(|detail| json!(detail))
        .collect();
    json!({
        "candidate": person,
        "certifications": standings,
        "exams": views::exams(catalog, record, ExamSort::Date, SortOrder::Descending),
        "ce_activities": views::activities(record, today),
        "oversight": profile.oversight,
    })
}
