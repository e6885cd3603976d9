//! The attempt ledger in the identity table: one item per key,
//! `pk = ATTEMPTS#<key>`, `sk = ATTEMPTS`, with `window_start`, `count` and a `ttl` just past the
//! window's end. Every change is one conditional `UpdateItem`, so parallel callers cannot take
//! more than the allowance: the first call creates the item or counts within the open window;
//! only when that window is over (or full) does a second call open a new one (or a read say
//! until when the allowance is spent).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use tessera_kernel::attempts::{Allowance, AttemptKey, AttemptLedger, Take};
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::dynamo::{item_key, IdentityStore, Item};

const ATTEMPTS: &str = "ATTEMPTS";
/// The item outlives its window by this much before DynamoDB's TTL may delete it.
const RETENTION_SECONDS: i64 = 86_400;

fn attempts_key(key: &AttemptKey) -> Item {
    item_key(format!("ATTEMPTS#{}", key.as_str()), ATTEMPTS)
}

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn read_number(item: &Item, name: &str) -> Option<i64> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

fn expiry(allowance: Allowance, now: Timestamp) -> i64 {
    (now + allowance.window).0.saturating_add(RETENTION_SECONDS)
}

impl IdentityStore {
    /// Creates the key's window or counts `n` more in its open window; `None` if the window is
    /// over or has no room for `n`.
    async fn count_in_open_window(
        &self,
        key: &AttemptKey,
        n: u32,
        allowance: Allowance,
        now: Timestamp,
    ) -> Result<Option<u32>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(attempts_key(key)))
            .update_expression(
                "SET #count = if_not_exists(#count, :zero) + :n, \
                 #start = if_not_exists(#start, :now), #ttl = if_not_exists(#ttl, :ttl)",
            )
            .condition_expression(
                "attribute_not_exists(pk) OR (#start > :cutoff AND #count <= :room)",
            )
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#start", "window_start")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":n", number(i64::from(n)))
            .expression_attribute_values(":now", number(now.0))
            .expression_attribute_values(":cutoff", number(now.0 - allowance.window.0))
            // The most the window may hold before these `n`.
            .expression_attribute_values(":room", number(i64::from(allowance.max) - i64::from(n)))
            .expression_attribute_values(":ttl", number(expiry(allowance, now)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out
                .attributes
                .as_ref()
                .and_then(|item| read_number(item, "count"))
                .map(|n| n as u32)),
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

    /// Opens a new window with these `n` attempts if the stored one is over; whether it did.
    async fn open_new_window(
        &self,
        key: &AttemptKey,
        n: u32,
        allowance: Allowance,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(attempts_key(key)))
            .update_expression("SET #count = :n, #start = :now, #ttl = :ttl")
            .condition_expression("#start <= :cutoff")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#start", "window_start")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":n", number(i64::from(n)))
            .expression_attribute_values(":now", number(now.0))
            .expression_attribute_values(":cutoff", number(now.0 - allowance.window.0))
            .expression_attribute_values(":ttl", number(expiry(allowance, now)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_conditional_check_failed_exception() {
                    Ok(false)
                } else {
                    Err(StoreError::unavailable(service))
                }
            }
        }
    }
}

#[async_trait]
impl AttemptLedger for IdentityStore {
    async fn take_attempts(
        &self,
        key: &AttemptKey,
        n: u32,
        allowance: Allowance,
        now: Timestamp,
    ) -> Result<Take, StoreError> {
        if n > allowance.max {
            return Ok(Take::Refused {
                retry_at: now + allowance.window,
            });
        }
        // Each round either counts, opens a window, or finds the full window's start; a round
        // repeats only if the item changed between its calls.
        for _ in 0..3 {
            if let Some(count) = self.count_in_open_window(key, n, allowance, now).await? {
                return Ok(Take::Taken { count });
            }
            if self.open_new_window(key, n, allowance, now).await? {
                return Ok(Take::Taken { count: n });
            }
            let stored = self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(attempts_key(key)))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| StoreError::unavailable(e.into_service_error()))?;
            let window = stored
                .item
                .as_ref()
                .and_then(|i| Some((read_number(i, "window_start")?, read_number(i, "count")?)));
            if let Some((start, count)) = window {
                let retry_at = Timestamp(start) + allowance.window;
                // Full and open: refused. Otherwise the item changed between the calls (an
                // attempt given back, a window opened): try again.
                if now < retry_at && count + i64::from(n) > i64::from(allowance.max) {
                    return Ok(Take::Refused { retry_at });
                }
            }
        }
        Err(StoreError::Conflict)
    }

    async fn give_back_attempt(&self, key: &AttemptKey) -> Result<(), StoreError> {
        // The last attempt given back removes the item, so a right first answer leaves nothing.
        let removed = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(attempts_key(key)))
            .condition_expression("#count <= :one")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", number(1))
            .send()
            .await;
        match removed {
            Ok(_) => return Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                if !service.is_conditional_check_failed_exception() {
                    return Err(StoreError::unavailable(service));
                }
            }
        }
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(attempts_key(key)))
            .update_expression("SET #count = #count - :one")
            .condition_expression("#count > :zero")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":one", number(1))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_conditional_check_failed_exception() {
                    Ok(())
                } else {
                    Err(StoreError::unavailable(service))
                }
            }
        }
    }

    async fn forget(&self, key: &AttemptKey) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(attempts_key(key)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unavailable(e.into_service_error()))
    }
}
