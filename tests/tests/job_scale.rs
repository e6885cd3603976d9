//! A job's cost follows what is due, not the table: 10,000 pending accounts on moto, 50 of them
//! past their purge date. The pending-accounts job reads the 50 through the `due` index in one
//! query and deletes them with one transaction each; nothing scans, nothing else is read.

use tessera_tests::job_scale::pending_accounts;

const ACCOUNTS: usize = 10_000;
const DUE: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pending_accounts_job_reads_what_is_due_not_the_table() {
    let scale = pending_accounts(ACCOUNTS, DUE).await;
    let (report, calls) = (scale.report, &scale.calls);
    assert_eq!((report.due, report.changed), (DUE as u32, DUE as u32));
    let count = |op: &str| calls.iter().filter(|c| *c == op).count();
    assert_eq!(count("Query"), 1, "one page of the due index: {calls:?}");
    assert_eq!(
        count("TransactWriteItems"),
        DUE,
        "one conditional delete each"
    );
    assert_eq!(
        calls.len(),
        1 + DUE,
        "nothing else read or written: {calls:?}"
    );
    assert_eq!(scale.idle_calls, ["Query"], "nothing due costs one query");
}
