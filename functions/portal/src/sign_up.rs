//! Sign up and activation: email, password (the rules tick off as they are met), first and last
//! name and country; then the code from the activation email, with the password again, on the
//! activation page. After activation the person is taken back to the log-in page.

use lambda_http::{Body, Response};
use maud::html;
use serde_json::json;
use tessera_identity_routes::accounts;
use tessera_web::countries::country_menu;
use tessera_web::form::query_value;
use tessera_web::page::{
    form, notice, password_checklist, problem_summary, select, submit, with_status, Field, Page,
    Problems,
};
use tessera_web::{text, Form};

use crate::{password_rules, sign_in, Ctx};

/// What a sign-up form shows again after a refusal (never the password).
#[derive(Default)]
struct Entered {
    email: String,
    first_name: String,
    last_name: String,
    country: String,
}

impl Entered {
    fn from(posted: &Form) -> Entered {
        Entered {
            email: posted.text("email"),
            first_name: posted.text("first_name"),
            last_name: posted.text("last_name"),
            country: posted.text("country"),
        }
    }
}

/// `GET /sign-up`
pub fn form_page(ctx: &mut Ctx<'_>) -> Response<Body> {
    sign_up_page(ctx, &Entered::default(), &Problems::none())
}

fn sign_up_page(ctx: &Ctx<'_>, entered: &Entered, problems: &Problems) -> Response<Body> {
    let labels = [
        ("email", text::EMAIL),
        ("password", text::PASSWORD),
        ("first_name", text::FIRST_NAME),
        ("last_name", text::LAST_NAME),
        ("country", text::COUNTRY),
    ];
    let mut countries = vec![(String::new(), String::new())];
    countries.extend(country_menu());
    Page::new(
        text::SIGN_UP_TITLE,
        html! {
            (problem_summary(problems, &labels))
            p { (text::SIGN_UP_INTRO) }
            (form("/sign-up", &ctx.csrf(), html! {
                (Field::new("email", text::EMAIL, "email").value(&entered.email)
                    .autocomplete("email").render(problems))
                (Field::new("password", text::PASSWORD, "password")
                    .autocomplete("new-password").render(problems))
                (password_checklist("password", &password_rules(ctx)))
                (Field::new("first_name", text::FIRST_NAME, "text").value(&entered.first_name)
                    .autocomplete("given-name").render(problems))
                (Field::new("last_name", text::LAST_NAME, "text").value(&entered.last_name)
                    .autocomplete("family-name").render(problems))
                (select("country", text::COUNTRY, &countries, &entered.country, problems))
                (submit(text::REGISTER))
            }))
            p { a href="/" { (text::SIGN_IN) } }
        },
    )
    .into_response()
}

/// `POST /sign-up`: `POST /v1/accounts`; then the activation page (the same for a new, pending or
/// active address, as the route answers).
pub async fn register(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let entered = Entered::from(posted);
    let answer = ctx
        .call(
            accounts::handle,
            "POST",
            "/v1/accounts",
            Some(json!({
                "email": entered.email,
                "password": posted.get("password").unwrap_or_default(),
                "first_name": entered.first_name,
                "last_name": entered.last_name,
                "country": entered.country,
            })),
        )
        .await;
    match answer.status {
        202 => activation(
            ctx,
            &entered.email,
            "",
            &Problems::none(),
            Some(text::ACTIVATION_SENT),
        ),
        400 | 422 | 429 => with_status(
            sign_up_page(ctx, &entered, &Problems::from_answer(&answer)),
            answer.status,
        ),
        _ => ctx.unexpected(&answer),
    }
}

/// `GET /activate`, or `GET /activate?email=…&code=…` from the activation email's link: the
/// form filled in. Opening it changes nothing (mail scanners open links); the person confirms
/// with their password.
pub fn activation_page(ctx: &mut Ctx<'_>) -> Response<Body> {
    let email = query_value(ctx.request, "email").unwrap_or_default();
    let code = query_value(ctx.request, "code").unwrap_or_default();
    let message = (!code.is_empty()).then_some(text::ACTIVATION_LINK_OPENED);
    activation(ctx, &email, &code, &Problems::none(), message)
}

fn activation(
    ctx: &Ctx<'_>,
    email: &str,
    code: &str,
    problems: &Problems,
    message: Option<&str>,
) -> Response<Body> {
    let labels = [
        ("email", text::EMAIL),
        ("code", text::ACTIVATION_CODE),
        ("password", text::PASSWORD),
    ];
    let csrf = ctx.csrf();
    let password = Field::new("password", text::PASSWORD, "password")
        .autocomplete("current-password")
        .hint(text::ACTIVATION_PASSWORD_HINT);
    // From the email's link, the code is there: the password is what is left to type.
    let password = if code.is_empty() {
        password
    } else {
        password.autofocus()
    };
    Page::new(
        text::ACTIVATE_TITLE,
        html! {
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels))
            (form("/activate", &csrf, html! {
                (Field::new("email", text::EMAIL, "email").value(email)
                    .autocomplete("username").render(problems))
                (Field::code("code", text::ACTIVATION_CODE).value(code).render(problems))
                (password.render(problems))
                (submit(text::ACTIVATE))
            }))
            h2 { (text::RESEND_CODE) }
            (form("/activate/resend", &csrf, html! {
                input type="hidden" name="email" value=(email);
                @if email.is_empty() {
                    (Field::new("resend-email", text::EMAIL, "email").autocomplete("username")
                        .render(&Problems::none()))
                }
                button.secondary type="submit" { (text::RESEND_CODE) }
            }))
        },
    )
    .into_response()
}

/// `POST /activate`: `POST /v1/accounts/activate`; then back to the log-in page.
pub async fn activate(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let email = posted.text("email");
    let answer = ctx
        .call(
            accounts::handle,
            "POST",
            "/v1/accounts/activate",
            Some(json!({
                "email": email,
                "code": posted.text("code"),
                "password": posted.get("password").unwrap_or_default(),
            })),
        )
        .await;
    match answer.status {
        200 => {
            let message = format!(
                "{} {} {}.",
                text::ACTIVATED,
                text::YOUR_USERNAME,
                answer.text("username")
            );
            sign_in::email_step(ctx, &email, &Problems::none(), Some(&message))
        }
        400 | 401 | 422 | 429 => {
            let problems = Problems::from_answer(&answer);
            let problems = if answer.code() == "invalid_code" {
                problems.moved_to("code")
            } else {
                problems
            };
            let code = posted.text("code");
            with_status(
                activation(ctx, &email, &code, &problems, None),
                answer.status,
            )
        }
        _ => ctx.unexpected(&answer),
    }
}

/// `POST /activate/resend`: `POST /v1/accounts/activation-code` (202 whatever the address).
pub async fn resend(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let email = Some(posted.text("email"))
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| posted.text("resend-email"));
    let answer = ctx
        .call(
            accounts::handle,
            "POST",
            "/v1/accounts/activation-code",
            Some(json!({ "email": email })),
        )
        .await;
    match answer.status {
        202 => activation(ctx, &email, "", &Problems::none(), Some(text::CODE_RESENT)),
        400 | 422 | 429 => with_status(
            activation(ctx, &email, "", &Problems::from_answer(&answer), None),
            answer.status,
        ),
        _ => ctx.unexpected(&answer),
    }
}
