//! Durable notifications: a message the mail system refuses (or does not answer) is kept, the
//! request still gets its answer, and the retry job delivers it later, with a growing delay, until
//! it is no longer worth sending. On both backends.

use std::sync::Arc;
use std::time::Duration;
use tessera_kernel::delivery::{retry_unsent, RetryReport};
use tessera_kernel::ports::Clock;
use tessera_kernel::time::Seconds;
use tessera_testkit::{
    unique_email, Backend, FlakyMessenger, SeededRandom, SilentMessenger, TestApp,
};
use tessera_tests::{
    activate, active_account, log_in, on_both_backends, request_reset, sign_up, token_of, PASSWORD,
};

async fn retry(app: &TestApp) -> RetryReport {
    tessera_testkit::keys::within(
        "notification-retries",
        notification_retries::run(&app.state()),
    )
    .await
    .expect("retry run")
}

fn report(sent: u32, failed_again: u32, discarded: u32) -> RetryReport {
    RetryReport {
        sent,
        failed_again,
        discarded,
        suppressed: 0,
        skipped: 0,
    }
}

/// SES refuses the activation email: sign-up still answers 202, the message waits a minute,
/// then the job sends it and its code activates the account. Nothing is sent twice.
async fn a_refused_activation_email_is_retried_and_its_code_works(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    app.set_messenger(Arc::new(FlakyMessenger::new(app.messenger(), 1)));
    let email = unique_email("kept");
    assert_eq!(sign_up(&app, &email, PASSWORD).await.status, 202);
    assert!(app.messages_to(&email).is_empty());

    assert_eq!(retry(&app).await, report(0, 0, 0), "not due for a minute");
    app.clock.advance(Seconds(60));
    assert_eq!(retry(&app).await, report(1, 0, 0));
    let r = activate(&app, &email, &app.latest_code(&email)).await;
    assert_eq!(r.status, 200, "{}", r.text);

    app.clock.advance(Seconds::hours(2));
    assert_eq!(retry(&app).await, report(0, 0, 0), "a sent message is gone");
    assert_eq!(app.messages_to(&email).len(), 1);
}

/// A reset code's SMS or email that keeps failing is retried after 1, 2, 4… minutes, and
/// dropped unsent once its code has expired (10 minutes): a late code would only mislead.
async fn a_failing_message_backs_off_and_dies_with_its_code(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "backoff").await;
    let working = app.messenger();
    app.set_messenger(Arc::new(FlakyMessenger::new(working.clone(), 1000)));
    let r = request_reset(&app, &email, "email").await;
    assert_eq!(r.status, 202);

    let mut outcomes = Vec::new();
    for _ in 0..11 {
        app.clock.advance(Seconds(60));
        let r = retry(&app).await;
        outcomes.push((r.failed_again, r.discarded));
    }
    // Minute 1: attempt 2 (next in 2 min); minute 3: attempt 3 (next in 4); minute 7: attempt 4
    // (next in 8, after the code's end); minute 11: the code has expired, so it is dropped.
    assert_eq!(
        outcomes,
        [
            (1, 0),
            (0, 0),
            (1, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (1, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
        ]
    );
    app.clock.advance(Seconds(240));
    app.set_messenger(working);
    assert_eq!(retry(&app).await, report(0, 0, 1));
    assert_eq!(
        app.messages_to(&email).len(),
        1,
        "only the activation email"
    );
}

/// A mail system that does not answer holds the request no longer than the send timeout; the
/// message is kept for the job.
async fn a_silent_mail_system_does_not_hold_the_answer(backend: Backend) {
    let mut app = TestApp::with_vars(backend, &[("TESSERA_SEND_TIMEOUT_MS", "200")]).await;
    let working = app.messenger();
    app.set_messenger(Arc::new(SilentMessenger));
    let email = unique_email("silent");
    let r = tokio::time::timeout(Duration::from_secs(5), sign_up(&app, &email, PASSWORD))
        .await
        .expect("answered while the mail system hangs");
    assert_eq!(r.status, 202);

    let kept = app
        .deps
        .postbox
        .unsent
        .due(app.clock.now() + Seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].message.to, email);
    app.set_messenger(working);
    // The mail system is back, with the usual timeout: a loaded moto can take longer than 200 ms.
    app.deps.postbox.settings.send_timeout_ms = 3000;
    app.clock.advance(Seconds(60));
    assert_eq!(retry(&app).await, report(1, 0, 0));
    assert_eq!(app.messages_to(&email).len(), 1);
}

/// A security notice (here: the password was changed) is retried like a code.
async fn a_refused_security_notice_is_delivered_later(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "notice").await;
    app.clock.advance(Seconds::hours(1));
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    app.set_messenger(Arc::new(FlakyMessenger::new(app.messenger(), 1)));
    let new = "Tessellate-9-Quartz";
    let r = tessera_tests::change_password(&app, &token, PASSWORD, new, new).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        app.messages_to(&email).len(),
        1,
        "only the activation email"
    );

    app.clock.advance(Seconds(60));
    assert_eq!(retry(&app).await, report(1, 0, 0));
    let messages = app.messages_to(&email);
    assert_eq!(messages.len(), 2);
    assert!(
        messages[1].body.contains("password"),
        "{}",
        messages[1].body
    );
}

/// A function that sends nothing itself (imports, the public transcript page) links no mail
/// client: whatever it would send is kept, and the retry job sends it.
async fn a_function_without_mail_keeps_what_it_would_send_for_the_retry_job(backend: Backend) {
    let app = TestApp::new(backend).await;
    let connections = tessera_http::wiring::Connections::open(&app.config)
        .await
        .unwrap();
    let certification = connections
        .certification_deps_deferring_mail(
            &app.config,
            app.clock.clone(),
            Arc::new(SeededRandom::new(7)),
        )
        .unwrap();
    let to = unique_email("deferred");
    let message = tessera_certification::messages::TRANSCRIPT.render(
        &to,
        &[
            ("holder", "Ada Lovelace"),
            ("url", "https://example.test/t"),
            ("transcript_id", "x"),
            ("expires", "1 January 2027"),
        ],
    );
    tessera_kernel::delivery::deliver(
        &certification.postbox,
        &message,
        app.clock.now() + Seconds::hours(1),
    )
    .await;
    assert!(app.messages_to(&to).is_empty(), "nothing sent at once");
    app.clock.advance(Seconds(60));
    assert_eq!(retry(&app).await, report(1, 0, 0));
    assert_eq!(app.messages_to(&to).len(), 1, "the retry job sent it");
}

on_both_backends!(
    a_function_without_mail_keeps_what_it_would_send_for_the_retry_job,
    a_refused_activation_email_is_retried_and_its_code_works,
    a_failing_message_backs_off_and_dies_with_its_code,
    a_silent_mail_system_does_not_hold_the_answer,
    a_refused_security_notice_is_delivered_later,
);

/// Two runs at once (the scheduler delivers an event twice): each message is sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_runs_send_each_message_once() {
    let mut app = TestApp::new(Backend::Embedded).await;
    let working = app.messenger();
    app.set_messenger(Arc::new(FlakyMessenger::new(working.clone(), 20)));
    let emails: Vec<String> = (0..20)
        .map(|i| unique_email(&format!("twice{i}")))
        .collect();
    for email in &emails {
        assert_eq!(sign_up(&app, email, PASSWORD).await.status, 202);
    }
    app.set_messenger(working);
    app.clock.advance(Seconds(60));
    let (first, second) = tokio::join!(
        retry_unsent(&app.deps.postbox, 100),
        retry_unsent(&app.deps.postbox, 100)
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.sent + second.sent, 20, "{first:?} {second:?}");
    for email in &emails {
        assert_eq!(app.messages_to(email).len(), 1, "{email}");
    }
}
