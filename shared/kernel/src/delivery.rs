//! Durable delivery: a message is sent while the request waits, but never fails or holds up the
//! answer. A send that fails or takes too long is kept as an unsent message, and the scheduled
//! retry job sends it later with a growing delay, until it is no longer worth sending (a code's
//! message dies with the code).

use crate::attempts::{Allowance, AttemptKey, AttemptLedger, Take};
use crate::metrics::{self, Metric};
use crate::ports::{
    Channel, Clock, Messenger, OutgoingMessage, Random, StoreError, UnsentMessages,
};
use crate::suppression::{normalized, SuppressionList};
use crate::time::{Seconds, Timestamp};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Security notices (password, MFA or phone changed) are worth retrying for a week.
pub const NOTICE_RETRY_WINDOW: Seconds = Seconds(7 * 86_400);
/// The first retry waits a minute; each later one twice as long, up to an hour.
const FIRST_RETRY_DELAY: Seconds = Seconds(60);
const LONGEST_RETRY_DELAY: Seconds = Seconds(3600);

/// A message that could not be sent yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsentMessage {
    /// 128 random bits, hex.
    pub id: String,
    pub message: OutgoingMessage,
    /// Sends tried so far; also the version a retry must claim.
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    /// After this the message is dropped unsent (its code has expired, or the notice is stale).
    pub discard_after: Timestamp,
    pub created_at: Timestamp,
}

/// The delay before retry number `attempts + 1`, after `attempts` failed sends.
pub fn retry_delay(attempts: u32) -> Seconds {
    let doublings = attempts.saturating_sub(1).min(16);
    Seconds((FIRST_RETRY_DELAY.0 << doublings).min(LONGEST_RETRY_DELAY.0))
}

/// Text messages at most: per number in a day, and in all on one UTC day. Over either, the
/// message is not sent (the request answers as usual) and the operator is told in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsBudget {
    pub per_number: u32,
    pub per_day: u32,
}

impl Default for SmsBudget {
    fn default() -> Self {
        SmsBudget {
            per_number: 5,
            per_day: 500,
        }
    }
}

/// How messages go out: the SMS budget, and how long a request waits for the mail system before
/// keeping the message for a retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliverySettings {
    pub sms_budget: SmsBudget,
    pub send_timeout_ms: u64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            sms_budget: SmsBudget::default(),
            send_timeout_ms: 3000,
        }
    }
}

/// What sending needs, in every context: the mail system, the outbox of unsent messages, the
/// ledger that counts text messages, the clock and randomness (ids of kept messages).
#[derive(Clone)]
pub struct Postbox {
    pub messenger: Arc<dyn Messenger>,
    pub unsent: Arc<dyn UnsentMessages>,
    pub attempts: Arc<dyn AttemptLedger>,
    /// Addresses mail is not sent to (bounced for good, or marked as spam).
    pub suppressions: Arc<dyn SuppressionList>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub settings: DeliverySettings,
}

/// Takes one text message from the number's and the day's budgets; `false` when either is
/// spent (or cannot be counted: no message is better than an unbounded bill).
async fn sms_within_budget(postbox: &Postbox, number: &str) -> bool {
    let budget = postbox.settings.sms_budget;
    let now = postbox.clock.now();
    let day = now.date().to_string();
    let limits = [
        (AttemptKey::sms_number(number), budget.per_number),
        (AttemptKey::sms_day(&day), budget.per_day),
    ];
    for (key, max) in limits {
        let allowance = Allowance {
            max,
            window: Seconds::days(1),
        };
        match postbox.attempts.take_attempt(&key, allowance, now).await {
            Ok(Take::Taken { .. }) => {}
            Ok(Take::Refused { .. }) => {
                tracing::error!(budget = %budget_name(&key), "SMS budget spent: message not sent");
                metrics::count(Metric::SmsBudgetSpent);
                return false;
            }
            Err(e) => {
                tracing::error!(error = %e, "SMS budget unreadable: message not sent");
                return false;
            }
        }
    }
    true
}

/// Whether `message` goes to a suppressed address: then it is not sent, now or later. A list that
/// cannot be read suppresses nothing (a code the person waits for matters more than one bounce).
async fn suppressed(postbox: &Postbox, message: &OutgoingMessage) -> bool {
    if message.channel != Channel::Email {
        return false;
    }
    match postbox
        .suppressions
        .suppression(&normalized(&message.to))
        .await
    {
        Ok(Some(entry)) => {
            tracing::warn!(
                reason = entry.reason.as_str(),
                "message to a suppressed address not sent"
            );
            true
        }
        Ok(None) => false,
        Err(e) => {
            tracing::error!(error = %e, "suppression list unreadable: message sent");
            false
        }
    }
}

/// Sends `message`, keeping it for a retry when the send fails or outlasts the configured
/// timeout. Never fails: the person's request does not depend on the mail system. A text message
/// over the SMS budget, or an email to a suppressed address, is not sent at all.
pub async fn deliver(postbox: &Postbox, message: &OutgoingMessage, discard_after: Timestamp) {
    if message.channel == Channel::Sms && !sms_within_budget(postbox, &message.to).await {
        return;
    }
    if suppressed(postbox, message).await {
        return;
    }
    let Err(reason) = send_within(postbox, message).await else {
        count_sent(message);
        return;
    };
    let now = postbox.clock.now();
    let unsent = UnsentMessage {
        id: random_id(postbox),
        message: message.clone(),
        attempts: 1,
        next_attempt_at: now + retry_delay(1),
        discard_after,
        created_at: now,
    };
    match postbox.unsent.keep(&unsent).await {
        Ok(()) => tracing::warn!(
            error = %reason, channel = ?message.channel, id = %unsent.id,
            "message not sent; kept for retry"
        ),
        // Both the mail system and the store are down: nothing left to hold the message.
        Err(store) => tracing::error!(
            error = %reason, store_error = %store, channel = ?message.channel,
            "message not sent and could not be kept"
        ),
    }
}

/// A security notice: worth retrying for `NOTICE_RETRY_WINDOW`.
pub async fn deliver_notice(postbox: &Postbox, message: &OutgoingMessage) {
    deliver(postbox, message, postbox.clock.now() + NOTICE_RETRY_WINDOW).await
}

async fn send_within(postbox: &Postbox, message: &OutgoingMessage) -> Result<(), String> {
    let timeout = Duration::from_millis(postbox.settings.send_timeout_ms);
    match tokio::time::timeout(timeout, postbox.messenger.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "no answer within {} ms",
            postbox.settings.send_timeout_ms
        )),
    }
}

fn count_sent(message: &OutgoingMessage) {
    metrics::count(match message.channel {
        Channel::Email => Metric::EmailsSent,
        Channel::Sms => Metric::SmsSent,
    });
}

/// Which budget a key is, for the log: the day's, or a number's (its number not logged).
fn budget_name(key: &AttemptKey) -> &'static str {
    if key.as_str().starts_with("sms-day#") {
        "day"
    } else {
        "number"
    }
}

fn random_id(postbox: &Postbox) -> String {
    crate::random_id::generate(postbox.random.as_ref())
}

/// What one retry run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RetryReport {
    pub sent: u32,
    pub failed_again: u32,
    pub discarded: u32,
    /// Dropped unsent: their address was suppressed after they were kept.
    pub suppressed: u32,
    /// Due messages another run had claimed first.
    pub skipped: u32,
}

impl std::ops::AddAssign for RetryReport {
    fn add_assign(&mut self, page: RetryReport) {
        self.sent += page.sent;
        self.failed_again += page.failed_again;
        self.discarded += page.discarded;
        self.suppressed += page.suppressed;
        self.skipped += page.skipped;
    }
}

impl crate::jobs::PageReport for RetryReport {
    fn taken(&self) -> u32 {
        self.sent + self.failed_again + self.discarded + self.suppressed + self.skipped
    }

    fn progressed(&self) -> bool {
        // A failed retry moves the message to a later attempt: it leaves what is due too.
        self.sent + self.failed_again + self.discarded + self.suppressed > 0
    }
}

/// Tries every unsent message due now, at most `limit` of them (the next run resumes with the
/// rest: what is due is found by its due time, so a run costs what is due, not what is kept).
///
/// Each message is claimed before it is sent — its attempt count moves on and its next attempt
/// is pushed back, conditionally on the count read — so concurrent or repeated runs send it once;
/// a run that dies after claiming leaves the message due again after the delay.
pub async fn retry_unsent(postbox: &Postbox, limit: usize) -> Result<RetryReport, StoreError> {
    let now = postbox.clock.now();
    let mut report = RetryReport::default();
    for unsent in postbox.unsent.due(now, limit).await? {
        if now >= unsent.discard_after {
            postbox.unsent.remove(&unsent.id).await?;
            tracing::warn!(id = %unsent.id, channel = ?unsent.message.channel,
                attempts = unsent.attempts, "unsent message discarded: no longer worth sending");
            report.discarded += 1;
            continue;
        }
        if suppressed(postbox, &unsent.message).await {
            postbox.unsent.remove(&unsent.id).await?;
            report.suppressed += 1;
            continue;
        }
        let claimed = UnsentMessage {
            attempts: unsent.attempts + 1,
            next_attempt_at: now + retry_delay(unsent.attempts + 1),
            ..unsent.clone()
        };
        match postbox.unsent.claim(&claimed, unsent.attempts).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                report.skipped += 1;
                continue;
            }
            Err(e) => return Err(e),
        }
        match send_within(postbox, &claimed.message).await {
            Ok(()) => {
                postbox.unsent.remove(&claimed.id).await?;
                count_sent(&claimed.message);
                report.sent += 1;
            }
            Err(reason) => {
                tracing::warn!(error = %reason, id = %claimed.id, attempts = claimed.attempts,
                    "retry failed; trying again later");
                report.failed_again += 1;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_a_minute_then_double_up_to_an_hour() {
        let delays: Vec<i64> = (1..=9).map(|a| retry_delay(a).0).collect();
        assert_eq!(delays, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(retry_delay(u32::MAX).0, 3600);
    }
}
