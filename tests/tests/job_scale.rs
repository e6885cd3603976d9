//! A job's cost follows what is due, not the table: 10,000 pending accounts on moto, 50 of them
//! past their purge date. The pending-accounts job reads the 50 through the `due` index, one
//! query per shard of the job's key, and deletes them with one transaction each; nothing scans,
//! nothing else is read.

use tessera_tests::job_scale::pending_accounts;

const ACCOUNTS: usize = 10_000;
const DUE: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pending_accounts_job_reads_what_is_due_not_the_table() {
    let scale = pending_accounts(ACCOUNTS, DUE).await;
    let (report, calls) = (scale.report, &scale.calls);
    assert_eq!((report.due, report.changed), (DUE as u32, DUE as u32));
    let count = |op: &str| calls.iter().filter(|c| *c == op).count();
    // The shards, and the key of items written before the index was sharded.
    let keys = tessera_aws::DUE_SHARDS as usize + 1;
    assert_eq!(count("Query"), keys, "one page of each shard: {calls:?}");
    assert_eq!(
        count("TransactWriteItems"),
        DUE,
        "one conditional delete each"
    );
    assert_eq!(
        calls.len(),
        keys + DUE,
        "nothing else read or written: {calls:?}"
    );
    assert_eq!(
        scale.idle_calls,
        vec!["Query"; keys],
        "nothing due costs a query per shard"
    );
}

/// A mail outage leaves a backlog: `n` messages kept for retry, all due. One run of the retry job
/// drains it (page after page, within its time budget), sending each once.
async fn one_retry_run_drains_a_backlog(backend: tessera_testkit::Backend, n: usize) {
    use tessera_kernel::delivery::{Postbox, UnsentMessage};
    use tessera_kernel::ports::{Channel, Clock, OutgoingMessage};
    use tessera_kernel::time::Seconds;

    // A send that outlasts the timeout is kept for a later run; on a loaded machine moto can be
    // that slow now and then, so the timeout here is long.
    let app =
        tessera_testkit::TestApp::with_vars(backend, &[("TESSERA_SEND_TIMEOUT_MS", "30000")]).await;
    let postbox: Postbox = app.state();
    let now = app.clock.now();
    let to = tessera_testkit::unique_email("backlog");
    for i in 0..n {
        let unsent = UnsentMessage {
            id: format!(
                "{:032x}",
                (tessera_testkit::app::unique() as u128) << 20 | i as u128
            ),
            message: OutgoingMessage {
                channel: Channel::Email,
                to: to.clone(),
                subject: Some(format!("Backlog {i}")),
                text: format!("Message {i} of the backlog."),
                html: None,
            },
            attempts: 1,
            next_attempt_at: now + Seconds(60),
            discard_after: now + Seconds::days(1),
            created_at: now,
        };
        postbox.unsent.keep(&unsent).await.unwrap();
    }
    app.clock.advance(Seconds(60));
    // A generous budget: CI's debug build is what is timed here, not a deployment.
    let budget = std::time::Duration::from_secs(900);
    let report = notification_retries::run_within(&postbox, budget)
        .await
        .unwrap();
    // The one run tried every message: sent, or (a send the mail service failed) kept for later.
    assert_eq!(
        (report.sent + report.failed_again, report.skipped),
        (n as u32, 0),
        "{report:?}"
    );
    assert!(report.failed_again as usize <= n / 100, "{report:?}");
    app.clock.advance(Seconds::hours(1));
    let again = notification_retries::run_within(&postbox, budget)
        .await
        .unwrap();
    assert_eq!(again.sent, report.failed_again, "only what failed is left");
    assert_eq!(app.messages_to(&to).len(), n, "each sent once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_retry_run_drains_20_000_messages_on_the_embedded_store() {
    one_retry_run_drains_a_backlog(tessera_testkit::Backend::Embedded, 20_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_retry_run_drains_1_000_messages_on_moto() {
    one_retry_run_drains_a_backlog(tessera_testkit::Backend::Moto, 1_000).await;
}
