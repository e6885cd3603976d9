//! Imports of exam results and CE credits through the imports handler, on both backends:
//! the sample files create candidate records, importing them again adds nothing, bad rows are
//! reported by number while the others import, and only an admin may import.

use std::collections::HashMap;
use tessera_certification::Status;
use tessera_kernel::ids::CandidateId;
use tessera_testkit::{Backend, TestApp};
use tessera_tests::{csv_upload, import, on_both_backends, sample};
use time::macros::date;

const EXAMS: &str = "/v1/admin/imports/exam-results";
const CREDITS: &str = "/v1/admin/imports/ce-credits";
const EXAM_HEADER: &str = "candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date";

fn errors(json: &serde_json::Value) -> Vec<(u64, String)> {
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The imports in the audit log, newest first.
async fn imports_logged(app: &TestApp) -> Vec<tessera_kernel::audit::AuditEvent> {
    let query = tessera_kernel::audit::AuditQuery {
        limit: 50,
        ..Default::default()
    };
    let page = app.audit.query(&query).await.unwrap();
    page.events
        .into_iter()
        .filter(|e| e.action.starts_with("import."))
        .collect()
}

async fn the_samples_import_once_and_a_second_import_adds_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let exams = sample("exam-results.csv");
    let first = import(
        &app,
        csv_upload(EXAMS, &exams, Some("vendor-2026-11-25.csv")),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        (
            first.json["imported"].as_u64(),
            first.json["duplicates"].as_u64()
        ),
        (Some(15), Some(0))
    );
    assert_eq!(first.json["errors"], serde_json::json!([]));
    assert_eq!(
        first.json["warnings"],
        serde_json::json!([]),
        "every sample exam is in the catalog"
    );
    // The import is in the audit log: who sent which file, and what it did.
    let logged = imports_logged(&app).await;
    assert_eq!(logged.len(), 1);
    let event = &logged[0];
    assert_eq!(event.actor.as_str(), "admin:token");
    assert_eq!(event.action, "import.exam_results");
    assert_eq!(event.subject.as_str(), "import:vendor-2026-11-25.csv");
    let counts: Vec<(&str, Option<&str>)> = event
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.after.as_deref()))
        .collect();
    assert_eq!(
        counts,
        [
            ("imported", Some("15")),
            ("duplicates", Some("0")),
            ("errors", Some("0"))
        ]
    );
    let again = import(&app, csv_upload(EXAMS, &exams, None)).await;
    assert_eq!(
        (
            again.json["imported"].as_u64(),
            again.json["duplicates"].as_u64()
        ),
        (Some(0), Some(15))
    );

    let credits = sample("ce-credits.csv");
    let first = import(
        &app,
        csv_upload(CREDITS, &credits, Some("creq-20251101.csv")),
    )
    .await;
    assert_eq!(
        (
            first.json["imported"].as_u64(),
            first.json["duplicates"].as_u64()
        ),
        (Some(5), Some(0)),
        "{}",
        first.text
    );
    let again = import(&app, csv_upload(CREDITS, &credits, None)).await;
    assert_eq!(
        (
            again.json["imported"].as_u64(),
            again.json["duplicates"].as_u64()
        ),
        (Some(0), Some(5))
    );

    // The record: identifiers, exams with their provenance, CE activities with theirs.
    let ada = app
        .certification
        .records
        .candidate(&CandidateId::parse("TSC1000001").unwrap())
        .await
        .unwrap()
        .expect("imported");
    assert_eq!(
        ada.profile.email.as_ref().unwrap().as_str(),
        "ada@example.com"
    );
    assert_eq!(ada.profile.testing_ids, ["VT226754252"]);
    assert_eq!(ada.exams.len(), 5);
    assert!(ada
        .exams
        .iter()
        .all(|e| e.source_file == "vendor-2026-11-25.csv"));
    assert_eq!(ada.activities.len(), 3);
    assert!(ada
        .activities
        .iter()
        .all(|a| a.source_file == "creq-20251101.csv"));
    assert_eq!(
        ada.activities
            .iter()
            .find(|a| a.external_id == "1462600")
            .unwrap()
            .points,
        5
    );

    // What the status engine makes of it on 2026-11-25: two active, one expired.
    let standings: HashMap<String, Status> = ada
        .standings(&app.certification.catalog, date!(2026 - 11 - 25))
        .into_iter()
        .map(|s| (s.certification.to_string(), s.status))
        .collect();
    assert_eq!(standings["networking-technician"], Status::Active);
    assert_eq!(standings["infrastructure-associate"], Status::Active);
    assert_eq!(standings["enterprise-professional"], Status::Expired);
}

async fn bad_rows_are_reported_by_number_and_the_rest_import(backend: Backend) {
    let app = TestApp::new(backend).await;
    let csv = format!(
        "{EXAM_HEADER}\n\
         TSC2000001,Grace,Hopper,grace@example.org,,R-1,IA-201,Infrastructure Associate,pass,2024-01-01\n\
         TSC2000001,Grace,Hopper,grace@example.org,,R-2,IA-201,Infrastructure Associate,maybe,2024-01-01\n\
         \n\
         TSC2000002,=HYPERLINK(\"http://x\"),Turing,,,R-3,EC-301,Enterprise Core,pass,2024-02-02\n\
         TSC2000003,Edsger,Dijkstra,,,R-1,IA-201,Infrastructure Associate,pass,2024-03-03\n"
    );
    let r = import(&app, csv_upload(EXAMS, &csv, None)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["imported"], 2);
    assert_eq!(
        errors(&r.json),
        [
            (3, "invalid".to_string()),
            (6, "registration_number_taken".to_string())
        ]
    );
    // An exam code the catalog does not list is imported, and said so by row: an operator's
    // typo does not go unnoticed.
    let typo = format!(
        "{EXAM_HEADER}\n\
         TSC2000004,Barbara,Liskov,,,R-9,IA-2O1,Infrastructure Associate,pass,2024-04-04\n"
    );
    let r = import(&app, csv_upload(EXAMS, &typo, None)).await;
    assert_eq!(
        (r.status, r.json["imported"].as_u64()),
        (200, Some(1)),
        "{}",
        r.text
    );
    assert_eq!(r.json["warnings"][0]["row"], 2);
    assert_eq!(r.json["warnings"][0]["code"], "unknown_exam");
    assert!(
        r.json["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("IA-2O1"),
        "{}",
        r.text
    );
    // A formula-looking name is stored as the text it is.
    let record = app
        .certification
        .records
        .candidate(&CandidateId::parse("TSC2000002").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.profile.first_name, "=HYPERLINK(\"http://x\")");
    // CE credits for a candidate with no record are reported, not invented.
    let ce = "candidate_id,external_id,activity,provider,points,active_date,inactive_date\n\
              TSC9999999,1,Talk,Conference,3,2024-01-01,2027-01-01\n";
    let r = import(&app, csv_upload(CREDITS, ce, None)).await;
    assert_eq!(
        (r.json["imported"].as_u64(), errors(&r.json)),
        (Some(0), vec![(2, "unknown_candidate".to_string())])
    );
}

async fn a_refused_file_imports_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let missing = "candidate_id,first_name,last_name\nTSC3000001,Ada,Lovelace\n";
    let r = import(&app, csv_upload(EXAMS, missing, None)).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (422, Some("missing_columns")),
        "{}",
        r.text
    );
    assert!(r.json["detail"]
        .as_str()
        .unwrap()
        .contains("registration_number"));
    assert!(
        imports_logged(&app).await.is_empty(),
        "a refused file is no import"
    );
    let record = app
        .certification
        .records
        .candidate(&CandidateId::parse("TSC3000001").unwrap())
        .await
        .unwrap();
    assert_eq!(record, None);
}

on_both_backends!(
    the_samples_import_once_and_a_second_import_adds_nothing,
    bad_rows_are_reported_by_number_and_the_rest_import,
    a_refused_file_imports_nothing,
);

#[tokio::test]
async fn only_an_admin_may_import_and_only_csv_within_the_size_limit() {
    let app = TestApp::new(Backend::Embedded).await;
    let csv = sample("exam-results.csv");
    let mut no_token = csv_upload(EXAMS, &csv, None);
    no_token.headers_mut().remove("authorization");
    assert_eq!(import(&app, no_token).await.status, 401);
    let mut wrong = csv_upload(EXAMS, &csv, None);
    wrong.headers_mut().insert(
        "authorization",
        "Bearer not-the-admin-token".parse().unwrap(),
    );
    assert_eq!(import(&app, wrong).await.status, 401);

    let mut json = csv_upload(EXAMS, &csv, None);
    json.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    assert_eq!(import(&app, json).await.status, 415);
    let huge = "x".repeat(tessera_certification::import::MAX_IMPORT_BYTES + 1);
    assert_eq!(
        import(&app, csv_upload(EXAMS, &huge, None)).await.status,
        413
    );
    let bad_source = import(&app, csv_upload(EXAMS, &csv, Some("../etc/passwd"))).await;
    assert_eq!(
        (
            bad_source.status,
            bad_source.json["errors"][0]["field"].as_str()
        ),
        (422, Some("source"))
    );
    // Nothing above imported a row.
    let r = import(&app, csv_upload(EXAMS, &csv, None)).await;
    assert_eq!(r.json["imported"], 15);
}

/// On AWS the route is IAM-authorized: the handler accepts what API Gateway verified and
/// refuses a request that arrives without it.
#[tokio::test]
async fn on_aws_the_iam_caller_verified_by_api_gateway_is_required() {
    let app = TestApp::new(Backend::Embedded).await;
    let mut state: imports::ImportState = app.state();
    state.admin = tessera_http::config::AdminAuth::Iam;
    let event = std::fs::read_to_string(
        tessera_testkit::repo_root().join("events/imports/exam-results.json"),
    )
    .unwrap();
    let signed = lambda_http::request::from_str(&event).unwrap();
    let r =
        tessera_testkit::TestResponse::from_response(imports::handle(signed, state.clone()).await);
    assert_eq!(r.status, 200, "{}", r.text);
    let mut unsigned: serde_json::Value = serde_json::from_str(&event).unwrap();
    unsigned["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    let unsigned = lambda_http::request::from_str(&unsigned.to_string()).unwrap();
    let r = tessera_testkit::TestResponse::from_response(imports::handle(unsigned, state).await);
    assert_eq!(r.status, 401);
}
