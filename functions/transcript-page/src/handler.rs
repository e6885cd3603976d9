//! `GET /v1/transcripts/{id}`: the public transcript a third party opens from the holder's email.
//! An accessible HTML page for browsers, JSON for `Accept: application/json`. Each shown page
//! counts one view; an expired transcript answers 410 and a deleted one (or one whose holder
//! withdrew consent) 404, neither counted.
//!
//! Every answer is private and inert: `Cache-Control: no-store`, `Referrer-Policy: no-referrer`
//! (the id is the only key), and a Content-Security-Policy that allows nothing but the page's
//! own style block; every field is HTML-escaped.

use lambda_http::{Body, Request, Response};
use tessera_certification::transcript;
use tessera_certification::transcript::{PublicTranscript, TranscriptError, TranscriptId};
use tessera_certification::CertificationDeps;
use tessera_http::public_page::{html, notice_page, page, wants_json, with_page_headers};
use tessera_http::routing::route_with_params;
use tessera_http::{response, Problem};
use tessera_kernel::messages::escape_html;

/// This function uses no secret but the edge layer's (every HTTP function checks it when the
/// edge is on): it reads no other, and the template gives it no other.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    View,
}

const ROUTES: &[tessera_http::routing::Route<Route>] =
    &[("GET", "/v1/transcripts/{id}", Route::View)];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, deps: CertificationDeps) -> Response<Body> {
    let deps = deps.with_current_catalog().await;
    // Every segment is routed to the page, so a malformed id gets the same "not available" page
    // as an unknown one (in the format asked for), not a bare 404.
    let answer = match route_with_params(&request, ROUTES, |_| true) {
        Ok((Route::View, id)) => view(&request, &deps, &id[0]).await,
        Err(problem) => problem.into_response(),
    };
    with_page_headers(answer, "no-store")
}

async fn view(request: &Request, deps: &CertificationDeps, id: &str) -> Response<Body> {
    let wants_json = wants_json(request);
    let Some(id) = TranscriptId::parse(id) else {
        return refusal(TranscriptError::NotFound, wants_json);
    };
    match transcript::view(deps, &id).await {
        Ok(page) if wants_json => response::json(200, &page),
        Ok(page) => html(200, &render(&page)),
        Err(e) => refusal(e, wants_json),
    }
}

fn refusal(e: TranscriptError, wants_json: bool) -> Response<Body> {
    let (status, code, title, detail) = match e {
        TranscriptError::Expired => (
            410,
            "transcript_expired",
            "Transcript expired",
            "This transcript has expired. Ask its holder for a new link.",
        ),
        TranscriptError::Store(e) => return Problem::internal(&e).into_response(),
        _ => (
            404,
            "transcript_not_found",
            "Transcript not available",
            "There is no transcript at this address, or its holder no longer shares it.",
        ),
    };
    if wants_json {
        Problem::new(status, code, title, detail).into_response()
    } else {
        html(status, &notice_page(title, detail))
    }
}

/// The transcript as an HTML page; every value escaped.
pub fn render(t: &PublicTranscript) -> String {
    let holder = escape_html(&t.holder);
    let mut main = format!("<h1>Certification transcript</h1>\n<section aria-labelledby=\"holder\">\n<h2 id=\"holder\">{holder}</h2>\n");
    // Only what the holder chose to show (the transcript's display options).
    let mut address: Vec<String> = t.address_lines.iter().map(|l| escape_html(l)).collect();
    if let Some(organisation) = &t.organisation {
        address.push(escape_html(organisation));
    }
    if let Some(country) = &t.country {
        address.push(format!("Country: {}", escape_html(country)));
    }
    if !address.is_empty() {
        main.push_str(&format!("<address>{}</address>\n", address.join("<br>\n")));
    }
    if let Some(candidate_id) = &t.candidate_id {
        main.push_str(&format!(
            "<p>Candidate ID: {}</p>\n",
            escape_html(candidate_id)
        ));
    }
    if let Some(display_name) = &t.display_name {
        main.push_str(&format!(
            "<p>Shown by the holder as: <q>{}</q> (the holder's own words, not the program's \
             record)</p>\n",
            escape_html(display_name)
        ));
    }
    main.push_str("</section>\n");
    main.push_str(&format!(
        "<p>The following information has been provided to you by {holder} as a validation of \
         current certification achievements.</p>\n<p>{}</p>\n",
        escape_html(&t.description)
    ));
    if !t.remarks.is_empty() {
        main.push_str(&format!(
            "<p><strong>Remarks:</strong> {}</p>\n",
            escape_html(&t.remarks)
        ));
    }
    if t.tracks.is_empty() {
        main.push_str("<p>No active certifications to show.</p>\n");
    } else {
        let (columns, date_headers) = if t.dates_shown {
            (
                3,
                "<th scope=\"col\">Active since</th><th scope=\"col\">Expires</th>",
            )
        } else {
            (1, "")
        };
        main.push_str(&format!(
            "<table>\n<caption>Active certifications</caption>\n<thead><tr>\
             <th scope=\"col\">Certification</th>{date_headers}</tr></thead>\n"
        ));
        for track in &t.tracks {
            main.push_str(&format!(
                "<tbody>\n<tr><th scope=\"rowgroup\" colspan=\"{columns}\">{}</th></tr>\n",
                escape_html(&track.track)
            ));
            for c in &track.certifications {
                let dates = match &c.active {
                    Some(active) if t.dates_shown => format!(
                        "<td>{}</td><td>{}</td>",
                        escape_html(active),
                        escape_html(c.expires.as_deref().unwrap_or("Does not expire"))
                    ),
                    _ => String::new(),
                };
                main.push_str(&format!(
                    "<tr><td>{} ({})</td>{dates}</tr>\n",
                    escape_html(&c.name),
                    escape_html(&c.abbreviation),
                ));
            }
            main.push_str("</tbody>\n");
        }
        main.push_str("</table>\n");
    }
    main.push_str(&format!(
        "<footer><p>This transcript expires on {}. Transcript {}.</p></footer>\n",
        escape_html(&t.expires),
        escape_html(&t.id)
    ));
    page(&format!("Transcript for {}", t.holder), &main)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_certification::transcript::{ShownCertification, ShownTrack};

    #[test]
    fn every_field_is_escaped() {
        let hostile = "<script>alert(1)</script>";
        let page = render(&PublicTranscript {
            id: "0".repeat(32),
            holder: hostile.into(),
            display_name: Some(hostile.into()),
            candidate_id: Some(hostile.into()),
            address_lines: vec![hostile.into()],
            country: Some("GB".into()),
            organisation: Some("\"Quote\" & <Co>".into()),
            dates_shown: true,
            description: hostile.into(),
            remarks: hostile.into(),
            tracks: vec![ShownTrack {
                track: hostile.into(),
                certifications: vec![ShownCertification {
                    id: "x".into(),
                    name: hostile.into(),
                    abbreviation: hostile.into(),
                    active: Some("2025-01-01".into()),
                    expires: Some("2028-01-01".into()),
                }],
            }],
            expires: "2026-12-01".into(),
        });
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&quot;Quote&quot; &amp; &lt;Co&gt;"));
        assert!(page.contains("<title>Transcript for &lt;script&gt;"));
    }
}
