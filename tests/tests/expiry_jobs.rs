//! The expiry jobs end to end on both backends, with a moved clock: unpaid orders cancelled after
//! a day (their checkout closed at the provider, their free kits given back, one email), pending
//! accounts purged after their purge date (their email free again), expired transcripts removed
//! after the grace period. Each job run three times at once, or crashed halfway and rerun,
//! changes each item once and emails each holder once.

use serde_json::json;
use tessera_fulfillment::unpaid;
use tessera_fulfillment::unpaid::PAYMENT_WINDOW;
use tessera_kernel::jobs::JobReport;
use tessera_kernel::ports::Clock;
use tessera_kernel::time::Seconds;
use tessera_testkit::payment_provider::FakeProvider;
use tessera_testkit::{unique_email, Backend, TestApp};
use tessera_tests::certification::{call, consent, holder};
use tessera_tests::orders::{order_body, order_status, place};
use tessera_tests::{
    activate, authorized, fulfillment_call, fulfillment_state, job_deps, log_in, on_both_backends,
    sign_up, token_of, PASSWORD,
};

use expiry_jobs::Job;

async fn run(app: &TestApp, provider: &FakeProvider, job: Job) -> JobReport {
    let deps = job_deps(app, Some(provider));
    tessera_testkit::keys::within("expiry-jobs", expiry_jobs::run(job, &deps))
        .await
        .expect("job run")
}

/// The same run delivered three times at once (the scheduler retrying a run it thinks failed):
/// what the three did together.
async fn run_three_times_at_once(app: &TestApp, provider: &FakeProvider, job: Job) -> JobReport {
    let (a, b, c) = tokio::join!(
        run(app, provider, job),
        run(app, provider, job),
        run(app, provider, job)
    );
    JobReport {
        due: a.due + b.due + c.due,
        changed: a.changed + b.changed + c.changed,
        notified: a.notified + b.notified + c.notified,
        skipped: a.skipped + b.skipped + c.skipped,
        failed: a.failed + b.failed + c.failed,
    }
}

/// Two kits of the holder's first certification: the initial one free, the second paid, so the
/// order waits for payment and holds the initial kit's claim. Its id and checkout session.
async fn unpaid_order(
    app: &TestApp,
    provider: &FakeProvider,
    token: &str,
    key: &str,
    kit: usize,
) -> (String, String) {
    let catalog = catalog(app, token).await;
    let certification = catalog.json["kits"][kit]["certification_id"]
        .as_str()
        .expect("a kit")
        .to_string();
    let state = fulfillment_state(app, Some(provider));
    let r = place(state, token, key, &order_body(&certification, 2, false)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["status"], "pending_payment");
    let id = r.json["id"].as_str().unwrap().to_string();
    let session = provider.received().len();
    assert!(session > 0);
    let session_id = provider.session(&format!("cs_test_{session}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    (id, session_id)
}

async fn catalog(app: &TestApp, token: &str) -> tessera_testkit::TestResponse {
    let request = authorized("GET", "/v1/candidate/fulfillment/catalog", token, None);
    let r = fulfillment_call(app, request).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

/// A new session (a moved clock ends the old one).
async fn signed_in_again(app: &TestApp, email: &str) -> String {
    token_of(&log_in(app, email, PASSWORD).await)
}

async fn kit_prices(app: &TestApp, token: &str) -> Vec<u64> {
    catalog(app, token).await.json["kits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["price_cents"].as_u64().unwrap())
        .collect()
}

fn cancellations(app: &TestApp, email: &str) -> usize {
    app.messages_to(email)
        .iter()
        .filter(|m| {
            m.subject
                .as_deref()
                .unwrap_or_default()
                .contains("was cancelled")
        })
        .count()
}

/// An order unpaid for a day is cancelled once, though the run arrives three times: its
/// checkout is expired at the provider, its initial kit is free again, one email says so.
async fn unpaid_orders_are_cancelled_once_after_a_day(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (email, token) = holder(&app).await;
    let (id, session) = unpaid_order(&app, &provider, &token, "unpaid-1", 0).await;
    assert_eq!(
        kit_prices(&app, &token).await[0],
        1500,
        "the initial kit is claimed"
    );

    app.clock.advance(PAYMENT_WINDOW - Seconds(1));
    let token = signed_in_again(&app, &email).await;
    assert_eq!(
        run(&app, &provider, Job::UnpaidOrders).await,
        JobReport::default()
    );
    assert_eq!(order_status(&app, &token, &id).await, "pending_payment");
    assert_eq!(provider.status(&session), "open");

    app.clock.advance(Seconds(1));
    let report = run_three_times_at_once(&app, &provider, Job::UnpaidOrders).await;
    assert_eq!((report.changed, report.notified), (1, 1), "{report:?}");
    assert_eq!(order_status(&app, &token, &id).await, "cancelled");
    assert_eq!(
        provider.status(&session),
        "expired",
        "it can no longer be paid"
    );
    assert_eq!(
        kit_prices(&app, &token).await[0],
        0,
        "the initial kit is free again"
    );
    assert_eq!(cancellations(&app, &email), 1);
    let mail = app.messages_to(&email);
    let notice = mail.last().unwrap();
    assert!(notice.subject.as_deref().unwrap().contains(&id));
    assert!(notice.body.contains("24 hours"), "{}", notice.body);

    // Nothing left: the next run finds nothing due.
    assert_eq!(
        run(&app, &provider, Job::UnpaidOrders).await,
        JobReport::default()
    );
}

/// A checkout paid just before the job runs is not cancelled: the provider's event queues it.
async fn a_checkout_paid_before_the_job_is_left_to_its_event(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (email, token) = holder(&app).await;
    let (id, session) = unpaid_order(&app, &provider, &token, "paid-late", 0).await;
    provider.pay(&session);

    app.clock.advance(PAYMENT_WINDOW + Seconds(60));
    let token = signed_in_again(&app, &email).await;
    let report = run(&app, &provider, Job::UnpaidOrders).await;
    assert_eq!((report.due, report.changed, report.skipped), (1, 0, 1));
    assert_eq!(order_status(&app, &token, &id).await, "pending_payment");
    assert_eq!(provider.status(&session), "complete");
    assert_eq!(cancellations(&app, &email), 0);
}

/// A run that stops after its first order (a crash, or a page limit) leaves the rest due; the
/// next run cancels them without touching or re-emailing the first.
async fn a_crashed_unpaid_run_is_finished_by_the_next(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (email, token) = holder(&app).await;
    let (first, _) = unpaid_order(&app, &provider, &token, "crash-1", 0).await;
    app.clock.advance(Seconds(10));
    let (second, _) = unpaid_order(&app, &provider, &token, "crash-2", 1).await;
    app.clock.advance(PAYMENT_WINDOW);
    let token = signed_in_again(&app, &email).await;

    let deps = job_deps(&app, Some(&provider));
    let crashed = unpaid::cancel_unpaid(&deps.certification, &deps.fulfillment, 1)
        .await
        .unwrap();
    assert_eq!((crashed.due, crashed.changed), (1, 1));
    assert_eq!(order_status(&app, &token, &first).await, "cancelled");
    assert_eq!(order_status(&app, &token, &second).await, "pending_payment");

    let rerun = run(&app, &provider, Job::UnpaidOrders).await;
    assert_eq!(
        (rerun.due, rerun.changed, rerun.notified),
        (1, 1, 1),
        "{rerun:?}"
    );
    assert_eq!(order_status(&app, &token, &second).await, "cancelled");
    assert_eq!(cancellations(&app, &email), 2, "one email per order");
}

/// A pending account is purged once its purge date (7 days) has passed, though the run arrives
/// three times; its address can then sign up afresh and activate. Active accounts stay.
async fn pending_accounts_are_purged_and_their_email_freed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (active, _) = tessera_tests::active_account(&app, "stays").await;
    let email = unique_email("never-activated");
    assert_eq!(sign_up(&app, &email, PASSWORD).await.status, 202);

    app.clock.advance(Seconds::days(7) - Seconds(1));
    assert_eq!(
        run(&app, &provider, Job::PendingAccounts).await,
        JobReport::default()
    );
    app.clock.advance(Seconds(1));
    let report = run_three_times_at_once(&app, &provider, Job::PendingAccounts).await;
    assert_eq!(report.changed, 1, "{report:?}");
    assert_eq!(
        report.notified, 0,
        "an unconfirmed address is not written to"
    );
    let canonical = tessera_kernel::email::Email::parse(&email).unwrap();
    assert!(app.deps.store.identity(&canonical).await.unwrap().is_none());
    let active = tessera_kernel::email::Email::parse(&active).unwrap();
    assert!(app.deps.store.identity(&active).await.unwrap().is_some());
    let keys = app.stored_keys().await;
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("ACCOUNT#")).count(),
        1,
        "the pending account's profile went with it: {keys:?}"
    );

    // The address is free: a new sign-up gets a new code that activates.
    assert_eq!(sign_up(&app, &email, PASSWORD).await.status, 202);
    let r = activate(&app, &email, &app.latest_code(&email)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        run(&app, &provider, Job::PendingAccounts).await,
        JobReport::default()
    );
}

/// The purge is conditioned on the account read: one that changed meanwhile (a new code sent,
/// or activated) is not deleted by a run that read it before.
async fn an_account_changed_meanwhile_is_not_purged(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("raced");
    assert_eq!(sign_up(&app, &email, PASSWORD).await.status, 202);
    app.clock.advance(Seconds::days(8));
    let read = app
        .deps
        .store
        .purgeable_accounts(app.clock.now(), 10)
        .await
        .unwrap();
    assert_eq!(read.len(), 1);

    let r = activate(&app, &email, &app.latest_code(&email)).await;
    assert_eq!(r.status, 400, "its code expired long ago: {}", r.text);
    assert_eq!(
        sign_up(&app, &email, PASSWORD).await.status,
        202,
        "a new code"
    );
    assert!(!app.deps.store.purge_account(&read[0]).await.unwrap());
    let r = activate(&app, &email, &app.latest_code(&email)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(app
        .deps
        .store
        .purgeable_accounts(app.clock.now() + Seconds::days(30), 10)
        .await
        .unwrap()
        .is_empty());
}

/// Creates one transcript of the holder's active certifications per (description, days to
/// expiry); their ids.
async fn create_transcripts(app: &TestApp, token: &str, which: &[(&str, u32)]) -> Vec<String> {
    let mut ids = Vec::new();
    for (description, days) in which {
        let body = json!({
            "description": description, "expires_in_days": days, "certifications": "active",
        });
        let r = call(app, "POST", "/v1/candidate/transcripts", token, Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json["id"].as_str().unwrap().to_string());
    }
    ids
}

/// A transcript expired for the grace period is deleted with its public link; one extended
/// meanwhile, or not yet expired, stays.
async fn expired_transcripts_are_removed_after_the_grace_period(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (email, token) = holder(&app).await;
    consent(&app, &token, true).await;
    let ids = create_transcripts(
        &app,
        &token,
        &[("short", 1), ("extended", 1), ("year", 365)],
    )
    .await;
    let listed = |r: &tessera_testkit::TestResponse| -> Vec<String> {
        r.json["transcripts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };

    // Expired, but within the grace period: kept (the holder may extend it).
    app.clock.advance(
        Seconds::days(1) + tessera_certification::transcript::KEPT_AFTER_EXPIRY - Seconds(1),
    );
    assert_eq!(
        run(&app, &provider, Job::Transcripts).await,
        JobReport::default()
    );
    let token = signed_in_again(&app, &email).await;
    let extended = json!({ "expires_in_days": 10 });
    let path = format!("/v1/candidate/transcripts/{}", ids[1]);
    let r = call(&app, "PATCH", &path, &token, Some(extended)).await;
    assert_eq!(r.status, 200, "{}", r.text);

    app.clock.advance(Seconds(1));
    let report = run_three_times_at_once(&app, &provider, Job::Transcripts).await;
    assert_eq!(report.changed, 1, "{report:?}");
    let list = call(&app, "GET", "/v1/candidate/transcripts", &token, None).await;
    let mut kept = listed(&list);
    kept.sort();
    let mut expected = ids[1..].to_vec();
    expected.sort();
    assert_eq!(kept, expected);
    let page = tessera_tests::transcript_page(
        &app,
        tessera_testkit::get(&format!("/v1/transcripts/{}", ids[0])),
    )
    .await;
    assert_eq!(page.status, 404, "the public link is gone");
    let page = tessera_tests::transcript_page(
        &app,
        tessera_testkit::get(&format!("/v1/transcripts/{}", ids[1])),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        run(&app, &provider, Job::Transcripts).await,
        JobReport::default()
    );
}

/// A certification earned by today's exam gets its congratulations (with how to claim the free
/// kit), CE credits about to lapse get their reminder with the days really left, and a manual
/// grant is news too; each once, though the run arrives three times.
async fn earnings_are_congratulated_and_lapsing_credits_reminded(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let n = tessera_testkit::app::unique() % 1_000_000;
    let email = unique_email("earned");
    // The clock starts on 2026-01-01: passed today; 10 CE credits lapse on 2026-01-20.
    let exams = format!(
        "candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date\n\
         TSC6{n:06},Grace,Hopper,{email},VT6{n:06},REG-E-{n},NF-101,Networking Fundamentals,pass,2026-01-01\n"
    );
    let credits = format!(
        "candidate_id,external_id,activity,provider,points,active_date,inactive_date\n\
         TSC6{n:06},L-{n},Lab week,Academy,10,2025-12-01,2026-01-20\n"
    );
    for (path, csv) in [
        ("/v1/admin/imports/exam-results", &exams),
        ("/v1/admin/imports/ce-credits", &credits),
    ] {
        let r = tessera_tests::import(&app, tessera_tests::csv_upload(path, csv, None)).await;
        assert_eq!(r.json["imported"], 1, "{}", r.text);
    }
    let report = run_three_times_at_once(&app, &provider, Job::CertificationReminders).await;
    assert_eq!(report.notified, 2, "{report:?}");
    let messages = app.messages_to(&email);
    let congratulations = messages
        .iter()
        .find(|m| {
            m.subject
                .as_deref()
                .is_some_and(|s| s.contains("Congratulations"))
        })
        .expect("congratulations");
    assert_eq!(
        congratulations.subject.as_deref(),
        Some("Tessera - Congratulations: you are certified in Networking Technician")
    );
    assert!(congratulations.body.contains("Thursday, 1 January 2026"));
    assert!(
        congratulations
            .body
            .contains("The first kit of each certification is free"),
        "how to claim the kit: {}",
        congratulations.body
    );
    let lapse = messages
        .iter()
        .find(|m| {
            m.subject
                .as_deref()
                .is_some_and(|s| s.contains("CE credits"))
        })
        .expect("the lapse reminder");
    assert_eq!(
        lapse.subject.as_deref(),
        Some("Tessera - 10 CE credits lapse in 19 days, on Tuesday, 20 January 2026")
    );
    assert_eq!(
        run(&app, &provider, Job::CertificationReminders)
            .await
            .notified,
        0
    );
    app.clock.advance(Seconds::days(13));
    let report = run(&app, &provider, Job::CertificationReminders).await;
    assert_eq!(report.notified, 1, "the 7-day lapse reminder: {report:?}");
    assert!(app
        .messages_to(&email)
        .last()
        .unwrap()
        .subject
        .as_deref()
        .unwrap()
        .starts_with("Tessera - 10 CE credits lapse in 6 days"));

    // A manual grant of another certification, active today: congratulated too.
    let admin = tessera_tests::staff_member(
        &app,
        "congratulating.admin",
        &[tessera_identity::staff::Role::ProgramAdmin],
    )
    .await;
    let today = app.clock.now().date();
    let grant = json!({
        "certification_id": "security-associate", "active_on": today.to_string(),
        "reason": "passed at an event whose results were lost",
    });
    let path = format!("/v1/staff/candidates/TSC6{n:06}/grants");
    let granted = tessera_tests::staff_call(
        &app,
        tessera_tests::authorized("POST", &path, &admin.token, Some(&grant)),
    )
    .await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    let report = run_three_times_at_once(&app, &provider, Job::CertificationReminders).await;
    assert_eq!(report.notified, 1, "{report:?}");
    assert_eq!(
        app.messages_to(&email).last().unwrap().subject.as_deref(),
        Some("Tessera - Congratulations: you are certified in Security Operations Associate")
    );
}

on_both_backends!(
    earnings_are_congratulated_and_lapsing_credits_reminded,
    a_crashed_transcripts_run_is_finished_by_the_next,
    crashed_runs_are_finished_by_the_next,
    expiry_reminders_go_out_once_each_before_and_on_the_expiration_day,
    unpaid_orders_are_cancelled_once_after_a_day,
    a_checkout_paid_before_the_job_is_left_to_its_event,
    a_crashed_unpaid_run_is_finished_by_the_next,
    pending_accounts_are_purged_and_their_email_freed,
    an_account_changed_meanwhile_is_not_purged,
    expired_transcripts_are_removed_after_the_grace_period,
);

/// Subjects of the expiry emails sent to `email`.
fn expiry_subjects(app: &TestApp, email: &str) -> Vec<String> {
    app.messages_to(email)
        .iter()
        .filter_map(|m| m.subject.clone())
        .filter(|s| s.contains("certification"))
        .collect()
}

/// A holder whose certification expires 60 days after an import is reminded 90, 30 and 7 days
/// ahead (the 90-day one at once: its day has passed) and on the expiration day, each once,
/// though each run arrives three times at once and a re-import makes the holder due again.
async fn expiry_reminders_go_out_once_each_before_and_on_the_expiration_day(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let n = tessera_testkit::app::unique() % 1_000_000;
    let email = unique_email("expiring");
    // The clock starts on 2026-01-01; a pass on 2023-03-02 holds the certification until
    // 2026-03-02, three years on.
    let csv = format!(
        "candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date\n\
         TSC9{n:06},Grace,Hopper,{email},VT9{n:06},REG-R-{n},NF-101,Networking Fundamentals,pass,2023-03-02\n"
    );
    let import = || async {
        let r = tessera_tests::import(
            &app,
            tessera_tests::csv_upload("/v1/admin/imports/exam-results", &csv, None),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
    };
    import().await;

    let report = run_three_times_at_once(&app, &provider, Job::CertificationReminders).await;
    assert_eq!((report.changed, report.notified), (1, 1), "{report:?}");
    assert_eq!(
        expiry_subjects(&app, &email),
        ["Tessera - Your Networking Technician certification expires in 60 days, on Monday, 2 March 2026"],
        "the 90-day reminder, with the days really left"
    );
    assert_eq!(
        run(&app, &provider, Job::CertificationReminders).await,
        JobReport::default(),
        "nothing due until the 30-day reminder"
    );

    // A re-import makes the holder due again; nothing new is owed, so nothing is sent.
    import().await;
    let report = run(&app, &provider, Job::CertificationReminders).await;
    assert_eq!((report.changed, report.notified), (1, 0), "{report:?}");

    for (days, expected) in [
        (30, "expires in 30 days, on Monday, 2 March 2026"),
        (23, "expires in 7 days, on Monday, 2 March 2026"),
        (7, "expired on Monday, 2 March 2026"),
    ] {
        app.clock.advance(Seconds::days(days));
        let report = run_three_times_at_once(&app, &provider, Job::CertificationReminders).await;
        assert_eq!(report.notified, 1, "{expected}: {report:?}");
        let subjects = expiry_subjects(&app, &email);
        assert!(subjects.last().unwrap().ends_with(expected), "{subjects:?}");
    }
    app.clock.advance(Seconds::days(1));
    assert_eq!(
        run(&app, &provider, Job::CertificationReminders).await,
        JobReport::default(),
        "an expired certification has nothing ahead"
    );
    assert_eq!(expiry_subjects(&app, &email).len(), 4);
}

/// Runs stopped after their first item (a crash, or a page limit) leave the rest due; the next
/// run finishes it without touching or re-emailing the first: pending accounts, reminders and
/// transcripts.
async fn crashed_runs_are_finished_by_the_next(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let deps = job_deps(&app, None);

    // Two pending accounts past their purge date.
    let pending = [unique_email("crash-a"), unique_email("crash-b")];
    for email in &pending {
        assert_eq!(sign_up(&app, email, PASSWORD).await.status, 202);
    }
    // Two holders whose certifications expire 60 days on.
    let n = tessera_testkit::app::unique() % 1_000_000;
    let holders = [unique_email("crash-c"), unique_email("crash-d")];
    let csv = format!(
        "candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date\n\
         TSC8{n:06},Grace,Hopper,{},VT8{n:06},REG-C-{n},NF-101,Networking Fundamentals,pass,2023-03-09\n\
         TSC7{n:06},Alan,Kay,{},VT7{n:06},REG-D-{n},NF-101,Networking Fundamentals,pass,2023-03-09\n",
        holders[0], holders[1]
    );
    let r = tessera_tests::import(
        &app,
        tessera_tests::csv_upload("/v1/admin/imports/exam-results", &csv, None),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.clock.advance(Seconds::days(7));

    let crashed = tessera_identity::signup::purge_unactivated(&deps.identity, 1)
        .await
        .unwrap();
    assert_eq!(crashed.changed, 1);
    let rerun = run(&app, &provider, Job::PendingAccounts).await;
    assert_eq!((rerun.due, rerun.changed), (1, 1), "{rerun:?}");

    let days = tessera_certification::reminders::ReminderDays::default();
    let crashed = tessera_certification::reminders::send_due_notices(&deps.certification, &days, 1)
        .await
        .unwrap();
    assert_eq!(crashed.notified, 1);
    let rerun = run(&app, &provider, Job::CertificationReminders).await;
    assert_eq!((rerun.due, rerun.notified), (1, 1), "{rerun:?}");
    for holder in &holders {
        assert_eq!(expiry_subjects(&app, holder).len(), 1, "one reminder each");
    }
    for email in &pending {
        let canonical = tessera_kernel::email::Email::parse(email).unwrap();
        assert!(app.deps.store.identity(&canonical).await.unwrap().is_none());
    }
}

/// A transcripts run stopped after its first transcript leaves the other due; the next run
/// removes it and nothing else.
async fn a_crashed_transcripts_run_is_finished_by_the_next(backend: Backend) {
    let app = TestApp::new(backend).await;
    let provider = FakeProvider::start().await;
    let (email, token) = holder(&app).await;
    consent(&app, &token, true).await;
    create_transcripts(&app, &token, &[("first", 1), ("second", 1), ("kept", 365)]).await;
    app.clock
        .advance(Seconds::days(1) + tessera_certification::transcript::KEPT_AFTER_EXPIRY);
    let crashed = tessera_certification::transcript::remove_expired(&app.certification, 1)
        .await
        .unwrap();
    assert_eq!((crashed.due, crashed.changed), (1, 1));
    let rerun = run(&app, &provider, Job::Transcripts).await;
    assert_eq!((rerun.due, rerun.changed), (1, 1), "{rerun:?}");
    let token = signed_in_again(&app, &email).await;
    let list = call(&app, "GET", "/v1/candidate/transcripts", &token, None).await;
    let left: Vec<&str> = list.json["transcripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["kept"]);
}
