//! The security tab: change password (and be logged out), the authenticator on and off (its QR
//! code, then the recovery codes shown once), and the mobile number for resets by text message.
//! Accounts that sign in through their organisation see only the guide's note.

use lambda_http::{Body, Response};
use maud::{html, Markup};
use serde_json::json;
use tessera_identity_routes::{mfa, password_change, phone, profile};
use tessera_web::countries::country_name;
use tessera_web::page::{
    form, notice, password_checklist, problem_summary, submit, with_status, Field, Problems,
};
use tessera_web::{text, Answer, Form};

use crate::{password_rules, sign_in, Ctx};

/// What the security page shows besides its three sections: a notice, or a step in progress.
enum Step<'s> {
    Overview,
    /// The authenticator's QR code and key, waiting for its first code.
    ScanCode {
        qr_png_base64: &'s str,
        secret: &'s str,
    },
    /// A code went to the new number.
    PhoneCodeSent,
}

/// `GET /account/security`
pub async fn page(ctx: &mut Ctx<'_>) -> Response<Body> {
    show(ctx, &Problems::none(), None, Step::Overview).await
}

async fn show(
    ctx: &mut Ctx<'_>,
    problems: &Problems,
    message: Option<&str>,
    step: Step<'_>,
) -> Response<Body> {
    let me = ctx.call(profile::handle, "GET", "/v1/me", None).await;
    if !me.is_success() {
        return ctx.unexpected(&me);
    }
    let csrf = ctx.csrf();
    let menu = phone_country_menu(ctx).await;
    let main = if me.body["federated"] == true {
        html! { p { (text::FEDERATED_NOTE) } }
    } else {
        html! {
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels()))
            (password_section(ctx, &csrf, problems))
            (authenticator_section(&me, &csrf, problems, &step))
            (phone_section(&me, &csrf, problems, &step, &menu))
        }
    };
    ctx.signed_in_page(text::SECURITY_TITLE, main)
        .into_response()
}

fn labels() -> [(&'static str, &'static str); 10] {
    [
        ("current_password", text::CURRENT_PASSWORD),
        ("new_password", text::NEW_PASSWORD),
        ("confirm_password", text::CONFIRM_PASSWORD),
        ("password", text::PASSWORD),
        ("code", text::AUTHENTICATOR_CODE),
        ("phone", text::PHONE_NUMBER),
        ("country", text::PHONE_COUNTRY),
        ("phone_code", text::VERIFICATION_CODE),
        ("phone-password", text::PASSWORD),
        ("remove-password", text::PASSWORD),
    ]
}

fn password_section(ctx: &Ctx<'_>, csrf: &str, problems: &Problems) -> Markup {
    html! {
        section aria-labelledby="password-title" {
            h2 id="password-title" { (text::CHANGE_PASSWORD) }
            (form("/account/password", csrf, html! {
                (Field::new("current_password", text::CURRENT_PASSWORD, "password")
                    .autocomplete("current-password").render(problems))
                (Field::new("new_password", text::NEW_PASSWORD, "password")
                    .autocomplete("new-password").render(problems))
                (password_checklist("new_password", &password_rules(ctx)))
                (Field::new("confirm_password", text::CONFIRM_PASSWORD, "password")
                    .autocomplete("new-password").render(problems))
                p.hint { (text::CHANGE_PASSWORD_NOTE) }
                (submit(text::SUBMIT))
            }))
        }
    }
}

fn authenticator_section(me: &Answer, csrf: &str, problems: &Problems, step: &Step<'_>) -> Markup {
    let enrolled = me.body["mfa"]["totp"] == true;
    let scan = match step {
        Step::ScanCode {
            qr_png_base64,
            secret,
        } => Some((*qr_png_base64, *secret)),
        _ => None,
    };
    html! {
        section aria-labelledby="mfa-title" {
            h2 id="mfa-title" { (text::MFA_TITLE) }
            p { (text::MFA_INTRO) }
            p { strong { @if enrolled { (text::MFA_ON) } @else { (text::MFA_OFF) } } }
            @if let Some((qr_png_base64, secret)) = scan {
                p { (text::MFA_SCAN) }
                img.qr src={ "data:image/png;base64," (qr_png_base64) } alt=(text::MFA_QR_ALT);
                details {
                    summary { (text::MFA_KEY_INSTEAD) }
                    p.key { (secret) }
                }
                (form("/account/authenticator/confirm", csrf, html! {
                    (Field::code("code", text::AUTHENTICATOR_CODE).autofocus().render(problems))
                    (submit(text::MFA_CONFIRM))
                }))
            } @else if enrolled {
                (form("/account/authenticator/remove", csrf, html! {
                    p.hint { (text::MFA_TURN_OFF_HINT) }
                    (Field::new("password", text::PASSWORD, "password")
                        .autocomplete("current-password").render(problems))
                    (Field::code("code", text::AUTHENTICATOR_CODE).render(problems))
                    button.secondary type="submit" { (text::MFA_TURN_OFF) }
                }))
            } @else {
                (form("/account/authenticator", csrf, html! {
                    p.hint { (text::MFA_TURN_ON_HINT) }
                    (Field::new("password", text::PASSWORD, "password")
                        .autocomplete("current-password").render(problems))
                    (submit(text::MFA_TURN_ON))
                }))
            }
        }
    }
}

/// The countries numbers may come from (`GET /v1/phone/countries`), as the menu shows them:
/// (code, "United Kingdom (+44)"), by name.
async fn phone_country_menu(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    let answer = ctx
        .call(phone::handle, "GET", "/v1/phone/countries", None)
        .await;
    let mut menu: Vec<(String, String)> = answer.body["countries"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let code = c["country"].as_str()?;
            let calling = c["calling_code"].as_str()?;
            Some((
                code.to_string(),
                format!("{} ({calling})", country_name(code)),
            ))
        })
        .collect();
    menu.sort_by(|a, b| a.1.cmp(&b.1));
    menu
}

fn phone_section(
    me: &Answer,
    csrf: &str,
    problems: &Problems,
    step: &Step<'_>,
    menu: &[(String, String)],
) -> Markup {
    // The account's own country first chosen, when numbers from it are taken.
    let own = me.text("country");
    let chosen = if menu.iter().any(|(code, _)| code == own) {
        own
    } else {
        ""
    };
    let phone = &me.body["phone"];
    let masked = phone["masked"].as_str();
    let verified = phone["verified"] == true;
    let awaiting_code = matches!(step, Step::PhoneCodeSent) || (masked.is_some() && !verified);
    html! {
        section aria-labelledby="phone-title" {
            h2 id="phone-title" { (text::PHONE_TITLE) }
            p { (text::PHONE_INTRO) }
            p {
                @match masked {
                    Some(number) => {
                        strong { (number) } " ("
                        @if verified { (text::PHONE_VERIFIED) } @else { (text::PHONE_UNVERIFIED) }
                        ")"
                    }
                    None => { (text::PHONE_NONE) }
                }
            }
            @if awaiting_code {
                (form("/account/phone/verify", csrf, html! {
                    (Field::code("phone_code", text::VERIFICATION_CODE).autofocus().render(problems))
                    (submit(text::VERIFY))
                }))
            }
            (form("/account/phone", csrf, html! {
                h3 { (text::PHONE_ADD) }
                (Field::new("phone-password", text::PASSWORD, "password")
                    .autocomplete("current-password").render(problems))
                (Field::new("country", text::PHONE_COUNTRY, "select").options(menu)
                    .value(chosen).render(problems))
                (Field::new("phone", text::PHONE_NUMBER, "tel").autocomplete("tel-national")
                    .hint(text::PHONE_HINT).render(problems))
                (submit(text::SUBMIT))
            }))
            @if masked.is_some() {
                (form("/account/phone/remove", csrf, html! {
                    h3 { (text::PHONE_REMOVE) }
                    (Field::new("remove-password", text::PASSWORD, "password")
                        .autocomplete("current-password").render(problems))
                    button.secondary type="submit" { (text::PHONE_REMOVE) }
                }))
            }
        }
    }
}

/// The security page again after a refusal from `answer`; a wrong code is shown at `code_field`.
async fn refused(ctx: &mut Ctx<'_>, answer: &Answer, code_field: &str) -> Response<Body> {
    if answer.is_unauthenticated() || answer.status >= 500 {
        return ctx.unexpected(answer);
    }
    let problems = Problems::from_answer(answer);
    let problems = if answer.code() == "invalid_code" {
        problems.moved_to(code_field)
    } else {
        problems
    };
    with_status(
        show(ctx, &problems, None, Step::Overview).await,
        answer.status,
    )
}

/// The security page after `answer`: with `done` (and the next `step`) when the route succeeded,
/// else its refusal (a wrong code shown at `code_field`).
async fn after(
    ctx: &mut Ctx<'_>,
    answer: &Answer,
    done: &str,
    step: Step<'_>,
    code_field: &str,
) -> Response<Body> {
    if answer.is_success() {
        return show(ctx, &Problems::none(), Some(done), step).await;
    }
    refused(ctx, answer, code_field).await
}

/// `POST /account/password`: `PUT /v1/me/password`; every session ends, this one too.
pub async fn change_password(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let answer = ctx
        .call(
            password_change::handle,
            "PUT",
            "/v1/me/password",
            Some(json!({
                "current_password": posted.get("current_password").unwrap_or_default(),
                "new_password": posted.get("new_password").unwrap_or_default(),
                "confirm_password": posted.get("confirm_password").unwrap_or_default(),
            })),
        )
        .await;
    if answer.status == 204 {
        ctx.visit.end_session();
        return sign_in::email_step(ctx, "", &Problems::none(), Some(text::PASSWORD_CHANGED));
    }
    refused(ctx, &answer, "current_password").await
}

/// `POST /account/authenticator`: `POST /v1/me/mfa/totp` with the password; its QR code.
pub async fn start_authenticator(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let answer = ctx
        .call(
            mfa::handle,
            "POST",
            "/v1/me/mfa/totp",
            Some(json!({ "password": posted.get("password").unwrap_or_default() })),
        )
        .await;
    if answer.status == 200 {
        let step = Step::ScanCode {
            qr_png_base64: answer.text("qr_png_base64"),
            secret: answer.text("secret"),
        };
        return show(ctx, &Problems::none(), None, step).await;
    }
    refused(ctx, &answer, "code").await
}

/// `POST /account/authenticator/confirm`: the first code turns it on; the recovery codes are
/// shown once.
pub async fn confirm_authenticator(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let answer = ctx
        .call(
            mfa::handle,
            "POST",
            "/v1/me/mfa/totp/confirm",
            Some(json!({ "code": posted.text("code") })),
        )
        .await;
    if answer.status != 200 {
        return refused(ctx, &answer, "code").await;
    }
    let codes: Vec<&str> = answer.body["recovery_codes"]
        .as_array()
        .map(|codes| codes.iter().filter_map(|c| c.as_str()).collect())
        .unwrap_or_default();
    ctx.signed_in_page(
        text::RECOVERY_TITLE,
        html! {
            (notice(text::RECOVERY_INTRO))
            ul.codes { @for code in codes { li { (code) } } }
            p { a href="/account/security" { (text::CONTINUE) } }
        },
    )
    .into_response()
}

/// `POST /account/authenticator/remove`: `DELETE /v1/me/mfa/totp` with the password and a code.
pub async fn remove_authenticator(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let answer = ctx
        .call(
            mfa::handle,
            "DELETE",
            "/v1/me/mfa/totp",
            Some(json!({
                "password": posted.get("password").unwrap_or_default(),
                "code": posted.text("code"),
            })),
        )
        .await;
    after(ctx, &answer, text::MFA_TURNED_OFF, Step::Overview, "code").await
}

/// `POST /account/phone`: `PUT /v1/me/phone`; a code goes to the number by text message.
pub async fn set_phone(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let mut body = json!({
        "password": posted.get("phone-password").unwrap_or_default(),
        "phone": posted.text("phone"),
    });
    // The menu's country, for a number typed in its national form.
    let country = posted.text("country");
    if !country.is_empty() {
        body["country"] = json!(country);
    }
    let answer = ctx
        .call(phone::handle, "PUT", "/v1/me/phone", Some(body))
        .await;
    let answer = answer.renamed("password", "phone-password");
    after(
        ctx,
        &answer,
        text::PHONE_CODE_SENT,
        Step::PhoneCodeSent,
        "phone_code",
    )
    .await
}

/// `POST /account/phone/verify`: `POST /v1/me/phone/verify` with the code.
pub async fn verify_phone(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let answer = ctx
        .call(
            phone::handle,
            "POST",
            "/v1/me/phone/verify",
            Some(json!({ "code": posted.text("phone_code") })),
        )
        .await;
    after(
        ctx,
        &answer,
        text::PHONE_SAVED,
        Step::Overview,
        "phone_code",
    )
    .await
}

/// `POST /account/phone/remove`: `DELETE /v1/me/phone` with the password.
pub async fn remove_phone(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let answer = ctx
        .call(
            phone::handle,
            "DELETE",
            "/v1/me/phone",
            Some(json!({ "password": posted.get("remove-password").unwrap_or_default() })),
        )
        .await;
    let answer = answer.renamed("password", "remove-password");
    after(
        ctx,
        &answer,
        text::PHONE_REMOVED,
        Step::Overview,
        "phone_code",
    )
    .await
}
