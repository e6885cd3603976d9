//! Transcripts: the ones made (link, views, expiry), a new one (of every active certification),
//! its link emailed to someone, and deleting one (its link stops opening).

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_certification_routes::transcripts;
use tessera_web::page::{
    certification_tabs, form, notice, problem_summary, submit, with_status, Field, Problems,
};
use tessera_web::{text, Form};

use crate::{records, Ctx};

/// `GET /transcripts`
pub async fn page(ctx: &mut Ctx<'_>) -> Response<Body> {
    show(ctx, &Problems::none(), None).await
}

async fn show(ctx: &mut Ctx<'_>, problems: &Problems, message: Option<&str>) -> Response<Body> {
    let answer = ctx
        .call(
            transcripts::handle,
            "GET",
            "/v1/candidate/transcripts",
            None,
        )
        .await;
    if answer.code() == "not_mapped" {
        return records::mapping_page(ctx, &Problems::none(), None);
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    let labels = [
        ("description", text::DESCRIPTION),
        ("display_name", text::DISPLAY_NAME),
        ("remarks", text::REMARKS),
        ("expires_in_days", text::EXPIRES_IN_DAYS),
        ("to", text::EMAIL_TO),
    ];
    let list = answer.body["transcripts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let csrf = ctx.csrf();
    ctx.signed_in_page(
        text::TRANSCRIPTS,
        html! {
            (certification_tabs("/transcripts"))
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels))
            p { (text::TRANSCRIPTS_INTRO) }
            @if list.is_empty() { p { (text::NO_TRANSCRIPTS) } }
            @for t in &list {
                @let id = t["id"].as_str().unwrap_or_default();
                @let url = t["url"].as_str().unwrap_or_default();
                section.transcript aria-label=(t["description"].as_str().unwrap_or_default()) {
                    h2 { (t["description"].as_str().unwrap_or_default()) }
                    dl.facts {
                        dt { (text::LINK) } dd { a href=(url) { (url) } }
                        dt { (text::VIEWS) } dd { (t["views"].as_u64().unwrap_or_default()) }
                        dt { (text::EXPIRES) } dd {
                            (t["expires_at"].as_str().unwrap_or_default().get(..10).unwrap_or_default())
                            @if t["expired"] == true { " (" (text::EXPIRED) ")" }
                        }
                    }
                    (form(&format!("/transcripts/{id}/email"), &csrf, html! {
                        (Field::new("to", text::EMAIL_TO, "email").render(&Problems::none()))
                        button.secondary type="submit" { (text::SEND) }
                    }))
                    (form(&format!("/transcripts/{id}/delete"), &csrf, html! {
                        button.secondary type="submit" { (text::DELETE) }
                    }))
                }
            }
            section aria-labelledby="new-transcript" {
                h2 id="new-transcript" { (text::NEW_TRANSCRIPT) }
                (form("/transcripts", &csrf, html! {
                    (Field::new("description", text::DESCRIPTION, "text").hint(text::DESCRIPTION_HINT).render(problems))
                    (Field::new("display_name", text::DISPLAY_NAME, "text").optional().render(problems))
                    (Field::new("remarks", text::REMARKS, "text").optional().render(problems))
                    (Field::new("expires_in_days", text::EXPIRES_IN_DAYS, "text").value("90").render(problems))
                    div.field {
                        label.check {
                            input type="checkbox" name="include_new" value="yes" checked; " " (text::INCLUDE_NEW)
                        }
                    }
                    (submit(text::CREATE))
                }))
            }
        },
    )
    .into_response()
}

/// `POST /transcripts`: a transcript of every active certification.
pub async fn create(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let optional = |name: &str| {
        let value = posted.text(name);
        (!value.is_empty()).then_some(value)
    };
    let days: Value = match posted.text("expires_in_days").parse::<u64>() {
        Ok(days) => json!(days),
        Err(_) => json!(posted.text("expires_in_days")),
    };
    let mut body = json!({
        "description": posted.text("description"),
        "expires_in_days": days,
        "certifications": "active",
        "include_new": posted.ticked("include_new"),
    });
    for name in ["display_name", "remarks"] {
        if let Some(value) = optional(name) {
            body[name] = json!(value);
        }
    }
    let answer = ctx
        .call(
            transcripts::handle,
            "POST",
            "/v1/candidate/transcripts",
            Some(body),
        )
        .await;
    after(ctx, &answer, text::TRANSCRIPT_CREATED).await
}

/// `POST /transcripts/{id}/email`: the link goes to `to`.
pub async fn email(ctx: &mut Ctx<'_>, posted: &Form, id: &str) -> Response<Body> {
    let path = format!("/v1/candidate/transcripts/{id}/emails");
    let answer = ctx
        .call(
            transcripts::handle,
            "POST",
            &path,
            Some(json!({ "to": posted.text("to") })),
        )
        .await;
    after(ctx, &answer, text::TRANSCRIPT_SENT).await
}

/// `POST /transcripts/{id}/delete`
pub async fn delete(ctx: &mut Ctx<'_>, id: &str) -> Response<Body> {
    let path = format!("/v1/candidate/transcripts/{id}");
    let answer = ctx.call(transcripts::handle, "DELETE", &path, None).await;
    after(ctx, &answer, text::TRANSCRIPT_DELETED).await
}

async fn after(ctx: &mut Ctx<'_>, answer: &tessera_web::Answer, done: &str) -> Response<Body> {
    if answer.is_success() {
        return show(ctx, &Problems::none(), Some(done)).await;
    }
    if answer.is_unauthenticated() || answer.status >= 500 {
        return ctx.unexpected(answer);
    }
    // The route names its own settings route; the page names the page.
    let problems = if answer.code() == "consent_required" {
        Problems::general(text::TRANSCRIPT_NEEDS_CONSENT)
    } else {
        Problems::from_answer(answer)
    };
    let page = show(ctx, &problems, None).await;
    with_status(page, answer.status)
}
