//! The certification tracking pages (the certification guide's screens): first-time mapping, the
//! certifications with their numbered progress tree, CE credits and history, PDF certificates,
//! personal info (identifiers, settings, attributes), testing history (exams sortable, CE
//! activities, agreements), logos and transcripts.
//!
//! As for the account pages (`portal`), each page calls the API route behind it through that
//! route's own handler, in process, with the session from the page's cookie
//! (`tessera_web::PageRequest`): the same rules and messages, at the same cost.

mod records;
mod screens;
mod transcripts;

use lambda_http::{Body, Request, Response};
use tessera_http::candidate::CandidateState;
use tessera_http::routing::route_with_params;
use tessera_web::request::{is_path_id, not_found};
use tessera_web::{Form, PageRequest};

/// The secrets of the routes these pages call: the one-time-code pepper (mapping codes and the
/// certificates' verification codes).
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Certifications,
    Map,
    ConfirmMappingLink,
    ConfirmMapping,
    Certification,
    Certificate,
    PersonalInfo,
    Settings,
    Attributes,
    TestingHistory,
    Logos,
    Logo,
    Transcripts,
    CreateTranscript,
    EmailTranscript,
    TranscriptEmailPreview,
    EditTranscript,
    DeleteTranscript,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/certifications", Route::Certifications),
    ("POST", "/mapping", Route::Map),
    ("GET", "/mapping/confirm", Route::ConfirmMappingLink),
    ("POST", "/mapping/confirm", Route::ConfirmMapping),
    ("GET", "/certifications/{id}", Route::Certification),
    (
        "GET",
        "/certifications/{id}/certificate.pdf",
        Route::Certificate,
    ),
    ("GET", "/personal-info", Route::PersonalInfo),
    ("POST", "/personal-info/settings", Route::Settings),
    ("POST", "/personal-info/attributes", Route::Attributes),
    ("GET", "/testing-history", Route::TestingHistory),
    ("GET", "/logos", Route::Logos),
    ("GET", "/logos/{id}", Route::Logo),
    ("GET", "/transcripts", Route::Transcripts),
    ("POST", "/transcripts", Route::CreateTranscript),
    ("POST", "/transcripts/{id}/email", Route::EmailTranscript),
    (
        "GET",
        "/transcripts/{id}/email-preview",
        Route::TranscriptEmailPreview,
    ),
    ("POST", "/transcripts/{id}/edit", Route::EditTranscript),
    ("POST", "/transcripts/{id}/delete", Route::DeleteTranscript),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

/// One page request to these pages (their API handlers take the candidate state).
pub(crate) type Ctx<'a> = PageRequest<'a, CandidateState>;

pub async fn handle(request: Request, state: CandidateState) -> Response<Body> {
    let (route, ids) = match route_with_params(&request, ROUTES, is_path_id) {
        Ok(found) => found,
        Err(problem) if problem.status == 405 => return problem.into_response(),
        Err(_) => return not_found(),
    };
    let id = ids.first().map(String::as_str).unwrap_or_default();
    let mut ctx = Ctx::new(&request, &state, state.identity.random.as_ref());
    let answer = if request.method() == "POST" {
        match ctx.form() {
            Ok(form) => post(route, &mut ctx, &form, id).await,
            Err(refusal) => refusal.into_response(),
        }
    } else {
        get(route, &mut ctx, id).await
    };
    ctx.finish(answer)
}

async fn get(route: Route, ctx: &mut Ctx<'_>, id: &str) -> Response<Body> {
    match route {
        Route::Certifications => screens::certifications(ctx).await,
        Route::ConfirmMappingLink => records::confirm_mapping_page(ctx),
        Route::Certification => screens::certification(ctx, id).await,
        Route::Certificate => {
            let path = format!("/v1/candidate/certifications/{id}/certificate.pdf");
            ctx.download(tessera_certification_routes::certifications::handle, &path)
                .await
        }
        Route::PersonalInfo => records::personal_info(ctx).await,
        Route::TestingHistory => screens::testing_history(ctx).await,
        Route::Logos => screens::logos(ctx).await,
        Route::Logo => {
            let path = format!("/v1/candidate/logos/{id}");
            ctx.download(tessera_certification_routes::certifications::handle, &path)
                .await
        }
        Route::Transcripts => transcripts::page(ctx).await,
        Route::TranscriptEmailPreview => transcripts::email_preview(ctx, id).await,
        _ => not_found(),
    }
}

async fn post(route: Route, ctx: &mut Ctx<'_>, form: &Form, id: &str) -> Response<Body> {
    match route {
        Route::Map => records::map(ctx, form).await,
        Route::ConfirmMapping => records::confirm_mapping(ctx, form).await,
        Route::Settings => records::settings(ctx, form).await,
        Route::Attributes => records::attributes(ctx, form).await,
        Route::CreateTranscript => transcripts::create(ctx, form).await,
        Route::EmailTranscript => transcripts::email(ctx, form, id).await,
        Route::EditTranscript => transcripts::edit(ctx, form, id).await,
        Route::DeleteTranscript => transcripts::delete(ctx, id).await,
        _ => not_found(),
    }
}
