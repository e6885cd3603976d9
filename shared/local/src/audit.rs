//! The audit log in SQLite: one row per event, its own table, with triggers that refuse every
//! update and delete (append-only below the port too).

use async_trait::async_trait;
use rusqlite::params;
use tessera_kernel::audit::{AuditEvent, AuditId, AuditLog, AuditPage, AuditQuery};
use tessera_kernel::ports::StoreError;

use crate::store::{conflict_if_taken, from_json, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_events (
    id      TEXT PRIMARY KEY,
    actor   TEXT NOT NULL,
    subject TEXT NOT NULL,
    body    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_events (actor, id);
CREATE INDEX IF NOT EXISTS audit_by_subject ON audit_events (subject, id);
CREATE TRIGGER IF NOT EXISTS audit_events_are_not_updated BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_events_are_not_deleted BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// Appends `event` on `conn` (inside a write's transaction, so both land or neither).
pub(crate) fn insert_event(
    conn: &rusqlite::Connection,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_events (id, actor, subject, body) VALUES (?1, ?2, ?3, ?4)",
        params![
            event.id.as_str(),
            event.actor.as_str(),
            event.subject.as_str(),
            to_json(event)?
        ],
    )
    .map_err(conflict_if_taken)?;
    Ok(())
}

#[async_trait]
impl AuditLog for SqliteStore {
    async fn append(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let event = event.clone();
        self.with(move |conn| insert_event(conn, &event)).await
    }

    async fn query(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        let query = query.clone();
        self.with(move |conn| {
            let since = query.since.map(AuditId::time_prefix).unwrap_or_default();
            let mut statement = conn
                .prepare(
                    "SELECT body FROM audit_events
                     WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR subject = ?2)
                       AND id >= ?3 AND (?4 IS NULL OR id < ?4)
                     ORDER BY id DESC LIMIT ?5",
                )
                .map_err(StoreError::unavailable)?;
            let rows = statement
                .query_map(
                    params![
                        query.actor.as_ref().map(|a| a.as_str()),
                        query.subject.as_ref().map(|s| s.as_str()),
                        since,
                        query.before.as_ref().map(|b| b.as_str()),
                        // One more than asked: whether a next page exists.
                        (query.limit + 1) as i64
                    ],
                    |r| r.get::<_, String>(0),
                )
                .map_err(StoreError::unavailable)?;
            let mut events = Vec::new();
            for row in rows {
                events.push(from_json(&row.map_err(StoreError::unavailable)?)?);
            }
            Ok(AuditPage::of(events, query.limit))
        })
        .await
    }
}
