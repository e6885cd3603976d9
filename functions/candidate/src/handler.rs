//! The candidate's own routes: mapping the account to its candidate record on first use, then
//! the certification screens, each read from the mapped record.
//!
//! - `POST /v1/candidate/mapping` `{method: "email", email}` → 202;
//!   `{method: "score_report", last_name, registration_number, new_email}` → 200
//!   `{candidate_id, email_confirmation_sent}`: mapped; `new_email` becomes the record's address
//!   once the code sent to it is confirmed
//! - `POST /v1/candidate/mapping/confirm` `{code}` → 200 `{candidate_id}`: completes a mapping
//!   by email, or proves a score report's new address
//! - `GET /v1/candidate` → identifiers, the five required settings, attributes
//! - `PUT /v1/candidate/settings` (all five yes/no) and `PATCH /v1/candidate/attributes`
//!   (`job_title` only; credential numbers are read-only) → 200 as `GET /v1/candidate`
//! - `GET /v1/candidate/certifications` → active, in progress and past, grouped by track
//! - `GET /v1/candidate/certifications/{id}` → progress tree, CE credits, history
//! - `GET /v1/candidate/certifications/{id}/certificate.pdf` → the PDF certificate (active only)
//! - `GET /v1/candidate/exams?sort=date|code&order=asc|desc` → exam history
//! - `GET /v1/candidate/ce-activities`, `/agreements`, `/logos` → lists
//! - `GET /v1/candidate/logos/{id}` → the SVG file, for logos the candidate is entitled to
//!
//! - `/v1/candidate/transcripts…` → the holder's transcripts (`transcripts.rs`)
//!
//! Every route needs a session; the screens answer 404 `not_mapped` until the account is mapped.

mod transcripts;

use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use tessera_certification::certificate;
use tessera_certification::certificate::CertificateText;
use tessera_certification::logos;
use tessera_certification::mapping;
use tessera_certification::mapping::{MappingError, ScoreReport};
use tessera_certification::views;
use tessera_certification::views::{ExamSort, SortOrder};
use tessera_certification::AccountHolder;
use tessera_certification::Status;
use tessera_certification::{
    CandidateEdit, CandidateProfile, CandidateRecord, CandidateSettings, CertificationDeps,
};
use tessera_http::candidate::{holder, mapped_record, not_mapped};
use tessera_http::problem::FieldError;
use tessera_http::{auth, response, Fields, Problem};
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::code::OneTimeCode;
use tessera_kernel::email::Email;

/// The secrets this function uses (mapping codes and certificate verification codes): the only ones
/// it reads, and the only ones the template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

#[derive(Clone)]
pub struct CandidateState {
    pub identity: IdentityDeps,
    pub certification: CertificationDeps,
    /// The API's public address for transcript links (`Config::public_url`).
    pub public_url: Option<String>,
}

const CERTIFICATIONS: &str = "/v1/candidate/certifications";
const LOGOS: &str = "/v1/candidate/logos";
const MAX_TEXT: usize = 100;

pub async fn handle(request: Request, state: CandidateState) -> Response<Body> {
    let path = request.uri().path().to_string();
    let method = request.method().as_str().to_string();
    if let Some(result) = transcripts::route(&request, &state, &method, &path).await {
        return result.unwrap_or_else(Problem::into_response);
    }
    let result = match (method.as_str(), path.as_str()) {
        ("POST", "/v1/candidate/mapping") => map(&request, &state).await,
        ("POST", "/v1/candidate/mapping/confirm") => confirm(&request, &state).await,
        ("GET", "/v1/candidate") => personal_info(&request, &state).await,
        ("PUT", "/v1/candidate/settings") => edit_settings(&request, &state).await,
        ("PATCH", "/v1/candidate/attributes") => edit_attributes(&request, &state).await,
        ("GET", CERTIFICATIONS) => {
            screen(&request, &state, |c, record| {
                json!(views::certifications(&c.catalog, record, c.today()))
            })
            .await
        }
        ("GET", "/v1/candidate/exams") => exams(&request, &state).await,
        ("GET", "/v1/candidate/ce-activities") => {
            screen(
                &request,
                &state,
                |c, record| json!({ "activities": views::activities(record, c.today()) }),
            )
            .await
        }
        ("GET", "/v1/candidate/agreements") => {
            screen(
                &request,
                &state,
                |c, record| json!({ "agreements": views::agreements(&c.catalog, record) }),
            )
            .await
        }
        ("GET", "/v1/candidate/logos") => {
            screen(
                &request,
                &state,
                |c, record| json!({ "logos": views::logos(&c.catalog, record, c.today()) }),
            )
            .await
        }
        ("GET", p) if certification_id(p).is_some() => certification(&request, &state).await,
        ("GET", p) if logo_id(p).is_some() => logo(&request, &state).await,
        ("GET", p) if certificate_id(p).is_some() => certificate(&request, &state).await,
        (
            _,
            "/v1/candidate"
            | "/v1/candidate/settings"
            | "/v1/candidate/attributes"
            | "/v1/candidate/mapping"
            | "/v1/candidate/mapping/confirm"
            | CERTIFICATIONS
            | "/v1/candidate/exams"
            | "/v1/candidate/ce-activities"
            | "/v1/candidate/agreements"
            | "/v1/candidate/logos",
        ) => Err(Problem::method_not_allowed()),
        (_, p)
            if certification_id(p).is_some()
                || logo_id(p).is_some()
                || certificate_id(p).is_some() =>
        {
            Err(Problem::method_not_allowed())
        }
        _ => Err(Problem::not_found()),
    };
    result.unwrap_or_else(Problem::into_response)
}

/// The `{id}` of `<collection>/{id}`, if well formed (lower-case letters, digits, hyphens).
fn item_id<'a>(path: &'a str, collection: &str) -> Option<&'a str> {
    let id = path.strip_prefix(collection)?.strip_prefix('/')?;
    let valid = (1..=60).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then_some(id)
}

fn certification_id(path: &str) -> Option<&str> {
    item_id(path, CERTIFICATIONS)
}

fn logo_id(path: &str) -> Option<&str> {
    item_id(path, LOGOS)
}

/// `/v1/candidate/certifications/{id}/certificate.pdf`.
fn certificate_id(path: &str) -> Option<&str> {
    certification_id(path.strip_suffix("/certificate.pdf")?)
}

/// The caller's account profile (which names the mapped record, if any), or 401.
async fn account(request: &Request, state: &CandidateState) -> Result<AccountHolder, Problem> {
    let (_, profile) = auth::authenticate(request, &state.identity).await?;
    Ok(holder(&profile))
}

/// The caller's record, or 401 / 404 `not_mapped`.
async fn record(request: &Request, state: &CandidateState) -> Result<CandidateRecord, Problem> {
    mapped_record(&state.certification, &account(request, state).await?).await
}

/// The personal-info screen: identifiers, settings and attributes.
fn personal_info_json(profile: &CandidateProfile, login_id: Option<&str>) -> serde_json::Value {
    json!({
        "identifiers": {
            "login_id": login_id,
            "candidate_id": profile.candidate_id.as_str(),
            "badging_email": profile.email.as_ref().map(|e| e.as_str()),
            "testing_ids": profile.testing_ids,
        },
        "settings": profile.settings,
        "settings_complete": profile.settings.complete(),
        "attributes": {
            "credential_numbers": profile.credential_numbers,
            "job_title": profile.job_title,
        },
    })
}

async fn personal_info(
    request: &Request,
    state: &CandidateState,
) -> Result<Response<Body>, Problem> {
    let (_, session_profile) = auth::authenticate(request, &state.identity).await?;
    let record = mapped_record(&state.certification, &holder(&session_profile)).await?;
    let login_id = session_profile.username.as_ref().map(|u| u.as_str());
    Ok(response::json(
        200,
        &personal_info_json(&record.profile, login_id),
    ))
}

async fn edit(
    request: &Request,
    state: &CandidateState,
    parse: impl FnOnce(&mut Fields) -> Option<CandidateEdit>,
    allowed: &[&str],
) -> Result<Response<Body>, Problem> {
    let (_, session_profile) = auth::authenticate(request, &state.identity).await?;
    let record = mapped_record(&state.certification, &holder(&session_profile)).await?;
    let mut f = Fields::from_request(request, allowed)?;
    let edit = parse(&mut f);
    let Some(edit) = edit.filter(|_| f.is_valid()) else {
        return Err(f.into_problem());
    };
    let profile = state
        .certification
        .records
        .edit_candidate(&record.profile.candidate_id, &edit)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(not_mapped)?;
    let login_id = session_profile.username.as_ref().map(|u| u.as_str());
    Ok(response::json(200, &personal_info_json(&profile, login_id)))
}

const SETTINGS: [&str; 5] = [
    "employee",
    "partner",
    "email_notifications",
    "academy_student",
    "verification_consent",
];

/// All five settings, each true or false: they are the screen's required answers.
async fn edit_settings(
    request: &Request,
    state: &CandidateState,
) -> Result<Response<Body>, Problem> {
    edit(
        request,
        state,
        |f| {
            let [employee, partner, email_notifications, academy_student, verification_consent] =
                SETTINGS.map(|name| f.boolean(name));
            Some(CandidateEdit::Settings(CandidateSettings {
                employee: Some(employee?),
                partner: Some(partner?),
                email_notifications: Some(email_notifications?),
                academy_student: Some(academy_student?),
                verification_consent: Some(verification_consent?),
            }))
        },
        &SETTINGS,
    )
    .await
}

/// Only the job title is editable; credential numbers are the program's.
async fn edit_attributes(
    request: &Request,
    state: &CandidateState,
) -> Result<Response<Body>, Problem> {
    edit(
        request,
        state,
        |f| {
            if f.has("credential_numbers") {
                f.error(
                    "credential_numbers",
                    "read_only",
                    "Credential numbers are set by the program.",
                );
            }
            if !f.has("job_title") && !f.is_valid() {
                return None;
            }
            match f.nullable_string("job_title", MAX_TEXT) {
                Some(title) => Some(CandidateEdit::JobTitle(title)),
                None => {
                    if f.is_valid() {
                        f.error(
                            "job_title",
                            "required",
                            "Send job_title (a string, or null to clear it).",
                        );
                    }
                    None
                }
            }
        },
        &["job_title", "credential_numbers"],
    )
    .await
}

async fn screen(
    request: &Request,
    state: &CandidateState,
    view: impl FnOnce(&CertificationDeps, &CandidateRecord) -> serde_json::Value,
) -> Result<Response<Body>, Problem> {
    let record = record(request, state).await?;
    Ok(response::json(200, &view(&state.certification, &record)))
}

async fn certification(
    request: &Request,
    state: &CandidateState,
) -> Result<Response<Body>, Problem> {
    let id = certification_id(request.uri().path())
        .unwrap_or_default()
        .to_string();
    let record = record(request, state).await?;
    let c = &state.certification;
    match views::certification(&c.catalog, &record, &id, c.today()) {
        Some(detail) => Ok(response::json(200, &detail)),
        None => Err(Problem::new(
            404,
            "certification_not_found",
            "Certification not found",
            "This candidate neither holds nor has started that certification.",
        )),
    }
}

/// The PDF certificate of an active, unexpired certification.
async fn certificate(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    let id = certificate_id(request.uri().path())
        .unwrap_or_default()
        .to_string();
    let record = record(request, state).await?;
    let c = &state.certification;
    let standing = record
        .standings(&c.catalog, c.today())
        .into_iter()
        .find(|s| s.certification.as_str() == id);
    let (Some(standing), Some(certification)) = (standing, c.catalog.certification(&id)) else {
        return Err(Problem::new(
            404,
            "certification_not_found",
            "Certification not found",
            "This candidate neither holds nor has started that certification.",
        ));
    };
    let (Status::Active, Some(active), Some(expires)) =
        (standing.status, standing.active, standing.expires)
    else {
        return Err(Problem::new(
            409,
            "certificate_unavailable",
            "No certificate",
            "PDF certificates are only for active certifications that have not expired.",
        ));
    };
    let profile = &record.profile;
    let code = certificate::verification_code(
        &state.identity.settings.pepper,
        profile.candidate_id.as_str(),
        &id,
        active,
    );
    let holder = format!("{} {}", profile.first_name, profile.last_name);
    let pdf = certificate::render(&CertificateText {
        holder: &holder,
        certification: &certification.name,
        abbreviation: &certification.abbreviation,
        candidate_id: profile.candidate_id.as_str(),
        active,
        expires,
        verification_code: &code,
    });
    let mut response = response::with_body(200, "application/pdf", pdf);
    let disposition = format!("attachment; filename=\"{id}-certificate.pdf\"");
    if let Ok(value) = disposition.parse() {
        response.headers_mut().insert("content-disposition", value);
    }
    Ok(response)
}

/// A logo file the candidate is entitled to, as an SVG download. The files are the program's own;
/// the headers still forbid any script or sniffing, as for any SVG served from an API.
async fn logo(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    let id = logo_id(request.uri().path())
        .unwrap_or_default()
        .to_string();
    let record = record(request, state).await?;
    let c = &state.certification;
    let entitled = views::logos(&c.catalog, &record, c.today())
        .into_iter()
        .find(|l| l.id == id);
    let Some((view, bytes)) = entitled.and_then(|l| logos::file(&l.file).map(|b| (l, b))) else {
        return Err(Problem::new(
            404,
            "logo_not_found",
            "Logo not found",
            "That logo is not among the ones this candidate may download.",
        ));
    };
    let mut response = response::with_body(200, "image/svg+xml", bytes.to_vec());
    let headers = response.headers_mut();
    let disposition = format!("attachment; filename=\"{}\"", view.file);
    for (name, value) in [
        ("content-disposition", disposition.as_str()),
        (
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ),
        ("x-content-type-options", "nosniff"),
    ] {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

async fn exams(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    let query = request.query_string_parameters();
    let mut errors = Vec::new();
    let sort = match query.first("sort") {
        None | Some("date") => Some(ExamSort::Date),
        Some("code") => Some(ExamSort::Code),
        Some(_) => {
            errors.push(FieldError::new("sort", "invalid", "sort is date or code"));
            None
        }
    };
    let order = match query.first("order") {
        None | Some("desc") => Some(SortOrder::Descending),
        Some("asc") => Some(SortOrder::Ascending),
        Some(_) => {
            errors.push(FieldError::new("order", "invalid", "order is asc or desc"));
            None
        }
    };
    let (Some(sort), Some(order)) = (sort, order) else {
        return Err(Problem::validation(errors));
    };
    screen(
        request,
        state,
        |c, record| json!({ "exams": views::exams(&c.catalog, record, sort, order) }),
    )
    .await
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
                mapping::map_by_email(&state.certification, &account, &email),
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
            let mapped = mapping::map_by_score_report(&state.certification, &account, &report)
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
