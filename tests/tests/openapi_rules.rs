//! The OpenAPI document's request rules are the code's: each pattern accepts everything the
//! parser behind it accepts (a schema narrower than the code would have generated clients refuse
//! what the API takes, and the fuzzer's refused-data check fail), and refuses what the parser
//! refuses where a pattern can say it. The country pattern is exact.

use regex::Regex;
use serde_yaml::Value;
use tessera_certification::transcript::TextField;
use tessera_identity::account::Username;
use tessera_identity::token::AddressedToken;
use tessera_kernel::code::OneTimeCode;
use tessera_kernel::email::Email;
use tessera_kernel::person::{Country, Name};
use tessera_testkit::repo_root;

fn schemas() -> Value {
    let text = std::fs::read_to_string(repo_root().join("infra/openapi.yaml")).unwrap();
    let document: Value = serde_yaml::from_str(&text).unwrap();
    document["components"]["schemas"].clone()
}

fn pattern(schema: &Value) -> Regex {
    let pattern = schema["pattern"].as_str().expect("a pattern");
    Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

/// `accepted` of each input must match; where `exact`, a refused input must not match either.
fn check(
    name: &str,
    regex: &Regex,
    inputs: &[String],
    accepted: impl Fn(&str) -> bool,
    exact: bool,
) {
    for input in inputs {
        let parsed = accepted(input);
        let matched = regex.is_match(input);
        assert!(
            !parsed || matched,
            "{name}: the API takes {input:?}, the document refuses it"
        );
        if exact {
            assert!(
                parsed || !matched,
                "{name}: the document takes {input:?}, the API refuses it"
            );
        }
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_country_pattern_is_the_assigned_list_in_either_case() {
    let regex = pattern(&schemas()["Country"]);
    let mut inputs = Vec::new();
    for a in 'A'..='Z' {
        for b in 'A'..='Z' {
            let code = format!("{a}{b}");
            inputs.push(format!(" {} ", code.to_lowercase()));
            inputs.push(code);
        }
    }
    inputs.extend(strings(&["", "USA", "U S"]));
    check(
        "Country",
        &regex,
        &inputs,
        |c| Country::parse(c).is_some(),
        true,
    );
    assert_eq!(Country::assigned().count(), 249);
}

#[test]
fn names_and_texts_follow_their_parsers() {
    let schemas = schemas();
    let samples = strings(&[
        "Ada",
        " Ada ",
        "",
        " ",
        "\t",
        "A\u{0}b",
        "Zoë O'Brien",
        "<script>",
        "a\u{85}",
        "x\ty",
    ]);
    let mut inputs = samples.clone();
    for n in [99, 100, 101, 199, 200, 201, 499, 500, 501] {
        inputs.push("x".repeat(n));
        inputs.push(format!("  {}  ", "é".repeat(n)));
    }
    check(
        "Name",
        &pattern(&schemas["Name"]),
        &inputs,
        |n| Name::parse(n).is_ok(),
        true,
    );
    let request = &schemas["TranscriptRequest"]["properties"];
    for (field, rule) in [
        ("display_name", TextField::DisplayName),
        ("description", TextField::Description),
        ("remarks", TextField::Remarks),
    ] {
        check(
            field,
            &pattern(&request[field]),
            &inputs,
            |t| rule.parse(t).is_some(),
            true,
        );
    }
}

#[test]
fn codes_tokens_and_login_ids_follow_their_parsers() {
    let schemas = schemas();
    let codes = strings(&[
        "123456",
        " 123456 ",
        "12345",
        "1234567",
        "12a456",
        "",
        "１２３４５６",
    ]);
    check(
        "OneTimeCode",
        &pattern(&schemas["OneTimeCode"]),
        &codes,
        |c| OneTimeCode::parse(c).is_ok(),
        true,
    );
    let email_hex = hex_of("ada@example.com");
    let tokens = vec![
        format!("{email_hex}.{}", "a".repeat(64)),
        format!(" {email_hex}.{} ", "0".repeat(64)),
        format!("{email_hex}.{}", "A".repeat(64)),
        format!("{email_hex}.{}", "a".repeat(63)),
        "0.".to_string() + &"a".repeat(64),
        String::new(),
    ];
    // Wider than the parser: the document cannot say that the hex spells a canonical address.
    check(
        "AddressedToken",
        &pattern(&schemas["AddressedToken"]),
        &tokens,
        |t| AddressedToken::parse(t).is_some(),
        false,
    );
    let ids = strings(&[
        "TS12345678",
        " ts12345678 ",
        "ab",
        "a".repeat(32).as_str(),
        "a".repeat(33).as_str(),
        "TS-1234",
        "",
    ]);
    check(
        "LoginId",
        &pattern(&schemas["LoginId"]),
        &ids,
        |u| Username::parse(u).is_some(),
        true,
    );
}

#[test]
fn the_email_pattern_takes_every_address_the_api_takes() {
    let inputs = strings(&[
        "ada@example.com",
        " Ada@Example.COM ",
        "a.b+c@sub.example.co.uk",
        "zoë@bücher.de",
        "@example.com",
        "ada@",
        "ada@example",
        "a b@example.com",
        "ada@@example.com",
        ".ada@example.com",
        "ada..b@example.com",
        "ada@-example.com",
        "ada@exa_mple.com",
        "",
    ]);
    // Wider than the parser where a pattern would be unreadable (dots in the local part, a label's
    // hyphens, the lengths); never narrower.
    check(
        "Email",
        &pattern(&schemas()["Email"]),
        &inputs,
        |e| Email::parse(e).is_ok(),
        false,
    );
    let regex = pattern(&schemas()["Email"]);
    for refused in ["@example.com", "ada@", "ada@example", "a b@example.com", ""] {
        assert!(!regex.is_match(refused), "{refused:?}");
    }
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The staff routes' rules: a reason (its length counted as sent, as `maxLength` counts it), an
/// audit party, and the `since` of the audit log's query (wider than the parser: the pattern
/// cannot know each month's length).
#[test]
fn staff_reasons_parties_and_times_follow_their_parsers() {
    use tessera_kernel::audit::{AuditParty, Reason};
    use tessera_kernel::time::Timestamp;
    let schemas = schemas();
    let mut texts = strings(&[
        "asked by phone",
        "  asked by phone\t",
        "",
        " ",
        "a\u{0}b",
        "x\ty",
        "a\u{85}",
        "account:0123",
        "account: 0123",
        "\u{2003}note\u{2003}",
    ]);
    for n in [199, 200, 201, 499, 500, 501] {
        texts.push("é".repeat(n));
        texts.push(format!(" {}", "x".repeat(n)));
    }
    let reason = &schemas["Reason"];
    let max = reason["maxLength"].as_u64().unwrap() as usize;
    let regex = pattern(reason);
    for text in &texts {
        let documented = regex.is_match(text) && text.chars().count() <= max;
        assert_eq!(
            Reason::parse(text).is_some(),
            documented,
            "Reason: {text:?}"
        );
    }
    check(
        "AuditParty",
        &pattern(&schemas["AuditParty"]),
        &texts,
        |p| AuditParty::parse(p).is_some(),
        true,
    );
    let document: Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo_root().join("infra/openapi.yaml")).unwrap(),
    )
    .unwrap();
    let since = document["paths"]["/v1/staff/audit"]["get"]["parameters"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "since")
        .unwrap()["schema"]
        .clone();
    let times = strings(&[
        "2026-12-06",
        " 2026-12-06 ",
        "2026-12-06T13:00:00Z",
        "2026-12-06t13:00:00z",
        "2026-12-06T13:00:00.123456+01:00",
        "2026-12-06T23:59:60Z",
        "2026-02-30",
        "2026-13-01",
        "2026-12-06T13:00Z",
        "yesterday",
        "",
    ]);
    check(
        "since",
        &pattern(&since),
        &times,
        |t| Timestamp::parse(t).is_some(),
        false,
    );
}
