//! An account as support sees it, and its actions: unlock, disable (every session ends), enable,
//! mail to its address resumed after a bounce or complaint, a new sign-in address for its owner, roles (a program administrator's), and on the person's
//! request everything held about them exported or erased.

use lambda_http::{Body, Response};
use maud::html;
use serde_json::{json, Value};
use tessera_fulfillment_routes::staff_privacy;
use tessera_identity_routes::staff_accounts;
use tessera_web::form::query_value;
use tessera_web::page::{checkboxes, problem_summary, with_status, Field, Problems};
use tessera_web::request::not_found;
use tessera_web::{text, Answer, Form};

use crate::Ctx;
use tessera_web::console::{
    action_form, console_page, query_escaped, refused_caller, str_of, Posted,
};

/// The actions a form may post, as the route names them.
const ACTIONS: &[&str] = &[
    "unlock",
    "disable",
    "enable",
    "resume-email",
    "roles",
    "email-change",
    "erase",
];

const ROLES: &[(&str, &str)] = &[
    ("support", text::ROLE_SUPPORT),
    ("fulfillment", text::ROLE_FULFILLMENT),
    ("program_admin", text::ROLE_PROGRAM_ADMIN),
    ("auditor", text::ROLE_AUDITOR),
];

const LABELS: &[(&str, &str)] = &[
    ("reason", text::REASON),
    ("roles", text::ROLES),
    ("new_email", text::NEW_EMAIL),
];

/// The account route's query for what staff typed: an address, or a login ID.
fn account_query(key: &str) -> String {
    let name = if key.contains('@') {
        "email"
    } else {
        "username"
    };
    format!("/v1/staff/accounts?{name}={}", query_escaped(key))
}

/// `GET /staff/accounts?account=…`.
pub(crate) async fn show(ctx: &mut Ctx<'_>) -> Response<Body> {
    let key = query_value(ctx.request, "account").unwrap_or_default();
    found(ctx, &key, Posted::Nothing).await
}

/// The account `key` finds, shown after what was posted.
async fn found(ctx: &mut Ctx<'_>, key: &str, posted: Posted<'_>) -> Response<Body> {
    let answer = call(ctx, "GET", &account_query(key), None).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if !answer.is_success() {
        let page = console_page(
            ctx,
            text::FIND_ACCOUNT,
            html! {
                (problem_summary(&Problems::from_answer(&answer), &[]))
                p { (text::NO_MATCH) }
                p { a href="/staff" { (text::FIND) } }
            },
        );
        return with_status(page, answer.status);
    }
    page(ctx, &answer.body, &posted)
}

async fn call(ctx: &Ctx<'_>, method: &str, path: &str, body: Option<Value>) -> Answer {
    ctx.api()
        .call(
            staff_accounts::handle,
            &ctx.state.records.identity,
            method,
            path,
            body,
        )
        .await
}

fn page(ctx: &Ctx<'_>, account: &Value, posted: &Posted<'_>) -> Response<Body> {
    let id = str_of(account, "account_id");
    let email = str_of(account, "email");
    let flag = |v: &Value| {
        if v == true {
            text::YES_WORD
        } else {
            text::NO_WORD
        }
    };
    let roles: Vec<&str> = account["roles"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let role_labels: Vec<&str> = ROLES
        .iter()
        .filter(|(value, _)| roles.contains(value))
        .map(|(_, label)| *label)
        .collect();
    // Each form says which account to show again afterwards.
    let lookup = html! { input type="hidden" name="account" value=(email); };
    let action = |name: &str, heading: &str, hint: Option<&str>| {
        action_form(
            ctx,
            name,
            &format!("/staff/accounts/{id}/{name}"),
            heading,
            hint,
            posted,
            |_, _| lookup.clone(),
        )
    };
    console_page(
        ctx,
        &format!("{}: {email}", text::ACCOUNT),
        html! {
            (posted.summary(LABELS))
            dl.facts {
                dt { (text::USERNAME) } dd { (str_of(account, "username")) }
                dt { (text::NAME) } dd { (str_of(account, "first_name")) " " (str_of(account, "last_name")) }
                dt { (text::STATUS) } dd { (str_of(account, "status")) }
                dt { (text::DISABLED) } dd { (flag(&account["disabled"])) }
                dt { (text::LOCKED) } dd { (flag(&account["locked"])) }
                dt { (text::FAILED_LOGINS) } dd { (account["failed_logins"].as_u64().unwrap_or_default()) }
                dt { (text::MFA) } dd { (flag(&account["mfa"]["totp"])) }
                dt { (text::EMAIL_DELIVERY) } dd {
                    @match account["email_suppressed"]["reason"].as_str() {
                        Some(reason) => { (text::EMAIL_SUPPRESSED_SINCE) " " (str_of(&account["email_suppressed"], "since")) " (" (reason) ")" }
                        None => (text::EMAIL_DELIVERED),
                    }
                }
                dt { (text::ROLES) } dd { (role_labels.join(", ")) }
                @if let Some(candidate) = account["candidate_id"].as_str() {
                    dt { (text::MAPPED_RECORD) } dd { a href={ "/staff/candidates/" (candidate) } { (candidate) } }
                }
            }
            (action("unlock", text::UNLOCK, None))
            @if account["email_suppressed"].is_object() {
                (action("resume-email", text::RESUME_EMAIL, Some(text::RESUME_EMAIL_HINT)))
            }
            @if account["disabled"] == true {
                (action("enable", text::ENABLE, None))
            } @else {
                (action("disable", text::DISABLE, None))
            }
            (action_form(ctx, "email-change", &format!("/staff/accounts/{id}/email-change"), text::CHANGE_EMAIL, Some(text::CHANGE_EMAIL_HINT), posted, |prefix, problems| html! {
                (lookup)
                (Field::new("new_email", text::NEW_EMAIL, "email").in_form(prefix).render(problems))
            }))
            (action_form(ctx, "roles", &format!("/staff/accounts/{id}/roles"), text::SET_ROLES, Some(text::SET_ROLES_HINT), posted, |prefix, problems| html! {
                (lookup)
                (checkboxes(&Field::new("roles", text::ROLES, "checkbox").in_form(prefix), ROLES, &roles, problems))
            }))
            section aria-labelledby="export-title" {
                h2 id="export-title" { (text::EXPORT) }
                p.hint { (text::EXPORT_HINT) }
                p { a href={ "/staff/accounts/" (id) "/export" } download { (text::EXPORT_LINK) } }
            }
            (action("erase", text::ERASE, Some(text::ERASE_HINT)))
        },
    )
}

/// `POST /staff/accounts/{id}/{action}` with the reason (and the action's fields); the account
/// again, saying it was done or what went wrong at the form that was sent.
pub(crate) async fn act(
    ctx: &mut Ctx<'_>,
    posted: &Form,
    id: &str,
    action: &str,
) -> Response<Body> {
    if !ACTIONS.contains(&action) {
        return not_found();
    }
    let reason = posted.text("reason");
    if action == "erase" {
        return erase(ctx, posted, id, &reason).await;
    }
    let (method, body) = match action {
        "roles" => (
            "PUT",
            json!({ "roles": posted.values("roles"), "reason": reason }),
        ),
        "email-change" => (
            "POST",
            json!({ "new_email": posted.text("new_email"), "reason": reason }),
        ),
        _ => ("POST", json!({ "reason": reason })),
    };
    let path = format!("/v1/staff/accounts/{id}/{action}");
    let answer = call(ctx, method, &path, Some(body)).await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    let key = posted.text("account");
    if answer.is_success() && action != "email-change" {
        return page(ctx, &answer.body, &Posted::Done(text::DONE.to_string()));
    }
    if answer.is_success() {
        let sent = format!(
            "{} {}",
            text::EMAIL_CHANGE_SENT,
            answer.text("email_change_to")
        );
        return found(ctx, &key, Posted::Done(sent)).await;
    }
    let problems = Problems::from_answer(&answer);
    let page = found(
        ctx,
        &key,
        Posted::Refused {
            form: action,
            problems,
        },
    )
    .await;
    with_status(page, answer.status)
}

/// `GET /staff/accounts/{id}/export`: everything held about the person, as the route's JSON
/// attachment.
pub(crate) async fn export(ctx: &mut Ctx<'_>, id: &str) -> Response<Body> {
    let path = format!("/v1/staff/accounts/{id}/export");
    let privacy = &ctx.state.privacy;
    let response = ctx
        .api()
        .send(staff_privacy::handle, privacy, "GET", &path, None)
        .await;
    if response.status().is_success() {
        return response;
    }
    let answer = Answer::from_response(response);
    match refused_caller(ctx, &answer) {
        Some(refused) => refused,
        None => not_found(),
    }
}

/// The erasure (`DELETE /v1/staff/accounts/{id}`): what went, or the account again with why not.
async fn erase(ctx: &mut Ctx<'_>, posted: &Form, id: &str, reason: &str) -> Response<Body> {
    let path = format!("/v1/staff/accounts/{id}");
    let privacy = &ctx.state.privacy;
    let answer = ctx
        .api()
        .call(
            staff_privacy::handle,
            privacy,
            "DELETE",
            &path,
            Some(json!({ "reason": reason })),
        )
        .await;
    if let Some(refused) = refused_caller(ctx, &answer) {
        return refused;
    }
    if answer.is_success() {
        let count = |key: &str| answer.body[key].as_u64().unwrap_or_default();
        return console_page(
            ctx,
            text::ERASED,
            html! {
                (tessera_web::page::notice(text::ERASED_NOTICE))
                dl.facts {
                    dt { (text::MAPPED_RECORD) } dd { (answer.body["candidate_id"].as_str().unwrap_or("—")) }
                    dt { (text::TRANSCRIPTS_DELETED) } dd { (count("transcripts_deleted")) }
                    dt { (text::ORDERS_BLANKED) } dd { (count("orders_blanked")) }
                }
                p { a href="/staff" { (text::FIND) } }
            },
        );
    }
    let problems = Problems::from_answer(&answer);
    let refused = Posted::Refused {
        form: "erase",
        problems,
    };
    let page = found(ctx, &posted.text("account"), refused).await;
    with_status(page, answer.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_staff_type_is_sent_as_the_routes_query() {
        assert_eq!(
            account_query("ada+x@example.com"),
            "/v1/staff/accounts?email=ada%2Bx%40example.com"
        );
        assert_eq!(
            account_query("TS00000001"),
            "/v1/staff/accounts?username=TS00000001"
        );
    }
}
