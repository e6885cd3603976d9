//! The suppression list in SQLite: one row per address, the entry as JSON.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ports::StoreError;
use tessera_kernel::suppression::{Suppression, SuppressionList};

use crate::store::{from_json, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS suppressions (
    address TEXT PRIMARY KEY,
    body    TEXT NOT NULL
);
";

#[async_trait]
impl SuppressionList for SqliteStore {
    async fn suppression(&self, address: &str) -> Result<Option<Suppression>, StoreError> {
        let address = address.to_string();
        self.with(move |conn| {
            let body: Option<String> = conn
                .query_row(
                    "SELECT body FROM suppressions WHERE address = ?1",
                    [&address],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            body.as_deref().map(from_json).transpose()
        })
        .await
    }

    async fn suppress(&self, entry: &Suppression) -> Result<(), StoreError> {
        let (address, body) = (entry.address.clone(), to_json(entry)?);
        self.with(move |conn| {
            // The first entry stands.
            conn.execute(
                "INSERT INTO suppressions (address, body) VALUES (?1, ?2)
                 ON CONFLICT (address) DO NOTHING",
                params![address, body],
            )
            .map(|_| ())
            .map_err(StoreError::unavailable)
        })
        .await
    }

    async fn lift(&self, address: &str, event: &AuditEvent) -> Result<bool, StoreError> {
        let (address, event) = (address.to_string(), event.clone());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            let deleted = tx
                .execute("DELETE FROM suppressions WHERE address = ?1", [&address])
                .map_err(StoreError::unavailable)?;
            if deleted == 0 {
                return Ok(false);
            }
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn forget(&self, address: &str) -> Result<(), StoreError> {
        let address = address.to_string();
        self.with(move |conn| {
            conn.execute("DELETE FROM suppressions WHERE address = ?1", [&address])
                .map(|_| ())
                .map_err(StoreError::unavailable)
        })
        .await
    }
}
