//! Every route has an API Gateway v2 event in `events/<function>/`, and each replays through its
//! function's handler with the expected answer; every scheduled job has an EventBridge event, and
//! each runs its job.

use std::collections::BTreeSet;
use std::path::PathBuf;
use tessera_testkit::{repo_root, template, Backend, TestApp, TestResponse};

fn event_files() -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(repo_root().join("events")).unwrap() {
        let dir = dir.unwrap();
        if !dir.file_type().unwrap().is_dir() {
            continue;
        }
        let function = dir.file_name().into_string().unwrap();
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push((function.clone(), path));
            }
        }
    }
    files.sort();
    files
}

async fn replay(app: &TestApp, function: &str, request: lambda_http::Request) -> TestResponse {
    match function {
        "accounts" => app.call(accounts::handle, request).await,
        "password-policy" => app.call(password_policy::handle, request).await,
        "sessions" => app.call(sessions::handle, request).await,
        "profile" => app.call(profile::handle, request).await,
        "password-change" => app.call(password_change::handle, request).await,
        "password-reset" => app.call(password_reset::handle, request).await,
        "mfa" => app.call(mfa::handle, request).await,
        "email-reminders" => app.call(email_reminders::handle, request).await,
        "phone" => app.call(phone::handle, request).await,
        "portal" => app.call(portal::handle, request).await,
        "portal-certifications" => app.call(portal_certifications::handle, request).await,
        "portal-badges" => app.call(portal_badges::handle, request).await,
        "portal-orders" => app.call(portal_orders::handle, request).await,
        "staff-console" => app.call(staff_console::handle, request).await,
        "imports" => tessera_tests::import(app, request).await,
        "mapping" | "personal-info" | "certifications" | "transcripts" => {
            tessera_tests::candidate_call(app, request).await
        }
        "transcript-page" => tessera_tests::transcript_page(app, request).await,
        "verification" => app.call(verification::handle, request).await,
        "issuer" => app.call(issuer::handle, request).await,
        "badges" => app.call(badges::handle, request).await,
        "oidc" => app.call(oidc::handle, request).await,
        "access" => app.call(access::handle, request).await,
        "federation" => app.call(federation::handle, request).await,
        "fulfillment" => tessera_tests::fulfillment_call(app, request).await,
        "staff-accounts" | "staff-audit" | "staff-records" | "staff-orders" | "staff-privacy" => {
            tessera_tests::staff_call(app, request).await
        }
        other => panic!("events/{other}: no such function"),
    }
}

/// What each event should get on a fresh embedded store.
fn expected_status(route: &(String, String)) -> u16 {
    match (route.0.as_str(), route.1.as_str()) {
        ("POST", "/v1/accounts") => 202,
        ("POST", "/v1/accounts/activate") => 400, // its code is not the one emailed
        ("POST", "/v1/accounts/activation-code") => 202,
        ("GET", "/v1/password-policy") => 200,
        ("POST", "/v1/password-policy/check") => 200,
        ("POST", "/v1/sessions") => 401, // its account is not active on a fresh store
        ("DELETE", "/v1/sessions/current") => 401, // its token names no session
        ("GET" | "PATCH", "/v1/me") => 401,
        ("GET" | "PUT", "/v1/me/communication-settings") => 401,
        ("POST", "/v1/me/email-change/confirm") => 401,
        ("PUT", "/v1/me/password") => 401,
        ("POST", "/v1/password-resets") => 202,
        ("POST", "/v1/password-resets/verify") => 400,
        ("POST", "/v1/password-resets/complete") => 400,
        ("POST", "/v1/sessions/mfa") => 400, // no such challenge
        ("POST", "/v1/me/mfa/totp" | "/v1/me/mfa/totp/confirm") => 401,
        ("DELETE", "/v1/me/mfa/totp") => 401,
        ("POST", "/v1/email-reminders") => 401, // no such login ID
        ("PUT" | "DELETE", "/v1/me/phone") | ("POST", "/v1/me/phone/verify") => 401,
        ("GET", "/v1/phone/countries") => 200, // public
        // A report either way: rows for candidates not imported yet are listed as row errors.
        ("POST", "/v1/admin/imports/exam-results" | "/v1/admin/imports/ce-credits") => 200,
        // Both rows are well formed: the report lists them imported.
        ("POST", "/v1/admin/imports/access-registry") => 200,
        // Their token names no session on a fresh store.
        (_, p) if p.starts_with("/v1/me/access") => 401,
        // Their token names no session on a fresh store.
        (_, p) if p == "/v1/candidate" || p.starts_with("/v1/candidate/") => 401,
        // Its signature is not made with the configured secret.
        ("POST", "/v1/payments/webhook") => 400,
        // No order has that id (or session) on a fresh store.
        ("GET" | "POST", "/v1/payments/sandbox/{session}") => 404,
        ("POST", "/v1/admin/fulfillment/orders/{id}/status") => 404,
        // Their token names no session on a fresh store.
        (_, p) if p.starts_with("/v1/staff/") => 401,
        // No transcript has that id on a fresh store.
        ("GET", "/v1/transcripts/{id}") => 404,
        // No certificate or kit carries that code on a fresh store.
        ("GET", "/v1/verify/{code}") => 404,
        // The issuer's public documents are there from the start.
        ("GET", "/v1/issuer" | "/v1/issuer/jwks.json" | "/v1/achievements/{id}") => 200,
        // The status list is there from the start (every entry active); no badge is issued yet.
        ("GET", "/v1/status-lists/{id}") => 200,
        ("GET", "/v1/badges/{id}") => 404,
        // The OpenID Connect provider on a fresh store: no client is registered, no token issued.
        ("GET", "/oidc/authorize") => 400,
        ("POST", "/oidc/token" | "/oidc/revoke") => 401,
        ("GET" | "POST", "/oidc/userinfo") => 401,
        // No organisation's provider signs in that domain on a fresh store: the log-in page; a
        // callback no sign-in began (no state cookie) is refused.
        ("GET", "/federation/start") => 303,
        ("GET", "/federation/callback") => 400,
        // The pages: the account's send a browser without a session to log in, the others show;
        // a form posted without the visit's token (an event cannot have one) is refused.
        (
            "GET",
            "/account"
            | "/account/security"
            | "/account/access"
            | "/certifications"
            | "/personal-info"
            | "/testing-history"
            | "/logos"
            | "/badges"
            | "/transcripts"
            | "/certificates"
            | "/certificates/orders"
            | "/mapping/confirm",
        ) => 303,
        ("GET", p)
            if p.starts_with("/certifications/")
                || p.starts_with("/logos/")
                || p.starts_with("/badges/")
                || p.starts_with("/transcripts/") =>
        {
            303
        }
        // The console without a session: every page sends the browser to log in.
        ("GET", p) if p == "/staff" || p.starts_with("/staff/") => 303,
        ("GET", p) if !p.starts_with("/v1/") => 200,
        ("POST", p) if !p.starts_with("/v1/") => 403,
        other => panic!("no expectation for {other:?}: add one"),
    }
}

#[tokio::test]
async fn every_route_has_an_event_that_replays_through_its_handler() {
    let routes = template::http_routes(&template::load());
    let app = TestApp::new(Backend::Embedded).await;
    let mut covered = BTreeSet::new();
    for (function, path) in event_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        if is_scheduled_event(&text) {
            continue;
        }
        let request = lambda_http::request::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // The route as API Gateway names it (`GET /v1/candidate/certifications/{id}`), which is
        // what the template declares; the request carries the concrete path.
        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
        let route_key = event["routeKey"].as_str().unwrap_or_default();
        let route = match route_key.split_once(' ') {
            Some((method, path)) => (method.to_string(), path.to_string()),
            None => (
                request.method().to_string(),
                request.uri().path().to_string(),
            ),
        };
        assert_eq!(
            route.0,
            request.method().as_str(),
            "{}: routeKey and method disagree",
            path.display()
        );
        assert!(
            routes.contains(&(route.0.clone(), route.1.clone(), function.clone())),
            "{}: {route:?} is not a route of {function} in the template",
            path.display()
        );
        let response = replay(&app, &function, request).await;
        assert_eq!(
            response.status,
            expected_status(&route),
            "{}: {}",
            path.display(),
            response.text
        );
        covered.insert((route.0, route.1));
    }
    let all: BTreeSet<_> = routes.into_iter().map(|(m, p, _)| (m, p)).collect();
    assert_eq!(covered, all, "every template route has an event");
}

/// An EventBridge scheduled event, or the input a schedule sends instead (`{"job": …}`); or an
/// SNS delivery (`events/mail-events/`): no HTTP request either.
fn is_scheduled_event(text: &str) -> bool {
    let event: serde_json::Value = serde_json::from_str(text).expect("events are JSON");
    event["detail-type"] == "Scheduled Event" || event.get("job").is_some() || is_sns_event(&event)
}

fn is_sns_event(event: &serde_json::Value) -> bool {
    event["Records"][0]["EventSource"] == "aws:sns"
}

/// The jobs the template's schedules for `function` name in their input.
fn scheduled_inputs(function: &str) -> BTreeSet<String> {
    let template = template::load();
    let mut jobs = BTreeSet::new();
    for resource in template["Resources"].as_mapping().unwrap().values() {
        let code = resource["Properties"]["CodeUri"]
            .as_str()
            .unwrap_or_default();
        if !code.ends_with(&format!("/{function}")) {
            continue;
        }
        for event in resource["Properties"]["Events"]
            .as_mapping()
            .unwrap()
            .values()
        {
            if let Some(input) = event["Properties"]["Input"].as_str() {
                let input: serde_json::Value = serde_json::from_str(input).unwrap();
                jobs.insert(input["job"].as_str().unwrap().to_string());
            }
        }
    }
    jobs
}

#[tokio::test]
async fn every_scheduled_job_has_an_event_that_runs_it() {
    let scheduled = template::scheduled_functions(&template::load());
    let app = TestApp::new(Backend::Embedded).await;
    let mut covered = BTreeSet::new();
    let mut jobs = BTreeSet::new();
    for (function, path) in event_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        if !is_scheduled_event(&text) || is_sns_event(&serde_json::from_str(&text).unwrap()) {
            continue;
        }
        assert!(
            scheduled.contains(&function),
            "{}: {function} runs on no schedule in the template",
            path.display()
        );
        let event: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (job, answer) = match function.as_str() {
            "notification-retries" => (
                function.clone(),
                notification_retries::run(&app.state())
                    .await
                    .map(|r| notification_retries::report_json(&r))
                    .map_err(|e| e.to_string()),
            ),
            "expiry-jobs" => (
                event["job"].as_str().unwrap().to_string(),
                expiry_jobs::handle(&event, &tessera_tests::job_deps(&app, None))
                    .await
                    .map_err(|e| e.to_string()),
            ),
            other => panic!("events/{other}: no such job"),
        };
        let answer = answer.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(answer["job"], job.as_str());
        covered.insert(function);
        jobs.insert(job);
    }
    assert_eq!(covered, scheduled, "every scheduled job has an event");
    let named: BTreeSet<String> = expiry_jobs::Job::ALL
        .iter()
        .map(|j| j.name().to_string())
        .collect();
    assert_eq!(scheduled_inputs("expiry-jobs"), named, "a schedule per job");
    assert!(named.is_subset(&jobs), "an event per job: {jobs:?}");
}

/// Each SNS delivery in `events/mail-events/` replays through the function that subscribes to
/// the template's mail-events topic, and suppresses the address it names.
#[tokio::test]
async fn every_mail_event_replays_through_its_handler_and_suppresses() {
    let app = TestApp::new(Backend::Embedded).await;
    let postbox = app.state::<tessera_kernel::delivery::Postbox>();
    let mut replayed = 0;
    for (function, path) in event_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
        if !is_sns_event(&event) {
            continue;
        }
        assert_eq!(function, "mail-events", "{}", path.display());
        let report = mail_events::handle(&event, &postbox).await.unwrap();
        assert_eq!(
            (report.records, report.suppressed),
            (1, 1),
            "{}",
            path.display()
        );
        let message = event["Records"][0]["Sns"]["Message"].as_str().unwrap();
        let address = match tessera_kernel::suppression::parse_ses_event(message).unwrap() {
            tessera_kernel::suppression::MailEvent::Bounce { recipients, .. }
            | tessera_kernel::suppression::MailEvent::Complaint { recipients } => {
                recipients[0].clone()
            }
            other => panic!("{}: {other:?}", path.display()),
        };
        let entry = postbox.suppressions.suppression(&address).await.unwrap();
        assert!(entry.is_some(), "{}: {address} suppressed", path.display());
        replayed += 1;
    }
    assert!(replayed >= 2, "a bounce and a complaint");
    let template = template::load();
    let subscriber = template["Resources"]["MailEventsFunction"]["Properties"]["CodeUri"]
        .as_str()
        .unwrap();
    assert!(subscriber.ends_with("/mail-events"));
}
