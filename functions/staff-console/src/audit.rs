//! The audit log, newest first, by subject or actor.

use lambda_http::{Body, Response};
use maud::html;
use tessera_identity_routes::staff_audit;
use tessera_web::form::query_value;
use tessera_web::page::{problem_summary, submit, with_status, Field, Problems};
use tessera_web::text;

use crate::{console_page, listed, query_escaped, refused_caller, str_of, Ctx};

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
                div.table-wrap tabindex="0" role="region" aria-label=(text::AUDIT_LOG) { table {
                    thead { tr {
                        th scope="col" { (text::WHEN) } th scope="col" { (text::ACTOR) }
                        th scope="col" { (text::ACTION) } th scope="col" { (text::SUBJECT) }
                        th scope="col" { (text::REASON) }
                    } }
                    tbody { @for e in &events { tr {
                        td { (str_of(e, "at")) }
                        td { (str_of(e, "actor")) }
                        td { (str_of(e, "action")) }
                        td { (str_of(e, "subject")) }
                        td { (str_of(e, "reason")) }
                    } } }
                } }
            }
        },
    );
    with_status(page, status)
}
