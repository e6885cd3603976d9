//! Published catalog versions in the candidate table:
//!
//! | item    | pk                 | sk                 | notes                                  |
//! |---------|--------------------|--------------------|----------------------------------------|
//! | version | `CATALOG#VERSIONS` | `VERSION#<number>` | one published version (number zero-padded) |
//! | latest  | `CATALOG#VERSIONS` | `LATEST`           | a copy of the latest: one read finds it |
//!
//! A publish is one transaction: the new version on the condition it does not exist, the latest
//! copy on the condition it still holds the version before (or, for the first publish, that
//! there is none), and the audit event.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use tessera_certification::catalog_versions::{CatalogVersion, CatalogVersions};
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ports::StoreError;

use crate::dynamo::{from_item, item_key, item_with_key, CandidateStore, Item};

const CATALOG: &str = "CATALOG#VERSIONS";
const LATEST: &str = "LATEST";

fn version_key(number: u32) -> Item {
    item_key(CATALOG.into(), &format!("VERSION#{number:08}"))
}

#[async_trait]
impl CatalogVersions for CandidateStore {
    async fn latest_catalog(&self) -> Result<Option<CatalogVersion>, StoreError> {
        self.get(item_key(CATALOG.into(), LATEST)).await
    }

    async fn catalog_version(&self, number: u32) -> Result<Option<CatalogVersion>, StoreError> {
        self.get(version_key(number)).await
    }

    async fn catalog_versions(&self, limit: usize) -> Result<Vec<CatalogVersion>, StoreError> {
        // A handful of versions a year: the partition is read whole, newest first.
        let mut versions: Vec<CatalogVersion> = self
            .query_partition(CATALOG.into(), Some("VERSION#"))
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        versions.reverse();
        versions.truncate(limit);
        Ok(versions)
    }

    async fn publish_catalog(
        &self,
        version: &CatalogVersion,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let new = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item_with_key(
                version,
                version_key(version.number),
                None,
            )?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::unavailable)?;
        let latest = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item_with_key(
                version,
                item_key(CATALOG.into(), LATEST),
                None,
            )?));
        // The built-in catalog (1) is stored nowhere: the first publish finds no latest copy.
        let latest = match version.number.checked_sub(1) {
            Some(1) => latest.condition_expression("attribute_not_exists(pk)"),
            previous => latest
                .condition_expression("#number = :previous")
                .expression_attribute_names("#number", "number")
                .expression_attribute_values(
                    ":previous",
                    AttributeValue::N(previous.unwrap_or_default().to_string()),
                ),
        }
        .build()
        .map_err(StoreError::unavailable)?;
        self.transact(vec![
            TransactWriteItem::builder().put(new).build(),
            TransactWriteItem::builder().put(latest).build(),
            self.audit_put(event)?,
        ])
        .await
    }
}
