//! The audit log, newest first, by subject or actor: when (to the minute, UTC), who, what, to
//! whom, why, and each changed field before and after (never a secret: the routes record none).

use lambda_http::{Body, Response};
use maud::html;
use tessera_identity_routes::staff_audit;
use tessera_web::form::query_value;
use tessera_web::page::{problem_summary, submit, with_status, Field, Problems};
use tessera_web::text;

use crate::Ctx;
use tessera_web::console::{console_page, listed, query_escaped, refused_caller, str_of};

/// `GET /staff/audit?subject=…&actor=…`.
pub(crate) async fn show(ctx: &mut Ctx<'_>) -> Response<Body> {
    let mut query = Vec::new();
    for name in ["subject", "actor"] {
        if let Some(value) = query_value(ctx.request, name).filter(|v| !v.is_empty()) {
            query.push(format!("{name}={}", query_escaped(&value)));
        }
    }
    let path = if query.is_empty() {
        "/v1/staff/audit".to_string()
    } else {
        format!("/v1/staff/audit?{}", query.join("&"))
    };
    let answer = ctx
        .api()
        .call(staff_audit::handle, &ctx.state.audit, "GET", &path, None)
        .await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let (events, problems, status) = listed(&answer, "events");
    let page = console_page(
        ctx,
        text::AUDIT_LOG,
        html! {
            (problem_summary(&problems, &[("subject", text::SUBJECT), ("actor", text::ACTOR)]))
            form method="get" action="/staff/audit" {
                (Field::new("subject", text::SUBJECT, "text").optional().render(&Problems::none()))
                (Field::new("actor", text::ACTOR, "text").optional().render(&Problems::none()))
                (submit(text::FIND))
            }
            @if events.is_empty() { p { (text::NO_MATCH) } } @else {
                // One block per event (not a table: seven columns do not fit a phone, and long
                // ids read better wrapped under their label).
                ol.events aria-label=(text::AUDIT_LOG) { @for e in &events { li {
                    h2 { (str_of(e, "action")) }
                    dl.facts {
                        dt { (text::WHEN) } dd { (when(str_of(e, "at"))) }
                        dt { (text::ACTOR) } dd { (str_of(e, "actor")) }
                        dt { (text::SUBJECT) } dd { (str_of(e, "subject")) }
                        dt { (text::REASON) } dd { (str_of(e, "reason")) }
                        @let changes = e["changes"].as_array().map(Vec::as_slice).unwrap_or_default();
                        @if !changes.is_empty() {
                            dt { (text::CHANGES) } dd { @for change in changes { (change_line(change)) br; } }
                        }
                    }
                } } }
            }
        },
    );
    with_status(page, status)
}

/// An event's time as staff read it: "2026-12-07 01:23 UTC" (the route gives RFC 3339 in UTC).
fn when(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(minute)) => format!("{day} {minute} UTC"),
        _ => at.to_string(),
    }
}

/// One changed field: "status: active → suspended" (a dash where there was or is nothing).
fn change_line(change: &serde_json::Value) -> String {
    let side = |key: &str| {
        let value = change[key].as_str().filter(|v| !v.is_empty());
        value.unwrap_or("—").to_string()
    };
    format!(
        "{}: {} → {}",
        str_of(change, "field"),
        side("before"),
        side("after")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_read_to_the_minute_and_changes_as_before_and_after() {
        assert_eq!(when("2026-12-07T01:23:45Z"), "2026-12-07 01:23 UTC");
        assert_eq!(when("soon"), "soon");
        let change = json!({ "field": "status", "before": null, "after": "suspended" });
        assert_eq!(change_line(&change), "status: — → suspended");
        let change = json!({ "field": "roles", "before": "", "after": "auditor" });
        assert_eq!(change_line(&change), "roles: — → auditor");
    }
}
