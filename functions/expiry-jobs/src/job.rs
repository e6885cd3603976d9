//! The expiry jobs, one function scheduled once per job by EventBridge; each schedule's input
//! names its job (`{"job": "unpaid-orders"}`):
//!
//! - `pending-accounts`: accounts never activated are deleted after their purge date, freeing
//!   their email (`tessera_identity::signup::purge_unactivated`)
//! - `transcripts`: transcripts expired for `KEPT_AFTER_EXPIRY` are deleted with their public
//!   link (`tessera_certification::transcript::remove_expired`)
//! - `unpaid-orders`: orders unpaid a day after they were placed are cancelled, their checkout
//!   closed and their initial kits given back (`tessera_fulfillment::unpaid`)
//! - `certification-reminders`: holders are emailed before a certification expires (90, 30 and
//!   7 days ahead by default, `TESSERA_REMINDER_DAYS`) and when it has
//!   (`tessera_certification::reminders`)
//!
//! Each finds what is due through an index ordered by due time and takes one page per run
//! (`tessera_kernel::jobs`).

use serde_json::{json, Value};
use tessera_certification::reminders;
use tessera_certification::reminders::ReminderDays;
use tessera_certification::{transcript, CertificationDeps};
use tessera_fulfillment::ordering::FulfillmentDeps;
use tessera_fulfillment::unpaid;
use tessera_http::config::ConfigError;
use tessera_identity::signup;
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::jobs::{drain, JobReport, PAGE, RUN_BUDGET};
use tessera_kernel::ports::StoreError;

/// The secrets this function uses (expiring the checkout of an order cancelled unpaid): the only
/// ones it reads, and the only ones the template gives it.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    payment_api_key: true,
    ..tessera_http::config::Secrets::NONE
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    PendingAccounts,
    Transcripts,
    UnpaidOrders,
    CertificationReminders,
}

impl Job {
    pub const ALL: [Job; 4] = [
        Job::PendingAccounts,
        Job::Transcripts,
        Job::UnpaidOrders,
        Job::CertificationReminders,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::PendingAccounts => "pending-accounts",
            Job::Transcripts => "transcripts",
            Job::UnpaidOrders => "unpaid-orders",
            Job::CertificationReminders => "certification-reminders",
        }
    }

    pub fn parse(name: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|job| job.name() == name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("the event names no job: expected {{\"job\": \"pending-accounts\" | \"transcripts\" | \"unpaid-orders\" | \"certification-reminders\"}}")]
    UnknownJob,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the jobs need: the identity, certification and order ports, the payment provider, and
/// the days before expiry reminders go out.
#[derive(Clone)]
pub struct JobDeps {
    pub identity: IdentityDeps,
    pub certification: CertificationDeps,
    pub fulfillment: FulfillmentDeps,
    pub reminder_days: ReminderDays,
}

impl tessera_http::wiring::FromWiring for JobDeps {
    fn from_wiring<W: tessera_http::wiring::Wiring + ?Sized>(
        wiring: &W,
    ) -> Result<JobDeps, tessera_http::wiring::WiringError> {
        Ok(JobDeps {
            identity: wiring.identity_deps()?,
            certification: wiring.certification_deps()?,
            fulfillment: tessera_http::wiring::fulfillment_deps(wiring)?,
            reminder_days: reminder_days(wiring.variable("TESSERA_REMINDER_DAYS").as_deref())?,
        })
    }
}

/// `TESSERA_REMINDER_DAYS` (`90,30,7` when unset): whole days from 1 to 365.
pub fn reminder_days(value: Option<&str>) -> Result<ReminderDays, ConfigError> {
    match value {
        None => Ok(ReminderDays::default()),
        Some(text) => ReminderDays::parse(text).ok_or_else(|| ConfigError::Invalid {
            name: "TESSERA_REMINDER_DAYS",
            reason: format!("{text:?} is not a list of days such as 90,30,7"),
        }),
    }
}

/// The job a scheduled event names.
pub fn job_of(event: &Value) -> Result<Job, JobError> {
    event["job"]
        .as_str()
        .and_then(Job::parse)
        .ok_or(JobError::UnknownJob)
}

/// One run of `job`. A store failure fails the run, so the scheduler retries it and then hands
/// it to the failure queue.
pub async fn run(job: Job, deps: &JobDeps) -> Result<JobReport, StoreError> {
    run_within(job, deps, RUN_BUDGET).await
}

/// One run of `job` that takes pages until nothing is due or `budget` is spent.
pub async fn run_within(
    job: Job,
    deps: &JobDeps,
    budget: std::time::Duration,
) -> Result<JobReport, StoreError> {
    let certification = match job {
        Job::CertificationReminders => deps.certification.clone().with_current_catalog().await,
        _ => deps.certification.clone(),
    };
    let report = drain(budget, || async {
        match job {
            Job::PendingAccounts => signup::purge_unactivated(&deps.identity, PAGE).await,
            Job::Transcripts => transcript::remove_expired(&certification, PAGE).await,
            Job::UnpaidOrders => {
                unpaid::cancel_unpaid(&certification, &deps.fulfillment, PAGE).await
            }
            Job::CertificationReminders => {
                reminders::send_due_notices(&certification, &deps.reminder_days, PAGE).await
            }
        }
    })
    .await?;
    tracing::info!(job = job.name(), ?report, "job run");
    Ok(report)
}

/// Runs the job `event` names: what the scheduler invokes.
pub async fn handle(event: &Value, deps: &JobDeps) -> Result<Value, JobError> {
    let job = job_of(event)?;
    let report = run(job, deps).await?;
    Ok(report_json(job, &report))
}

/// The run's answer as JSON: what `cargo lambda invoke` and the scheduler see.
pub fn report_json(job: Job, report: &JobReport) -> Value {
    json!({ "job": job.name(), "report": report })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_name_their_job_and_nothing_else_runs() {
        for job in Job::ALL {
            assert_eq!(job_of(&json!({ "job": job.name() })).unwrap(), job);
        }
        for event in [json!({}), json!({"job": "everything"}), json!({"job": 3})] {
            assert!(matches!(job_of(&event), Err(JobError::UnknownJob)));
        }
    }

    #[test]
    fn reminder_days_default_and_fail_fast() {
        assert_eq!(reminder_days(None).unwrap().days(), [90, 30, 7]);
        assert_eq!(reminder_days(Some("60,14")).unwrap().days(), [60, 14]);
        assert!(reminder_days(Some("soon")).is_err());
    }
}
