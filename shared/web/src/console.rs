//! What the staff console's pages share, whichever function serves them (the console itself, and
//! the pages of routes that live with their own function, such as the OpenID Connect clients):
//! the console's tabs, what the last form did, each action's form with the reason every staff
//! write takes, and the caller's refusals.

use lambda_http::{Body, Response};
use maud::{html, Markup};
use serde_json::Value;

use crate::api::Answer;
use crate::form::Form;
use crate::page::{form, submit, with_status, Field, Problems};
use crate::request::{not_found, PageRequest};
use crate::text;

/// What the last form did, for the page shown after it: nothing posted, done (with what to say),
/// or refused (the route's problems, shown at the form named `form`).
pub enum Posted<'a> {
    Nothing,
    Done(String),
    Refused { form: &'a str, problems: Problems },
}

impl Posted<'_> {
    /// The problems for the form named `form`: none unless it is the one that was refused.
    pub fn problems_for(&self, form: &str) -> Problems {
        match self {
            Posted::Refused {
                form: refused,
                problems,
            } if *refused == form => problems.clone(),
            _ => Problems::none(),
        }
    }

    /// The announcement at the top: the notice, or the summary of what went wrong linking the
    /// refused form's fields.
    pub fn summary(&self, labels: &[(&str, &str)]) -> Markup {
        match self {
            Posted::Nothing => html! {},
            Posted::Done(message) => crate::page::notice(message),
            Posted::Refused { form, problems } => {
                crate::page::problem_summary_in(problems, labels, &id_prefix(form))
            }
        }
    }
}

/// The ids of a form's fields start with its name (several forms on one page share field names).
pub fn id_prefix(form: &str) -> String {
    format!("{form}-")
}

/// A page of the console: its tabs above. A signed-out visitor is sent to log in first (a page
/// that calls no route, such as the searches, would otherwise show the console's shell).
pub fn console_page<S: Clone>(
    ctx: &PageRequest<'_, S>,
    title: &str,
    main: Markup,
) -> Response<Body> {
    if ctx.visit.session().is_none() {
        return ctx.log_in_first();
    }
    let tabs = [
        ("/staff", text::FIND),
        ("/staff/catalog", text::CATALOG),
        ("/staff/orders", text::ORDERS),
        ("/staff/audit", text::AUDIT_LOG),
        ("/staff/oidc-clients", text::OIDC_CLIENTS),
        ("/staff/federation-providers", text::FEDERATION_PROVIDERS),
        ("/staff/access-codes", text::ACCESS_CODES),
    ];
    ctx.signed_in_page(
        title,
        html! {
            nav.tabs aria-label=(text::STAFF_NAV_LABEL) {
                ul { @for (href, label) in tabs { li { a href=(href) { (label) } } } }
            }
            (main)
        },
    )
    .into_response()
}

/// A staff route's refusal that is about the caller (no session, not staff, no second step): the
/// route's own words, with its status.
pub fn refused_caller<S: Clone>(
    ctx: &mut PageRequest<'_, S>,
    answer: &Answer,
) -> Option<Response<Body>> {
    if answer.is_unauthenticated() || answer.status >= 500 {
        return Some(ctx.unexpected(answer));
    }
    (answer.status == 403).then(|| {
        let page = console_page(
            ctx,
            text::STAFF_REFUSED_TITLE,
            html! { p { (answer.detail()) } },
        );
        with_status(page, 403)
    })
}

/// A staff route's answer about one thing (a record, an order): its JSON, or the page to show
/// instead (the route's refusal of the caller, or not found).
pub fn one_thing<S: Clone>(
    ctx: &mut PageRequest<'_, S>,
    answer: Answer,
) -> Result<Value, Box<Response<Body>>> {
    if let Some(refused) = refused_caller(ctx, &answer) {
        return Err(Box::new(refused));
    }
    if !answer.is_success() {
        return Err(Box::new(not_found()));
    }
    Ok(answer.body)
}

/// One action's form (`name`, posting to `path`): a section with its heading and hint, its
/// fields, the reason every staff write takes, and its button. Its fields' ids start with its name.
pub fn action_form<S: Clone>(
    ctx: &PageRequest<'_, S>,
    name: &str,
    path: &str,
    heading: &str,
    hint: Option<&str>,
    posted: &Posted<'_>,
    fields: impl Fn(&str, &Problems) -> Markup,
) -> Markup {
    let prefix = id_prefix(name);
    let problems = posted.problems_for(name);
    html! {
        section aria-labelledby={ (prefix) "title" } {
            h2 id={ (prefix) "title" } { (heading) }
            @if let Some(hint) = hint { p.hint { (hint) } }
            (form(path, &ctx.csrf(), html! {
                (fields(&prefix, &problems))
                (Field::new("reason", text::REASON, "text").hint(text::REASON_HINT).in_form(&prefix).render(&problems))
                (submit(heading))
            }))
        }
    }
}

/// What a form's staff route answered, for the page shown after it: done (in `done`'s words) or
/// refused at the form named `form`, and the status that page answers with.
pub fn outcome<'f>(
    answer: &Answer,
    form: &'f str,
    done: impl Fn(&Value) -> String,
) -> (Posted<'f>, u16) {
    let posted = if answer.is_success() {
        Posted::Done(done(&answer.body))
    } else {
        Posted::Refused {
            form,
            problems: Problems::from_answer(answer),
        }
    };
    let status = if answer.status >= 400 {
        answer.status
    } else {
        200
    };
    (posted, status)
}

/// A console page served by a function beside its routes (the applications, the organisations,
/// the access codes): its list, and the forms sent to it (`self` names which).
// Only ever called on a concrete page, whose futures are `Send` as the Lambda runtime needs.
#[allow(async_fn_in_trait)]
pub trait ConsoleForms<S: Clone> {
    /// The page, nothing posted.
    async fn show(ctx: &mut PageRequest<'_, S>) -> Response<Body>;
    /// The form this action names, checked already.
    async fn act(self, ctx: &mut PageRequest<'_, S>, form: &Form) -> Response<Body>;
}

/// A console page's request: the page shown when `posted` is `None`, else the form sent checked
/// (the visit's CSRF token) before the action calls any route; the visit's cookies on the answer.
pub async fn serve<S: Clone, P: ConsoleForms<S>>(
    request: &lambda_http::Request,
    state: &S,
    random: &dyn tessera_kernel::ports::Random,
    posted: Option<P>,
) -> Response<Body> {
    let mut ctx = PageRequest::new(request, state, random);
    let answer = match posted {
        None => P::show(&mut ctx).await,
        Some(action) => match ctx.form() {
            Ok(form) => action.act(&mut ctx, &form).await,
            Err(refusal) => refusal.into_response(),
        },
    };
    ctx.finish(answer)
}

/// The page after a console form: a refusal about the caller as a page of its own, else `show`
/// with what was done (in `done`'s words) or the route's refusal at the form named `form`,
/// answered with the route's status.
pub async fn after<'r, 'f, S: Clone>(
    ctx: &mut PageRequest<'r, S>,
    answer: Answer,
    form: &'f str,
    done: impl Fn(&Value) -> String,
    show: impl AsyncFnOnce(&mut PageRequest<'r, S>, Posted<'f>) -> Response<Body>,
) -> Response<Body> {
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let (posted, status) = outcome(&answer, form, done);
    with_status(show(ctx, posted).await, status)
}

/// A list route's answer as a page shows it: its items under `key`, what it said when it refused
/// the query, and the status the page answers with.
pub fn listed(answer: &Answer, key: &str) -> (Vec<Value>, Problems, u16) {
    if answer.is_success() {
        let items = answer.body[key].as_array().cloned().unwrap_or_default();
        (items, Problems::none(), 200)
    } else {
        (Vec::new(), Problems::from_answer(answer), answer.status)
    }
}

/// `value` percent-encoded for a query string.
pub fn query_escaped(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A string member of a route's JSON, or empty.
pub fn str_of<'v>(value: &'v Value, key: &str) -> &'v str {
    value[key].as_str().unwrap_or_default()
}
