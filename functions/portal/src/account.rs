//! The profile: personal and company details (`GET`/`PATCH /v1/me`) and communication settings
//! (`GET`/`PUT /v1/me/communication-settings`). The email address is shown, not edited, with the
//! guide's explanation; a new one support set at the owner's request is confirmed here with the
//! code sent to it (`POST /v1/me/email-change/confirm`).

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_identity_routes::profile;
use tessera_web::countries::{country_menu, country_name};
use tessera_web::page::{
    form, notice, problem_summary, select, submit, with_status, Field, Problems,
};
use tessera_web::{text, Answer, Form};

use crate::Ctx;

/// `GET /account`
pub async fn profile_page(ctx: &mut Ctx<'_>) -> Response<Body> {
    show(ctx, &Problems::none(), None, None).await
}

/// The profile page; `entered` is a refused edit to show again instead of the stored profile.
async fn show(
    ctx: &mut Ctx<'_>,
    problems: &Problems,
    message: Option<&str>,
    entered: Option<&Form>,
) -> Response<Body> {
    let me = ctx.call(profile::handle, "GET", "/v1/me", None).await;
    if !me.is_success() {
        return ctx.unexpected(&me);
    }
    let settings = ctx
        .call(
            profile::handle,
            "GET",
            "/v1/me/communication-settings",
            None,
        )
        .await;
    if !settings.is_success() {
        return ctx.unexpected(&settings);
    }
    render(ctx, &me, &settings, problems, message, entered)
}

/// Why mail to the address stopped, in words.
fn suppression_reason(reason: &str) -> &'static str {
    match reason {
        "complaint" => text::SUPPRESSED_COMPLAINT,
        "soft_bounces" => text::SUPPRESSED_SOFT_BOUNCES,
        _ => text::SUPPRESSED_HARD_BOUNCE,
    }
}

fn render(
    ctx: &Ctx<'_>,
    me: &Answer,
    settings: &Answer,
    problems: &Problems,
    message: Option<&str>,
    entered: Option<&Form>,
) -> Response<Body> {
    let value = |field: &str| -> String {
        match entered {
            Some(posted) => posted.text(field),
            None => me
                .body
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }
    };
    let (first, last, country, company, job) = (
        value("first_name"),
        value("last_name"),
        value("country"),
        value("company"),
        value("job_title"),
    );
    let labels = [
        ("first_name", text::FIRST_NAME),
        ("last_name", text::LAST_NAME),
        ("country", text::COUNTRY),
        ("company", text::COMPANY),
        ("job_title", text::JOB_TITLE),
        ("code", text::EMAIL_CHANGE_CODE),
    ];
    let setting = |name: &str| settings.body[name] == true;
    let csrf = ctx.csrf();
    ctx.signed_in_page(
        text::PROFILE_TITLE,
        html! {
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels))
            dl.facts {
                dt { (text::EMAIL) } dd { (me.text("email")) }
                dt { (text::USERNAME) } dd { (me.text("username")) }
                dt { (text::COUNTRY) } dd { (country_name(me.text("country"))) }
            }
            p.hint { (text::EMAIL_CHANGE_NOTE) }
            @if let Some(reason) = me.body["email_suppressed"]["reason"].as_str() {
                div.notice role="status" {
                    p { (text::EMAIL_SUPPRESSED) " " (suppression_reason(reason)) }
                    p { (text::EMAIL_SUPPRESSED_HELP) }
                }
            }
            section aria-labelledby="personal" {
                h2 id="personal" { (text::PERSONAL) }
                (form("/account/profile", &csrf, html! {
                    (Field::new("first_name", text::FIRST_NAME, "text").value(&first)
                        .autocomplete("given-name").render(problems))
                    (Field::new("last_name", text::LAST_NAME, "text").value(&last)
                        .autocomplete("family-name").render(problems))
                    (select("country", text::COUNTRY, &country_menu(), &country, problems))
                    h3 { (text::COMPANY_DETAILS) }
                    (Field::new("company", text::COMPANY, "text").value(&company)
                        .autocomplete("organization").optional().render(problems))
                    (Field::new("job_title", text::JOB_TITLE, "text").value(&job)
                        .autocomplete("organization-title").optional().render(problems))
                    (submit(text::SAVE))
                }))
            }
            section aria-labelledby="communication" {
                h2 id="communication" { (text::COMMUNICATION) }
                p { (text::COMMUNICATION_INTRO) }
                (form("/account/communication-settings", &csrf, html! {
                    @for (name, label) in [
                        ("product_updates", text::PRODUCT_UPDATES),
                        ("newsletters", text::NEWSLETTERS),
                        ("event_invitations", text::EVENT_INVITATIONS),
                    ] {
                        div.field {
                            label.check {
                                input type="checkbox" name=(name) value="yes" checked[setting(name)];
                                " " (label)
                            }
                        }
                    }
                    (submit(text::SAVE))
                }))
            }
            section aria-labelledby="email-change" {
                h2 id="email-change" { (text::EMAIL_CHANGE_CONFIRM_TITLE) }
                p { (text::EMAIL_CHANGE_CONFIRM_HINT) }
                (form("/account/email-change", &csrf, html! {
                    (Field::code("code", text::EMAIL_CHANGE_CODE).render(problems))
                    (submit(text::EMAIL_CHANGE_CONFIRM))
                }))
            }
        },
    )
    .into_response()
}

/// `POST /account/profile`: `PATCH /v1/me` with the personal and company fields.
pub async fn edit_profile(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let optional = |field: &str| {
        let value = posted.text(field);
        if value.is_empty() {
            Value::Null
        } else {
            Value::String(value)
        }
    };
    let body = json!({
        "first_name": posted.text("first_name"),
        "last_name": posted.text("last_name"),
        "country": posted.text("country"),
        "company": optional("company"),
        "job_title": optional("job_title"),
    });
    let answer = ctx
        .call(profile::handle, "PATCH", "/v1/me", Some(body))
        .await;
    match answer.status {
        200 => show(ctx, &Problems::none(), Some(text::SAVED), None).await,
        400 | 422 => {
            let page = show(ctx, &Problems::from_answer(&answer), None, Some(posted)).await;
            with_status(page, answer.status)
        }
        _ => ctx.unexpected(&answer),
    }
}

/// `POST /account/communication-settings`: `PUT /v1/me/communication-settings` (an unticked box
/// is a "no").
pub async fn edit_communication(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let body = json!({
        "product_updates": posted.ticked("product_updates"),
        "newsletters": posted.ticked("newsletters"),
        "event_invitations": posted.ticked("event_invitations"),
    });
    let answer = ctx
        .call(
            profile::handle,
            "PUT",
            "/v1/me/communication-settings",
            Some(body),
        )
        .await;
    match answer.status {
        200 => show(ctx, &Problems::none(), Some(text::SAVED), None).await,
        _ => ctx.unexpected(&answer),
    }
}

/// `POST /account/email-change`: the code support's change sent to the new address; the profile
/// again, with the new sign-in address.
pub async fn confirm_email_change(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let body = json!({ "code": posted.text("code") });
    let answer = ctx
        .call(
            profile::handle,
            "POST",
            "/v1/me/email-change/confirm",
            Some(body),
        )
        .await;
    match answer.status {
        200 => {
            let message = format!("{} {}", text::EMAIL_CHANGED, answer.text("email"));
            show(ctx, &Problems::none(), Some(&message), None).await
        }
        400 | 404 | 409 | 422 | 429 => {
            let problems = Problems::from_answer(&answer).moved_to("code");
            let page = show(ctx, &problems, None, None).await;
            with_status(page, answer.status)
        }
        _ => ctx.unexpected(&answer),
    }
}
