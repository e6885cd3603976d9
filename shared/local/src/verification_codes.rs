//! The register of verification codes in the embedded database: one row per code (what it leads
//! to, as JSON, and how often it was checked). Kits' codes are inserted by `orders.rs` in the
//! order's own transaction.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use tessera_certification::verification_codes::{
    CodeCheck, CodeSubject, VerificationCode, VerificationCodes,
};
use tessera_kernel::ports::StoreError;

use crate::store::{from_json, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS verification_codes (
    code    TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    checks  INTEGER NOT NULL DEFAULT 0
);
";

/// Registers `code` unless it is registered already (then it keeps its subject and count).
pub(crate) fn insert_code(
    conn: &Connection,
    code: &VerificationCode,
    subject: &CodeSubject,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR IGNORE INTO verification_codes (code, subject) VALUES (?1, ?2)",
        params![code.as_str(), to_json(subject)?],
    )
    .map_err(StoreError::unavailable)?;
    Ok(())
}

/// The row `sql` (with `code` as its parameter) answers: subject and checks.
fn read_check(conn: &Connection, sql: &str, code: &str) -> Result<Option<CodeCheck>, StoreError> {
    let row: Option<(String, u64)> = conn
        .query_row(sql, [code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(StoreError::unavailable)?;
    row.map(|(subject, checks)| {
        Ok(CodeCheck {
            subject: from_json(&subject)?,
            checks,
        })
    })
    .transpose()
}

#[async_trait]
impl VerificationCodes for SqliteStore {
    async fn register_code(
        &self,
        code: &VerificationCode,
        subject: &CodeSubject,
    ) -> Result<(), StoreError> {
        let (code, subject) = (code.clone(), subject.clone());
        self.with(move |conn| insert_code(conn, &code, &subject))
            .await
    }

    async fn check_code(&self, code: &VerificationCode) -> Result<Option<CodeCheck>, StoreError> {
        let code = code.as_str().to_string();
        self.with(move |conn| {
            read_check(
                conn,
                "UPDATE verification_codes SET checks = checks + 1 WHERE code = ?1
                 RETURNING subject, checks",
                &code,
            )
        })
        .await
    }

    async fn code_checks(&self, code: &VerificationCode) -> Result<Option<CodeCheck>, StoreError> {
        let code = code.as_str().to_string();
        self.with(move |conn| {
            read_check(
                conn,
                "SELECT subject, checks FROM verification_codes WHERE code = ?1",
                &code,
            )
        })
        .await
    }
}
