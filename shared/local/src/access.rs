//! Access levels in SQLite: each account's record (its version a column, so the write is
//! conditioned on it), the registry, and the special access codes (a redemption sets the code's
//! `redeemed_by` only where it is still null, in the record's transaction, so of two racing ones
//! one gets it).

use async_trait::async_trait;
use rusqlite::params;
use tessera_access::codes::IssuedCode;
use tessera_access::entitlement::AccessRecord;
use tessera_access::ports::AccessStore;
use tessera_access::registry::{AgreementKind, AgreementNumber, RegistryEntry};
use tessera_access::sponsorship::Sponsorship;
use tessera_kernel::audit::AuditEvent;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::StoreError;

use crate::store::{conflict_if_taken, optional_body, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS access_records (
    account_id TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_registry (
    key  TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_codes (
    digest TEXT PRIMARY KEY,
    body   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_sponsorships (
    email_digest TEXT PRIMARY KEY,
    body         TEXT NOT NULL
);
";

fn registry_key(kind: AgreementKind, number: &AgreementNumber) -> String {
    format!("{}#{}", kind.as_str(), number.as_str())
}

/// Writes `record` if the stored one is still at the version before it: `Conflict` otherwise.
fn write_record(
    tx: &rusqlite::Transaction<'_>,
    account: &str,
    record: &AccessRecord,
) -> Result<(), StoreError> {
    let body = to_json(record)?;
    let version = record.version as i64;
    let written = if record.version <= 1 {
        tx.execute(
            "INSERT INTO access_records (account_id, version, body) VALUES (?1, ?2, ?3)",
            params![account, version, body],
        )
        .map_err(conflict_if_taken)?
    } else {
        tx.execute(
            "UPDATE access_records SET version = ?2, body = ?3
             WHERE account_id = ?1 AND version = ?4",
            params![account, version, body, version - 1],
        )
        .map_err(StoreError::unavailable)?
    };
    if written == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

#[async_trait]
impl AccessStore for SqliteStore {
    async fn access(&self, account: &AccountId) -> Result<AccessRecord, StoreError> {
        let account = account.as_str().to_string();
        self.with(move |conn| {
            optional_body(
                conn,
                "SELECT body FROM access_records WHERE account_id = ?1",
                &account,
            )
            .map(Option::unwrap_or_default)
        })
        .await
    }

    async fn save_access(
        &self,
        account: &AccountId,
        record: &AccessRecord,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let (account, record, event) =
            (account.as_str().to_string(), record.clone(), event.clone());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            write_record(&tx, &account, &record)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn registry_entry(
        &self,
        kind: AgreementKind,
        number: &AgreementNumber,
    ) -> Result<Option<RegistryEntry>, StoreError> {
        let key = registry_key(kind, number);
        self.with(move |conn| {
            optional_body(
                conn,
                "SELECT body FROM access_registry WHERE key = ?1",
                &key,
            )
        })
        .await
    }

    async fn put_registry_entries(&self, entries: &[RegistryEntry]) -> Result<(), StoreError> {
        let rows = entries
            .iter()
            .map(|e| Ok((registry_key(e.kind, &e.number), to_json(e)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            for (key, body) in &rows {
                tx.execute(
                    "INSERT INTO access_registry (key, body) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET body = excluded.body",
                    params![key, body],
                )
                .map_err(StoreError::unavailable)?;
            }
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn issue_code(&self, code: &IssuedCode, event: &AuditEvent) -> Result<(), StoreError> {
        let (digest, body, event) = (code.digest.clone(), to_json(code)?, event.clone());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            tx.execute(
                "INSERT INTO access_codes (digest, body) VALUES (?1, ?2)",
                params![digest, body],
            )
            .map_err(conflict_if_taken)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn code(&self, digest: &str) -> Result<Option<IssuedCode>, StoreError> {
        let digest = digest.to_string();
        self.with(move |conn| {
            optional_body(
                conn,
                "SELECT body FROM access_codes WHERE digest = ?1",
                &digest,
            )
        })
        .await
    }

    async fn redeem_code(
        &self,
        account: &AccountId,
        digest: &str,
        record: &AccessRecord,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let (account, digest, record, event) = (
            account.as_str().to_string(),
            digest.to_string(),
            record.clone(),
            event.clone(),
        );
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            let redeemed = tx
                .execute(
                    "UPDATE access_codes SET body = json_set(body, '$.redeemed_by', ?2)
                     WHERE digest = ?1 AND json_extract(body, '$.redeemed_by') IS NULL",
                    params![digest, account],
                )
                .map_err(StoreError::unavailable)?;
            if redeemed == 0 {
                return Err(StoreError::Conflict);
            }
            write_record(&tx, &account, &record)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn save_sponsorship(
        &self,
        sponsorship: &Sponsorship,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let (digest, body, event) = (
            sponsorship.email_digest.clone(),
            to_json(sponsorship)?,
            event.clone(),
        );
        self.with(move |conn| {
            let tx = conn.transaction().map_err(StoreError::unavailable)?;
            tx.execute(
                "INSERT INTO access_sponsorships (email_digest, body) VALUES (?1, ?2)
                 ON CONFLICT (email_digest) DO UPDATE SET body = excluded.body",
                params![digest, body],
            )
            .map_err(StoreError::unavailable)?;
            crate::audit::insert_event(&tx, &event)?;
            tx.commit().map_err(StoreError::unavailable)
        })
        .await
    }

    async fn sponsorship(&self, email_digest: &str) -> Result<Option<Sponsorship>, StoreError> {
        let digest = email_digest.to_string();
        self.with(move |conn| {
            optional_body(
                conn,
                "SELECT body FROM access_sponsorships WHERE email_digest = ?1",
                &digest,
            )
        })
        .await
    }

    async fn access_and_sponsorship(
        &self,
        account: &AccountId,
        email_digest: &str,
    ) -> Result<(AccessRecord, Option<Sponsorship>), StoreError> {
        let (account, digest) = (account.as_str().to_string(), email_digest.to_string());
        self.with(move |conn| {
            let record = optional_body(
                conn,
                "SELECT body FROM access_records WHERE account_id = ?1",
                &account,
            )?
            .unwrap_or_default();
            let sponsorship = optional_body(
                conn,
                "SELECT body FROM access_sponsorships WHERE email_digest = ?1",
                &digest,
            )?;
            Ok((record, sponsorship))
        })
        .await
    }

    async fn remove_sponsorship(&self, email_digest: &str) -> Result<(), StoreError> {
        let digest = email_digest.to_string();
        self.with(move |conn| {
            conn.execute(
                "DELETE FROM access_sponsorships WHERE email_digest = ?1",
                params![digest],
            )
            .map(|_| ())
            .map_err(StoreError::unavailable)
        })
        .await
    }
}
