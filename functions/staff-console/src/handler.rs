//! The staff console under `/staff/`: find an account (by email or login ID) or a candidate (by
//! ID, email, last name, registration or testing ID); an account's support actions (unlock,
//! disable, enable), each with its reason; a candidate record with a manual grant; the audit log.
//!
//! As for the candidate's pages, each page calls the staff route behind it through that route's
//! own handler, in process, with the session from the cookie: so a page needs what the route
//! needs (a session that passed the authenticator, one of the route's roles), and a refusal says
//! why. Every write is audited by the route itself.

use lambda_http::{Body, Request, Response};
use maud::{html, Markup};
use serde_json::{json, Value};
use tessera_certification_routes::staff_records;
use tessera_http::candidate::CandidateState;
use tessera_http::routing::route_with_params;
use tessera_http::wiring::{FromWiring, Wiring, WiringError};
use tessera_identity_routes::staff_accounts;
use tessera_identity_routes::staff_audit::{self, AuditState};
use tessera_web::form::query_value;
use tessera_web::page::{form, notice, problem_summary, submit, with_status, Field, Problems};
use tessera_web::request::{is_path_id, not_found};
use tessera_web::{text, Answer, Form, PageRequest};

/// The secrets of the routes the console calls: the one-time-code pepper (staff-accounts issues
/// email-change codes with it).
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    ..tessera_http::config::Secrets::HTTP
};

/// What the staff routes behind the console take: the candidate state (its identity part serves
/// the account routes) and the audit log's.
#[derive(Clone)]
pub struct ConsoleState {
    pub records: CandidateState,
    pub audit: AuditState,
}

impl FromWiring for ConsoleState {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<ConsoleState, WiringError> {
        Ok(ConsoleState {
            records: CandidateState::from_wiring(wiring)?,
            audit: AuditState::from_wiring(wiring)?,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Home,
    Account,
    AccountAction,
    Candidates,
    Candidate,
    Grant,
    Audit,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/staff", Route::Home),
    ("GET", "/staff/accounts", Route::Account),
    (
        "POST",
        "/staff/accounts/{id}/{action}",
        Route::AccountAction,
    ),
    ("GET", "/staff/candidates", Route::Candidates),
    ("GET", "/staff/candidates/{id}", Route::Candidate),
    ("POST", "/staff/candidates/{id}/grants", Route::Grant),
    ("GET", "/staff/audit", Route::Audit),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

type Ctx<'a> = PageRequest<'a, ConsoleState>;

pub async fn handle(request: Request, state: ConsoleState) -> Response<Body> {
    let (route, ids) = match route_with_params(&request, ROUTES, is_path_id) {
        Ok(found) => found,
        Err(problem) if problem.status == 405 => return problem.into_response(),
        Err(_) => return not_found(),
    };
    let random = state.records.identity.random.clone();
    let mut ctx = Ctx::new(&request, &state, random.as_ref());
    let answer = if request.method() == "POST" {
        match ctx.form() {
            Ok(form) => post(route, &mut ctx, &form, &ids).await,
            Err(refusal) => refusal.into_response(),
        }
    } else {
        get(route, &mut ctx, &ids).await
    };
    ctx.finish(answer)
}

async fn get(route: Route, ctx: &mut Ctx<'_>, ids: &[String]) -> Response<Body> {
    match route {
        Route::Home => home(ctx),
        Route::Account => {
            let key = query_value(ctx.request, "account").unwrap_or_default();
            account(ctx, &key, &Problems::none(), None).await
        }
        Route::Candidates => candidates(ctx).await,
        Route::Candidate => candidate(ctx, &ids[0], &Problems::none(), None).await,
        Route::Audit => audit(ctx).await,
        _ => not_found(),
    }
}

async fn post(route: Route, ctx: &mut Ctx<'_>, posted: &Form, ids: &[String]) -> Response<Body> {
    match route {
        Route::AccountAction => account_action(ctx, posted, &ids[0], &ids[1]).await,
        Route::Grant => grant(ctx, posted, &ids[0]).await,
        _ => not_found(),
    }
}

/// A page of the console: its tabs above.
fn console_page(ctx: &Ctx<'_>, title: &str, main: Markup) -> Response<Body> {
    let tabs = [("/staff", text::FIND), ("/staff/audit", text::AUDIT_LOG)];
    ctx.signed_in_page(
        title,
        html! {
            nav.tabs aria-label=(text::STAFF_NAV_LABEL) {
                ul { @for (href, label) in tabs { li { a href=(href) { (label) } } } }
            }
            (main)
        },
    )
    .into_response()
}

/// A staff route's refusal that is about the caller (no session, not staff, no second step): the
/// route's own words, with its status.
fn refused_caller(ctx: &mut Ctx<'_>, answer: &Answer) -> Option<Response<Body>> {
    if answer.is_unauthenticated() || answer.status >= 500 {
        return Some(ctx.unexpected(answer));
    }
    (answer.status == 403).then(|| {
        let page = console_page(
            ctx,
            text::STAFF_REFUSED_TITLE,
            html! { p { (answer.detail()) } },
        );
        with_status(page, 403)
    })
}

fn reason_field(problems: &Problems) -> Markup {
    Field::new("reason", text::REASON, "text")
        .hint(text::REASON_HINT)
        .render(problems)
}

/// `GET /staff`: the two searches.
fn home(ctx: &Ctx<'_>) -> Response<Body> {
    console_page(
        ctx,
        text::STAFF_CONSOLE,
        html! {
            section aria-labelledby="find-account" {
                h2 id="find-account" { (text::FIND_ACCOUNT) }
                form method="get" action="/staff/accounts" {
                    (Field::new("account", text::EMAIL_OR_LOGIN_ID, "text").hint(text::FIND_ACCOUNT_HINT).render(&Problems::none()))
                    (submit(text::FIND))
                }
            }
            section aria-labelledby="find-candidate" {
                h2 id="find-candidate" { (text::FIND_CANDIDATE) }
                form method="get" action="/staff/candidates" {
                    (Field::new("q", text::SEARCH_TERM, "text").hint(text::FIND_CANDIDATE_HINT).render(&Problems::none()))
                    (submit(text::FIND))
                }
            }
        },
    )
}

/// The account route's query for what staff typed: an address, or a login ID.
fn account_query(key: &str) -> String {
    let name = if key.contains('@') {
        "email"
    } else {
        "username"
    };
    let value: String = form_value(key);
    format!("/v1/staff/accounts?{name}={value}")
}

/// `value` percent-encoded for a query string.
fn form_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /staff/accounts?account=…`: the account as support sees it, and its actions.
async fn account(
    ctx: &mut Ctx<'_>,
    key: &str,
    problems: &Problems,
    message: Option<&str>,
) -> Response<Body> {
    let path = account_query(key);
    let answer = ctx
        .api()
        .call(
            staff_accounts::handle,
            &ctx.state.records.identity,
            "GET",
            &path,
            None,
        )
        .await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if !answer.is_success() {
        let page = console_page(
            ctx,
            text::FIND_ACCOUNT,
            html! { (problem_summary(&Problems::from_answer(&answer), &[])) p { (text::NO_MATCH) } p { a href="/staff" { (text::FIND) } } },
        );
        return with_status(page, answer.status);
    }
    account_page(ctx, &answer.body, problems, message)
}

fn account_page(
    ctx: &Ctx<'_>,
    account: &Value,
    problems: &Problems,
    message: Option<&str>,
) -> Response<Body> {
    let id = account["account_id"].as_str().unwrap_or_default();
    let flag = |v: &Value| {
        if v == true {
            text::YES_WORD
        } else {
            text::NO_WORD
        }
    };
    let roles: Vec<&str> = account["roles"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let csrf = ctx.csrf();
    let action = |name: &str, label: &str| {
        form(
            &format!("/staff/accounts/{id}/{name}"),
            &csrf,
            html! {
                input type="hidden" name="account" value=(account["email"].as_str().unwrap_or_default());
                (reason_field(problems))
                button.secondary type="submit" { (label) }
            },
        )
    };
    console_page(
        ctx,
        &format!(
            "{}: {}",
            text::ACCOUNT,
            account["email"].as_str().unwrap_or_default()
        ),
        html! {
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &[("reason", text::REASON)]))
            dl.facts {
                dt { (text::USERNAME) } dd { (account["username"].as_str().unwrap_or_default()) }
                dt { (text::NAME) } dd { (account["first_name"].as_str().unwrap_or_default()) " " (account["last_name"].as_str().unwrap_or_default()) }
                dt { (text::STATUS) } dd { (account["status"].as_str().unwrap_or_default()) }
                dt { (text::DISABLED) } dd { (flag(&account["disabled"])) }
                dt { (text::LOCKED) } dd { (flag(&account["locked"])) }
                dt { (text::FAILED_LOGINS) } dd { (account["failed_logins"].as_u64().unwrap_or_default()) }
                dt { (text::MFA) } dd { (flag(&account["mfa"]["totp"])) }
                dt { (text::ROLES) } dd { (roles.join(", ")) }
                @if let Some(candidate) = account["candidate_id"].as_str() {
                    dt { (text::MAPPED_RECORD) } dd { a href={ "/staff/candidates/" (candidate) } { (candidate) } }
                }
            }
            h2 { (text::UNLOCK) }
            (action("unlock", text::UNLOCK))
            @if account["disabled"] == true {
                h2 { (text::ENABLE) }
                (action("enable", text::ENABLE))
            } @else {
                h2 { (text::DISABLE) }
                (action("disable", text::DISABLE))
            }
        },
    )
}

/// `POST /staff/accounts/{id}/{unlock|disable|enable}` with the reason; the account again.
async fn account_action(
    ctx: &mut Ctx<'_>,
    posted: &Form,
    id: &str,
    action: &str,
) -> Response<Body> {
    if !["unlock", "disable", "enable"].contains(&action) {
        return not_found();
    }
    let path = format!("/v1/staff/accounts/{id}/{action}");
    let answer = ctx
        .api()
        .call(
            staff_accounts::handle,
            &ctx.state.records.identity,
            "POST",
            &path,
            Some(json!({ "reason": posted.text("reason") })),
        )
        .await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if answer.is_success() {
        return account_page(ctx, &answer.body, &Problems::none(), Some(text::DONE));
    }
    let page = account(
        ctx,
        &posted.text("account"),
        &Problems::from_answer(&answer),
        None,
    )
    .await;
    with_status(page, answer.status)
}

/// A list route's answer as a page shows it: its items under `key`, what it said when it refused
/// the query, and the status the page answers with.
fn listed(answer: &Answer, key: &str) -> (Vec<Value>, Problems, u16) {
    if answer.is_success() {
        let items = answer.body[key].as_array().cloned().unwrap_or_default();
        (items, Problems::none(), 200)
    } else {
        (Vec::new(), Problems::from_answer(answer), answer.status)
    }
}

/// `GET /staff/candidates?q=…`: the records that match.
async fn candidates(ctx: &mut Ctx<'_>) -> Response<Body> {
    let q = query_value(ctx.request, "q").unwrap_or_default();
    let path = format!("/v1/staff/candidates?q={}", form_value(&q));
    let answer = ctx
        .api()
        .call(
            staff_records::handle,
            &ctx.state.records,
            "GET",
            &path,
            None,
        )
        .await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let (found, problems, status) = listed(&answer, "candidates");
    let page = console_page(
        ctx,
        text::CANDIDATES,
        html! {
            (problem_summary(&problems, &[("q", text::SEARCH_TERM)]))
            @if found.is_empty() { p { (text::NO_MATCH) } }
            ul.links {
                @for c in &found {
                    @let id = c["candidate_id"].as_str().unwrap_or_default();
                    li {
                        a href={ "/staff/candidates/" (id) } { (id) }
                        " · " (c["first_name"].as_str().unwrap_or_default()) " " (c["last_name"].as_str().unwrap_or_default())
                        " · " (c["email"].as_str().unwrap_or_default())
                    }
                }
            }
            p { a href="/staff" { (text::FIND) } }
        },
    );
    with_status(page, status)
}

/// `GET /staff/candidates/{id}`: the record, its certifications, and a manual grant.
async fn candidate(
    ctx: &mut Ctx<'_>,
    id: &str,
    problems: &Problems,
    message: Option<&str>,
) -> Response<Body> {
    let path = format!("/v1/staff/candidates/{id}");
    let answer = ctx
        .api()
        .call(
            staff_records::handle,
            &ctx.state.records,
            "GET",
            &path,
            None,
        )
        .await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if !answer.is_success() {
        return not_found();
    }
    record_page(ctx, id, &answer.body, problems, message)
}

fn record_page(
    ctx: &Ctx<'_>,
    id: &str,
    record: &Value,
    problems: &Problems,
    message: Option<&str>,
) -> Response<Body> {
    let person = &record["candidate"];
    let certifications = record["certifications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let labels = [
        ("certification_id", text::CERTIFICATION_ID),
        ("active_on", text::ACTIVE_ON),
        ("expires_on", text::EXPIRES_ON),
        ("reason", text::REASON),
    ];
    console_page(
        ctx,
        &format!("{}: {id}", text::RECORD),
        html! {
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels))
            dl.facts {
                dt { (text::NAME) } dd { (person["first_name"].as_str().unwrap_or_default()) " " (person["last_name"].as_str().unwrap_or_default()) }
                dt { (text::BADGING_EMAIL) } dd { (person["email"].as_str().unwrap_or_default()) }
                dt { (text::ACCOUNT) } dd { (person["account_id"].as_str().unwrap_or("—")) }
            }
            h2 { (text::CERTIFICATIONS) }
            div.table-wrap tabindex="0" role="region" aria-label=(text::CERTIFICATIONS) { table {
                thead { tr {
                    th scope="col" { (text::NAME) } th scope="col" { (text::STATUS) }
                    th scope="col" { (text::ACTIVE_SINCE) } th scope="col" { (text::EXPIRES) }
                } }
                tbody { @for c in &certifications { tr {
                    td { (c["name"].as_str().unwrap_or_default()) }
                    td { (c["status"].as_str().unwrap_or_default()) }
                    td { (c["active"].as_str().unwrap_or(text::NOT_APPLICABLE)) }
                    td { (c["expires"].as_str().unwrap_or(text::NOT_APPLICABLE)) }
                } } }
            } }
            h2 { (text::GRANT) }
            p.hint { (text::GRANT_HINT) }
            (form(&format!("/staff/candidates/{id}/grants"), &ctx.csrf(), html! {
                (Field::new("certification_id", text::CERTIFICATION_ID, "text").render(problems))
                (Field::new("active_on", text::ACTIVE_ON, "text").render(problems))
                (Field::new("expires_on", text::EXPIRES_ON, "text").optional().render(problems))
                (reason_field(problems))
                (submit(text::GRANT))
            }))
        },
    )
}

/// `POST /staff/candidates/{id}/grants`: the manual grant; the record again.
async fn grant(ctx: &mut Ctx<'_>, posted: &Form, id: &str) -> Response<Body> {
    let mut body = json!({
        "certification_id": posted.text("certification_id"),
        "active_on": posted.text("active_on"),
        "reason": posted.text("reason"),
    });
    let expires = posted.text("expires_on");
    if !expires.is_empty() {
        body["expires_on"] = json!(expires);
    }
    let path = format!("/v1/staff/candidates/{id}/grants");
    let answer = ctx
        .api()
        .call(
            staff_records::handle,
            &ctx.state.records,
            "POST",
            &path,
            Some(body),
        )
        .await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if answer.is_success() {
        return record_page(ctx, id, &answer.body, &Problems::none(), Some(text::DONE));
    }
    let page = candidate(ctx, id, &Problems::from_answer(&answer), None).await;
    with_status(page, answer.status)
}

/// `GET /staff/audit?subject=…&actor=…`: the newest events first.
async fn audit(ctx: &mut Ctx<'_>) -> Response<Body> {
    let mut query = Vec::new();
    for name in ["subject", "actor"] {
        if let Some(value) = query_value(ctx.request, name).filter(|v| !v.is_empty()) {
            query.push(format!("{name}={}", form_value(&value)));
        }
    }
    let path = if query.is_empty() {
        "/v1/staff/audit".to_string()
    } else {
        format!("/v1/staff/audit?{}", query.join("&"))
    };
    let answer = ctx
        .api()
        .call(staff_audit::handle, &ctx.state.audit, "GET", &path, None)
        .await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let (events, problems, status) = listed(&answer, "events");
    let page = console_page(
        ctx,
        text::AUDIT_LOG,
        html! {
            (problem_summary(&problems, &[("subject", text::SUBJECT), ("actor", text::ACTOR)]))
            form method="get" action="/staff/audit" {
                (Field::new("subject", text::SUBJECT, "text").optional().render(&Problems::none()))
                (Field::new("actor", text::ACTOR, "text").optional().render(&Problems::none()))
                (submit(text::FIND))
            }
            @if events.is_empty() { p { (text::NO_MATCH) } } @else {
                div.table-wrap tabindex="0" role="region" aria-label=(text::AUDIT_LOG) { table {
                    thead { tr {
                        th scope="col" { (text::WHEN) } th scope="col" { (text::ACTOR) }
                        th scope="col" { (text::ACTION) } th scope="col" { (text::SUBJECT) }
                        th scope="col" { (text::REASON) }
                    } }
                    tbody { @for e in &events { tr {
                        td { (e["at"].as_str().unwrap_or_default()) }
                        td { (e["actor"].as_str().unwrap_or_default()) }
                        td { (e["action"].as_str().unwrap_or_default()) }
                        td { (e["subject"].as_str().unwrap_or_default()) }
                        td { (e["reason"].as_str().unwrap_or_default()) }
                    } } }
                } }
            }
        },
    );
    with_status(page, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_staff_type_is_sent_as_the_routes_query() {
        assert_eq!(
            account_query("ada+x@example.com"),
            "/v1/staff/accounts?email=ada%2Bx%40example.com"
        );
        assert_eq!(
            account_query("TS00000001"),
            "/v1/staff/accounts?username=TS00000001"
        );
    }
}
