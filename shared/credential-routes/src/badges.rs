//! The holder's digital badges: each earned certification as an Open Badges 3.0 credential,
//! with what a person does with it.
//!
//! - `GET /v1/candidate/badges` → every badge of the record (issuing those its earned
//!   certifications lack), each with its status today, its public `credential_url`, downloads,
//!   the baked images, an "add to profile" link with the credential filled in, and share links
//! - `GET /v1/candidate/badges/{id}` → the credential: JSON, or with
//!   `Accept: application/vc+jwt` the VC-JWT (a download)
//! - `GET /v1/candidate/badges/{id}/image.svg`, `…/image.png` → the certification's logo with the
//!   VC-JWT baked in (Open Badges 3.0 "Baked Badge")
//!
//! Every route needs a session and answers 404 `not_mapped` until the account is mapped, and
//! 404 `badge_not_found` for a badge not on the caller's record.

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use tessera_certification::catalog::is_catalog_id;
use tessera_certification::transcript::{percent_encode, share_links};
use tessera_certification::{logos, CandidateRecord, Certification, IssuedBadge, Standing};
use tessera_credentials::badges::{self, BadgeFacts};
use tessera_credentials::baked;
use tessera_credentials::issuer::Program;
use tessera_credentials::verification::status_now;
use tessera_http::candidate::{record, CandidateState};
use tessera_http::links::public_base;
use tessera_http::routing::{pairs, route_with_params, Route};
use tessera_http::wiring::{FromWiring, Wiring, WiringError};
use tessera_http::{response, Problem};
use tessera_kernel::signing::JwsSigner;

/// This function uses no secret but the edge layer's (its keys never leave KMS).
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

#[derive(Clone, Copy)]
enum Screen {
    List,
    Credential,
    Svg,
    Png,
}

const ROUTES: &[Route<Screen>] = &[
    ("GET", "/v1/candidate/badges", Screen::List),
    ("GET", "/v1/candidate/badges/{id}", Screen::Credential),
    ("GET", "/v1/candidate/badges/{id}/image.svg", Screen::Svg),
    ("GET", "/v1/candidate/badges/{id}/image.png", Screen::Png),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    pairs(ROUTES)
}

#[derive(Clone)]
pub struct BadgesState {
    pub candidate: CandidateState,
    pub signer: Arc<dyn JwsSigner>,
    pub program: Program,
}

impl FromWiring for BadgesState {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError> {
        Ok(BadgesState {
            candidate: CandidateState::from_wiring(wiring)?,
            signer: wiring.credential_signer()?,
            program: wiring.program(),
        })
    }
}

pub async fn handle(request: Request, state: BadgesState) -> Response<Body> {
    let state = BadgesState {
        candidate: state.candidate.with_current_catalog().await,
        ..state
    };
    let answer = match route_with_params(&request, ROUTES, is_catalog_id) {
        Ok((Screen::List, _)) => list(&request, &state).await,
        Ok((screen, ids)) => one(&request, &state, screen, &ids[0]).await,
        Err(problem) => Err(problem),
    };
    answer.unwrap_or_else(Problem::into_response)
}

fn badge_not_found() -> Problem {
    Problem::new(
        404,
        "badge_not_found",
        "Badge not found",
        "No badge with that id was issued on your record.",
    )
}

/// A badge of the record with what its credential states today.
struct Held<'a> {
    badge: IssuedBadge,
    certification: &'a Certification,
    standing: Standing,
}

impl Held<'_> {
    fn facts<'r>(&'r self, record: &'r CandidateRecord) -> Option<BadgeFacts<'r>> {
        BadgeFacts::of(
            self.certification,
            &self.badge,
            &self.standing,
            record.profile.email.as_ref(),
        )
    }
}

/// The record's badges, issuing those its earned certifications lack.
async fn held_badges<'c>(
    state: &'c BadgesState,
    record: &CandidateRecord,
) -> Result<Vec<Held<'c>>, Problem> {
    let deps = &state.candidate.certification;
    let mut held = Vec::new();
    for standing in record.standings(&deps.catalog, deps.today()) {
        let Some(certification) = deps.catalog.certification(standing.certification.as_str())
        else {
            continue;
        };
        let badge = badges::badge_of(deps, record, certification)
            .await
            .map_err(|e| Problem::internal(&e))?;
        if let Some(badge) = badge {
            held.push(Held {
                badge,
                certification,
                standing,
            });
        }
    }
    Ok(held)
}

async fn list(request: &Request, state: &BadgesState) -> Result<Response<Body>, Problem> {
    let record = record(request, &state.candidate).await?;
    let base = public_base(state.candidate.public_url.as_deref(), request)?;
    let held = held_badges(state, &record).await?;
    let listed: Vec<Value> = held
        .iter()
        .filter_map(|h| Some(entry(&base, &state.program, h, &h.facts(&record)?)))
        .collect();
    Ok(response::json(200, &json!({ "badges": listed })))
}

/// One badge as the list shows it.
fn entry(base: &str, program: &Program, held: &Held, facts: &BadgeFacts) -> Value {
    let id = &held.badge.badge_id;
    let credential_url = badges::badge_url(base, id);
    let own = format!("{base}/v1/candidate/badges/{id}");
    let date = tessera_certification::dates::iso_date::format;
    json!({
        "id": id,
        "certification_id": held.certification.id.as_str(),
        "name": held.certification.name,
        "status": status_now(held.standing.status),
        "valid_from": date(facts.active),
        "valid_until": facts.expires.map(date),
        "credential_url": credential_url,
        "download_url": own,
        "image_png_url": format!("{own}/image.png"),
        "image_svg_url": format!("{own}/image.svg"),
        "add_to_profile_url": add_to_profile_url(program, held.certification, facts, &credential_url, id),
        "share": share_links(&credential_url)
            .into_iter()
            .map(|(network, link)| (network.to_string(), json!(link)))
            .collect::<serde_json::Map<_, _>>(),
    })
}

/// A professional network's "add a certification to your profile" form, filled in: the
/// certification's name, the program, the dates, and the credential's id and address.
fn add_to_profile_url(
    program: &Program,
    certification: &Certification,
    facts: &BadgeFacts,
    credential_url: &str,
    badge_id: &str,
) -> String {
    let mut url = format!(
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name={}&organizationName={}&issueYear={}&issueMonth={}&certUrl={}&certId={}",
        percent_encode(&certification.name),
        percent_encode(&program.name),
        facts.active.year(),
        u8::from(facts.active.month()),
        percent_encode(credential_url),
        percent_encode(badge_id),
    );
    if let Some(expires) = facts.expires {
        url.push_str(&format!(
            "&expirationYear={}&expirationMonth={}",
            expires.year(),
            u8::from(expires.month())
        ));
    }
    url
}

async fn one(
    request: &Request,
    state: &BadgesState,
    screen: Screen,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let record = record(request, &state.candidate).await?;
    let base = public_base(state.candidate.public_url.as_deref(), request)?;
    let held = held_badges(state, &record).await?;
    let held = held
        .iter()
        .find(|h| h.badge.badge_id == id)
        .ok_or_else(badge_not_found)?;
    let facts = held.facts(&record).ok_or_else(badge_not_found)?;
    let deps = &state.candidate.certification;
    let credential = badges::credential(&base, &state.program, &deps.catalog, &facts);
    if matches!(screen, Screen::Credential)
        && !tessera_http::public_page::accepts(request, badges::VC_JWT)
    {
        return Ok(response::json(200, &credential));
    }
    let jwt = badges::vc_jwt(state.signer.as_ref(), &base, &credential)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let logo = || {
        held.certification
            .logo
            .as_deref()
            .and_then(logos::file)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .ok_or_else(|| Problem::internal(&std::io::Error::other("no logo file")))
    };
    let name = held.certification.id.as_str();
    let (content_type, body, file): (&str, Body, String) = match screen {
        Screen::Svg => {
            let svg = baked::svg(logo()?, &jwt).map_err(|e| Problem::internal(&e))?;
            ("image/svg+xml", svg.into(), format!("{name}-badge.svg"))
        }
        Screen::Png => {
            let png = baked::png(logo()?, &jwt).map_err(|e| Problem::internal(&e))?;
            ("image/png", png.into(), format!("{name}-badge.png"))
        }
        _ => (badges::VC_JWT, jwt.into(), format!("{name}-badge.jwt")),
    };
    let mut answer = response::with_body(200, content_type, body);
    if let Ok(value) = format!("attachment; filename=\"{file}\"").parse() {
        answer.headers_mut().insert("content-disposition", value);
    }
    Ok(answer)
}
