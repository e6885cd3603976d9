//! The notification retry job: sends the messages requests could not, with a growing delay
//! (see `tessera_kernel::delivery`). Scheduled by EventBridge; the event's content is not used.

use serde_json::{json, Value};
use tessera_kernel::delivery;
use tessera_kernel::delivery::{Postbox, RetryReport};
use tessera_kernel::jobs::{drain, RUN_BUDGET};
use tessera_kernel::ports::StoreError;

/// Messages tried per page.
/// This function uses no secret: it reads none, and the template gives it none.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::NONE;

pub const BATCH: usize = tessera_kernel::jobs::PAGE;

/// One run: pages of `BATCH` until nothing is due or the run's time budget is spent. A store
/// failure fails the run, so Lambda retries it and then hands it to the failure queue; a message
/// that fails again only waits for a later run.
pub async fn run(postbox: &Postbox) -> Result<RetryReport, StoreError> {
    run_within(postbox, RUN_BUDGET).await
}

/// One run that takes pages until nothing is due or `budget` is spent.
pub async fn run_within(
    postbox: &Postbox,
    budget: std::time::Duration,
) -> Result<RetryReport, StoreError> {
    let report = drain(budget, || delivery::retry_unsent(postbox, BATCH)).await?;
    tracing::info!(
        sent = report.sent,
        failed_again = report.failed_again,
        discarded = report.discarded,
        skipped = report.skipped,
        "notification retries"
    );
    Ok(report)
}

/// The run's answer as JSON: what `cargo lambda invoke` and the scheduler see.
pub fn report_json(report: &RetryReport) -> Value {
    json!({ "job": "notification-retries", "report": report })
}
