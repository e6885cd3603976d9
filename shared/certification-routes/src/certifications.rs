//! The certification screens and downloads, each read from the signed-in account's record.
//!
//! - `GET /v1/candidate/certifications` → active, in progress and past, grouped by track
//! - `GET /v1/candidate/certifications/{id}` → progress tree, CE credits, history
//! - `GET /v1/candidate/certifications/{id}/certificate.pdf` → the PDF certificate (active only)
//! - `GET /v1/candidate/exams?sort=date|code&order=asc|desc` → exam history
//! - `GET /v1/candidate/ce-activities`, `/agreements`, `/logos` → lists
//! - `GET /v1/candidate/logos/{id}` → the SVG file, for logos the candidate is entitled to
//!
//! Every route needs a session and answers 404 `not_mapped` until the account is mapped.

use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use tessera_certification::catalog::is_catalog_id;
use tessera_certification::logos;
use tessera_certification::verification_codes::{CodeCarrier, CodeSubject, VerificationCode};
use tessera_certification::views;
use tessera_certification::views::{ExamSort, SortOrder};
use tessera_certification::Status;
use tessera_certification::{
    Acceptance, CandidateEdit, CandidateRecord, CertificationDeps, LOGO_GUIDELINES,
};
use tessera_credentials::badges;
use tessera_credentials::certificate;
use tessera_credentials::certificate::CertificateText;
use tessera_http::candidate::{record, CandidateState};
use tessera_http::problem::FieldError;
use tessera_http::routing::{pairs, route_with_params, Route};
use tessera_http::{response, Problem};

/// The secrets this function uses (certificate verification codes): the only ones it reads, and
/// the only ones the template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

#[derive(Clone, Copy)]
enum Screen {
    Certifications,
    Certification,
    Certificate,
    Exams,
    Activities,
    Agreements,
    Logos,
    Logo,
}

const ROUTES: &[Route<Screen>] = &[
    (
        "GET",
        "/v1/candidate/certifications",
        Screen::Certifications,
    ),
    (
        "GET",
        "/v1/candidate/certifications/{id}",
        Screen::Certification,
    ),
    (
        "GET",
        "/v1/candidate/certifications/{id}/certificate.pdf",
        Screen::Certificate,
    ),
    ("GET", "/v1/candidate/exams", Screen::Exams),
    ("GET", "/v1/candidate/ce-activities", Screen::Activities),
    ("GET", "/v1/candidate/agreements", Screen::Agreements),
    ("GET", "/v1/candidate/logos", Screen::Logos),
    ("GET", "/v1/candidate/logos/{id}", Screen::Logo),
];

/// This function's routes, as the template lists them.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    pairs(ROUTES)
}

pub async fn handle(request: Request, state: CandidateState) -> Response<Body> {
    let state = state.with_current_catalog().await;
    let (screen, ids) = match route_with_params(&request, ROUTES, is_catalog_id) {
        Ok(found) => found,
        Err(problem) => return problem.into_response(),
    };
    let id = ids.first().map(String::as_str).unwrap_or_default();
    let (request, state) = (&request, &state);
    let result = match screen {
        Screen::Certifications => {
            screen_of(request, state, |c, record| {
                json!(views::certifications(&c.catalog, record, c.today()))
            })
            .await
        }
        Screen::Certification => certification(request, state, id).await,
        Screen::Certificate => certificate(request, state, id).await,
        Screen::Exams => exams(request, state).await,
        Screen::Activities => activities(request, state).await,
        Screen::Agreements => {
            screen_of(
                request,
                state,
                |c, record| json!({ "agreements": views::agreements(&c.catalog, record) }),
            )
            .await
        }
        Screen::Logos => {
            screen_of(request, state, |c, record| {
                json!({
                    "logos": views::logos(&c.catalog, record, c.today()),
                    // What a download accepts, and when this candidate last did.
                    "guidelines": LOGO_GUIDELINES,
                    "accepted": record.profile.logo_guidelines,
                })
            })
            .await
        }
        Screen::Logo => logo(request, state, id).await,
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn screen_of(
    request: &Request,
    state: &CandidateState,
    view: impl FnOnce(&CertificationDeps, &CandidateRecord) -> serde_json::Value,
) -> Result<Response<Body>, Problem> {
    let record = record(request, state).await?;
    Ok(response::json(200, &view(&state.certification, &record)))
}

fn certification_not_found() -> Problem {
    Problem::new(
        404,
        "certification_not_found",
        "Certification not found",
        "This candidate neither holds nor has started that certification.",
    )
}

async fn certification(
    request: &Request,
    state: &CandidateState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let record = record(request, state).await?;
    let c = &state.certification;
    let Some(detail) = views::certification(&c.catalog, &record, id, c.today()) else {
        return Err(certification_not_found());
    };
    let mut detail = json!(detail);
    // An active certification's certificate: its code (registered, so it verifies even before
    // the PDF is made), its public link, and how often it was checked (never by whom).
    if let Some(active) = active_period(&record, c, id) {
        let certificate = certificate_code(request, state, &record, id, active)?;
        let checks = match c.verification_codes.code_checks(&certificate.code).await {
            Ok(Some(check)) => check.checks,
            Ok(None) => {
                register(c, &certificate, &record, id).await?;
                0
            }
            Err(e) => return Err(Problem::internal(&e)),
        };
        detail["certificate"] = json!({
            "verification_code": certificate.code.grouped(),
            "verification_url": certificate.url,
            "checks": checks,
        });
    }
    // Its Open Badges credential, issued the first time it is asked for here.
    if let Some(certification) = c.catalog.certification(id) {
        let badge = badges::badge_of(c, &record, certification)
            .await
            .map_err(|e| Problem::internal(&e))?;
        if let Some(badge) = badge {
            let base = tessera_http::links::public_base(state.public_url.as_deref(), request)?;
            detail["badge"] = json!({
                "id": badge.badge_id,
                "credential_url": badges::badge_url(&base, &badge.badge_id),
            });
        }
    }
    Ok(response::json(200, &detail))
}

/// The PDF certificate of an active, unexpired certification.
async fn certificate(
    request: &Request,
    state: &CandidateState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let record = record(request, state).await?;
    let c = &state.certification;
    let standing = record
        .standings(&c.catalog, c.today())
        .into_iter()
        .find(|s| s.certification.as_str() == id);
    let (Some(standing), Some(certification)) = (standing, c.catalog.certification(id)) else {
        return Err(certification_not_found());
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
    let code = certificate_code(request, state, &record, id, active)?;
    // Registered before the PDF leaves, so the code it carries always verifies.
    register(c, &code, &record, id).await?;
    let holder = format!("{} {}", profile.first_name, profile.last_name);
    let pdf = certificate::render(&CertificateText {
        holder: &holder,
        certification: &certification.name,
        abbreviation: &certification.abbreviation,
        candidate_id: profile.candidate_id.as_str(),
        active,
        expires,
        verification_code: code.code.as_str(),
        verification_url: &code.url,
    });
    let mut response = response::with_body(200, "application/pdf", pdf);
    let disposition = format!("attachment; filename=\"{id}-certificate.pdf\"");
    if let Ok(value) = disposition.parse() {
        response.headers_mut().insert("content-disposition", value);
    }
    Ok(response)
}

/// The first day of `id`'s current active period, when it is active.
fn active_period(record: &CandidateRecord, c: &CertificationDeps, id: &str) -> Option<time::Date> {
    record
        .standings(&c.catalog, c.today())
        .into_iter()
        .find(|s| s.certification.as_str() == id && s.status == Status::Active)
        .and_then(|s| s.active)
}

/// The verification code of a certificate for the active period from `active`, and the link to
/// its public page.
struct CertificateCode {
    code: VerificationCode,
    url: String,
}

fn certificate_code(
    request: &Request,
    state: &CandidateState,
    record: &CandidateRecord,
    id: &str,
    active: time::Date,
) -> Result<CertificateCode, Problem> {
    let derived = certificate::verification_code(
        &state.identity.settings.pepper,
        record.profile.candidate_id.as_str(),
        id,
        active,
    );
    let code = VerificationCode::parse(&derived).ok_or_else(|| {
        Problem::internal(&std::io::Error::other(
            "a certificate code that does not parse",
        ))
    })?;
    let base = tessera_http::links::public_base(state.public_url.as_deref(), request)?;
    let url = format!("{base}/v1/verify/{}", code.as_str());
    Ok(CertificateCode { code, url })
}

/// Registers the certificate's code (a no-op when it was registered before).
async fn register(
    c: &CertificationDeps,
    certificate: &CertificateCode,
    record: &CandidateRecord,
    id: &str,
) -> Result<(), Problem> {
    let subject = CodeSubject {
        candidate_id: record.profile.candidate_id.clone(),
        certification_id: id.to_string(),
        carrier: CodeCarrier::Certificate,
    };
    c.verification_codes
        .register_code(&certificate.code, &subject)
        .await
        .map_err(|e| Problem::internal(&e))
}

/// A logo file the candidate is entitled to, as an SVG download. The files are the program's own;
/// the headers still forbid any script or sniffing, as for any SVG served from an API.
async fn logo(
    request: &Request,
    state: &CandidateState,
    id: &str,
) -> Result<Response<Body>, Problem> {
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
    // The download accepts the logo guidelines: recorded once per version, with the time.
    let accepted = record.profile.logo_guidelines.as_ref().map(|a| a.version);
    if accepted != Some(LOGO_GUIDELINES.version) {
        let acceptance = Acceptance {
            version: LOGO_GUIDELINES.version,
            at: c.clock.now().to_rfc3339(),
        };
        c.records
            .edit_candidate(
                &record.profile.candidate_id,
                &CandidateEdit::LogoGuidelines(acceptance),
            )
            .await
            .map_err(|e| Problem::internal(&e))?;
    }
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

/// The CE activities, `?search=` narrowing them to those whose name, provider or external id
/// contains the term (any case).
async fn activities(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    let query = request.query_string_parameters();
    let search = query.first("search").unwrap_or_default().to_string();
    if search.chars().count() > MAX_SEARCH {
        return Err(Problem::validation(vec![FieldError::new(
            "search",
            "too_long",
            format!("search is at most {MAX_SEARCH} characters"),
        )]));
    }
    screen_of(
        request,
        state,
        |c, record| json!({ "activities": views::matching_activities(record, c.today(), &search) }),
    )
    .await
}

/// The most a search term holds.
const MAX_SEARCH: usize = 100;

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
    screen_of(
        request,
        state,
        |c, record| json!({ "exams": views::exams(&c.catalog, record, sort, order) }),
    )
    .await
}
