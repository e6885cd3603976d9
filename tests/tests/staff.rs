//! Staff, first pieces, on both backends: roles on ordinary accounts, granted with their audit
//! event in the same write (the first program administrator by the operator command's flow), and
//! the gate every staff route passes: one of its roles, and a session that passed the
//! authenticator.

use serde_json::json;
use tessera_http::auth::authenticate_staff;
use tessera_identity::staff::Role;
use tessera_kernel::audit::{AuditParty, AuditQuery, Reason};
use tessera_kernel::email::Email;
use tessera_operator::{grant_role, GrantError};
use tessera_testkit::{json_request, Backend, TestApp};
use tessera_tests::{
    active_account, authorized, enrol_authenticator, log_in, on_both_backends, sign_up, token_of,
    PASSWORD,
};

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

async fn audit_of(app: &TestApp, account: &str) -> Vec<tessera_kernel::audit::AuditEvent> {
    let query = AuditQuery {
        subject: Some(AuditParty::new("account", account)),
        limit: 50,
        ..AuditQuery::default()
    };
    app.audit.query(&query).await.unwrap().events
}

async fn roles_of(app: &TestApp, account: &tessera_kernel::ids::AccountId) -> Vec<Role> {
    let profile = app.deps.store.profile(account).await.unwrap().unwrap();
    profile.roles.into_iter().collect()
}

/// The operator grants the first program administrator: the role is on the account and the
/// audit log says who, why and what changed; granting it again changes and writes nothing; an
/// address with no active account gets nothing and leaves no trace.
async fn the_operator_grants_a_role_with_its_audit_event(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "first.admin").await;
    let email = Email::parse(&email).unwrap();
    let why = reason("first program administrator");
    let (account, change) = grant_role(&app.deps, "ops-1", &email, Role::ProgramAdmin, &why)
        .await
        .unwrap();
    assert!(change.before.is_empty());
    assert_eq!(roles_of(&app, &account).await, [Role::ProgramAdmin]);
    let events = audit_of(&app, account.as_str()).await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.actor.as_str(), "operator:ops-1");
    assert_eq!(event.action, "account.roles");
    assert_eq!(event.reason, why);
    assert_eq!(
        event.at,
        tessera_kernel::ports::Clock::now(app.clock.as_ref())
    );
    assert_eq!(event.changes[0].field, "roles");
    assert_eq!(
        (
            event.changes[0].before.as_deref(),
            event.changes[0].after.as_deref()
        ),
        (Some(""), Some("program_admin"))
    );

    let again = grant_role(&app.deps, "ops-1", &email, Role::ProgramAdmin, &why)
        .await
        .unwrap();
    assert_eq!(again.1.before, again.1.after);
    assert_eq!(
        audit_of(&app, account.as_str()).await.len(),
        1,
        "a no-op is not audited"
    );

    let pending = tessera_testkit::unique_email("pending.admin");
    assert_eq!(sign_up(&app, &pending, PASSWORD).await.status, 202);
    for address in [pending.as_str(), "nobody@example.com"] {
        let refused = grant_role(
            &app.deps,
            "ops-1",
            &Email::parse(address).unwrap(),
            Role::ProgramAdmin,
            &why,
        )
        .await;
        assert!(
            matches!(refused, Err(GrantError::NoActiveAccount)),
            "{address}"
        );
    }
    let everything = app
        .audit
        .query(&AuditQuery {
            limit: 50,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(everything.events.len(), 1, "refused grants leave no event");
}

/// Two grants of different roles at once both land, each with its own event: the loser of the
/// race reads the roles again rather than overwriting the winner's.
async fn concurrent_grants_both_land(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::new(backend).await);
    let (email, _) = active_account(&app, "busy.staff").await;
    let email = Email::parse(&email).unwrap();
    let grants = [Role::Support, Role::Auditor, Role::Fulfillment].map(|role| {
        let (app, email) = (app.clone(), email.clone());
        tokio::spawn(async move {
            grant_role(&app.deps, "ops-2", &email, role, &reason("new team member"))
                .await
                .unwrap()
                .0
        })
    });
    let mut account = None;
    for grant in grants {
        account = Some(grant.await.unwrap());
    }
    let account = account.unwrap();
    assert_eq!(
        roles_of(&app, &account).await,
        [Role::Support, Role::Fulfillment, Role::Auditor]
    );
    assert_eq!(audit_of(&app, account.as_str()).await.len(), 3);
}

/// The staff gate: a session without a role is refused, a role-holder's password-only session is
/// refused until it passes the authenticator, and a session that passed it is admitted by the
/// role the route allows. No session at all is 401.
async fn staff_routes_need_a_role_and_the_second_step(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "gate.staff").await;
    let request = |token: &str| authorized("GET", "/v1/staff/accounts", token, None);
    let allows = [Role::Support, Role::ProgramAdmin];

    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let refused = authenticate_staff(&request(&token), &app.deps, &allows)
        .await
        .unwrap_err();
    assert_eq!((refused.status, refused.code), (403, "forbidden"));

    let address = Email::parse(&email).unwrap();
    grant_role(
        &app.deps,
        "ops-3",
        &address,
        Role::Support,
        &reason("support desk"),
    )
    .await
    .unwrap();
    let refused = authenticate_staff(&request(&token), &app.deps, &allows)
        .await
        .unwrap_err();
    assert_eq!(
        (refused.status, refused.code),
        (403, "second_factor_required")
    );
    let refused = authenticate_staff(&request(&token), &app.deps, &[Role::Auditor])
        .await
        .unwrap_err();
    assert_eq!(refused.code, "forbidden", "a role the route does not name");

    let secret = enrol_authenticator(&app, &email).await;
    let r = log_in(&app, &email, PASSWORD).await;
    assert_eq!(r.json["mfa_required"], json!(true), "{}", r.text);
    let now = tessera_kernel::ports::Clock::now(app.clock.as_ref());
    let code = tessera_identity::mfa::code_at(&secret, now).unwrap();
    let body = json!({ "challenge": r.json["challenge"], "code": code });
    let answered = app
        .call(
            sessions::handle,
            json_request("POST", "/v1/sessions/mfa", &body),
        )
        .await;
    let staff_token = token_of(&answered);
    let (_, profile, role) = authenticate_staff(&request(&staff_token), &app.deps, &allows)
        .await
        .unwrap();
    assert_eq!(role, Role::Support);
    assert!(profile.roles.contains(&Role::Support));

    let anonymous = lambda_http::http::Request::builder()
        .uri("/v1/staff/accounts")
        .body(lambda_http::Body::Empty)
        .unwrap();
    let refused = authenticate_staff(&anonymous, &app.deps, &allows)
        .await
        .unwrap_err();
    assert_eq!(refused.status, 401);
}

on_both_backends!(
    the_operator_grants_a_role_with_its_audit_event,
    concurrent_grants_both_land,
    staff_routes_need_a_role_and_the_second_step,
    the_operator_command_grants_a_role,
);

/// The operator command itself, with the functions' settings: it opens the same backend (on AWS
/// through the standard credentials chain, here the environment pointing at moto), grants the
/// role, and prints the account's roles; bad arguments get the usage.
async fn the_operator_command_grants_a_role(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "cli.admin").await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO"))
            .current_dir(tessera_testkit::repo_root())
            .args(["run", "--quiet", "-p", "tessera-operator", "--"])
            .args(args)
            .env_remove("TESSERA_BACKEND")
            .envs(app.variables())
            .output()
            .expect("cargo runs")
    };
    let granted = run(&[
        "grant-role",
        "--email",
        &email,
        "--role",
        "program_admin",
        "--reason",
        "first program administrator",
        "--operator",
        "ops-cli",
    ]);
    assert!(
        granted.status.success(),
        "{}",
        String::from_utf8_lossy(&granted.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&granted.stdout).unwrap();
    assert_eq!(printed["roles"], "program_admin");
    let account = tessera_kernel::ids::AccountId::from_stored(
        printed["account_id"].as_str().unwrap().to_string(),
    );
    assert_eq!(roles_of(&app, &account).await, [Role::ProgramAdmin]);
    assert_eq!(
        audit_of(&app, account.as_str()).await[0].actor.as_str(),
        "operator:ops-cli"
    );

    let usage = run(&["grant-role", "--email", &email, "--role", "root"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("--role"));
    let unknown = run(&[
        "grant-role",
        "--email",
        "nobody@example.com",
        "--role",
        "auditor",
        "--reason",
        "x",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no active account"));
}
