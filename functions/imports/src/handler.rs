//! Admin import routes: a CSV file in, a report out.
//!
//! - `POST /v1/admin/imports/exam-results` (`text/csv`) → 200 `{imported, duplicates, errors}`
//! - `POST /v1/admin/imports/ce-credits` (`text/csv`) → the same
//!
//! `?source=<file name>` names the file in the records' provenance (default: the route and
//! today's date). Column sets: docs/imports.md.

use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use std::sync::Arc;
use tessera_certification::dates::iso_date;
use tessera_certification::import::MAX_IMPORT_BYTES;
use tessera_certification::importer;
use tessera_certification::importer::{source_name, ImportFailure, ImportReport};
use tessera_certification::CertificationDeps;
use tessera_http::config::AdminAuth;
use tessera_http::problem::FieldError;
use tessera_http::routing::route;
use tessera_http::{auth, body, response, Problem};
use tessera_kernel::audit::{Attribution, AuditLog, AuditParty, FieldChange, Reason};
use tessera_kernel::ports::StoreError;

/// This function uses no secret but the edge layer's (every HTTP function checks it when the
/// edge is on): it reads no other, and the template gives it no other.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

#[derive(Clone)]
pub struct ImportState {
    pub certification: CertificationDeps,
    pub admin: AdminAuth,
    /// Each import is recorded there: who sent which file, and what it did.
    pub audit: Arc<dyn AuditLog>,
}

/// It sends nothing itself, so it links no mail client.
impl tessera_http::wiring::FromWiring for ImportState {
    fn from_wiring<W: tessera_http::wiring::Wiring + ?Sized>(
        wiring: &W,
    ) -> Result<ImportState, tessera_http::wiring::WiringError> {
        Ok(ImportState {
            certification: wiring.certification_deps_deferring_mail()?,
            admin: wiring.config().admin.clone(),
            audit: wiring.audit_log()?,
        })
    }
}

const EXAM_RESULTS: &str = "/v1/admin/imports/exam-results";
const CE_CREDITS: &str = "/v1/admin/imports/ce-credits";

/// What this function serves, each route once (`tessera_http::routing`).
#[derive(Clone, Copy)]
enum Route {
    ExamResults,
    CeCredits,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("POST", EXAM_RESULTS, Route::ExamResults),
    ("POST", CE_CREDITS, Route::CeCredits),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

pub async fn handle(request: Request, state: ImportState) -> Response<Body> {
    let result = match route(&request, ROUTES) {
        Ok(Route::ExamResults) => import(&request, &state, Kind::ExamResults).await,
        Ok(Route::CeCredits) => import(&request, &state, Kind::CeCredits).await,
        Err(problem) => Err(problem),
    };
    result.unwrap_or_else(Problem::into_response)
}

#[derive(Clone, Copy)]
enum Kind {
    ExamResults,
    CeCredits,
}

async fn import(
    request: &Request,
    state: &ImportState,
    kind: Kind,
) -> Result<Response<Body>, Problem> {
    let caller = auth::require_admin(request, &state.admin)?;
    let csv = body::csv_text(request, MAX_IMPORT_BYTES)?;
    // The current catalog: exam codes it does not list are reported as warnings.
    let deps = &state.certification.clone().with_current_catalog().await;
    let today = deps.today();
    let source = match request
        .query_string_parameters_ref()
        .and_then(|q| q.first("source").map(str::to_string))
    {
        Some(raw) => source_name(&raw).ok_or_else(|| {
            Problem::validation(vec![FieldError::new(
                "source",
                "invalid",
                "a file name of 1-100 letters, digits, '.', '_' or '-'",
            )])
        })?,
        None => {
            let name = match kind {
                Kind::ExamResults => "exam-results",
                Kind::CeCredits => "ce-credits",
            };
            format!("{name}-{}.csv", iso_date::format(today))
        }
    };
    let outcome = match kind {
        Kind::ExamResults => {
            importer::import_exam_results(deps.records.as_ref(), &deps.catalog, csv, &source).await
        }
        Kind::CeCredits => {
            importer::import_ce_credits(deps.records.as_ref(), csv, &source, today).await
        }
    };
    match outcome {
        Ok(report) => {
            tracing::info!(
                %source,
                imported = report.imported,
                duplicates = report.duplicates,
                row_errors = report.errors.len(),
                "import"
            );
            // After the rows: an import is idempotent, so if this fails (500) the sender's retry
            // imports nothing twice and records the import then.
            record(state, &caller, kind, &source, &report)
                .await
                .map_err(|e| Problem::internal(&e))?;
            Ok(response::json(200, &report_json(&report, &source)))
        }
        Err(ImportFailure::Refused(e)) => Err(Problem::file_refused(&e)),
        Err(ImportFailure::Store(e)) => Err(Problem::internal(&e)),
    }
}

/// The import's audit event: the caller, the file, and how many rows it imported, found
/// already there, or refused.
async fn record(
    state: &ImportState,
    caller: &str,
    kind: Kind,
    source: &str,
    report: &ImportReport,
) -> Result<(), StoreError> {
    let deps = &state.certification;
    let now = deps.clock.now();
    let action = match kind {
        Kind::ExamResults => "import.exam_results",
        Kind::CeCredits => "import.ce_credits",
    };
    let count = |field: &str, n: usize| FieldChange::new(field, None, Some(n.to_string()));
    let reason = Reason::parse(&format!("the file {source} was sent"))
        .expect("a source name is short printable text");
    let event = Attribution::new(AuditParty::new("admin", caller), reason).event(
        now,
        deps.random.as_ref(),
        action,
        AuditParty::new("import", source),
        vec![
            count("imported", report.imported),
            count("duplicates", report.duplicates),
            count("errors", report.errors.len()),
        ],
    );
    state.audit.append(&event).await
}

fn report_json(report: &ImportReport, source: &str) -> serde_json::Value {
    json!({
        "source": source,
        "imported": report.imported,
        "duplicates": report.duplicates,
        "errors": rows_json(&report.errors),
        "warnings": rows_json(&report.warnings),
    })
}

fn rows_json(rows: &[tessera_certification::RowError]) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|e| json!({ "row": e.row, "code": e.code, "message": e.message }))
        .collect()
}
