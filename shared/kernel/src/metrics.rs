//! Counters for the operator's dashboard and alarms, written as CloudWatch embedded metric format
//! (EMF) lines on stdout: Lambda sends stdout to CloudWatch Logs, which turns each line into a
//! metric, so counting costs no API call. Lines carry the metric and the function's name, never
//! a person's data. Locally the lines land in the terminal beside the logs.

use std::sync::{Arc, RwLock};

/// The namespace every metric is in (the template's alarms and dashboard read it).
pub const NAMESPACE: &str = "Tessera";

/// What is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// A session started (password, then the second step where enrolled).
    Logins,
    /// A wrong password.
    LoginFailures,
    /// A sign-in refused because the account is locked (delay or required reset).
    Locks,
    /// A one-time code made and sent (activation, reset, verification, mapping).
    CodesSent,
    EmailsSent,
    SmsSent,
    /// An email not sent: its address is suppressed (bounced for good, or complained).
    SuppressedSends,
    /// A text message not sent: the SMS budget for the number or the day is spent.
    SmsBudgetSpent,
    /// An order placed.
    Orders,
    /// A payment provider's event refused: its signature (or timestamp) did not check out.
    WebhookRejections,
}

impl Metric {
    pub const ALL: [Metric; 10] = [
        Metric::Logins,
        Metric::LoginFailures,
        Metric::Locks,
        Metric::CodesSent,
        Metric::EmailsSent,
        Metric::SmsSent,
        Metric::SuppressedSends,
        Metric::SmsBudgetSpent,
        Metric::Orders,
        Metric::WebhookRejections,
    ];

    /// The metric's name in CloudWatch.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Logins => "Logins",
            Metric::LoginFailures => "LoginFailures",
            Metric::Locks => "Locks",
            Metric::CodesSent => "CodesSent",
            Metric::EmailsSent => "EmailsSent",
            Metric::SmsSent => "SmsSent",
            Metric::SuppressedSends => "SuppressedSends",
            Metric::SmsBudgetSpent => "SmsBudgetSpent",
            Metric::Orders => "Orders",
            Metric::WebhookRejections => "WebhookRejections",
        }
    }
}

/// Where lines go: stdout, unless a test installed its own sink.
type Sink = Arc<dyn Fn(&str) + Send + Sync>;
static SINK: RwLock<Option<Sink>> = RwLock::new(None);

/// Sends every line to `sink` from now on (tests read what was counted).
pub fn set_sink(sink: Sink) {
    *SINK.write().unwrap_or_else(|p| p.into_inner()) = Some(sink);
}

/// Counts one `metric`.
pub fn count(metric: Metric) {
    let line = emf_line(metric, 1, now_ms(), &function_name());
    match SINK.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
        Some(sink) => sink(&line),
        None => println!("{line}"),
    }
}

/// One EMF line: `value` of `metric` at `timestamp_ms`, with the function as its dimension.
pub fn emf_line(metric: Metric, value: u64, timestamp_ms: u128, function: &str) -> String {
    serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [[], ["Function"]],
                "Metrics": [{ "Name": metric.name(), "Unit": "Count" }],
            }],
        },
        "Function": function,
        metric.name(): value,
    })
    .to_string()
}

/// The function's name as Lambda sets it; `local` elsewhere.
fn function_name() -> String {
    std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "local".into())
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_embedded_metric_format_with_the_function_dimension() {
        let line = emf_line(
            Metric::LoginFailures,
            1,
            1_767_225_600_000,
            "tessera-sessions",
        );
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        let definition = &value["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(definition["Namespace"], "Tessera");
        assert_eq!(definition["Metrics"][0]["Name"], "LoginFailures");
        assert_eq!(definition["Dimensions"][1][0], "Function");
        assert_eq!(value["Function"], "tessera-sessions");
        assert_eq!(value["LoginFailures"], 1);
        assert_eq!(value["_aws"]["Timestamp"], 1_767_225_600_000u64);
        let names: std::collections::BTreeSet<_> = Metric::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), Metric::ALL.len(), "names are distinct");
    }
}
