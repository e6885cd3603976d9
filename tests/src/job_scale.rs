//! A scheduled job's cost at scale: `items` pending accounts in the identity table on moto,
//! `due` of them past their purge date, and one run of the pending-accounts job with every
//! DynamoDB call recorded. Shared by `tests/tests/job_scale.rs` (10,000 items, 50 due) and
//! `make bench`.

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use serde::Serialize;
use tessera_aws::{DynamoClient, IdentityStore};
use tessera_identity::signup::purge_unactivated;
use tessera_kernel::jobs::{JobReport, PAGE};
use tessera_kernel::ports::Clock;
use tessera_kernel::time::Seconds;
use tessera_kernel::time::Timestamp;
use tessera_testkit::conformance::pending_account;
use tessera_testkit::{Backend, TestApp};

#[derive(Clone, Debug, Serialize)]
pub struct JobScale {
    /// Pending accounts in the table.
    pub items: usize,
    /// How many of them were due.
    pub due: usize,
    pub report: JobReport,
    /// The run's DynamoDB operations, in order.
    pub calls: Vec<String>,
    /// The operations of a second run, with nothing left due.
    pub idle_calls: Vec<String>,
}

/// Seeds the table and runs the job twice (the second finds nothing due).
pub async fn pending_accounts(items: usize, due: usize) -> JobScale {
    let mut app = TestApp::new(Backend::Moto).await;
    let now = app.clock.now();
    seed(app.table_name().unwrap(), now, items, due).await;
    let counter = app.count_dynamodb_calls().await.expect("moto counts calls");
    let report = purge_unactivated(&app.deps, PAGE).await.unwrap();
    let calls = counter.take();
    purge_unactivated(&app.deps, PAGE).await.unwrap();
    JobScale {
        items,
        due,
        report,
        calls,
        idle_calls: counter.take(),
    }
}

/// `items` pending accounts, the first `due` of them past their purge date at `now`, written as
/// the store writes them, 25 to a `BatchWriteItem` (faster than 10,000 sign-ups on moto).
async fn seed(table: &str, now: Timestamp, items: usize, due: usize) {
    let client = DynamoClient::new(&tessera_testkit::moto::sdk_config().await);
    let mut writes = Vec::new();
    for i in 0..items {
        let (mut identity, mut profile) = pending_account(
            &format!("scale-{i}@example.com"),
            &format!("acct-scale-{i}"),
        );
        let purge_at = if i < due {
            now - Seconds(60)
        } else {
            now + Seconds::days(7)
        };
        identity.purge_at = Some(purge_at);
        profile.purge_at = Some(purge_at);
        writes.extend(IdentityStore::account_items(&identity, &profile).unwrap());
    }
    for batch in writes.chunks(25) {
        let mut unprocessed: Vec<WriteRequest> = batch
            .iter()
            .map(|item| {
                let put = PutRequest::builder()
                    .set_item(Some(item.clone()))
                    .build()
                    .unwrap();
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        while !unprocessed.is_empty() {
            let out = client
                .batch_write_item()
                .request_items(table, unprocessed)
                .send()
                .await
                .unwrap();
            unprocessed = out
                .unprocessed_items
                .and_then(|mut left| left.remove(table))
                .unwrap_or_default();
        }
    }
}
