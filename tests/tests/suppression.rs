//! Bounces and complaints, on both backends: the mail service's events, delivered by SNS to the
//! mail-events function, put addresses on the suppression list (a hard bounce or a complaint at
//! once, soft bounces at the third within a week), and nothing is sent to a suppressed address
//! again: not by a request, not by the retry job. Lifting the entry lets mail through again.

use std::sync::Arc;

use serde_json::{json, Value};
use std::collections::HashMap;
use tessera_kernel::delivery::Postbox;
use tessera_kernel::time::Seconds;
use tessera_testkit::{Backend, FlakyMessenger, TestApp};

use lambda_http::RequestExt;
use tessera_identity::staff::Role;
use tessera_tests::pages::PageClient;
use tessera_tests::{
    active_account, audit_about, authorized, log_in, on_both_backends, request_reset, staff_call,
    staff_member, token_of, PASSWORD,
};

/// An SNS delivery of one SES event (the shape of `events/mail-events/`).
fn sns_delivery(ses_event: Value) -> Value {
    json!({ "Records": [{
        "EventSource": "aws:sns",
        "Sns": { "Type": "Notification", "Message": ses_event.to_string() },
    }] })
}

fn bounce(address: &str, bounce_type: &str) -> Value {
    sns_delivery(json!({
        "eventType": "Bounce",
        "bounce": { "bounceType": bounce_type, "bouncedRecipients": [{ "emailAddress": address }] },
        "mail": { "destination": [address] },
    }))
}

fn complaint(address: &str) -> Value {
    sns_delivery(json!({
        "eventType": "Complaint",
        "complaint": { "complainedRecipients": [{ "emailAddress": address }] },
        "mail": { "destination": [address] },
    }))
}

async fn deliver(app: &TestApp, event: &Value) -> mail_events::Report {
    let postbox: Postbox = app.state();
    tessera_testkit::keys::within("mail-events", mail_events::handle(event, &postbox))
        .await
        .expect("the delivery is recorded")
}

/// Emails that reached `email`.
fn received(app: &TestApp, email: &str) -> usize {
    app.messages_to(email).len()
}

async fn a_hard_bounce_stops_mail_to_the_address_until_lifted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "bounced").await;
    let before = received(&app, &email);
    let report = deliver(&app, &bounce(&email.to_uppercase(), "Permanent")).await;
    assert_eq!((report.records, report.suppressed), (1, 1), "{report:?}");

    let r = request_reset(&app, &email, "email").await;
    assert_eq!(r.status, 202, "the request answers as usual");
    assert_eq!(
        received(&app, &email),
        before,
        "nothing sent to a suppressed address"
    );

    let again = deliver(&app, &bounce(&email, "Permanent")).await;
    assert_eq!(again.suppressed, 1, "a second delivery changes nothing");
    let postbox: Postbox = app.state();
    let entry = postbox
        .suppressions
        .suppression(&email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.reason.as_str(), "hard_bounce");

    // The owner's profile says so, in the API and on the page.
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let me = tessera_tests::me(&app, &token).await;
    assert_eq!(
        me.json["email_suppressed"]["reason"], "hard_bounce",
        "{}",
        me.text
    );
    let mut browser = PageClient::new(&app);
    browser.use_session(&token);
    let page = browser.get("/account").await;
    assert!(
        page.text
            .contains("We are not sending email to your address"),
        "{}",
        page.text
    );

    // Support sees it on the account and lifts it, with its audit event.
    let support = staff_member(&app, "mail.desk", &[Role::Support]).await;
    let found = staff_call(
        &app,
        authorized("GET", "/v1/staff/accounts", &support.token, None)
            .with_query_string_parameters(HashMap::from([("email".to_string(), email.clone())])),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json["email_suppressed"]["reason"], "hard_bounce");
    let account = found.json["account_id"].as_str().unwrap().to_string();
    // The console shows it and resumes it.
    let mut desk = PageClient::new(&app);
    desk.use_session(&support.token);
    let lookup = format!("/staff/accounts?account={}", email.replace('+', "%2B"));
    let shown = desk.get(&lookup).await;
    assert!(shown.text.contains("suppressed since"), "{}", shown.text);
    let form = format!("/staff/accounts/{account}/resume-email");
    assert!(
        shown.text.contains(&format!("action=\"{form}\"")),
        "{}",
        shown.text
    );
    let done = desk
        .post(
            &form,
            &[
                ("account", email.as_str()),
                ("reason", "the owner fixed their mailbox, case 12"),
            ],
        )
        .await;
    assert!(
        done.text.contains("Done.") && done.text.contains("sent as usual"),
        "{}",
        done.text
    );
    let page = browser.get("/account").await;
    assert!(!page.text.contains("We are not sending email"), "lifted");
    let path = format!("/v1/staff/accounts/{account}/resume-email");
    let resume = |reason: &'static str| {
        let body = json!({ "reason": reason });
        staff_call(&app, authorized("POST", &path, &support.token, Some(&body)))
    };
    let again = resume("twice").await;
    assert_eq!(
        (again.status, again.json["code"].as_str()),
        (409, Some("not_suppressed"))
    );
    let events = audit_about(&app, "account", &account).await;
    let resumed_events: Vec<_> = events
        .iter()
        .filter(|e| e.action == "account.email_resumed")
        .collect();
    assert_eq!(resumed_events.len(), 1, "one event for one lift");
    assert_eq!(resumed_events[0].changes[0].field, "email_suppressed");
    app.clock.advance(Seconds(120));
    assert_eq!(request_reset(&app, &email, "email").await.status, 202);
    assert_eq!(
        received(&app, &email),
        before + 1,
        "mail goes through again"
    );
}

async fn a_complaint_suppresses_and_soft_bounces_suppress_at_the_third(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (complained, _) = active_account(&app, "complained").await;
    assert_eq!(deliver(&app, &complaint(&complained)).await.suppressed, 1);
    let before = received(&app, &complained);
    request_reset(&app, &complained, "email").await;
    assert_eq!(received(&app, &complained), before);

    let (full, _) = active_account(&app, "mailbox.full").await;
    for n in 1..=2 {
        let report = deliver(&app, &bounce(&full, "Transient")).await;
        assert_eq!(
            (report.suppressed, report.counted),
            (0, 1),
            "soft bounce {n}"
        );
    }
    let before = received(&app, &full);
    request_reset(&app, &full, "email").await;
    assert_eq!(
        received(&app, &full),
        before + 1,
        "two soft bounces suppress nothing"
    );
    let third = deliver(&app, &bounce(&full, "Transient")).await;
    assert_eq!(third.suppressed, 1, "{third:?}");
    app.clock.advance(Seconds(120));
    request_reset(&app, &full, "email").await;
    assert_eq!(received(&app, &full), before + 1, "suppressed at the third");

    let unreadable = deliver(&app, &sns_delivery(json!({ "eventType": "Bounce" }))).await;
    assert_eq!((unreadable.unreadable, unreadable.suppressed), (1, 0));
    let delivery = deliver(&app, &sns_delivery(json!({ "eventType": "Delivery" }))).await;
    assert_eq!(
        (delivery.records, delivery.suppressed, delivery.counted),
        (1, 0, 0)
    );
}

/// A message kept for a retry whose address bounces meanwhile is dropped by the retry job, not
/// sent.
async fn the_retry_job_drops_mail_to_an_address_suppressed_meanwhile(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "kept.then.bounced").await;
    let working = app.messenger();
    app.set_messenger(Arc::new(FlakyMessenger::new(working.clone(), 1)));
    let before = received(&app, &email);
    assert_eq!(request_reset(&app, &email, "email").await.status, 202);
    assert_eq!(received(&app, &email), before, "kept for a retry");
    deliver(&app, &bounce(&email, "Permanent")).await;
    app.clock.advance(Seconds(60));
    let report = tessera_testkit::keys::within(
        "notification-retries",
        notification_retries::run(&app.state()),
    )
    .await
    .unwrap();
    assert_eq!((report.sent, report.suppressed), (0, 1), "{report:?}");
    assert_eq!(received(&app, &email), before, "nothing sent");
}

on_both_backends!(
    a_hard_bounce_stops_mail_to_the_address_until_lifted,
    a_complaint_suppresses_and_soft_bounces_suppress_at_the_third,
    the_retry_job_drops_mail_to_an_address_suppressed_meanwhile,
);
