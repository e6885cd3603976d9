//! The staff console's page for organisations' providers (`/staff/federation-providers`), served
//! with the routes behind it: every provider, one registered, one disabled. Each form calls the
//! staff route in process, so the page needs what the route needs (program_admin, a session that
//! passed the authenticator) and a refusal says why, next to the form that was sent.

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_web::console::{
    action_form, after, console_page, listed, refused_caller, str_of, Posted,
};
use tessera_web::countries::country_menu;
use tessera_web::page::{with_status, Field};
use tessera_web::{text, Answer, Form, PageRequest};

use crate::FederationState;

type Ctx<'a> = PageRequest<'a, FederationState>;

const LABELS: &[(&str, &str)] = &[
    ("name", text::FEDERATION_NAME),
    ("issuer", text::FEDERATION_ISSUER),
    ("client_id", text::FEDERATION_CLIENT_ID),
    ("client_secret", text::FEDERATION_CLIENT_SECRET),
    ("domains", text::FEDERATION_DOMAINS),
    ("default_country", text::FEDERATION_DEFAULT_COUNTRY),
    ("reason", text::REASON),
];

/// The forms of `/staff/federation-providers`: one registered, or the one named disabled.
pub enum Action<'p> {
    Register,
    Disable(&'p str),
}

impl tessera_web::console::ConsoleForms<FederationState> for Action<'_> {
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

/// `GET /staff/federation-providers`, or the page after a form.
pub async fn show(ctx: &mut Ctx<'_>, posted: Posted<'_>) -> Response<Body> {
    let answer = call(ctx, "GET", "/v1/staff/federation-providers", None).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let (providers, problems, status) = listed(&answer, "items");
    let callback = crate::pages::callback_uri(ctx.request, ctx.state).unwrap_or_default();
    let countries = country_menu();
    let page = console_page(
        ctx,
        text::FEDERATION_PROVIDERS,
        html! {
            (posted.summary(LABELS))
            (tessera_web::page::problem_summary(&problems, &[]))
            @if providers.is_empty() { p { (text::FEDERATION_NO_PROVIDERS) } } @else {
                ul.entitlements {
                    @for provider in &providers {
                        li {
                            strong { (str_of(provider, "name")) }
                            " · "
                            @if provider["disabled"] == true { (text::OIDC_DISABLED) } @else { (text::OIDC_ENABLED) }
                            br;
                            code { (str_of(provider, "issuer")) }
                            br;
                            (text::FEDERATION_DOMAINS) ": "
                            (provider["domains"].as_array().into_iter().flatten()
                                .filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                        }
                    }
                }
                @for provider in providers.iter().filter(|p| p["disabled"] != true) {
                    @let id = str_of(provider, "id");
                    (action_form(ctx, &format!("disable-{id}"), &format!("/staff/federation-providers/{id}/disable"),
                        &format!("{} {}", text::FEDERATION_DISABLE, str_of(provider, "name")),
                        Some(text::FEDERATION_DISABLE_HINT), &posted, |_, _| html! {}))
                }
            }
            (action_form(ctx, "register", "/staff/federation-providers", text::FEDERATION_REGISTER,
                Some(&format!("{} {callback}", text::FEDERATION_REGISTER_HINT)), &posted, |prefix, problems| html! {
                (Field::new("name", text::FEDERATION_NAME, "text").in_form(prefix).render(problems))
                (Field::new("issuer", text::FEDERATION_ISSUER, "url").hint(text::FEDERATION_ISSUER_HINT).in_form(prefix).render(problems))
                (Field::new("client_id", text::FEDERATION_CLIENT_ID, "text").autocomplete("off").in_form(prefix).render(problems))
                (Field::new("client_secret", text::FEDERATION_CLIENT_SECRET, "password").autocomplete("off")
                    .hint(text::FEDERATION_CLIENT_SECRET_HINT).optional().in_form(prefix).render(problems))
                (Field::new("domains", text::FEDERATION_DOMAINS, "textarea").hint(text::FEDERATION_DOMAINS_HINT).in_form(prefix).render(problems))
                (Field::new("default_country", text::FEDERATION_DEFAULT_COUNTRY, "select").options(&countries).in_form(prefix).render(problems))
            }))
        },
    );
    with_status(page, status)
}

/// `POST /staff/federation-providers`.
pub async fn register(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let secret = posted.text("client_secret");
    let body = json!({
        "name": posted.text("name"),
        "issuer": posted.text("issuer"),
        "client_id": posted.text("client_id"),
        "client_secret": if secret.is_empty() { Value::Null } else { Value::String(secret) },
        "domains": posted.lines("domains"),
        "default_country": posted.text("default_country"),
        "reason": posted.text("reason"),
    });
    let answer = call(ctx, "POST", "/v1/staff/federation-providers", Some(body)).await;
    let done = |_: &Value| text::FEDERATION_REGISTERED.to_string();
    after(ctx, answer, "register", done, show).await
}

/// `POST /staff/federation-providers/{id}/disable`.
pub async fn disable(ctx: &mut Ctx<'_>, posted: &Form, id: &str) -> Response<Body> {
    let body = json!({ "reason": posted.text("reason") });
    let path = format!("/v1/staff/federation-providers/{id}/disable");
    let answer = call(ctx, "POST", &path, Some(body)).await;
    let done = |_: &Value| text::DONE.to_string();
    after(ctx, answer, &format!("disable-{id}"), done, show).await
}
