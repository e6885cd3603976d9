//! Reads `infra/template.yaml`: tables are created in tests from its own definitions, and its
//! HttpApi routes are compared with the watch router and the OpenAPI document.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use serde_yaml::Value;
use std::collections::BTreeSet;

pub fn load() -> Value {
    let path = crate::repo_root().join("infra/template.yaml");
    let text = std::fs::read_to_string(&path).expect("infra/template.yaml exists");
    serde_yaml::from_str(&text).expect("the template is YAML")
}

fn resources(template: &Value) -> impl Iterator<Item = (&str, &Value)> {
    template["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .map(|(k, v)| (k.as_str().expect("logical id"), v))
}

/// `(METHOD, path)` of every HttpApi event of every function, with the function's code folder
/// (`functions/<name>`) as its name.
pub fn http_routes(template: &Value) -> BTreeSet<(String, String, String)> {
    let mut routes = BTreeSet::new();
    for (_, resource) in resources(template) {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let function = function_folder(resource);
        if let Some(events) = resource["Properties"]["Events"].as_mapping() {
            for event in events.values() {
                if event["Type"].as_str() == Some("HttpApi") {
                    let method = event["Properties"]["Method"]
                        .as_str()
                        .expect("Method")
                        .to_uppercase();
                    let path = event["Properties"]["Path"]
                        .as_str()
                        .expect("Path")
                        .to_string();
                    routes.insert((method, path, function.clone()));
                }
            }
        }
    }
    routes
}

/// The code folder names (`functions/<name>`) of functions run by a `Schedule` event.
pub fn scheduled_functions(template: &Value) -> BTreeSet<String> {
    functions_with_event(template, "Schedule")
}

/// The functions a topic's messages invoke (SNS subscriptions), by code folder name.
pub fn subscribed_functions(template: &Value) -> BTreeSet<String> {
    functions_with_event(template, "SNS")
}

fn functions_with_event(template: &Value, kind: &str) -> BTreeSet<String> {
    resources(template)
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .filter(|(_, r)| {
            r["Properties"]["Events"]
                .as_mapping()
                .is_some_and(|events| events.values().any(|e| e["Type"].as_str() == Some(kind)))
        })
        .map(|(_, r)| function_folder(r))
        .collect()
}

/// The memory size in MB the template gives each function (its own, or the Globals default),
/// by code folder name.
pub fn memory_sizes(template: &Value) -> std::collections::BTreeMap<String, u64> {
    let default = template["Globals"]["Function"]["MemorySize"].as_u64();
    resources(template)
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(_, r)| {
            let size = r["Properties"]["MemorySize"]
                .as_u64()
                .or(default)
                .expect("a MemorySize, the function's or the Globals'");
            (function_folder(r), size)
        })
        .collect()
}

fn function_folder(resource: &Value) -> String {
    resource["Properties"]["CodeUri"]
        .as_str()
        .unwrap_or_default()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Creates the template's table `logical_id` in DynamoDB (moto) under `name`, with its TTL.
pub async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    template: &Value,
    logical_id: &str,
    name: &str,
) {
    let props = &template["Resources"][logical_id]["Properties"];
    assert_eq!(
        template["Resources"][logical_id]["Type"].as_str(),
        Some("AWS::DynamoDB::Table"),
        "{logical_id} is a table"
    );
    let attributes = props["AttributeDefinitions"]
        .as_sequence()
        .expect("AttributeDefinitions")
        .iter()
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(a["AttributeName"].as_str().unwrap())
                .attribute_type(ScalarAttributeType::from(
                    a["AttributeType"].as_str().unwrap(),
                ))
                .build()
                .unwrap()
        });
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::from(
            props["BillingMode"].as_str().unwrap_or("PAY_PER_REQUEST"),
        ))
        .set_attribute_definitions(Some(attributes.collect()))
        .set_key_schema(Some(key_schema(&props["KeySchema"])));
    for gsi in props["GlobalSecondaryIndexes"]
        .as_sequence()
        .into_iter()
        .flatten()
    {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(gsi["IndexName"].as_str().unwrap())
                .set_key_schema(Some(key_schema(&gsi["KeySchema"])))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(
                            gsi["Projection"]["ProjectionType"]
                                .as_str()
                                .unwrap_or("ALL"),
                        ))
                        .build(),
                )
                .build()
                .unwrap(),
        );
    }
    request.send().await.expect("create table on moto");
    let ttl = &props["TimeToLiveSpecification"];
    if ttl["Enabled"].as_bool() == Some(true) {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(ttl["AttributeName"].as_str().unwrap())
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("enable TTL on moto");
    }
}

fn key_schema(schema: &Value) -> Vec<KeySchemaElement> {
    schema
        .as_sequence()
        .expect("KeySchema")
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(k["AttributeName"].as_str().unwrap())
                .key_type(KeyType::from(k["KeyType"].as_str().unwrap()))
                .build()
                .unwrap()
        })
        .collect()
}

/// The environment variables the template gives each function (its own and `Globals`'), by code
/// folder name.
pub fn function_environments(
    template: &Value,
) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let names = |variables: &Value| -> BTreeSet<String> {
        variables
            .as_mapping()
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let global = names(&template["Globals"]["Function"]["Environment"]["Variables"]);
    resources(template)
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(_, r)| {
            let own = names(&r["Properties"]["Environment"]["Variables"]);
            (function_folder(r), global.union(&own).cloned().collect())
        })
        .collect()
}

/// The function (code folder name) the template routes `request` to, or `?` for a path no
/// route matches.
pub fn function_serving(request: &lambda_http::Request) -> String {
    static ROUTES: std::sync::OnceLock<BTreeSet<(String, String, String)>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| http_routes(&load()));
    let method = request.method().as_str();
    let path: Vec<&str> = request.uri().path().split('/').collect();
    routes
        .iter()
        .find(|(m, pattern, _)| {
            let pattern: Vec<&str> = pattern.split('/').collect();
            m == method
                && pattern.len() == path.len()
                && pattern
                    .iter()
                    .zip(&path)
                    .all(|(p, s)| p == s || (p.starts_with('{') && p.ends_with('}')))
        })
        .map_or_else(|| "?".to_string(), |(_, _, function)| function.clone())
}
