//! Candidate records in SQLite: the record's own fields, its exams (a registration number belongs
//! to one candidate: the primary key) and its CE activities (keyed by provider and external id),
//! each a JSON document; and each account's mapping state.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use tessera_certification::mapping::MappingState;
use tessera_certification::oversight::{CredentialStatus, Oversight, RecordDetails};
use tessera_certification::ports::{Added, CandidateRecords};
use tessera_certification::reminders::Watch;
use tessera_certification::{
    CandidateEdit, CandidateProfile, CandidateRecord, CeActivity, ExamRecord, LookupTerm,
};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::store::{bodies, conflict_if_taken, optional_body, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS candidates (
    candidate_id TEXT PRIMARY KEY,
    email        TEXT,
    account_id   TEXT UNIQUE,
    body         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS candidates_email ON candidates (email);
-- Each record under its lookup terms (`LookupTerm::key`: its last name, its testing IDs),
-- rewritten with the record.
CREATE TABLE IF NOT EXISTS candidate_lookup (
    term         TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    PRIMARY KEY (term, candidate_id)
);
CREATE TABLE IF NOT EXISTS candidate_exams (
    registration_number TEXT PRIMARY KEY,
    candidate_id        TEXT NOT NULL,
    body                TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS candidate_exams_candidate ON candidate_exams (candidate_id);
CREATE TABLE IF NOT EXISTS mapping_states (
    account_id TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS candidate_activities (
    candidate_id TEXT NOT NULL,
    activity_key TEXT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (candidate_id, activity_key)
);
-- The reminders job's watch per holder (the body is the JSON `Watch`, version included), by
-- the moment it falls due.
CREATE TABLE IF NOT EXISTS certification_watches (
    candidate_id TEXT PRIMARY KEY,
    next_check   INTEGER,
    version      INTEGER NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS certification_watches_due ON certification_watches (next_check)
    WHERE next_check IS NOT NULL;
";

fn candidate_profile(
    conn: &Connection,
    candidate: &CandidateId,
) -> Result<Option<CandidateProfile>, StoreError> {
    optional_body(
        conn,
        "SELECT body FROM candidates WHERE candidate_id = ?1",
        candidate.as_str(),
    )
}

/// A staff change to a record's profile, in one transaction with `also` (what else the change
/// writes) and its audit event: applied only if `unchanged` still holds of the stored profile
/// (`Conflict` otherwise, or without a record).
fn change_profile_audited(
    conn: &mut Connection,
    candidate: &CandidateId,
    unchanged: impl FnOnce(&CandidateProfile) -> bool,
    change: impl FnOnce(&mut CandidateProfile),
    also: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(), StoreError>,
    event: &tessera_kernel::audit::AuditEvent,
) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::unavailable)?;
    let Some(mut profile) = candidate_profile(&tx, candidate)? else {
        return Err(StoreError::Conflict);
    };
    if !unchanged(&profile) {
        return Err(StoreError::Conflict);
    }
    change(&mut profile);
    write_profile(&tx, &profile)?;
    also(&tx)?;
    crate::audit::insert_event(&tx, event)?;
    tx.commit().map_err(StoreError::unavailable)
}

fn write_profile(conn: &Connection, profile: &CandidateProfile) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO candidates (candidate_id, email, account_id, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (candidate_id) DO UPDATE SET email = ?2, account_id = ?3, body = ?4",
        params![
            profile.candidate_id.as_str(),
            profile.email.as_ref().map(|e| e.as_str()),
            profile.account_id.as_ref().map(|a| a.as_str()),
            to_json(profile)?
        ],
    )
    // The one unique column besides the key: an account maps one record.
    .map_err(conflict_if_taken)?;
    list_under_terms(conn, profile)
}

/// Lists the record under its lookup terms, and under no other.
fn list_under_terms(conn: &Connection, profile: &CandidateProfile) -> Result<(), StoreError> {
    let candidate = profile.candidate_id.as_str();
    conn.execute(
        "DELETE FROM candidate_lookup WHERE candidate_id = ?1",
        [candidate],
    )
    .map_err(StoreError::unavailable)?;
    for term in profile.lookup_terms() {
        conn.execute(
            "INSERT INTO candidate_lookup (term, candidate_id) VALUES (?1, ?2)",
            params![term.key(), candidate],
        )
        .map_err(StoreError::unavailable)?;
    }
    Ok(())
}

/// Whether the database has `table` (each context's tables are made by its own functions).
fn table_exists(conn: &Connection, table: &str) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(StoreError::unavailable)
}

/// Lists every record under its lookup terms once, in a database made before the lookup table
/// existed (`make dev` state in `.local/`): nothing to do when any record is listed already.
pub(crate) fn list_existing_records(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::unavailable)?;
    let listed: i64 = tx
        .query_row("SELECT count(*) FROM candidate_lookup", [], |r| r.get(0))
        .map_err(StoreError::unavailable)?;
    if listed == 0 {
        let profiles: Vec<CandidateProfile> = bodies(&tx, "SELECT body FROM candidates", [])?;
        for profile in &profiles {
            list_under_terms(&tx, profile)?;
        }
    }
    tx.commit().map_err(StoreError::unavailable)
}

#[async_trait]
impl CandidateRecords for SqliteStore {
    async fn add_exams(
        &self,
        profile: &CandidateProfile,
        exams: &[ExamRecord],
    ) -> Result<Vec<Added>, StoreError> {
        let incoming = profile.clone();
        let exams = exams.to_vec();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let profile = match candidate_profile(&tx, &incoming.candidate_id)? {
                Some(mut stored) => {
                    stored.merge_import(&incoming);
                    stored
                }
                None => incoming,
            };
            write_profile(&tx, &profile)?;
            let mut outcomes = Vec::with_capacity(exams.len());
            for exam in &exams {
                let owner: Option<String> = tx
                    .query_row(
                        "SELECT candidate_id FROM candidate_exams WHERE registration_number = ?1",
                        [&exam.registration_number],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(StoreError::unavailable)?;
                let outcome = match owner {
                    Some(owner) if owner == profile.candidate_id.as_str() => Added::Duplicate,
                    Some(owner) => Added::TakenBy(
                        CandidateId::parse(&owner).ok_or_else(|| {
                            StoreError::unavailable(std::io::Error::other("stored candidate id"))
                        })?,
                    ),
                    None => {
                        tx.execute(
                            "INSERT INTO candidate_exams (registration_number, candidate_id, body) VALUES (?1, ?2, ?3)",
                            params![exam.registration_number, profile.candidate_id.as_str(), to_json(exam)?],
                        )
                        .map_err(StoreError::unavailable)?;
                        Added::New
                    }
                };
                outcomes.push(outcome);
            }
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(outcomes)
        })
        .await
    }

    async fn add_activities(
        &self,
        candidate: &CandidateId,
        activities: &[CeActivity],
    ) -> Result<Option<Vec<Added>>, StoreError> {
        let candidate = candidate.clone();
        let activities = activities.to_vec();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            if candidate_profile(&tx, &candidate)?.is_none() {
                return Ok(None);
            }
            let mut outcomes = Vec::with_capacity(activities.len());
            for activity in &activities {
                let inserted = tx
                    .execute(
                        "INSERT INTO candidate_activities (candidate_id, activity_key, body) VALUES (?1, ?2, ?3)
                         ON CONFLICT DO NOTHING",
                        params![candidate.as_str(), activity.key(), to_json(activity)?],
                    )
                    .map_err(StoreError::unavailable)?;
                outcomes.push(if inserted == 1 { Added::New } else { Added::Duplicate });
            }
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(Some(outcomes))
        })
        .await
    }

    async fn candidate(
        &self,
        candidate: &CandidateId,
    ) -> Result<Option<CandidateRecord>, StoreError> {
        let candidate = candidate.clone();
        self.with(move |conn| whole_record(conn, &candidate)).await
    }

    async fn candidate_with_registration(
        &self,
        registration_number: &str,
    ) -> Result<Option<CandidateProfile>, StoreError> {
        let number = registration_number.to_string();
        self.with(move |conn| {
            optional_body(
                conn,
                "SELECT c.body FROM candidate_exams e JOIN candidates c ON c.candidate_id = e.candidate_id
                 WHERE e.registration_number = ?1",
                &number,
            )
        })
        .await
    }

    async fn candidates_with_email(
        &self,
        email: &Email,
    ) -> Result<Vec<CandidateProfile>, StoreError> {
        let email = email.as_str().to_string();
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT body FROM candidates WHERE email = ?1 ORDER BY candidate_id",
                [&email],
            )
        })
        .await
    }

    async fn candidates_by_term(
        &self,
        term: &LookupTerm,
        limit: usize,
    ) -> Result<Vec<CandidateProfile>, StoreError> {
        let term = term.key();
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT c.body FROM candidate_lookup l JOIN candidates c USING (candidate_id)
                 WHERE l.term = ?1 ORDER BY l.candidate_id LIMIT ?2",
                params![term, limit as i64],
            )
        })
        .await
    }

    async fn mapping_state(&self, account: &AccountId) -> Result<MappingState, StoreError> {
        let account = account.as_str().to_string();
        self.with(move |conn| {
            Ok(optional_body(
                conn,
                "SELECT body FROM mapping_states WHERE account_id = ?1",
                &account,
            )?
            .unwrap_or_default())
        })
        .await
    }

    async fn save_mapping_state(
        &self,
        account: &AccountId,
        state: &MappingState,
    ) -> Result<(), StoreError> {
        let account = account.as_str().to_string();
        let state = state.clone();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            write_mapping_state(&tx, &account, &state)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn edit_candidate(
        &self,
        candidate: &CandidateId,
        edit: &CandidateEdit,
    ) -> Result<Option<CandidateProfile>, StoreError> {
        let candidate = candidate.clone();
        let edit = edit.clone();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let Some(mut profile) = candidate_profile(&tx, &candidate)? else {
                return Ok(None);
            };
            profile.apply(&edit);
            write_profile(&tx, &profile)?;
            tx.commit().map_err(StoreError::unavailable)?;
            Ok(Some(profile))
        })
        .await
    }

    async fn amend_record(
        &self,
        candidate: &CandidateId,
        before: &RecordDetails,
        after: &RecordDetails,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let (candidate, before, after, event) = (
            candidate.clone(),
            before.clone(),
            after.clone(),
            event.clone(),
        );
        self.with(move |conn| {
            change_profile_audited(
                conn,
                &candidate,
                |profile| RecordDetails::of(profile) == before,
                |profile| after.apply_to(profile),
                |_| Ok(()),
                &event,
            )
        })
        .await
    }

    async fn unmap(
        &self,
        candidate: &CandidateId,
        account: &AccountId,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let (candidate, account, event) = (candidate.clone(), account.clone(), event.clone());
        self.with(move |conn| {
            change_profile_audited(
                conn,
                &candidate,
                |profile| profile.account_id.as_ref() == Some(&account),
                |profile| profile.account_id = None,
                |tx| {
                    // The account's own mark goes in the same transaction.
                    let cleared = tx
                        .execute(
                            "UPDATE profiles SET body = json_remove(body, '$.candidate_id')
                             WHERE account_id = ?1 AND json_extract(body, '$.candidate_id') = ?2",
                            params![account.as_str(), candidate.as_str()],
                        )
                        .map_err(StoreError::unavailable)?;
                    if cleared == 0 {
                        return Err(StoreError::Conflict);
                    }
                    Ok(())
                },
                &event,
            )
        })
        .await
    }

    async fn merged_into(
        &self,
        candidate: &CandidateId,
    ) -> Result<Option<CandidateId>, StoreError> {
        let candidate = candidate.clone();
        self.with(move |conn| Ok(candidate_profile(conn, &candidate)?.and_then(|p| p.merged_into)))
            .await
    }

    async fn merge_records(
        &self,
        survivor: &CandidateProfile,
        source: &CandidateProfile,
        survivor_after: &CandidateProfile,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let (survivor, source, after, event) = (
            survivor.clone(),
            source.clone(),
            survivor_after.clone(),
            event.clone(),
        );
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let (kept, merged) = (&survivor.candidate_id, &source.candidate_id);
            // Both as read (or the merge decided on something else), and neither merged elsewhere.
            let merged_elsewhere = survivor.merged_into.is_some()
                || matches!(&source.merged_into, Some(into) if into != kept);
            if merged_elsewhere
                || candidate_profile(&tx, kept)?.as_ref() != Some(&survivor)
                || candidate_profile(&tx, merged)?.as_ref() != Some(&source)
            {
                return Err(StoreError::Conflict);
            }
            let (to, from) = (kept.as_str(), merged.as_str());
            let mut moves = vec![
                "UPDATE candidate_exams SET candidate_id = ?1 WHERE candidate_id = ?2",
                // A CE activity both hold stays the survivor's.
                "INSERT OR IGNORE INTO candidate_activities (candidate_id, activity_key, body)
                 SELECT ?1, activity_key, body FROM candidate_activities WHERE candidate_id = ?2",
                "DELETE FROM candidate_activities WHERE candidate_id = ?2",
                "DELETE FROM certification_watches WHERE candidate_id = ?2",
            ];
            // Orders and transcripts, where the functions that keep them made their tables.
            if table_exists(&tx, "orders")? {
                moves.extend([
                    "UPDATE orders SET candidate_id = ?1, body = json_set(body, '$.candidate_id', ?1)
                     WHERE candidate_id = ?2",
                    "INSERT OR IGNORE INTO kit_claims (candidate_id, certification_id, order_id)
                     SELECT ?1, certification_id, order_id FROM kit_claims WHERE candidate_id = ?2",
                    "DELETE FROM kit_claims WHERE candidate_id = ?2",
                ]);
            }
            if table_exists(&tx, "transcripts")? {
                moves.extend([
                    "UPDATE transcripts SET candidate_id = ?1, body = json_set(body, '$.candidate_id', ?1)
                     WHERE candidate_id = ?2",
                    "DELETE FROM transcript_email_counts WHERE candidate_id = ?2",
                ]);
            }
            for sql in moves {
                tx.execute(sql, params![to, from])
                    .map_err(StoreError::unavailable)?;
            }
            // The pointer first: the account it may hand over is the survivor's only then.
            write_profile(&tx, &source.pointer_to(kept))?;
            write_profile(&tx, &after)?;
            if let (None, Some(account)) = (&survivor.account_id, &after.account_id) {
                let moved = tx
                    .execute(
                        "UPDATE profiles SET body = json_set(body, '$.candidate_id', ?1)
                         WHERE account_id = ?2 AND json_extract(body, '$.candidate_id') = ?3",
                        params![to, account.as_str(), from],
                    )
                    .map_err(StoreError::unavailable)?;
                if moved == 0 {
                    return Err(StoreError::Conflict);
                }
            }
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn erase_person(
        &self,
        account: &AccountId,
        record: Option<(&CandidateProfile, &tessera_kernel::audit::AuditEvent)>,
    ) -> Result<(), StoreError> {
        let account = account.clone();
        let record = record.map(|(profile, event)| (profile.candidate_id.clone(), event.clone()));
        self.with(move |conn| {
            let forget_mapping = |tx: &rusqlite::Transaction<'_>| {
                tx.execute(
                    "DELETE FROM mapping_states WHERE account_id = ?1",
                    [account.as_str()],
                )
                .map(|_| ())
                .map_err(StoreError::unavailable)
            };
            match &record {
                Some((candidate, event)) => change_profile_audited(
                    conn,
                    candidate,
                    |profile| profile.account_id.as_ref() == Some(&account),
                    |profile| *profile = profile.erased(),
                    forget_mapping,
                    event,
                ),
                None => {
                    let tx = conn
                        .transaction_with_behavior(TransactionBehavior::Immediate)
                        .map_err(StoreError::unavailable)?;
                    forget_mapping(&tx)?;
                    tx.commit().map_err(StoreError::unavailable)
                }
            }
        })
        .await
    }

    async fn move_mapping(
        &self,
        candidate: &CandidateId,
        from: &AccountId,
        to: &AccountId,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let (candidate, from, to, event) =
            (candidate.clone(), from.clone(), to.clone(), event.clone());
        self.with(move |conn| {
            change_profile_audited(
                conn,
                &candidate,
                |profile| profile.account_id.as_ref() == Some(&from),
                |profile| profile.account_id = Some(to.clone()),
                |tx| {
                    // Both accounts' marks go in the same transaction.
                    let unmarked = tx
                        .execute(
                            "UPDATE profiles SET body = json_remove(body, '$.candidate_id')
                             WHERE account_id = ?1 AND json_extract(body, '$.candidate_id') = ?2",
                            params![from.as_str(), candidate.as_str()],
                        )
                        .map_err(StoreError::unavailable)?;
                    let marked = tx
                        .execute(
                            "UPDATE profiles SET body = json_set(body, '$.candidate_id', ?2)
                             WHERE account_id = ?1 AND json_extract(body, '$.candidate_id') IS NULL",
                            params![to.as_str(), candidate.as_str()],
                        )
                        .map_err(StoreError::unavailable)?;
                    if unmarked == 0 || marked == 0 {
                        return Err(StoreError::Conflict);
                    }
                    Ok(())
                },
                &event,
            )
        })
        .await
    }

    async fn set_oversight(
        &self,
        candidate: &CandidateId,
        expected: &Oversight,
        new: &Oversight,
        status: &CredentialStatus,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let (candidate, expected, new, status, event) = (
            candidate.clone(),
            expected.clone(),
            new.clone(),
            status.clone(),
            event.clone(),
        );
        self.with(move |conn| {
            change_profile_audited(
                conn,
                &candidate,
                |profile| profile.oversight == expected,
                |profile| profile.oversight = new,
                |tx| crate::badges::set_credential_status(tx, &candidate, &status),
                &event,
            )
        })
        .await
    }

    async fn map_account(
        &self,
        profile: &CandidateProfile,
        _previous_email: Option<&Email>,
        state: &MappingState,
    ) -> Result<(), StoreError> {
        let profile = profile.clone();
        let state = state.clone();
        self.with(move |conn| {
            let account = profile
                .account_id
                .as_ref()
                .map(|a| a.as_str().to_string())
                .ok_or_else(|| {
                    StoreError::unavailable(std::io::Error::other("no account to map"))
                })?;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            // The record must not be mapped yet; the UNIQUE account_id refuses a second record.
            // Only the mapping's own fields change: the stored record may have gained testing
            // IDs or settings since the caller read it.
            let Some(mut stored) = candidate_profile(&tx, &profile.candidate_id)? else {
                return Err(StoreError::Conflict);
            };
            if stored.account_id.is_some() {
                return Err(StoreError::Conflict);
            }
            stored.account_id = profile.account_id.clone();
            if profile.email.is_some() {
                stored.email = profile.email.clone();
            }
            write_profile(&tx, &stored)?;
            // The account's profile must exist and not be mapped yet.
            let marked = tx
                .execute(
                    "UPDATE profiles SET body = json_set(body, '$.candidate_id', ?1)
                     WHERE account_id = ?2 AND json_extract(body, '$.candidate_id') IS NULL",
                    params![profile.candidate_id.as_str(), account],
                )
                .map_err(StoreError::unavailable)?;
            if marked != 1 {
                return Err(StoreError::Conflict);
            }
            write_mapping_state(&tx, &account, &state)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn change_record_email(
        &self,
        candidate: &CandidateId,
        account: &AccountId,
        previous: Option<&Email>,
        new: &Email,
        state: &MappingState,
    ) -> Result<(), StoreError> {
        let (candidate, account) = (candidate.clone(), account.clone());
        let (previous, new, state) = (previous.cloned(), new.clone(), state.clone());
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::unavailable)?;
            let Some(mut stored) = candidate_profile(&tx, &candidate)? else {
                return Err(StoreError::Conflict);
            };
            if stored.account_id.as_ref() != Some(&account) || stored.email != previous {
                return Err(StoreError::Conflict);
            }
            stored.email = Some(new);
            write_profile(&tx, &stored)?;
            write_mapping_state(&tx, account.as_str(), &state)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn watches_due(&self, now: Timestamp, limit: usize) -> Result<Vec<Watch>, StoreError> {
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT body FROM certification_watches
                 WHERE next_check IS NOT NULL AND next_check <= ?1
                 ORDER BY next_check LIMIT ?2",
                params![now.0, limit as i64],
            )
        })
        .await
    }

    async fn save_watch(&self, watch: &Watch) -> Result<(), StoreError> {
        let mut next = watch.clone();
        next.version += 1;
        self.with(move |conn| {
            let id = next.candidate_id.as_str();
            let due = next.next_check.map(|t| t.0);
            let body = to_json(&next)?;
            let changed = if next.version == 1 {
                conn.execute(
                    "INSERT INTO certification_watches (candidate_id, next_check, version, body)
                     VALUES (?1, ?2, 1, ?3) ON CONFLICT (candidate_id) DO NOTHING",
                    params![id, due, body],
                )
            } else {
                conn.execute(
                    "UPDATE certification_watches SET next_check = ?2, version = ?3, body = ?4
                     WHERE candidate_id = ?1 AND version = ?5",
                    params![
                        id,
                        due,
                        next.version as i64,
                        body,
                        (next.version - 1) as i64
                    ],
                )
            }
            .map_err(StoreError::unavailable)?;
            if changed == 1 {
                Ok(())
            } else {
                Err(StoreError::Conflict)
            }
        })
        .await
    }

    async fn watch_again(&self, candidate: &CandidateId) -> Result<(), StoreError> {
        let fresh = Watch {
            candidate_id: candidate.clone(),
            next_check: Some(Timestamp(0)),
            sent: Default::default(),
            version: 1,
        };
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO certification_watches (candidate_id, next_check, version, body)
                 VALUES (?1, 0, 1, ?2)
                 ON CONFLICT (candidate_id) DO UPDATE SET
                   next_check = 0,
                   version = version + 1,
                   body = json_set(body, '$.next_check', 0, '$.version', version + 1)",
                params![fresh.candidate_id.as_str(), to_json(&fresh)?],
            )
            .map_err(StoreError::unavailable)?;
            Ok(())
        })
        .await
    }
}

pub(crate) fn whole_record(
    conn: &Connection,
    candidate: &CandidateId,
) -> Result<Option<CandidateRecord>, StoreError> {
    let Some(profile) = candidate_profile(conn, candidate)? else {
        return Ok(None);
    };
    let exams = bodies(
        conn,
        "SELECT body FROM candidate_exams WHERE candidate_id = ?1 ORDER BY rowid",
        [candidate.as_str()],
    )?;
    let activities = bodies(
        conn,
        "SELECT body FROM candidate_activities WHERE candidate_id = ?1 ORDER BY rowid",
        [candidate.as_str()],
    )?;
    Ok(Some(CandidateRecord {
        profile,
        exams,
        activities,
        badges: crate::badges::record_badges(conn, candidate)?,
    }))
}

/// Writes the state as `version + 1` if the stored one is `state.version` (absent for 0).
fn write_mapping_state(
    conn: &Connection,
    account: &str,
    state: &MappingState,
) -> Result<(), StoreError> {
    let mut next = state.clone();
    next.version += 1;
    let changed = if state.version == 0 {
        conn.execute(
            "INSERT INTO mapping_states (account_id, version, body) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![account, next.version as i64, to_json(&next)?],
        )
    } else {
        conn.execute(
            "UPDATE mapping_states SET version = ?2, body = ?3 WHERE account_id = ?1 AND version = ?4",
            params![account, next.version as i64, to_json(&next)?, state.version as i64],
        )
    }
    .map_err(StoreError::unavailable)?;
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}
