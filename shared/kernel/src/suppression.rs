//! The suppression list: addresses mail is no longer sent to, because they bounced for good, bounced
//! again and again, or their owner marked a message as spam. Sending to them again is what gets a
//! sender suspended by its mail service. The mail service's events feed the list (`record`); the
//! postbox checks it before every email (`delivery`); staff lift an entry by hand.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::attempts::{Allowance, AttemptKey, AttemptLedger, Take};
use crate::audit::AuditEvent;
use crate::ports::StoreError;
use crate::time::{Seconds, Timestamp};

/// Soft (transient) bounces of one address within `SOFT_BOUNCE_WINDOW` that suppress it.
pub const SOFT_BOUNCES_TO_SUPPRESS: u32 = 3;
pub const SOFT_BOUNCE_WINDOW: Seconds = Seconds::days(7);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    /// The address does not exist or refuses mail for good.
    HardBounce,
    /// Its owner marked a message as spam.
    Complaint,
    /// It bounced `SOFT_BOUNCES_TO_SUPPRESS` times within `SOFT_BOUNCE_WINDOW`.
    SoftBounces,
}

impl SuppressionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionReason::HardBounce => "hard_bounce",
            SuppressionReason::Complaint => "complaint",
            SuppressionReason::SoftBounces => "soft_bounces",
        }
    }
}

/// One suppressed address (lower case), why and since when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub address: String,
    pub reason: SuppressionReason,
    pub since: Timestamp,
}

/// The list, kept beside the identities (every context sends mail through it).
#[async_trait]
pub trait SuppressionList: Send + Sync {
    /// The entry for `address` (lower case), if it is suppressed.
    async fn suppression(&self, address: &str) -> Result<Option<Suppression>, StoreError>;

    /// Adds the entry; one already there for the address is kept (the first reason stands).
    async fn suppress(&self, entry: &Suppression) -> Result<(), StoreError>;

    /// Removes the entry for `address` with the staff action's audit `event`, in one write;
    /// whether there was one (none: nothing is written).
    async fn lift(&self, address: &str, event: &AuditEvent) -> Result<bool, StoreError>;

    /// Removes the entry for `address`, if any, as part of erasing its owner (the erasure is
    /// audited as a whole).
    async fn forget(&self, address: &str) -> Result<(), StoreError>;
}

/// The key the list and its checks use for an address: mailbox names compare without case.
pub fn normalized(address: &str) -> String {
    address.trim().to_lowercase()
}

/// What the mail service said about the addresses of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailEvent {
    /// A bounce; `permanent` for a hard one (the address cannot receive mail).
    Bounce {
        permanent: bool,
        recipients: Vec<String>,
    },
    Complaint {
        recipients: Vec<String>,
    },
    /// Deliveries, opens and the rest: nothing to do.
    Other(String),
}

/// Why a mail event could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a mail event: {0}")]
pub struct NotAMailEvent(pub String);

/// Reads an SES event as published to SNS: the event publishing format (`eventType`) or the
/// older notification format (`notificationType`). Undetermined bounces count as soft ones.
pub fn parse_ses_event(json: &str) -> Result<MailEvent, NotAMailEvent> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| NotAMailEvent(e.to_string()))?;
    let kind = value["eventType"]
        .as_str()
        .or_else(|| value["notificationType"].as_str())
        .ok_or_else(|| NotAMailEvent("no eventType".into()))?;
    let recipients = |list: &serde_json::Value| -> Result<Vec<String>, NotAMailEvent> {
        let list = list
            .as_array()
            .ok_or_else(|| NotAMailEvent("no recipients".into()))?;
        list.iter()
            .map(|r| {
                r["emailAddress"]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| NotAMailEvent("a recipient without emailAddress".into()))
            })
            .collect()
    };
    match kind {
        "Bounce" => Ok(MailEvent::Bounce {
            permanent: value["bounce"]["bounceType"] == "Permanent",
            recipients: recipients(&value["bounce"]["bouncedRecipients"])?,
        }),
        "Complaint" => Ok(MailEvent::Complaint {
            recipients: recipients(&value["complaint"]["complainedRecipients"])?,
        }),
        other => Ok(MailEvent::Other(other.to_string())),
    }
}

/// What recording one event did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Recorded {
    /// Addresses added to the list.
    pub suppressed: u32,
    /// Soft bounces counted without suppressing (yet).
    pub counted: u32,
}

/// Records `event` at `now`: a hard bounce or a complaint suppresses each recipient; a soft bounce
/// counts toward `SOFT_BOUNCES_TO_SUPPRESS` in the ledger, and the bounce that reaches it
/// suppresses. Delivered twice, an event suppresses once (the first entry stands); a soft bounce
/// delivered twice counts twice, which only brings a suppression forward.
pub async fn record(
    list: &dyn SuppressionList,
    ledger: &dyn AttemptLedger,
    event: &MailEvent,
    now: Timestamp,
) -> Result<Recorded, StoreError> {
    let mut recorded = Recorded::default();
    let (recipients, reason) = match event {
        MailEvent::Bounce {
            permanent: true,
            recipients,
        } => (recipients, SuppressionReason::HardBounce),
        MailEvent::Complaint { recipients } => (recipients, SuppressionReason::Complaint),
        MailEvent::Bounce {
            permanent: false,
            recipients,
        } => (recipients, SuppressionReason::SoftBounces),
        MailEvent::Other(_) => return Ok(recorded),
    };
    for address in recipients.iter().map(|a| normalized(a)) {
        if reason == SuppressionReason::SoftBounces {
            let allowance = Allowance {
                max: SOFT_BOUNCES_TO_SUPPRESS - 1,
                window: SOFT_BOUNCE_WINDOW,
            };
            let key = AttemptKey::soft_bounce(&address);
            if let Take::Taken { .. } = ledger.take_attempt(&key, allowance, now).await? {
                recorded.counted += 1;
                continue;
            }
        }
        let entry = Suppression {
            address,
            reason,
            since: now,
        };
        list.suppress(&entry).await?;
        tracing::warn!(reason = reason.as_str(), "address suppressed");
        recorded.suppressed += 1;
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_events_are_read_in_both_formats() {
        let hard = r#"{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"Gone@Example.com"}]},"mail":{}}"#;
        assert_eq!(
            parse_ses_event(hard),
            Ok(MailEvent::Bounce {
                permanent: true,
                recipients: vec!["Gone@Example.com".into()]
            })
        );
        let soft = r#"{"notificationType":"Bounce","bounce":{"bounceType":"Transient","bouncedRecipients":[{"emailAddress":"full@example.com"}]}}"#;
        assert!(matches!(
            parse_ses_event(soft),
            Ok(MailEvent::Bounce {
                permanent: false,
                ..
            })
        ));
        let complaint = r#"{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"a@example.com"},{"emailAddress":"b@example.com"}]}}"#;
        assert_eq!(
            parse_ses_event(complaint),
            Ok(MailEvent::Complaint {
                recipients: vec!["a@example.com".into(), "b@example.com".into()]
            })
        );
        assert_eq!(
            parse_ses_event(r#"{"eventType":"Delivery"}"#),
            Ok(MailEvent::Other("Delivery".into()))
        );
        for bad in [
            "not json",
            "{}",
            r#"{"eventType":"Bounce","bounce":{}}"#,
            r#"{"eventType":"Complaint","complaint":{"complainedRecipients":[{}]}}"#,
        ] {
            assert!(parse_ses_event(bad).is_err(), "{bad}");
        }
    }
}
