//! The holder's transcripts, under `/v1/candidate/transcripts` (each route needs a session and
//! answers 404 `not_mapped` until the account is mapped):
//!
//! - `POST` `{display_name?, description, remarks?, expires_in_days, certifications: "active" |
//!   [ids], include_new?, show_dates?, show_candidate_id?, show_location?, address_lines?}` → 201
//!   the transcript (with its public `url` and share links); the `show_*` display options say
//!   which details the public page shows (dates and location by default, the candidate ID not),
//!   `address_lines` (up to 4) what it shows under the holder's name
//! - `GET` → 200 `{transcripts: [...]}` with views and last viewed
//! - `PATCH /{id}` (any of the fields) → 200 the transcript; `DELETE /{id}` → 204
//! - `POST /{id}/emails` `{to}` → 202; the link goes to `to`
//! - `GET /{id}/email-preview` → 200 `{subject, text, html}`: the email as it would be sent,
//!   nothing sent or counted

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use tessera_certification::transcript;
use tessera_certification::transcript::{
    Selection, TextField, Transcript, TranscriptDraft, TranscriptError, TranscriptId, MAX_DAYS,
};
use tessera_certification::CertificationId;
use tessera_http::{response, Fields, Problem};
use tessera_kernel::email::Email;

use tessera_certification::AccountHolder;
use tessera_certification::CandidateRecord;
use tessera_http::candidate::{account, mapped_record, CandidateState};
use tessera_http::links::public_base;
use tessera_http::routing::{pairs, route_with_params, Route};

/// This function uses no secret: it reads none, and the template gives it none.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

const FIELDS: [&str; 10] = [
    "display_name",
    "description",
    "remarks",
    "expires_in_days",
    "certifications",
    "include_new",
    "show_dates",
    "show_candidate_id",
    "show_location",
    "address_lines",
];

#[derive(Clone, Copy)]
enum Transcripts {
    Create,
    List,
    Edit,
    Delete,
    Email,
    EmailPreview,
}

const ROUTES: &[Route<Transcripts>] = &[
    ("POST", "/v1/candidate/transcripts", Transcripts::Create),
    ("GET", "/v1/candidate/transcripts", Transcripts::List),
    ("PATCH", "/v1/candidate/transcripts/{id}", Transcripts::Edit),
    (
        "DELETE",
        "/v1/candidate/transcripts/{id}",
        Transcripts::Delete,
    ),
    (
        "POST",
        "/v1/candidate/transcripts/{id}/emails",
        Transcripts::Email,
    ),
    (
        "GET",
        "/v1/candidate/transcripts/{id}/email-preview",
        Transcripts::EmailPreview,
    ),
];

/// This function's routes, as the template lists them.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    pairs(ROUTES)
}

pub async fn handle(request: Request, state: CandidateState) -> Response<Body> {
    let state = state.with_current_catalog().await;
    let well_formed = |segment: &str| TranscriptId::parse(segment).is_some();
    let (route, ids) = match route_with_params(&request, ROUTES, well_formed) {
        Ok(found) => found,
        Err(problem) => return problem.into_response(),
    };
    let id = ids.first().and_then(|raw| TranscriptId::parse(raw));
    let (request, state) = (&request, &state);
    let result = match (route, id) {
        (Transcripts::Create, _) => create(request, state).await,
        (Transcripts::List, _) => list(request, state).await,
        (Transcripts::Edit, Some(id)) => edit(request, state, &id).await,
        (Transcripts::Delete, Some(id)) => delete(request, state, &id).await,
        (Transcripts::Email, Some(id)) => email(request, state, &id).await,
        (Transcripts::EmailPreview, Some(id)) => email_preview(request, state, &id).await,
        (_, None) => Err(Problem::not_found()),
    };
    result.unwrap_or_else(Problem::into_response)
}

/// The signed-in holder and their record (401 / 404 `not_mapped` otherwise).
async fn holder_and_record(
    request: &Request,
    state: &CandidateState,
) -> Result<(AccountHolder, CandidateRecord), Problem> {
    let holder = account(request, state).await?;
    let record = mapped_record(&state.certification, &holder).await?;
    Ok((holder, record))
}

/// The transcript as the holder's routes answer it.
fn answer(
    status: u16,
    t: &Transcript,
    request: &Request,
    state: &CandidateState,
) -> Result<Response<Body>, Problem> {
    let base = public_base(state.public_url.as_deref(), request)?;
    let now = state.certification.clock.now();
    Ok(response::json(status, &transcript_json(t, &base, now)))
}

fn transcript_json(
    t: &Transcript,
    public_base: &str,
    now: tessera_kernel::time::Timestamp,
) -> Value {
    let url = transcript::public_url(public_base, &t.id);
    let share: serde_json::Map<String, Value> = transcript::share_links(&url)
        .into_iter()
        .map(|(network, link)| (network.to_string(), Value::String(link)))
        .collect();
    json!({
        "id": t.id.as_str(),
        "url": url,
        "display_name": t.content.display_name,
        "description": t.content.description,
        "remarks": t.content.remarks,
        "certifications": match &t.content.certifications {
            Selection::AllActive => json!("active"),
            Selection::Chosen(ids) => json!(ids),
        },
        "include_new": t.content.include_new,
        "show_dates": t.content.display.dates,
        "show_candidate_id": t.content.display.candidate_id,
        "show_location": t.content.display.location,
        "address_lines": t.content.display.address_lines,
        "created_at": t.created_at.to_rfc3339(),
        "expires_at": t.content.expires_at.to_rfc3339(),
        "expired": t.expired(now),
        "views": t.views,
        "last_viewed": t.last_viewed.map(|v| v.to_rfc3339()),
        "share": share,
    })
}

/// Trimmed text of at most `max` characters, no control characters; empty allowed if `may_be_empty`.
/// A free text of the draft, parsed by its field's rule (`TextField`).
fn text(f: &mut Fields, name: &str, field: TextField) -> Option<String> {
    let raw = f.optional_string(name)?;
    let parsed = field.parse(&raw);
    if parsed.is_none() {
        let least = if field.may_be_empty() { 0 } else { 1 };
        let most = field.max_chars();
        f.error(
            name,
            "invalid",
            format!("{least} to {most} characters of text."),
        );
    }
    parsed
}

fn selection(f: &mut Fields) -> Option<Selection> {
    let value = f.take("certifications")?;
    match value {
        Value::String(s) if s == "active" => Some(Selection::AllActive),
        Value::Array(items) if (1..=50).contains(&items.len()) => {
            let mut ids: Vec<String> = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(id) if CertificationId::parse(id).is_some() => {
                        if !ids.iter().any(|i| i == id) {
                            ids.push(id.to_string());
                        }
                    }
                    _ => {
                        f.error(
                            "certifications",
                            "invalid",
                            "Certification ids are lower-case letters, digits and hyphens.",
                        );
                        return None;
                    }
                }
            }
            Some(Selection::Chosen(ids))
        }
        _ => {
            f.error(
                "certifications",
                "invalid",
                "\"active\", or a list of 1 to 50 certification ids.",
            );
            None
        }
    }
}

fn days(f: &mut Fields) -> Option<u32> {
    let value = f.take("expires_in_days")?;
    match tessera_http::body::whole(&value) {
        Some(d) if (1..=u64::from(MAX_DAYS)).contains(&d) => Some(d as u32),
        _ => {
            f.error(
                "expires_in_days",
                "invalid",
                format!("A whole number of days from 1 to {MAX_DAYS}."),
            );
            None
        }
    }
}

/// A yes/no field of the draft, when given.
fn flag(f: &mut Fields, name: &str) -> Option<bool> {
    if f.has(name) {
        f.boolean(name)
    } else {
        None
    }
}

fn address_lines(f: &mut Fields) -> Option<Vec<String>> {
    let value = f.take("address_lines")?;
    let lines: Option<Vec<String>> = match &value {
        Value::Array(items) if items.len() <= transcript::MAX_ADDRESS_LINES => items
            .iter()
            .map(|item| item.as_str().and_then(|s| TextField::AddressLine.parse(s)))
            .collect(),
        _ => None,
    };
    if lines.is_none() {
        f.error(
            "address_lines",
            "invalid",
            format!(
                "Up to {} lines of 1 to {} characters of text.",
                transcript::MAX_ADDRESS_LINES,
                TextField::AddressLine.max_chars()
            ),
        );
    }
    lines
}

/// The draft a body describes; for a create, the required fields must be there.
fn draft(request: &Request, creating: bool) -> Result<TranscriptDraft, Problem> {
    let mut f = Fields::from_request(request, &FIELDS)?;
    if creating {
        for required in ["description", "expires_in_days", "certifications"] {
            if !f.has(required) {
                f.error(required, "required", "This field is required.");
            }
        }
    }
    let draft = TranscriptDraft {
        display_name: text(&mut f, "display_name", TextField::DisplayName),
        description: text(&mut f, "description", TextField::Description),
        remarks: text(&mut f, "remarks", TextField::Remarks),
        certifications: selection(&mut f),
        include_new: flag(&mut f, "include_new"),
        expires_in_days: days(&mut f),
        show_dates: flag(&mut f, "show_dates"),
        show_candidate_id: flag(&mut f, "show_candidate_id"),
        show_location: flag(&mut f, "show_location"),
        address_lines: address_lines(&mut f),
    };
    if !f.is_valid() {
        return Err(f.into_problem());
    }
    if draft == TranscriptDraft::default() {
        return Err(Problem::new(
            422,
            "validation_failed",
            "Nothing to change",
            "Send at least one field.",
        ));
    }
    Ok(draft)
}

fn problem(e: TranscriptError) -> Problem {
    match e {
        TranscriptError::ConsentRequired => Problem::new(
            409,
            "consent_required",
            "Consent required",
            "Transcripts need consent to third-party verification (PUT /v1/candidate/settings).",
        ),
        TranscriptError::NotHeld(id) => Problem::new(
            422,
            "not_held",
            "Certification not active",
            format!("{id} is not an active certification of this record."),
        ),
        TranscriptError::NotFound => Problem::new(
            404,
            "transcript_not_found",
            "No such transcript",
            "This record has no transcript with that id.",
        ),
        TranscriptError::Expired => Problem::new(
            409,
            "transcript_expired",
            "Transcript expired",
            "Extend it (PATCH expires_in_days) before sending it.",
        ),
        TranscriptError::TooMany => Problem::new(
            409,
            "too_many_transcripts",
            "Too many transcripts",
            format!(
                "A record keeps at most {} transcripts; delete one first.",
                transcript::MAX_TRANSCRIPTS
            ),
        ),
        TranscriptError::TooManyEmails(seconds) => {
            let seconds = seconds.max(1);
            Problem::new(
                429,
                "too_many_emails",
                "Too many transcript emails",
                format!("Try again in {seconds} seconds."),
            )
            .with_header("retry-after", seconds.to_string())
        }
        TranscriptError::Store(e) => Problem::internal(&e),
    }
}

async fn create(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    let (holder, record) = holder_and_record(request, state).await?;
    let draft = draft(request, true)?;
    let created = transcript::create(&state.certification, &holder, &record, &draft)
        .await
        .map_err(problem)?;
    answer(201, &created, request, state)
}

async fn list(request: &Request, state: &CandidateState) -> Result<Response<Body>, Problem> {
    let (_, record) = holder_and_record(request, state).await?;
    let base = public_base(state.public_url.as_deref(), request)?;
    let all = state
        .certification
        .transcripts
        .transcripts(&record.profile.candidate_id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let now = state.certification.clock.now();
    let transcripts: Vec<Value> = all.iter().map(|t| transcript_json(t, &base, now)).collect();
    Ok(response::json(200, &json!({ "transcripts": transcripts })))
}

async fn edit(
    request: &Request,
    state: &CandidateState,
    id: &TranscriptId,
) -> Result<Response<Body>, Problem> {
    let (holder, record) = holder_and_record(request, state).await?;
    let draft = draft(request, false)?;
    let edited = transcript::edit(&state.certification, &holder, &record, id, &draft)
        .await
        .map_err(problem)?;
    answer(200, &edited, request, state)
}

async fn delete(
    request: &Request,
    state: &CandidateState,
    id: &TranscriptId,
) -> Result<Response<Body>, Problem> {
    let (_, record) = holder_and_record(request, state).await?;
    let deleted = state
        .certification
        .transcripts
        .delete_transcript(&record.profile.candidate_id, id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    if deleted {
        Ok(response::empty(204))
    } else {
        Err(problem(TranscriptError::NotFound))
    }
}

async fn email(
    request: &Request,
    state: &CandidateState,
    id: &TranscriptId,
) -> Result<Response<Body>, Problem> {
    let (_, record) = holder_and_record(request, state).await?;
    let mut f = Fields::from_request(request, &["to"])?;
    let Some(to) = f.parse("to", "invalid_email", Email::parse) else {
        return Err(f.into_problem());
    };
    let base = public_base(state.public_url.as_deref(), request)?;
    transcript::email(&state.certification, &base, &record, id, &to)
        .await
        .map_err(problem)?;
    Ok(response::json(202, &json!({ "status": "sent" })))
}

/// The email `POST /{id}/emails` would send, shown to the holder first. The recipient does not
/// change the message, so none is asked for.
async fn email_preview(
    request: &Request,
    state: &CandidateState,
    id: &TranscriptId,
) -> Result<Response<Body>, Problem> {
    let (_, record) = holder_and_record(request, state).await?;
    let found = state
        .certification
        .transcripts
        .transcript(&record.profile.candidate_id, id)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(|| problem(TranscriptError::NotFound))?;
    let base = public_base(state.public_url.as_deref(), request)?;
    let placeholder = Email::parse("recipient@example.com").expect("a valid address");
    let message = transcript::email_message(&base, &record, &found, &placeholder);
    Ok(response::json(
        200,
        &json!({ "subject": message.subject, "text": message.text, "html": message.html }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_http::routing::route_path;

    fn found(method: &str, path: &str) -> Option<Vec<String>> {
        let well_formed = |segment: &str| TranscriptId::parse(segment).is_some();
        let found = route_path(method, path, ROUTES, well_formed);
        found.ok().map(|(_, ids)| ids)
    }

    #[test]
    fn transcript_paths_need_a_well_formed_id() {
        let id = "0123456789abcdef0123456789abcdef";
        let base = "/v1/candidate/transcripts";
        assert_eq!(
            found("POST", &format!("{base}/{id}/emails")),
            Some(vec![id.to_string()])
        );
        assert!(found("PATCH", &format!("{base}/{id}")).is_some());
        assert!(found("PATCH", &format!("{base}/../{id}")).is_none());
        assert!(found("POST", &format!("{base}/{id}/other")).is_none());
        assert!(found("PATCH", &format!("{base}/{}", id.to_uppercase())).is_none());
    }
}
