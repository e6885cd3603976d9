//! Transcripts: the ones made (link, views, last view, expiry, where to share it), a new one (of
//! every active certification), its link emailed to someone, one edited (its link and views
//! kept), and deleting one (its link stops opening). Both the new and the edit forms carry the
//! display options (dates, candidate ID, location, address lines); each transcript links to a
//! preview of the email before it is sent. Each form's fields have ids of their own
//! (`new-…`, `email-{id}-…`, `edit-{id}-…`), and a refusal is shown at the form that was sent.

use lambda_http::{Body, Response};
use maud::{html, Markup};
use serde_json::{json, Value};
use tessera_certification_routes::transcripts;
use tessera_web::page::{
    certification_tabs, form, notice, problem_summary_in, submit, with_status, Field, Problems,
};
use tessera_web::{text, Form};

use crate::{records, Ctx};

/// `GET /transcripts`
pub async fn page(ctx: &mut Ctx<'_>) -> Response<Body> {
    show(ctx, None, None).await
}

/// The form a refusal belongs to: the new transcript's (`new`), or one transcript's email or
/// edit form (`email-{id}`, `edit-{id}`); its fields' ids start with that name.
struct Refused<'a> {
    form: String,
    problems: &'a Problems,
}

const LABELS: &[(&str, &str)] = &[
    ("description", text::DESCRIPTION),
    ("display_name", text::DISPLAY_NAME),
    ("remarks", text::REMARKS),
    ("expires_in_days", text::EXPIRES_IN_DAYS),
    ("address_lines", text::ADDRESS_LINES),
    ("to", text::EMAIL_TO),
];

/// The display options' checkboxes, as the route names them.
const SHOW: [(&str, &str); 3] = [
    ("show_dates", text::SHOW_DATES),
    ("show_candidate_id", text::SHOW_CANDIDATE_ID),
    ("show_location", text::SHOW_LOCATION),
];

/// The display options of a form whose fields' ids start with `prefix`, ticked as `current`
/// (a transcript's answer; a new transcript's defaults otherwise).
fn display_options(prefix: &str, current: Option<&Value>, problems: &Problems) -> Markup {
    let ticked = |key: &str| match current {
        Some(t) => t[key] == true,
        None => key != "show_candidate_id",
    };
    let lines = current
        .and_then(|t| t["address_lines"].as_array())
        .map(|lines| {
            let lines: Vec<&str> = lines.iter().filter_map(Value::as_str).collect();
            lines.join("\n")
        })
        .unwrap_or_default();
    html! {
        fieldset {
            legend { (text::DISPLAY_OPTIONS) }
            @for (name, label) in SHOW {
                div.field {
                    label.check {
                        input type="checkbox" name=(name) value="yes" checked[ticked(name)]; " " (label)
                    }
                }
            }
            (Field::new("address_lines", text::ADDRESS_LINES, "textarea").value(&lines)
                .hint(text::ADDRESS_LINES_HINT).optional().in_form(prefix).render(problems))
        }
    }
}

/// The display options a form posted, as the route takes them.
fn posted_display(posted: &Form, body: &mut Value) {
    for (name, _) in SHOW {
        body[name] = json!(posted.ticked(name));
    }
    let lines: Vec<String> = posted
        .text("address_lines")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect();
    body["address_lines"] = json!(lines);
}

async fn show(
    ctx: &mut Ctx<'_>,
    refused: Option<Refused<'_>>,
    message: Option<&str>,
) -> Response<Body> {
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
    let list = answer.body["transcripts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let csrf = ctx.csrf();
    let problems_at = |form: &str| match &refused {
        Some(r) if r.form == form => r.problems.clone(),
        _ => Problems::none(),
    };
    let summary = match &refused {
        Some(r) => problem_summary_in(r.problems, LABELS, &format!("{}-", r.form)),
        None => html! {},
    };
    let new_problems = problems_at("new");
    ctx.signed_in_page(
        text::TRANSCRIPTS,
        html! {
            (certification_tabs("/transcripts"))
            @if let Some(message) = message { (notice(message)) }
            (summary)
            p { (text::TRANSCRIPTS_INTRO) }
            @if list.is_empty() { p { (text::NO_TRANSCRIPTS) } }
            @for t in &list {
                (transcript_section(t, &csrf, &problems_at))
            }
            section aria-labelledby="new-transcript" {
                h2 id="new-transcript" { (text::NEW_TRANSCRIPT) }
                (form("/transcripts", &csrf, html! {
                    (Field::new("description", text::DESCRIPTION, "text").hint(text::DESCRIPTION_HINT).in_form("new-").render(&new_problems))
                    (Field::new("display_name", text::DISPLAY_NAME, "text").optional().in_form("new-").render(&new_problems))
                    (Field::new("remarks", text::REMARKS, "text").optional().in_form("new-").render(&new_problems))
                    (Field::new("expires_in_days", text::EXPIRES_IN_DAYS, "text").value("90").in_form("new-").render(&new_problems))
                    div.field {
                        label.check {
                            input type="checkbox" name="include_new" value="yes" checked; " " (text::INCLUDE_NEW)
                        }
                    }
                    (display_options("new-", None, &new_problems))
                    (submit(text::CREATE))
                }))
            }
        },
    )
    .into_response()
}

/// One transcript: its link, views and expiry, where to share it, and its forms (email the link,
/// edit it, delete it). The edit form stays folded until it is wanted or was refused.
fn transcript_section(t: &Value, csrf: &str, problems_at: &dyn Fn(&str) -> Problems) -> Markup {
    let id = t["id"].as_str().unwrap_or_default();
    let url = t["url"].as_str().unwrap_or_default();
    let value = |key: &str| t[key].as_str().unwrap_or_default().to_string();
    let description = value("description");
    let (email_form, edit_form) = (format!("email-{id}"), format!("edit-{id}"));
    let (email_prefix, edit_prefix) = (format!("{email_form}-"), format!("{edit_form}-"));
    let (email_problems, edit_problems) = (problems_at(&email_form), problems_at(&edit_form));
    html! {
        section.transcript aria-label=(description) {
            h2 { (description) }
            dl.facts {
                dt { (text::LINK) } dd { a href=(url) { (url) } }
                dt { (text::VIEWS) } dd { (t["views"].as_u64().unwrap_or_default()) }
                dt { (text::LAST_VIEWED) } dd {
                    @match t["last_viewed"].as_str() {
                        Some(at) => (at.get(..10).unwrap_or_default()),
                        None => (text::NOT_VIEWED),
                    }
                }
                dt { (text::EXPIRES) } dd {
                    (value("expires_at").get(..10).unwrap_or_default())
                    @if t["expired"] == true { " (" (text::EXPIRED) ")" }
                }
            }
            p.share {
                (text::SHARE) ": "
                @for (i, (key, label)) in text::SHARE_NETWORKS.iter().enumerate() {
                    @if i > 0 { " · " }
                    a href=(t["share"][*key].as_str().unwrap_or_default()) rel="noopener noreferrer" { (label) }
                }
            }
            (form(&format!("/transcripts/{id}/email"), csrf, html! {
                (Field::new("to", text::EMAIL_TO, "email").in_form(&email_prefix).render(&email_problems))
                button.secondary type="submit" { (text::SEND) }
            }))
            p { a href=(format!("/transcripts/{id}/email-preview")) { (text::PREVIEW_EMAIL) } }
            details open[!edit_problems.is_empty()] {
                summary { (text::EDIT_TRANSCRIPT) }
                (form(&format!("/transcripts/{id}/edit"), csrf, html! {
                    (Field::new("description", text::DESCRIPTION, "text").value(&description).in_form(&edit_prefix).render(&edit_problems))
                    (Field::new("display_name", text::DISPLAY_NAME, "text").value(&value("display_name")).optional().in_form(&edit_prefix).render(&edit_problems))
                    (Field::new("remarks", text::REMARKS, "text").value(&value("remarks")).optional().in_form(&edit_prefix).render(&edit_problems))
                    (Field::new("expires_in_days", text::EXPIRES_IN_DAYS, "text").hint(text::EXPIRES_KEEP_HINT).optional().in_form(&edit_prefix).render(&edit_problems))
                    div.field {
                        label.check {
                            input type="checkbox" name="include_new" value="yes" checked[t["include_new"] == true]; " " (text::INCLUDE_NEW)
                        }
                    }
                    (display_options(&edit_prefix, Some(t), &edit_problems))
                    (submit(text::SAVE))
                }))
            }
            (form(&format!("/transcripts/{id}/delete"), csrf, html! {
                button.secondary type="submit" { (text::DELETE) }
            }))
        }
    }
}

/// A number of days as the route takes it: a number, or the text as typed (refused with a 422
/// that names the field).
fn days(raw: &str) -> Value {
    match raw.trim().parse::<u64>() {
        Ok(days) => json!(days),
        Err(_) => json!(raw),
    }
}

/// `POST /transcripts`: a transcript of every active certification.
pub async fn create(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let optional = |name: &str| {
        let value = posted.text(name);
        (!value.is_empty()).then_some(value)
    };
    let mut body = json!({
        "description": posted.text("description"),
        "expires_in_days": days(&posted.text("expires_in_days")),
        "certifications": "active",
        "include_new": posted.ticked("include_new"),
    });
    posted_display(posted, &mut body);
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
    after(ctx, &answer, "new", text::TRANSCRIPT_CREATED).await
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
    after(ctx, &answer, &format!("email-{id}"), text::TRANSCRIPT_SENT).await
}

/// `POST /transcripts/{id}/edit`: the fields given change (an empty number of days keeps the
/// expiry; views and the link are kept).
pub async fn edit(ctx: &mut Ctx<'_>, posted: &Form, id: &str) -> Response<Body> {
    let mut body = json!({
        "description": posted.text("description"),
        "remarks": posted.text("remarks"),
        "include_new": posted.ticked("include_new"),
    });
    posted_display(posted, &mut body);
    let display_name = posted.text("display_name");
    if !display_name.trim().is_empty() {
        body["display_name"] = json!(display_name);
    }
    let expires = posted.text("expires_in_days");
    if !expires.trim().is_empty() {
        body["expires_in_days"] = days(&expires);
    }
    let path = format!("/v1/candidate/transcripts/{id}");
    let answer = ctx
        .call(transcripts::handle, "PATCH", &path, Some(body))
        .await;
    after(ctx, &answer, &format!("edit-{id}"), text::TRANSCRIPT_SAVED).await
}

/// `GET /transcripts/{id}/email-preview`: the email as the recipient would get it (its subject
/// and text), with the way back to the form that sends it.
pub async fn email_preview(ctx: &mut Ctx<'_>, id: &str) -> Response<Body> {
    let path = format!("/v1/candidate/transcripts/{id}/email-preview");
    let answer = ctx.call(transcripts::handle, "GET", &path, None).await;
    if answer.code() == "not_mapped" {
        return records::mapping_page(ctx, &Problems::none(), None);
    }
    if answer.status == 404 {
        return tessera_web::request::not_found();
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    ctx.signed_in_page(
        text::EMAIL_PREVIEW_TITLE,
        html! {
            (certification_tabs("/transcripts"))
            p { (text::EMAIL_PREVIEW_INTRO) }
            dl.facts {
                dt { (text::SUBJECT) } dd { (answer.text("subject")) }
            }
            pre.email-preview { (answer.text("text")) }
            p { a href="/transcripts" { (text::BACK_TO_TRANSCRIPTS) } }
        },
    )
    .into_response()
}

/// `POST /transcripts/{id}/delete`
pub async fn delete(ctx: &mut Ctx<'_>, id: &str) -> Response<Body> {
    let path = format!("/v1/candidate/transcripts/{id}");
    let answer = ctx.call(transcripts::handle, "DELETE", &path, None).await;
    after(
        ctx,
        &answer,
        &format!("delete-{id}"),
        text::TRANSCRIPT_DELETED,
    )
    .await
}

/// The page after a form (named `form`) was sent: saying it was done, or what went wrong at it.
async fn after(
    ctx: &mut Ctx<'_>,
    answer: &tessera_web::Answer,
    form: &str,
    done: &str,
) -> Response<Body> {
    if answer.is_success() {
        return show(ctx, None, Some(done)).await;
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
    let refused = Refused {
        form: form.to_string(),
        problems: &problems,
    };
    let page = show(ctx, Some(refused), None).await;
    with_status(page, answer.status)
}
