//! Expiry notices: which emails a holder is owed about their certifications on a given day, and
//! the next day to look again. Pure: the caller passes the day, where each certification stands
//! on it, and the keys of the notices already sent.
//!
//! - Before an active certification expires, reminders go out the configured numbers of days
//!   ahead (90, 30 and 7 by default). Only the latest one whose day has come is owed: a record
//!   first seen 20 days before its expiry gets the 30-day reminder, not a backlog of three.
//! - On its expiration day, an expiry notice, owed for `EXPIRED_NOTICE_WINDOW` (a record first
//!   seen years after its expiry is not news).
//! - Each notice has a key naming the certification, the expiration date and the notice: renewing
//!   moves the expiration date, so the next period's reminders are new notices.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use super::status::{Standing, Status};
use super::transcript::long_date;
use super::CertificationDeps;
use crate::messages;
use tessera_kernel::delivery::deliver;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::jobs::JobReport;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::{Seconds, Timestamp};

/// How long after the expiration day its notice is still worth sending.
pub const EXPIRED_NOTICE_WINDOW: Duration = Duration::days(30);

/// The days before expiry on which reminders go out, largest first, deduplicated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderDays(Vec<u32>);

impl Default for ReminderDays {
    fn default() -> Self {
        ReminderDays(vec![90, 30, 7])
    }
}

impl ReminderDays {
    /// From a list such as `90,30,7`: whole days from 1 to 365, at least one.
    pub fn parse(text: &str) -> Option<ReminderDays> {
        let mut days = text
            .split(',')
            .map(|d| {
                d.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|d| (1..=365).contains(d))
            })
            .collect::<Option<Vec<u32>>>()?;
        days.sort_unstable_by(|a, b| b.cmp(a));
        days.dedup();
        (!days.is_empty()).then_some(ReminderDays(days))
    }

    pub fn days(&self) -> &[u32] {
        &self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// The certification expires in this many days (the configured number).
    Reminder { days_before: u32 },
    /// It expired on its expiration date.
    Expired,
}

/// One email owed to the holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub certification: String,
    pub expires: Date,
    pub kind: NoticeKind,
}

impl Notice {
    /// What makes a notice sent once: `<certification>@<expiration>@<days before|expired>`.
    pub fn key(&self) -> String {
        let which = match self.kind {
            NoticeKind::Reminder { days_before } => days_before.to_string(),
            NoticeKind::Expired => "expired".to_string(),
        };
        format!("{}@{}@{which}", self.certification, self.expires)
    }
}

/// The notices owed on `today` and not yet sent (`sent` holds their keys).
pub fn notices_due(
    standings: &[Standing],
    sent: &BTreeSet<String>,
    today: Date,
    days: &ReminderDays,
) -> Vec<Notice> {
    standings
        .iter()
        .filter_map(|standing| owed(standing, today, days))
        .filter(|notice| !sent.contains(&notice.key()))
        .collect()
}

/// The notice owed for one certification on `today`, sent or not.
fn owed(standing: &Standing, today: Date, days: &ReminderDays) -> Option<Notice> {
    let expires = standing.expires?;
    let notice = |kind| Notice {
        certification: standing.certification.as_str().to_string(),
        expires,
        kind,
    };
    match standing.status {
        Status::Active => days
            .days()
            .iter()
            .rev()
            .find(|&&d| expires - Duration::days(i64::from(d)) <= today)
            .map(|&days_before| notice(NoticeKind::Reminder { days_before })),
        Status::Expired if expires <= today && today < expires + EXPIRED_NOTICE_WINDOW => {
            Some(notice(NoticeKind::Expired))
        }
        _ => None,
    }
}

/// The first day after `today` on which a notice may fall due: a reminder day or an expiration
/// day of a certification active on `today`. `None` when nothing is ahead (the job looks again
/// only when new evidence arrives).
pub fn next_check(standings: &[Standing], today: Date, days: &ReminderDays) -> Option<Date> {
    standings
        .iter()
        .filter(|s| s.status == Status::Active)
        .filter_map(|s| s.expires)
        .flat_map(|expires| {
            days.days()
                .iter()
                .map(move |&d| expires - Duration::days(i64::from(d)))
                .chain(std::iter::once(expires))
        })
        .filter(|&day| day > today)
        .min()
}

/// Where the reminders job stands with one holder: the day to look again (`None`: nothing ahead
/// until new evidence arrives) and the keys of the notices sent. Imports make it due at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watch {
    pub candidate_id: CandidateId,
    #[serde(default)]
    pub next_check: Option<Timestamp>,
    #[serde(default)]
    pub sent: BTreeSet<String>,
    /// Optimistic concurrency: a save succeeds only if the stored version is the one read.
    #[serde(default)]
    pub version: u64,
}

/// Midnight UTC starting `day`: the moment a watch for that day falls due.
pub fn start_of(day: Date) -> Timestamp {
    Timestamp(day.midnight().assume_utc().unix_timestamp())
}

/// How long a reminder email is worth retrying.
const EMAIL_RETRY_WINDOW: Seconds = Seconds::days(2);

/// The certification-reminders job: for each holder whose watch is due (up to `limit`), works
/// out the notices owed today, records them as sent with the next day to look, on the condition
/// the watch is still the one read, and only then emails them: a run delivered twice, or
/// crashed and rerun, sends each notice once. Holders who turned email notifications off, or
/// have no address on file, get none (the notices are still recorded).
pub async fn send_due_notices(
    deps: &CertificationDeps,
    days: &ReminderDays,
    limit: usize,
) -> Result<JobReport, StoreError> {
    let now = deps.clock.now();
    let today = now.date();
    let due = deps.records.watches_due(now, limit).await?;
    let mut report = JobReport {
        due: due.len() as u32,
        ..JobReport::default()
    };
    for watch in due {
        let Some(record) = deps.records.candidate(&watch.candidate_id).await? else {
            report.skipped += 1;
            continue;
        };
        let standings = record.standings(&deps.catalog, today);
        let notices = notices_due(&standings, &watch.sent, today, days);
        let mut updated = watch.clone();
        updated.sent.extend(notices.iter().map(Notice::key));
        updated.next_check = next_check(&standings, today, days).map(start_of);
        match deps.records.save_watch(&updated).await {
            Ok(()) => report.changed += 1,
            Err(StoreError::Conflict) => {
                report.skipped += 1;
                continue;
            }
            Err(e) => return Err(e),
        }
        let profile = &record.profile;
        let Some(email) = profile
            .email
            .as_ref()
            .filter(|_| profile.settings.email_notifications != Some(false))
        else {
            continue;
        };
        for notice in &notices {
            let name = deps
                .catalog
                .certification(&notice.certification)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| notice.certification.clone());
            let when = match notice.kind {
                NoticeKind::Reminder { days_before } => format!(
                    "expires in {days_before} days, on {}",
                    long_date(notice.expires)
                ),
                NoticeKind::Expired => format!("expired on {}", long_date(notice.expires)),
            };
            let message = messages::CERTIFICATION_EXPIRY.render(
                email.as_str(),
                &[
                    ("first_name", profile.first_name.as_str()),
                    ("certification", &name),
                    ("when", &when),
                ],
            );
            deliver(&deps.postbox, &message, now + EMAIL_RETRY_WINDOW).await;
            report.notified += 1;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CertificationId;
    use crate::requirement::{Ask, Progress};
    use time::macros::date;

    fn standing(status: Status, expires: Option<Date>) -> Standing {
        Standing {
            certification: CertificationId::for_tests("associate"),
            status,
            started: None,
            active: None,
            expires,
            held_since: None,
            history: Vec::new(),
            progress: Progress {
                number: "1".into(),
                ask: Ask::AllOf,
                achieved: 0,
                required: 0,
                met: false,
                children: Vec::new(),
            },
        }
    }

    const EXPIRES: Date = date!(2027 - 04 - 01);

    fn due(status: Status, today: Date, sent: &[&str]) -> Vec<String> {
        let sent = sent.iter().map(|s| s.to_string()).collect();
        notices_due(
            &[standing(status, Some(EXPIRES))],
            &sent,
            today,
            &ReminderDays::default(),
        )
        .iter()
        .map(Notice::key)
        .collect()
    }

    #[test]
    fn reminders_fall_due_90_30_and_7_days_ahead() {
        assert!(due(Status::Active, date!(2026 - 12 - 31), &[]).is_empty());
        assert_eq!(
            due(Status::Active, date!(2027 - 01 - 01), &[]),
            ["associate@2027-04-01@90"]
        );
        assert_eq!(
            due(Status::Active, date!(2027 - 03 - 02), &[]),
            ["associate@2027-04-01@30"]
        );
        assert_eq!(
            due(Status::Active, date!(2027 - 03 - 31), &[]),
            ["associate@2027-04-01@7"]
        );
    }

    #[test]
    fn a_sent_notice_is_not_owed_again_and_a_late_record_gets_only_the_latest() {
        assert!(due(
            Status::Active,
            date!(2027 - 01 - 15),
            &["associate@2027-04-01@90"]
        )
        .is_empty());
        // First seen 20 days ahead: the 30-day reminder alone.
        assert_eq!(
            due(Status::Active, date!(2027 - 03 - 12), &[]),
            ["associate@2027-04-01@30"]
        );
    }

    #[test]
    fn the_expiry_notice_is_owed_for_thirty_days_from_the_expiration_day() {
        assert_eq!(
            due(Status::Expired, EXPIRES, &[]),
            ["associate@2027-04-01@expired"]
        );
        assert_eq!(due(Status::Expired, date!(2027 - 04 - 30), &[]).len(), 1);
        assert!(due(Status::Expired, date!(2027 - 05 - 01), &[]).is_empty());
        assert!(due(Status::InProgress, EXPIRES, &[]).is_empty());
    }

    #[test]
    fn the_next_check_is_the_next_reminder_or_expiration_day() {
        let days = ReminderDays::default();
        let active = [standing(Status::Active, Some(EXPIRES))];
        assert_eq!(
            next_check(&active, date!(2026 - 06 - 01), &days),
            Some(date!(2027 - 01 - 01))
        );
        assert_eq!(
            next_check(&active, date!(2027 - 01 - 01), &days),
            Some(date!(2027 - 03 - 02))
        );
        assert_eq!(
            next_check(&active, date!(2027 - 03 - 25), &days),
            Some(EXPIRES)
        );
        let expired = [standing(Status::Expired, Some(EXPIRES))];
        assert_eq!(next_check(&expired, EXPIRES, &days), None);
    }

    #[test]
    fn reminder_days_parse_from_configuration() {
        assert_eq!(
            ReminderDays::parse("7, 90,30,30").unwrap().days(),
            [90, 30, 7]
        );
        for bad in ["", "0", "400", "30,x", " , "] {
            assert_eq!(ReminderDays::parse(bad), None, "{bad:?}");
        }
    }
}
