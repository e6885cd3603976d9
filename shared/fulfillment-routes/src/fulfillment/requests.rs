//! Parsing at the edge: the order body into an `OrderRequest` (every field error listed at
//! once), the `Idempotency-Key` header, and the fulfillment house's status report.

use lambda_http::Request;
use serde_json::Value;
use tessera_certification::CertificationId;
use tessera_fulfillment::order::{IdempotencyKey, OrderStatus, PaymentMethod, TrackingNumber};
use tessera_fulfillment::ordering::OrderRequest;
use tessera_fulfillment::shipping::{latin, localized, LocalizedShipping, Shipping, TextError};
use tessera_fulfillment::{ItemKind, Requested, MAX_LINES};
use tessera_http::{Fields, Problem};
use tessera_kernel::audit::Reason;
use tessera_kernel::email::Email;
use tessera_kernel::person::Country;

const ORDER_FIELDS: &[&str] = &[
    "items",
    "tracking",
    "shipping",
    "shipping_localized",
    "payment_method",
];
const ITEM_FIELDS: &[&str] = &["certification_id", "kind", "quantity"];
const SHIPPING_FIELDS: &[&str] = &[
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
];
const LOCALIZED_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "address",
    "address_cont",
    "city",
    "region",
    "postal_code",
];

/// The `Idempotency-Key` header (`IdempotencyKey::parse`). Required.
pub fn idempotency_key(request: &Request) -> Result<IdempotencyKey, Problem> {
    let Some(raw) = request.headers().get("idempotency-key") else {
        return Err(Problem::new(
            400,
            "idempotency_key_required",
            "Idempotency-Key required",
            "Send an Idempotency-Key header (for example a UUID) with each new order; send the same one when retrying it.",
        ));
    };
    IdempotencyKey::parse(raw.to_str().unwrap_or_default()).ok_or_else(|| {
        Problem::new(
            400,
            "invalid_idempotency_key",
            "Invalid Idempotency-Key",
            format!(
                "The Idempotency-Key is 1 to {} letters, digits, '_' or '-'.",
                IdempotencyKey::MAX_LEN
            ),
        )
    })
}

/// The order body. Nothing in it is a price: the server computes every amount.
pub fn order_request(request: &Request) -> Result<OrderRequest, Problem> {
    let mut f = Fields::from_request(request, ORDER_FIELDS)?;
    let items = items(&mut f)?;
    let tracking = if f.has("tracking") {
        f.boolean("tracking")
    } else {
        Some(false)
    };
    let shipping = match f.object("shipping", SHIPPING_FIELDS)? {
        Some(mut s) => {
            let shipping = shipping(&mut s);
            f.absorb("shipping", s);
            shipping
        }
        None => {
            f.error("shipping", "required", "This field is required.");
            None
        }
    };
    let shipping_localized = match f.object("shipping_localized", LOCALIZED_FIELDS)? {
        Some(mut s) => {
            let localized = localized_shipping(&mut s);
            f.absorb("shipping_localized", s);
            localized.map(Some)
        }
        None => Some(None),
    };
    let payment_method = f.parse(
        "payment_method",
        "invalid_payment_method",
        |raw| match raw {
            "card" => Ok(PaymentMethod::Card),
            "paypal" => Ok(PaymentMethod::Paypal),
            _ => Err("must be \"card\" or \"paypal\""),
        },
    );
    match (
        items,
        tracking,
        shipping,
        shipping_localized,
        payment_method,
    ) {
        (
            Some(items),
            Some(tracking),
            Some(shipping),
            Some(shipping_localized),
            Some(payment_method),
        ) if f.is_valid() => Ok(OrderRequest {
            items,
            tracking,
            shipping,
            shipping_localized,
            payment_method,
        }),
        _ => Err(f.into_problem()),
    }
}

fn items(f: &mut Fields) -> Result<Option<Vec<Requested>>, Problem> {
    let list = match f.take("items") {
        Some(Value::Array(list)) if (1..=MAX_LINES).contains(&list.len()) => list,
        Some(Value::Array(_)) => {
            f.error(
                "items",
                "invalid_items",
                format!("An order has 1 to {MAX_LINES} items."),
            );
            return Ok(None);
        }
        Some(_) => {
            f.error("items", "invalid_type", "This field must be an array.");
            return Ok(None);
        }
        None => {
            f.error("items", "required", "This field is required.");
            return Ok(None);
        }
    };
    let mut items = Vec::new();
    for (n, value) in list.into_iter().enumerate() {
        let name = format!("items[{n}]");
        let mut item = Fields::element(value, ITEM_FIELDS, &name)?;
        let certification_id = item.parse("certification_id", "invalid", |raw| {
            CertificationId::parse(raw)
                .map(|id| id.as_str().to_string())
                .ok_or("must be a certification id")
        });
        let kind = item.parse_optional("kind", "invalid", |raw| {
            ItemKind::parse(raw).ok_or("must be certificate_kit, plaque or recognition_letter")
        });
        let quantity = item.whole_number("quantity");
        let valid = item.is_valid();
        f.absorb(&name, item);
        if let (Some(certification_id), Some(quantity), true) = (certification_id, quantity, valid)
        {
            items.push(Requested {
                certification_id,
                kind: kind.unwrap_or_default(),
                quantity,
            });
        }
    }
    Ok(Some(items))
}

fn text(
    f: &mut Fields,
    field: &str,
    max: usize,
    check: fn(&str, usize) -> Result<String, TextError>,
) -> Option<String> {
    f.parse(field, "invalid_text", |raw| check(raw, max))
}

fn optional_text(
    f: &mut Fields,
    field: &str,
    max: usize,
    check: fn(&str, usize) -> Result<String, TextError>,
) -> Option<Option<String>> {
    if !f.has(field) {
        f.take(field);
        return Some(None);
    }
    text(f, field, max, check).map(Some)
}

fn shipping(f: &mut Fields) -> Option<Shipping> {
    let first_name = text(f, "first_name", 50, latin);
    let last_name = text(f, "last_name", 50, latin);
    let email = f.parse("email", "invalid_email", Email::parse);
    let phone = f.parse("phone", "invalid_phone", |raw| {
        let digits = raw.chars().filter(char::is_ascii_digit).count();
        let ok = (5..=20).contains(&digits)
            && raw.len() <= 30
            && raw
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        ok.then(|| raw.trim().to_string())
            .ok_or("must be a phone number (digits, spaces, + - ( ) .)")
    });
    let address = text(f, "address", 100, latin);
    let address_cont = optional_text(f, "address_cont", 100, latin);
    let city = text(f, "city", 50, latin);
    let region = optional_text(f, "region", 50, latin);
    let postal_code = optional_text(f, "postal_code", 20, latin);
    let country = f.parse("country", "invalid_country", |raw| {
        Country::parse(raw).ok_or("must be an ISO 3166-1 alpha-2 code")
    });
    Some(Shipping {
        first_name: first_name?,
        last_name: last_name?,
        email: email?.as_str().to_string(),
        phone: phone?,
        address: address?,
        address_cont: address_cont?,
        city: city?,
        region: region?,
        postal_code: postal_code?,
        country: country?,
    })
}

fn localized_shipping(f: &mut Fields) -> Option<LocalizedShipping> {
    let first_name = text(f, "first_name", 50, localized);
    let last_name = text(f, "last_name", 50, localized);
    let address = text(f, "address", 100, localized);
    let address_cont = optional_text(f, "address_cont", 100, localized);
    let city = text(f, "city", 50, localized);
    let region = optional_text(f, "region", 50, localized);
    let postal_code = optional_text(f, "postal_code", 20, localized);
    Some(LocalizedShipping {
        first_name: first_name?,
        last_name: last_name?,
        address: address?,
        address_cont: address_cont?,
        city: city?,
        region: region?,
        postal_code: postal_code?,
    })
}

/// `{status: "sent" | "complete" | "cancelled" | "refunded", tracking_number?}`.
pub fn status_report(request: &Request) -> Result<(OrderStatus, Option<TrackingNumber>), Problem> {
    let mut f = Fields::from_request(request, &["status", "tracking_number"])?;
    match report_fields(&mut f) {
        (Some(status), tracking_number) if f.is_valid() => Ok((status, tracking_number)),
        _ => Err(f.into_problem()),
    }
}

/// A staff member's status report: the house's fields and the `reason` every staff write takes.
pub fn staff_status_report(
    request: &Request,
) -> Result<(OrderStatus, Option<TrackingNumber>, Reason), Problem> {
    let mut f = Fields::from_request(request, &["status", "tracking_number", "reason"])?;
    let (status, tracking_number) = report_fields(&mut f);
    let reason = tessera_http::staff::reason(&mut f);
    match (status, reason) {
        (Some(status), Some(reason)) if f.is_valid() => Ok((status, tracking_number, reason)),
        _ => Err(f.into_problem()),
    }
}

/// A report's `status` (what the house may say an order became) and optional `tracking_number`.
fn report_fields(f: &mut Fields) -> (Option<OrderStatus>, Option<TrackingNumber>) {
    let status = f.parse("status", "invalid_status", |raw| match raw {
        "sent" => Ok(OrderStatus::Sent),
        "complete" => Ok(OrderStatus::Complete),
        "cancelled" => Ok(OrderStatus::Cancelled),
        "refunded" => Ok(OrderStatus::Refunded),
        _ => Err("must be sent, complete, cancelled or refunded"),
    });
    let tracking_number = f.parse_optional("tracking_number", "invalid_tracking_number", |raw| {
        TrackingNumber::parse(raw).ok_or("must be 1 to 40 letters, digits or '-'")
    });
    (status, tracking_number)
}
