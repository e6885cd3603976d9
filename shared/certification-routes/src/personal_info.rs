//! The candidate's personal info: identifiers, the five required settings, attributes.
//!
//! - `GET /v1/candidate` → identifiers, the five required settings, attributes
//! - `PUT /v1/candidate/settings` (all five yes/no) and `PATCH /v1/candidate/attributes`
//!   (`job_title` only; credential numbers are read-only) → 200 as `GET /v1/candidate`
//!
//! Every route needs a session and answers 404 `not_mapped` until the account is mapped.

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_certification::{
    CandidateEdit, CandidateProfile, CandidateSettings, VERIFICATION_CONSENT,
};
use tessera_http::candidate::{holder, mapped_record, not_mapped, CandidateState, MAX_TEXT};
use tessera_http::routing::{pairs, route, Route};
use tessera_http::{auth, response, Fields, Problem};

/// This function uses no secret: it reads none, and the template gives it none.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

#[derive(Clone, Copy)]
enum PersonalInfo {
    Read,
    Settings,
    Attributes,
}

const ROUTES: &[Route<PersonalInfo>] = &[
    ("GET", "/v1/candidate", PersonalInfo::Read),
    ("PUT", "/v1/candidate/settings", PersonalInfo::Settings),
    (
        "PATCH",
        "/v1/candidate/attributes",
        PersonalInfo::Attributes,
    ),
];

/// This function's routes, as the template lists them.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    pairs(ROUTES)
}

pub async fn handle(request: Request, state: CandidateState) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(PersonalInfo::Read) => personal_info(&request, &state).await,
        Ok(PersonalInfo::Settings) => edit_settings(&request, &state).await,
        Ok(PersonalInfo::Attributes) => edit_attributes(&request, &state).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
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
        // The consent the verification setting asks for; answered to an older text, it asks again.
        "consents": { "verification_consent": VERIFICATION_CONSENT },
        "verification_consent_current": profile.settings.verification_consent.is_none()
            || profile.settings.verification_consent_version == Some(VERIFICATION_CONSENT.version),
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

/// The version of the consent text a settings form showed (optional): the answer is recorded
/// against the current text, so an answer to another version is refused.
const CONSENT_VERSION: &str = "verification_consent_version";

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
            if f.has(CONSENT_VERSION) {
                let shown = f.whole_number(CONSENT_VERSION);
                if shown.is_some_and(|v| v != VERIFICATION_CONSENT.version) {
                    f.error(
                        CONSENT_VERSION,
                        "consent_text_changed",
                        "The consent text changed since this form was shown: read it again and answer.",
                    );
                }
            }
            Some(CandidateEdit::Settings(CandidateSettings {
                employee: Some(employee?),
                partner: Some(partner?),
                email_notifications: Some(email_notifications?),
                academy_student: Some(academy_student?),
                verification_consent: Some(verification_consent?),
                verification_consent_version: Some(VERIFICATION_CONSENT.version),
            }))
        },
        &[SETTINGS.as_slice(), &[CONSENT_VERSION]].concat(),
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
