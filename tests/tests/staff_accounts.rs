//! Support's routes on accounts and the audit log's reader, through the real handlers on both
//! backends: find, unlock, disable (every session ends) and enable, roles (program
//! administrators only), each write with its audit event; the auditor's paged reads; and the
//! role matrix over every staff route the template declares.

use lambda_http::{Request, RequestExt};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use tessera_identity::staff::Role;
use tessera_testkit::{template, Backend, TestApp, TestResponse};
use tessera_tests::{
    active_account, authorized, log_in, on_both_backends, second_step_session, staff_call,
    staff_member, token_of, Staff, PASSWORD,
};

fn with_query(request: Request, query: &[(&str, &str)]) -> Request {
    request.with_query_string_parameters(
        query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
    )
}

async fn find(app: &TestApp, token: &str, query: &[(&str, &str)]) -> TestResponse {
    let request = authorized("GET", "/v1/staff/accounts", token, None);
    staff_call(app, with_query(request, query)).await
}

async fn act(
    app: &TestApp,
    token: &str,
    account: &str,
    action: &str,
    reason: &str,
) -> TestResponse {
    let path = format!("/v1/staff/accounts/{account}/{action}");
    let body = json!({ "reason": reason });
    staff_call(app, authorized("POST", &path, token, Some(&body))).await
}

async fn audit(app: &TestApp, token: &str, query: &[(&str, &str)]) -> TestResponse {
    let request = authorized("GET", "/v1/staff/audit", token, None);
    staff_call(app, with_query(request, query)).await
}

async fn me(app: &TestApp, token: &str) -> u16 {
    app.call(profile::handle, authorized("GET", "/v1/me", token, None))
        .await
        .status
}

fn account_id(r: &TestResponse) -> String {
    r.json["account_id"].as_str().unwrap().to_string()
}

/// Support finds an account by address (any case) or login ID and sees how it can sign in; no
/// secret is in the answer. Neither or both keys, or a malformed one, is 422; nobody is 404.
async fn support_finds_an_account_by_address_or_login_id(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "desk", &[Role::Support]).await;
    let (email, username) = active_account(&app, "caller").await;
    let by_email = find(&app, &support.token, &[("email", &email.to_uppercase())]).await;
    assert_eq!(by_email.status, 200, "{}", by_email.text);
    assert_eq!(by_email.json["email"], json!(email));
    assert_eq!(by_email.json["username"], json!(username));
    assert_eq!(by_email.json["status"], "active");
    assert_eq!(by_email.json["disabled"], false);
    assert_eq!(by_email.json["locked"], false);
    assert_eq!(by_email.json["mfa"]["totp"], false);
    assert_eq!(by_email.json["roles"], json!([]));
    for secret in ["password", "hash", "secret", "code", "token"] {
        assert!(
            !by_email.text.to_lowercase().contains(secret),
            "{secret} in {}",
            by_email.text
        );
    }
    let by_login_id = find(
        &app,
        &support.token,
        &[("username", &username.to_lowercase())],
    )
    .await;
    assert_eq!(by_login_id.status, 200);
    assert_eq!(account_id(&by_login_id), account_id(&by_email));

    let staff_view = find(&app, &support.token, &[("email", &support.email)]).await;
    assert_eq!(staff_view.json["roles"], json!(["support"]));
    assert_eq!(staff_view.json["mfa"]["totp"], true);

    assert_eq!(
        find(&app, &support.token, &[("email", "nobody@example.com")])
            .await
            .status,
        404
    );
    for query in [
        vec![],
        vec![("email", email.as_str()), ("username", username.as_str())],
        vec![("email", "not-an-address")],
        vec![("username", "T S")],
    ] {
        let r = find(&app, &support.token, &query).await;
        assert_eq!(r.status, 422, "{query:?}: {}", r.text);
    }
}

/// A locked account (the growing delay after failed logins, and the reset the hundredth one
/// requires) is unlocked with a reason: the right password works again at once, and the audit
/// log says who, why and what changed. Unlocking an unlocked account writes nothing.
async fn unlocking_lifts_a_lock_with_its_audit_event(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "unlocker", &[Role::Support]).await;
    let (email, _) = active_account(&app, "locked.out").await;
    for _ in 0..5 {
        assert_eq!(log_in(&app, &email, "Wrong-Password-1x").await.status, 401);
    }
    let address = tessera_kernel::email::Email::parse(&email).unwrap();
    let mut identity = app.deps.store.identity(&address).await.unwrap().unwrap();
    identity.reset_required = true; // as the hundredth failure leaves it
    app.deps.store.update_identity(&identity).await.unwrap();
    let found = find(&app, &support.token, &[("email", &email)]).await;
    assert_eq!(found.json["locked"], true);
    assert_eq!(found.json["failed_logins"], 5);
    let account = account_id(&found);

    let empty = act(&app, &support.token, &account, "unlock", " ").await;
    assert_eq!(empty.status, 422, "a reason is required");
    assert_eq!(empty.json["errors"][0]["field"], "reason");

    let unlocked = act(&app, &support.token, &account, "unlock", "verified caller").await;
    assert_eq!(unlocked.status, 200, "{}", unlocked.text);
    assert_eq!(unlocked.json["locked"], false);
    assert_eq!(unlocked.json["failed_logins"], 0);
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 201);

    let events = audit_events(&app, &format!("account:{account}")).await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.action, "account.unlock");
    assert_eq!(
        event.actor.as_str(),
        format!("account:{}", support.account.as_str())
    );
    assert_eq!(event.reason.as_str(), "verified caller");
    let changes: Vec<_> = event
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref()))
        .collect();
    assert_eq!(
        changes,
        [
            ("locked", Some("true"), Some("false")),
            ("failed_logins", Some("5"), Some("0"))
        ]
    );
    let again = act(&app, &support.token, &account, "unlock", "again").await;
    assert_eq!(again.status, 200);
    assert_eq!(
        audit_events(&app, &format!("account:{account}"))
            .await
            .len(),
        1
    );
}

/// Disabling ends every session at once and refuses every sign-in (password, second step),
/// with the answer a wrong password gets; enabling lets the owner in again. Each is audited
/// once; the same action twice writes nothing more.
async fn disabling_ends_every_session_and_refuses_sign_in(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "disabler", &[Role::Support]).await;
    let target = staff_member(&app, "target", &[Role::Auditor]).await;
    let other = second_step_session(&app, &target.email, &target.secret).await;
    let account = target.account.as_str();
    assert_eq!(me(&app, &target.token).await, 200);
    assert_eq!(me(&app, &other).await, 200);

    let disabled = act(&app, &support.token, account, "disable", "reported stolen").await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert_eq!(disabled.json["disabled"], true);
    assert_eq!(me(&app, &target.token).await, 401, "every session ended");
    assert_eq!(me(&app, &other).await, 401, "every session ended");
    let refused = log_in(&app, &target.email, PASSWORD).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(refused.json["code"], "invalid_credentials");
    assert_eq!(
        act(&app, &support.token, account, "disable", "twice")
            .await
            .status,
        200
    );
    // Audit ids are ordered by the second: the next event is a second later.
    app.clock.advance(tessera_kernel::time::Seconds(1));

    let enabled = act(&app, &support.token, account, "enable", "owner confirmed").await;
    assert_eq!(enabled.json["disabled"], false);
    let token = second_step_session(&app, &target.email, &target.secret).await;
    assert_eq!(me(&app, &token).await, 200);

    let events = audit_events(&app, &format!("account:{account}")).await;
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    // Newest first; the operator's grant of the target's role is the oldest.
    assert_eq!(
        actions,
        ["account.enable", "account.disable", "account.roles"]
    );
    assert_eq!(
        (
            events[1].changes[0].before.as_deref(),
            events[1].changes[0].after.as_deref()
        ),
        (Some("false"), Some("true"))
    );
}

/// Roles are set by a program administrator, with the roles before and after in the audit log;
/// support may not; a malformed list is 422 and an unknown account 404, neither written.
async fn program_administrators_set_roles(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = staff_member(&app, "pa", &[Role::ProgramAdmin]).await;
    let support = staff_member(&app, "sup", &[Role::Support]).await;
    let (email, _) = active_account(&app, "new.hire").await;
    let account = account_id(&find(&app, &support.token, &[("email", &email)]).await);
    let path = format!("/v1/staff/accounts/{account}/roles");
    let put = |token: &str, body: Value| authorized("PUT", &path, token, Some(&body));

    let body = json!({ "roles": ["fulfillment", "auditor"], "reason": "joined the shipping team" });
    let refused = staff_call(&app, put(&support.token, body.clone())).await;
    assert_eq!(
        (refused.status, refused.json["code"].clone()),
        (403, json!("forbidden"))
    );
    let set = staff_call(&app, put(&admin.token, body)).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json["roles"], json!(["fulfillment", "auditor"]));

    for bad in [
        json!({ "roles": ["root"], "reason": "x" }),
        json!({ "roles": ["auditor", "auditor"], "reason": "x" }),
        json!({ "roles": "auditor", "reason": "x" }),
        json!({ "roles": [] }),
    ] {
        let r = staff_call(&app, put(&admin.token, bad.clone())).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    let nobody = authorized(
        "PUT",
        "/v1/staff/accounts/0123456789abcdef0123456789abcdef/roles",
        &admin.token,
        Some(&json!({ "roles": [], "reason": "x" })),
    );
    assert_eq!(staff_call(&app, nobody).await.status, 404);

    let events = audit_events(&app, &format!("account:{account}")).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].actor.as_str(),
        format!("account:{}", admin.account.as_str())
    );
    assert_eq!(
        (
            events[0].changes[0].before.as_deref(),
            events[0].changes[0].after.as_deref()
        ),
        (Some(""), Some("fulfillment,auditor"))
    );
}

/// The auditor reads the log newest first, by subject and by actor, from a time, a page at a
/// time (`next` is the following page's `before`); bad parameters are 422, all named.
async fn auditors_read_the_log_in_pages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let auditor = staff_member(&app, "reader", &[Role::Auditor]).await;
    let support = staff_member(&app, "actor", &[Role::Support]).await;
    let (email, _) = active_account(&app, "subject").await;
    let account = account_id(&find(&app, &support.token, &[("email", &email)]).await);
    for action in ["disable", "enable", "disable"] {
        assert_eq!(
            act(&app, &support.token, &account, action, "case 42")
                .await
                .status,
            200
        );
        app.clock.advance(tessera_kernel::time::Seconds(1));
    }
    let subject = format!("account:{account}");
    let first = audit(
        &app,
        &auditor.token,
        &[("subject", &subject), ("limit", "2")],
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let actions = |r: &TestResponse| -> Vec<String> {
        r.json["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(actions(&first), ["account.disable", "account.enable"]);
    assert_eq!(first.json["events"][0]["reason"], "case 42");
    assert_eq!(first.json["events"][0]["subject"], json!(subject));
    let next = first.json["next"].as_str().unwrap().to_string();
    let second = audit(
        &app,
        &auditor.token,
        &[("subject", &subject), ("limit", "2"), ("before", &next)],
    )
    .await;
    assert_eq!(actions(&second), ["account.disable"]);
    assert_eq!(second.json["next"], Value::Null);

    let actor = format!("account:{}", support.account.as_str());
    let by_actor = audit(&app, &auditor.token, &[("actor", &actor)]).await;
    assert_eq!(actions(&by_actor).len(), 3);
    let later = (tessera_kernel::ports::Clock::now(app.clock.as_ref())
        + tessera_kernel::time::Seconds(3600))
    .to_rfc3339();
    let none = audit(&app, &auditor.token, &[("since", &later)]).await;
    assert_eq!(none.json["events"], json!([]));
    let everything = audit(&app, &auditor.token, &[]).await;
    assert!(actions(&everything).len() >= 5, "roles granted and actions");

    let bad = audit(
        &app,
        &auditor.token,
        &[
            ("limit", "0"),
            ("since", "yesterday"),
            ("before", "x"),
            ("actor", "a b"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    let fields: BTreeSet<_> = bad.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        fields,
        ["actor", "before", "limit", "since"]
            .map(String::from)
            .into()
    );
}

async fn audit_events(app: &TestApp, subject: &str) -> Vec<tessera_kernel::audit::AuditEvent> {
    let query = tessera_kernel::audit::AuditQuery {
        subject: tessera_kernel::audit::AuditParty::parse(subject),
        limit: 50,
        ..Default::default()
    };
    app.audit.query(&query).await.unwrap().events
}

async fn confirm_email(app: &TestApp, token: &str, code: &str) -> TestResponse {
    let body = json!({ "code": code });
    let request = authorized("POST", "/v1/me/email-change/confirm", token, Some(&body));
    app.call(profile::handle, request).await
}

/// Support sets a new sign-in address for its owner: a code goes there and the old address is
/// told; nothing changes until the owner, signed in, enters the code; then the account signs in
/// with the new address only, its session goes on, and both steps are audited. An address in
/// use is refused, and one taken between the request and the code leaves the account as it was.
async fn support_changes_an_accounts_email_for_its_owner(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "email.desk", &[Role::Support]).await;
    let (old, _) = active_account(&app, "moving").await;
    let token = token_of(&log_in(&app, &old, PASSWORD).await);
    let account = account_id(&find(&app, &support.token, &[("email", &old)]).await);
    let path = format!("/v1/staff/accounts/{account}/email-change");
    let request = |new_email: &str| {
        let body = json!({ "new_email": new_email, "reason": "owner asked, case 9" });
        authorized("POST", &path, &support.token, Some(&body))
    };

    let (taken, _) = active_account(&app, "taken").await;
    let refused = staff_call(&app, request(&taken)).await;
    assert_eq!(
        (refused.status, refused.json["code"].clone()),
        (409, json!("email_taken"))
    );
    assert_eq!(
        staff_call(&app, request(&old)).await.status,
        422,
        "the same address"
    );

    let new = tessera_testkit::unique_email("moved");
    let asked = staff_call(&app, request(&new)).await;
    assert_eq!(asked.status, 202, "{}", asked.text);
    let code = app.latest_code(&new);
    let told = app.messages_to(&old);
    assert!(
        told.last().unwrap().body.contains(&new),
        "the old address is told"
    );
    assert_eq!(
        log_in(&app, &new, PASSWORD).await.status,
        401,
        "not before the code"
    );
    assert_eq!(log_in(&app, &old, PASSWORD).await.status, 201);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(confirm_email(&app, &token, wrong).await.status, 400);
    let confirmed = confirm_email(&app, &token, &code).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(confirmed.json["email"], json!(new));
    let me = app
        .call(profile::handle, authorized("GET", "/v1/me", &token, None))
        .await;
    assert_eq!(me.json["email"], json!(new), "the session goes on");
    assert_eq!(log_in(&app, &new, PASSWORD).await.status, 201);
    assert_eq!(log_in(&app, &old, PASSWORD).await.status, 401);
    assert!(app
        .messages_to(&old)
        .last()
        .unwrap()
        .body
        .contains("changed to"));
    assert_eq!(
        find(&app, &support.token, &[("email", &new)]).await.status,
        200
    );
    assert_eq!(
        find(&app, &support.token, &[("email", &old)]).await.status,
        404
    );
    assert_eq!(
        confirm_email(&app, &token, &code).await.status,
        409,
        "nothing waits now"
    );
    let actions: Vec<_> = audit_events(&app, &format!("account:{account}"))
        .await
        .into_iter()
        .map(|e| (e.action, e.actor.as_str().to_string()))
        .collect();
    assert!(actions.contains(&("account.email".into(), format!("account:{account}"))));
    assert!(actions.contains(&(
        "account.email_change".into(),
        format!("account:{}", support.account.as_str())
    )));

    // Taken between the request and the code: the account stays where it is.
    let contested = tessera_testkit::unique_email("contested");
    assert_eq!(staff_call(&app, request(&contested)).await.status, 202);
    let code = app.latest_code(&contested);
    assert_eq!(
        tessera_tests::sign_up(&app, &contested, PASSWORD)
            .await
            .status,
        202
    );
    let lost = confirm_email(&app, &token, &code).await;
    assert_eq!(
        (lost.status, lost.json["code"].clone()),
        (409, json!("email_taken"))
    );
    assert_eq!(log_in(&app, &new, PASSWORD).await.status, 201);
}

/// Guessing the email-change code in a burst gets no more checks than guessing one at a time:
/// five wrong codes kill it, however many arrive at once, so the right one no longer works and
/// the account stays at its address. (A guess that lost every race to the others answers 409 and
/// was not checked: the burst is topped up to five checked guesses one at a time.)
async fn a_burst_of_wrong_email_change_codes_uses_the_code_up(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::new(backend).await);
    let support = staff_member(&app, "burst.desk", &[Role::Support]).await;
    let (old, _) = active_account(&app, "burst.owner").await;
    let token = token_of(&log_in(&app, &old, PASSWORD).await);
    let account = account_id(&find(&app, &support.token, &[("email", &old)]).await);
    let new = tessera_testkit::unique_email("burst.moved");
    let body = json!({ "new_email": new, "reason": "owner asked" });
    let path = format!("/v1/staff/accounts/{account}/email-change");
    let asked = staff_call(&app, authorized("POST", &path, &support.token, Some(&body))).await;
    assert_eq!(asked.status, 202);
    let code = app.latest_code(&new);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let guesses: Vec<_> = (0..8)
        .map(|_| {
            let (app, token) = (app.clone(), token.clone());
            tokio::spawn(async move { confirm_email(&app, &token, wrong).await.status })
        })
        .collect();
    let mut checked = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            400 => checked += 1,
            status => assert_eq!(status, 409, "a guess is checked or told to try again"),
        }
    }
    for _ in checked..5 {
        assert_eq!(confirm_email(&app, &token, wrong).await.status, 400);
    }
    let late = confirm_email(&app, &token, &code).await;
    assert_eq!(late.status, 400, "the code was used up: {}", late.text);
    assert_eq!(log_in(&app, &old, PASSWORD).await.status, 201);
    assert_eq!(log_in(&app, &new, PASSWORD).await.status, 401);
}

/// Which roles each staff route allows: every `/v1/staff/` route of the template is here.
const STAFF_ROUTES: &[(&str, &str, &[Role])] = &[
    (
        "GET",
        "/v1/staff/accounts",
        &[Role::Support, Role::ProgramAdmin, Role::Auditor],
    ),
    (
        "POST",
        "/v1/staff/accounts/{id}/unlock",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/accounts/{id}/disable",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/accounts/{id}/enable",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "PUT",
        "/v1/staff/accounts/{id}/roles",
        &[Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/accounts/{id}/email-change",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/accounts/{id}/resume-email",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "GET",
        "/v1/staff/accounts/{id}/export",
        &[Role::Support, Role::ProgramAdmin],
    ),
    ("GET", "/v1/staff/audit", &[Role::Auditor]),
    (
        "GET",
        "/v1/staff/candidates",
        &[Role::Support, Role::ProgramAdmin, Role::Auditor],
    ),
    (
        "GET",
        "/v1/staff/candidates/{id}",
        &[Role::Support, Role::ProgramAdmin, Role::Auditor],
    ),
    (
        "PATCH",
        "/v1/staff/candidates/{id}",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "DELETE",
        "/v1/staff/candidates/{id}/mapping",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "PUT",
        "/v1/staff/candidates/{id}/mapping",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/candidates/{id}/grants",
        &[Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/candidates/{id}/merge",
        &[Role::Support, Role::ProgramAdmin],
    ),
    (
        "GET",
        "/v1/staff/catalog",
        &[Role::Support, Role::ProgramAdmin, Role::Auditor],
    ),
    ("PUT", "/v1/staff/catalog", &[Role::ProgramAdmin]),
    (
        "POST",
        "/v1/staff/candidates/{id}/certifications/{cert}/status",
        &[Role::ProgramAdmin],
    ),
    (
        "GET",
        "/v1/staff/orders",
        &[
            Role::Fulfillment,
            Role::ProgramAdmin,
            Role::Support,
            Role::Auditor,
        ],
    ),
    (
        "GET",
        "/v1/staff/orders/{id}",
        &[
            Role::Fulfillment,
            Role::ProgramAdmin,
            Role::Support,
            Role::Auditor,
        ],
    ),
    (
        "POST",
        "/v1/staff/orders/{id}/status",
        &[Role::Fulfillment, Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/orders/{id}/refund",
        &[Role::Fulfillment, Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/orders/{id}/reprint",
        &[Role::Fulfillment, Role::ProgramAdmin, Role::Support],
    ),
    ("POST", "/v1/staff/oidc-clients", &[Role::ProgramAdmin]),
    ("GET", "/v1/staff/oidc-clients", &[Role::ProgramAdmin]),
    (
        "POST",
        "/v1/staff/oidc-clients/{id}/disable",
        &[Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/federation-providers",
        &[Role::ProgramAdmin],
    ),
    (
        "GET",
        "/v1/staff/federation-providers",
        &[Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/federation-providers/{id}/disable",
        &[Role::ProgramAdmin],
    ),
    (
        "POST",
        "/v1/staff/access-codes",
        &[Role::Support, Role::ProgramAdmin],
    ),
    // Last: the first role it allows erases the subject the routes above act on.
    (
        "DELETE",
        "/v1/staff/accounts/{id}",
        &[Role::Support, Role::ProgramAdmin],
    ),
];

/// A well-formed request to a staff route: `{id}` is `subject` (an account id, which is also a
/// well-formed candidate ID), `{cert}` a catalog id.
fn concrete(method: &str, path: &str, token: &str, subject: &str) -> Request {
    let route = path;
    let path = path
        .replace("{id}", subject)
        .replace("{cert}", "security-associate");
    let body = match route.rsplit('/').next() {
        _ if method == "GET" => None,
        _ if method == "PATCH" => Some(json!({ "academy_id": "AC-1", "reason": "matrix" })),
        Some("mapping") if method == "PUT" => Some(json!({
            "account_id": "0123456789abcdef0123456789abcdef", "reason": "matrix"
        })),
        Some("roles") => Some(json!({ "roles": ["auditor"], "reason": "matrix" })),
        Some("grants") => Some(json!({
            "certification_id": "security-associate", "active_on": "2025-01-01", "reason": "matrix"
        })),
        Some("status") => Some(json!({ "status": "suspended", "reason": "matrix" })),
        Some("merge") => Some(json!({ "from": "TSC1000002", "reason": "matrix" })),
        Some("catalog") => Some(json!({ "restore": 1, "reason": "matrix" })),
        Some("oidc-clients") => Some(json!({
            "name": "Matrix app", "type": "public",
            "redirect_uris": ["https://app.example.com/cb"], "reason": "matrix"
        })),
        Some("federation-providers") => Some(json!({
            "name": "Matrix org", "issuer": "https://login.example.com", "client_id": "tessera",
            "domains": [format!("matrix{}.example", tessera_testkit::app::unique())],
            "default_country": "GB", "reason": "matrix"
        })),
        Some("access-codes") => Some(json!({
            "resource": "course.matrix", "expires_on": "2099-12-31", "reason": "matrix"
        })),
        Some("email-change") => Some(json!({
            "new_email": tessera_testkit::unique_email("matrix.moved"), "reason": "matrix"
        })),
        _ => Some(json!({ "reason": "matrix" })),
    };
    let request = authorized(method, &path, token, body.as_ref());
    match route {
        "/v1/staff/accounts" => with_query(request, &[("email", "someone@example.com")]),
        "/v1/staff/candidates" => with_query(request, &[("q", "TSC1000001")]),
        _ => request,
    }
}

/// Every staff route refuses each role it does not name (403 `forbidden`), a holder of every
/// role without an authenticator (403 `second_factor_required`) and no session (401); the roles
/// it names get past the gate.
async fn every_staff_route_holds_to_its_roles(backend: Backend) {
    let app = TestApp::new(backend).await;
    let declared: BTreeSet<(String, String)> = template::http_routes(&template::load())
        .into_iter()
        .filter(|(_, path, _)| path.starts_with("/v1/staff/"))
        .map(|(method, path, _)| (method, path))
        .collect();
    let listed: BTreeSet<(String, String)> = STAFF_ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        listed, declared,
        "every staff route's roles are listed here"
    );

    let mut members: Vec<(Role, Staff)> = Vec::new();
    for role in Role::ALL {
        members.push((role, staff_member(&app, role.as_str(), &[role]).await));
    }
    let (subject_email, _) = active_account(&app, "matrix.subject").await;
    let address = tessera_kernel::email::Email::parse(&subject_email).unwrap();
    let subject = app
        .deps
        .store
        .identity(&address)
        .await
        .unwrap()
        .unwrap()
        .account_id;
    let all_roles_no_second_step = {
        let (email, _) = active_account(&app, "no.authenticator").await;
        let address = tessera_kernel::email::Email::parse(&email).unwrap();
        for role in Role::ALL {
            tessera_operator::grant_role(
                &app.deps,
                "tests",
                &address,
                role,
                &tessera_kernel::audit::Reason::parse("matrix").unwrap(),
            )
            .await
            .unwrap();
        }
        token_of(&log_in(&app, &email, PASSWORD).await)
    };

    for (method, path, allows) in STAFF_ROUTES {
        for (role, member) in &members {
            let r = staff_call(
                &app,
                concrete(method, path, &member.token, subject.as_str()),
            )
            .await;
            if allows.contains(role) {
                assert!(
                    ![401, 403].contains(&r.status),
                    "{method} {path} as {role:?}: {}",
                    r.text
                );
            } else {
                assert_eq!(
                    (r.status, r.json["code"].as_str()),
                    (403, Some("forbidden")),
                    "{method} {path} as {role:?}"
                );
            }
        }
        let r = staff_call(
            &app,
            concrete(method, path, &all_roles_no_second_step, subject.as_str()),
        )
        .await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (403, Some("second_factor_required")),
            "{method} {path}, no authenticator"
        );
        let anonymous = concrete(method, path, "", subject.as_str());
        assert_eq!(
            staff_call(&app, anonymous).await.status,
            401,
            "{method} {path}"
        );
    }
}

on_both_backends!(
    a_burst_of_wrong_email_change_codes_uses_the_code_up,
    support_changes_an_accounts_email_for_its_owner,
    support_finds_an_account_by_address_or_login_id,
    unlocking_lifts_a_lock_with_its_audit_event,
    disabling_ends_every_session_and_refuses_sign_in,
    program_administrators_set_roles,
    auditors_read_the_log_in_pages,
    every_staff_route_holds_to_its_roles,
);

/// "Alarms on failed staff writes": every staff function that writes (serves a route other than
/// GET) has its log group counted into `StaffWriteFailures`, and an alarm on that metric tells
/// the operator's topic.
#[test]
fn every_staff_function_that_writes_feeds_the_failed_writes_alarm() {
    let template = template::load();
    let resources = template["Resources"].as_mapping().unwrap();
    let writers: BTreeSet<String> = template::http_routes(&template)
        .into_iter()
        .filter(|(method, path, _)| path.starts_with("/v1/staff/") && method != "GET")
        .map(|(_, _, function)| function)
        .collect();
    assert!(writers.len() >= 3, "{writers:?}");
    for function in &writers {
        let (_, resource) = resources
            .iter()
            .find(|(_, r)| {
                r["Properties"]["CodeUri"]
                    .as_str()
                    .is_some_and(|uri| uri.ends_with(&format!("/{function}")))
            })
            .unwrap();
        let log_group = reference(&resource["Properties"]["LoggingConfig"]["LogGroup"])
            .unwrap_or_else(|| panic!("{function} logs to its own group"))
            .to_string();
        let counted = resources.values().any(|r| {
            r["Type"] == "AWS::Logs::MetricFilter"
                && reference(&r["Properties"]["LogGroupName"]) == Some(log_group.as_str())
                && r["Properties"]["MetricTransformations"][0]["MetricName"] == "StaffWriteFailures"
                && r["Properties"]["FilterPattern"]
                    .as_str()
                    .is_some_and(|p| p.contains("status >= 500") && p.contains("\"handled\""))
        });
        assert!(counted, "{function}'s failed writes are counted");
    }
    let alarmed = resources.values().any(|r| {
        r["Type"] == "AWS::CloudWatch::Alarm"
            && r["Properties"]["MetricName"] == "StaffWriteFailures"
            && reference(&r["Properties"]["AlarmActions"][0]) == Some("OperatorAlarmTopic")
    });
    assert!(
        alarmed,
        "an alarm on failed staff writes tells the operator"
    );
}

/// The logical id a `!Ref` names.
fn reference(value: &serde_yaml::Value) -> Option<&str> {
    match value {
        serde_yaml::Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str(),
        other => other["Ref"].as_str(),
    }
}
