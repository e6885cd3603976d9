//! Transcripts in the candidate table, beside (not inside) each candidate's record partition so
//! the record's query does not read them:
//!
//! | item       | pk                     | sk                   | notes                          |
//! |------------|------------------------|----------------------|--------------------------------|
//! | transcript | `TRANSCRIPTS#<cand>`   | `TRANSCRIPT#<id>`    | content (a map), views, last viewed |
//! | pointer    | `TRANSCRIPT#<id>`      | `TRANSCRIPT`         | the holder of a public id       |
//! | emails     | `TRANSCRIPTS#<cand>`   | `MAILS#<window>`     | emails sent in the window; `ttl` |
//!
//! A view is one `UpdateItem` (`ADD views`), conditioned on the transcript not having expired.
//! A transcript that expires is listed in the `due` index under `TRANSCRIPT` by its expiry time,
//! for the transcripts job.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValue, ReturnValuesOnConditionCheckFailure,
};
use tessera_certification::ports::TranscriptStore;
use tessera_certification::transcript::{Transcript, TranscriptContent, TranscriptId, ViewCount};
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::dynamo::{
    due_entry, from_item, item_key, item_with_key, set_due, transcripts_pk, updated_or_none,
    CandidateStore, Item,
};

/// Expiring transcripts are listed in the `due` index under this job.
const EXPIRING: &str = "TRANSCRIPT";

/// `<candidate>#<transcript>`: the id part of a transcript's `due` entry.
fn due_id(candidate: &CandidateId, id: &TranscriptId) -> String {
    format!("{}#{}", candidate.as_str(), id.as_str())
}

/// A transcript that never expires stays out of the index.
fn expires(content: &TranscriptContent) -> Option<Timestamp> {
    (content.expires_at != Timestamp(i64::MAX)).then_some(content.expires_at)
}

const POINTER: &str = "TRANSCRIPT";
/// Email counts outlive their window by a day, then DynamoDB's TTL removes them.
const COUNT_RETENTION_SECONDS: i64 = 2 * 86_400;

fn transcript_key(candidate: &CandidateId, id: &TranscriptId) -> Item {
    item_key(
        transcripts_pk(candidate),
        &format!("TRANSCRIPT#{}", id.as_str()),
    )
}

fn pointer_key(id: &TranscriptId) -> Item {
    item_key(format!("TRANSCRIPT#{}", id.as_str()), POINTER)
}

fn unavailable(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::unavailable(e)
}

#[async_trait]
impl TranscriptStore for CandidateStore {
    async fn create_transcript(&self, transcript: &Transcript) -> Result<(), StoreError> {
        let mut item = item_with_key(
            transcript,
            transcript_key(&transcript.candidate_id, &transcript.id),
            None,
        )?;
        if let Some(at) = expires(&transcript.content) {
            let id = due_id(&transcript.candidate_id, &transcript.id);
            set_due(&mut item, EXPIRING, at, &id);
        }
        let mut pointer = pointer_key(&transcript.id);
        pointer.insert(
            "candidate_id".into(),
            AttributeValue::S(transcript.candidate_id.as_str().into()),
        );
        self.transact(vec![self.put_new(item)?, self.put_new(pointer)?])
            .await
    }

    async fn transcripts(&self, candidate: &CandidateId) -> Result<Vec<Transcript>, StoreError> {
        let mut all: Vec<Transcript> = self
            .query_partition(transcripts_pk(candidate), Some("TRANSCRIPT#"))
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        all.sort_by_key(|t| t.created_at);
        Ok(all)
    }

    async fn transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
    ) -> Result<Option<Transcript>, StoreError> {
        self.get(transcript_key(candidate, id)).await
    }

    async fn transcript_owner(&self, id: &TranscriptId) -> Result<Option<CandidateId>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Pointer {
            candidate_id: CandidateId,
        }
        let pointer: Option<Pointer> = self.get(pointer_key(id)).await?;
        Ok(pointer.map(|p| p.candidate_id))
    }

    async fn replace_content(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        content: &TranscriptContent,
    ) -> Result<Option<Transcript>, StoreError> {
        // Only the content (and its expiry's place in the `due` index): a view counted
        // meanwhile is kept.
        let attribute = serde_dynamo::to_attribute_value(content).map_err(unavailable)?;
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(transcript_key(candidate, id)))
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#content", "content")
            .expression_attribute_names("#due_pk", "due_pk")
            .expression_attribute_names("#due_sk", "due_sk")
            .expression_attribute_values(":content", attribute);
        let update = match expires(content) {
            Some(at) => {
                let (job, due) = due_entry(EXPIRING, at, &due_id(candidate, id));
                update
                    .update_expression("SET #content = :content, #due_pk = :job, #due_sk = :due")
                    .expression_attribute_values(":job", job)
                    .expression_attribute_values(":due", due)
            }
            None => update.update_expression("SET #content = :content REMOVE #due_pk, #due_sk"),
        };
        let result = update.return_values(ReturnValue::AllNew).send().await;
        updated_or_none(result)
    }

    async fn delete_transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
    ) -> Result<bool, StoreError> {
        let delete = |key: Item| {
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key))
                .condition_expression("attribute_exists(pk)")
                .build()
                .map_err(unavailable)
        };
        self.delete_together([
            delete(transcript_key(candidate, id))?,
            delete(pointer_key(id))?,
        ])
        .await
    }

    async fn count_view(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        now: Timestamp,
    ) -> Result<ViewCount, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(transcript_key(candidate, id)))
            .update_expression("SET #last = :now ADD #views :one")
            .condition_expression("attribute_exists(pk) AND #content.#expires > :now")
            .expression_attribute_names("#last", "last_viewed")
            .expression_attribute_names("#views", "views")
            .expression_attribute_names("#content", "content")
            .expression_attribute_names("#expires", "expires_at")
            .expression_attribute_values(":now", AttributeValue::N(now.0.to_string()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => Ok(ViewCount::Counted(Box::new(from_item(
                out.attributes.unwrap_or_default(),
            )?))),
            Err(e) => {
                let service = e.into_service_error();
                match &service {
                    aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(failed) => {
                        // The item as it was tells an expired transcript from a deleted one.
                        Ok(if failed.item().is_some_and(|i| !i.is_empty()) {
                            ViewCount::Expired
                        } else {
                            ViewCount::Missing
                        })
                    }
                    _ => Err(unavailable(service)),
                }
            }
        }
    }

    async fn count_email(
        &self,
        candidate: &CandidateId,
        window: Timestamp,
        limit: u32,
    ) -> Result<bool, StoreError> {
        let key = item_key(transcripts_pk(candidate), &format!("MAILS#{}", window.0));
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression("SET #ttl = :ttl ADD #sent :one")
            .condition_expression("attribute_not_exists(#sent) OR #sent < :limit")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_names("#sent", "sent")
            .expression_attribute_values(
                ":ttl",
                AttributeValue::N((window.0 + COUNT_RETENTION_SECONDS).to_string()),
            )
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_conditional_check_failed_exception() {
                    Ok(false)
                } else {
                    Err(unavailable(service))
                }
            }
        }
    }

    async fn expired_transcripts(
        &self,
        expired_by: Timestamp,
        limit: usize,
    ) -> Result<Vec<Transcript>, StoreError> {
        self.due_items(EXPIRING, expired_by, limit).await
    }

    async fn delete_expired_transcript(
        &self,
        candidate: &CandidateId,
        id: &TranscriptId,
        expired_by: Timestamp,
    ) -> Result<bool, StoreError> {
        let transcript = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(transcript_key(candidate, id)))
            .condition_expression("#content.#expires <= :by")
            .expression_attribute_names("#content", "content")
            .expression_attribute_names("#expires", "expires_at")
            .expression_attribute_values(":by", AttributeValue::N(expired_by.0.to_string()))
            .build()
            .map_err(unavailable)?;
        let pointer = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(pointer_key(id)))
            .build()
            .map_err(unavailable)?;
        self.delete_together([transcript, pointer]).await
    }
}
