//! The fulfillment house's queue and an order's handling by staff (staff sessions only, each
//! route naming its roles):
//!
//! - `GET /v1/staff/orders?status=…&since=…&limit=…` → 200 `{orders}`, oldest first; with
//!   `Accept: text/csv`, the same rows as CSV (fulfillment, program_admin, support, auditor)
//! - `GET /v1/staff/orders/{id}` → 200 the order, with its candidate (the same roles)
//! - `POST /v1/staff/orders/{id}/status` `{status, tracking_number?, reason}` → 200 the order,
//!   reported sent (with the carrier's number), complete or cancelled as the house reports it
//!   (fulfillment, program_admin); reporting the status it has already changes nothing
//! - `POST /v1/staff/orders/{id}/refund` `{reason}` → 200 the order, refunded through the payment
//!   provider (fulfillment, program_admin); asking again answers the same refund
//! - `POST /v1/staff/orders/{id}/reprint` `{reason}` → 201 a free reprint of a shipped order's
//!   kits, queued (fulfillment, program_admin, support); asking again answers the same reprint

use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use tessera_certification::CertificationDeps;
use tessera_fulfillment::order::{Order, OrderId, OrderStatus};
use tessera_fulfillment::ordering::{find_order, money, report, FulfillmentDeps};
use tessera_fulfillment::refunds::{refund, RefundError};
use tessera_fulfillment::reprints::{reprint, ReprintError};
use tessera_fulfillment::views::order_json;

use crate::fulfillment::requests::staff_status_report;
use crate::fulfillment::{order_not_found, report_problem};
use tessera_http::problem::FieldError;
use tessera_http::routing::route_with_params;
use tessera_http::staff::{reason_only, StaffCaller};
use tessera_http::{response, Problem};
use tessera_identity::signup::IdentityDeps;
use tessera_identity::staff::Role;
use tessera_kernel::time::Timestamp;

/// The provider's API key (refunds); the edge layer's secret as every HTTP function.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    payment_api_key: true,
    ..tessera_http::config::Secrets::HTTP
};

const READERS: &[Role] = &[
    Role::Fulfillment,
    Role::ProgramAdmin,
    Role::Support,
    Role::Auditor,
];
const REFUNDERS: &[Role] = &[Role::Fulfillment, Role::ProgramAdmin];
const REPORTERS: &[Role] = &[Role::Fulfillment, Role::ProgramAdmin];
const REPRINTERS: &[Role] = &[Role::Fulfillment, Role::ProgramAdmin, Role::Support];
const DEFAULT_LIMIT: usize = 500;
const MAX_LIMIT: usize = 1000;

#[derive(Clone)]
pub struct StaffOrdersState {
    pub identity: IdentityDeps,
    pub certification: CertificationDeps,
    pub fulfillment: FulfillmentDeps,
}

impl tessera_http::wiring::FromWiring for StaffOrdersState {
    fn from_wiring<W: tessera_http::wiring::Wiring + ?Sized>(
        wiring: &W,
    ) -> Result<StaffOrdersState, tessera_http::wiring::WiringError> {
        Ok(StaffOrdersState {
            identity: wiring.identity_deps()?,
            certification: wiring.certification_deps()?,
            fulfillment: tessera_http::wiring::fulfillment_deps(wiring)?,
        })
    }
}

#[derive(Clone, Copy)]
enum Route {
    Queue,
    Order,
    Status,
    Refund,
    Reprint,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/v1/staff/orders", Route::Queue),
    ("GET", "/v1/staff/orders/{id}", Route::Order),
    ("POST", "/v1/staff/orders/{id}/status", Route::Status),
    ("POST", "/v1/staff/orders/{id}/refund", Route::Refund),
    ("POST", "/v1/staff/orders/{id}/reprint", Route::Reprint),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, state: StaffOrdersState) -> Response<Body> {
    let result = match route_with_params(&request, ROUTES, |s| OrderId::parse(s).is_some()) {
        Ok((Route::Queue, _)) => queue(&request, &state).await,
        Ok((Route::Order, params)) => one_order(&request, &state, &params[0]).await,
        Ok((Route::Status, params)) => report_status(&request, &state, &params[0]).await,
        Ok((Route::Refund, params)) => refund_order(&request, &state, &params[0]).await,
        Ok((Route::Reprint, params)) => reprint_order(&request, &state, &params[0]).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

async fn queue(request: &Request, state: &StaffOrdersState) -> Result<Response<Body>, Problem> {
    StaffCaller::admit(request, &state.identity, READERS).await?;
    let params = request.query_string_parameters();
    let mut errors = Vec::new();
    let status = OrderStatus::parse(params.first("status").unwrap_or("queued")).or_else(|| {
        let statuses = "pending_payment, queued, sent, complete, cancelled or refunded";
        errors.push(FieldError::new(
            "status",
            "invalid",
            format!("status is {statuses}"),
        ));
        None
    });
    let since = match params.first("since") {
        None => Some(Timestamp(0)),
        Some(raw) => Timestamp::parse(raw).or_else(|| {
            let message = "since is an RFC 3339 time or a date (YYYY-MM-DD)";
            errors.push(FieldError::new("since", "invalid", message));
            None
        }),
    };
    let limit = match params.first("limit") {
        None => Some(DEFAULT_LIMIT),
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .or_else(|| {
                errors.push(FieldError::new("limit", "invalid", "limit is 1 to 1000"));
                None
            }),
    };
    let (Some(status), Some(since), Some(limit)) = (status, since, limit) else {
        return Err(Problem::validation(errors));
    };
    let orders = state
        .fulfillment
        .orders
        .queue(status, since, limit)
        .await
        .map_err(|e| Problem::internal(&e))?;
    if wants_csv(request) {
        return Ok(response::with_body(
            200,
            "text/csv; charset=utf-8",
            queue_csv(&orders).map_err(|e| Problem::internal(&e))?,
        ));
    }
    let rows: Vec<_> = orders.iter().map(staff_order_json).collect();
    Ok(response::json(200, &json!({ "orders": rows })))
}

/// An order as staff see it: the candidate's view and whose it is.
fn staff_order_json(order: &Order) -> serde_json::Value {
    let mut row = order_json(order);
    row["candidate_id"] = json!(order.candidate_id.as_str());
    row
}

async fn one_order(
    request: &Request,
    state: &StaffOrdersState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    StaffCaller::admit(request, &state.identity, READERS).await?;
    let id = OrderId::parse(id).ok_or_else(order_not_found)?;
    let order = find_order(state.fulfillment.orders.as_ref(), &id)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(order_not_found)?;
    Ok(response::json(200, &staff_order_json(&order)))
}

async fn report_status(
    request: &Request,
    state: &StaffOrdersState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, REPORTERS).await?;
    let id = OrderId::parse(id).ok_or_else(order_not_found)?;
    let (status, tracking_number, reason) = staff_status_report(request)?;
    if status == OrderStatus::Refunded {
        // Staff refund through the provider (the refund route); only the house reports one it made.
        return Err(Problem::validation(vec![FieldError::new(
            "status",
            "invalid_status",
            "a refund by staff goes through the refund route (POST /v1/staff/orders/{id}/refund)",
        )]));
    }
    let order = report(
        &state.certification,
        &state.fulfillment,
        &id,
        status,
        tracking_number,
        staff.by(reason),
    )
    .await
    .map_err(report_problem)?;
    Ok(response::json(200, &staff_order_json(&order)))
}

/// Whether the caller asked for CSV (`Accept: text/csv`) rather than JSON.
fn wants_csv(request: &Request) -> bool {
    request
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .any(|kind| kind.trim().starts_with("text/csv"))
        })
}

/// One row per order: what the fulfillment house needs to pick, pack and ship it.
fn queue_csv(orders: &[Order]) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "order_id",
        "candidate_id",
        "status",
        "placed_at",
        "items",
        "tracking",
        "tracking_number",
        "first_name",
        "last_name",
        "email",
        "phone",
        "address",
        "address_cont",
        "city",
        "region",
        "postal_code",
        "country",
        "total",
        "refund_id",
    ])?;
    for o in orders {
        let items = o
            .items
            .iter()
            .map(|i| {
                format!(
                    "{} x {} ({})",
                    i.line.quantity, i.line.name, i.verification_code
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let s = &o.shipping;
        out.write_record([
            o.id.as_str(),
            o.candidate_id.as_str(),
            o.status.as_str(),
            &o.created_at.to_rfc3339(),
            &items,
            if o.tracking { "yes" } else { "no" },
            o.tracking_number.as_deref().unwrap_or_default(),
            &s.first_name,
            &s.last_name,
            &s.email,
            &s.phone,
            &s.address,
            s.address_cont.as_deref().unwrap_or_default(),
            &s.city,
            s.region.as_deref().unwrap_or_default(),
            s.postal_code.as_deref().unwrap_or_default(),
            s.country.as_str(),
            &money(o.total_cents, &o.currency),
            o.refund_id.as_deref().unwrap_or_default(),
        ])?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

async fn refund_order(
    request: &Request,
    state: &StaffOrdersState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, REFUNDERS).await?;
    let id = OrderId::parse(id).ok_or_else(Problem::not_found)?;
    let reason = reason_only(request)?;
    let by = staff.by(reason);
    match refund(&state.certification, &state.fulfillment, &id, &by).await {
        Ok(order) => Ok(response::json(200, &order_json(&order))),
        Err(RefundError::NotFound) => Err(Problem::not_found()),
        Err(RefundError::NothingPaid(status)) => Err(Problem::new(
            409,
            "nothing_to_refund",
            "Nothing to refund",
            format!(
                "The order is {} and nothing was paid for it.",
                status.as_str()
            ),
        )),
        Err(RefundError::Payment(e)) => {
            tracing::warn!(order = %id.as_str(), error = %e, "refund refused by the provider");
            Err(Problem::new(
                502,
                "payment_provider_error",
                "The payment provider did not refund",
                "The payment provider did not refund the order; nothing changed. Try again.",
            ))
        }
        Err(RefundError::Store(e)) => Err(Problem::internal(&e)),
    }
}

async fn reprint_order(
    request: &Request,
    state: &StaffOrdersState,
    id: &str,
) -> Result<Response<Body>, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, REPRINTERS).await?;
    let id = OrderId::parse(id).ok_or_else(Problem::not_found)?;
    let reason = reason_only(request)?;
    match reprint(
        &state.certification,
        &state.fulfillment,
        &id,
        &staff.by(reason),
    )
    .await
    {
        Ok(order) => Ok(response::json(201, &order_json(&order))),
        Err(ReprintError::NotFound) => Err(Problem::not_found()),
        Err(ReprintError::NotShipped(status)) => Err(Problem::new(
            409,
            "not_shipped",
            "Not shipped",
            format!(
                "The order is {}: only a kit that has shipped is reprinted.",
                status.as_str()
            ),
        )),
        Err(ReprintError::Store(e)) => Err(Problem::internal(&e)),
    }
}
