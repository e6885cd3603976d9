use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, UpdateItemOutput};
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, KeysAndAttributes, Put, ReturnValue, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::marker::PhantomData;
use tessera_identity::account::{CommunicationSettings, ProfileEdit};
use tessera_identity::ports::{AccountStore, LoginStore, SessionStore, UniqueWriteError};
use tessera_identity::session::Session;
use tessera_identity::staff::Roles;
use tessera_identity::throttle::{LoginStart, LoginThrottle, ThrottleKey, ThrottleSettings};
use tessera_identity::{Identity, Profile, Username};
use tessera_kernel::delivery::UnsentMessage;
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
#[cfg(feature = "certification")]
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::{StoreError, UnsentMessages};
use tessera_kernel::time::Seconds;
use tessera_kernel::time::Timestamp;

pub type Item = HashMap<String, AttributeValue>;

/// The identity table: a single-table layout with generic `pk`/`sk` keys and a `ttl` attribute.
///
/// | item     | pk                   | sk         | notes                                       |
/// |----------|----------------------|------------|---------------------------------------------|
/// | identity | `EMAIL#<canonical>`  | `IDENTITY` | the uniqueness marker; sign-in data; version |
/// | profile  | `ACCOUNT#<id>`       | `PROFILE`  | names, country, username                    |
/// | username | `USERNAME#<login>`   | `USERNAME` | uniqueness of the login ID; `account_id`    |
/// | throttle | `EMAIL#<canonical>`  | `THROTTLE` | login attempts, known or not (`throttle.rs`) |
/// | session  | `SESSION#<digest>`   | `SESSION`  | SHA-256 of the token; `ttl` = absolute end  |
/// | unsent   | `UNSENT#<id>`        | `UNSENT`   | a message kept for retry; `attempts` version |
/// | attempts | `ATTEMPTS#<key>`     | `ATTEMPTS` | guesses counted in a window (`attempts.rs`) |
///
/// The sparse `due` index (`due_pk`, `due_sk`) holds only items a scheduled job must act on, its
/// sort key starting with the zero-padded due time: a job queries what is due, never scans.
/// Unsent messages sit under `due_pk = UNSENT#<shard>`, `due_sk = <next attempt>#<id>`; pending
/// accounts under `due_pk = PENDING#<shard>`, `due_sk = <purge date>#<email>`. The shard (0 to
/// `DUE_SHARDS - 1`, from the id) spreads one job's writes over as many index partitions, so no
/// single GSI partition takes every sign-up's write; a job reads every shard and merges them by
/// due time (and the unsharded key items written before sharding still sit under).
///
/// The type names its table (`IdentityStore`, `CandidateStore`): each implements only the ports
/// its table serves, so a store of one table cannot be wired where the other is expected.
pub struct DynamoStore<Table> {
    pub(crate) client: Client,
    pub(crate) table: String,
    /// The identity table, whose account profiles a candidate mapping marks (the same table
    /// for the identity store itself).
    pub(crate) accounts_table: String,
    /// The audit table, where a staff write's event lands in the write's own transaction (only
    /// the functions that make staff writes are given one).
    pub(crate) audit_table: Option<String>,
    kind: PhantomData<fn() -> Table>,
}

impl<Table> Clone for DynamoStore<Table> {
    fn clone(&self) -> Self {
        DynamoStore {
            client: self.client.clone(),
            table: self.table.clone(),
            accounts_table: self.accounts_table.clone(),
            audit_table: self.audit_table.clone(),
            kind: PhantomData,
        }
    }
}

/// The identity table: accounts, sessions, throttles, attempts, unsent messages.
pub enum IdentityTable {}
/// The candidate table: records, mappings, transcripts, orders.
pub enum CandidateTable {}

pub type IdentityStore = DynamoStore<IdentityTable>;
pub type CandidateStore = DynamoStore<CandidateTable>;

const IDENTITY: &str = "IDENTITY";
const PROFILE: &str = "PROFILE";
const USERNAME: &str = "USERNAME";
const SESSION: &str = "SESSION";
const UNSENT: &str = "UNSENT";
/// Pending accounts are listed in the `due` index under this job, by purge date.
const PENDING: &str = "PENDING";
const DUE_INDEX: &str = "due";
/// An unsent message outlives its last useful moment by a day, then DynamoDB's TTL removes it.
const UNSENT_RETENTION_SECONDS: i64 = 86_400;

impl IdentityStore {
    /// The identity store on `table`.
    pub fn new(client: Client, table: impl Into<String>) -> IdentityStore {
        let table = table.into();
        DynamoStore {
            client,
            accounts_table: table.clone(),
            table,
            audit_table: None,
            kind: PhantomData,
        }
    }
}

impl<Table> DynamoStore<Table> {
    /// The same store, writing staff writes' audit events to `audit_table`.
    pub fn with_audit_table(mut self, audit_table: Option<String>) -> Self {
        self.audit_table = audit_table;
        self
    }

    /// A transaction item appending `event` to the audit table.
    pub(crate) fn audit_put(
        &self,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<TransactWriteItem, StoreError> {
        let table = self.audit_table.as_ref().ok_or_else(|| {
            StoreError::Unavailable("no audit table is configured (TESSERA_AUDIT_TABLE)".into())
        })?;
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(crate::audit::event_item(event)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

impl CandidateStore {
    /// The candidate-record store on `candidate_table`; mappings mark account profiles in
    /// `identity_table`.
    pub fn new(
        client: Client,
        candidate_table: impl Into<String>,
        identity_table: impl Into<String>,
    ) -> CandidateStore {
        DynamoStore {
            client,
            table: candidate_table.into(),
            accounts_table: identity_table.into(),
            audit_table: None,
            kind: PhantomData,
        }
    }
}

/// The partition of a candidate's orders, beside its record (`orders.rs`).
#[cfg(feature = "certification")]
pub(crate) fn orders_pk(candidate: &CandidateId) -> String {
    format!("ORDERS#{}", candidate.as_str())
}

/// The partition of a candidate's transcripts, beside its record (`transcripts.rs`).
#[cfg(feature = "certification")]
pub(crate) fn transcripts_pk(candidate: &CandidateId) -> String {
    format!("TRANSCRIPTS#{}", candidate.as_str())
}

/// An item's key, in either table.
/// An account's access levels (`access.rs`); erasure deletes it with the account.
pub(crate) fn access_record_key(account: &AccountId) -> Item {
    item_key(format!("ACCESS#{}", account.as_str()), "ACCESS")
}

/// The partition of the consents an account gave applications (`oidc.rs`, one item per
/// application); erasure deletes it with the account.
pub(crate) fn consent_partition(account: &AccountId) -> String {
    format!("CONSENT#{}", account.as_str())
}

pub(crate) fn item_key(pk: String, sk: &str) -> Item {
    HashMap::from([
        ("pk".to_string(), AttributeValue::S(pk)),
        ("sk".to_string(), AttributeValue::S(sk.to_string())),
    ])
}

impl IdentityStore {
    /// The identity table's partition of one address: its identity and its login throttle.
    pub(crate) fn address_partition(email: &Email) -> String {
        format!("EMAIL#{}", email.as_str())
    }

    fn identity_key(email: &Email) -> Item {
        item_key(Self::address_partition(email), IDENTITY)
    }

    pub(crate) fn profile_key(id: &AccountId) -> Item {
        item_key(format!("ACCOUNT#{}", id.as_str()), PROFILE)
    }

    fn username_key(username: &Username) -> Item {
        item_key(format!("USERNAME#{}", username.as_str()), USERNAME)
    }

    fn throttle_key(email: &Email) -> Item {
        Self::login_throttle_key(&ThrottleKey::Email(email.clone()))
    }

    fn unsent_key(id: &str) -> Item {
        item_key(format!("UNSENT#{id}"), UNSENT)
    }

    /// The unsent message with its key, its place in the `due` index, and its TTL.
    fn unsent_item(unsent: &UnsentMessage) -> Result<Item, StoreError> {
        let mut item = item_with_key(
            unsent,
            Self::unsent_key(&unsent.id),
            Some(unsent.discard_after + Seconds(UNSENT_RETENTION_SECONDS)),
        )?;
        set_due(&mut item, UNSENT, unsent.next_attempt_at, &unsent.id);
        Ok(item)
    }

    fn session_key(digest: &str) -> Item {
        item_key(format!("SESSION#{digest}"), SESSION)
    }
}

impl<Table> DynamoStore<Table> {
    /// Unconditional puts, 25 per call (`BatchWriteItem`'s most), retrying what DynamoDB left
    /// unprocessed.
    #[cfg(any(feature = "certification", feature = "access"))]
    pub(crate) async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        for chunk in items.chunks(25) {
            let mut requests: Vec<aws_sdk_dynamodb::types::WriteRequest> = chunk
                .iter()
                .map(|item| {
                    aws_sdk_dynamodb::types::PutRequest::builder()
                        .set_item(Some(item.clone()))
                        .build()
                        .map(|p| {
                            aws_sdk_dynamodb::types::WriteRequest::builder()
                                .put_request(p)
                                .build()
                        })
                        .map_err(StoreError::unavailable)
                })
                .collect::<Result<_, _>>()?;
            for attempt in 0.. {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
                match out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                {
                    Some(rest) if !rest.is_empty() && attempt < 5 => requests = rest,
                    Some(rest) if !rest.is_empty() => {
                        return Err(StoreError::unavailable(std::io::Error::other(
                            "batch write left items unprocessed",
                        )))
                    }
                    _ => break,
                }
            }
        }
        Ok(())
    }

    /// Strongly consistent reads of several items in one call (retrying keys DynamoDB left
    /// unprocessed). Items come back in no particular order: callers tell them apart by `sk`.
    pub(crate) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut pending = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(StoreError::unavailable)?;
        let mut found = Vec::new();
        for _ in 0..5 {
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, pending)
                .send()
                .await
                .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
            if let Some(items) = out.responses.and_then(|mut r| r.remove(&self.table)) {
                found.extend(items);
            }
            match out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                Some(rest) if !rest.keys().is_empty() => pending = rest,
                _ => return Ok(found),
            }
        }
        Err(StoreError::unavailable(std::io::Error::other(
            "batch read left keys unprocessed",
        )))
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        key: Item,
    ) -> Result<Option<T>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
        out.item
            .map(|item| serde_dynamo::from_item(item).map_err(StoreError::unavailable))
            .transpose()
    }

    /// Writes `item` (on `condition`, when given: `Conflict` if it fails).
    #[cfg(any(feature = "oidc", feature = "federation"))]
    pub(crate) async fn put(&self, item: Item, condition: Option<&str>) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_string))
            .send()
            .await
            .map(|_| ())
            .map_err(conflict_if_condition_failed)
    }

    /// Deletes the item at `key` and returns what it held, in one call: of two racing takers only
    /// one gets it (a single-use code redeemed).
    #[cfg(any(feature = "oidc", feature = "access", feature = "federation"))]
    pub(crate) async fn take<T: DeserializeOwned>(
        &self,
        key: Item,
    ) -> Result<Option<T>, StoreError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
        deleted
            .attributes
            .filter(|a| !a.is_empty())
            .map(from_item)
            .transpose()
    }

    /// Every item of partition `pk` (whose sort key starts with `prefix`, if given), strongly
    /// consistent, following pages.
    pub(crate) async fn query_partition(
        &self,
        pk: String,
        prefix: Option<&str>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
                .consistent_read(true)
                .set_exclusive_start_key(start.take());
            query = match prefix {
                Some(prefix) => query
                    .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                    .expression_attribute_values(":prefix", AttributeValue::S(prefix.into())),
                None => query.key_condition_expression("pk = :pk"),
            };
            let out = query
                .send()
                .await
                .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(items)
    }

    /// A transaction item writing `item` if nothing has its key yet.
    pub(crate) fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

impl IdentityStore {
    /// The identity item. A pending account's carries its purge date twice: as the `due` index
    /// entry the purge job finds it by, and as `ttl`, a backstop should the job not run.
    fn identity_item(identity: &Identity) -> Result<Item, StoreError> {
        let mut item = item_with_key(
            identity,
            Self::identity_key(&identity.email),
            identity.purge_at,
        )?;
        if let Some(purge_at) = identity.purge_at {
            set_due(&mut item, PENDING, purge_at, identity.email.as_str());
        }
        Ok(item)
    }

    /// A new account's identity and profile items, exactly as `create_account` writes them (a
    /// bulk load, such as the job-scale test's, writes these with `BatchWriteItem`).
    pub fn account_items(identity: &Identity, profile: &Profile) -> Result<[Item; 2], StoreError> {
        Ok([
            Self::identity_item(identity)?,
            item_with_key(
                profile,
                Self::profile_key(&profile.account_id),
                profile.purge_at,
            )?,
        ])
    }

    /// The identity as `version + 1`, and the condition that the stored version is still
    /// `identity.version`; shared by the single write and the activation transaction.
    fn versioned_identity(identity: &Identity) -> Result<VersionedPut, StoreError> {
        let mut next = identity.clone();
        next.version += 1;
        Ok(VersionedPut {
            item: Self::identity_item(&next)?,
            expected: AttributeValue::N(identity.version.to_string()),
        })
    }

    /// The versioned identity write as a transaction item.
    /// Deletes the identity if its stored version is still `identity.version`.
    fn delete_identity_versioned(&self, identity: &Identity) -> Result<Delete, StoreError> {
        Delete::builder()
            .table_name(&self.table)
            .set_key(Some(Self::identity_key(&identity.email)))
            .condition_expression(VERSION_CONDITION)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(
                ":expected",
                AttributeValue::N(identity.version.to_string()),
            )
            .build()
            .map_err(StoreError::unavailable)
    }

    fn put_identity_versioned(&self, identity: &Identity) -> Result<Put, StoreError> {
        let versioned = Self::versioned_identity(identity)?;
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(versioned.item))
            .condition_expression(VERSION_CONDITION)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":expected", versioned.expected)
            .build()
            .map_err(StoreError::unavailable)
    }
}

impl<Table> DynamoStore<Table> {
    /// An unconditional delete of `key` in this store's table, as one item of a transaction.
    pub(crate) fn delete_in_transaction(&self, key: Item) -> Result<TransactWriteItem, StoreError> {
        Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .build()
            .map(|d| TransactWriteItem::builder().delete(d).build())
            .map_err(StoreError::unavailable)
    }

    /// Deletes the items in one transaction: whether it happened (`false` when a condition
    /// failed, or a concurrent transaction got there first).
    pub(crate) async fn delete_together(
        &self,
        deletes: impl IntoIterator<Item = Delete>,
    ) -> Result<bool, StoreError> {
        let items = deletes
            .into_iter()
            .map(|d| TransactWriteItem::builder().delete(d).build())
            .collect();
        match self.transact(items).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Writes `items` in one transaction: any failed condition is `Conflict`.
    pub(crate) async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        self.transact_marking(items, &[])
            .await
            .map_err(|e| match e {
                UniqueWriteError::Taken => StoreError::Conflict,
                UniqueWriteError::Store(e) => e,
            })
    }

    /// Writes `items` in one transaction, a failed condition meaning what `on_condition` says
    /// for its item.
    pub(crate) async fn transact_marking(
        &self,
        items: Vec<TransactWriteItem>,
        on_condition: &[OnCondition],
    ) -> Result<(), UniqueWriteError> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => Err(translate_cancellation(e, on_condition)),
        }
    }
}

struct VersionedPut {
    item: Item,
    expected: AttributeValue,
}

const VERSION_CONDITION: &str = "#version = :expected";

/// Lists `item` in the sparse `due` index under `job`, due at `due` (`id` keeps keys unique).
pub(crate) fn set_due(item: &mut Item, job: &str, due: Timestamp, id: &str) {
    let (pk, sk) = due_entry(job, due, id);
    item.insert("due_pk".into(), pk);
    item.insert("due_sk".into(), sk);
}

/// The `due_pk` and `due_sk` values of an entry in the `due` index.
pub(crate) fn due_entry(job: &str, due: Timestamp, id: &str) -> (AttributeValue, AttributeValue) {
    (
        AttributeValue::S(due_shard(job, id)),
        AttributeValue::S(due_sort_key(due, id)),
    )
}

/// Index partitions per job (see the table's documentation above).
pub const DUE_SHARDS: u32 = 8;

/// `<job>#<shard>`: the id's shard, stable for the id (FNV-1a of its bytes).
fn due_shard(job: &str, id: &str) -> String {
    let hash = id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{job}#{}", hash % DUE_SHARDS)
}

/// Every key a job's items may sit under: its shards, and the unsharded key of items written
/// before the index was sharded.
pub(crate) fn due_keys(job: &str) -> Vec<String> {
    std::iter::once(job.to_string())
        .chain((0..DUE_SHARDS).map(|shard| format!("{job}#{shard}")))
        .collect()
}

impl<Table> DynamoStore<Table> {
    /// `job`'s items due at `now` or earlier, soonest first, at most `limit`: one query of the
    /// `due` index, whose cost is what it returns, not the table's size. The index is eventually
    /// consistent: callers act through conditional writes on what they read.
    pub(crate) async fn due_items<T: DeserializeOwned>(
        &self,
        job: &str,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<T>, StoreError> {
        self.query_due(job, "due_sk < :bound", due_sort_bound(now), limit)
            .await
    }

    /// The items listed under `job` in the `due` index from `since` on, oldest first, at most
    /// `limit` (a listing by time rather than what is due now).
    #[cfg(feature = "fulfillment")]
    pub(crate) async fn listed_since<T: DeserializeOwned>(
        &self,
        job: &str,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<T>, StoreError> {
        self.query_due(job, "due_sk >= :bound", due_sort_key(since, ""), limit)
            .await
    }

    /// The `due` index's entries of `job` whose sort key meets `sort_condition` against `:bound`,
    /// in sort order, at most `limit`: one query per shard, at once, merged.
    async fn query_due<T: DeserializeOwned>(
        &self,
        job: &str,
        sort_condition: &str,
        bound: String,
        limit: usize,
    ) -> Result<Vec<T>, StoreError> {
        let queries = due_keys(job).into_iter().map(|key| {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(DUE_INDEX)
                .key_condition_expression(format!("due_pk = :job AND {sort_condition}"))
                .expression_attribute_values(":job", AttributeValue::S(key))
                .expression_attribute_values(":bound", AttributeValue::S(bound.clone()))
                .limit(limit.clamp(1, 1000) as i32)
                .send()
        });
        let mut items: Vec<Item> = Vec::new();
        for page in futures::future::join_all(queries).await {
            let page = page.map_err(|e| StoreError::unavailable(e.into_service_error()))?;
            items.extend(page.items.unwrap_or_default());
        }
        let due_sk = |item: &Item| {
            item.get("due_sk")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default()
        };
        items.sort_by_key(due_sk);
        items.truncate(limit);
        items.into_iter().map(from_item).collect()
    }
}

/// `<due time, 12 digits>#<id>`: sorts by due time, and everything due at `now` sorts before
/// `due_sort_bound(now)`.
fn due_sort_key(due: Timestamp, id: &str) -> String {
    format!("{:012}#{id}", due.0.max(0))
}

fn due_sort_bound(now: Timestamp) -> String {
    format!("{:012}", now.0.max(0) + 1)
}

pub(crate) fn sort_key(item: &Item) -> &str {
    item.get("sk")
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or_default()
}

/// A conditional put's error: `Conflict` when its condition did not hold.
pub(crate) fn conflict_if_condition_failed(e: SdkError<PutItemError>) -> StoreError {
    let service = e.into_service_error();
    if service.is_conditional_check_failed_exception() {
        StoreError::Conflict
    } else {
        StoreError::unavailable(service)
    }
}

/// An `UpdateItem` conditioned on `attribute_exists(pk)` with `ReturnValues::AllNew`: the item
/// after the update, or `None` when there was no item to update.
pub(crate) fn updated_or_none<T: DeserializeOwned>(
    result: Result<UpdateItemOutput, SdkError<UpdateItemError>>,
) -> Result<Option<T>, StoreError> {
    match result {
        Ok(out) => out.attributes.map(from_item).transpose(),
        Err(e) => {
            let service = e.into_service_error();
            if service.is_conditional_check_failed_exception() {
                Ok(None)
            } else {
                Err(StoreError::unavailable(service))
            }
        }
    }
}

pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::unavailable)
}

/// The record's attributes plus its key and, while it should expire, the `ttl` attribute.
pub(crate) fn item_with_key<T: Serialize>(
    record: &T,
    key: Item,
    purge_at: Option<Timestamp>,
) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record).map_err(StoreError::unavailable)?;
    item.extend(key);
    if let Some(t) = purge_at {
        item.insert("ttl".to_string(), AttributeValue::N(t.0.to_string()));
    }
    Ok(item)
}

/// What a transaction item's failed condition means: the item changed since it was read, or a
/// key that must be unique is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OnCondition {
    Conflict,
    Taken,
}

/// Maps a cancelled transaction to what the first item whose condition failed means
/// (`on_condition[i]` for item `i`, `Conflict` when not listed); anything else is `Unavailable`.
fn translate_cancellation(
    e: SdkError<TransactWriteItemsError>,
    on_condition: &[OnCondition],
) -> UniqueWriteError {
    let service = e.into_service_error();
    if let TransactWriteItemsError::TransactionCanceledException(cancelled) = &service {
        let reasons = cancelled.cancellation_reasons();
        for (i, reason) in reasons.iter().enumerate() {
            if reason.code() == Some("ConditionalCheckFailed") {
                return match on_condition.get(i) {
                    Some(OnCondition::Taken) => UniqueWriteError::Taken,
                    _ => StoreError::Conflict.into(),
                };
            }
        }
        // Cancelled because of a concurrent transaction on the same items.
        if reasons
            .iter()
            .any(|r| r.code() == Some("TransactionConflict"))
        {
            return StoreError::Conflict.into();
        }
    }
    StoreError::unavailable(service).into()
}

#[async_trait]
impl AccountStore for IdentityStore {
    async fn create_account(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<(), UniqueWriteError> {
        let [identity_item, profile_item] = IdentityStore::account_items(identity, profile)?;
        let items = vec![self.put_new(identity_item)?, self.put_new(profile_item)?];
        self.transact_marking(items, &[OnCondition::Taken, OnCondition::Conflict])
            .await
    }

    async fn identity(&self, email: &Email) -> Result<Option<Identity>, StoreError> {
        self.get(Self::identity_key(email)).await
    }

    async fn move_email(
        &self,
        identity: &Identity,
        moved: &Identity,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), UniqueWriteError> {
        let remove = self.delete_identity_versioned(identity)?;
        let mut next = moved.clone();
        next.version = identity.version + 1;
        let profile = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::profile_key(&identity.account_id)))
            .update_expression("SET #email = :email")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#email", "email")
            .expression_attribute_values(":email", AttributeValue::S(next.email.as_str().into()))
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            TransactWriteItem::builder().delete(remove).build(),
            self.put_new(Self::identity_item(&next)?)?,
            TransactWriteItem::builder().update(profile).build(),
            self.audit_put(event)?,
        ];
        self.transact_marking(
            items,
            &[
                OnCondition::Conflict,
                OnCondition::Taken,
                OnCondition::Conflict,
                OnCondition::Conflict,
            ],
        )
        .await
    }

    async fn update_identity(&self, identity: &Identity) -> Result<(), StoreError> {
        let put = Self::versioned_identity(identity)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(put.item))
            .condition_expression(VERSION_CONDITION)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":expected", put.expected)
            .send()
            .await;
        result.map(|_| ()).map_err(conflict_if_condition_failed)
    }

    async fn replace_registration(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<(), StoreError> {
        let [_, profile_item] = IdentityStore::account_items(identity, profile)?;
        let profile_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(profile_item))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            TransactWriteItem::builder()
                .put(self.put_identity_versioned(identity)?)
                .build(),
            TransactWriteItem::builder().put(profile_put).build(),
        ];
        self.transact(items).await
    }

    async fn activate(
        &self,
        identity: &Identity,
        username: &Username,
    ) -> Result<(), UniqueWriteError> {
        let mut marker = Self::username_key(username);
        marker.insert(
            "account_id".to_string(),
            AttributeValue::S(identity.account_id.as_str().to_string()),
        );
        let profile_update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::profile_key(&identity.account_id)))
            .update_expression("SET #username = :username, #purge_at = :null REMOVE #ttl")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#username", "username")
            .expression_attribute_names("#purge_at", "purge_at")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(
                ":username",
                AttributeValue::S(username.as_str().to_string()),
            )
            .expression_attribute_values(":null", AttributeValue::Null(true))
            .build()
            .map_err(StoreError::unavailable)?;
        let items = vec![
            TransactWriteItem::builder()
                .put(self.put_identity_versioned(identity)?)
                .build(),
            self.put_new(marker)?,
            TransactWriteItem::builder().update(profile_update).build(),
        ];
        self.transact_marking(
            items,
            &[
                OnCondition::Conflict,
                OnCondition::Taken,
                OnCondition::Conflict,
            ],
        )
        .await
    }

    async fn set_roles(
        &self,
        account_id: &AccountId,
        expected: &Roles,
        roles: &Roles,
        event: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let list = |roles: &Roles| {
            serde_dynamo::to_attribute_value(roles).map_err(StoreError::unavailable)
        };
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::profile_key(account_id)))
            .expression_attribute_names("#roles", "roles");
        // No roles is no attribute, as a profile is first written.
        update = if roles.is_empty() {
            update.update_expression("REMOVE #roles")
        } else {
            update
                .update_expression("SET #roles = :roles")
                .expression_attribute_values(":roles", list(roles)?)
        };
        update = if expected.is_empty() {
            update.condition_expression("attribute_exists(pk) AND attribute_not_exists(#roles)")
        } else {
            update
                .condition_expression("#roles = :expected")
                .expression_attribute_values(":expected", list(expected)?)
        };
        let update = update.build().map_err(StoreError::unavailable)?;
        self.transact(vec![
            TransactWriteItem::builder().update(update).build(),
            self.audit_put(event)?,
        ])
        .await
    }

    async fn save_sign_in(
        &self,
        identity: &Identity,
        clear_login_failures: bool,
        audit: Option<&tessera_kernel::audit::AuditEvent>,
    ) -> Result<(), StoreError> {
        let epoch = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::profile_key(&identity.account_id)))
            .update_expression("SET session_epoch = :epoch, federated = :federated")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(
                ":epoch",
                AttributeValue::N(identity.session_epoch.to_string()),
            )
            .expression_attribute_values(":federated", AttributeValue::Bool(identity.federated))
            .build()
            .map_err(StoreError::unavailable)?;
        let mut items = vec![
            TransactWriteItem::builder()
                .put(self.put_identity_versioned(identity)?)
                .build(),
            TransactWriteItem::builder().update(epoch).build(),
        ];
        if clear_login_failures {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(Self::throttle_key(&identity.email)))
                .build()
                .map_err(StoreError::unavailable)?;
            items.push(TransactWriteItem::builder().delete(delete).build());
        }
        if let Some(event) = audit {
            items.push(self.audit_put(event)?);
        }
        // Only the identity has a condition that can fail for a reason of its own (its version).
        self.transact(items).await
    }

    async fn edit_profile(
        &self,
        account_id: &AccountId,
        edit: &ProfileEdit,
    ) -> Result<Option<Profile>, StoreError> {
        let text = |v: &str| AttributeValue::S(v.to_string());
        let optional =
            |v: &Option<String>| v.as_deref().map(text).unwrap_or(AttributeValue::Null(true));
        let fields: Vec<(&str, AttributeValue)> = [
            edit.first_name
                .as_ref()
                .map(|v| ("first_name", text(v.as_str()))),
            edit.last_name
                .as_ref()
                .map(|v| ("last_name", text(v.as_str()))),
            edit.country.as_ref().map(|v| ("country", text(v.as_str()))),
            edit.company.as_ref().map(|v| ("company", optional(v))),
            edit.job_title.as_ref().map(|v| ("job_title", optional(v))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if fields.is_empty() {
            return self.profile(account_id).await;
        }
        // SET only the edited attributes: the session epoch on the same item is never rewritten.
        let assignments: Vec<String> = fields
            .iter()
            .map(|(name, _)| format!("#{name} = :{name}"))
            .collect();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::profile_key(account_id)))
            .update_expression(format!("SET {}", assignments.join(", ")))
            .condition_expression("attribute_exists(pk)")
            .return_values(ReturnValue::AllNew);
        for (name, value) in fields {
            update = update
                .expression_attribute_names(format!("#{name}"), name)
                .expression_attribute_values(format!(":{name}"), value);
        }
        updated_or_none(update.send().await)
    }

    async fn set_communication(
        &self,
        account_id: &AccountId,
        settings: CommunicationSettings,
    ) -> Result<(), StoreError> {
        let value: AttributeValue =
            serde_dynamo::to_attribute_value(settings).map_err(StoreError::unavailable)?;
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::profile_key(account_id)))
            .update_expression("SET communication = :settings")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":settings", value)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unavailable(e.into_service_error()))
    }

    async fn profile(&self, account_id: &AccountId) -> Result<Option<Profile>, StoreError> {
        self.get(Self::profile_key(account_id)).await
    }

    async fn account_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<AccountId>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Marker {
            account_id: AccountId,
        }
        let marker: Option<Marker> = self.get(Self::username_key(username)).await?;
        Ok(marker.map(|m| m.account_id))
    }

    /// The domain's item (`FEDDOMAIN#<domain>`, written by federation with its provider).
    async fn federated_domain(&self, domain: &str) -> Result<bool, StoreError> {
        let item: Option<serde_json::Value> = self
            .get(item_key(format!("FEDDOMAIN#{domain}"), "FEDDOMAIN"))
            .await?;
        Ok(item.is_some())
    }

    async fn purgeable_accounts(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Identity>, StoreError> {
        self.due_items(PENDING, now, limit).await
    }

    async fn purge_account(&self, identity: &Identity) -> Result<bool, StoreError> {
        let identity_delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(Self::identity_key(&identity.email)))
            .condition_expression("#version = :expected AND #status = :pending")
            .expression_attribute_names("#version", "version")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(
                ":expected",
                AttributeValue::N(identity.version.to_string()),
            )
            .expression_attribute_values(":pending", AttributeValue::S("pending".into()))
            .build()
            .map_err(StoreError::unavailable)?;
        let profile_delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(Self::profile_key(&identity.account_id)))
            .build()
            .map_err(StoreError::unavailable)?;
        self.delete_together([identity_delete, profile_delete])
            .await
    }

    async fn erase_account(
        &self,
        identity: &Identity,
        tombstone: &tessera_kernel::audit::AuditEvent,
    ) -> Result<(), StoreError> {
        let delete = |key: Item| self.delete_in_transaction(key);
        let identity_delete = self.delete_identity_versioned(identity)?;
        let mut items = vec![
            TransactWriteItem::builder().delete(identity_delete).build(),
            delete(Self::profile_key(&identity.account_id))?,
            delete(Self::throttle_key(&identity.email))?,
            // The account's access levels (`ACCESS#`), and each consent it gave an application
            // (`CONSENT#`, one item per application).
            delete(access_record_key(&identity.account_id))?,
        ];
        for consent in self
            .query_partition(consent_partition(&identity.account_id), None)
            .await?
        {
            let key: Item = consent
                .into_iter()
                .filter(|(name, _)| name == "pk" || name == "sk")
                .collect();
            items.push(delete(key)?);
        }
        if let Some(username) = &identity.username {
            items.push(delete(Self::username_key(username))?);
        }
        items.push(self.audit_put(tombstone)?);
        self.transact(items).await
    }
}

#[async_trait]
impl LoginStore for IdentityStore {
    async fn begin_login(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
        settings: &ThrottleSettings,
    ) -> Result<LoginStart, StoreError> {
        // The identity is read while the attempt is counted: one round trip's wait for both.
        let identity = async {
            match key {
                ThrottleKey::Email(email) => self.get::<Identity>(Self::identity_key(email)).await,
                ThrottleKey::UnknownUsername(_) => Ok(None),
            }
        };
        let (counted, identity) =
            tokio::join!(self.count_login_attempt(key, now, settings), identity);
        Ok(match counted? {
            Ok(throttle) => LoginStart::Attempt {
                identity: identity?.map(Box::new),
                throttle,
            },
            Err(retry_at) => LoginStart::Wait { retry_at },
        })
    }

    async fn login_throttle(&self, key: &ThrottleKey) -> Result<LoginThrottle, StoreError> {
        Ok(self
            .get::<LoginThrottle>(Self::login_throttle_key(key))
            .await?
            .unwrap_or_default())
    }

    async fn clear_login_failures(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.delete_throttle(key).await
    }

    async fn mark_login_failed(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.mark_throttle_failed(key).await
    }

    async fn record_login_failure(
        &self,
        email: &Email,
        now: Timestamp,
    ) -> Result<LoginThrottle, StoreError> {
        self.add_throttle_failure(&ThrottleKey::Email(email.clone()), now)
            .await
    }

    async fn identity_and_throttle(
        &self,
        email: &Email,
    ) -> Result<(Option<Identity>, LoginThrottle), StoreError> {
        // Both items sit in the address's partition: one query reads them (one read unit for
        // both while they are under 4 KB together).
        let items = self
            .query_partition(Self::address_partition(email), None)
            .await?;
        let (mut identity, mut throttle) = (None, LoginThrottle::default());
        for item in items {
            match sort_key(&item) {
                IDENTITY => identity = Some(from_item(item)?),
                crate::throttle::THROTTLE => throttle = from_item(item)?,
                _ => {}
            }
        }
        Ok((identity, throttle))
    }

    async fn start_session(
        &self,
        session: &Session,
        email: &Email,
        clear_throttle: bool,
    ) -> Result<(), StoreError> {
        let item = item_with_key(
            session,
            Self::session_key(&session.token_digest),
            Some(session.expires_at),
        )?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send();
        // Two independent writes, sent together: a clear that fails leaves the attempts counted
        // (the safe side), and a transaction would cost twice as much.
        let clear = async {
            match clear_throttle {
                true => {
                    self.delete_throttle(&ThrottleKey::Email(email.clone()))
                        .await
                }
                false => Ok(()),
            }
        };
        let (put, clear) = tokio::join!(put, clear);
        put.map_err(|e| StoreError::unavailable(e.into_service_error()))?;
        clear
    }
}

#[async_trait]
impl SessionStore for IdentityStore {
    async fn session_and_profile(
        &self,
        token_digest: &str,
        account_id: &AccountId,
    ) -> Result<(Option<Session>, Option<Profile>), StoreError> {
        let items = self
            .batch_get(vec![
                Self::session_key(token_digest),
                Self::profile_key(account_id),
            ])
            .await?;
        let (mut session, mut profile) = (None, None);
        for item in items {
            match sort_key(&item) {
                SESSION => session = Some(from_item(item)?),
                PROFILE => profile = Some(from_item(item)?),
                _ => {}
            }
        }
        Ok((session, profile))
    }

    async fn touch_session(
        &self,
        token_digest: &str,
        last_seen_at: Timestamp,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::session_key(token_digest)))
            .update_expression("SET last_seen_at = :t")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":t", AttributeValue::N(last_seen_at.0.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_conditional_check_failed_exception() {
                    Ok(()) // logged out meanwhile: stays deleted
                } else {
                    Err(StoreError::unavailable(service))
                }
            }
        }
    }

    async fn end_session(&self, token_digest: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::session_key(token_digest)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unavailable(e.into_service_error()))
    }
}

#[async_trait]
impl UnsentMessages for IdentityStore {
    async fn keep(&self, unsent: &UnsentMessage) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::unsent_item(unsent)?))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unavailable(e.into_service_error()))
    }

    async fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<UnsentMessage>, StoreError> {
        self.due_items(UNSENT, now, limit).await
    }

    async fn claim(
        &self,
        unsent: &UnsentMessage,
        previous_attempts: u32,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::unsent_item(unsent)?))
            .condition_expression("attribute_exists(pk) AND #attempts = :previous")
            .expression_attribute_names("#attempts", "attempts")
            .expression_attribute_values(
                ":previous",
                AttributeValue::N(previous_attempts.to_string()),
            )
            .send()
            .await;
        result.map(|_| ()).map_err(conflict_if_condition_failed)
    }

    async fn remove(&self, id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::unsent_key(id)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unavailable(e.into_service_error()))
    }

    async fn discard_to(&self, addresses: &[String]) -> Result<usize, StoreError> {
        // Every kept message is listed in the `due` index (a handful at most, unless a provider
        // is down), so one paged read of that listing finds the person's.
        let mut discarded = 0;
        for job in due_keys(UNSENT) {
            let mut start: Option<Item> = None;
            loop {
                let page = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name(DUE_INDEX)
                    .key_condition_expression("due_pk = :job")
                    .expression_attribute_values(":job", AttributeValue::S(job.clone()))
                    .set_exclusive_start_key(start.take())
                    .send()
                    .await
                    .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
                for item in page.items.unwrap_or_default() {
                    let unsent: UnsentMessage = from_item(item)?;
                    if addresses.contains(&unsent.message.to) {
                        self.remove(&unsent.id).await?;
                        discarded += 1;
                    }
                }
                match page.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => break,
                }
            }
        }
        Ok(discarded)
    }
}
