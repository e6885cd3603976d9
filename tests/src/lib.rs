//! Flow tests live in `tests/`; this library holds what they share about the functions.

pub mod certification;
pub mod job_scale;
pub mod orders;
pub mod pages;
pub mod round_trips;

use fulfillment::FulfillmentState;
use lambda_http::{Body, Request};
use tessera_http::wiring::FromWiring;
use tessera_testkit::payment_provider::{FakeProvider, SECRET_KEY};
use tessera_testkit::TestApp;

/// Generates, for each named `async fn name(backend: Backend)` in the calling file, one test on
/// the embedded store (`embedded::name`) and one on DynamoDB/SES/SNS in moto (`moto::name`).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(tessera_testkit::Backend::Embedded).await
                }
            )*
        }
        mod moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(tessera_testkit::Backend::Moto).await
                }
            )*
        }
    };
}

/// The password test accounts are created with.
pub const PASSWORD: &str = "Quartz-Harbor-42x";

/// `POST /v1/accounts` through the accounts handler (names and country fixed).
pub async fn sign_up(
    app: &tessera_testkit::TestApp,
    email: &str,
    password: &str,
) -> tessera_testkit::TestResponse {
    let body = serde_json::json!({ "email": email, "password": password, "first_name": "Ada", "last_name": "Lovelace", "country": "GB" });
    app.call(
        accounts::handle,
        tessera_testkit::json_request("POST", "/v1/accounts", &body),
    )
    .await
}

/// `POST /v1/accounts/activate` through the accounts handler, setting [`PASSWORD`].
pub async fn activate(
    app: &tessera_testkit::TestApp,
    email: &str,
    code: &str,
) -> tessera_testkit::TestResponse {
    activate_with(app, email, code, PASSWORD).await
}

/// `POST /v1/accounts/activate` with the password the account is to have.
pub async fn activate_with(
    app: &tessera_testkit::TestApp,
    email: &str,
    code: &str,
    password: &str,
) -> tessera_testkit::TestResponse {
    let body = serde_json::json!({ "email": email, "code": code, "password": password });
    app.call(
        accounts::handle,
        tessera_testkit::json_request("POST", "/v1/accounts/activate", &body),
    )
    .await
}

/// Signs up a fresh address through the accounts handler, reads the activation email and
/// activates it. Returns the address and the username.
pub async fn active_account(app: &tessera_testkit::TestApp, name: &str) -> (String, String) {
    let email = tessera_testkit::unique_email(name);
    let username = activate_address(app, &email).await;
    (email, username)
}

/// Makes `account` a customer the way a number given does: a fresh service contract imported into
/// the registry, then claimed through the flow. The contract's number.
pub async fn customer_by_contract(
    app: &TestApp,
    account: &tessera_kernel::ids::AccountId,
) -> String {
    use tessera_access::registry::{AgreementKind, AgreementNumber, RegistryEntry};
    let raw = format!("SC-{}", tessera_testkit::app::unique());
    let number = AgreementNumber::parse(&raw).expect("a contract number");
    app.access
        .store
        .put_registry_entries(&[RegistryEntry {
            kind: AgreementKind::ServiceContract,
            number: number.clone(),
            organisation: "Example Networks Ltd".into(),
            expires_at: None,
        }])
        .await
        .expect("the registry takes it");
    tessera_access::flows::claim(
        &app.access,
        account,
        AgreementKind::ServiceContract,
        &number,
    )
    .await
    .expect("the number is recognised");
    raw
}

/// Signs `email` up with [`PASSWORD`], activates it from its email, and returns its username.
pub async fn activate_address(app: &tessera_testkit::TestApp, email: &str) -> String {
    let r = sign_up(app, email, PASSWORD).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let r = activate(app, email, &app.latest_code(email)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["username"].as_str().unwrap().to_string()
}

/// `POST /v1/password-resets` (`channel`: "email" or "sms") through the password-reset handler.
pub async fn request_reset(
    app: &tessera_testkit::TestApp,
    email: &str,
    channel: &str,
) -> tessera_testkit::TestResponse {
    let body = serde_json::json!({ "email": email, "channel": channel });
    app.call(
        password_reset::handle,
        tessera_testkit::json_request("POST", "/v1/password-resets", &body),
    )
    .await
}

/// `POST /v1/password-resets/verify` through the password-reset handler.
pub async fn verify_reset(
    app: &tessera_testkit::TestApp,
    email: &str,
    code: &str,
) -> tessera_testkit::TestResponse {
    let body = serde_json::json!({ "email": email, "code": code });
    app.call(
        password_reset::handle,
        tessera_testkit::json_request("POST", "/v1/password-resets/verify", &body),
    )
    .await
}

/// `POST /v1/sessions` through the sessions handler.
pub async fn log_in(
    app: &tessera_testkit::TestApp,
    email: &str,
    password: &str,
) -> tessera_testkit::TestResponse {
    let body = serde_json::json!({ "email": email, "password": password });
    app.call(
        sessions::handle,
        tessera_testkit::json_request("POST", "/v1/sessions", &body),
    )
    .await
}

/// The token of a 201 login answer.
pub fn token_of(r: &tessera_testkit::TestResponse) -> String {
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["token"].as_str().unwrap().to_string()
}

/// A request carrying `Authorization: Bearer <token>` and, when given, a JSON body.
pub fn authorized(
    method: &str,
    path: &str,
    token: &str,
    body: Option<&serde_json::Value>,
) -> Request {
    let builder = lambda_http::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    match body {
        Some(json) => builder
            .header("content-type", "application/json")
            .body(Body::Text(json.to_string())),
        None => builder.body(Body::Empty),
    }
    .expect("valid request")
}

/// `PUT /v1/me/password` with a token.
pub async fn change_password(
    app: &tessera_testkit::TestApp,
    token: &str,
    current: &str,
    new: &str,
    confirm: &str,
) -> tessera_testkit::TestResponse {
    let body = serde_json::json!({
        "current_password": current, "new_password": new, "confirm_password": confirm
    });
    app.call(
        password_change::handle,
        authorized("PUT", "/v1/me/password", token, Some(&body)),
    )
    .await
}

/// `GET /v1/me` with a token.
pub async fn me(app: &tessera_testkit::TestApp, token: &str) -> tessera_testkit::TestResponse {
    app.call(profile::handle, authorized("GET", "/v1/me", token, None))
        .await
}

/// Enrols and confirms an authenticator on an active account; its base32 secret. The clock moves
/// past the confirming step, so the next code is new.
pub async fn enrol_authenticator(app: &tessera_testkit::TestApp, email: &str) -> String {
    let token = token_of(&log_in(app, email, PASSWORD).await);
    let body = serde_json::json!({ "password": PASSWORD });
    let r = app
        .call(
            mfa::handle,
            authorized("POST", "/v1/me/mfa/totp", &token, Some(&body)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let secret = r.json["secret"].as_str().unwrap().to_string();
    let now = tessera_kernel::ports::Clock::now(app.clock.as_ref());
    let code = tessera_identity::mfa::code_at(&secret, now).unwrap();
    let body = serde_json::json!({ "code": code });
    let r = app
        .call(
            mfa::handle,
            authorized("POST", "/v1/me/mfa/totp/confirm", &token, Some(&body)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.clock.advance(tessera_kernel::time::Seconds(30));
    secret
}

/// A staff member: a new active account granted `roles` (by the operator's path, as the first
/// program administrator gets them), enrolled with an authenticator and signed in with it.
pub struct Staff {
    pub email: String,
    pub account: tessera_kernel::ids::AccountId,
    /// A session that passed the second step.
    pub token: String,
    /// The authenticator's secret, to sign in again.
    pub secret: String,
}

pub async fn staff_member(
    app: &tessera_testkit::TestApp,
    name: &str,
    roles: &[tessera_identity::staff::Role],
) -> Staff {
    let (email, _) = active_account(app, name).await;
    let address = tessera_kernel::email::Email::parse(&email).unwrap();
    let reason = tessera_kernel::audit::Reason::parse("a test's staff member").unwrap();
    let mut account = None;
    for role in roles {
        let (granted, _) =
            tessera_operator::grant_role(&app.deps, "tests", &address, *role, &reason)
                .await
                .unwrap();
        account = Some(granted);
    }
    let secret = enrol_authenticator(app, &email).await;
    let token = second_step_session(app, &email, &secret).await;
    let account = match account {
        Some(account) => account,
        None => {
            app.deps
                .store
                .identity(&address)
                .await
                .unwrap()
                .unwrap()
                .account_id
        }
    };
    Staff {
        email,
        account,
        token,
        secret,
    }
}

/// Logs in with the password and answers the challenge with the authenticator's current code;
/// the session token. Moves the clock past the code's step, so the next one is fresh.
pub async fn second_step_session(
    app: &tessera_testkit::TestApp,
    email: &str,
    secret: &str,
) -> String {
    let r = log_in(app, email, PASSWORD).await;
    assert_eq!(
        r.json["mfa_required"],
        serde_json::json!(true),
        "{}",
        r.text
    );
    let now = tessera_kernel::ports::Clock::now(app.clock.as_ref());
    let code = tessera_identity::mfa::code_at(secret, now).unwrap();
    let body = serde_json::json!({ "challenge": r.json["challenge"], "code": code });
    let answered = app
        .call(
            sessions::handle,
            tessera_testkit::json_request("POST", "/v1/sessions/mfa", &body),
        )
        .await;
    app.clock.advance(tessera_kernel::time::Seconds(30));
    token_of(&answered)
}

/// The admin token the embedded default accepts.
pub const ADMIN_TOKEN: &str = tessera_http::config::LOCAL_ADMIN_TOKEN;

/// A `text/csv` upload to an admin import route, with the admin token and, when given, a
/// `source` query parameter.
pub fn csv_upload(path: &str, csv: &str, source: Option<&str>) -> Request {
    use lambda_http::RequestExt;
    let request = lambda_http::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .header("content-type", "text/csv")
        .body(Body::Text(csv.to_string()))
        .expect("valid request");
    match source {
        Some(s) => request.with_query_string_parameters(std::collections::HashMap::from([(
            "source".to_string(),
            s.to_string(),
        )])),
        None => request,
    }
}

/// An import through the imports handler.
pub async fn import(
    app: &tessera_testkit::TestApp,
    request: Request,
) -> tessera_testkit::TestResponse {
    app.call(imports::handle, request).await
}

/// The sample files of docs/samples/.
pub fn sample(name: &str) -> String {
    std::fs::read_to_string(tessera_testkit::repo_root().join("docs/samples").join(name))
        .expect("sample file")
}

/// A request through the public transcript page's handler.
pub async fn transcript_page(
    app: &tessera_testkit::TestApp,
    request: Request,
) -> tessera_testkit::TestResponse {
    app.call(transcript_page::handle, request).await
}

/// A transcript's public link opened by anyone (no session).
pub async fn open_transcript_link(
    app: &tessera_testkit::TestApp,
    id: &str,
) -> tessera_testkit::TestResponse {
    let request = lambda_http::http::Request::builder()
        .uri(format!("/v1/transcripts/{id}"))
        .body(lambda_http::Body::Empty)
        .unwrap();
    transcript_page(app, request).await
}

/// The audit events about `kind:id` (an account, a candidate, an order), newest first.
pub async fn audit_about(
    app: &tessera_testkit::TestApp,
    kind: &str,
    id: &str,
) -> Vec<tessera_kernel::audit::AuditEvent> {
    let query = tessera_kernel::audit::AuditQuery {
        subject: Some(tessera_kernel::audit::AuditParty::new(kind, id)),
        limit: 50,
        ..tessera_kernel::audit::AuditQuery::default()
    };
    app.audit.query(&query).await.unwrap().events
}

/// A request to any staff route, through the function the template gives it.
pub async fn staff_call(
    app: &tessera_testkit::TestApp,
    request: Request,
) -> tessera_testkit::TestResponse {
    match tessera_testkit::template::function_serving(&request).as_str() {
        "staff-accounts" => app.call(staff_accounts::handle, request).await,
        "staff-audit" => app.call(staff_audit::handle, request).await,
        "staff-records" => app.call(staff_records::handle, request).await,
        "staff-orders" => app.call(staff_orders::handle, request).await,
        "staff-privacy" => app.call(staff_privacy::handle, request).await,
        "oidc" => app.call(oidc::handle, request).await,
        "access" => app.call(access::handle, request).await,
        "federation" => app.call(federation::handle, request).await,
        other => panic!("{other} is not a staff function"),
    }
}

/// A request through the candidate-facing function the template routes it to (mapping,
/// personal-info, certifications or transcripts), on the test app's backend and clock.
pub async fn candidate_call(
    app: &tessera_testkit::TestApp,
    request: Request,
) -> tessera_testkit::TestResponse {
    match tessera_testkit::template::function_serving(&request).as_str() {
        "personal-info" => app.call(personal_info::handle, request).await,
        "mapping" => app.call(mapping::handle, request).await,
        "transcripts" => app.call(transcripts::handle, request).await,
        "certifications" => app.call(certifications::handle, request).await,
        other => panic!("{other} is not a candidate-facing function"),
    }
}

/// A state built as its function's `main` builds it, with the payment provider configured as
/// the checkout adapter against `provider` (a loopback stand-in) with `key`, or left as the
/// test app has it (the sandbox).
pub fn with_provider<S: FromWiring>(app: &TestApp, provider: Option<(&str, &str)>) -> S {
    match provider {
        None => app.state(),
        Some((url, key)) => S::from_wiring(&app.with_variables(&[
            ("TESSERA_PAYMENT_PROVIDER", "stripe"),
            ("TESSERA_STRIPE_API_BASE", url),
            ("TESSERA_STRIPE_SECRET_KEY", key),
        ]))
        .expect("the function's state"),
    }
}

/// The fulfillment function's state on the test app: the sandbox provider (as the embedded
/// default has it), or the checkout adapter against `provider`.
pub fn fulfillment_state(app: &TestApp, provider: Option<&FakeProvider>) -> FulfillmentState {
    with_provider(app, provider.map(|p| (p.url.as_str(), SECRET_KEY)))
}

/// A request through the fulfillment handler with the sandbox provider.
pub async fn fulfillment_call(app: &TestApp, request: Request) -> tessera_testkit::TestResponse {
    app.call(fulfillment::handle, request).await
}

/// The expiry jobs' state on the test app, with the payment provider of `fulfillment_state`.
pub fn job_deps(app: &TestApp, provider: Option<&FakeProvider>) -> expiry_jobs::JobDeps {
    with_provider(app, provider.map(|p| (p.url.as_str(), SECRET_KEY)))
}

/// `request` as API Gateway hands it over from the client at `address` (its source IP: what
/// per-client limits count by).
pub fn from_client(address: &str, mut request: Request) -> Request {
    let mut context =
        lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
    context.http.source_ip = Some(address.to_string());
    request
        .extensions_mut()
        .insert(lambda_http::request::RequestContext::ApiGatewayV2(context));
    request
}
