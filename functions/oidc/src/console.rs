//! The staff console's page for relying applications (`/staff/oidc-clients`), served with the
//! routes behind it: every client, one registered (its secret shown on the page that follows,
//! once), one disabled. Each form calls the staff route in process, so the page needs what the
//! route needs (program_admin, a session that passed the authenticator) and a refusal says why.

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_web::console::{
    action_form, after, console_page, listed, refused_caller, str_of, Posted,
};
use tessera_web::page::{with_status, Field};
use tessera_web::{text, Answer, Form, PageRequest};

use crate::OidcState;

type Ctx<'a> = PageRequest<'a, OidcState>;

const LABELS: &[(&str, &str)] = &[
    ("name", text::OIDC_CLIENT_NAME),
    ("type", text::OIDC_CLIENT_TYPE),
    ("redirect_uris", text::OIDC_REDIRECT_URIS),
    ("post_logout_redirect_uris", text::OIDC_POST_LOGOUT_URIS),
    ("reason", text::REASON),
];

/// The forms of `/staff/oidc-clients`: one registered, or the one named disabled.
pub enum Action<'p> {
    Register,
    Disable(&'p str),
}

impl tessera_web::console::ConsoleForms<OidcState> for Action<'_> {
    async fn show(ctx: &mut Ctx<'_>) -> Response<Body> {
        show(ctx, Posted::Nothing).await
    }

    async fn act(self, ctx: &mut Ctx<'_>, form: &Form) -> Response<Body> {
        match self {
            Action::Register => register(ctx, form).await,
            Action::Disable(id) => disable(ctx, form, id).await,
        }
    }
}

async fn call(ctx: &Ctx<'_>, method: &str, path: &str, body: Option<Value>) -> Answer {
    ctx.call(crate::handle, method, path, body).await
}

/// `GET /staff/oidc-clients`, or the page after a form.
pub async fn show(ctx: &mut Ctx<'_>, posted: Posted<'_>) -> Response<Body> {
    let answer = call(ctx, "GET", "/v1/staff/oidc-clients", None).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let (clients, problems, status) = listed(&answer, "items");
    let kinds = [
        (
            "confidential".to_string(),
            text::OIDC_CONFIDENTIAL.to_string(),
        ),
        ("public".to_string(), text::OIDC_PUBLIC.to_string()),
    ];
    let page = console_page(
        ctx,
        text::OIDC_CLIENTS,
        html! {
            (posted.summary(LABELS))
            (tessera_web::page::problem_summary(&problems, &[]))
            @if clients.is_empty() { p { (text::OIDC_NO_CLIENTS) } } @else {
                // A list, not a table: each application whole on a phone.
                ul.entitlements {
                    @for client in &clients {
                        li {
                            strong { (str_of(client, "name")) }
                            " · " (str_of(client, "type")) " · "
                            @if client["disabled"] == true { (text::OIDC_DISABLED) } @else { (text::OIDC_ENABLED) }
                            br;
                            (text::OIDC_CLIENT_ID) ": " code { (str_of(client, "client_id")) }
                            br;
                            (text::OIDC_REDIRECT_URIS) ": "
                            (client["redirect_uris"].as_array().into_iter().flatten()
                                .filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                        }
                    }
                }
                @for client in clients.iter().filter(|c| c["disabled"] != true) {
                    @let id = str_of(client, "client_id");
                    (action_form(ctx, &format!("disable-{id}"), &format!("/staff/oidc-clients/{id}/disable"),
                        &format!("{} {}", text::OIDC_DISABLE, str_of(client, "name")), Some(text::OIDC_DISABLE_HINT), &posted, |_, _| html! {}))
                }
            }
            (action_form(ctx, "register", "/staff/oidc-clients", text::OIDC_REGISTER, Some(text::OIDC_REGISTER_HINT), &posted, |prefix, problems| html! {
                (Field::new("name", text::OIDC_CLIENT_NAME, "text").in_form(prefix).render(problems))
                (Field::new("type", text::OIDC_CLIENT_TYPE, "select").options(&kinds).in_form(prefix).render(problems))
                (Field::new("redirect_uris", text::OIDC_REDIRECT_URIS, "textarea").hint(text::OIDC_URIS_HINT).in_form(prefix).render(problems))
                (Field::new("post_logout_redirect_uris", text::OIDC_POST_LOGOUT_URIS, "textarea").optional().in_form(prefix).render(problems))
            }))
        },
    );
    with_status(page, status)
}

/// `POST /staff/oidc-clients`: the client registered; its secret is shown on this page only.
pub async fn register(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let body = json!({
        "name": posted.text("name"),
        "type": posted.text("type"),
        "redirect_uris": posted.lines("redirect_uris"),
        "post_logout_redirect_uris": posted.lines("post_logout_redirect_uris"),
        "reason": posted.text("reason"),
    });
    let answer = call(ctx, "POST", "/v1/staff/oidc-clients", Some(body)).await;
    let done = |client: &Value| {
        let id = str_of(client, "client_id");
        match client["client_secret"].as_str() {
            Some(secret) => format!(
                "{} {id}. {} {secret}",
                text::OIDC_REGISTERED,
                text::OIDC_SECRET_ONCE
            ),
            None => format!("{} {id}.", text::OIDC_REGISTERED),
        }
    };
    after(ctx, answer, "register", done, show).await
}

/// `POST /staff/oidc-clients/{id}/disable`.
pub async fn disable(ctx: &mut Ctx<'_>, posted: &Form, id: &str) -> Response<Body> {
    let body = json!({ "reason": posted.text("reason") });
    let path = format!("/v1/staff/oidc-clients/{id}/disable");
    let answer = call(ctx, "POST", &path, Some(body)).await;
    let done = |_: &Value| text::DONE.to_string();
    after(ctx, answer, &format!("disable-{id}"), done, show).await
}
