//! The catalog at runtime: the version in force (or an older one) with its text, every version
//! with who published it and why, a new version uploaded as text, an older one published again.

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_web::form::query_value;
use tessera_web::page::{problem_summary, with_status, Field, Problems};
use tessera_web::{text, Form};

use crate::{records_call, Ctx};
use tessera_web::console::{
    action_form, console_page, query_escaped, refused_caller, str_of, Posted,
};

/// The largest form read here: a catalog of the route's largest size, percent-encoded.
pub(crate) const MAX_FORM: usize =
    3 * tessera_certification::catalog_versions::MAX_CATALOG_BYTES + 16 * 1024;

const LABELS: &[(&str, &str)] = &[
    ("catalog", text::CATALOG_TEXT),
    ("restore", text::CATALOG_VERSION),
    ("reason", text::REASON),
];

/// `GET /staff/catalog[?version=n]`; after a refused upload, the text that was sent stays in its
/// field (`draft`) to be corrected.
pub(crate) async fn show(
    ctx: &mut Ctx<'_>,
    posted: Posted<'_>,
    draft: Option<&str>,
) -> Response<Body> {
    let path = match query_value(ctx.request, "version").filter(|v| !v.is_empty()) {
        Some(version) => format!("/v1/staff/catalog?version={}", query_escaped(&version)),
        None => "/v1/staff/catalog".to_string(),
    };
    let answer = records_call(ctx, "GET", &path, None).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if !answer.is_success() {
        let page = console_page(
            ctx,
            text::CATALOG,
            html! {
                (problem_summary(&Problems::from_answer(&answer), &[]))
                p { a href="/staff/catalog" { (text::CATALOG) } }
            },
        );
        return with_status(page, answer.status);
    }
    page(ctx, &answer.body, &posted, draft)
}

fn page(ctx: &Ctx<'_>, shown: &Value, posted: &Posted<'_>, draft: Option<&str>) -> Response<Body> {
    let versions = shown["versions"].as_array().cloned().unwrap_or_default();
    let number = shown["version"].as_u64().unwrap_or_default();
    let menu: Vec<(String, String)> = versions
        .iter()
        .map(|v| {
            let n = v["version"].as_u64().unwrap_or_default();
            (
                n.to_string(),
                format!("{n} · {}", str_of(v, "published_at")),
            )
        })
        .collect();
    let number_text = number.to_string();
    console_page(
        ctx,
        &format!("{} · {} {number}", text::CATALOG, text::CATALOG_VERSION),
        html! {
            (posted.summary(LABELS))
            dl.facts {
                dt { (text::PUBLISHED) } dd { (published_at(shown)) }
                dt { (text::PUBLISHED_BY) } dd { (str_of(shown, "published_by")) }
                dt { (text::REASON) } dd { (str_of(shown, "reason")) }
            }
            pre.catalog tabindex="0" aria-label=(text::CATALOG_TEXT) { (str_of(shown, "catalog")) }
            h2 { (text::CATALOG_VERSIONS) }
            div.table-wrap tabindex="0" role="region" aria-label=(text::CATALOG_VERSIONS) { table {
                thead { tr {
                    th scope="col" { (text::CATALOG_VERSION) } th scope="col" { (text::PUBLISHED) }
                    th scope="col" { (text::PUBLISHED_BY) } th scope="col" { (text::REASON) }
                } }
                tbody { @for v in &versions { tr {
                    @let n = v["version"].as_u64().unwrap_or_default();
                    td { a href={ "/staff/catalog?version=" (n) } aria-current=[(n == number).then_some("page")] { (text::SHOW) " " (n) } }
                    td { (published_at(v)) }
                    td { (str_of(v, "published_by")) }
                    td { (str_of(v, "reason")) }
                } } }
            } }
            (action_form(ctx, "restore", "/staff/catalog", text::RESTORE_VERSION, None, posted, |prefix, problems| html! {
                (Field::new("restore", text::CATALOG_VERSION, "select").options(&menu).value(&number_text).in_form(prefix).render(problems))
            }))
            (action_form(ctx, "publish", "/staff/catalog", text::PUBLISH_CATALOG, Some(text::CATALOG_HINT), posted, |prefix, problems| html! {
                (Field::new("catalog", text::CATALOG_TEXT, "textarea").value(draft.unwrap_or(str_of(shown, "catalog"))).in_form(prefix).render(problems))
            }))
        },
    )
}

/// When a version was published; version 1 is the catalog the release ships, which has no time.
fn published_at(version: &Value) -> &str {
    if version["version"] == 1 {
        text::WITH_THE_RELEASE
    } else {
        str_of(version, "published_at")
    }
}

/// `POST /staff/catalog`: a new version from the text, or an older one again (`restore`).
pub(crate) async fn publish(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let reason = posted.text("reason");
    let (form, body) = match posted.get("restore") {
        Some(version) => {
            // A number as the route takes it; anything else goes as typed, for the route to refuse.
            let version = version.trim();
            let value = version
                .parse::<u64>()
                .map(|n| json!(n))
                .unwrap_or(json!(version));
            ("restore", json!({ "restore": value, "reason": reason }))
        }
        None => (
            "publish",
            json!({ "catalog": posted.get("catalog").unwrap_or_default(), "reason": reason }),
        ),
    };
    let answer = records_call(ctx, "PUT", "/v1/staff/catalog", Some(body)).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let status = answer.status;
    let (posted_now, draft) = if answer.is_success() {
        let number = answer.body["version"].as_u64().unwrap_or_default();
        let done = format!("{} {} {number}.", text::DONE, text::CATALOG_VERSION);
        (Posted::Done(done), None)
    } else {
        let problems = Problems::from_answer(&answer);
        (Posted::Refused { form, problems }, posted.get("catalog"))
    };
    let page = show(ctx, posted_now, draft).await;
    if status >= 400 {
        with_status(page, status)
    } else {
        page
    }
}
