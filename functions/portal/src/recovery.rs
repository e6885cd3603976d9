//! Forgot password (by email or text message, then the authenticator's code when one is enrolled)
//! and forgot email (by username and password, or by the last known address). Every answer is
//! the route's, so these pages say no more about an account than the API does.

use lambda_http::{Body, Response};
use maud::html;
use serde_json::json;
use tessera_identity_routes::{email_reminders, password_reset};
use tessera_web::page::{
    form, notice, password_checklist, problem_summary, submit, with_status, Field, Page, Problems,
};
use tessera_web::{text, Form};

use crate::{password_rules, sign_in, Ctx};

/// `GET /forgot-password`
pub fn forgot_password_page(ctx: &mut Ctx<'_>) -> Response<Body> {
    start_page(ctx, "", &Problems::none())
}

fn start_page(ctx: &Ctx<'_>, email: &str, problems: &Problems) -> Response<Body> {
    let labels = [("email", text::EMAIL), ("channel", text::RESET_CHANNEL)];
    Page::new(
        text::FORGOT_PASSWORD_TITLE,
        html! {
            (problem_summary(problems, &labels))
            p { (text::FORGOT_PASSWORD_INTRO) }
            (form("/forgot-password", &ctx.csrf(), html! {
                (Field::new("email", text::EMAIL, "email").value(email)
                    .autocomplete("username").render(problems))
                fieldset.field {
                    legend { (text::RESET_CHANNEL) }
                    div.choices {
                        label { input type="radio" name="channel" value="email" checked; " " (text::RESET_BY_EMAIL) }
                        label { input type="radio" name="channel" value="sms"; " " (text::RESET_BY_SMS) }
                    }
                }
                (submit(text::SEND_CODE))
            }))
            p { a href="/" { (text::SIGN_IN) } }
        },
    )
    .into_response()
}

fn code_page(ctx: &Ctx<'_>, email: &str, problems: &Problems) -> Response<Body> {
    let labels = [("code", text::VERIFICATION_CODE)];
    Page::new(
        text::FORGOT_PASSWORD_TITLE,
        html! {
            (problem_summary(problems, &labels))
            @if problems.is_empty() { (notice(text::RESET_CODE_SENT)) }
            (form("/forgot-password/verify", &ctx.csrf(), html! {
                input type="hidden" name="email" value=(email);
                p { (text::EMAIL) ": " strong { (email) } }
                (Field::code("code", text::VERIFICATION_CODE).render(problems))
                (submit(text::VERIFY))
            }))
            p { a href="/forgot-password" { (text::SEND_CODE) } }
        },
    )
    .into_response()
}

fn new_password_page(
    ctx: &Ctx<'_>,
    reset_token: &str,
    mfa_required: bool,
    problems: &Problems,
) -> Response<Body> {
    let labels = [
        ("new_password", text::NEW_PASSWORD),
        ("confirm_password", text::CONFIRM_PASSWORD),
        ("mfa_code", text::AUTHENTICATOR_CODE),
    ];
    Page::new(
        text::NEW_PASSWORD_TITLE,
        html! {
            (problem_summary(problems, &labels))
            (form("/forgot-password/complete", &ctx.csrf(), html! {
                input type="hidden" name="reset_token" value=(reset_token);
                @if mfa_required { input type="hidden" name="mfa_required" value="yes"; }
                (Field::new("new_password", text::NEW_PASSWORD, "password")
                    .autocomplete("new-password").render(problems))
                (password_checklist("new_password", &password_rules(ctx)))
                (Field::new("confirm_password", text::CONFIRM_PASSWORD, "password")
                    .autocomplete("new-password").render(problems))
                @if mfa_required {
                    (Field::code("mfa_code", text::AUTHENTICATOR_CODE)
                        .hint(text::RESET_MFA_HINT).render(problems))
                }
                (submit(text::RESET_PASSWORD))
            }))
        },
    )
    .into_response()
}

/// `POST /forgot-password`: `POST /v1/password-resets` (202 whatever the address).
pub async fn send_reset_code(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let email = posted.text("email");
    let channel = if posted.get("channel") == Some("sms") {
        "sms"
    } else {
        "email"
    };
    let answer = ctx
        .call(
            password_reset::handle,
            "POST",
            "/v1/password-resets",
            Some(json!({ "email": email, "channel": channel })),
        )
        .await;
    match answer.status {
        202 => code_page(ctx, &email, &Problems::none()),
        400 | 422 | 429 => with_status(
            start_page(ctx, &email, &Problems::from_answer(&answer)),
            answer.status,
        ),
        _ => ctx.unexpected(&answer),
    }
}

/// `POST /forgot-password/verify`: `POST /v1/password-resets/verify`; then the new password.
pub async fn verify_reset_code(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let email = posted.text("email");
    let answer = ctx
        .call(
            password_reset::handle,
            "POST",
            "/v1/password-resets/verify",
            Some(json!({ "email": email, "code": posted.text("code") })),
        )
        .await;
    match answer.status {
        200 => new_password_page(
            ctx,
            answer.text("reset_token"),
            answer.body["mfa_required"] == true,
            &Problems::none(),
        ),
        400 | 422 | 429 => with_status(
            code_page(
                ctx,
                &email,
                &Problems::from_answer(&answer).moved_to("code"),
            ),
            answer.status,
        ),
        _ => ctx.unexpected(&answer),
    }
}

/// `POST /forgot-password/complete`: `POST /v1/password-resets/complete`; every session ends, and
/// the person logs in with the new password.
pub async fn complete_reset(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let reset_token = posted.text("reset_token");
    let mfa_required = posted.ticked("mfa_required");
    let mut body = json!({
        "reset_token": reset_token,
        "new_password": posted.get("new_password").unwrap_or_default(),
        "confirm_password": posted.get("confirm_password").unwrap_or_default(),
    });
    if mfa_required {
        body["mfa_code"] = json!(posted.text("mfa_code"));
    }
    let answer = ctx
        .call(
            password_reset::handle,
            "POST",
            "/v1/password-resets/complete",
            Some(body),
        )
        .await;
    match answer.status {
        204 => {
            ctx.visit.end_session();
            sign_in::email_step(ctx, "", &Problems::none(), Some(text::PASSWORD_RESET_DONE))
        }
        400 if answer.code() == "invalid_reset_token" => {
            with_status(start_page(ctx, "", &Problems::from_answer(&answer)), 400)
        }
        400 | 401 | 422 | 429 => {
            // The route asks for a (right) code in API terms; the page says it at the field.
            let problems = if answer.code() == "mfa_code_required" {
                Problems::none().field("mfa_code", text::RESET_MFA_WRONG)
            } else {
                Problems::from_answer(&answer)
            };
            with_status(
                new_password_page(ctx, &reset_token, mfa_required, &problems),
                answer.status,
            )
        }
        _ => ctx.unexpected(&answer),
    }
}

/// `GET /forgot-email`
pub fn forgot_email_page(ctx: &mut Ctx<'_>) -> Response<Body> {
    forgot_email(ctx, &Problems::none(), "")
}

fn forgot_email(ctx: &Ctx<'_>, problems: &Problems, username: &str) -> Response<Body> {
    let labels = [
        ("username", text::USERNAME),
        ("password", text::PASSWORD),
        ("email", text::LAST_EMAIL),
    ];
    let csrf = ctx.csrf();
    Page::new(
        text::FORGOT_EMAIL_TITLE,
        html! {
            (problem_summary(problems, &labels))
            p { (text::FORGOT_EMAIL_INTRO) }
            section aria-labelledby="by-username" {
                h2 id="by-username" { (text::BY_USERNAME) }
                (form("/forgot-email", &csrf, html! {
                    (Field::new("username", text::USERNAME, "text").value(username)
                        .autocomplete("username").render(problems))
                    (Field::new("password", text::PASSWORD, "password")
                        .autocomplete("current-password").render(problems))
                    (submit(text::SHOW_MY_EMAIL))
                }))
            }
            section aria-labelledby="by-email" {
                h2 id="by-email" { (text::BY_LAST_EMAIL) }
                (form("/forgot-email", &csrf, html! {
                    (Field::new("email", text::LAST_EMAIL, "email").render(problems))
                    (submit(text::SEND_REMINDER))
                }))
            }
            p { a href="/" { (text::SIGN_IN) } }
        },
    )
    .into_response()
}

/// `POST /forgot-email`: `POST /v1/email-reminders`, by username and password or by address.
pub async fn remind_email(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let by_username = posted.has("username");
    let body = if by_username {
        json!({ "username": posted.text("username"), "password": posted.get("password").unwrap_or_default() })
    } else {
        json!({ "email": posted.text("email") })
    };
    let answer = ctx
        .call(
            email_reminders::handle,
            "POST",
            "/v1/email-reminders",
            Some(body),
        )
        .await;
    let shown = |main: maud::Markup| Page::new(text::FORGOT_EMAIL_TITLE, main).into_response();
    match answer.status {
        200 => shown(html! {
            p { (text::YOUR_EMAIL_IS) " " strong { (answer.text("email")) } }
            p { (text::REMINDER_EMAILED) }
            p { a href="/" { (text::SIGN_IN) } }
        }),
        202 => shown(html! {
            (notice(if by_username { text::REMINDER_MFA } else { text::REMINDER_SENT }))
            p { a href="/" { (text::SIGN_IN) } }
        }),
        400 | 401 | 422 | 429 => with_status(
            forgot_email(
                ctx,
                &Problems::from_answer(&answer),
                &posted.text("username"),
            ),
            answer.status,
        ),
        _ => ctx.unexpected(&answer),
    }
}
