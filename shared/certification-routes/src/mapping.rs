//! Account mapping on first use: linking the signed-in account to its candidate record.
//!
//! - `POST /v1/candidate/mapping` `{method: "email", email}` → 202;
//!   `{method: "score_report", last_name, registration_number, new_email}` → 200
//!   `{candidate_id, email_confirmation_sent}`: mapped; `new_email` becomes the record's address
//!   once the code sent to it is confirmed
//! - `POST /v1/candidate/mapping/confirm` `{code}` → 200 `{candidate_id}`: completes a mapping
//!   by email, or proves a score report's new address
//!
//! Both need a session.

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_certification::mapping;
use tessera_certification::mapping::{MappingError, ScoreReport};
use tessera_http::candidate::{account, CandidateState, MAX_TEXT};
use tessera_http::routing::{pairs, route, Route};
use tessera_http::{response, Fields, Problem};
use tessera_kernel::code::OneTimeCode;
use tessera_kernel::email::Email;
use tessera_kernel::links::PagesUrl;

/// The secrets this function uses (mapping codes): the only ones it reads, and the only ones the
/// template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

#[derive(Clone, Copy)]
enum Mapping {
    Start,
    Confirm,
}

const ROUTES: &[Route<Mapping>] = &[
    ("POST", "/v1/candidate/mapping", Mapping::Start),
    ("POST", "/v1/candidate/mapping/confirm", Mapping::Confirm),
];

/// This function's routes, as the template lists them.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    pairs(ROUTES)
}

pub async fn handle(request: Request, state: CandidateState) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Mapping::Start) => map(&request, &state).await,
        Ok(Mapping::Confirm) => confirm(&request, &state).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn map(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    let account = account(request, state).await?;
    let mut f = Fields::from_request(
        request,
        &[
            "method",
            "email",
            "last_name",
            "registration_number",
            "new_email",
        ],
    )?;
    let method = f.string("method");
    match method.as_deref() {
        Some("email") => {
            let email = f.parse("email", "invalid_email", Email::parse);
            for other in ["last_name", "registration_number", "new_email"] {
                if f.has(other) {
                    f.error(other, "unknown_field", "Not used when mapping by email.");
                }
            }
            let Some(email) = email.filter(|_| f.is_valid()) else {
                return Err(f.into_problem());
            };
            // Whether a record has the address must not show in the timing either.
            let result = response::uniformly(
                &state.identity,
                mapping::map_by_email(
                    &state.certification,
                    &account,
                    &email,
                    &pages_url(request, state)?,
                ),
            )
            .await;
            result.map_err(problem)?;
            Ok(response::json(
                202,
                &json!({ "status": "code_sent_if_on_file" }),
            ))
        }
        Some("score_report") => {
            let last_name = text(&mut f, "last_name");
            let registration_number = text(&mut f, "registration_number");
            let new_email = f.parse("new_email", "invalid_email", Email::parse);
            if f.has("email") {
                f.error(
                    "email",
                    "unknown_field",
                    "Not used when mapping by score report.",
                );
            }
            let (Some(last_name), Some(registration_number), Some(new_email)) =
                (last_name, registration_number, new_email)
            else {
                return Err(f.into_problem());
            };
            if !f.is_valid() {
                return Err(f.into_problem());
            }
            let report = ScoreReport {
                last_name,
                registration_number,
                new_email,
            };
            let mapped = mapping::map_by_score_report(
                &state.certification,
                &account,
                &report,
                &pages_url(request, state)?,
            )
            .await
            .map_err(problem)?;
            Ok(response::json(
                200,
                &json!({
                    "candidate_id": mapped.candidate_id.as_str(),
                    "email_confirmation_sent": mapped.email_confirmation_sent,
                }),
            ))
        }
        Some(_) => {
            f.error(
                "method",
                "invalid",
                "method is \"email\" or \"score_report\".",
            );
            Err(f.into_problem())
        }
        None => Err(f.into_problem()),
    }
}

/// A required text field of at most `MAX_TEXT` characters.
fn text(f: &mut Fields, field: &str) -> Option<String> {
    let value = f.string(field)?.trim().to_string();
    if value.is_empty() || value.chars().count() > MAX_TEXT || value.chars().any(char::is_control) {
        f.error(field, "invalid", "1 to 100 characters of text.");
        return None;
    }
    Some(value)
}

async fn confirm(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    let account = account(request, state).await?;
    let mut f = Fields::from_request(request, &["code"])?;
    let Some(code) = f.parse("code", "invalid_code_format", OneTimeCode::parse) else {
        return Err(f.into_problem());
    };
    let candidate = mapping::confirm(&state.certification, &account, &code)
        .await
        .map_err(problem)?;
    Ok(response::json(
        200,
        &json!({ "candidate_id": candidate.as_str() }),
    ))
}

fn problem(e: MappingError) -> Problem {
    match e {
        MappingError::AlreadyMapped => Problem::new(
            409,
            "already_mapped",
            "Already mapped",
            "This account is mapped to a candidate record already.",
        ),
        MappingError::NoMatch => Problem::new(
            422,
            "no_matching_record",
            "No matching record",
            "No record matches this last name and registration number. Check the score report.",
        ),
        MappingError::RecordTaken => Problem::new(
            409,
            "record_already_mapped",
            "Record already mapped",
            "That record is mapped to another account. Contact support.",
        ),
        MappingError::DuplicateRecords => Problem::new(
            409,
            "duplicate_records",
            "Contact support to merge",
            "That address is on file for more than one candidate record. Contact support to merge them.",
        ),
        MappingError::TooManyAttempts(wait) => Problem::too_many_attempts(wait.0),
        MappingError::InvalidCode => Problem::invalid_code(),
        MappingError::Store(e) => Problem::internal(&e),
    }
}

/// Where the emailed code's link leads: the pages, on the API's own origin.
fn pages_url(request: &Request, state: &CandidateState) -> Result<PagesUrl, Problem> {
    let base = tessera_http::links::public_base(state.public_url.as_deref(), request)?;
    Ok(PagesUrl::new(&base))
}
