//! The catalog at runtime, for staff (`tessera_certification::catalog_versions`):
//! - `GET /v1/staff/catalog[?version=n]` → 200 the latest version (or version `n`) with its
//!   TOML text, and every version's number, time, author and reason (support, program_admin,
//!   auditor)
//! - `PUT /v1/staff/catalog` `{catalog, reason}` or `{restore, reason}` → 200 the new version:
//!   an uploaded text validated as the built-in file is, or an older version published again
//!   (program_admin); 422 with the validation's message otherwise

use lambda_http::{Request, RequestExt};
use serde_json::{json, Value};
use tessera_certification::catalog_versions::{
    self, CatalogVersion, NewCatalog, PublishError, MAX_CATALOG_BYTES,
};
use tessera_http::candidate::CandidateState;
use tessera_http::problem::FieldError;
use tessera_http::staff::{reason, StaffCaller};
use tessera_http::{Fields, Problem};

use super::{CERTIFIERS, READERS};

/// Versions a read lists at most (newest first).
const LISTED: usize = 100;

fn summary(version: &CatalogVersion) -> Value {
    json!({
        "version": version.number,
        "published_at": version.published_at.to_rfc3339(),
        "published_by": version.published_by,
        "reason": version.reason,
    })
}

/// The version asked for (the latest without `?version=`), with the list of versions.
pub async fn read(request: &Request, state: &CandidateState) -> Result<Value, Problem> {
    StaffCaller::admit(request, &state.identity, READERS).await?;
    let versions = state.certification.catalogs.versions();
    let internal = |e: tessera_kernel::ports::StoreError| Problem::internal(&e);
    let query = request.query_string_parameters();
    let shown = match query.first("version") {
        None => catalog_versions::latest(versions).await.map_err(internal)?,
        Some(raw) => {
            let digits = raw.trim();
            let number = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse::<u32>().ok())
                .flatten()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    Problem::validation(vec![FieldError::new(
                        "version",
                        "invalid_version",
                        "Give a version number (1 is the built-in catalog).",
                    )])
                })?;
            match number {
                1 => CatalogVersion::built_in(),
                n => versions
                    .catalog_version(n)
                    .await
                    .map_err(internal)?
                    .ok_or_else(Problem::not_found)?,
            }
        }
    };
    let mut listed: Vec<Value> = versions
        .catalog_versions(LISTED)
        .await
        .map_err(internal)?
        .iter()
        .map(summary)
        .collect();
    if listed.len() < LISTED {
        listed.push(summary(&CatalogVersion::built_in()));
    }
    let mut body = summary(&shown);
    body["catalog"] = json!(shown.text);
    body["versions"] = json!(listed);
    Ok(body)
}

/// Publishes an uploaded catalog, or an older version again.
pub async fn publish(request: &Request, state: &CandidateState) -> Result<Value, Problem> {
    let staff = StaffCaller::admit(request, &state.identity, CERTIFIERS).await?;
    // The text with room for its JSON escaping, and the reason.
    let max = 2 * MAX_CATALOG_BYTES + 4096;
    let mut f = Fields::from_request_up_to(request, &["catalog", "restore", "reason"], max)?;
    let text = f.optional_string("catalog");
    let restore = match f.take("restore") {
        None => None,
        Some(value) => {
            let number = tessera_http::body::whole(&value)
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1);
            if number.is_none() {
                f.error(
                    "restore",
                    "invalid_version",
                    "This field must be a version number (1 is the built-in catalog).",
                );
            }
            number
        }
    };
    let reason = reason(&mut f);
    let new = match (text, restore) {
        (Some(text), None) => Some(NewCatalog::Text(text)),
        (None, Some(number)) => Some(NewCatalog::Restore(number)),
        _ => {
            f.error(
                "catalog",
                "catalog_or_restore",
                "Give either the catalog's text or the version to restore.",
            );
            None
        }
    };
    let (Some(new), Some(reason), true) = (new, reason, f.is_valid()) else {
        return Err(f.into_problem());
    };
    let deps = &state.certification;
    let field = |field: &str, code: &str, message: String| {
        Problem::validation(vec![FieldError::new(field, code, message)])
    };
    match catalog_versions::publish(
        deps.catalogs.versions(),
        deps.clock.as_ref(),
        deps.random.as_ref(),
        &staff.by(reason),
        &new,
    )
    .await
    {
        Ok(version) => Ok(summary(&version)),
        Err(PublishError::Invalid(e)) => Err(field("catalog", "invalid_catalog", e.to_string())),
        Err(e @ PublishError::TooLarge) => Err(field("catalog", "too_large", e.to_string())),
        Err(e @ PublishError::NoSuchVersion(_)) => {
            Err(field("restore", "unknown_version", e.to_string()))
        }
        Err(PublishError::Store(e)) => Err(Problem::internal(&e)),
    }
}
