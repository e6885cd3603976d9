//! The audit log on its own DynamoDB table.
//!
//! | item  | pk      | sk   | notes                                              |
//! |-------|---------|------|----------------------------------------------------|
//! | event | `EVENT#ALL` | `<id>` | the event's attributes; `actor`, `subject` as text |
//!
//! Ids sort by time, so every read is a query newest first: the whole log on the table's one
//! partition (staff writes are few), by actor on the `by_actor` index (`actor`, `sk`), by subject
//! on `by_subject` (`subject`, `sk`). Appending is a put that never replaces; nothing here
//! updates or deletes, and the functions' policies allow neither.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use tessera_kernel::audit::{AuditEvent, AuditId, AuditLog, AuditPage, AuditQuery};
use tessera_kernel::ports::StoreError;

use crate::dynamo::{conflict_if_condition_failed, from_item, item_with_key, Item};

/// The log's one partition (its `EVENT#` prefix is what the policies' `LeadingKeys` name).
const EVENT: &str = "EVENT#ALL";
const BY_ACTOR: &str = "by_actor";
const BY_SUBJECT: &str = "by_subject";
/// Items read per query page while filling a page of events.
const READ_PAGE: i32 = 100;

/// The audit table.
#[derive(Clone)]
pub struct AuditStore {
    client: Client,
    table: String,
}

impl AuditStore {
    pub fn new(client: Client, table: impl Into<String>) -> AuditStore {
        AuditStore {
            client,
            table: table.into(),
        }
    }
}

/// The item an event is stored as (appended alone, or in a staff write's transaction).
pub(crate) fn event_item(event: &AuditEvent) -> Result<Item, StoreError> {
    let key = Item::from([
        ("pk".to_string(), AttributeValue::S(EVENT.into())),
        (
            "sk".to_string(),
            AttributeValue::S(event.id.as_str().into()),
        ),
    ]);
    item_with_key(event, key, None)
}

#[async_trait]
impl AuditLog for AuditStore {
    async fn append(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let item = event_item(event)?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(conflict_if_condition_failed)?;
        Ok(())
    }

    async fn query(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        // The most selective key the query names; a second filter is applied to what it reads.
        let (index, partition, value) = match (&query.subject, &query.actor) {
            (Some(subject), _) => (Some(BY_SUBJECT), "subject", subject.as_str().to_string()),
            (None, Some(actor)) => (Some(BY_ACTOR), "actor", actor.as_str().to_string()),
            (None, None) => (None, "pk", EVENT.to_string()),
        };
        let since = query.since.map(AuditId::time_prefix);
        let before = query.before.as_ref().map(|b| b.as_str().to_string());
        let sort = match (&since, &before) {
            (Some(_), Some(_)) => " AND sk BETWEEN :since AND :before",
            (Some(_), None) => " AND sk >= :since",
            (None, Some(_)) => " AND sk < :before",
            (None, None) => "",
        };
        let wanted = query.limit + 1;
        let mut events: Vec<AuditEvent> = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_string))
                .key_condition_expression(format!("#partition = :value{sort}"))
                .expression_attribute_names("#partition", partition)
                .expression_attribute_values(":value", AttributeValue::S(value.clone()))
                .set_exclusive_start_key(start.take())
                .scan_index_forward(false)
                .limit(READ_PAGE);
            let out = match (&since, &before) {
                (Some(s), Some(b)) => out
                    .expression_attribute_values(":since", AttributeValue::S(s.clone()))
                    .expression_attribute_values(":before", AttributeValue::S(b.clone())),
                (Some(s), None) => {
                    out.expression_attribute_values(":since", AttributeValue::S(s.clone()))
                }
                (None, Some(b)) => {
                    out.expression_attribute_values(":before", AttributeValue::S(b.clone()))
                }
                (None, None) => out,
            }
            .send()
            .await
            .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
            for item in out.items.unwrap_or_default() {
                let event: AuditEvent = from_item(item)?;
                // BETWEEN includes `before` itself; the other filter is checked here.
                if query.matches(&event) {
                    events.push(event);
                }
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() && events.len() < wanted => start = Some(key),
                _ => break,
            }
        }
        events.truncate(wanted);
        Ok(AuditPage::of(events, query.limit))
    }
}
