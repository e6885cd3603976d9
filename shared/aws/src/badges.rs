//! Open Badges credentials and their status list in the candidate table:
//!
//! | item         | pk                     | sk                   | notes                            |
//! |--------------|------------------------|----------------------|----------------------------------|
//! | on a record  | `CAND#<id>`            | `BADGE#<cert>`       | the `IssuedBadge`, read with it  |
//! | by its id    | `BADGE#<badge id>`     | `BADGE`              | `candidate_id`                   |
//! | entry claim  | `STATUSENTRY#<index>`  | `STATUSENTRY`        | no two badges share an entry     |
//! | status list  | `STATUSLIST#<list>`    | `STATUSLIST`         | `suspended`, `revoked`: sets     |
//!
//! A badge is issued in one transaction: its three items, each new, and a check that the
//! record's holds are as read. A hold's write (`candidates.rs`, `set_oversight`) carries the
//! entry's new value into the list item, or, with no badge read, checks none was issued since.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, TransactWriteItem, Update};
use tessera_certification::oversight::{CredentialStatus, HoldKind, Oversight};
use tessera_certification::ports::BadgeStore;
use tessera_certification::{CertificationId, IssuedBadge};
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;

use crate::candidates::{candidate_pk, oversight_condition, profile_key};
use crate::dynamo::{item_key, item_with_key, CandidateStore, Item};

const LIST: &str = "STATUSLIST#1";

pub(crate) const RECORD_PREFIX: &str = "BADGE#";

fn on_record_key(candidate: &CandidateId, certification: &CertificationId) -> Item {
    item_key(
        candidate_pk(candidate),
        &format!("{RECORD_PREFIX}{}", certification.as_str()),
    )
}

fn id_key(badge_id: &str) -> Item {
    item_key(format!("BADGE#{badge_id}"), "BADGE")
}

fn entry_key(index: u32) -> Item {
    item_key(format!("STATUSENTRY#{index}"), "STATUSENTRY")
}

fn list_key() -> Item {
    item_key(LIST.to_string(), "STATUSLIST")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Holder {
    candidate_id: CandidateId,
}

impl CandidateStore {
    /// The part a hold's transaction plays for the certification's badge: its entry set to the
    /// hold (an `UpdateItem` of the list), or, with none issued, a check that none was since.
    pub(crate) fn credential_status_write(
        &self,
        candidate: &CandidateId,
        status: &CredentialStatus,
    ) -> Result<TransactWriteItem, StoreError> {
        let Some(index) = status.status_index else {
            let check = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(on_record_key(candidate, &status.certification)))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(StoreError::unavailable)?;
            return Ok(TransactWriteItem::builder().condition_check(check).build());
        };
        let entry = AttributeValue::Ns(vec![index.to_string()]);
        let expression = match status.hold {
            None => "DELETE suspended :entry, revoked :entry",
            Some(HoldKind::Suspended) => "ADD suspended :entry DELETE revoked :entry",
            Some(HoldKind::Revoked) => "ADD revoked :entry DELETE suspended :entry",
        };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(list_key()))
            .update_expression(expression)
            .expression_attribute_values(":entry", entry)
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

#[async_trait]
impl BadgeStore for CandidateStore {
    async fn issue(
        &self,
        candidate: &CandidateId,
        badge: &IssuedBadge,
        oversight: &Oversight,
    ) -> Result<(), StoreError> {
        let holder = Holder {
            candidate_id: candidate.clone(),
        };
        let (condition, values) = oversight_condition(oversight)?;
        let holds_as_read = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(candidate)))
            .condition_expression(condition)
            .expression_attribute_names("#oversight", "oversight")
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .build()
            .map_err(StoreError::unavailable)?;
        self.transact(vec![
            self.put_new(item_with_key(
                badge,
                on_record_key(candidate, &badge.certification),
                None,
            )?)?,
            self.put_new(item_with_key(&holder, id_key(&badge.badge_id), None)?)?,
            self.put_new(entry_key(badge.status_index))?,
            TransactWriteItem::builder()
                .condition_check(holds_as_read)
                .build(),
        ])
        .await
    }

    async fn badge_holder(&self, badge_id: &str) -> Result<Option<CandidateId>, StoreError> {
        Ok(self
            .get::<Holder>(id_key(badge_id))
            .await?
            .map(|h| h.candidate_id))
    }

    async fn held_entries(&self) -> Result<Vec<(u32, HoldKind)>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(list_key()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
        let item = out.item.unwrap_or_default();
        let entries = |name: &str, hold: HoldKind| -> Vec<(u32, HoldKind)> {
            item.get(name)
                .and_then(|v| v.as_ns().ok())
                .into_iter()
                .flatten()
                .filter_map(|n| n.parse().ok())
                .map(|index| (index, hold))
                .collect()
        };
        let mut held = entries("suspended", HoldKind::Suspended);
        held.extend(entries("revoked", HoldKind::Revoked));
        Ok(held)
    }
}
