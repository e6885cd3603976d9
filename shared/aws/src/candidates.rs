//! Candidate records in their own DynamoDB table (`pk`/`sk`), laid out so a candidate's whole
//! record is one query:
//!
//! | item      | pk                  | sk                 | notes                                   |
//! |-----------|---------------------|--------------------|-----------------------------------------|
//! | profile   | `CAND#<id>`         | `PROFILE`          | names, email on file, testing IDs        |
//! | exam      | `CAND#<id>`         | `EXAM#<reg>`       | one sitting, by registration number      |
//! | activity  | `CAND#<id>`         | `CE#<key>`         | one CE activity, by provider + external id |
//! | reg       | `REG#<reg>`         | `REG`              | which candidate a registration number is  |
//! | email     | `EMAIL#<canonical>` | `CAND#<id>`        | records with this email on file          |
//! | lookup    | `FIND#<term>`       | `CAND#<id>`        | records by last name or testing ID (`LookupTerm`) |
//! | mapping   | `ACCOUNT#<id>`      | `MAPPING`          | pending email mapping, guess budgets; `version` |
//! | watch     | `WATCH#<id>`        | `WATCH`            | the reminders job's next check and notices sent; `version`; in the `due` index |
//!
//! The record an account is mapped to is named on the account's own profile in the identity
//! table (`candidate_id`), written in the mapping transaction, so a screen reads the session
//! and profile (one batch read) and then the record (one query).
//!
//! A registration number belongs to one candidate: its `REG` item is written with the exam, in
//! one transaction, on the condition it does not exist yet.

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem, Update,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use tessera_certification::mapping::MappingState;
use tessera_certification::oversight::{CredentialStatus, Oversight, RecordDetails};
use tessera_certification::ports::{Added, CandidateRecords};
use tessera_certification::reminders::Watch;
use tessera_certification::{
    CandidateEdit, CandidateProfile, CandidateRecord, CeActivity, ExamRecord, IssuedBadge,
    LookupTerm,
};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;
use tessera_kernel::race::landed;
use tessera_kernel::time::Timestamp;

use crate::dynamo::{
    conflict_if_condition_failed, due_entry, from_item, item_key, item_with_key, orders_pk,
    set_due, sort_key, transcripts_pk, updated_or_none, CandidateStore, IdentityStore, Item,
};

/// Watches are listed in the `due` index under this job, by the moment they fall due.
const WATCHES: &str = "CERTIFICATIONS";

fn watch_key(candidate: &CandidateId) -> Item {
    item_key(format!("WATCH#{}", candidate.as_str()), "WATCH")
}

const PROFILE: &str = "PROFILE";
const MAPPING: &str = "MAPPING";
const REG: &str = "REG";
/// Exams per transaction: each is two writes, and a transaction holds at most 100.
const EXAMS_PER_TRANSACTION: usize = 50;
const BATCH_READ: usize = 100;
pub(crate) fn candidate_pk(id: &CandidateId) -> String {
    format!("CAND#{}", id.as_str())
}

pub(crate) fn profile_key(id: &CandidateId) -> Item {
    item_key(candidate_pk(id), PROFILE)
}

fn oversight_value(oversight: &Oversight) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(oversight).map_err(StoreError::unavailable)
}

/// The condition that a record's holds and grants are still `expected` (none is no attribute,
/// as a record is first written), naming the attribute `#oversight`: the expression and the
/// values it uses.
pub(crate) fn oversight_condition(
    expected: &Oversight,
) -> Result<(&'static str, HashMap<String, AttributeValue>), StoreError> {
    if expected.is_empty() {
        return Ok((
            "attribute_exists(pk) AND attribute_not_exists(#oversight)",
            HashMap::new(),
        ));
    }
    Ok((
        "#oversight = :expected",
        HashMap::from([(":expected".to_string(), oversight_value(expected)?)]),
    ))
}

fn reg_key(registration_number: &str) -> Item {
    item_key(format!("REG#{registration_number}"), REG)
}

fn account_pk(account: &AccountId) -> String {
    format!("ACCOUNT#{}", account.as_str())
}

fn email_key(email: &Email, candidate: &CandidateId) -> Item {
    item_key(
        format!("EMAIL#{}", email.as_str()),
        &candidate_pk(candidate),
    )
}

fn string_attribute(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// Where a record is listed under one of its lookup terms: `FIND#<term>` / `CAND#<id>`.
fn lookup_pk(term: &LookupTerm) -> String {
    format!("FIND#{}", term.key())
}

impl CandidateStore {
    /// The profiles of the records listed under the index partition `pk` (`EMAIL#…`, `FIND#…`,
    /// whose items' sort keys are `CAND#<id>`), at most `limit`, by candidate ID.
    async fn profiles_listed_under(
        &self,
        pk: String,
        limit: usize,
    ) -> Result<Vec<CandidateProfile>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .consistent_read(true)
            .limit(limit.clamp(1, BATCH_READ) as i32)
            .send()
            .await
            .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
        let keys: Vec<Item> = out
            .items
            .unwrap_or_default()
            .iter()
            .map(|item| item_key(sort_key(item).to_string(), PROFILE))
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut profiles: Vec<CandidateProfile> = self
            .batch_get(keys)
            .await?
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?;
        profiles.sort_by(|a, b| a.candidate_id.cmp(&b.candidate_id));
        Ok(profiles)
    }

    /// The email index writes that move a record from the email on file `before` to `after`:
    /// its entry under the old address deleted, one under the new address written.
    fn email_index_writes(
        &self,
        candidate: &CandidateId,
        before: Option<&Email>,
        after: Option<&Email>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut writes = Vec::new();
        if before != after {
            if let Some(old) = before {
                writes.push(self.delete_in_transaction(email_key(old, candidate))?);
            }
            if let Some(new) = after {
                writes.push(put(&self.table, email_key(new, candidate), None)?);
            }
        }
        Ok(writes)
    }

    /// The index writes that move a record from the lookup terms `before` to `after`: its item
    /// under each term gained, none under each term lost.
    fn lookup_writes(
        &self,
        candidate: &CandidateId,
        before: &BTreeSet<LookupTerm>,
        after: &BTreeSet<LookupTerm>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let key = |term: &LookupTerm| item_key(lookup_pk(term), &candidate_pk(candidate));
        let mut writes = Vec::new();
        for gained in after.difference(before) {
            writes.push(put(&self.table, key(gained), None)?);
        }
        for lost in before.difference(after) {
            writes.push(self.delete_in_transaction(key(lost))?);
        }
        Ok(writes)
    }

    /// Moves one item of a merged record's partitions to the survivor's (`to`): re-keyed, its
    /// `candidate_id` (and a transcript's place in the `due` index) naming the survivor, the
    /// pointer that names its owner (a registration number's, an order id's, a transcript id's)
    /// naming the survivor, and the original deleted, in one transaction. An item the survivor
    /// may hold under the same key (a CE activity, a kit claim, an idempotency key, an email
    /// count) stays the survivor's if it does: the original is then only deleted.
    async fn move_item(
        &self,
        item: Item,
        to: &str,
        merged: &CandidateId,
        kept: &CandidateId,
    ) -> Result<(), StoreError> {
        let sk = sort_key(&item).to_string();
        let original = item_key(string_attribute(&item, "pk").unwrap_or_default(), &sk);
        let kept_value = AttributeValue::S(kept.as_str().into());
        let mut moved = item;
        moved.insert("pk".into(), AttributeValue::S(to.into()));
        if moved.contains_key("candidate_id") {
            moved.insert("candidate_id".into(), kept_value.clone());
        }
        if let Some(AttributeValue::S(due)) = moved.get("due_sk").cloned() {
            let (from, into) = (
                format!("#{}#", merged.as_str()),
                format!("#{}#", kept.as_str()),
            );
            moved.insert(
                "due_sk".into(),
                AttributeValue::S(due.replace(&from, &into)),
            );
        }
        let pointer = match sk.split_once('#') {
            Some(("EXAM", registration)) => Some(reg_key(registration)),
            Some(("ORDER", _)) => Some(item_key(sk.clone(), "ORDER")),
            Some(("TRANSCRIPT", _)) => Some(item_key(sk.clone(), "TRANSCRIPT")),
            _ => None,
        };
        let shared_key = pointer.is_none();
        let mut items = vec![put(
            &self.table,
            moved,
            shared_key.then_some("attribute_not_exists(pk)"),
        )?];
        if let Some(key) = pointer {
            let repoint = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key))
                .update_expression("SET candidate_id = :kept")
                .expression_attribute_values(":kept", kept_value)
                .build()
                .map_err(StoreError::unavailable)?;
            items.push(TransactWriteItem::builder().update(repoint).build());
        }
        items.push(self.delete_in_transaction(original.clone())?);
        match self.transact(items).await {
            Err(StoreError::Conflict) if shared_key => {
                self.transact(vec![self.delete_in_transaction(original)?])
                    .await
            }
            done => done,
        }
    }

    /// The survivor's profile as a merge leaves it: each attribute a merge may change set to its
    /// value after (or removed), on the condition the survivor was not merged itself meanwhile
    /// and those attributes are still as the merge read them (`before`): a staff edit, a mapping
    /// or a candidate's own edit that lands between the merge's read and this write is not
    /// overwritten; the write fails and the merge reads again.
    fn merged_survivor(
        &self,
        before: &CandidateProfile,
        after: &CandidateProfile,
    ) -> Result<TransactWriteItem, StoreError> {
        let values: Item = serde_dynamo::to_item(after).map_err(StoreError::unavailable)?;
        let (unchanged, mut names, mut bound) = unchanged_since_read(before, "b")?;
        let (mut sets, mut removes) = (Vec::new(), Vec::new());
        for (n, name) in ABSORBED.iter().enumerate() {
            names.insert(format!("#m{n}"), name.to_string());
            match values.get(*name) {
                Some(value) => {
                    sets.push(format!("#m{n} = :m{n}"));
                    bound.insert(format!(":m{n}"), value.clone());
                }
                None => removes.push(format!("#m{n}")),
            }
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(&after.candidate_id)))
            .update_expression(expression)
            .condition_expression(format!(
                "attribute_exists(pk) AND attribute_not_exists(merged_into) AND {unchanged}"
            ))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(bound))
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Which candidate each registration number is recorded for, for those recorded.
    async fn registration_owners(
        &self,
        numbers: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut owners = HashMap::new();
        // A batch read refuses a key listed twice (one file may hold a sitting twice).
        let mut numbers = numbers.to_vec();
        numbers.sort_unstable();
        numbers.dedup();
        for chunk in numbers.chunks(BATCH_READ) {
            let keys = chunk.iter().map(|n| reg_key(n)).collect();
            for item in self.batch_get(keys).await? {
                if let (Some(pk), Some(owner)) = (
                    string_attribute(&item, "pk"),
                    string_attribute(&item, "candidate_id"),
                ) {
                    owners.insert(pk.trim_start_matches("REG#").to_string(), owner);
                }
            }
        }
        Ok(owners)
    }

    /// Writes exams with their `REG` items, `EXAMS_PER_TRANSACTION` at a time. The registration
    /// numbers of a transaction another import claimed meanwhile are handed back to look at again.
    async fn write_new_exams(
        &self,
        candidate: &CandidateId,
        exams: &[&ExamRecord],
    ) -> Result<Vec<String>, StoreError> {
        let mut contested = Vec::new();
        for chunk in exams.chunks(EXAMS_PER_TRANSACTION) {
            let mut items = Vec::with_capacity(chunk.len() * 2);
            for exam in chunk {
                let mut marker = reg_key(&exam.registration_number);
                marker.insert(
                    "candidate_id".into(),
                    AttributeValue::S(candidate.as_str().to_string()),
                );
                items.push(put(&self.table, marker, Some("attribute_not_exists(pk)"))?);
                let key = item_key(
                    candidate_pk(candidate),
                    &format!("EXAM#{}", exam.registration_number),
                );
                items.push(put(&self.table, item_with_key(*exam, key, None)?, None)?);
            }
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await;
            match result {
                Ok(_) => {}
                Err(e) if cancelled_by_condition_or_conflict(&e) => {
                    contested.extend(chunk.iter().map(|e| e.registration_number.clone()))
                }
                Err(e) => return Err(StoreError::unavailable(e.into_service_error())),
            }
        }
        Ok(contested)
    }

    /// Creates the record's profile from an import, or merges the import into the stored one
    /// (`CandidateProfile::merge_import`) by updating only the attributes an import may change,
    /// on the condition they are still as read: a mapping or the candidate's own edit landing
    /// meanwhile is kept, and the merge is read again and retried.
    async fn save_imported_profile(&self, incoming: &CandidateProfile) -> Result<(), StoreError> {
        let key = profile_key(&incoming.candidate_id);
        tessera_kernel::settle!(
            async {
                let stored: Option<CandidateProfile> = self.get(key.clone()).await?;
                let after = match &stored {
                    None => incoming.clone(),
                    Some(stored) => {
                        let mut merged = stored.clone();
                        merged.merge_import(incoming);
                        merged
                    }
                };
                let write = match &stored {
                    None => put(
                        &self.table,
                        item_with_key(incoming, key.clone(), None)?,
                        Some("attribute_not_exists(pk)"),
                    )?,
                    Some(stored) if after == *stored => return Ok(Some(())),
                    Some(stored) => merge_update(&self.table, key.clone(), stored, &after)?,
                };
                let email_was = stored.as_ref().and_then(|p| p.email.as_ref());
                let mut items = vec![write];
                if let Some(email) = after.email.as_ref().filter(|e| Some(*e) != email_was) {
                    items.push(put(
                        &self.table,
                        email_key(email, &incoming.candidate_id),
                        None,
                    )?);
                }
                let terms_before = stored
                    .as_ref()
                    .map(|s| s.lookup_terms())
                    .unwrap_or_default();
                items.extend(self.lookup_writes(
                    &incoming.candidate_id,
                    &terms_before,
                    &after.lookup_terms(),
                )?);
                Ok(landed(self.transact(items).await)?.then_some(()))
            }
            .await
        )
    }
}

/// The update merging an import into `stored`: testing IDs (only ever appended to), the first
/// exam date (only ever earlier) and an email when there was none, each on the condition it is
/// still as read.
/// The attributes of a record's profile a merge reads from both records and sets on the
/// survivor (`CandidateProfile::absorb`).
const ABSORBED: [&str; 9] = [
    "email",
    "testing_ids",
    "account_id",
    "first_exam",
    "settings",
    "job_title",
    "credential_numbers",
    "academy_id",
    "oversight",
];

/// A condition that a profile's `ABSORBED` attributes are as `as_read` holds them (equal, or
/// absent), with its attribute names and values, each named under `tag`.
fn unchanged_since_read(
    as_read: &CandidateProfile,
    tag: &str,
) -> Result<(String, HashMap<String, String>, Item), StoreError> {
    let values: Item = serde_dynamo::to_item(as_read).map_err(StoreError::unavailable)?;
    let (mut parts, mut names, mut bound) = (Vec::new(), HashMap::new(), Item::new());
    for (n, name) in ABSORBED.iter().enumerate() {
        let (key, value) = (format!("#{tag}{n}"), format!(":{tag}{n}"));
        match values.get(*name) {
            Some(read) => {
                parts.push(format!("{key} = {value}"));
                bound.insert(value, read.clone());
            }
            None => parts.push(format!("attribute_not_exists({key})")),
        }
        names.insert(key, name.to_string());
    }
    Ok((parts.join(" AND "), names, bound))
}

fn merge_update(
    table: &str,
    key: Item,
    stored: &CandidateProfile,
    merged: &CandidateProfile,
) -> Result<TransactWriteItem, StoreError> {
    let mut sets = vec!["testing_ids = :ids", "first_exam = :first"];
    let mut conditions = vec![
        "size(testing_ids) = :ids_before",
        "first_exam = :first_before",
    ];
    // The attributes as the profile item stores them.
    let before: Item = serde_dynamo::to_item(stored).map_err(StoreError::unavailable)?;
    let after: Item = serde_dynamo::to_item(merged).map_err(StoreError::unavailable)?;
    let attribute = |item: &Item, name: &str| {
        item.get(name)
            .cloned()
            .ok_or_else(|| StoreError::unavailable(std::io::Error::other(format!("no {name}"))))
    };
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(key))
        .expression_attribute_values(":ids", attribute(&after, "testing_ids")?)
        .expression_attribute_values(
            ":ids_before",
            AttributeValue::N(stored.testing_ids.len().to_string()),
        )
        .expression_attribute_values(":first", attribute(&after, "first_exam")?)
        .expression_attribute_values(":first_before", attribute(&before, "first_exam")?);
    if let (None, Some(email)) = (&stored.email, &merged.email) {
        sets.push("email = :email");
        conditions.push("attribute_not_exists(email)");
        update =
            update.expression_attribute_values(":email", AttributeValue::S(email.as_str().into()));
    }
    let update = update
        .update_expression(format!("SET {}", sets.join(", ")))
        .condition_expression(conditions.join(" AND "))
        .build()
        .map_err(StoreError::unavailable)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The state as `version + 1`, on the condition that the stored one is `state.version` (or,
/// for 0, that there is none).
fn versioned_mapping_put(
    table: &str,
    account: &AccountId,
    state: &MappingState,
) -> Result<Put, StoreError> {
    let mut next = state.clone();
    next.version += 1;
    let item = item_with_key(&next, item_key(account_pk(account), MAPPING), None)?;
    let builder = Put::builder().table_name(table).set_item(Some(item));
    let builder = if state.version == 0 {
        builder.condition_expression("attribute_not_exists(pk)")
    } else {
        builder
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":expected", AttributeValue::N(state.version.to_string()))
    };
    builder.build().map_err(StoreError::unavailable)
}

fn put(table: &str, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_string))
        .build()
        .map_err(StoreError::unavailable)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

fn cancelled_by_condition_or_conflict(e: &SdkError<TransactWriteItemsError>) -> bool {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        e.as_service_error()
    else {
        return false;
    };
    cancelled.cancellation_reasons().iter().any(|r| {
        matches!(
            r.code(),
            Some("ConditionalCheckFailed") | Some("TransactionConflict")
        )
    })
}

#[async_trait]
impl CandidateRecords for CandidateStore {
    async fn add_exams(
        &self,
        incoming: &CandidateProfile,
        exams: &[ExamRecord],
    ) -> Result<Vec<Added>, StoreError> {
        let candidate = &incoming.candidate_id;
        self.save_imported_profile(incoming).await?;

        let mut outcomes: Vec<Option<Added>> = vec![None; exams.len()];
        for _ in 0..3 {
            let pending: Vec<usize> = (0..exams.len())
                .filter(|i| outcomes[*i].is_none())
                .collect();
            if pending.is_empty() {
                break;
            }
            let numbers: Vec<&str> = pending
                .iter()
                .map(|i| exams[*i].registration_number.as_str())
                .collect();
            let owners = self.registration_owners(&numbers).await?;
            let mut claimed: HashSet<&str> = HashSet::new();
            let mut new = Vec::new();
            for i in &pending {
                let number = exams[*i].registration_number.as_str();
                outcomes[*i] = match owners.get(number) {
                    Some(owner) if owner == candidate.as_str() => Some(Added::Duplicate),
                    Some(owner) => {
                        Some(CandidateId::parse(owner).map_or(Added::Duplicate, Added::TakenBy))
                    }
                    // The same registration number twice in one file: the first one counts.
                    None if !claimed.insert(number) => Some(Added::Duplicate),
                    None => {
                        new.push(*i);
                        Some(Added::New)
                    }
                };
            }
            let new_exams: Vec<&ExamRecord> = new.iter().map(|i| &exams[*i]).collect();
            let contested = self.write_new_exams(candidate, &new_exams).await?;
            for i in new {
                if contested.contains(&exams[i].registration_number) {
                    outcomes[i] = None;
                }
            }
        }
        outcomes
            .into_iter()
            .map(|o| {
                o.ok_or_else(|| {
                    StoreError::unavailable(std::io::Error::other(
                        "registration numbers stayed contested",
                    ))
                })
            })
            .collect()
    }

    async fn add_activities(
        &self,
        candidate: &CandidateId,
        activities: &[CeActivity],
    ) -> Result<Option<Vec<Added>>, StoreError> {
        let profile: Option<CandidateProfile> = self.get(profile_key(candidate)).await?;
        if profile.is_none() {
            return Ok(None);
        }
        let sort_keys: Vec<String> = activities
            .iter()
            .map(|a| format!("CE#{}", a.key()))
            .collect();
        let mut existing: HashSet<String> = HashSet::new();
        let mut unique: Vec<&String> = sort_keys.iter().collect();
        unique.sort();
        unique.dedup();
        for chunk in unique.chunks(BATCH_READ) {
            let keys = chunk
                .iter()
                .map(|sk| item_key(candidate_pk(candidate), sk))
                .collect();
            for item in self.batch_get(keys).await? {
                existing.insert(sort_key(&item).to_string());
            }
        }
        let mut outcomes = Vec::with_capacity(activities.len());
        let mut new_items = Vec::new();
        for (activity, sk) in activities.iter().zip(&sort_keys) {
            if existing.insert(sk.clone()) {
                new_items.push(item_with_key(
                    activity,
                    item_key(candidate_pk(candidate), sk),
                    None,
                )?);
                outcomes.push(Added::New);
            } else {
                outcomes.push(Added::Duplicate);
            }
        }
        self.batch_put(new_items).await?;
        Ok(Some(outcomes))
    }

    async fn candidate(
        &self,
        candidate: &CandidateId,
    ) -> Result<Option<CandidateRecord>, StoreError> {
        let mut profile = None;
        let mut exams = Vec::new();
        let mut activities = Vec::new();
        let mut badges = Vec::new();
        for item in self.query_partition(candidate_pk(candidate), None).await? {
            let sk = sort_key(&item).to_string();
            if sk == PROFILE {
                profile = Some(from_item::<CandidateProfile>(item)?);
            } else if sk.starts_with("EXAM#") {
                exams.push(from_item::<ExamRecord>(item)?);
            } else if sk.starts_with("CE#") {
                activities.push(from_item::<CeActivity>(item)?);
            } else if sk.starts_with(crate::badges::RECORD_PREFIX) {
                badges.push(from_item::<IssuedBadge>(item)?);
            }
        }
        Ok(profile.map(|profile| CandidateRecord {
            profile,
            exams,
            activities,
            badges,
        }))
    }

    async fn candidate_with_registration(
        &self,
        registration_number: &str,
    ) -> Result<Option<CandidateProfile>, StoreError> {
        let owners = self.registration_owners(&[registration_number]).await?;
        let Some(owner) = owners
            .get(registration_number)
            .and_then(|o| CandidateId::parse(o))
        else {
            return Ok(None);
        };
        self.get(profile_key(&owner)).await
    }

    async fn candidates_with_email(
        &self,
        email: &Email,
    ) -> Result<Vec<CandidateProfile>, StoreError> {
        let mut profiles = self
            .profiles_listed_under(format!("EMAIL#{}", email.as_str()), 100)
            .await?;
        // The lookup item may outlive a change of address: only records that still have it.
        profiles.retain(|p| p.email.as_ref() == Some(email));
        Ok(profiles)
    }

    async fn candidates_by_term(
        &self,
        term: &LookupTerm,
        limit: usize,
    ) -> Result<Vec<CandidateProfile>, StoreError> {
        let mut profiles = self.profiles_listed_under(lookup_pk(term), limit).await?;
        profiles.retain(|p| p.lookup_terms().contains(term));
        Ok(profiles)
    }

    async fn mapping_state(&self, account: &AccountId) -> Result<MappingState, StoreError> {
        Ok(self
            .get(item_key(account_pk(account), MAPPING))
            .await?
            .unwrap_or_default())
    }

    async fn save_mapping_state(
        &self,
        account: &AccountId,
        state: &MappingState,
    ) -> Result<(), StoreError> {
        let put = versioned_mapping_put(&self.table, account, state)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(put.item().clone()))
            .set_condition_expression(put.condition_expression().map(str::to_string))
            .set_expression_attribute_names(put.expression_attribute_names().cloned())
            .set_expression_attribute_values(put.expression_attribute_values().cloned())
            .send()
            .await;
        result.map(|_| ()).map_err(conflict_if_condition_failed)
    }

    async fn edit_candidate(
        &self,
        candidate: &CandidateId,
        edit: &CandidateEdit,
    ) -> Result<Option<CandidateProfile>, StoreError> {
        let (attribute, value) = match edit {
            CandidateEdit::Settings(settings) => (
                "settings",
                serde_dynamo::to_attribute_value(settings).map_err(StoreError::unavailable)?,
            ),
            CandidateEdit::JobTitle(Some(title)) => ("job_title", AttributeValue::S(title.clone())),
            CandidateEdit::JobTitle(None) => ("job_title", AttributeValue::Null(true)),
            CandidateEdit::LogoGuidelines(accepted) => (
                "logo_guidelines",
                serde_dynamo::to_attribute_value(accepted).map_err(StoreError::unavailable)?,
            ),
        };
        // Only this attribute changes, so an import merging the same record is not undone.
        let update = if matches!(value, AttributeValue::Null(_)) {
            "REMOVE #attribute".to_string()
        } else {
            "SET #attribute = :value".to_string()
        };
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(profile_key(candidate)))
            .update_expression(update)
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#attribute", attribute)
            .return_values(ReturnValue::AllNew);
        if !matches!(value, AttributeValue::Null(_)) {
            request = request.expression_attribute_values(":value", value);
        }
        updated_or_none(request.send().await)
    }

    async fn amend_record(
        &self,
        candidate: &CandidateId,
        before: &RecordDetails,
        after: &RecordDetails,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let text = |v: &str| AttributeValue::S(v.to_string());
        let numbers = |n: &std::collections::BTreeMap<String, String>| {
            (!n.is_empty())
                .then(|| serde_dynamo::to_attribute_value(n).map_err(StoreError::unavailable))
                .transpose()
        };
        // Each detail: its attribute, the value stored before (none: absent), the value after.
        let details: [(&str, Option<AttributeValue>, Option<AttributeValue>); 5] = [
            (
                "first_name",
                Some(text(&before.first_name)),
                Some(text(&after.first_name)),
            ),
            (
                "last_name",
                Some(text(&before.last_name)),
                Some(text(&after.last_name)),
            ),
            (
                "email",
                before.email.as_ref().map(|e| text(e.as_str())),
                after.email.as_ref().map(|e| text(e.as_str())),
            ),
            (
                "credential_numbers",
                numbers(&before.credential_numbers)?,
                numbers(&after.credential_numbers)?,
            ),
            (
                "academy_id",
                before.academy_id.as_deref().map(text),
                after.academy_id.as_deref().map(text),
            ),
        ];
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(candidate)));
        let (mut sets, mut removes, mut conditions) = (Vec::new(), Vec::new(), Vec::new());
        for (n, (attribute, was, now)) in details.into_iter().enumerate() {
            update = update.expression_attribute_names(format!("#d{n}"), attribute);
            match was {
                Some(value) => {
                    conditions.push(format!("#d{n} = :was{n}"));
                    update = update.expression_attribute_values(format!(":was{n}"), value);
                }
                None => conditions.push(format!("attribute_not_exists(#d{n})")),
            }
            match now {
                Some(value) => {
                    sets.push(format!("#d{n} = :now{n}"));
                    update = update.expression_attribute_values(format!(":now{n}"), value);
                }
                None => removes.push(format!("#d{n}")),
            }
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let update = update
            .update_expression(expression)
            .condition_expression(conditions.join(" AND "))
            .build()
            .map_err(StoreError::unavailable)?;
        let mut items = vec![
            TransactWriteItem::builder().update(update).build(),
            self.audit_put(event)?,
        ];
        // The last-name index follows the name (testing IDs are not details staff edit).
        let names = |d: &RecordDetails| LookupTerm::last_name(&d.last_name).into_iter().collect();
        items.extend(self.lookup_writes(candidate, &names(before), &names(after))?);
        // The email index follows the email on file.
        items.extend(self.email_index_writes(
            candidate,
            before.email.as_ref(),
            after.email.as_ref(),
        )?);
        self.transact(items).await
    }

    async fn unmap(
        &self,
        candidate: &CandidateId,
        account: &AccountId,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let record = Update::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(candidate)))
            .update_expression("REMOVE account_id")
            .condition_expression("account_id = :account")
            .expression_attribute_values(":account", AttributeValue::S(account.as_str().into()))
            .build()
            .map_err(StoreError::unavailable)?;
        let mark = Update::builder()
            .table_name(&self.accounts_table)
            .set_key(Some(IdentityStore::profile_key(account)))
            .update_expression("REMOVE candidate_id")
            .condition_expression("candidate_id = :candidate")
            .expression_attribute_values(":candidate", AttributeValue::S(candidate.as_str().into()))
            .build()
            .map_err(StoreError::unavailable)?;
        self.transact(vec![
            TransactWriteItem::builder().update(record).build(),
            TransactWriteItem::builder().update(mark).build(),
            self.audit_put(event)?,
        ])
        .await
    }

    async fn merged_into(
        &self,
        candidate: &CandidateId,
    ) -> Result<Option<CandidateId>, StoreError> {
        let profile: Option<CandidateProfile> = self.get(profile_key(candidate)).await?;
        Ok(profile.and_then(|p| p.merged_into))
    }

    async fn merge_records(
        &self,
        survivor: &CandidateProfile,
        source: &CandidateProfile,
        survivor_after: &CandidateProfile,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let (kept, merged) = (&survivor.candidate_id, &source.candidate_id);
        let kept_value = || AttributeValue::S(kept.as_str().into());
        // The source is marked first, on the condition neither is merged elsewhere: from here on
        // a merge of either into a third record is refused, and imports for the source land in
        // the survivor.
        let mark = Update::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(merged)))
            .update_expression("SET merged_into = :kept")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(merged_into) OR merged_into = :kept)",
            )
            .expression_attribute_values(":kept", kept_value())
            .build()
            .map_err(StoreError::unavailable)?;
        let survivor_stays = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(kept)))
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(merged_into)")
            .build()
            .map_err(StoreError::unavailable)?;
        self.transact(vec![
            TransactWriteItem::builder().update(mark).build(),
            TransactWriteItem::builder()
                .condition_check(survivor_stays)
                .build(),
        ])
        .await?;

        for (from, to) in [
            (candidate_pk(merged), candidate_pk(kept)),
            (orders_pk(merged), orders_pk(kept)),
            (transcripts_pk(merged), transcripts_pk(kept)),
        ] {
            for item in self.query_partition(from, None).await? {
                if sort_key(&item) != PROFILE {
                    self.move_item(item, &to, merged, kept).await?;
                }
            }
        }
        let watch = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(watch_key(merged)))
            .build()
            .map_err(StoreError::unavailable)?;
        self.transact(vec![TransactWriteItem::builder().delete(watch).build()])
            .await?;

        // Last, in one transaction: both profiles, the account's mark, the indexes, the event.
        // The duplicate as the merge read it, too: what the survivor absorbed is all it held.
        let (unchanged, names, mut bound) = unchanged_since_read(source, "s")?;
        bound.insert(":kept".into(), kept_value());
        let pointer = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item_with_key(
                &source.pointer_to(kept),
                profile_key(merged),
                None,
            )?))
            .condition_expression(format!("merged_into = :kept AND {unchanged}"))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(bound))
            .build()
            .map_err(StoreError::unavailable)?;
        let mut items = vec![
            self.merged_survivor(survivor, survivor_after)?,
            TransactWriteItem::builder().put(pointer).build(),
            self.audit_put(event)?,
        ];
        if survivor.account_id.is_none() {
            if let Some(account) = &survivor_after.account_id {
                let mark = Update::builder()
                    .table_name(&self.accounts_table)
                    .set_key(Some(IdentityStore::profile_key(account)))
                    .update_expression("SET candidate_id = :kept")
                    .condition_expression("candidate_id = :merged")
                    .expression_attribute_values(":kept", kept_value())
                    .expression_attribute_values(
                        ":merged",
                        AttributeValue::S(merged.as_str().into()),
                    )
                    .build()
                    .map_err(StoreError::unavailable)?;
                items.push(TransactWriteItem::builder().update(mark).build());
            }
        }
        if let Some(email) = &source.email {
            items.push(self.delete_in_transaction(email_key(email, merged))?);
        }
        if let Some(email) = &survivor_after.email {
            if survivor.email.as_ref() != Some(email) {
                items.push(put(&self.table, email_key(email, kept), None)?);
            }
        }
        items.extend(self.lookup_writes(merged, &source.lookup_terms(), &BTreeSet::new())?);
        items.extend(self.lookup_writes(
            kept,
            &survivor.lookup_terms(),
            &survivor_after.lookup_terms(),
        )?);
        self.transact(items).await
    }

    async fn erase_person(
        &self,
        account: &AccountId,
        record: Option<(&CandidateProfile, &tessera_kernel::audit::AuditEvent)>,
    ) -> Result<(), StoreError> {
        let delete = |key: Item| self.delete_in_transaction(key);
        let mut items = vec![delete(item_key(account_pk(account), MAPPING))?];
        if let Some((profile, event)) = record {
            // What `CandidateProfile::erased` keeps stays; the rest goes (the conformance suite
            // holds this expression to that function).
            let erase = Update::builder()
                .table_name(&self.table)
                .set_key(Some(profile_key(&profile.candidate_id)))
                .update_expression(
                    "SET first_name = :blank, last_name = :blank \
                     REMOVE email, testing_ids, account_id, job_title, credential_numbers, academy_id",
                )
                .condition_expression("account_id = :account")
                .expression_attribute_values(":blank", AttributeValue::S(String::new()))
                .expression_attribute_values(":account", AttributeValue::S(account.as_str().into()))
                .build()
                .map_err(StoreError::unavailable)?;
            items.push(TransactWriteItem::builder().update(erase).build());
            if let Some(email) = &profile.email {
                items.push(delete(email_key(email, &profile.candidate_id))?);
            }
            items.extend(self.lookup_writes(
                &profile.candidate_id,
                &profile.lookup_terms(),
                &profile.erased().lookup_terms(),
            )?);
            items.push(self.audit_put(event)?);
        }
        self.transact(items).await
    }

    async fn move_mapping(
        &self,
        candidate: &CandidateId,
        from: &AccountId,
        to: &AccountId,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let text = |v: &str| AttributeValue::S(v.to_string());
        let record = Update::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(candidate)))
            .update_expression("SET account_id = :to")
            .condition_expression("account_id = :from")
            .expression_attribute_values(":from", text(from.as_str()))
            .expression_attribute_values(":to", text(to.as_str()))
            .build()
            .map_err(StoreError::unavailable)?;
        let unmark = Update::builder()
            .table_name(&self.accounts_table)
            .set_key(Some(IdentityStore::profile_key(from)))
            .update_expression("REMOVE candidate_id")
            .condition_expression("candidate_id = :candidate")
            .expression_attribute_values(":candidate", text(candidate.as_str()))
            .build()
            .map_err(StoreError::unavailable)?;
        let mark = Update::builder()
            .table_name(&self.accounts_table)
            .set_key(Some(IdentityStore::profile_key(to)))
            .update_expression("SET candidate_id = :candidate")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(candidate_id)")
            .expression_attribute_values(":candidate", text(candidate.as_str()))
            .build()
            .map_err(StoreError::unavailable)?;
        self.transact(vec![
            TransactWriteItem::builder().update(record).build(),
            TransactWriteItem::builder().update(unmark).build(),
            TransactWriteItem::builder().update(mark).build(),
            self.audit_put(event)?,
        ])
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
        let (condition, mut values) = oversight_condition(expected)?;
        // None is no attribute, as a record is first written.
        let change = if new.is_empty() {
            "REMOVE #oversight"
        } else {
            values.insert(":new".into(), oversight_value(new)?);
            "SET #oversight = :new"
        };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(candidate)))
            .update_expression(change)
            .condition_expression(condition)
            .expression_attribute_names("#oversight", "oversight")
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .build()
            .map_err(StoreError::unavailable)?;
        self.transact(vec![
            TransactWriteItem::builder().update(update).build(),
            self.credential_status_write(candidate, status)?,
            self.audit_put(event)?,
        ])
        .await
    }

    async fn map_account(
        &self,
        profile: &CandidateProfile,
        previous_email: Option<&Email>,
        state: &MappingState,
    ) -> Result<(), StoreError> {
        let account = profile
            .account_id
            .clone()
            .ok_or_else(|| StoreError::unavailable(std::io::Error::other("no account to map")))?;
        let candidate = &profile.candidate_id;
        let mark_account = Update::builder()
            .table_name(&self.accounts_table)
            .set_key(Some(IdentityStore::profile_key(&account)))
            .update_expression("SET candidate_id = :candidate")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(candidate_id)")
            .expression_attribute_values(
                ":candidate",
                AttributeValue::S(candidate.as_str().to_string()),
            )
            .build()
            .map_err(StoreError::unavailable)?;
        // Only the mapping's own attributes: an import or edit landing meanwhile is kept.
        let mut record_update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(candidate)))
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(account_id)")
            .expression_attribute_values(":account", AttributeValue::S(account.as_str().into()));
        record_update = match &profile.email {
            Some(email) => record_update
                .update_expression("SET account_id = :account, email = :email")
                .expression_attribute_values(":email", AttributeValue::S(email.as_str().into())),
            None => record_update.update_expression("SET account_id = :account"),
        };
        let mut items = vec![
            TransactWriteItem::builder()
                .update(record_update.build().map_err(StoreError::unavailable)?)
                .build(),
            TransactWriteItem::builder().update(mark_account).build(),
            TransactWriteItem::builder()
                .put(versioned_mapping_put(&self.table, &account, state)?)
                .build(),
        ];
        items.extend(self.email_index_writes(candidate, previous_email, profile.email.as_ref())?);
        // Any failed condition (record or account mapped, state changed) is a `Conflict`.
        self.transact(items).await
    }

    async fn change_record_email(
        &self,
        candidate: &CandidateId,
        account: &AccountId,
        previous: Option<&Email>,
        new: &Email,
        state: &MappingState,
    ) -> Result<(), StoreError> {
        let record_update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(profile_key(candidate)))
            .update_expression("SET email = :new")
            .expression_attribute_values(":new", AttributeValue::S(new.as_str().into()))
            .expression_attribute_values(":account", AttributeValue::S(account.as_str().into()));
        let record_update = match previous {
            Some(old) => record_update
                .condition_expression("account_id = :account AND email = :old")
                .expression_attribute_values(":old", AttributeValue::S(old.as_str().into())),
            None => record_update
                .condition_expression("account_id = :account AND attribute_not_exists(email)"),
        };
        let mut items = vec![
            TransactWriteItem::builder()
                .update(record_update.build().map_err(StoreError::unavailable)?)
                .build(),
            TransactWriteItem::builder()
                .put(versioned_mapping_put(&self.table, account, state)?)
                .build(),
        ];
        items.extend(self.email_index_writes(candidate, previous, Some(new))?);
        // A failed condition (the record remapped or its email changed, the state moved on) is a
        // `Conflict`.
        self.transact(items).await
    }

    async fn watches_due(&self, now: Timestamp, limit: usize) -> Result<Vec<Watch>, StoreError> {
        self.due_items(WATCHES, now, limit).await
    }

    async fn save_watch(&self, watch: &Watch) -> Result<(), StoreError> {
        let mut next = watch.clone();
        next.version += 1;
        let mut item = item_with_key(&next, watch_key(&next.candidate_id), None)?;
        if let Some(at) = next.next_check {
            set_due(&mut item, WATCHES, at, next.candidate_id.as_str());
        }
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        let request = if watch.version == 0 {
            request.condition_expression("attribute_not_exists(pk)")
        } else {
            request
                .condition_expression("#version = :expected")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(
                    ":expected",
                    AttributeValue::N(watch.version.to_string()),
                )
        };
        request
            .send()
            .await
            .map(|_| ())
            .map_err(conflict_if_condition_failed)
    }

    async fn watch_again(&self, candidate: &CandidateId) -> Result<(), StoreError> {
        let now = Timestamp(0);
        let (job, due) = due_entry(WATCHES, now, candidate.as_str());
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(watch_key(candidate)))
            .update_expression(
                "SET #candidate = :candidate, #next = :now, #due_pk = :job, #due_sk = :due \
                 ADD #version :one",
            )
            .expression_attribute_names("#candidate", "candidate_id")
            .expression_attribute_names("#next", "next_check")
            .expression_attribute_names("#due_pk", "due_pk")
            .expression_attribute_names("#due_sk", "due_sk")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":candidate", AttributeValue::S(candidate.as_str().into()))
            .expression_attribute_values(":now", AttributeValue::N(now.0.to_string()))
            .expression_attribute_values(":job", job)
            .expression_attribute_values(":due", due)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unavailable(e.into_service_error()))
    }
}
