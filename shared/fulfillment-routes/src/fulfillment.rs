//! Fulfillment: printed certificate kits.
//!
//! - `GET /v1/candidate/fulfillment/catalog` → the kits of the candidate's active certifications
//!   (the unclaimed initial kit at 0) and the tracking fee
//! - `POST /v1/candidate/fulfillment/orders` (header `Idempotency-Key`) → 201 the order; 409
//!   `idempotency_key_reused` or `initial_kit_claimed`; 502 when the payment provider fails (the
//!   same key retries it)
//! - `GET /v1/candidate/fulfillment/orders[/{id}]` → history, with verification codes and status
//! - `POST /v1/payments/webhook` → the provider's signed event (`payments.rs`)
//! - `GET|POST /v1/payments/sandbox/{session}` → the sandbox provider's checkout page
//! - `POST /v1/admin/fulfillment/orders/{id}/status` → the fulfillment house's report

mod payments;
pub(crate) mod requests;

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use tessera_certification::{CandidateRecord, CertificationDeps};
use tessera_fulfillment::order::{OrderBook, OrderId};
use tessera_fulfillment::ordering;
use tessera_fulfillment::ordering::{FulfillmentDeps, OrderError, ReportError};
use tessera_fulfillment::payment::{PaymentError, SandboxPayments};
use tessera_fulfillment::views::{self, order_json};
use tessera_fulfillment::{ItemKind, QuoteError, MAX_QUANTITY};
use tessera_http::candidate::{holder, mapped_record};
use tessera_http::config::AdminAuth;
use tessera_http::routing::{pairs, route_with_params, Route};
use tessera_http::{auth, response, Problem};
use tessera_identity::account::Profile;
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::audit::{Attribution, AuditParty, Reason};

/// The secrets this function uses (checkouts, and the provider's signed events): the only ones it
/// reads, and the only ones the template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    payment_api_key: true,
    webhook_secret: true,
    ..tessera_http::config::Secrets::HTTP
};

#[derive(Clone)]
pub struct FulfillmentState {
    pub identity: IdentityDeps,
    pub certification: CertificationDeps,
    pub fulfillment: FulfillmentDeps,
    /// Whether the sandbox provider is configured (its checkout page answers only then).
    pub sandbox: bool,
    pub admin: AdminAuth,
}

impl tessera_http::wiring::FromWiring for FulfillmentState {
    fn from_wiring<W: tessera_http::wiring::Wiring + ?Sized>(
        wiring: &W,
    ) -> Result<FulfillmentState, tessera_http::wiring::WiringError> {
        Ok(FulfillmentState {
            identity: wiring.identity_deps()?,
            certification: wiring.certification_deps()?,
            fulfillment: tessera_http::wiring::fulfillment_deps(wiring)?,
            sandbox: wiring.payment()?.provider == tessera_http::config::PaymentProvider::Sandbox,
            admin: wiring.config().admin.clone(),
        })
    }
}

const CATALOG: &str = "/v1/candidate/fulfillment/catalog";
const ORDERS: &str = "/v1/candidate/fulfillment/orders";
const WEBHOOK: &str = "/v1/payments/webhook";
/// Where the sandbox checkout pages are (`{session}` follows).
const SANDBOX: &str = "/v1/payments/sandbox/";

#[derive(Clone, Copy)]
enum Fulfillment {
    Catalog,
    Place,
    History,
    Order,
    Webhook,
    SandboxPage,
    SandboxDecision,
    Report,
}

const ROUTES: &[Route<Fulfillment>] = &[
    ("GET", CATALOG, Fulfillment::Catalog),
    ("POST", ORDERS, Fulfillment::Place),
    ("GET", ORDERS, Fulfillment::History),
    (
        "GET",
        "/v1/candidate/fulfillment/orders/{id}",
        Fulfillment::Order,
    ),
    ("POST", WEBHOOK, Fulfillment::Webhook),
    (
        "GET",
        "/v1/payments/sandbox/{session}",
        Fulfillment::SandboxPage,
    ),
    (
        "POST",
        "/v1/payments/sandbox/{session}",
        Fulfillment::SandboxDecision,
    ),
    (
        "POST",
        "/v1/admin/fulfillment/orders/{id}/status",
        Fulfillment::Report,
    ),
];

/// This function's routes, as the template lists them.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    pairs(ROUTES)
}

/// A path parameter: an order id, or a sandbox checkout session (which names its order). Any
/// other segment names nothing (404).
fn order_or_session(segment: &str) -> bool {
    OrderId::parse(segment).is_some() || SandboxPayments::order_of(segment).is_some()
}

pub async fn handle(request: Request, state: FulfillmentState) -> Response<Body> {
    let state = FulfillmentState {
        certification: state.certification.with_current_catalog().await,
        ..state
    };
    let (route, parameters) = match route_with_params(&request, ROUTES, order_or_session) {
        Ok(found) => found,
        Err(problem) => return problem.into_response(),
    };
    let parameter = parameters.first().map(String::as_str).unwrap_or_default();
    let (request, state) = (&request, &state);
    let result = match route {
        Fulfillment::Catalog => catalog(request, state).await,
        Fulfillment::Place => place(request, state).await,
        Fulfillment::History => history(request, state).await,
        Fulfillment::Order => one_order(request, state, parameter).await,
        Fulfillment::Webhook => payments::webhook(request, state).await,
        Fulfillment::SandboxPage => payments::sandbox_page(state, parameter).await,
        Fulfillment::SandboxDecision => payments::sandbox_decision(request, state, parameter).await,
        Fulfillment::Report => report(request, state, parameter).await,
    };
    result.unwrap_or_else(Problem::into_response)
}

/// The signed-in candidate's account and record (401, or 404 `not_mapped`).
async fn candidate(
    request: &Request,
    state: &FulfillmentState,
) -> Result<(Profile, CandidateRecord), Problem> {
    let (_, account) = auth::authenticate(request, &state.identity).await?;
    let record = mapped_record(&state.certification, &holder(&account)).await?;
    Ok((account, record))
}

async fn catalog(request: &Request, state: &FulfillmentState) -> Result<Response<Body>, Problem> {
    let (_, record) = candidate(request, state).await?;
    let prices = &state.fulfillment.prices;
    let items = ordering::catalog(&state.certification, &state.fulfillment, &record)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let kits: Vec<_> = items
        .iter()
        .filter(|i| i.kind == ItemKind::CertificateKit)
        .collect();
    Ok(response::json(
        200,
        &json!({
            "items": items,
            "kits": kits,
            "kit_price_cents": prices.kit_cents,
            "prices": {
                "certificate_kit": prices.kit_cents,
                "plaque": prices.plaque_cents,
                "recognition_letter": prices.letter_cents,
            },
            "tracking": { "price_cents": prices.tracking_cents },
            "currency": prices.currency,
            "max_quantity": MAX_QUANTITY,
            "payment_methods": ["card", "paypal"],
            "delivery_note": views::DELIVERY_NOTE,
        }),
    ))
}

async fn place(request: &Request, state: &FulfillmentState) -> Result<Response<Body>, Problem> {
    let (account, record) = candidate(request, state).await?;
    let key = requests::idempotency_key(request)?;
    let order_request = requests::order_request(request)?;
    let order = ordering::place(
        &state.certification,
        &state.fulfillment,
        &record,
        account.email.as_str(),
        &key,
        &order_request,
    )
    .await
    .map_err(order_problem)?;
    Ok(response::json(201, &order_json(&order)))
}

/// The signed-in candidate's orders (one query).
async fn own_orders(request: &Request, state: &FulfillmentState) -> Result<OrderBook, Problem> {
    let (_, record) = candidate(request, state).await?;
    state
        .fulfillment
        .orders
        .order_book(&record.profile.candidate_id)
        .await
        .map_err(|e| Problem::internal(&e))
}

async fn history(request: &Request, state: &FulfillmentState) -> Result<Response<Body>, Problem> {
    let book = own_orders(request, state).await?;
    // Newest first, as a history reads.
    let orders: Vec<Value> = book.orders.iter().rev().map(order_json).collect();
    let transactions = views::transactions(&book.orders);
    Ok(response::json(
        200,
        &json!({ "orders": orders, "transactions": transactions }),
    ))
}

async fn one_order(
    request: &Request,
    state: &FulfillmentState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let id = OrderId::parse(id).ok_or_else(Problem::not_found)?;
    let book = own_orders(request, state).await?;
    // Another candidate's order is as unknown as one that does not exist.
    let order = book.by_id(&id).ok_or_else(order_not_found)?;
    Ok(response::json(200, &order_json(order)))
}

async fn report(
    request: &Request,
    state: &FulfillmentState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let caller = auth::require_admin(request, &state.admin)?;
    let id = OrderId::parse(id).ok_or_else(Problem::not_found)?;
    let (status, tracking_number) = requests::status_report(request)?;
    let reason = Reason::parse("the fulfillment house's report").expect("a fixed reason");
    let by = Attribution::new(AuditParty::new("admin", &caller), reason);
    let order = ordering::report(
        &state.certification,
        &state.fulfillment,
        &id,
        status,
        tracking_number,
        by,
    )
    .await
    .map_err(report_problem)?;
    Ok(response::json(200, &order_json(&order)))
}

/// A status report's refusal: the order unknown, or a change its status does not allow.
pub(crate) fn report_problem(e: ReportError) -> Problem {
    match e {
        ReportError::NotFound => order_not_found(),
        ReportError::Transition { from, to } => Problem::new(
            409,
            "invalid_transition",
            "Status change not allowed",
            format!(
                "An order that is {} cannot become {}.",
                from.as_str(),
                to.as_str()
            ),
        ),
        ReportError::Store(e) => Problem::internal(&e),
    }
}

pub(crate) fn order_not_found() -> Problem {
    Problem::new(
        404,
        "order_not_found",
        "No such order",
        "This candidate has no order with that id.",
    )
}

fn order_problem(e: OrderError) -> Problem {
    match e {
        OrderError::Quote(q) => {
            let (code, detail) = match &q {
                QuoteError::Empty => ("invalid_items", q.to_string()),
                QuoteError::NotOffered(_) => ("kit_not_offered", format!("{q}: kits are for active certifications.")),
                QuoteError::Repeated(_) => ("invalid_items", q.to_string()),
                QuoteError::Quantity => ("invalid_quantity", q.to_string()),
            };
            Problem::new(422, "validation_failed", "Order refused", detail.clone()).with_errors(
                vec![tessera_http::problem::FieldError::new("items", code, detail)],
            )
        }
        OrderError::KeyReused => Problem::new(
            409,
            "idempotency_key_reused",
            "Idempotency-Key already used",
            "This Idempotency-Key was sent with another order; use a new key for a new order.",
        ),
        OrderError::KitClaimed => Problem::new(
            409,
            "initial_kit_claimed",
            "Initial kit already claimed",
            "An initial kit in this order was claimed by another order; see the catalog for current prices.",
        ),
        OrderError::Payment(e) => {
            tracing::warn!(error = %e, "checkout not created");
            let detail = match e {
                PaymentError::Unavailable(_) => "The payment provider did not answer. Retry with the same Idempotency-Key: the order is kept.",
                PaymentError::Refused(_) => "The payment provider refused the checkout. The order is kept; contact support.",
            };
            Problem::new(502, "payment_provider_unavailable", "Payment provider unavailable", detail)
        }
        OrderError::Store(e) => Problem::internal(&e),
    }
}

/// An order as the candidate sees it: no idempotency data, no stored email.
#[cfg(test)]
mod tests {
    use super::*;
    use tessera_http::routing::route_path;

    fn found(method: &str, path: &str) -> Option<Vec<String>> {
        let found = route_path(method, path, ROUTES, order_or_session);
        found.ok().map(|(_, parameters)| parameters)
    }

    #[test]
    fn order_paths_need_a_well_formed_id() {
        let id = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            found("GET", &format!("{ORDERS}/{id}")),
            Some(vec![id.to_string()])
        );
        assert!(found("GET", &format!("{ORDERS}/{id}/x")).is_none());
        assert!(found("GET", &format!("{ORDERS}/../{id}")).is_none());
        let admin = "/v1/admin/fulfillment/orders";
        assert!(found("POST", &format!("{admin}/{id}/status")).is_some());
        assert!(found("POST", &format!("{admin}/{id}")).is_none());
    }
}
