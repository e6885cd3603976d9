//! What a verifier of the program's credentials fetches, with no session and no call back to
//! anything private: the issuer's Open Badges 3.0 profile (`GET /v1/issuer`), the JWK Set of its
//! signing keys (`GET /v1/issuer/jwks.json`: the current key first, then every retired one, so
//! credentials signed before a rotation still verify), and each certification as an
//! `Achievement` (`GET /v1/achievements/{id}`, from the current catalog). All are public and
//! cacheable for five minutes: they change only when the program renames itself, rotates a key
//! or publishes a new catalog.
//!
//! The program's name, home page and address come from `TESSERA_PROGRAM_NAME`,
//! `TESSERA_PROGRAM_URL` and `TESSERA_PROGRAM_EMAIL`.

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use tessera_certification::catalog::is_catalog_id;
use tessera_certification::CertificationDeps;
use tessera_credentials::achievement;
use tessera_credentials::badges::{self, BadgeFacts};
use tessera_credentials::issuer::{self, Program};
use tessera_http::links::public_base;
use tessera_http::routing::route_with_params;
use tessera_http::wiring::{FromWiring, Wiring, WiringError};
use tessera_http::{response, Problem};
use tessera_kernel::ports::StoreError;
use tessera_kernel::signing::JwsSigner;

/// This function uses no secret but the edge layer's: it reads no other, and the template gives
/// it no other (its keys never leave KMS).
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

#[derive(Clone, Copy)]
enum Route {
    Profile,
    Keys,
    Achievement,
    Badge,
    StatusList,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/issuer", Route::Profile),
    ("GET", "/v1/issuer/jwks.json", Route::Keys),
    ("GET", "/v1/achievements/{id}", Route::Achievement),
    ("GET", "/v1/badges/{id}", Route::Badge),
    ("GET", "/v1/status-lists/{id}", Route::StatusList),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

/// How long caches may keep the documents (a revocation reaches verifiers within this).
const CACHE: &str = "public, max-age=300";

#[derive(Clone)]
pub struct IssuerState {
    pub signer: Arc<dyn JwsSigner>,
    /// The catalog the achievements come from (its current version).
    pub certification: CertificationDeps,
    pub program: Program,
    pub public_url: Option<String>,
}

impl FromWiring for IssuerState {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError> {
        Ok(IssuerState {
            signer: wiring.credential_signer()?,
            certification: wiring.certification_deps_deferring_mail()?,
            program: wiring.program(),
            public_url: wiring.config().public_url.clone(),
        })
    }
}

pub async fn handle(request: Request, state: IssuerState) -> Response<Body> {
    let answer = match route_with_params(&request, ROUTES, is_catalog_id) {
        Ok((Route::Profile, _)) => public_base(state.public_url.as_deref(), &request)
            .map(|base| response::json(200, &issuer::profile(&base, &state.program))),
        Ok((Route::Keys, _)) => match state.signer.public_keys().await {
            Ok(keys) => Ok(response::json(200, &issuer::key_set(&keys))),
            Err(e) => Err(Problem::internal(&e)),
        },
        Ok((Route::Achievement, ids)) => achievement_of(&request, state, &ids[0]).await,
        Ok((Route::Badge, ids)) => hosted_badge(&request, state, &ids[0]).await,
        Ok((Route::StatusList, ids)) => status_list(&request, state, &ids[0]).await,
        Err(problem) => Err(problem),
    };
    match answer {
        Ok(mut document) => {
            if let Ok(value) = CACHE.parse() {
                document.headers_mut().insert("cache-control", value);
            }
            document
        }
        Err(problem) => problem.into_response(),
    }
}

async fn achievement_of(
    request: &Request,
    state: IssuerState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let base = public_base(state.public_url.as_deref(), request)?;
    let deps = state.certification.with_current_catalog().await;
    let certification = deps.catalog.certification(id).ok_or_else(|| {
        Problem::new(
            404,
            "achievement_not_found",
            "Achievement not found",
            "The program's catalog has no certification with that id.",
        )
    })?;
    let document = achievement::achievement(&base, &deps.catalog, certification);
    Ok(response::json(200, &document))
}

fn badge_not_found() -> Problem {
    Problem::new(
        404,
        "badge_not_found",
        "Badge not found",
        "The program issued no badge with that id, its holder's record is gone, or its holder withdrew consent to verification by third parties.",
    )
}

/// `credential` as asked: a VC-JWT signed with the program's current key, or the JSON.
async fn secured(
    request: &Request,
    state: &IssuerState,
    base: &str,
    credential: &serde_json::Value,
) -> Result<Response<Body>, Problem> {
    if !tessera_http::public_page::accepts(request, badges::VC_JWT) {
        return Ok(response::json(200, credential));
    }
    let jwt = badges::vc_jwt(state.signer.as_ref(), base, credential)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(response::with_body(200, badges::VC_JWT, jwt))
}

/// `GET /v1/badges/{id}`: the credential at its `id`, written from the record now (so it carries
/// the certification's dates today); an unknown or erased holder's, or one whose holder withdrew
/// consent to third-party verification, is not found.
async fn hosted_badge(
    request: &Request,
    state: IssuerState,
    badge_id: &str,
) -> Result<Response<Body>, Problem> {
    let base = public_base(state.public_url.as_deref(), request)?;
    let deps = state.certification.clone().with_current_catalog().await;
    let internal = |e: StoreError| Problem::internal(&e);
    let holder = deps
        .badges
        .badge_holder(badge_id)
        .await
        .map_err(internal)?
        .ok_or_else(badge_not_found)?;
    let record = deps
        .records
        .candidate(&holder)
        .await
        .map_err(internal)?
        // An erased holder's record names no one; a holder who withdrew consent to third-party
        // verification is not answered for (the credential they hold still verifies by itself).
        .filter(|r| !r.profile.last_name.trim().is_empty())
        .filter(|r| r.profile.settings.verification_consent != Some(false))
        .ok_or_else(badge_not_found)?;
    let badge = record
        .badges
        .iter()
        .find(|b| b.badge_id == badge_id)
        .ok_or_else(badge_not_found)?;
    let certification = deps
        .catalog
        .certification(badge.certification.as_str())
        .ok_or_else(badge_not_found)?;
    let standing = record
        .standings(&deps.catalog, deps.today())
        .into_iter()
        .find(|s| s.certification == badge.certification);
    let facts = standing
        .as_ref()
        .and_then(|s| BadgeFacts::of(certification, badge, s, record.profile.email.as_ref()))
        .ok_or_else(badge_not_found)?;
    let credential = badges::credential(&base, &state.program, &deps.catalog, &facts);
    secured(request, &state, &base, &credential).await
}

/// `GET /v1/status-lists/{id}`: the program's status list credential, as it is now.
async fn status_list(
    request: &Request,
    state: IssuerState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    if id != badges::STATUS_LIST_ID {
        return Err(Problem::new(
            404,
            "status_list_not_found",
            "Status list not found",
            "The program publishes one status list; its address is in each credential.",
        ));
    }
    let base = public_base(state.public_url.as_deref(), request)?;
    let held = state
        .certification
        .badges
        .held_entries()
        .await
        .map_err(|e| Problem::internal(&e))?;
    let now = state.certification.clock.now();
    let list = badges::status_list_credential(&base, &held, now);
    secured(request, &state, &base, &list).await
}
