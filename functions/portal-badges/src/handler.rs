//! The certification guide's "Digital Badges" tab: each earned certification's Open Badges
//! credential with its status today, the badge image, and what the holder does with it: download
//! the credential (a VC-JWT) or the baked image (PNG, SVG), add it to a professional profile, share
//! the public link.
//!
//! As for the other pages, each calls the route behind it through that route's own handler, in
//! process (`tessera_web::PageRequest`), with the session from the page's cookie.

use lambda_http::{Body, Request, Response};
use maud::html;
use serde_json::Value;
use tessera_credential_routes::badges::{self, BadgesState};
use tessera_http::routing::route_with_params;
use tessera_web::page::{certification_tabs, redirect};
use tessera_web::request::{is_path_id, not_found};
use tessera_web::{text, PageRequest};

/// The routes these pages call use no secret but the edge layer's.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Badges,
    Credential,
    Png,
    Svg,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/badges", Route::Badges),
    ("GET", "/badges/{id}/credential.jwt", Route::Credential),
    ("GET", "/badges/{id}/image.png", Route::Png),
    ("GET", "/badges/{id}/image.svg", Route::Svg),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

type Ctx<'a> = PageRequest<'a, BadgesState>;

pub async fn handle(request: Request, state: BadgesState) -> Response<Body> {
    let (route, ids) = match route_with_params(&request, ROUTES, is_path_id) {
        Ok(found) => found,
        Err(problem) if problem.status == 405 => return problem.into_response(),
        Err(_) => return not_found(),
    };
    let id = ids.first().map(String::as_str).unwrap_or_default();
    let mut ctx = Ctx::new(&request, &state, state.candidate.identity.random.as_ref());
    let answer = match route {
        Route::Badges => page(&mut ctx).await,
        Route::Credential => {
            let path = format!("/v1/candidate/badges/{id}");
            ctx.download_as(badges::handle, &path, Some("application/vc+jwt"))
                .await
        }
        Route::Png => {
            let path = format!("/v1/candidate/badges/{id}/image.png");
            ctx.download(badges::handle, &path).await
        }
        Route::Svg => {
            let path = format!("/v1/candidate/badges/{id}/image.svg");
            ctx.download(badges::handle, &path).await
        }
    };
    ctx.finish(answer)
}

fn status_word(status: &str) -> &'static str {
    match status {
        "active" => text::BADGE_ACTIVE,
        "expired" => text::BADGE_EXPIRED,
        "suspended" => text::BADGE_SUSPENDED,
        _ => text::BADGE_REVOKED,
    }
}

/// `GET /badges`: every badge of the record.
async fn page(ctx: &mut Ctx<'_>) -> Response<Body> {
    let answer = ctx
        .call(badges::handle, "GET", "/v1/candidate/badges", None)
        .await;
    if answer.code() == "not_mapped" {
        return redirect("/certifications");
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    let listed: Vec<Value> = answer.body["badges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let str_of = |badge: &Value, field: &str| badge[field].as_str().unwrap_or_default().to_string();
    ctx.signed_in_page(
        text::DIGITAL_BADGES,
        html! {
            (certification_tabs("/badges"))
            p { (text::BADGES_INTRO) }
            @if listed.is_empty() { p { (text::NO_BADGES_YET) } }
            ul.badges {
                @for badge in &listed {
                    @let id = str_of(badge, "id");
                    @let name = str_of(badge, "name");
                    li.badge {
                        img src={ "/badges/" (id) "/image.png" } alt={ (name) " badge" } width="120" height="120";
                        div {
                            h2 { (name) }
                            dl.facts {
                                dt { (text::STATUS) } dd { (status_word(&str_of(badge, "status"))) }
                                dt { (text::ISSUED_ON) } dd { (str_of(badge, "valid_from")) }
                                dt { (text::EXPIRES) }
                                dd { @match badge["valid_until"].as_str() { Some(d) => (d), None => (text::NOT_APPLICABLE) } }
                            }
                            ul.links {
                                li { a href=(str_of(badge, "credential_url")) { (text::PUBLIC_CREDENTIAL) } }
                                li { a href={ "/badges/" (id) "/credential.jwt" } download { (text::DOWNLOAD_CREDENTIAL) } }
                                li { a href={ "/badges/" (id) "/image.png" } download { (text::DOWNLOAD_BADGE_PNG) } }
                                li { a href={ "/badges/" (id) "/image.svg" } download { (text::DOWNLOAD_BADGE_SVG) } }
                                li { a href=(str_of(badge, "add_to_profile_url")) rel="noopener noreferrer" { (text::ADD_TO_PROFILE) } }
                                @for (key, label) in text::SHARE_NETWORKS {
                                    li { a href=(badge["share"][key].as_str().unwrap_or_default()) rel="noopener noreferrer" {
                                        (text::SHARE) " " (label)
                                    } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response()
}
