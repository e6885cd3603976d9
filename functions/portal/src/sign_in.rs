//! Log in as the guide shows it: step 1 the email address, step 2 the password ("Verify with your
//! password"), and with an authenticator enrolled step 3 its code. One form action, `/sign-in`:
//! which step it is follows from the fields posted. Step 1 reads only whether the address's domain
//! signs in through its organisation (identifier-first: then the person goes there, flow 32), so
//! it tells nobody whether an account exists. A `next` path (a link from an email
//! opened while signed out) rides along the steps, and the person lands there once logged in.

use lambda_http::{Body, Response};
use maud::{html, Markup};
use serde_json::json;
use tessera_identity_routes::sessions;
use tessera_kernel::email::Email;
use tessera_web::form::query_value;
use tessera_web::page::{
    continue_to, form, notice, problem_summary, redirect, return_path, submit, with_status, Field,
    Page, Problems,
};
use tessera_web::{text, Form};

use crate::Ctx;

/// Where a person lands after logging in.
const HOME: &str = "/account";

/// The posted field (and query parameter) that keeps the log-in on the password at a domain an
/// organisation signs in: staff accounts keep their password and authenticator.
const WITH: &str = "with";
const WITH_PASSWORD: &str = "password";

/// Where the person goes once logged in: the `next` path asked for, when it is on this site.
#[derive(Clone, Copy, Debug, Default)]
struct Next<'a>(Option<&'a str>);

impl<'a> Next<'a> {
    fn from(raw: Option<&'a str>) -> Next<'a> {
        Next(raw.and_then(return_path))
    }

    fn location(self) -> &'a str {
        self.0.unwrap_or(HOME)
    }

    /// The hidden field that carries it to the next step.
    fn field(self) -> Markup {
        html! { @if let Some(next) = self.0 { input type="hidden" name="next" value=(next); } }
    }
}

/// `GET /` (`?next=` a path to return to; `?with=password` to log in with the password at any
/// domain): the first step, or that path (the account by default) for a browser that is signed
/// in already. The staff console's pages ask for the password too: staff accounts are never
/// signed in through an organisation.
pub fn start(ctx: &mut Ctx<'_>) -> Response<Body> {
    let asked = query_value(ctx.request, "next");
    let next = Next::from(asked.as_deref());
    if ctx.visit.session().is_some() {
        return redirect(next.location());
    }
    let with_password = query_value(ctx.request, WITH).as_deref() == Some(WITH_PASSWORD)
        || next
            .0
            .is_some_and(|n| n == "/staff" || n.starts_with("/staff/"));
    let message = next.0.map(|_| text::SIGN_IN_TO_CONTINUE);
    email_step_with(ctx, "", &Problems::none(), message, next, with_password)
}

/// The first step's page; `message` is a notice from the step before (activated, reset, …).
pub fn email_step(
    ctx: &Ctx<'_>,
    email: &str,
    problems: &Problems,
    message: Option<&str>,
) -> Response<Body> {
    email_step_with(ctx, email, problems, message, Next::default(), false)
}

fn email_step_with(
    ctx: &Ctx<'_>,
    email: &str,
    problems: &Problems,
    message: Option<&str>,
    next: Next<'_>,
    with_password: bool,
) -> Response<Body> {
    let labels = [("email", text::EMAIL)];
    Page::new(
        text::SIGN_IN_TITLE,
        html! {
            @if let Some(message) = message { (notice(message)) }
            (problem_summary(problems, &labels))
            @if with_password { p { (text::SIGNING_IN_WITH_PASSWORD) } }
            (form("/sign-in", &ctx.csrf(), html! {
                (next.field())
                @if with_password { input type="hidden" name=(WITH) value=(WITH_PASSWORD); }
                (Field::new("email", text::EMAIL, "email").value(email)
                    .autocomplete("username").hint(text::EMAIL_HINT_SIGN_IN).render(problems))
                (submit(text::NEXT))
            }))
            (help_links())
        },
    )
    .into_response()
}

fn help_links() -> Markup {
    html! {
        ul.links {
            li { a href="/forgot-password" { (text::FORGOT_PASSWORD_LINK) } }
            li { a href="/forgot-email" { (text::FORGOT_EMAIL_LINK) } }
            li { (text::NO_ACCOUNT) " " a href="/sign-up" { (text::CREATE_ACCOUNT) } }
        }
    }
}

fn password_step(
    ctx: &Ctx<'_>,
    email: &str,
    problems: &Problems,
    next: Next<'_>,
) -> Response<Body> {
    let labels = [("password", text::PASSWORD)];
    Page::new(
        text::VERIFY_PASSWORD_TITLE,
        html! {
            (problem_summary(problems, &labels))
            p { (text::SIGNING_IN_AS) " " strong { (email) } }
            (form("/sign-in", &ctx.csrf(), html! {
                (next.field())
                input type="hidden" name="email" value=(email);
                (Field::new("password", text::PASSWORD, "password")
                    .autocomplete("current-password").autofocus().render(problems))
                (submit(text::SIGN_IN))
            }))
            ul.links {
                li { a href="/" { (text::NOT_YOU) } }
                li { a href="/forgot-password" { (text::FORGOT_PASSWORD_LINK) } }
            }
        },
    )
    .into_response()
}

fn code_step(
    ctx: &Ctx<'_>,
    challenge: &str,
    problems: &Problems,
    next: Next<'_>,
) -> Response<Body> {
    let labels = [("code", text::AUTHENTICATOR_CODE)];
    Page::new(
        text::SECOND_STEP_TITLE,
        html! {
            (problem_summary(problems, &labels))
            p { (text::SECOND_STEP_INTRO) }
            (form("/sign-in", &ctx.csrf(), html! {
                (next.field())
                input type="hidden" name="challenge" value=(challenge);
                (Field::code("code", text::AUTHENTICATOR_CODE).autofocus().render(problems))
                (submit(text::VERIFY))
            }))
        },
    )
    .into_response()
}

/// Where a federated address's sign-in begins (the federation function), with where to land.
fn federation_start(email: &Email, next: Next<'_>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("email", email.as_str());
    if let Some(next) = next.0 {
        query.append_pair("next", next);
    }
    format!("/federation/start?{}", query.finish())
}

/// `POST /sign-in`: the step the posted fields make.
pub async fn step(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let next = Next::from(posted.get("next"));
    if posted.has("challenge") {
        return answer_code(ctx, posted, next).await;
    }
    let email = posted.text("email");
    let with_password = posted.get(WITH) == Some(WITH_PASSWORD);
    if let Err(e) = Email::parse(&email) {
        let problems = Problems::none().field("email", format!("This field {e}."));
        let page = email_step_with(ctx, &email, &problems, None, next, with_password);
        return with_status(page, 422);
    }
    if with_password && !posted.has("password") {
        return password_step(ctx, &email, &Problems::none(), next);
    }
    if !posted.has("password") {
        // Identifier-first: an address whose organisation signs its people in goes there.
        let address = Email::parse(&email).expect("parsed above");
        let domain = address.as_str().rsplit('@').next().unwrap_or_default();
        match ctx.state.store.federated_domain(domain).await {
            // A page that goes on, not a redirect: the organisation is another site.
            Ok(true) => return continue_to(&federation_start(&address, next)),
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "federated domain lookup");
                return tessera_web::request::server_error();
            }
        }
        return password_step(ctx, &email, &Problems::none(), next);
    }
    let answer = ctx
        .call(
            sessions::handle,
            "POST",
            "/v1/sessions",
            Some(json!({ "email": email, "password": posted.get("password").unwrap_or_default() })),
        )
        .await;
    match answer.status {
        201 => signed_in(ctx, answer.text("token"), next),
        200 if answer.body["mfa_required"] == true => {
            code_step(ctx, answer.text("challenge"), &Problems::none(), next)
        }
        401 | 422 | 429 => with_status(
            password_step(ctx, &email, &Problems::from_answer(&answer), next),
            answer.status,
        ),
        _ => ctx.unexpected(&answer),
    }
}

async fn answer_code(ctx: &mut Ctx<'_>, posted: &Form, next: Next<'_>) -> Response<Body> {
    let challenge = posted.text("challenge");
    let answer = ctx
        .call(
            sessions::handle,
            "POST",
            "/v1/sessions/mfa",
            Some(json!({ "challenge": challenge, "code": posted.text("code") })),
        )
        .await;
    match answer.status {
        201 => signed_in(ctx, answer.text("token"), next),
        401 | 422 => with_status(
            code_step(
                ctx,
                &challenge,
                &Problems::from_answer(&answer).moved_to("code"),
                next,
            ),
            answer.status,
        ),
        400 => with_status(
            email_step_with(ctx, "", &Problems::from_answer(&answer), None, next, false),
            400,
        ),
        _ => ctx.unexpected(&answer),
    }
}

fn signed_in(ctx: &mut Ctx<'_>, token: &str, next: Next<'_>) -> Response<Body> {
    ctx.visit.start_session(token);
    let location = next.location();
    // The provider's authorization may send the browser on to an application's site: a form's
    // redirect could not go there.
    if location.starts_with("/oidc/") || location.starts_with("/federation/") {
        return continue_to(location);
    }
    redirect(location)
}

/// `POST /sign-out`: the session ends on the server and the cookie goes.
pub async fn sign_out(ctx: &mut Ctx<'_>) -> Response<Body> {
    if ctx.visit.session().is_some() {
        let answer = ctx
            .call(sessions::handle, "DELETE", "/v1/sessions/current", None)
            .await;
        if !answer.is_success() && !answer.is_unauthenticated() {
            return ctx.unexpected(&answer);
        }
    }
    ctx.visit.end_session();
    with_status(
        email_step(ctx, "", &Problems::none(), Some(text::SIGNED_OUT_NOTICE)),
        200,
    )
}
