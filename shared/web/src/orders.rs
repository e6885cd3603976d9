//! An order as the pages show it (the candidate's order history, the staff console's order):
//! the money it cost and its summary, from the fulfillment routes' JSON.

use maud::{html, Markup};
use serde_json::Value;

use crate::text;

/// `cents` of `currency` as people read it: "25.00 USD".
pub fn money(cents: u64, currency: &str) -> String {
    format!(
        "{}.{:02} {}",
        cents / 100,
        cents % 100,
        currency.to_uppercase()
    )
}

/// The members of a JSON array, or none.
pub fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// The statuses an order moves through, as the routes name them and the pages say them.
pub const STATUSES: &[(&str, &str)] = &[
    ("queued", text::ORDER_STATUS_QUEUED),
    ("pending_payment", text::ORDER_STATUS_PENDING_PAYMENT),
    ("sent", text::ORDER_STATUS_SENT),
    ("complete", text::ORDER_STATUS_COMPLETE),
    ("cancelled", text::ORDER_STATUS_CANCELLED),
    ("refunded", text::ORDER_STATUS_REFUNDED),
];

/// A status in words (an unknown one as the route said it).
pub fn status_label(status: &str) -> &str {
    STATUSES
        .iter()
        .find(|(value, _)| *value == status)
        .map_or(status, |(_, label)| label)
}

/// The facts every reader of an order needs, as `dt`/`dd` pairs: status, day placed, total and
/// tracking number.
pub fn order_facts(order: &Value) -> Markup {
    let currency = order["currency"].as_str().unwrap_or_default();
    html! {
        dt { (text::STATUS) } dd { (status_label(order["status"].as_str().unwrap_or_default())) }
        dt { (text::PLACED) } dd { (order["created_at"].as_str().unwrap_or_default().get(..10).unwrap_or_default()) }
        dt { (text::TOTAL) } dd { (money(order["total_cents"].as_u64().unwrap_or_default(), currency)) }
        @if let Some(number) = order["tracking_number"].as_str() {
            dt { (text::TRACKING_NUMBER) } dd { (number) }
        }
        @let stages = items(&order["stages"]);
        @if !stages.is_empty() {
            dt { (text::ORDER_STAGES) }
            dd { ol.stages { @for stage in stages {
                li {
                    (status_label(stage["status"].as_str().unwrap_or_default())) ": "
                    (stage["at"].as_str().unwrap_or_default().get(..10).unwrap_or_default())
                }
            } } }
        }
    }
}

/// The order's kits, with their verification codes.
pub fn order_items(order: &Value) -> Markup {
    html! {
        ul {
            @for item in items(&order["items"]) {
                li {
                    (item["quantity"].as_u64().unwrap_or_default()) " × " (item["name"].as_str().unwrap_or_default())
                    @if let Some(code) = item["verification_code"].as_str() {
                        " · " (text::VERIFICATION_CODE_SHORT) ": " (code)
                    }
                }
            }
        }
    }
}

/// The order as its candidate sees it: its id and facts, then its kits.
pub fn order_summary(order: &Value) -> Markup {
    html! {
        dl.facts {
            dt { (text::ORDER) } dd { (order["id"].as_str().unwrap_or_default()) }
            (order_facts(order))
        }
        (order_items(order))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn money_reads_as_units_and_cents() {
        assert_eq!(money(2500, "usd"), "25.00 USD");
        assert_eq!(money(5, "eur"), "0.05 EUR");
    }

    #[test]
    fn every_status_has_words() {
        for (status, label) in STATUSES {
            assert_eq!(status_label(status), *label);
        }
        assert_eq!(status_label("unknown"), "unknown");
    }

    #[test]
    fn a_summary_escapes_what_the_order_holds() {
        let order = json!({
            "id": "abc", "status": "sent", "created_at": "2026-12-07T01:00:00Z",
            "total_cents": 2500, "currency": "usd", "tracking_number": "1Z9",
            "items": [{ "quantity": 1, "name": "<b>Kit</b>", "verification_code": "V-1" }],
            "stages": [
                { "status": "queued", "at": "2026-12-01T10:00:00Z" },
                { "status": "sent", "at": "2026-12-05T09:00:00Z" },
            ],
        });
        let html = order_summary(&order).into_string();
        assert!(html.contains("2026-12-07") && html.contains("25.00 USD") && html.contains("1Z9"));
        assert!(
            html.contains(text::ORDER_STATUS_SENT),
            "the status in words: {html}"
        );
        assert!(html.contains("1 × &lt;b&gt;Kit&lt;/b&gt;"), "{html}");
        assert!(
            html.contains(&format!("{}: 2026-12-05", text::ORDER_STATUS_SENT)),
            "each stage with its day: {html}"
        );
    }
}
