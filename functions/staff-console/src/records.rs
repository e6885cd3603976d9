//! Candidate records: the search, one record with everything staff may do to it (edit its
//! details, grant a certification by hand, revoke, suspend or reinstate one, merge a duplicate
//! into it, unlink it from its account or link it to another).

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Map, Value};
use tessera_web::form::query_value;
use tessera_web::page::{problem_summary, with_status, Field, Problems};
use tessera_web::request::{is_path_id, not_found};
use tessera_web::{text, Form};

use crate::{records_call, Ctx};
use tessera_web::console::{
    action_form, console_page, listed, one_thing, query_escaped, refused_caller, str_of, Posted,
};

const LABELS: &[(&str, &str)] = &[
    ("first_name", text::FIRST_NAME),
    ("last_name", text::LAST_NAME),
    ("email", text::BADGING_EMAIL),
    ("academy_id", text::ACADEMY_ID),
    ("credential_numbers", text::CREDENTIAL_NUMBERS),
    ("certification_id", text::CERTIFICATION),
    ("active_on", text::ACTIVE_ON),
    ("expires_on", text::EXPIRES_ON),
    ("status", text::NEW_STATUS),
    ("from", text::MERGE_FROM),
    ("account_id", text::MOVE_TO_ACCOUNT),
    ("reason", text::REASON),
];

/// `GET /staff/candidates?q=…`: the records that match.
pub(crate) async fn search(ctx: &mut Ctx<'_>) -> Response<Body> {
    let q = query_value(ctx.request, "q").unwrap_or_default();
    let path = format!("/v1/staff/candidates?q={}", query_escaped(&q));
    let answer = records_call(ctx, "GET", &path, None).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let (found, problems, status) = listed(&answer, "candidates");
    let page = console_page(
        ctx,
        text::CANDIDATES,
        html! {
            (problem_summary(&problems, &[("q", text::SEARCH_TERM)]))
            @if found.is_empty() { p { (text::NO_MATCH) } }
            ul.links {
                @for c in &found {
                    @let id = str_of(c, "candidate_id");
                    li {
                        a href={ "/staff/candidates/" (id) } { (id) }
                        " · " (str_of(c, "first_name")) " " (str_of(c, "last_name"))
                        " · " (str_of(c, "email"))
                    }
                }
            }
            p { a href="/staff" { (text::FIND) } }
        },
    );
    with_status(page, status)
}

/// `GET /staff/candidates/{id}`: the record, shown after what was posted.
pub(crate) async fn show(ctx: &mut Ctx<'_>, id: &str, posted: Posted<'_>) -> Response<Body> {
    let answer = records_call(ctx, "GET", &format!("/v1/staff/candidates/{id}"), None).await;
    match one_thing(ctx, answer) {
        Ok(record) => page(ctx, id, &record, &posted).await,
        Err(instead) => *instead,
    }
}

/// The catalog's certifications as (id, name), for the grant's menu.
async fn catalog_menu(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    let deps = ctx.state.records.certification.clone();
    let catalog = deps.with_current_catalog().await.catalog;
    catalog
        .certifications
        .iter()
        .map(|c| (c.id.as_str().to_string(), c.name.clone()))
        .collect()
}

/// Credential numbers as the form's text shows them: one `name: number` a line.
fn credential_lines(numbers: &Value) -> String {
    numbers
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(name, number)| format!("{name}: {}", number.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// The form's lines of credential numbers as the route takes them (an object of name to number);
/// `None` when a line is not `name: number`. The route judges the names and numbers.
fn credential_numbers(lines: &str) -> Option<Map<String, Value>> {
    lines
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, number) = line.split_once(':')?;
            let (name, number) = (name.trim(), number.trim());
            (!name.is_empty() && !number.is_empty()).then(|| (name.to_string(), json!(number)))
        })
        .collect()
}

async fn page(ctx: &Ctx<'_>, id: &str, record: &Value, posted: &Posted<'_>) -> Response<Body> {
    let person = &record["candidate"];
    let certifications = record["certifications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let held: Vec<(String, String)> = certifications
        .iter()
        .map(|c| (str_of(c, "id").to_string(), str_of(c, "name").to_string()))
        .collect();
    let catalog = catalog_menu(ctx).await;
    let statuses: Vec<(String, String)> = [
        ("revoked", text::STATUS_REVOKED),
        ("suspended", text::STATUS_SUSPENDED),
        ("reinstated", text::STATUS_REINSTATED),
    ]
    .iter()
    .map(|(value, label)| (value.to_string(), label.to_string()))
    .collect();
    let credentials = credential_lines(&person["credential_numbers"]);
    let testing_ids: Vec<&str> = person["testing_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let path = |action: &str| format!("/staff/candidates/{id}/{action}");
    let mapped = person["account_id"].as_str();
    console_page(
        ctx,
        &format!("{}: {id}", text::RECORD),
        html! {
            (posted.summary(LABELS))
            dl.facts {
                dt { (text::NAME) } dd { (str_of(person, "first_name")) " " (str_of(person, "last_name")) }
                dt { (text::BADGING_EMAIL) } dd { (str_of(person, "email")) }
                dt { (text::ACCOUNT) } dd { (mapped.unwrap_or("—")) }
                dt { (text::TESTING_IDS) } dd { (testing_ids.join(", ")) }
                @if let Some(into) = person["merged_into"].as_str() {
                    dt { (text::MERGED_INTO) } dd { a href={ "/staff/candidates/" (into) } { (into) } }
                }
            }
            h2 { (text::CERTIFICATIONS) }
            div.table-wrap tabindex="0" role="region" aria-label=(text::CERTIFICATIONS) { table {
                thead { tr {
                    th scope="col" { (text::NAME) } th scope="col" { (text::STATUS) }
                    th scope="col" { (text::ACTIVE_SINCE) } th scope="col" { (text::EXPIRES) }
                } }
                tbody { @for c in &certifications { tr {
                    td { (str_of(c, "name")) }
                    td { (str_of(c, "status")) }
                    td { (c["active"].as_str().unwrap_or(text::NOT_APPLICABLE)) }
                    td { (c["expires"].as_str().unwrap_or(text::NOT_APPLICABLE)) }
                } } }
            } }
            (action_form(ctx, "edit", &path("edit"), text::EDIT_RECORD, None, posted, |prefix, problems| html! {
                (Field::new("first_name", text::FIRST_NAME, "text").value(str_of(person, "first_name")).in_form(prefix).render(problems))
                (Field::new("last_name", text::LAST_NAME, "text").value(str_of(person, "last_name")).in_form(prefix).render(problems))
                (Field::new("email", text::BADGING_EMAIL, "email").value(str_of(person, "email")).optional().in_form(prefix).render(problems))
                (Field::new("academy_id", text::ACADEMY_ID, "text").value(str_of(person, "academy_id")).optional().in_form(prefix).render(problems))
                (Field::new("credential_numbers", text::CREDENTIAL_NUMBERS, "textarea").value(&credentials).hint(text::CREDENTIAL_NUMBERS_HINT).optional().in_form(prefix).render(problems))
            }))
            (action_form(ctx, "grants", &path("grants"), text::GRANT, Some(text::GRANT_HINT), posted, |prefix, problems| html! {
                (Field::new("certification_id", text::CERTIFICATION, "select").options(&catalog).in_form(prefix).render(problems))
                (Field::new("active_on", text::ACTIVE_ON, "text").in_form(prefix).render(problems))
                (Field::new("expires_on", text::EXPIRES_ON, "text").optional().in_form(prefix).render(problems))
            }))
            @if !held.is_empty() {
                (action_form(ctx, "status", &path("status"), text::CHANGE_STATUS, None, posted, |prefix, problems| html! {
                    (Field::new("certification_id", text::CERTIFICATION, "select").options(&held).in_form(prefix).render(problems))
                    (Field::new("status", text::NEW_STATUS, "select").options(&statuses).in_form(prefix).render(problems))
                }))
            }
            (action_form(ctx, "merge", &path("merge"), text::MERGE, Some(text::MERGE_HINT), posted, |prefix, problems| html! {
                (Field::new("from", text::MERGE_FROM, "text").in_form(prefix).render(problems))
            }))
            @if mapped.is_some() {
                (action_form(ctx, "move", &path("move"), text::MOVE_MAPPING, None, posted, |prefix, problems| html! {
                    (Field::new("account_id", text::MOVE_TO_ACCOUNT, "text").in_form(prefix).render(problems))
                }))
                (action_form(ctx, "unmap", &path("unmap"), text::UNMAP, Some(text::UNMAP_HINT), posted, |_, _| html! {}))
            }
        },
    )
}

/// A route call: its method, path and JSON body.
type RouteCall = (&'static str, String, Value);

/// The route an action calls; or the problem the form has before any route could judge it;
/// `None` for an action there is not.
fn route_for(id: &str, action: &str, posted: &Form) -> Option<Result<RouteCall, Problems>> {
    let reason = posted.text("reason");
    let record = format!("/v1/staff/candidates/{id}");
    Some(Ok(match action {
        "edit" => {
            let Some(numbers) = credential_numbers(&posted.text("credential_numbers")) else {
                return Some(Err(
                    Problems::none().field("credential_numbers", text::CREDENTIAL_NUMBERS_FORMAT)
                ));
            };
            let mut body = json!({
                "first_name": posted.text("first_name"),
                "last_name": posted.text("last_name"),
                "credential_numbers": numbers,
                "reason": reason,
            });
            let email = posted.text("email");
            if !email.is_empty() {
                body["email"] = json!(email);
            }
            let academy = posted.text("academy_id");
            body["academy_id"] = if academy.is_empty() {
                Value::Null
            } else {
                json!(academy)
            };
            ("PATCH", record, body)
        }
        "grants" => {
            let mut body = json!({
                "certification_id": posted.text("certification_id"),
                "active_on": posted.text("active_on"),
                "reason": reason,
            });
            let expires = posted.text("expires_on");
            if !expires.is_empty() {
                body["expires_on"] = json!(expires);
            }
            ("POST", format!("{record}/grants"), body)
        }
        "status" => {
            let certification = posted.text("certification_id");
            if !is_path_id(&certification) {
                return Some(Err(
                    Problems::none().field("certification_id", text::CHOOSE_CERTIFICATION)
                ));
            }
            let body = json!({ "status": posted.text("status"), "reason": reason });
            (
                "POST",
                format!("{record}/certifications/{certification}/status"),
                body,
            )
        }
        "merge" => (
            "POST",
            format!("{record}/merge"),
            json!({ "from": posted.text("from"), "reason": reason }),
        ),
        "unmap" => (
            "DELETE",
            format!("{record}/mapping"),
            json!({ "reason": reason }),
        ),
        "move" => (
            "PUT",
            format!("{record}/mapping"),
            json!({ "account_id": posted.text("account_id"), "reason": reason }),
        ),
        _ => return None,
    }))
}

/// `POST /staff/candidates/{id}/{action}`: the action through its route; the record again,
/// saying it was done or what went wrong at the form that was sent.
pub(crate) async fn act(
    ctx: &mut Ctx<'_>,
    posted: &Form,
    id: &str,
    action: &str,
) -> Response<Body> {
    let (method, path, body) = match route_for(id, action, posted) {
        None => return not_found(),
        Some(Ok(call)) => call,
        Some(Err(problems)) => return refused(ctx, id, action, problems, 422).await,
    };
    let answer = records_call(ctx, method, &path, Some(body)).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if answer.is_success() {
        return page(ctx, id, &answer.body, &Posted::Done(text::DONE.to_string())).await;
    }
    refused(
        ctx,
        id,
        action,
        Problems::from_answer(&answer),
        answer.status,
    )
    .await
}

/// The record again with what went wrong at the form `action` sent, answering `status`.
async fn refused(
    ctx: &mut Ctx<'_>,
    id: &str,
    action: &str,
    problems: Problems,
    status: u16,
) -> Response<Body> {
    let page = show(
        ctx,
        id,
        Posted::Refused {
            form: action,
            problems,
        },
    )
    .await;
    with_status(page, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_numbers_are_read_one_a_line_and_shown_the_same_way() {
        let numbers = credential_numbers("partner: AB-123\n\n  academy :x_1  \n").unwrap();
        assert_eq!(numbers["partner"], "AB-123");
        assert_eq!(numbers["academy"], "x_1");
        assert_eq!(
            credential_lines(&Value::Object(numbers)),
            "academy: x_1\npartner: AB-123"
        );
        assert_eq!(credential_numbers("").unwrap().len(), 0);
        for bad in ["partner AB-123", ": AB-123", "partner:"] {
            assert!(credential_numbers(bad).is_none(), "{bad:?}");
        }
    }
}
