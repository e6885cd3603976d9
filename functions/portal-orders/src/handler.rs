//! The certificates & plaques pages (the guide's "Claim & Purchase Fulfillment"): the kits of the
//! active certifications with their prices, the shipping form (with the address in the
//! recipient's own script), the payment provider's checkout, and the order history.
//!
//! As for the other pages, each calls the route behind it through that route's own handler, in
//! process (`tessera_web::PageRequest`). An order form carries its own idempotency key, so a
//! form sent twice places one order.

use lambda_http::{Body, Request, Response};
use maud::{html, Markup};
use serde_json::{json, Map, Value};
use tessera_fulfillment_routes::fulfillment::{self, FulfillmentState};
use tessera_http::routing::route;
use tessera_web::countries::country_menu;
use tessera_web::form::query_value;
use tessera_web::orders::{items, money, order_summary};
use tessera_web::page::{
    certification_tabs, form, notice, problem_summary, select, submit, with_status, Field, Problems,
};
use tessera_web::request::not_found;
use tessera_web::{text, Form, PageRequest};

/// The secrets of the routes these pages call: the payment provider's API key (checkouts).
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    payment_api_key: true,
    ..tessera_http::config::Secrets::HTTP
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Kits,
    Order,
    Orders,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/certificates", Route::Kits),
    ("POST", "/certificates", Route::Order),
    ("GET", "/certificates/orders", Route::Orders),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

type Ctx<'a> = PageRequest<'a, FulfillmentState>;

const SHIPPING_FIELDS: [(&str, &str, &str); 9] = [
    ("first_name", text::FIRST_NAME, "given-name"),
    ("last_name", text::LAST_NAME, "family-name"),
    ("email", text::EMAIL, "email"),
    ("phone", text::PHONE, "tel"),
    ("address", text::ADDRESS, "address-line1"),
    ("address_cont", text::ADDRESS_CONT, "address-line2"),
    ("city", text::CITY, "address-level2"),
    ("region", text::REGION, "address-level1"),
    ("postal_code", text::POSTAL_CODE, "postal-code"),
];
const LOCALIZED_FIELDS: [&str; 7] = [
    "first_name",
    "last_name",
    "address",
    "address_cont",
    "city",
    "region",
    "postal_code",
];
const OPTIONAL: [&str; 3] = ["address_cont", "region", "postal_code"];

pub async fn handle(request: Request, state: FulfillmentState) -> Response<Body> {
    let route = match route(&request, ROUTES) {
        Ok(route) => route,
        Err(problem) if problem.status == 405 => return problem.into_response(),
        Err(_) => return not_found(),
    };
    let mut ctx = Ctx::new(&request, &state, state.identity.random.as_ref());
    let answer = match route {
        Route::Kits => kits(&mut ctx, &Problems::none(), None).await,
        Route::Orders => orders(&mut ctx).await,
        Route::Order => match ctx.form() {
            Ok(form) => order(&mut ctx, &form).await,
            Err(refusal) => refusal.into_response(),
        },
    };
    ctx.finish(answer)
}

/// A fresh key for one order form (hex of 16 random bytes).
fn idempotency_key(ctx: &Ctx<'_>) -> String {
    let mut bytes = [0u8; 16];
    ctx.state.identity.random.fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /certificates`: the kits and the order form; `entered` shows a refused form again.
async fn kits(ctx: &mut Ctx<'_>, problems: &Problems, entered: Option<&Form>) -> Response<Body> {
    let answer = ctx
        .call(
            fulfillment::handle,
            "GET",
            "/v1/candidate/fulfillment/catalog",
            None,
        )
        .await;
    if answer.code() == "not_mapped" {
        return tessera_web::page::redirect("/certifications");
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    let catalog = &answer.body;
    let currency = catalog["currency"].as_str().unwrap_or_default();
    let max = catalog["max_quantity"].as_u64().unwrap_or(1);
    // A fresh form starts from the last order's address (shipping and its localized form).
    let last_address = match entered {
        Some(_) => Value::Null,
        None => last_order_address(ctx).await,
    };
    let value = |name: &str| match entered {
        Some(form) => form.text(name),
        None => name
            .split_once('.')
            .and_then(|(group, field)| last_address[group][field].as_str())
            .unwrap_or_default()
            .to_string(),
    };
    let mut labels: Vec<(String, String)> = SHIPPING_FIELDS
        .iter()
        .map(|(name, label, _)| (format!("shipping.{name}"), label.to_string()))
        .collect();
    labels.push(("shipping.country".into(), text::COUNTRY.into()));
    labels.extend(LOCALIZED_FIELDS.iter().map(|name| {
        let label = SHIPPING_FIELDS
            .iter()
            .find(|(n, _, _)| n == name)
            .map_or(*name, |(_, l, _)| *l);
        (
            format!("shipping_localized.{name}"),
            format!("{label} ({})", text::SHIPPING_LOCALIZED),
        )
    }));
    let labels: Vec<(&str, &str)> = labels
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let quantities: Vec<(String, String)> =
        (0..=max).map(|n| (n.to_string(), n.to_string())).collect();
    let kits = items(&catalog["items"]);
    let main = html! {
        (certification_tabs("/certificates"))
        (problem_summary(problems, &labels))
        p { (text::KITS_INTRO) }
        p { a href="/certificates/orders" { (text::ORDER_HISTORY) } }
        @if kits.is_empty() { p { (text::NO_KITS) } } @else {
            (form("/certificates", &ctx.csrf(), html! {
                input type="hidden" name="idempotency_key" value=(idempotency_key(ctx));
                div.table-wrap tabindex="0" role="region" aria-label=(text::KIT) { table {
                    thead { tr {
                        th scope="col" { (text::KIT) } th scope="col" { (text::PRICE) }
                        th scope="col" { (text::QUANTITY) }
                    } }
                    tbody { @for kit in kits {
                        @let field = quantity_field(kit);
                        tr {
                            th scope="row" { label for=(field) { (kit["name"].as_str().unwrap_or_default()) } }
                            td {
                                @if kit["initial_kit_available"] == true { (text::FREE_INITIAL_KIT) }
                                @else { (money(kit["price_cents"].as_u64().unwrap_or_default(), currency)) }
                            }
                            td { select id=(field) name=(field) {
                                @for (n, _) in &quantities {
                                    option value=(n) selected[*n == value(&field) || (value(&field).is_empty() && n == "0")] { (n) }
                                }
                            } }
                        }
                    } }
                } }
                div.field {
                    label.check {
                        input type="checkbox" name="tracking" value="yes" checked[value("tracking") == "yes"];
                        " " (text::TRACKING) " (+" (money(catalog["tracking"]["price_cents"].as_u64().unwrap_or_default(), currency)) ")"
                    }
                }
                fieldset.field {
                    legend { (text::PAYMENT_METHOD) }
                    div.choices {
                        label { input type="radio" name="payment_method" value="card" checked[value("payment_method") != "paypal"]; " " (text::CARD) }
                        label { input type="radio" name="payment_method" value="paypal" checked[value("payment_method") == "paypal"]; " " (text::PAYPAL) }
                    }
                }
                h2 { (text::SHIPPING) }
                (shipping_fields("shipping", &value, problems))
                details {
                    summary { (text::SHIPPING_LOCALIZED) }
                    p.hint { (text::SHIPPING_LOCALIZED_HINT) }
                    @for name in LOCALIZED_FIELDS {
                        @let field = format!("shipping_localized.{name}");
                        @let label = SHIPPING_FIELDS.iter().find(|(n, _, _)| *n == name).map(|(_, l, _)| *l).unwrap_or(name);
                        (Field::new(&field, label, "text").value(&value(&field)).optional().render(problems))
                    }
                }
                p.hint { (catalog["delivery_note"].as_str().unwrap_or_default()) }
                (submit(text::PLACE_ORDER))
            }))
        }
    };
    ctx.signed_in_page(text::CERTIFICATES_AND_PLAQUES, main)
        .into_response()
}

/// `GET /v1/candidate/fulfillment/orders`: the candidate's orders and transactions.
async fn order_history(ctx: &mut Ctx<'_>) -> tessera_web::Answer {
    ctx.call(
        fulfillment::handle,
        "GET",
        "/v1/candidate/fulfillment/orders",
        None,
    )
    .await
}

/// The address of the candidate's latest order (`{shipping, shipping_localized}`), or null.
async fn last_order_address(ctx: &mut Ctx<'_>) -> Value {
    let history = order_history(ctx).await;
    match items(&history.body["orders"]).first() {
        Some(latest) if history.is_success() => json!({
            "shipping": latest["shipping"],
            "shipping_localized": latest["shipping_localized"],
        }),
        _ => Value::Null,
    }
}

/// The shipping address's fields, named as the route's errors name them (`shipping.city`).
fn shipping_fields(prefix: &str, value: &dyn Fn(&str) -> String, problems: &Problems) -> Markup {
    let country_field = format!("{prefix}.country");
    html! {
        @for (name, label, autocomplete) in SHIPPING_FIELDS {
            @let field = format!("{prefix}.{name}");
            @let kind = match name { "email" => "email", "phone" => "tel", _ => "text" };
            @let entered = value(&field);
            @let input = Field::new(&field, label, kind).value(&entered).autocomplete(autocomplete);
            @if OPTIONAL.contains(&name) { (input.optional().render(problems)) } @else { (input.render(problems)) }
        }
        (select(&country_field, text::COUNTRY, &countries(), &value(&country_field), problems))
    }
}

/// The country menu, starting unchosen.
fn countries() -> Vec<(String, String)> {
    let mut menu = vec![(String::new(), String::new())];
    menu.extend(country_menu());
    menu
}

/// The quantity field of an item on offer: `quantity.<certification>` for a certificate kit,
/// `quantity.<kind>.<certification>` for a plaque or a recognition letter.
fn quantity_field(item: &Value) -> String {
    let id = item["certification_id"].as_str().unwrap_or_default();
    match item["kind"].as_str() {
        Some(kind) if kind != "certificate_kit" => format!("quantity.{kind}.{id}"),
        _ => format!("quantity.{id}"),
    }
}

/// `POST /certificates`: `POST /v1/candidate/fulfillment/orders` with the form's idempotency key;
/// then the provider's checkout (a link: the page never sends a form to another site), or the
/// order queued when it costs nothing.
async fn order(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let mut lines = Vec::new();
    let mut problems = Problems::none();
    for (name, value) in posted.fields() {
        let Some(item) = name.strip_prefix("quantity.") else {
            continue;
        };
        let (kind, id) = item.split_once('.').unwrap_or(("certificate_kit", item));
        match value.parse::<u32>() {
            Ok(0) => {}
            Ok(quantity) => {
                lines.push(json!({ "certification_id": id, "kind": kind, "quantity": quantity }))
            }
            Err(_) => problems = problems.field(name, "Choose a quantity."),
        }
    }
    let section = |prefix: &str, names: &[&str]| -> Value {
        let mut map = Map::new();
        for name in names {
            let value = posted.text(&format!("{prefix}.{name}"));
            if !value.is_empty() {
                map.insert(name.to_string(), json!(value));
            }
        }
        Value::Object(map)
    };
    let shipping_names: Vec<&str> = SHIPPING_FIELDS
        .iter()
        .map(|(n, _, _)| *n)
        .chain(["country"])
        .collect();
    let mut body = json!({
        "items": lines,
        "tracking": posted.ticked("tracking"),
        "shipping": section("shipping", &shipping_names),
        "payment_method": if posted.get("payment_method") == Some("paypal") { "paypal" } else { "card" },
    });
    let localized = section("shipping_localized", &LOCALIZED_FIELDS);
    if localized.as_object().is_some_and(|m| !m.is_empty()) {
        body["shipping_localized"] = localized;
    }
    if !problems.is_empty() {
        let page = kits(ctx, &problems, Some(posted)).await;
        return with_status(page, 422);
    }
    let key = posted.text("idempotency_key");
    let answer = ctx
        .api()
        .with_header("idempotency-key", &key)
        .call(
            fulfillment::handle,
            ctx.state,
            "POST",
            "/v1/candidate/fulfillment/orders",
            Some(body),
        )
        .await;
    if answer.status == 201 {
        let order = &answer.body;
        return ctx
            .signed_in_page(
                text::CERTIFICATES_AND_PLAQUES,
                html! {
                    (certification_tabs("/certificates"))
                    (notice(text::ORDER_PLACED))
                    (order_summary(order))
                    @if let Some(checkout) = order["checkout_url"].as_str() {
                        p { (text::PAY_INTRO) }
                        p { a.button href=(checkout) { (text::PAY_NOW) } }
                    }
                    p { a href="/certificates/orders" { (text::ORDER_HISTORY) } }
                },
            )
            .into_response();
    }
    if answer.is_unauthenticated() || answer.status >= 500 {
        return ctx.unexpected(&answer);
    }
    let page = kits(ctx, &Problems::from_answer(&answer), Some(posted)).await;
    with_status(page, answer.status)
}

/// `GET /certificates/orders`: the history, newest first.
async fn orders(ctx: &mut Ctx<'_>) -> Response<Body> {
    let answer = order_history(ctx).await;
    if answer.code() == "not_mapped" {
        return tessera_web::page::redirect("/certifications");
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    let list = items(&answer.body["orders"]);
    // Back from the provider's checkout (the return address names how it ended; only the
    // provider's signed event changes the order).
    let checkout = query_value(ctx.request, "checkout");
    ctx.signed_in_page(
        text::ORDER_HISTORY,
        html! {
            (certification_tabs("/certificates"))
            @match checkout.as_deref() {
                Some("success") => (notice(text::CHECKOUT_DONE)),
                Some("cancelled") => (notice(text::CHECKOUT_CANCELLED)),
                _ => {}
            }
            @if list.is_empty() { p { (text::NO_ORDERS) } }
            @for order in list {
                section aria-label=(order["id"].as_str().unwrap_or_default()) {
                    (order_summary(order))
                    @if let Some(checkout) = order["checkout_url"].as_str() {
                        p { a href=(checkout) { (text::PAY_NOW) } }
                    }
                }
            }
            @let transactions = items(&answer.body["transactions"]);
            @if !transactions.is_empty() {
                h2 id="transactions" { (text::ECOMMERCE_TRANSACTIONS) }
                div.table-wrap tabindex="0" role="region" aria-labelledby="transactions" { table {
                    thead { tr {
                        th scope="col" { (text::DATE) } th scope="col" { (text::ORDER) }
                        th scope="col" { (text::ITEMS) } th scope="col" { (text::TRANSACTION) }
                        th scope="col" { (text::AMOUNT) }
                    } }
                    tbody { @for t in transactions { tr {
                        td.date { (t["at"].as_str().unwrap_or_default().get(..10).unwrap_or_default()) }
                        td.long-id { (t["order_id"].as_str().unwrap_or_default()) }
                        td { (t["description"].as_str().unwrap_or_default()) }
                        td { (transaction_label(t["kind"].as_str().unwrap_or_default())) }
                        td { (signed_money(t["amount_cents"].as_i64().unwrap_or_default(), t["currency"].as_str().unwrap_or_default())) }
                    } } }
                } }
            }
            p { a href="/certificates" { (text::CERTIFICATES_AND_PLAQUES) } }
        },
    )
    .into_response()
}

/// A transaction's kind in words.
fn transaction_label(kind: &str) -> &str {
    match kind {
        "payment" => text::TRANSACTION_PAYMENT,
        "refund" => text::TRANSACTION_REFUND,
        "awaiting_payment" => text::TRANSACTION_AWAITING_PAYMENT,
        "cancelled" => text::TRANSACTION_CANCELLED,
        other => other,
    }
}

/// An amount that may be negative (a refund), as money reads.
fn signed_money(cents: i64, currency: &str) -> String {
    let amount = money(cents.unsigned_abs(), currency);
    if cents < 0 {
        format!("−{amount}")
    } else {
        amount
    }
}
