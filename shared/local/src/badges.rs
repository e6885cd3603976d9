//! Open Badges credentials and their status list in the embedded database: one row per issued
//! badge (unique by id, by status list entry, and by record and certification), and one row per
//! status list entry that carries a hold. A hold's write (`candidates.rs`, `set_oversight`)
//! sets its entry in the same transaction.

use async_trait::async_trait;
use rusqlite::{params, Connection, TransactionBehavior};
use tessera_certification::oversight::{CredentialStatus, HoldKind, Oversight};
use tessera_certification::ports::BadgeStore;
use tessera_certification::IssuedBadge;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;

use crate::store::{bodies, conflict_if_taken, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS badges (
    badge_id         TEXT PRIMARY KEY,
    candidate_id     TEXT NOT NULL,
    certification_id TEXT NOT NULL,
    status_index     INTEGER NOT NULL UNIQUE,
    body             TEXT NOT NULL,
    UNIQUE (candidate_id, certification_id)
);
CREATE TABLE IF NOT EXISTS badge_holds (
    status_index INTEGER PRIMARY KEY,
    hold         TEXT NOT NULL
);
";

/// The badges issued on `candidate`'s record.
pub(crate) fn record_badges(
    conn: &Connection,
    candidate: &CandidateId,
) -> Result<Vec<IssuedBadge>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM badges WHERE candidate_id = ?1 ORDER BY rowid",
        [candidate.as_str()],
    )
}

/// A hold's part for the certification's badge: its entry set to the hold; with none read,
/// `Conflict` if one was issued since.
pub(crate) fn set_credential_status(
    conn: &Connection,
    candidate: &CandidateId,
    status: &CredentialStatus,
) -> Result<(), StoreError> {
    let Some(index) = status.status_index else {
        let issued: i64 = conn
            .query_row(
                "SELECT count(*) FROM badges WHERE candidate_id = ?1 AND certification_id = ?2",
                params![candidate.as_str(), status.certification.as_str()],
                |r| r.get(0),
            )
            .map_err(StoreError::unavailable)?;
        return if issued == 0 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        };
    };
    match status.hold {
        None => conn.execute("DELETE FROM badge_holds WHERE status_index = ?1", [index]),
        Some(hold) => conn.execute(
            "INSERT INTO badge_holds (status_index, hold) VALUES (?1, ?2)
             ON CONFLICT (status_index) DO UPDATE SET hold = ?2",
            params![index, hold.as_str()],
        ),
    }
    .map_err(StoreError::unavailable)?;
    Ok(())
}

#[async_trait]
impl BadgeStore for SqliteStore {
    async fn issue(
        &self,
        candidate: &CandidateId,
        badge: &IssuedBadge,
        oversight: &Oversight,
    ) -> Result<(), StoreError> {
        let (candidate, badge, oversight) = (candidate.clone(), badge.clone(), oversight.clone());
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let holds_as_read = crate::candidates::whole_record(&tx, &candidate)?
                .is_some_and(|r| r.profile.oversight == oversight);
            if !holds_as_read {
                return Err(StoreError::Conflict);
            }
            tx.execute(
                "INSERT INTO badges (badge_id, candidate_id, certification_id, status_index, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    badge.badge_id,
                    candidate.as_str(),
                    badge.certification.as_str(),
                    badge.status_index,
                    to_json(&badge)?
                ],
            )
            .map_err(conflict_if_taken)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn badge_holder(&self, badge_id: &str) -> Result<Option<CandidateId>, StoreError> {
        let badge_id = badge_id.to_string();
        self.with(move |conn| {
            let holder: Option<String> = rusqlite::OptionalExtension::optional(conn.query_row(
                "SELECT candidate_id FROM badges WHERE badge_id = ?1",
                [&badge_id],
                |r| r.get(0),
            ))
            .map_err(StoreError::unavailable)?;
            Ok(holder.and_then(|id| CandidateId::parse(&id)))
        })
        .await
    }

    async fn held_entries(&self) -> Result<Vec<(u32, HoldKind)>, StoreError> {
        self.with(|conn| {
            let mut statement = conn
                .prepare("SELECT status_index, hold FROM badge_holds ORDER BY status_index")
                .map_err(StoreError::unavailable)?;
            let rows = statement
                .query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))
                .map_err(StoreError::unavailable)?;
            let mut held = Vec::new();
            for row in rows {
                let (index, hold) = row.map_err(StoreError::unavailable)?;
                let hold = match hold.as_str() {
                    "revoked" => HoldKind::Revoked,
                    _ => HoldKind::Suspended,
                };
                held.push((index, hold));
            }
            Ok(held)
        })
        .await
    }
}
