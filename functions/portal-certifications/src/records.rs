//! The record itself: linking the account to it the first time (by the emailed code or the score
//! report), and the personal info screen (identifiers, the five settings, attributes).

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_certification_routes::{mapping, personal_info};
use tessera_web::form::query_value;
use tessera_web::page::{
    certification_tabs, form, notice, problem_summary, redirect, submit, with_status, yes_no,
    Field, Problems,
};
use tessera_web::{text, Form};

use crate::Ctx;

/// The mapping page: both ways in, as the guide shows them.
pub fn mapping_page(ctx: &Ctx<'_>, problems: &Problems, message: Option<&str>) -> Response<Body> {
    let labels = [
        ("email", text::EMAIL),
        ("last_name", text::LAST_NAME),
        ("registration_number", text::REGISTRATION_NUMBER),
        ("new_email", text::NEW_EMAIL),
    ];
    let csrf = ctx.csrf();
    ctx.signed_in_page(
        text::MAPPING_TITLE,
        html! {
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels))
            p { (text::MAPPING_INTRO) }
            section aria-labelledby="by-email" {
                h2 id="by-email" { (text::BY_EMAIL) }
                p { (text::BY_EMAIL_INTRO) }
                (form("/mapping", &csrf, html! {
                    input type="hidden" name="method" value="email";
                    (Field::new("email", text::EMAIL, "email").autocomplete("email").render(problems))
                    (submit(text::SUBMIT))
                }))
            }
            section aria-labelledby="by-score-report" {
                h2 id="by-score-report" { (text::BY_SCORE_REPORT) }
                p { (text::BY_SCORE_REPORT_INTRO) }
                (form("/mapping", &csrf, html! {
                    input type="hidden" name="method" value="score_report";
                    (Field::new("last_name", text::LAST_NAME, "text").autocomplete("family-name").render(problems))
                    (Field::new("registration_number", text::REGISTRATION_NUMBER, "text").render(problems))
                    (Field::new("new_email", text::NEW_EMAIL, "email").autocomplete("email").render(problems))
                    (submit(text::SUBMIT))
                }))
            }
        },
    )
    .into_response()
}

fn code_page(ctx: &Ctx<'_>, message: &str, problems: &Problems) -> Response<Body> {
    code_page_with(ctx, message, "", problems)
}

fn code_page_with(ctx: &Ctx<'_>, message: &str, code: &str, problems: &Problems) -> Response<Body> {
    ctx.signed_in_page(
        text::MAPPING_TITLE,
        html! {
            (problem_summary(problems, &[("code", text::MAPPING_CODE)]))
            (notice(message))
            (form("/mapping/confirm", &ctx.csrf(), html! {
                (Field::code("code", text::MAPPING_CODE).value(code).autofocus().render(problems))
                (submit(text::VERIFY))
            }))
        },
    )
    .into_response()
}

/// `GET /mapping/confirm?code=`: the emailed link, which opens the code form with the code filled
/// in. Opening it confirms nothing (mail scanners open links); the person confirms with the
/// button. Signed out, the log-in page comes first and brings the person back here.
pub fn confirm_mapping_page(ctx: &mut Ctx<'_>) -> Response<Body> {
    if ctx.visit.session().is_none() {
        return ctx.log_in_first();
    }
    let code = query_value(ctx.request, "code").unwrap_or_default();
    code_page_with(ctx, text::MAPPING_LINK_OPENED, &code, &Problems::none())
}

/// `POST /mapping`: `POST /v1/candidate/mapping` by email (a code goes out) or by score report
/// (mapped at once; the new address confirms by code).
pub async fn map(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let body = if posted.get("method") == Some("score_report") {
        json!({
            "method": "score_report",
            "last_name": posted.text("last_name"),
            "registration_number": posted.text("registration_number"),
            "new_email": posted.text("new_email"),
        })
    } else {
        json!({ "method": "email", "email": posted.text("email") })
    };
    let answer = ctx
        .call(mapping::handle, "POST", "/v1/candidate/mapping", Some(body))
        .await;
    match answer.status {
        202 => code_page(ctx, text::MAPPING_CODE_SENT, &Problems::none()),
        200 if answer.body["email_confirmation_sent"] == true => {
            code_page(ctx, text::MAPPED_CONFIRM_EMAIL, &Problems::none())
        }
        200 => redirect("/certifications"),
        400 | 404 | 409 | 422 | 429 => with_status(
            mapping_page(ctx, &Problems::from_answer(&answer), None),
            answer.status,
        ),
        _ => ctx.unexpected(&answer),
    }
}

/// `POST /mapping/confirm`: the emailed code completes the mapping (or proves the new address).
pub async fn confirm_mapping(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let answer = ctx
        .call(
            mapping::handle,
            "POST",
            "/v1/candidate/mapping/confirm",
            Some(json!({ "code": posted.text("code") })),
        )
        .await;
    match answer.status {
        200 => redirect("/certifications"),
        400 | 409 | 422 | 429 => {
            let problems = Problems::from_answer(&answer).moved_to("code");
            with_status(
                code_page(ctx, text::MAPPING_CODE_SENT, &problems),
                answer.status,
            )
        }
        _ => ctx.unexpected(&answer),
    }
}

const SETTINGS: [(&str, &str); 5] = [
    ("employee", text::SETTING_EMPLOYEE),
    ("partner", text::SETTING_PARTNER),
    ("email_notifications", text::SETTING_EMAIL_NOTIFICATIONS),
    ("academy_student", text::SETTING_ACADEMY),
    ("verification_consent", text::SETTING_CONSENT),
];

/// `GET /personal-info`
pub async fn personal_info(ctx: &mut Ctx<'_>) -> Response<Body> {
    show(ctx, &Problems::none(), None).await
}

async fn show(ctx: &mut Ctx<'_>, problems: &Problems, message: Option<&str>) -> Response<Body> {
    let answer = ctx
        .call(personal_info::handle, "GET", "/v1/candidate", None)
        .await;
    if answer.code() == "not_mapped" {
        return mapping_page(ctx, &Problems::none(), None);
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    let ids = &answer.body["identifiers"];
    let settings = &answer.body["settings"];
    let attributes = &answer.body["attributes"];
    let csrf = ctx.csrf();
    let testing_ids: Vec<String> = match &ids["testing_ids"] {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
            .collect(),
        Value::Array(list) => list.iter().map(|v| v.to_string()).collect(),
        _ => Vec::new(),
    };
    let mut labels: Vec<(&str, &str)> = SETTINGS.to_vec();
    labels.push(("verification_consent_version", text::SETTING_CONSENT));
    labels.push(("job_title", text::JOB_TITLE));
    ctx.signed_in_page(
        text::PERSONAL_INFO,
        html! {
            (certification_tabs("/personal-info"))
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels))
            section aria-labelledby="settings" {
                h2 id="settings" { (text::SETTINGS) }
                p.hint { (text::SETTINGS_INTRO) }
                (form("/personal-info/settings", &csrf, html! {
                    @for (name, question) in SETTINGS {
                        @if name == "verification_consent" {
                            @let consent = &answer.body["consents"]["verification_consent"];
                            blockquote.consent id="consent-text" { (consent["text"].as_str().unwrap_or_default()) }
                            input type="hidden" name="verification_consent_version"
                                value=(consent["version"].as_u64().unwrap_or_default());
                            @if answer.body["verification_consent_current"] == false {
                                p.hint { (text::CONSENT_TEXT_CHANGED) }
                            }
                        }
                        (yes_no(name, question, settings[name].as_bool(), problems))
                    }
                    (submit(text::SAVE))
                }))
            }
            section aria-labelledby="attributes" {
                h2 id="attributes" { (text::ATTRIBUTES) }
                (form("/personal-info/attributes", &csrf, html! {
                    (Field::new("job_title", text::JOB_TITLE, "text")
                        .value(attributes["job_title"].as_str().unwrap_or_default())
                        .autocomplete("organization-title").optional().render(problems))
                    (submit(text::SAVE))
                }))
                @if let Some(numbers) = attributes["credential_numbers"].as_object().filter(|m| !m.is_empty()) {
                    h3 { (text::CREDENTIAL_NUMBERS) }
                    dl.facts { @for (k, v) in numbers { dt { (k) } dd { (v.as_str().unwrap_or_default()) } } }
                }
            }
            section aria-labelledby="identifiers" {
                h2 id="identifiers" { (text::IDENTIFIERS) }
                p { (text::IDENTIFIERS_INTRO) }
                dl.facts {
                    dt { (text::LOGIN_ID) } dd { (ids["login_id"].as_str().unwrap_or_default()) }
                    dt { (text::CANDIDATE_ID) } dd { (ids["candidate_id"].as_str().unwrap_or_default()) }
                    dt { (text::BADGING_EMAIL) } dd { (ids["badging_email"].as_str().unwrap_or_default()) }
                    dt { (text::TESTING_IDS) } dd { (testing_ids.join(", ")) }
                }
            }
        },
    )
    .into_response()
}

/// `POST /personal-info/settings`: all five answers (`PUT /v1/candidate/settings`); one left
/// unanswered is the route's 422 at its question.
pub async fn settings(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let mut body = serde_json::Map::new();
    for (name, _) in SETTINGS {
        let answer = match posted.get(name) {
            Some("yes") => json!(true),
            Some("no") => json!(false),
            _ => Value::Null,
        };
        body.insert(name.to_string(), answer);
    }
    // The version of the consent text the form showed: an answer to an older one is refused.
    if let Ok(version) = posted.text("verification_consent_version").parse::<u32>() {
        body.insert("verification_consent_version".into(), json!(version));
    }
    let answer = ctx
        .call(
            personal_info::handle,
            "PUT",
            "/v1/candidate/settings",
            Some(Value::Object(body)),
        )
        .await;
    saved(ctx, &answer).await
}

/// `POST /personal-info/attributes`: the job title (`PATCH /v1/candidate/attributes`).
pub async fn attributes(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let job = posted.text("job_title");
    let job = if job.is_empty() {
        Value::Null
    } else {
        json!(job)
    };
    let answer = ctx
        .call(
            personal_info::handle,
            "PATCH",
            "/v1/candidate/attributes",
            Some(json!({ "job_title": job })),
        )
        .await;
    saved(ctx, &answer).await
}

async fn saved(ctx: &mut Ctx<'_>, answer: &tessera_web::Answer) -> Response<Body> {
    match answer.status {
        200 => show(ctx, &Problems::none(), Some(text::SAVED)).await,
        400 | 422 => {
            let page = show(ctx, &Problems::from_answer(answer), None).await;
            with_status(page, answer.status)
        }
        _ => ctx.unexpected(answer),
    }
}
