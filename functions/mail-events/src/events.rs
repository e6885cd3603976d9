//! The mail service's events: SES publishes each bounce and complaint of a message sent with the
//! configuration set to an SNS topic, which delivers them here. Hard bounces and complaints
//! suppress the address at once, soft bounces after repeats (`tessera_kernel::suppression`);
//! nothing is sent to a suppressed address again.

use serde::Serialize;
use serde_json::{json, Value};
use tessera_kernel::delivery::Postbox;
use tessera_kernel::ports::StoreError;
use tessera_kernel::suppression::{self, Recorded};

/// This function uses no secret: it reads none, and the template gives it none.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::NONE;

/// What one delivery of SNS records did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub records: u32,
    pub suppressed: u32,
    pub counted: u32,
    /// Records that were not a mail event (logged and dropped: redelivering them cannot help).
    pub unreadable: u32,
}

/// Records every SES event in an SNS delivery. A store failure fails the delivery, so SNS
/// delivers it again; recording an event twice suppresses once.
pub async fn handle(event: &Value, postbox: &Postbox) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let records = event["Records"].as_array().cloned().unwrap_or_default();
    for record in &records {
        report.records += 1;
        let message = record["Sns"]["Message"].as_str().unwrap_or_default();
        let parsed = match suppression::parse_ses_event(message) {
            Ok(parsed) => parsed,
            Err(e) => {
                tracing::warn!(error = %e, "an SNS record that is not a mail event dropped");
                report.unreadable += 1;
                continue;
            }
        };
        let Recorded {
            suppressed,
            counted,
        } = suppression::record(
            postbox.suppressions.as_ref(),
            postbox.attempts.as_ref(),
            &parsed,
            postbox.clock.now(),
        )
        .await?;
        report.suppressed += suppressed;
        report.counted += counted;
    }
    tracing::info!(
        records = report.records,
        suppressed = report.suppressed,
        counted = report.counted,
        unreadable = report.unreadable,
        "mail events"
    );
    Ok(report)
}

/// The report as JSON: what `cargo lambda invoke` shows.
pub fn report_json(report: &Report) -> Value {
    json!({ "function": "mail-events", "report": report })
}
