//! Rule "IAM policies name the key prefixes a function may touch where DynamoDB allows it": each
//! function's statements on a table carry a `dynamodb:LeadingKeys` condition, and what the flow
//! tests saw each function do on moto (`tessera_testkit::keys`, which records the table, the IAM
//! action and the partition key's prefix of every call) is allowed by its policy. moto enforces
//! no IAM: without the second check, a missing prefix or action would first show on AWS.
//!
//! `make test` runs the ignored test after the whole suite has recorded its calls.

use serde_yaml::Value;
use std::collections::BTreeSet;
use tessera_testkit::{keys, template};

/// Each function's DynamoDB statements: (resource as written, actions, leading-key patterns).
fn statements(template: &Value, function: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    let resources = template["Resources"].as_mapping().unwrap();
    let resource = resources
        .values()
        .find(|r| {
            r["Properties"]["CodeUri"]
                .as_str()
                .is_some_and(|uri| uri.trim_end_matches('/').ends_with(&format!("/{function}")))
        })
        .unwrap_or_else(|| panic!("no function {function}"));
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Sequence(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut found = Vec::new();
    for policy in resource["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
    {
        for statement in policy["Statement"].as_sequence().into_iter().flatten() {
            let actions = strings(&statement["Action"]);
            if !actions.iter().any(|a| a.starts_with("dynamodb:")) {
                continue;
            }
            let written = serde_yaml::to_string(&statement["Resource"]).unwrap();
            let patterns =
                strings(&statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]);
            found.push((written.trim().to_string(), actions, patterns));
        }
    }
    found
}

fn functions(template: &Value) -> BTreeSet<String> {
    template::function_environments(template)
        .into_keys()
        .collect()
}

#[test]
fn every_table_statement_names_its_key_prefixes() {
    let template = template::load();
    for function in functions(&template) {
        for (resource, actions, patterns) in statements(&template, &function) {
            if resource.contains("/index/") {
                assert_eq!(
                    actions,
                    ["dynamodb:Query"],
                    "{function}: indexes are only queried"
                );
                continue;
            }
            assert!(
                !patterns.is_empty() && patterns.iter().all(|p| p.ends_with("#*")),
                "{function} on {resource}: {patterns:?}"
            );
        }
    }
}

/// A key prefix (`EMAIL#`) allowed by a pattern (`EMAIL#*`).
fn allows(pattern: &str, prefix: &str) -> bool {
    pattern.strip_suffix('*') == Some(prefix)
}

#[test]
#[ignore = "reads what the whole suite recorded: run after it (make test does)"]
fn what_the_flows_did_is_allowed_by_each_functions_policy() {
    let template = template::load();
    let mut records = BTreeSet::new();
    for entry in std::fs::read_dir(keys::records_dir()).expect("the suite's records") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        records.extend(text.lines().map(str::to_string));
    }
    let functions_seen: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r.split('\t').next())
        .collect();
    assert!(
        functions_seen.len() >= 12,
        "the suite recorded too little: {functions_seen:?}"
    );
    let mut refused = Vec::new();
    for record in &records {
        let fields: Vec<&str> = record.split('\t').collect();
        let [function, table, action, prefix] = fields[..] else {
            panic!("a malformed record: {record:?}");
        };
        if function == "?" {
            continue; // a request no route serves (a 404 or 405 test)
        }
        let allowed =
            statements(&template, function)
                .iter()
                .any(|(resource, actions, patterns)| {
                    let acts = actions.iter().any(|a| a == action);
                    match prefix.strip_prefix("index:") {
                        Some(index) => {
                            acts && resource.contains(&format!("{table}.Arn}}/index/{index}"))
                        }
                        None => {
                            acts && resource.contains(&format!("{table}.Arn"))
                                && !resource.contains("/index/")
                                && patterns.iter().any(|p| allows(p, prefix))
                        }
                    }
                });
        if !allowed {
            refused.push(record.clone());
        }
    }
    assert!(
        refused.is_empty(),
        "not allowed by the template:\n{}",
        refused.join("\n")
    );
}
