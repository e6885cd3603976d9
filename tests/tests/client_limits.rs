//! Per-client limits (SECURITY.md, "limits per target, not only per caller", and the abuse
//! rules): the unauthenticated routes that cost a hash or send a message take each request from
//! an allowance per source address, shared by every instance (the attempt ledger). Over it: 429
//! `too_many_requests` with `Retry-After`, before any hash or message; other addresses are
//! untouched, and the allowance comes back with the window.

use lambda_http::Request;
use serde_json::json;
use tessera_kernel::time::Seconds;
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};
use tessera_tests::{active_account, from_client as from, on_both_backends, PASSWORD};

async fn log_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> TestResponse {
    let body = json!({ "email": email, "password": password });
    let request = from(address, json_request("POST", "/v1/sessions", &body));
    app.call(sessions::handle, request).await
}

fn assert_limited(r: &TestResponse) {
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (429, Some("too_many_requests")),
        "{}",
        r.text
    );
    let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 600, "{wait}");
}

async fn logins_are_limited_per_client_address(backend: Backend) {
    let app = TestApp::with_vars(backend, &[("TESSERA_CLIENT_LOGINS", "3")]).await;
    let (email, _) = active_account(&app, "client").await;
    for password in ["Wrong-Password-77", "Wrong-Password-78", PASSWORD] {
        let r = log_in_from(&app, "192.0.2.10", &email, password).await;
        assert_ne!(r.status, 429, "{}", r.text);
    }
    let over = log_in_from(&app, "192.0.2.10", &email, PASSWORD).await;
    assert_limited(&over);
    let other = log_in_from(&app, "198.51.100.7", &email, PASSWORD).await;
    assert_eq!(other.status, 201, "another address is untouched");
    // Spraying many addresses from one client is limited the same way.
    let sprayed = log_in_from(&app, "192.0.2.10", &unique_email("other"), PASSWORD).await;
    assert_limited(&sprayed);
    app.clock.advance(Seconds::minutes(10));
    let later = log_in_from(&app, "192.0.2.10", &email, PASSWORD).await;
    assert_eq!(later.status, 201, "the window is over: {}", later.text);
}

async fn registrations_and_recoveries_are_limited_per_client_address(backend: Backend) {
    let app = TestApp::with_vars(
        backend,
        &[
            ("TESSERA_CLIENT_REGISTRATIONS", "2"),
            ("TESSERA_CLIENT_RECOVERIES", "2"),
        ],
    )
    .await;
    let sign_up = |email: String| {
        let body = json!({ "email": email, "password": PASSWORD, "first_name": "Ada",
                           "last_name": "Lovelace", "country": "GB" });
        from("203.0.113.5", json_request("POST", "/v1/accounts", &body))
    };
    let first = unique_email("first");
    for email in [first.clone(), unique_email("second")] {
        assert_eq!(app.call(accounts::handle, sign_up(email)).await.status, 202);
    }
    let third = unique_email("third");
    assert_limited(&app.call(accounts::handle, sign_up(third.clone())).await);
    assert!(
        app.messages_to(&third).is_empty(),
        "nothing sent over the limit"
    );
    let resend = json!({ "email": first });
    let request = from(
        "203.0.113.5",
        json_request("POST", "/v1/accounts/activation-code", &resend),
    );
    assert_limited(&app.call(accounts::handle, request).await);

    let reset = |kind: &str| {
        let body = json!({ "email": first, "channel": kind });
        from(
            "203.0.113.5",
            json_request("POST", "/v1/password-resets", &body),
        )
    };
    for _ in 0..2 {
        assert_eq!(
            app.call(password_reset::handle, reset("email"))
                .await
                .status,
            202
        );
    }
    assert_limited(&app.call(password_reset::handle, reset("sms")).await);
    let reminder = json!({ "email": first });
    let request = from(
        "203.0.113.5",
        json_request("POST", "/v1/email-reminders", &reminder),
    );
    assert_limited(&app.call(email_reminders::handle, request).await);
}

const EDGE_SECRET: &str = "an-edge-secret-of-at-least-thirty-two-characters";

/// A request through the edge layer: from the edge's address as API Gateway sees it, with the
/// edge's secret and the viewer's address its function wrote.
fn through_edge(viewer: &str, request: Request) -> Request {
    let mut request = from("130.176.0.1", request);
    let headers = request.headers_mut();
    headers.insert("x-tessera-edge", EDGE_SECRET.parse().unwrap());
    headers.insert("x-tessera-viewer", viewer.parse().unwrap());
    request
}

async fn served(app: &TestApp, request: Request) -> TestResponse {
    let response = tessera_http::wiring::admit_and_dispatch(
        &app.config.edge,
        sessions::handle,
        request,
        app.deps.clone(),
    )
    .await;
    TestResponse::from_response(response)
}

/// With the edge layer on, requests that did not come through it are refused (403
/// `edge_required`, before any work), and the per-client limits key on the viewer's address the
/// edge vouched for: two viewers behind one edge address have an allowance each.
async fn behind_the_edge_limits_key_on_the_viewer(backend: Backend) {
    let app = TestApp::with_vars(
        backend,
        &[
            ("TESSERA_CLIENT_LOGINS", "2"),
            ("TESSERA_EDGE_SECRET", EDGE_SECRET),
        ],
    )
    .await;
    let (email, _) = active_account(&app, "edge").await;
    let login = || {
        json_request(
            "POST",
            "/v1/sessions",
            &json!({ "email": email, "password": PASSWORD }),
        )
    };
    let direct = served(&app, from("192.0.2.10", login())).await;
    assert_eq!(
        (direct.status, direct.json["code"].as_str()),
        (403, Some("edge_required"))
    );
    let mut spoofed = from("192.0.2.10", login());
    spoofed
        .headers_mut()
        .insert("x-tessera-viewer", "198.51.100.1".parse().unwrap());
    assert_eq!(
        served(&app, spoofed).await.status,
        403,
        "a viewer header alone proves nothing"
    );
    for _ in 0..2 {
        let r = served(&app, through_edge("203.0.113.1", login())).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    assert_limited(&served(&app, through_edge("203.0.113.1", login())).await);
    let other = served(&app, through_edge("203.0.113.2", login())).await;
    assert_eq!(
        other.status, 201,
        "another viewer behind the same edge: {}",
        other.text
    );
}

/// A process takes a client's requests in small batches (a thirtieth of the allowance) and
/// spends them from memory: most log-ins cost no ledger call, and the allowance still holds to
/// the request.
async fn requests_taken_ahead_still_hold_the_allowance(backend: Backend) {
    let mut app = TestApp::with_vars(backend, &[("TESSERA_CLIENT_LOGINS", "90")]).await;
    let counter = app.count_dynamodb_calls().await;
    for n in 1..=90 {
        let email = format!("nobody.{n}@example.com");
        let r = log_in_from(&app, "192.0.2.77", &email, "Wrong-Password-77").await;
        assert_eq!(r.status, 401, "request {n}: {}", r.text);
        app.clock.advance(Seconds(1));
    }
    if let Some(counter) = counter {
        let calls = counter.take();
        let ledger = calls.iter().filter(|c| *c == "UpdateItem").count();
        // 90 logins: the throttle's count and its "failed" mark for each, and 30 batches of 3
        // for the client (one call per log-in for the client would make 270).
        assert_eq!(ledger, 90 * 2 + 30, "updates for 90 log-ins");
    }
    assert_limited(&log_in_from(&app, "192.0.2.77", "nobody@example.com", PASSWORD).await);
}

on_both_backends!(
    requests_taken_ahead_still_hold_the_allowance,
    behind_the_edge_limits_key_on_the_viewer,
    logins_are_limited_per_client_address,
    registrations_and_recoveries_are_limited_per_client_address,
);
