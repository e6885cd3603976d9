//! Transcripts in SQLite: one row each (the JSON document, its holder), and per-holder email
//! counts by window. Views are counted by one `UPDATE`, atomic across processes sharing the file.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};
use tessera_certification::ports::TranscriptStore;
use tessera_certification::transcript::{Transcript, TranscriptContent, TranscriptId, ViewCount};
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::store::{bodies, conflict_if_taken, from_json, to_json, SqliteStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS transcripts (
    id           TEXT PRIMARY KEY,
    candidate_id TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transcripts_holder ON transcripts (candidate_id);
-- By expiry: the transcripts job reads only those expired.
CREATE INDEX IF NOT EXISTS transcripts_expiry
    ON transcripts (json_extract(body, '$.content.expires_at'));
CREATE TABLE IF NOT EXISTS transcript_email_counts (
    candidate_id TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    sent         INTEGER NOT NULL,
    PRIMARY KEY (candidate_id, window_start)
);
";

fn owned_transcript(
    conn: &rusqlite::Connection,
    candidate: &str,
    id: &str,
) -> Result<Option<Transcript>, StoreError> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM transcripts WHERE id = ?1 AND candidate_id = ?2",
            params![id, candidate],
            |r| r.get(0),
        )
        .optional()
        .map_err(StoreError::unavailable)?;
    body.map(|b| from_json(&b)).transpose()
}

#[async_trait]
impl TranscriptStore for SqliteStore {
    async fn create_transcript(&self, transcript: &Transcript) -> Result<(), StoreError> {
        let transcript = transcript.clone();
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO transcripts (id, candidate_id, body) VALUES (?1, ?2, ?3)",
                params![
                    transcript.id.as_str(),
                    transcript.candidate_id.as_str(),
                    to_json(&transcript)?
                ],
            )
            .map_err(conflict_if_taken)?;
            Ok(())
        })
        .await
    }

    async fn transcripts(&self, candidate: &CandidateId) -> Result<Vec<Transcript>, StoreError> {
        let candidate = candidate.as_str().to_string();
        self.with(move |conn| {
            let mut statement = conn
                .prepare("SELECT body FROM transcripts WHERE candidate_id = ?1")
                .map_err(StoreError::unavailable)?;
            let rows = statement
                .query_map([candidate], |r| r.get::<_, String>(0))
                .map_err(StoreError::unavailable)?;
            let mut all: Vec<Transcript> = rows
                .map(|body| from_json(&body.map_err(StoreError::unavailable)?))
                .collect::<Result<_, _>>()?;
            all.sort_by_key(|t| t.created_at);
            Ok(all)
        })
        .await
    }

    async fn transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
    ) -> Result<Option<Transcript>, StoreError> {
        let (candidate, id) = (candidate.as_str().to_string(), id.as_str().to_string());
        self.with(move |conn| owned_transcript(conn, &candidate, &id))
            .await
    }

    async fn transcript_owner(&self, id: &TranscriptId) -> Result<Option<CandidateId>, StoreError> {
        let id = id.as_str().to_string();
        self.with(move |conn| {
            let owner: Option<String> = conn
                .query_row(
                    "SELECT candidate_id FROM transcripts WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            Ok(owner.as_deref().and_then(CandidateId::parse))
        })
        .await
    }

    async fn replace_content(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        content: &TranscriptContent,
    ) -> Result<Option<Transcript>, StoreError> {
        let (candidate, id) = (candidate.as_str().to_string(), id.as_str().to_string());
        let content = content.clone();
        self.with(move |conn| {
            // Only the content: a view counted meanwhile is kept.
            let body: Option<String> = conn
                .query_row(
                    "UPDATE transcripts SET body = json_set(body, '$.content', json(?1))
                     WHERE id = ?2 AND candidate_id = ?3 RETURNING body",
                    params![to_json(&content)?, id, candidate],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            body.map(|b| from_json(&b)).transpose()
        })
        .await
    }

    async fn delete_transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
    ) -> Result<bool, StoreError> {
        let (candidate, id) = (candidate.as_str().to_string(), id.as_str().to_string());
        self.with(move |conn| {
            let deleted = conn
                .execute(
                    "DELETE FROM transcripts WHERE id = ?1 AND candidate_id = ?2",
                    params![id, candidate],
                )
                .map_err(StoreError::unavailable)?;
            Ok(deleted == 1)
        })
        .await
    }

    async fn count_view(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        now: Timestamp,
    ) -> Result<ViewCount, StoreError> {
        let (candidate, id) = (candidate.as_str().to_string(), id.as_str().to_string());
        self.with(move |conn| {
            let body: Option<String> = conn
                .query_row(
                    "UPDATE transcripts
                     SET body = json_set(body, '$.views', json_extract(body, '$.views') + 1,
                                               '$.last_viewed', ?1)
                     WHERE id = ?2 AND candidate_id = ?3
                       AND json_extract(body, '$.content.expires_at') > ?1
                     RETURNING body",
                    params![now.0, id, candidate],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::unavailable)?;
            match body {
                Some(body) => Ok(ViewCount::Counted(Box::new(from_json(&body)?))),
                None => Ok(match owned_transcript(conn, &candidate, &id)? {
                    Some(_) => ViewCount::Expired,
                    None => ViewCount::Missing,
                }),
            }
        })
        .await
    }

    async fn count_email(
        &self,
        candidate: &CandidateId,
        window: Timestamp,
        limit: u32,
    ) -> Result<bool, StoreError> {
        let candidate = candidate.as_str().to_string();
        self.with(move |conn| {
            conn.execute(
                "DELETE FROM transcript_email_counts WHERE candidate_id = ?1 AND window_start < ?2",
                params![candidate, window.0],
            )
            .map_err(StoreError::unavailable)?;
            let counted = conn
                .execute(
                    "INSERT INTO transcript_email_counts (candidate_id, window_start, sent)
                     VALUES (?1, ?2, 1)
                     ON CONFLICT (candidate_id, window_start) DO UPDATE SET sent = sent + 1
                     WHERE sent < ?3",
                    params![candidate, window.0, limit],
                )
                .map_err(StoreError::unavailable)?;
            Ok(counted == 1)
        })
        .await
    }

    async fn expired_transcripts(
        &self,
        expired_by: Timestamp,
        limit: usize,
    ) -> Result<Vec<Transcript>, StoreError> {
        self.with(move |conn| {
            bodies(
                conn,
                "SELECT body FROM transcripts
                 WHERE json_extract(body, '$.content.expires_at') <= ?1
                 ORDER BY json_extract(body, '$.content.expires_at') LIMIT ?2",
                params![expired_by.0, limit as i64],
            )
        })
        .await
    }

    async fn delete_expired_transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        expired_by: Timestamp,
    ) -> Result<bool, StoreError> {
        let (candidate, id) = (candidate.as_str().to_string(), id.as_str().to_string());
        self.with(move |conn| {
            let deleted = conn
                .execute(
                    "DELETE FROM transcripts WHERE id = ?1 AND candidate_id = ?2
                       AND json_extract(body, '$.content.expires_at') <= ?3",
                    params![id, candidate, expired_by.0],
                )
                .map_err(StoreError::unavailable)?;
            Ok(deleted == 1)
        })
        .await
    }
}
