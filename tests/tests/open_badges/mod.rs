//! 1EdTech's published Open Badges 3.0 JSON Schemas, vendored in `tests/schemas/ob_v3p0/` (their
//! source and date in its README), as the tests of the issuer's documents and the badges use them.

use serde_json::{json, Value};

fn vendored_schema(file: &str) -> Value {
    let path = tessera_testkit::repo_root()
        .join("tests/schemas/ob_v3p0")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The errors 1EdTech's schema `file` finds in `document` (none when it is valid).
pub fn schema_errors(file: &str, document: &Value) -> Vec<String> {
    errors_of(&vendored_schema(file), document)
}

/// The errors the `Achievement` definition of 1EdTech's credential schema finds in `document`.
#[allow(dead_code)] // used by the issuer's tests, not the badges'
pub fn achievement_errors(document: &Value) -> Vec<String> {
    let credential = vendored_schema("achievementcredential.json");
    let schema = json!({
        "$schema": credential["$schema"],
        "$defs": credential["$defs"],
        "$ref": "#/$defs/Achievement",
    });
    errors_of(&schema, document)
}

fn errors_of(schema: &Value, document: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("a valid schema");
    validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}
