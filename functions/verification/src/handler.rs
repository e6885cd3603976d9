//! `GET /v1/verify/{code}`: anyone holding a PDF certificate or a kit checks its verification
//! code (the certificate's QR code opens this page). An accessible HTML page for browsers, JSON
//! for `Accept: application/json`: whose certification it is, its dates and its status now, or,
//! when the holder withdrew consent to third-party verification, only that the code is genuine.
//! An unknown or malformed code answers 404 after the same lookup.
//!
//! Each check is counted for the holder and taken from the caller's per-client allowance
//! (`TESSERA_CLIENT_VERIFICATIONS`), so a guessing run stops at 429. Answers are `no-store`:
//! each check is counted and the status is today's.

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_certification::verification_codes::CodeCarrier;
use tessera_certification::CertificationDeps;
use tessera_credentials::verification::{self, Verification, VerifiedCertification, VerifyError};
use tessera_http::client::limit_by;
use tessera_http::public_page::{html, notice_page, page, wants_json, with_page_headers};
use tessera_http::routing::route_with_params;
use tessera_http::wiring::{FromWiring, Wiring, WiringError};
use tessera_http::{response, Problem};
use tessera_kernel::client_limits::{ClientCounting, ClientLeases, ClientLimits, ClientRequest};
use tessera_kernel::messages::escape_html;

/// This function uses no secret but the edge layer's: it reads no other, and the template gives
/// it no other.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

#[derive(Clone, Copy)]
enum Route {
    Verify,
}

const ROUTES: &[tessera_http::routing::Route<Route>] =
    &[("GET", "/v1/verify/{code}", Route::Verify)];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

/// The records and the register of codes, and what per-client limits are counted with.
#[derive(Clone)]
pub struct VerificationState {
    pub deps: CertificationDeps,
    pub limits: ClientLimits,
    pub leases: Arc<ClientLeases>,
}

impl FromWiring for VerificationState {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError> {
        Ok(VerificationState {
            deps: wiring.certification_deps_deferring_mail()?,
            limits: wiring.config().identity.client_limits,
            leases: Arc::default(),
        })
    }
}

pub async fn handle(request: Request, state: VerificationState) -> Response<Body> {
    // Every segment is routed here, so a malformed code gets the same answer as an unknown one
    // (in the format asked for), not a bare 404.
    let answer = match route_with_params(&request, ROUTES, |_| true) {
        Ok((Route::Verify, code)) => check(&request, state, &code[0]).await,
        Err(problem) => problem.into_response(),
    };
    with_page_headers(answer, "no-store")
}

async fn check(request: &Request, state: VerificationState, code: &str) -> Response<Body> {
    let wants_json = wants_json(request);
    let counting = ClientCounting {
        attempts: state.deps.attempts.as_ref(),
        leases: &state.leases,
        limits: &state.limits,
    };
    let now = state.deps.clock.now();
    if let Err(problem) = limit_by(request, counting, ClientRequest::Verification, now).await {
        return refusal(problem, wants_json);
    }
    let deps = state.deps.with_current_catalog().await;
    let checked_on = tessera_certification::dates::iso_date::format(now.date());
    match verification::verify(&deps, code).await {
        Ok(found) if wants_json => response::json(200, &as_json(&found, &checked_on)),
        Ok(found) => html(200, &render(&found, &checked_on)),
        Err(VerifyError::NotFound) => refusal(not_found(), wants_json),
        Err(VerifyError::Store(e)) => Problem::internal(&e).into_response(),
    }
}

fn not_found() -> Problem {
    Problem::new(
        404,
        "verification_code_not_found",
        "Code not found",
        "No certificate or kit carries this code. Compare it with the printed one: twelve \
         letters and digits (O reads as 0, I and L as 1).",
    )
}

/// A refusal as problem+json, or as a page saying the same.
fn refusal(problem: Problem, wants_json: bool) -> Response<Body> {
    if wants_json {
        return problem.into_response();
    }
    let mut answer = html(problem.status, &notice_page(problem.title, &problem.detail));
    for (name, value) in problem.into_response().headers() {
        if name == "retry-after" {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

fn as_json(found: &Verification, checked_on: &str) -> serde_json::Value {
    match found {
        Verification::Disclosed(c) => {
            let mut body = serde_json::to_value(c).unwrap_or_default();
            body["genuine"] = json!(true);
            body["checked_on"] = json!(checked_on);
            body
        }
        Verification::Withheld { code } => {
            json!({ "code": code, "genuine": true, "checked_on": checked_on })
        }
    }
}

fn status_words(status: &str) -> &'static str {
    match status {
        "active" => "Active",
        "suspended" => "Suspended: held back by the program while something is looked into",
        "revoked" => "Revoked by the program",
        _ => "Expired",
    }
}

fn carrier_words(carrier: CodeCarrier) -> &'static str {
    match carrier {
        CodeCarrier::Certificate => "PDF certificate",
        CodeCarrier::Kit => "Printed certificate kit",
    }
}

/// The answer as an HTML page; every value escaped.
pub fn render(found: &Verification, checked_on: &str) -> String {
    let (code, details) = match found {
        Verification::Disclosed(c) => (c.code.as_str(), details(c)),
        Verification::Withheld { code } => (
            code.as_str(),
            "<p>Its holder has not agreed to share the details of their certifications with \
             third parties. Ask the holder for them, or for a transcript.</p>\n"
                .to_string(),
        ),
    };
    let main = format!(
        "<h1>Verification code {code}</h1>\n<p class=\"status\">Genuine: this code was issued by \
         the program.</p>\n{details}<footer><p>Checked on {checked_on} (UTC), as the program's \
         record stands that day.</p></footer>\n",
        code = escape_html(code),
        checked_on = escape_html(checked_on),
    );
    page(&format!("Verification code {code}"), &main)
}

fn details(c: &VerifiedCertification) -> String {
    let row = |term: &str, value: &str| {
        format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape_html(term),
            escape_html(value)
        )
    };
    let mut list = String::from("<dl>\n");
    list.push_str(&row("Holder", &c.holder));
    list.push_str(&row(
        "Certification",
        &format!("{} ({})", c.certification, c.abbreviation),
    ));
    list.push_str(&row("Status", status_words(c.status)));
    if let Some(active) = &c.active {
        list.push_str(&row("Active since", active));
    }
    if let Some(expires) = &c.expires {
        list.push_str(&row("Valid until", expires));
    }
    list.push_str(&row("Printed on", carrier_words(c.carrier)));
    list.push_str("</dl>\n");
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(holder: &str, status: &'static str) -> Verification {
        Verification::Disclosed(VerifiedCertification {
            code: "ABCD-EFGH-JKMN".into(),
            carrier: CodeCarrier::Kit,
            holder: holder.into(),
            certification_id: "enterprise-expert".into(),
            certification: "Enterprise <Expert>".into(),
            abbreviation: "EE".into(),
            status,
            active: Some("2025-06-06".into()),
            expires: Some("2028-06-06".into()),
        })
    }

    #[test]
    fn every_field_is_escaped_and_the_status_is_in_words() {
        let page = render(
            &sample("<script>alert(1)</script>", "revoked"),
            "2026-12-07",
        );
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("Enterprise &lt;Expert&gt; (EE)"));
        assert!(page.contains("<dd>Revoked by the program</dd>"));
        assert!(page.contains("<dd>Printed certificate kit</dd>"));
    }

    #[test]
    fn a_withheld_answer_names_no_one() {
        let withheld = Verification::Withheld {
            code: "ABCD-EFGH-JKMN".into(),
        };
        let page = render(&withheld, "2026-12-07");
        assert!(page.contains("Genuine"));
        assert!(!page.contains("<dl>"));
        assert_eq!(
            as_json(&withheld, "2026-12-07"),
            json!({ "code": "ABCD-EFGH-JKMN", "genuine": true, "checked_on": "2026-12-07" })
        );
        let disclosed = as_json(&sample("Ada Lovelace", "active"), "2026-12-07");
        assert_eq!(disclosed["holder"], "Ada Lovelace");
        assert_eq!(disclosed["carrier"], "kit");
        assert_eq!(disclosed["genuine"], true);
    }
}
