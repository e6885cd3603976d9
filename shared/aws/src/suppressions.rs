//! The suppression list in the identity table: one item per address,
//! `pk = SUPPRESSED#<address>`, `sk = SUPPRESSED`, with the reason and since when. Read with one
//! `GetItem` before each email; added with a conditional `PutItem` (the first entry stands);
//! lifted with a conditional `Delete` in one transaction with the staff action's audit event.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use tessera_identity::ports::UniqueWriteError;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ports::StoreError;
use tessera_kernel::suppression::{Suppression, SuppressionList};

use crate::dynamo::{
    conflict_if_condition_failed, from_item, item_key, item_with_key, IdentityStore, Item,
    OnCondition,
};

const SUPPRESSED: &str = "SUPPRESSED";

fn suppression_key(address: &str) -> Item {
    item_key(format!("SUPPRESSED#{address}"), SUPPRESSED)
}

#[async_trait]
impl SuppressionList for IdentityStore {
    async fn suppression(&self, address: &str) -> Result<Option<Suppression>, StoreError> {
        let found = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(suppression_key(address)))
            .send()
            .await
            .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
        found.item.map(from_item).transpose()
    }

    async fn suppress(&self, entry: &Suppression) -> Result<(), StoreError> {
        let item = item_with_key(entry, suppression_key(&entry.address), None)?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put.map(|_| ()).map_err(conflict_if_condition_failed) {
            Err(StoreError::Conflict) => Ok(()), // suppressed already: the first entry stands
            other => other,
        }
    }

    async fn lift(&self, address: &str, event: &AuditEvent) -> Result<bool, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(suppression_key(address)))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            TransactWriteItem::builder().delete(delete).build(),
            self.audit_put(event)?,
        ];
        let on_condition = [OnCondition::Taken, OnCondition::Conflict];
        match self.transact_marking(items, &on_condition).await {
            Ok(()) => Ok(true),
            // The entry was gone (lifted already): nothing written.
            Err(UniqueWriteError::Taken) => Ok(false),
            Err(UniqueWriteError::Store(e)) => Err(e),
        }
    }

    async fn forget(&self, address: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(suppression_key(address)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unavailable(e.into_service_error()))
    }
}
