//! The operator's counters: each flow writes its metric as a CloudWatch embedded-metric-format
//! line (no API call), with the function as the only dimension and nothing that names a person.
//! On both backends.

use std::sync::{Arc, Mutex, OnceLock};

use lambda_http::{Body, Request};
use tessera_kernel::metrics::{self, Metric};
use tessera_testkit::{unique_email, Backend, TestApp};
use tessera_tests::{active_account, log_in, on_both_backends, sign_up, PASSWORD};

/// Every line written in this test binary (its tests run at once: counts only grow).
fn lines() -> &'static Arc<Mutex<Vec<String>>> {
    static LINES: OnceLock<Arc<Mutex<Vec<String>>>> = OnceLock::new();
    LINES.get_or_init(|| {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        metrics::set_sink(Arc::new(move |line: &str| {
            sink.lock().unwrap().push(line.to_string())
        }));
        lines
    })
}

/// How many lines count `metric`.
fn counted(metric: Metric) -> usize {
    lines()
        .lock()
        .unwrap()
        .iter()
        .filter(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value[metric.name()] == 1
                && value["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Tessera"
        })
        .count()
}

fn bad_webhook() -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri("/v1/payments/webhook")
        .header("content-type", "application/json")
        .header("stripe-signature", "t=1,v1=00")
        .body(Body::Text("{}".into()))
        .unwrap()
}

async fn each_flow_counts_its_metric_without_personal_data(backend: Backend) {
    let app = TestApp::new(backend).await;
    let _ = lines();
    let before = |m: Metric| counted(m);
    let (codes, emails, logins, failures, rejections) = (
        before(Metric::CodesSent),
        before(Metric::EmailsSent),
        before(Metric::Logins),
        before(Metric::LoginFailures),
        before(Metric::WebhookRejections),
    );
    let email = unique_email("metrics");
    assert_eq!(sign_up(&app, &email, PASSWORD).await.status, 202);
    assert!(counted(Metric::EmailsSent) > emails, "the activation email");
    assert!(counted(Metric::CodesSent) > codes, "its code");
    let (active, _) = active_account(&app, "metrics.active").await;
    assert_eq!(
        log_in(&app, &active, "Not-The-Password-1").await.status,
        401
    );
    assert!(counted(Metric::LoginFailures) > failures);
    assert_eq!(log_in(&app, &active, PASSWORD).await.status, 201);
    assert!(counted(Metric::Logins) > logins);
    let state = tessera_tests::fulfillment_state(&app, None);
    let refused = tessera_testkit::TestResponse::from_response(
        fulfillment::handle(bad_webhook(), state).await,
    );
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(counted(Metric::WebhookRejections) > rejections);

    // A day's SMS budget of none: the verification text is refused, and counted.
    let spent = counted(Metric::SmsBudgetSpent);
    let thrifty = TestApp::with_vars(backend, &[("TESSERA_SMS_PER_DAY", "0")]).await;
    let (owner, _) = active_account(&thrifty, "metrics.sms").await;
    let token = tessera_tests::token_of(&log_in(&thrifty, &owner, PASSWORD).await);
    let body = serde_json::json!({
        "password": PASSWORD, "phone": tessera_testkit::app::unique_mobile(),
    });
    let asked = thrifty
        .call(
            phone::handle,
            tessera_tests::authorized("PUT", "/v1/me/phone", &token, Some(&body)),
        )
        .await;
    assert_eq!(asked.status, 202, "{}", asked.text);
    assert!(counted(Metric::SmsBudgetSpent) > spent);

    for line in lines().lock().unwrap().iter() {
        assert!(!line.contains('@'), "no address in a metric: {line}");
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3, "_aws, Function and the metric only: {line}");
    }
}

on_both_backends!(each_flow_counts_its_metric_without_personal_data);
