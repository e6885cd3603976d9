//! The audit log: what staff (and the machines that write records: imports, the fulfillment
//! house) changed, who, to what, when and why, with each changed field before and after. It is
//! append-only: the port can add an event and read events, nothing else, and no event holds a
//! secret (callers record that a password or a code changed, never its value).

use crate::ports::{Random, StoreError};
use crate::time::Timestamp;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// An event's id: its time (seconds, zero-padded) then 64 random bits in hex, so ids sort by
/// time and two events of one second never collide (those two sort in no set order).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditId(String);

const TIME_DIGITS: usize = 11;
const RANDOM_HEX: usize = 16;

impl AuditId {
    pub fn new(at: Timestamp, random: &dyn Random) -> AuditId {
        let mut bits = [0u8; RANDOM_HEX / 2];
        random.fill(&mut bits);
        AuditId(format!(
            "{}-{}",
            AuditId::time_prefix(at),
            hex::encode(bits)
        ))
    }

    /// The id as a client sends it back (a page's cursor), or nothing.
    pub fn parse(raw: &str) -> Option<AuditId> {
        let (time, random) = raw.split_once('-')?;
        let ok = time.len() == TIME_DIGITS
            && time.bytes().all(|b| b.is_ascii_digit())
            && random.len() == RANDOM_HEX
            && random
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| AuditId(raw.to_string()))
    }

    /// What every id made at or after `at` sorts at or after.
    pub fn time_prefix(at: Timestamp) -> String {
        format!("{:0width$}", at.0.max(0), width = TIME_DIGITS)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One field a write changed: its value before and after, as text (`None`: absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl FieldChange {
    pub fn new(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
        FieldChange {
            field: field.to_string(),
            before,
            after,
        }
    }
}

/// Who acted, or what was acted on, as `kind:id` (`account:…`, `candidate:…`, `order:…`,
/// `operator:…`, `admin:…`, `catalog`): the log's two filters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditParty(String);

impl AuditParty {
    pub fn new(kind: &str, id: &str) -> AuditParty {
        AuditParty(format!("{kind}:{id}"))
    }

    /// A party as a filter names it: `kind:id`, printable, at most 200 characters.
    pub fn parse(raw: &str) -> Option<AuditParty> {
        let raw = raw.trim();
        let ok = !raw.is_empty()
            && raw.chars().count() <= 200
            && !raw.chars().any(|c| c.is_control() || c.is_whitespace());
        ok.then(|| AuditParty(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a staff member made a write: required on every one, kept in its audit event. Trimmed,
/// 1 to 500 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(raw: &str) -> Option<Reason> {
        // The limit holds for the text as sent, so a schema can state it (`maxLength`).
        let text = raw.trim();
        let ok = !text.is_empty()
            && raw.chars().count() <= Reason::MAX_CHARS
            && !text.chars().any(char::is_control);
        ok.then(|| Reason(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor: AuditParty,
    /// What was done, as `subject-kind.verb` (`account.unlock`, `roles.set`, `import.exam_results`).
    pub action: String,
    pub subject: AuditParty,
    pub reason: Reason,
    #[serde(default)]
    pub changes: Vec<FieldChange>,
}

/// Which events to read: newest first, optionally by actor and subject, none older than `since`,
/// and only those older than `before` (the previous page's last id).
/// Who acts and why: what every audited write carries from the route to its event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribution {
    pub actor: AuditParty,
    pub reason: Reason,
}

impl Attribution {
    pub fn new(actor: AuditParty, reason: Reason) -> Attribution {
        Attribution { actor, reason }
    }

    /// The event recording `action` on `subject` at `at`. Changes whose before and after agree
    /// are left out: the event says what changed.
    pub fn event(
        &self,
        at: Timestamp,
        random: &dyn Random,
        action: &str,
        subject: AuditParty,
        mut changes: Vec<FieldChange>,
    ) -> AuditEvent {
        changes.retain(|change| change.before != change.after);
        AuditEvent {
            id: AuditId::new(at, random),
            at,
            actor: self.actor.clone(),
            action: action.to_string(),
            subject,
            reason: self.reason.clone(),
            changes,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<AuditParty>,
    pub subject: Option<AuditParty>,
    pub since: Option<Timestamp>,
    pub before: Option<AuditId>,
    pub limit: usize,
}

/// A page of events, newest first, and where the next page starts (`None`: the last page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub next: Option<AuditId>,
}

impl AuditPage {
    /// The page of at most `limit` events from `newest_first` (which may hold one more, to tell
    /// whether a next page exists).
    pub fn of(mut newest_first: Vec<AuditEvent>, limit: usize) -> AuditPage {
        let more = newest_first.len() > limit;
        newest_first.truncate(limit);
        let next = more
            .then(|| newest_first.last().map(|e| e.id.clone()))
            .flatten();
        AuditPage {
            events: newest_first,
            next,
        }
    }
}

impl AuditQuery {
    /// Whether `event` is one this query reads (what an adapter filters by when its index serves
    /// only one of the filters).
    pub fn matches(&self, event: &AuditEvent) -> bool {
        self.actor.as_ref().is_none_or(|a| *a == event.actor)
            && self.subject.as_ref().is_none_or(|s| *s == event.subject)
            && self
                .since
                .is_none_or(|since| event.id.as_str() >= AuditId::time_prefix(since).as_str())
            && self.before.as_ref().is_none_or(|b| event.id < *b)
    }
}

/// The log. Appending never replaces an event; nothing edits or deletes one.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Adds `event`; `Conflict` when its id is taken.
    async fn append(&self, event: &AuditEvent) -> Result<(), StoreError>;

    /// The events `query` reads, newest first, at most `query.limit`.
    async fn query(&self, query: &AuditQuery) -> Result<AuditPage, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ports::CountingRandom;

    #[test]
    fn ids_sort_by_time_and_round_trip() {
        let random = CountingRandom::from(0);
        let early = AuditId::new(Timestamp(99), &random);
        let late = AuditId::new(Timestamp(1_800_000_000), &random);
        assert!(early < late);
        assert_eq!(early.as_str(), "00000000099-0001020304050607");
        assert_eq!(AuditId::parse(late.as_str()), Some(late));
        assert_eq!(AuditId::parse("99-00"), None);
        assert_eq!(AuditId::parse("00000000099-000102030405060G"), None);
    }

    #[test]
    fn reasons_are_trimmed_text_of_bounded_length() {
        assert_eq!(
            Reason::parse("  asked by phone ").unwrap().as_str(),
            "asked by phone"
        );
        assert!(Reason::parse(" ").is_none());
        assert!(Reason::parse("a\u{0}b").is_none());
        assert!(Reason::parse(&"x".repeat(500)).is_some());
        assert!(Reason::parse(&"x".repeat(501)).is_none());
    }

    #[test]
    fn parties_are_printable_and_bounded() {
        assert_eq!(
            AuditParty::parse(" account:abc ").unwrap().as_str(),
            "account:abc"
        );
        assert!(AuditParty::parse("").is_none());
        assert!(AuditParty::parse("a b").is_none());
        assert!(AuditParty::parse(&"x".repeat(201)).is_none());
    }

    #[test]
    fn a_page_says_whether_more_follow() {
        let random = CountingRandom::from(0);
        let event = |at| AuditEvent {
            id: AuditId::new(Timestamp(at), &random),
            at: Timestamp(at),
            actor: AuditParty::new("account", "a"),
            action: "account.unlock".into(),
            subject: AuditParty::new("account", "b"),
            reason: Reason::parse("asked").unwrap(),
            changes: vec![],
        };
        let three = vec![event(3), event(2), event(1)];
        let page = AuditPage::of(three.clone(), 2);
        assert_eq!(page.events.len(), 2);
        assert_eq!(page.next, Some(three[1].id.clone()));
        assert_eq!(AuditPage::of(three, 3).next, None);
    }
}
