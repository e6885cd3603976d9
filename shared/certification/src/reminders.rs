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
//! - When a certification is earned or granted, a congratulations notice (with how to claim its
//!   free certificate kit), owed for `EARNED_NOTICE_WINDOW` from that day.
//! - Before CE credits that count toward a certification lapse, reminders on the same days ahead
//!   as expiry reminders, one per lapse day, with the points that lapse then.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use super::requirement::{Ask, Credit};
use super::status::{Milestone, Standing, Status};
use super::transcript::long_date;
use super::CertificationDeps;
use crate::messages;
use tessera_kernel::delivery::deliver;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::jobs::JobReport;
use tessera_kernel::ports::{OutgoingMessage, StoreError};
use tessera_kernel::time::{Seconds, Timestamp};

/// How long after the expiration day its notice is still worth sending.
pub const EXPIRED_NOTICE_WINDOW: Duration = Duration::days(30);
/// How long after a certification is earned its congratulations are still news.
pub const EARNED_NOTICE_WINDOW: Duration = Duration::days(30);
/// The subject of CE-lapse notices in their keys (no certification's id has a `#`).
const CE_CREDITS: &str = "#ce-credits";

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
    /// It was earned (or granted) on the notice's day.
    Earned,
    /// These CE points lapse in this many days (the configured number), on the notice's day.
    CeLapse { days_before: u32, points: u32 },
}

/// One email owed to the holder: about `certification` (or the CE credits) and the day `on`
/// (an expiration, earning or lapse day).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub certification: String,
    pub on: Date,
    pub kind: NoticeKind,
}

impl Notice {
    /// What makes a notice sent once: `<certification>@<day>@<days before|expired|earned>`.
    pub fn key(&self) -> String {
        let which = match self.kind {
            NoticeKind::Reminder { days_before } | NoticeKind::CeLapse { days_before, .. } => {
                days_before.to_string()
            }
            NoticeKind::Expired => "expired".to_string(),
            NoticeKind::Earned => "earned".to_string(),
        };
        format!("{}@{}@{which}", self.certification, self.on)
    }
}

/// The notices owed on `today` and not yet sent (`sent` holds their keys): about the
/// certifications' `standings` and the holder's CE `credits`.
pub fn notices_due(
    standings: &[Standing],
    credits: &[Credit],
    sent: &BTreeSet<String>,
    today: Date,
    days: &ReminderDays,
) -> Vec<Notice> {
    standings
        .iter()
        .flat_map(|standing| [owed(standing, today, days), earned(standing, today)])
        .flatten()
        .chain(lapses(standings, credits, today, days))
        .filter(|notice| !sent.contains(&notice.key()))
        .collect()
}

/// The latest reminder day of those configured that has come for `day`, if any.
fn latest_reminder(day: Date, today: Date, days: &ReminderDays) -> Option<u32> {
    days.days()
        .iter()
        .rev()
        .find(|&&d| day - Duration::days(i64::from(d)) <= today)
        .copied()
}

/// The congratulations owed for an active certification whose latest milestone, within the
/// window, is its earning or grant.
fn earned(standing: &Standing, today: Date) -> Option<Notice> {
    let last = standing.history.last()?;
    let new = matches!(last.milestone, Milestone::Earned | Milestone::Granted);
    (standing.status == Status::Active && new && today < last.date + EARNED_NOTICE_WINDOW).then(
        || Notice {
            certification: standing.certification.as_str().to_string(),
            on: last.date,
            kind: NoticeKind::Earned,
        },
    )
}

/// Reminders of CE credits lapsing, one per lapse day, while a certification held or being
/// earned counts CE credits.
fn lapses(
    standings: &[Standing],
    credits: &[Credit],
    today: Date,
    days: &ReminderDays,
) -> Vec<Notice> {
    if !counts_credits(standings) {
        return Vec::new();
    }
    let mut by_day: std::collections::BTreeMap<Date, u32> = Default::default();
    for credit in credits
        .iter()
        .filter(|c| c.active <= today && today < c.inactive)
    {
        *by_day.entry(credit.inactive).or_default() += credit.points;
    }
    by_day
        .into_iter()
        .filter_map(|(on, points)| {
            let days_before = latest_reminder(on, today, days)?;
            Some(Notice {
                certification: CE_CREDITS.to_string(),
                on,
                kind: NoticeKind::CeLapse {
                    days_before,
                    points,
                },
            })
        })
        .collect()
}

/// Whether CE credits matter to the holder: a certification active or in progress whose rule
/// asks for them.
fn counts_credits(standings: &[Standing]) -> bool {
    standings
        .iter()
        .filter(|s| matches!(s.status, Status::Active | Status::InProgress))
        .any(|s| s.progress.flatten().iter().any(|p| p.ask == Ask::CeCredits))
}

/// The notice owed for one certification on `today`, sent or not.
fn owed(standing: &Standing, today: Date, days: &ReminderDays) -> Option<Notice> {
    let expires = standing.expires?;
    let notice = |kind| Notice {
        certification: standing.certification.as_str().to_string(),
        on: expires,
        kind,
    };
    match standing.status {
        Status::Active => latest_reminder(expires, today, days)
            .map(|days_before| notice(NoticeKind::Reminder { days_before })),
        Status::Expired if expires <= today && today < expires + EXPIRED_NOTICE_WINDOW => {
            Some(notice(NoticeKind::Expired))
        }
        _ => None,
    }
}

/// The first day after `today` on which a notice may fall due: a reminder day or an expiration
/// day of a certification active on `today`, or a reminder day of CE credits lapsing. `None`
/// when nothing is ahead (the job looks again only when new evidence arrives).
pub fn next_check(
    standings: &[Standing],
    credits: &[Credit],
    today: Date,
    days: &ReminderDays,
) -> Option<Date> {
    let reminder_days = |day: Date| {
        days.days()
            .iter()
            .map(move |&d| day - Duration::days(i64::from(d)))
            .collect::<Vec<_>>()
    };
    let expiries = standings
        .iter()
        .filter(|s| s.status == Status::Active)
        .filter_map(|s| s.expires)
        .flat_map(|expires| {
            let mut all = reminder_days(expires);
            all.push(expires);
            all
        });
    let lapses = credits
        .iter()
        .filter(|c| today < c.inactive && counts_credits(standings))
        .flat_map(|c| reminder_days(c.inactive));
    expiries.chain(lapses).filter(|&day| day > today).min()
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
    Timestamp::day_start(day)
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
        let credits = record.credits();
        let notices = notices_due(&standings, &credits, &watch.sent, today, days);
        let mut updated = watch.clone();
        updated.sent.extend(notices.iter().map(Notice::key));
        updated.next_check = next_check(&standings, &credits, today, days).map(start_of);
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
            let message = notice_message(deps, notice, email.as_str(), &profile.first_name, today);
            deliver(&deps.postbox, &message, now + EMAIL_RETRY_WINDOW).await;
            report.notified += 1;
        }
    }
    Ok(report)
}

/// The email of one notice to `to` on `today`: it counts the days that are really left (a record
/// first seen 60 days ahead owes the 90-day reminder, which says 60 days).
fn notice_message(
    deps: &CertificationDeps,
    notice: &Notice,
    to: &str,
    first_name: &str,
    today: Date,
) -> OutgoingMessage {
    let left = (notice.on - today).whole_days();
    let name = deps
        .catalog
        .certification(&notice.certification)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| notice.certification.clone());
    let day = long_date(notice.on);
    let (template, when) = match notice.kind {
        NoticeKind::Reminder { .. } => (
            messages::CERTIFICATION_EXPIRY,
            format!("expires in {left} days, on {day}"),
        ),
        NoticeKind::Expired => (messages::CERTIFICATION_EXPIRY, format!("expired on {day}")),
        NoticeKind::Earned => (messages::CERTIFICATION_EARNED, day),
        NoticeKind::CeLapse { points, .. } => (
            messages::CE_CREDITS_LAPSING,
            format!("{points} CE credits lapse in {left} days, on {day}"),
        ),
    };
    template.render(
        to,
        &[
            ("first_name", first_name),
            ("certification", &name),
            ("when", &when),
        ],
    )
}
