//! The profile's "Access Management" page (`/account/access`): the levels in force and where
//! each came from (`GET /v1/me/access`), and the forms that change them: a contract or agreement
//! number, a special access code, and, for a partner, a customer to sponsor. Each form posts to
//! its page route, which calls the API route behind it and shows the page again.

use lambda_http::{Body, Request, Response};
use maud::{html, Markup};
use serde_json::{json, Value};
use tessera_kernel::time::Timestamp;
use tessera_web::page::{
    form, notice, problem_summary, select, submit, with_status, Field, Problems,
};
use tessera_web::{text, Answer, Form, PageRequest};

use crate::{handle, AccessState, Route};

type Ctx<'a> = PageRequest<'a, AccessState>;

/// A page route: its form checked (the visit's CSRF token) before any API route is called.
pub async fn serve(route: Route, request: &Request, state: &AccessState) -> Response<Body> {
    let mut ctx = Ctx::new(request, state, state.access.random.as_ref());
    let answer = match route {
        Route::Page => show(&mut ctx, &Problems::none(), None, None).await,
        _ => match ctx.form() {
            Ok(posted) => post(route, &mut ctx, &posted).await,
            Err(refusal) => refusal.into_response(),
        },
    };
    ctx.finish(answer)
}

async fn post(route: Route, ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let (path, body, field, done) = match route {
        Route::PageClaim => (
            "/v1/me/access/claims",
            json!({ "kind": posted.text("kind"), "number": posted.text("number") }),
            "number",
            text::ACCESS_CLAIMED,
        ),
        Route::PageRedeem => (
            "/v1/me/access/codes",
            json!({ "code": posted.text("code") }),
            "code",
            text::ACCESS_CLAIMED,
        ),
        _ => (
            "/v1/me/access/sponsorships",
            json!({ "customer_email": posted.text("customer_email") }),
            "customer_email",
            text::ACCESS_SPONSORED_DONE,
        ),
    };
    let answer = ctx.call(handle, "POST", path, Some(body)).await;
    match answer.status {
        200 | 202 => show(ctx, &Problems::none(), Some(done), None).await,
        400 | 403 | 422 | 429 => {
            let mut problems = Problems::from_answer(&answer);
            if answer.status != 422 {
                problems = problems.moved_to(field);
            }
            let page = show(ctx, &problems, None, Some(posted)).await;
            with_status(page, answer.status)
        }
        _ => ctx.unexpected(&answer),
    }
}

/// The page; `entered` is a refused form to show again as it was sent.
async fn show(
    ctx: &mut Ctx<'_>,
    problems: &Problems,
    message: Option<&str>,
    entered: Option<&Form>,
) -> Response<Body> {
    if ctx.visit.session().is_none() {
        return ctx.log_in_first();
    }
    let access = ctx.call(handle, "GET", "/v1/me/access", None).await;
    if !access.is_success() {
        return ctx.unexpected(&access);
    }
    render(ctx, &access, problems, message, entered)
}

fn level_name(level: &str) -> &'static str {
    match level {
        "customer" => text::ACCESS_CUSTOMER,
        "partner" => text::ACCESS_PARTNER,
        "resource" => text::ACCESS_RESOURCE,
        _ => text::ACCESS_GUEST,
    }
}

/// The calendar day of an RFC 3339 instant, as the page shows dates.
fn day(value: &Value) -> &str {
    value.as_str().and_then(|s| s.get(..10)).unwrap_or_default()
}

/// The last day an entitlement is in force: the day before its (exclusive) end, as the registry's
/// `expires_on` and the code's "works until" name it.
pub(crate) fn last_day(value: &Value) -> String {
    value
        .as_str()
        .and_then(Timestamp::parse)
        .map(|end| Timestamp(end.0 - 1).to_rfc3339())
        .and_then(|at| at.get(..10).map(str::to_string))
        .unwrap_or_default()
}

fn source(source: &Value) -> Markup {
    let number = source["number"].as_str().unwrap_or_default();
    match source["kind"].as_str().unwrap_or_default() {
        "service_contract" => html! {
            (text::ACCESS_SERVICE_CONTRACT) " " (number) " (" (source["organisation"].as_str().unwrap_or_default()) ")"
        },
        "partner_agreement" => html! {
            (text::ACCESS_PARTNER_AGREEMENT) " " (number) " (" (source["organisation"].as_str().unwrap_or_default()) ")"
        },
        "partner_sponsorship" => html! { (text::ACCESS_SPONSORED) " " (number) },
        _ => html! { (text::ACCESS_CODE_SOURCE) },
    }
}

fn render(
    ctx: &Ctx<'_>,
    access: &Answer,
    problems: &Problems,
    message: Option<&str>,
    entered: Option<&Form>,
) -> Response<Body> {
    let value = |field: &str| entered.map(|f| f.text(field)).unwrap_or_default();
    let kind = Some(value("kind"))
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "service_contract".to_string());
    let (number, code, customer_email) = (value("number"), value("code"), value("customer_email"));
    let levels: Vec<&str> = access.body["levels"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let entitlements = access.body["entitlements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let kinds = [
        (
            "service_contract".to_string(),
            text::ACCESS_SERVICE_CONTRACT.to_string(),
        ),
        (
            "partner_agreement".to_string(),
            text::ACCESS_PARTNER_AGREEMENT.to_string(),
        ),
    ];
    let labels = [
        ("kind", text::ACCESS_KIND),
        ("number", text::ACCESS_NUMBER),
        ("code", text::ACCESS_CODE),
        ("customer_email", text::ACCESS_CUSTOMER_EMAIL),
    ];
    let csrf = ctx.csrf();
    ctx.signed_in_page(
        text::ACCESS_TITLE,
        html! {
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels))
            p { (text::ACCESS_INTRO) }
            section aria-labelledby="levels" {
                h2 id="levels" { (text::ACCESS_LEVELS) }
                ul.levels {
                    @for level in &levels { li { (level_name(level)) } }
                }
                h3 { (text::ACCESS_ENTITLEMENTS) }
                @if entitlements.is_empty() {
                    p { (text::ACCESS_NONE) }
                } @else {
                    // A list, not a table: each grant reads whole on a phone.
                    ul.entitlements {
                        @for e in &entitlements {
                            li {
                                strong {
                                    (level_name(e["level"].as_str().unwrap_or_default()))
                                    @if let Some(resource) = e["resource"].as_str() { ": " (resource) }
                                }
                                br;
                                (source(&e["source"]))
                                br;
                                (text::ACCESS_GRANTED) " " (day(&e["granted_at"])) " · "
                                (text::ACCESS_UNTIL) " "
                                @if e["expires_at"].is_null() { (text::ACCESS_NO_END) }
                                @else { (last_day(&e["expires_at"])) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="claim" {
                h2 id="claim" { (text::ACCESS_CLAIM_TITLE) }
                p.hint { (text::ACCESS_CLAIM_HINT) }
                (form("/account/access/claims", &csrf, html! {
                    (select("kind", text::ACCESS_KIND, &kinds, &kind, problems))
                    (Field::new("number", text::ACCESS_NUMBER, "text").value(&number)
                        .autocomplete("off").render(problems))
                    (submit(text::ACCESS_CLAIM))
                }))
            }
            section aria-labelledby="special" {
                h2 id="special" { (text::ACCESS_CODE_TITLE) }
                p.hint { (text::ACCESS_CODE_HINT) }
                (form("/account/access/codes", &csrf, html! {
                    (Field::new("code", text::ACCESS_CODE, "text").value(&code)
                        .autocomplete("off").render(problems))
                    (submit(text::ACCESS_REDEEM))
                }))
            }
            @if levels.contains(&"partner") {
                section aria-labelledby="sponsor" {
                    h2 id="sponsor" { (text::ACCESS_SPONSOR_TITLE) }
                    p.hint { (text::ACCESS_SPONSOR_HINT) }
                    (form("/account/access/sponsorships", &csrf, html! {
                        (Field::new("customer_email", text::ACCESS_CUSTOMER_EMAIL, "email")
                            .value(&customer_email).autocomplete("off").render(problems))
                        (submit(text::ACCESS_SPONSOR))
                    }))
                }
            }
        },
    )
    .into_response()
}
