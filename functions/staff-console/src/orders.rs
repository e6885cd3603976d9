//! The fulfillment house's desk: the queue by status and date (and the same rows as CSV), and one
//! order with what staff may do to it as its status allows (report it sent with the carrier's
//! number, complete or cancelled; send a shipped kit again; refund it through the provider).

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_fulfillment_routes::staff_orders;
use tessera_web::form::query_value;
use tessera_web::orders::{items, money, order_facts, order_items, status_label, STATUSES};
use tessera_web::page::{problem_summary, submit, with_status, Field, Problems};
use tessera_web::request::not_found;
use tessera_web::{text, Answer, Form};

use crate::Ctx;
use tessera_web::console::{
    action_form, console_page, listed, one_thing, query_escaped, refused_caller, str_of, Posted,
};

/// What an order's forms post: the three status reports, a reprint and a refund.
const ACTIONS: &[&str] = &["sent", "complete", "cancelled", "reprint", "refund"];

const LABELS: &[(&str, &str)] = &[
    ("status", text::STATUS),
    ("since", text::ORDERS_SINCE),
    ("limit", text::ORDERS),
    ("tracking_number", text::TRACKING_NUMBER_OPTIONAL),
    ("reason", text::REASON),
];

/// The queue route's query for the page's filter: the status (the route's default, queued, when
/// none is chosen) and the day, each only when given.
fn queue_query(status: &str, since: &str) -> String {
    let mut query = Vec::new();
    if !status.is_empty() {
        query.push(format!("status={}", query_escaped(status)));
    }
    if !since.is_empty() {
        query.push(format!("since={}", query_escaped(since)));
    }
    query.join("&")
}

/// The filter the page was opened with.
fn filter(ctx: &Ctx<'_>) -> (String, String) {
    let value = |name| query_value(ctx.request, name).unwrap_or_default();
    (value("status"), value("since"))
}

async fn call(ctx: &Ctx<'_>, method: &str, path: &str, body: Option<Value>) -> Answer {
    ctx.api()
        .call(staff_orders::handle, &ctx.state.orders, method, path, body)
        .await
}

/// `GET /staff/orders?status=…&since=…`: the queue, oldest first.
pub(crate) async fn queue(ctx: &mut Ctx<'_>) -> Response<Body> {
    let (status, since) = filter(ctx);
    let query = queue_query(&status, &since);
    let answer = call(ctx, "GET", &format!("/v1/staff/orders?{query}"), None).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let (orders, problems, code) = listed(&answer, "orders");
    let chosen = if status.is_empty() {
        "queued"
    } else {
        status.as_str()
    };
    let menu: Vec<(String, String)> = STATUSES
        .iter()
        .map(|(value, label)| (value.to_string(), label.to_string()))
        .collect();
    let page = console_page(
        ctx,
        text::ORDER_QUEUE,
        html! {
            (problem_summary(&problems, LABELS))
            form method="get" action="/staff/orders" {
                (Field::new("status", text::STATUS, "select").options(&menu).value(chosen).render(&problems))
                (Field::new("since", text::ORDERS_SINCE, "text").optional().value(&since).render(&problems))
                (submit(text::FIND))
            }
            @if orders.is_empty() { p { (text::NO_MATCH) } } @else {
                p { a href={ "/staff/orders.csv?" (query) } download { (text::DOWNLOAD_CSV) } }
                div.table-wrap tabindex="0" role="region" aria-label=(text::ORDERS) { table {
                    thead { tr {
                        th scope="col" { (text::ORDER) } th scope="col" { (text::PLACED) }
                        th scope="col" { (text::STATUS) } th scope="col" { (text::ITEMS) }
                        th scope="col" { (text::SHIP_TO) } th scope="col" { (text::TOTAL) }
                    } }
                    tbody { @for o in &orders {
                        @let ship = &o["shipping"];
                        tr {
                            td.long-id { a href={ "/staff/orders/" (str_of(o, "id")) } { (str_of(o, "id")) } }
                            td.date { (str_of(o, "created_at").get(..10).unwrap_or_default()) }
                            td { (status_label(str_of(o, "status"))) }
                            td { @for item in items(&o["items"]) {
                                (item["quantity"].as_u64().unwrap_or_default()) " × " (str_of(item, "name")) br;
                            } }
                            td { (str_of(ship, "first_name")) " " (str_of(ship, "last_name")) ", " (str_of(ship, "city")) ", " (str_of(ship, "country")) }
                            td { (money(o["total_cents"].as_u64().unwrap_or_default(), str_of(o, "currency"))) }
                        }
                    } }
                } }
            }
        },
    );
    with_status(page, code)
}

/// `GET /staff/orders.csv?status=…&since=…`: the queue route's CSV, as a download.
pub(crate) async fn export(ctx: &mut Ctx<'_>) -> Response<Body> {
    let (status, since) = filter(ctx);
    let path = format!("/v1/staff/orders?{}", queue_query(&status, &since));
    let orders = &ctx.state.orders;
    let mut response = ctx
        .api()
        .with_header("accept", "text/csv")
        .send(staff_orders::handle, orders, "GET", &path, None)
        .await;
    if response.status().is_success() {
        let name = if status.is_empty() {
            "queued"
        } else {
            status.as_str()
        };
        // The status is one the route accepted: a name from the menu, safe in a header.
        let disposition = format!("attachment; filename=\"orders-{name}.csv\"");
        if let Ok(value) = disposition.parse() {
            response.headers_mut().insert("content-disposition", value);
        }
        return response;
    }
    let answer = Answer::from_response(response);
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    // A filter the route refused: the queue page says why.
    queue(ctx).await
}

/// `GET /staff/orders/{id}`: the order, shown after what was posted.
pub(crate) async fn show(ctx: &mut Ctx<'_>, id: &str, posted: Posted<'_>) -> Response<Body> {
    let answer = call(ctx, "GET", &format!("/v1/staff/orders/{id}"), None).await;
    match one_thing(ctx, answer) {
        Ok(order) => page(ctx, &order, &posted),
        Err(instead) => *instead,
    }
}

fn page(ctx: &Ctx<'_>, order: &Value, posted: &Posted<'_>) -> Response<Body> {
    let id = str_of(order, "id");
    let status = str_of(order, "status");
    let ship = &order["shipping"];
    let paid = order["total_cents"].as_u64().unwrap_or_default() > 0;
    let action = |name: &str, heading: &str, hint: Option<&str>| {
        action_form(
            ctx,
            name,
            &format!("/staff/orders/{id}/{name}"),
            heading,
            hint,
            posted,
            |_, _| html! {},
        )
    };
    console_page(
        ctx,
        &format!("{}: {id}", text::ORDER),
        html! {
            (posted.summary(LABELS))
            dl.facts {
                (order_facts(order))
                dt { (text::MAPPED_RECORD) } dd { a href={ "/staff/candidates/" (str_of(order, "candidate_id")) } { (str_of(order, "candidate_id")) } }
                dt { (text::SHIP_TO) } dd {
                    (str_of(ship, "first_name")) " " (str_of(ship, "last_name")) br;
                    (str_of(ship, "address")) br;
                    @if let Some(more) = ship["address_cont"].as_str() { (more) br; }
                    (str_of(ship, "city"))
                    @if let Some(region) = ship["region"].as_str() { ", " (region) }
                    @if let Some(code) = ship["postal_code"].as_str() { " " (code) }
                    br; (str_of(ship, "country")) br;
                    (str_of(ship, "email")) " · " (str_of(ship, "phone"))
                }
                dt { (text::TRACKING) } dd { @if order["tracking"] == true { (text::YES_WORD) } @else { (text::NO_WORD) } }
                @if let Some(refund) = order["refund_id"].as_str() { dt { (text::REFUND_ID) } dd { (refund) } }
                @if let Some(original) = order["reprint_of"].as_str() {
                    dt { (text::REPRINT_OF) } dd { a href={ "/staff/orders/" (original) } { (original) } }
                }
            }
            (order_items(order))
            @if status == "queued" {
                (action_form(ctx, "sent", &format!("/staff/orders/{id}/sent"), text::REPORT_SENT, Some(text::REPORT_SENT_HINT), posted, |prefix, problems| html! {
                    (Field::new("tracking_number", text::TRACKING_NUMBER_OPTIONAL, "text").optional().in_form(prefix).render(problems))
                }))
            }
            @if status == "sent" { (action("complete", text::REPORT_COMPLETE, None)) }
            @if matches!(status, "sent" | "complete") { (action("reprint", text::REPRINT, Some(text::REPRINT_HINT))) }
            @if paid && matches!(status, "queued" | "sent" | "complete") { (action("refund", text::REFUND, Some(text::REFUND_HINT))) }
            @if matches!(status, "pending_payment" | "queued") { (action("cancelled", text::CANCEL_ORDER, Some(text::CANCEL_ORDER_HINT))) }
            p { a href="/staff/orders" { (text::ORDER_QUEUE) } }
        },
    )
}

/// `POST /staff/orders/{id}/{action}` with the reason (and a tracking number): the order again,
/// saying it was done or what went wrong at the form that was sent; a reprint shows the new order.
pub(crate) async fn act(
    ctx: &mut Ctx<'_>,
    posted: &Form,
    id: &str,
    action: &str,
) -> Response<Body> {
    if !ACTIONS.contains(&action) {
        return not_found();
    }
    let reason = posted.text("reason");
    let (path, body) = match action {
        "reprint" | "refund" => (
            format!("/v1/staff/orders/{id}/{action}"),
            json!({ "reason": reason }),
        ),
        status => {
            let tracking = posted.text("tracking_number");
            let mut body = json!({ "status": status, "reason": reason });
            if !tracking.trim().is_empty() {
                body["tracking_number"] = json!(tracking.trim());
            }
            (format!("/v1/staff/orders/{id}/status"), body)
        }
    };
    let answer = call(ctx, "POST", &path, Some(body)).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if answer.is_success() {
        let done = if action == "reprint" {
            text::REPRINT_QUEUED
        } else {
            text::DONE
        };
        return page(ctx, &answer.body, &Posted::Done(done.to_string()));
    }
    if answer.status == 404 {
        return not_found();
    }
    let refused = Posted::Refused {
        form: action,
        problems: Problems::from_answer(&answer),
    };
    let page = show(ctx, id, refused).await;
    with_status(page, answer.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_is_sent_as_the_routes_query() {
        assert_eq!(queue_query("", ""), "");
        assert_eq!(
            queue_query("sent", "2026-12-01"),
            "status=sent&since=2026-12-01"
        );
        assert_eq!(queue_query("a&b", ""), "status=a%26b");
    }
}
