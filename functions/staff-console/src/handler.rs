//! The staff console under `/staff/`: find an account (by email or login ID) or a candidate (by
//! ID, email, last name, registration or testing ID); an account's support actions (unlock,
//! disable, enable, a new sign-in address, roles, the person's data exported or erased on their
//! request); a candidate record's (edit, grant, revoke,
//! suspend or reinstate, merge, unlink or link elsewhere); the catalog's versions; the fulfillment
//! house's queue (and its CSV) and an order's status, reprint and refund; the audit log.
//!
//! As for the candidate's pages, each page calls the staff route behind it through that route's
//! own handler, in process, with the session from the cookie: so a page needs what the route
//! needs (a session that passed the authenticator, one of the route's roles), and a refusal says
//! why. Every write is audited by the route itself.

mod accounts;
mod audit;
mod catalog;
mod orders;
mod records;

use lambda_http::{Body, Request, Response};
use maud::html;
use serde_json::Value;
use tessera_certification_routes::staff_records;
use tessera_fulfillment_routes::staff_orders::StaffOrdersState;
use tessera_fulfillment_routes::staff_privacy::PrivacyState;
use tessera_http::candidate::CandidateState;
use tessera_http::routing::route_with_params;
use tessera_http::wiring::{FromWiring, Wiring, WiringError};
use tessera_identity_routes::staff_audit::AuditState;
use tessera_web::console::{console_page, Posted};
use tessera_web::page::{submit, Field, Problems};
use tessera_web::request::{is_path_id, not_found};
use tessera_web::{text, Answer, Form, PageRequest};

/// The secrets of the routes the console calls: the one-time-code pepper (staff-accounts issues
/// email-change codes with it) and the payment provider's key (staff-orders refunds).
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    code_pepper: true,
    payment_api_key: true,
    ..tessera_http::config::Secrets::HTTP
};

/// What the staff routes behind the console take: the candidate state (its identity part serves
/// the account routes), the audit log's, the privacy routes' (which reach orders) and the order
/// routes'.
#[derive(Clone)]
pub struct ConsoleState {
    pub records: CandidateState,
    pub audit: AuditState,
    pub privacy: PrivacyState,
    pub orders: StaffOrdersState,
}

impl FromWiring for ConsoleState {
    /// The identity and certification ports are built once and shared by the four states (each
    /// building its own made the console's cold start the slowest of the suite: the mail clients
    /// and the built-in catalog, several times over).
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<ConsoleState, WiringError> {
        let identity = wiring.identity_deps()?;
        let certification = wiring.certification_deps()?;
        let audit = wiring.audit_log()?;
        Ok(ConsoleState {
            records: CandidateState {
                identity: identity.clone(),
                certification: certification.clone(),
                public_url: wiring.config().public_url.clone(),
            },
            audit: AuditState {
                identity: identity.clone(),
                audit: audit.clone(),
            },
            privacy: PrivacyState {
                identity: identity.clone(),
                certification: certification.clone(),
                orders: wiring.orders()?,
                audit,
                access: wiring.access_deps()?.store,
                consents: wiring.oidc_store()?,
            },
            orders: StaffOrdersState {
                identity,
                certification,
                fulfillment: tessera_http::wiring::fulfillment_deps(wiring)?,
            },
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Home,
    Account,
    AccountExport,
    AccountAction,
    Candidates,
    Candidate,
    CandidateAction,
    Catalog,
    PublishCatalog,
    Orders,
    OrdersCsv,
    Order,
    OrderAction,
    Audit,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/staff", Route::Home),
    ("GET", "/staff/accounts", Route::Account),
    ("GET", "/staff/accounts/{id}/export", Route::AccountExport),
    (
        "POST",
        "/staff/accounts/{id}/{action}",
        Route::AccountAction,
    ),
    ("GET", "/staff/candidates", Route::Candidates),
    ("GET", "/staff/candidates/{id}", Route::Candidate),
    (
        "POST",
        "/staff/candidates/{id}/{action}",
        Route::CandidateAction,
    ),
    ("GET", "/staff/catalog", Route::Catalog),
    ("POST", "/staff/catalog", Route::PublishCatalog),
    ("GET", "/staff/orders", Route::Orders),
    ("GET", "/staff/orders.csv", Route::OrdersCsv),
    ("GET", "/staff/orders/{id}", Route::Order),
    ("POST", "/staff/orders/{id}/{action}", Route::OrderAction),
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
        // The catalog's text may be far larger than any other form.
        let posted = match route {
            Route::PublishCatalog => ctx.form_up_to(catalog::MAX_FORM),
            _ => ctx.form(),
        };
        match posted {
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
        Route::Account => accounts::show(ctx).await,
        Route::AccountExport => accounts::export(ctx, &ids[0]).await,
        Route::Candidates => records::search(ctx).await,
        Route::Candidate => records::show(ctx, &ids[0], Posted::Nothing).await,
        Route::Catalog => catalog::show(ctx, Posted::Nothing, None).await,
        Route::Orders => orders::queue(ctx).await,
        Route::OrdersCsv => orders::export(ctx).await,
        Route::Order => orders::show(ctx, &ids[0], Posted::Nothing).await,
        Route::Audit => audit::show(ctx).await,
        _ => not_found(),
    }
}

async fn post(route: Route, ctx: &mut Ctx<'_>, posted: &Form, ids: &[String]) -> Response<Body> {
    match route {
        Route::AccountAction => accounts::act(ctx, posted, &ids[0], &ids[1]).await,
        Route::CandidateAction => records::act(ctx, posted, &ids[0], &ids[1]).await,
        Route::PublishCatalog => catalog::publish(ctx, posted).await,
        Route::OrderAction => orders::act(ctx, posted, &ids[0], &ids[1]).await,
        _ => not_found(),
    }
}

/// A staff-records route (records and the catalog), called in process.
async fn records_call(ctx: &Ctx<'_>, method: &str, path: &str, body: Option<Value>) -> Answer {
    ctx.api()
        .call(
            staff_records::handle,
            &ctx.state.records,
            method,
            path,
            body,
        )
        .await
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
