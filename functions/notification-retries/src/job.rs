//! The notification retry job: sends the messages requests could not, with a growing delay
//! (see `tessera_kernel::delivery`). Scheduled by EventBridge; the event's content is not used.

use serde_json::{json, Value};
use tessera_kernel::delivery;
use tessera_kernel::delivery::{Postbox, RetryReport};
use tessera_kernel::ports::StoreError;

/// Messages tried per run; the next run picks up the rest.
/// This function uses no secret: it reads none, and the template gives it none.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::NONE;

pub const BATCH: usize = 200;

/// One run. A store failure fails the run, so Lambda retries it and then hands it to the
/// failure queue; a message that fails again only waits for a later run.
pub async fn run(postbox: &Postbox) -> Result<RetryReport, StoreError> {
    let report = delivery::retry_unsent(postbox, BATCH).await?;
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
