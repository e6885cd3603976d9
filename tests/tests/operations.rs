//! What the operator gets from the template, held to the code and the docs: every alarm has its
//! runbook section and notifies the operator's topic, the topics it publishes to take the key
//! CloudWatch and SES may use, the dashboard is valid and shows only metrics that exist, and
//! every table keeps its point-in-time recovery.

use std::collections::BTreeSet;

use serde_yaml::Value;
use tessera_kernel::metrics::Metric;
use tessera_testkit::template;

fn resources_of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(k, r)| (k.as_str().unwrap(), r))
        .collect()
}

/// A value as written, tags included (`!Ref OperatorAlarmTopic`).
fn written(value: &Value) -> String {
    serde_yaml::to_string(value).unwrap()
}

fn runbook() -> String {
    std::fs::read_to_string(tessera_testkit::repo_root().join("docs/runbooks.md")).unwrap()
}

#[test]
fn every_alarm_has_a_runbook_section_and_tells_the_operator() {
    let template = template::load();
    let runbook = runbook();
    let alarms = resources_of_type(&template, "AWS::CloudWatch::Alarm");
    assert!(alarms.len() >= 10, "{}", alarms.len());
    for (name, alarm) in alarms {
        let heading = format!("\n## {name}\n");
        let at = runbook
            .find(&heading)
            .unwrap_or_else(|| panic!("docs/runbooks.md has no section \"## {name}\""));
        let section = &runbook[at + heading.len()..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        for part in ["**What it means.**", "**How to look.**", "**What to do.**"] {
            assert!(section.contains(part), "{name}'s section lacks {part}");
        }
        assert!(
            written(&alarm["Properties"]["AlarmActions"]).contains("OperatorAlarmTopic"),
            "{name} notifies the operator"
        );
    }
}

#[test]
fn the_operators_topics_take_a_key_cloudwatch_and_ses_may_use() {
    let template = template::load();
    for (name, topic) in resources_of_type(&template, "AWS::SNS::Topic") {
        let key = written(&topic["Properties"]["KmsMasterKeyId"]);
        assert!(
            key.contains("NotificationTopicKey"),
            "{name}: the AWS managed key lets neither CloudWatch nor SES publish ({key})"
        );
    }
    let policy = written(&template["Resources"]["NotificationTopicKey"]["Properties"]["KeyPolicy"]);
    for service in ["cloudwatch.amazonaws.com", "ses.amazonaws.com"] {
        assert!(policy.contains(service), "{service} in the key policy");
    }
}

/// Metrics in the `Tessera` namespace that something writes: the functions' own (EMF) and the
/// log metric filters'.
fn tessera_metrics(template: &Value) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = Metric::ALL.iter().map(|m| m.name().to_string()).collect();
    for (_, filter) in resources_of_type(template, "AWS::Logs::MetricFilter") {
        for transformation in filter["Properties"]["MetricTransformations"]
            .as_sequence()
            .unwrap()
        {
            names.insert(transformation["MetricName"].as_str().unwrap().to_string());
        }
    }
    names
}

#[test]
fn alarms_and_the_dashboard_read_metrics_that_are_written() {
    let template = template::load();
    let written_metrics = tessera_metrics(&template);
    for (name, alarm) in resources_of_type(&template, "AWS::CloudWatch::Alarm") {
        if alarm["Properties"]["Namespace"].as_str() == Some("Tessera") {
            let metric = alarm["Properties"]["MetricName"].as_str().unwrap();
            assert!(
                written_metrics.contains(metric),
                "{name} reads {metric}, which nothing writes"
            );
        }
    }
    let dashboard = &template["Resources"]["OperationsDashboard"]["Properties"]["DashboardBody"];
    let Value::Tagged(sub) = dashboard else {
        panic!("the dashboard body is a !Sub string")
    };
    let body = sub
        .value
        .as_str()
        .unwrap()
        .replace("${AWS::Region}", "us-east-1")
        .replace("${HttpApi}", "api0123");
    let body: serde_json::Value = serde_json::from_str(&body).expect("the dashboard is JSON");
    let mut shown = BTreeSet::new();
    for widget in body["widgets"].as_array().unwrap() {
        for metric in widget["properties"]["metrics"].as_array().unwrap() {
            if metric[0] == "Tessera" {
                shown.insert(metric[1].as_str().unwrap().to_string());
            }
        }
    }
    let missing: Vec<_> = shown.difference(&written_metrics).collect();
    assert!(
        missing.is_empty(),
        "the dashboard shows {missing:?}, which nothing writes"
    );
    let unshown: Vec<_> = Metric::ALL
        .iter()
        .map(|m| m.name().to_string())
        .filter(|m| !shown.contains(m))
        .collect();
    assert!(unshown.is_empty(), "the dashboard leaves out {unshown:?}");
}

#[test]
fn every_table_keeps_point_in_time_recovery() {
    let template = template::load();
    let tables = resources_of_type(&template, "AWS::DynamoDB::Table");
    assert!(tables.len() >= 3);
    for (name, table) in tables {
        assert_eq!(
            table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
                .as_bool(),
            Some(true),
            "{name}"
        );
    }
}
