//! One source of truth: the template's HttpApi routes, the `cargo lambda watch` router and the
//! OpenAPI document must list the same routes, each served by the same function.

use std::collections::BTreeSet;
use tessera_testkit::{repo_root, template};

type Route = (String, String);

fn template_routes() -> BTreeSet<(String, String, String)> {
    template::http_routes(&template::load())
}

fn router_routes() -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let manifest: toml::Value = toml::from_str(&text).unwrap();
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"]
        .as_table()
        .expect("watch router");
    let mut routes = BTreeSet::new();
    for (path, entries) in router {
        for entry in entries
            .as_array()
            .expect("each path maps to [{method, function}]")
        {
            routes.insert((
                entry["method"].as_str().unwrap().to_uppercase(),
                path.clone(),
                entry["function"].as_str().unwrap().to_string(),
            ));
        }
    }
    routes
}

fn openapi_routes() -> BTreeSet<Route> {
    let text = std::fs::read_to_string(repo_root().join("infra/openapi.yaml")).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if ["get", "put", "post", "patch", "delete", "head", "options"].contains(&method) {
                routes.insert((method.to_uppercase(), path.as_str().unwrap().to_string()));
            }
        }
    }
    routes
}

fn without_function(routes: &BTreeSet<(String, String, String)>) -> BTreeSet<Route> {
    routes
        .iter()
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect()
}

#[test]
fn template_and_watch_router_agree_on_routes_and_functions() {
    let template = template_routes();
    assert!(!template.is_empty(), "the template declares HttpApi routes");
    assert_eq!(template, router_routes());
}

#[test]
fn template_and_openapi_agree_on_routes() {
    assert_eq!(without_function(&template_routes()), openapi_routes());
}

#[test]
fn every_function_folder_is_a_workspace_member_with_routes_a_schedule_or_a_topic() {
    let text = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let manifest: toml::Value = toml::from_str(&text).unwrap();
    let members: Vec<&str> = manifest["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let served: BTreeSet<String> = template_routes().into_iter().map(|(_, _, f)| f).collect();
    let scheduled = template::scheduled_functions(&template::load());
    let subscribed = template::subscribed_functions(&template::load());
    for entry in std::fs::read_dir(repo_root().join("functions")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            members.contains(&format!("functions/{name}").as_str()),
            "functions/{name} is a workspace member"
        );
        let triggers = [&served, &scheduled, &subscribed]
            .iter()
            .filter(|set| set.contains(&name))
            .count();
        assert_eq!(
            triggers, 1,
            "functions/{name} serves routes, runs on a schedule or takes a topic's messages in the template, one of them"
        );
    }
}

/// Every function that serves routes routes by a table (`tessera_http::routing`), and serves
/// exactly the routes the template gives it, so neither can gain or lose one alone.
#[test]
fn each_routing_table_is_the_templates_routes_for_its_function() {
    let tables: [(&str, Vec<(&str, &str)>); 32] = [
        ("accounts", accounts::routes()),
        ("sessions", sessions::routes()),
        ("password-policy", password_policy::routes()),
        ("password-reset", password_reset::routes()),
        ("email-reminders", email_reminders::routes()),
        ("imports", imports::routes()),
        ("mfa", mfa::routes()),
        ("password-change", password_change::routes()),
        ("profile", profile::routes()),
        ("phone", phone::routes()),
        ("mapping", mapping::routes()),
        ("personal-info", personal_info::routes()),
        ("certifications", certifications::routes()),
        ("transcripts", transcripts::routes()),
        ("fulfillment", fulfillment::routes()),
        ("transcript-page", transcript_page::routes()),
        ("verification", verification::routes()),
        ("issuer", issuer::routes()),
        ("oidc", oidc::routes()),
        ("access", access::routes()),
        ("federation", federation::routes()),
        ("badges", badges::routes()),
        ("portal-badges", portal_badges::routes()),
        ("portal", portal::routes()),
        ("portal-certifications", portal_certifications::routes()),
        ("portal-orders", portal_orders::routes()),
        ("staff-console", staff_console::routes()),
        ("staff-accounts", staff_accounts::routes()),
        ("staff-audit", staff_audit::routes()),
        ("staff-records", staff_records::routes()),
        ("staff-orders", staff_orders::routes()),
        ("staff-privacy", staff_privacy::routes()),
    ];
    let template = template_routes();
    let listed: BTreeSet<String> = tables.iter().map(|(f, _)| f.to_string()).collect();
    let serving: BTreeSet<String> = template.iter().map(|(_, _, f)| f.clone()).collect();
    assert_eq!(
        listed, serving,
        "every function that serves routes routes by a table"
    );
    for (function, table) in tables {
        let served: BTreeSet<Route> = table
            .into_iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        let declared: BTreeSet<Route> = template
            .iter()
            .filter(|(_, _, f)| f == function)
            .map(|(m, p, _)| (m.clone(), p.clone()))
            .collect();
        assert_eq!(served, declared, "{function}");
    }
}
