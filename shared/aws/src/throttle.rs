//! The login throttle in the identity table: `pk = EMAIL#<canonical>` (or `USERNAME#<login ID>`
//! for a login ID no account has), `sk = THROTTLE`, with `failures`, `last_failure_at`, `failed`
//! and a `ttl`.
//!
//! The rule is `LoginThrottle::begin_attempt`; each way of applying it is one `UpdateItem` whose
//! condition holds only while the stored state is one the rule gives that answer for, so parallel
//! attempts are counted one by one. A refused condition returns the item as it is, and the rule
//! picks the next way from it. An ordinary login (no count, or a success's lone attempt past its
//! lease) is counted by the first call.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use tessera_identity::throttle::{LoginThrottle, ThrottleKey, ThrottleSettings, ATTEMPT_LEASE};
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::dynamo::{from_item, item_key, IdentityStore, Item};

pub(crate) const THROTTLE: &str = "THROTTLE";
/// Counts for addresses nobody tries any more are deleted after a month.
const RETENTION_SECONDS: i64 = 30 * 86_400;
/// Each round either counts, waits, or sees a count another attempt moved on; with the free
/// failures counted by `ADD`, only attempts past them contend, and those mostly wait.
const MAX_ROUNDS: usize = 8;

/// How to count one attempt, chosen by the rule from the state last seen.
#[derive(Clone, Copy, Debug)]
enum Count {
    /// No count, or a success's lone attempt past its lease: start again at one.
    Afresh,
    /// Within the free failures, where no delay runs: one more, whoever else adds meanwhile.
    Add,
    /// Past them: the delay was checked on `seen`, so the write holds only if it is still stored.
    Replace(LoginThrottle),
}

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// What an `UpdateItem` did: counted (the state after), or found the item as returned.
enum Outcome {
    Counted(LoginThrottle),
    Found(Option<LoginThrottle>),
}

impl IdentityStore {
    /// An address's throttle sits beside its identity; an unknown login ID's beside where its
    /// username marker would be.
    pub(crate) fn login_throttle_key(key: &ThrottleKey) -> Item {
        match key {
            ThrottleKey::Email(email) => item_key(Self::address_partition(email), THROTTLE),
            ThrottleKey::UnknownUsername(username) => {
                item_key(format!("USERNAME#{}", username.as_str()), THROTTLE)
            }
        }
    }

    /// Counts one attempt under the key's throttle: the state after it, or when to retry.
    pub(crate) async fn count_login_attempt(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
        settings: &ThrottleSettings,
    ) -> Result<Result<LoginThrottle, Timestamp>, StoreError> {
        let item_key = Self::login_throttle_key(key);
        let mut count = Count::Afresh;
        for _ in 0..MAX_ROUNDS {
            let seen = match self.apply_count(&item_key, count, now, settings).await? {
                Outcome::Counted(after) => return Ok(Ok(after)),
                Outcome::Found(seen) => seen,
            };
            let state = seen.unwrap_or_default();
            if let Err(retry_at) = state.begin_attempt(now, settings) {
                return Ok(Err(retry_at));
            }
            count = if seen.is_none() || state.is_spent_success(now) {
                Count::Afresh
            } else if state.failures < settings.free_failures {
                Count::Add
            } else {
                Count::Replace(state)
            };
        }
        Err(StoreError::Conflict)
    }

    async fn apply_count(
        &self,
        key: &Item,
        count: Count,
        now: Timestamp,
        settings: &ThrottleSettings,
    ) -> Result<Outcome, StoreError> {
        // "A success's lone attempt past its lease": `LoginThrottle::is_spent_success`.
        const SPENT: &str =
            "(failures <= :one AND (attribute_not_exists(failed) OR failed = :false) \
                             AND last_failure_at <= :lease_cutoff)";
        let spent_values = [
            (":one", number(1)),
            (":false", AttributeValue::Bool(false)),
            (":lease_cutoff", number(now.0 - ATTEMPT_LEASE.0)),
        ];
        let (update, condition, values): (&str, String, Vec<(&str, AttributeValue)>) = match count {
            Count::Afresh => (
                "SET failures = :one, last_failure_at = :now, #ttl = :ttl REMOVE failed",
                format!("attribute_not_exists(failures) OR {SPENT}"),
                spent_values.to_vec(),
            ),
            Count::Add => (
                "ADD failures :one SET last_failure_at = :now, #ttl = :ttl",
                format!("failures < :free AND NOT {SPENT}"),
                [
                    spent_values.as_slice(),
                    &[(":free", number(i64::from(settings.free_failures)))],
                ]
                .concat(),
            ),
            Count::Replace(seen) => (
                "SET failures = :next, last_failure_at = :now, #ttl = :ttl",
                "failures = :seen AND last_failure_at = :seen_at".to_string(),
                vec![
                    (":next", number(i64::from(seen.failures) + 1)),
                    (":seen", number(i64::from(seen.failures))),
                    (":seen_at", number(seen.last_failure_at.0)),
                ],
            ),
        };
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.clone()))
            .update_expression(update)
            .condition_expression(condition)
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":now", number(now.0))
            .expression_attribute_values(":ttl", number(now.0 + RETENTION_SECONDS))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        match request.send().await {
            Ok(out) => Ok(Outcome::Counted(from_item(
                out.attributes.unwrap_or_default(),
            )?)),
            Err(e) => match e.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(failed) => {
                    let seen = failed.item.filter(|item| !item.is_empty());
                    Ok(Outcome::Found(seen.map(from_item).transpose()?))
                }
                other => Err(StoreError::unavailable(other)),
            },
        }
    }

    /// Marks the key's count as including a failure, if it is still there.
    pub(crate) async fn mark_throttle_failed(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::login_throttle_key(key)))
            .update_expression("SET failed = :true")
            .condition_expression("attribute_exists(failures)")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.into_service_error() {
                // Cleared meanwhile by a right password: nothing left to mark.
                UpdateItemError::ConditionalCheckFailedException(_) => Ok(()),
                other => Err(StoreError::unavailable(other)),
            },
        }
    }

    /// One failure more, marked failed (a wrong second factor after a right password).
    pub(crate) async fn add_throttle_failure(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
    ) -> Result<LoginThrottle, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::login_throttle_key(key)))
            .update_expression(
                "ADD failures :one SET last_failure_at = :now, failed = :true, #ttl = :ttl",
            )
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":now", number(now.0))
            .expression_attribute_values(":ttl", number(now.0 + RETENTION_SECONDS))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
        from_item(out.attributes.unwrap_or_default())
    }

    pub(crate) async fn delete_throttle(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::login_throttle_key(key)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unavailable(e.into_service_error()))
    }
}
