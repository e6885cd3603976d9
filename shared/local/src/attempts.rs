//! The attempt ledger in SQLite: one row per key with its window, changed inside an immediate
//! transaction (which locks the file, so the separate processes of `cargo lambda watch` take
//! attempts one at a time too). Rows whose window is over are removed as new windows open.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use tessera_kernel::attempts::{Allowance, AttemptKey, AttemptLedger, AttemptWindow, Take};
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::store::SqliteStore;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS attempts (
    key          TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_expiry ON attempts (expires_at);
";

#[async_trait]
impl AttemptLedger for SqliteStore {
    async fn take_attempts(
        &self,
        key: &AttemptKey,
        n: u32,
        allowance: Allowance,
        now: Timestamp,
    ) -> Result<Take, StoreError> {
        let key = key.as_str().to_string();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let current = tx
                .prepare_cached("SELECT window_start, count FROM attempts WHERE key = ?1")
                .and_then(|mut s| {
                    s.query_row([&key], |r| {
                        Ok(AttemptWindow {
                            window_start: Timestamp(r.get(0)?),
                            count: r.get(1)?,
                        })
                    })
                    .optional()
                })
                .map_err(StoreError::unavailable)?;
            let next = match AttemptWindow::take_many(current, n, allowance, now) {
                Ok(next) => next,
                Err(retry_at) => return Ok(Take::Refused { retry_at }),
            };
            if next.count == n {
                tx.prepare_cached("DELETE FROM attempts WHERE expires_at <= ?1")
                    .and_then(|mut s| s.execute([now.0]))
                    .map_err(StoreError::unavailable)?;
            }
            tx.prepare_cached(
                "INSERT INTO attempts (key, window_start, count, expires_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start,
                     count = excluded.count, expires_at = excluded.expires_at",
            )
            .and_then(|mut s| {
                s.execute(params![
                    key,
                    next.window_start.0,
                    next.count,
                    next.ends_at(allowance).0
                ])
            })
            .map_err(StoreError::unavailable)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(Take::Taken { count: next.count })
        })
        .await
    }

    async fn give_back_attempt(&self, key: &AttemptKey) -> Result<(), StoreError> {
        let key = key.as_str().to_string();
        // The last attempt given back removes the row, so a right first answer leaves nothing.
        self.with(move |conn| {
            let removed = conn
                .prepare_cached("DELETE FROM attempts WHERE key = ?1 AND count <= 1")
                .and_then(|mut s| s.execute([&key]))
                .map_err(StoreError::unavailable)?;
            if removed == 0 {
                conn.prepare_cached(
                    "UPDATE attempts SET count = count - 1 WHERE key = ?1 AND count > 0",
                )
                .and_then(|mut s| s.execute([&key]))
                .map_err(StoreError::unavailable)?;
            }
            Ok(())
        })
        .await
    }

    async fn forget(&self, key: &AttemptKey) -> Result<(), StoreError> {
        let key = key.as_str().to_string();
        self.with(move |conn| {
            conn.prepare_cached("DELETE FROM attempts WHERE key = ?1")
                .and_then(|mut s| s.execute([&key]))
                .map(|_| ())
                .map_err(StoreError::unavailable)
        })
        .await
    }
}
