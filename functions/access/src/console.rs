//! The staff console's page for special access codes (`/staff/access-codes`), served with the
//! route behind it: a code issued for one resource until a day, shown on the page that follows
//! once. The form calls `POST /v1/staff/access-codes` in process, so the page needs what the route
//! needs (support or program_admin, a session that passed the authenticator).

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_web::console::{action_form, after, console_page, Posted};
use tessera_web::page::Field;
use tessera_web::{text, Form, PageRequest};

use crate::AccessState;

type Ctx<'a> = PageRequest<'a, AccessState>;

const LABELS: &[(&str, &str)] = &[
    ("resource", text::ACCESS_CODE_RESOURCE),
    ("expires_on", text::ACCESS_CODE_EXPIRES),
    ("reason", text::REASON),
];

/// The form of `/staff/access-codes`: a code issued.
pub struct Issue;

impl tessera_web::console::ConsoleForms<AccessState> for Issue {
    async fn show(ctx: &mut Ctx<'_>) -> Response<Body> {
        show(ctx, Posted::Nothing).await
    }

    async fn act(self, ctx: &mut Ctx<'_>, form: &Form) -> Response<Body> {
        issue(ctx, form).await
    }
}

/// `GET /staff/access-codes`, or the page after the form. The page itself calls no route (there
/// is nothing to list: codes are kept only as digests); `console_page` sends a signed-out visitor
/// to log in.
/// (Async only so `after` can take it as the page to show after a form.)
pub async fn show(ctx: &mut Ctx<'_>, posted: Posted<'_>) -> Response<Body> {
    console_page(
        ctx,
        text::ACCESS_CODES,
        html! {
            (posted.summary(LABELS))
            p { (text::ACCESS_CODES_INTRO) }
            (action_form(ctx, "issue", "/staff/access-codes", text::ACCESS_CODE_ISSUE, None, &posted, |prefix, problems| html! {
                (Field::new("resource", text::ACCESS_CODE_RESOURCE, "text").hint(text::ACCESS_CODE_RESOURCE_HINT)
                    .autocomplete("off").in_form(prefix).render(problems))
                (Field::new("expires_on", text::ACCESS_CODE_EXPIRES, "date").in_form(prefix).render(problems))
            }))
        },
    )
}

/// `POST /staff/access-codes`: the code, shown on this page only.
pub async fn issue(ctx: &mut Ctx<'_>, posted: &Form) -> Response<Body> {
    let body = json!({
        "resource": posted.text("resource"),
        "expires_on": posted.text("expires_on"),
        "reason": posted.text("reason"),
    });
    let answer = ctx
        .call(crate::handle, "POST", "/v1/staff/access-codes", Some(body))
        .await;
    let done = |issued: &Value| {
        format!(
            "{} {} ({} {})",
            text::ACCESS_CODE_ISSUED,
            issued["code"].as_str().unwrap_or_default(),
            issued["resource"].as_str().unwrap_or_default(),
            crate::page::last_day(&issued["expires_at"]),
        )
    };
    after(ctx, answer, "issue", done, show).await
}
