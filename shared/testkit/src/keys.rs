//! Which partition keys each function touches, recorded while the flow tests run on moto, so
//! the IAM policies' `dynamodb:LeadingKeys` conditions can be held to what the code really does
//! (moto enforces no IAM: without this, a missing prefix would only show on AWS).
//!
//! Every moto-backed `TestApp` records its DynamoDB calls. A call made while a handler serves a
//! request (`TestApp::call`, or `within` around a handler or job) is attributed to that
//! function; each new `(function, table, IAM action, key prefix)` is appended to
//! `.test-output/dynamodb-keys/<process>.tsv`, which `tests/tests/leading_keys.rs` reads after
//! the suite. A key's prefix is its text up to its first `#` (`EMAIL#`); a query of an index
//! records `index:<name>`. The action is the one IAM checks: a transaction's items each check
//! their own (`dynamodb:PutItem`, …).

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use serde_json::Value;
use std::collections::BTreeSet;
use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

tokio::task_local! {
    static FUNCTION: String;
}

/// Runs `work` as `function` (a code folder name, `functions/<name>`): the DynamoDB calls it
/// makes are attributed to that function.
pub async fn within<F: Future>(function: &str, work: F) -> F::Output {
    FUNCTION.scope(function.to_string(), work).await
}

/// The folder where each test process writes what it recorded.
pub fn records_dir() -> std::path::PathBuf {
    crate::repo_root().join(".test-output/dynamodb-keys")
}

/// One line a record: `function\ttable\taction\tprefix`.
fn remember(function: &str, table: &str, action: &str, prefix: &str) {
    static SEEN: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();
    let line = format!("{function}\t{table}\tdynamodb:{action}\t{prefix}");
    let new = SEEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap()
        .insert(line.clone());
    if new {
        let dir = records_dir();
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{}.tsv", std::process::id()));
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            // One write of the whole line: with O_APPEND it cannot interleave with another's.
            let _ = file.write_all(format!("{line}\n").as_bytes());
        }
    }
}

fn prefix_of(key: &str) -> String {
    match key.find('#') {
        Some(at) => key[..=at].to_string(),
        None => key.to_string(),
    }
}

/// The partition key values (and the index queried) one request names: `(table, IAM action,
/// prefix)` each.
fn keys_of(operation: &str, body: &Value) -> Vec<(String, String, String)> {
    let pk = |item: &Value| item["pk"]["S"].as_str().map(prefix_of);
    let mut found = Vec::new();
    let mut add = |table: &Value, action: &str, prefix: Option<String>| {
        if let (Some(table), Some(prefix)) = (table.as_str(), prefix) {
            found.push((table.to_string(), action.to_string(), prefix));
        }
    };
    match operation {
        "GetItem" | "DeleteItem" | "UpdateItem" => {
            add(&body["TableName"], operation, pk(&body["Key"]))
        }
        "PutItem" => add(&body["TableName"], operation, pk(&body["Item"])),
        "BatchGetItem" | "BatchWriteItem" => {
            for (table, request) in body["RequestItems"].as_object().into_iter().flatten() {
                let table = Value::String(table.clone());
                let keys = request["Keys"].as_array().cloned().unwrap_or_default();
                for key in keys {
                    add(&table, operation, pk(&key));
                }
                for write in request.as_array().into_iter().flatten() {
                    add(&table, operation, pk(&write["PutRequest"]["Item"]));
                    add(&table, operation, pk(&write["DeleteRequest"]["Key"]));
                }
            }
        }
        "TransactWriteItems" | "TransactGetItems" => {
            for item in body["TransactItems"].as_array().into_iter().flatten() {
                for (kind, part) in item.as_object().into_iter().flatten() {
                    let (key, action) = match kind.as_str() {
                        "Put" => (&part["Item"], "PutItem"),
                        "Update" => (&part["Key"], "UpdateItem"),
                        "Delete" => (&part["Key"], "DeleteItem"),
                        "ConditionCheck" => (&part["Key"], "ConditionCheckItem"),
                        _ => (&part["Key"], "GetItem"),
                    };
                    add(&part["TableName"], action, pk(key));
                }
            }
        }
        "Query" => match body["IndexName"].as_str() {
            Some(index) => add(
                &body["TableName"],
                operation,
                Some(format!("index:{index}")),
            ),
            None => {
                // `pk = :value` (or an alias of `pk`) in the key condition names the partition.
                let condition = body["KeyConditionExpression"].as_str().unwrap_or_default();
                let aliases = body["ExpressionAttributeNames"].as_object();
                let names_pk = |name: &str| {
                    name == "pk"
                        || aliases
                            .is_some_and(|a| a.get(name).and_then(Value::as_str) == Some("pk"))
                };
                let mut words = condition.split_whitespace().peekable();
                while let Some(word) = words.next() {
                    if names_pk(word) && words.peek() == Some(&"=") {
                        words.next();
                        let placeholder = words.next().unwrap_or_default();
                        let value = &body["ExpressionAttributeValues"][placeholder]["S"];
                        add(&body["TableName"], operation, value.as_str().map(prefix_of));
                    }
                }
            }
        },
        "Scan" => add(&body["TableName"], operation, Some("scan".to_string())),
        _ => {}
    }
    found
}

/// Records the keys of every call, under the function serving the request (if any), with each
/// table named by its logical id in the template.
#[derive(Clone, Debug)]
pub struct KeyRecorder {
    tables: Arc<Vec<(String, &'static str)>>,
}

impl KeyRecorder {
    /// `tables`: each physical table name with its logical id (`IdentityTable`).
    pub fn new(tables: Vec<(String, &'static str)>) -> KeyRecorder {
        KeyRecorder {
            tables: Arc::new(tables),
        }
    }
}

impl Intercept for KeyRecorder {
    fn name(&self) -> &'static str {
        "KeyRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(function) = FUNCTION.try_with(Clone::clone) else {
            return Ok(());
        };
        let request = context.request();
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or_default()
            .to_string();
        let Some(body) = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        else {
            return Ok(());
        };
        for (table, action, prefix) in keys_of(&operation, &body) {
            let logical = self
                .tables
                .iter()
                .find(|(name, _)| *name == table)
                .map_or("?", |(_, logical)| logical);
            remember(&function, logical, &action, &prefix);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(table: &str, action: &str, prefix: &str) -> (String, String, String) {
        (table.into(), action.into(), prefix.into())
    }

    #[test]
    fn every_shape_of_request_names_its_partitions() {
        let get =
            json!({ "TableName": "t", "Key": { "pk": { "S": "EMAIL#a@b" }, "sk": { "S": "X" } } });
        assert_eq!(keys_of("GetItem", &get), [one("t", "GetItem", "EMAIL#")]);
        let batch = json!({ "RequestItems": { "t": { "Keys": [
            { "pk": { "S": "SESSION#1" } }, { "pk": { "S": "ACCOUNT#2" } } ] } } });
        assert_eq!(
            keys_of("BatchGetItem", &batch),
            [
                one("t", "BatchGetItem", "SESSION#"),
                one("t", "BatchGetItem", "ACCOUNT#")
            ]
        );
        let transact = json!({ "TransactItems": [
            { "Put": { "TableName": "t", "Item": { "pk": { "S": "EMAIL#x" } } } },
            { "Update": { "TableName": "u", "Key": { "pk": { "S": "CAND#1" } } } } ] });
        assert_eq!(
            keys_of("TransactWriteItems", &transact),
            [
                one("t", "PutItem", "EMAIL#"),
                one("u", "UpdateItem", "CAND#")
            ]
        );
        let query = json!({ "TableName": "u", "KeyConditionExpression": "#p = :pk AND begins_with(sk, :s)",
            "ExpressionAttributeNames": { "#p": "pk" },
            "ExpressionAttributeValues": { ":pk": { "S": "CAND#1" }, ":s": { "S": "EXAM#" } } });
        assert_eq!(keys_of("Query", &query), [one("u", "Query", "CAND#")]);
        let index = json!({ "TableName": "t", "IndexName": "due" });
        assert_eq!(keys_of("Query", &index), [one("t", "Query", "index:due")]);
    }
}
