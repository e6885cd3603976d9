//! Published catalog versions in SQLite: one row per version, the latest the highest number.

use async_trait::async_trait;
use rusqlite::{params, TransactionBehavior};
use tessera_certification::catalog_versions::{CatalogVersion, CatalogVersions};
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ports::StoreError;

use crate::store::{bodies, optional_body, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS catalog_versions (
    number INTEGER PRIMARY KEY,
    body   TEXT NOT NULL
);
";

#[async_trait]
impl CatalogVersions for SqliteStore {
    async fn latest_catalog(&self) -> Result<Option<CatalogVersion>, StoreError> {
        Ok(self.catalog_versions(1).await?.pop())
    }

    async fn catalog_version(&self, number: u32) -> Result<Option<CatalogVersion>, StoreError> {
        self.with(move |conn| {
            optional_body(
                conn,
                "SELECT body FROM catalog_versions WHERE number = ?1",
                &number.to_string(),
            )
        })
        .await
    }

    async fn catalog_versions(&self, limit: usize) -> Result<Vec<CatalogVersion>, StoreError> {
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT body FROM catalog_versions ORDER BY number DESC LIMIT ?1",
                [limit as i64],
            )
        })
        .await
    }

    async fn publish_catalog(
        &self,
        version: &CatalogVersion,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let (version, event) = (version.clone(), event.clone());
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            // The built-in catalog is version 1, stored nowhere.
            let latest: u32 = tx
                .query_row(
                    "SELECT coalesce(max(number), 1) FROM catalog_versions",
                    [],
                    |r| r.get(0),
                )
                .map_err(StoreError::unavailable)?;
            if version.number != latest + 1 {
                return Err(StoreError::Conflict);
            }
            tx.execute(
                "INSERT INTO catalog_versions (number, body) VALUES (?1, ?2)",
                params![version.number, to_json(&version)?],
            )
            .map_err(StoreError::unavailable)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }
}
