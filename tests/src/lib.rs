//! Flow tests live in `tests/`; this library holds what they share about the functions.

use lambda_http::{Body, Request, Response};
use std::sync::Arc;
use tessera_core::signup::IdentityDeps;

/// The password-policy function's handler, fed from the identity settings tests configure.
pub async fn password_policy_handler(request: Request, deps: IdentityDeps) -> Response<Body> {
    password_policy::handle(request, Arc::new(deps.settings.policy.clone())).await
}

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

/// Signs up a fresh address through the accounts handler, reads the activation email and
/// activates it. Returns the address and the username.
pub async fn active_account(app: &tessera_testkit::TestApp, name: &str) -> (String, String) {
    use serde_json::json;
    use tessera_testkit::json_request;
    let email = tessera_testkit::unique_email(name);
    let body = json!({ "email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace", "country": "GB" });
    let r = app
        .call(
            accounts::handle,
            json_request("POST", "/v1/accounts", &body),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let code = app.latest_code(&email);
    let r = app
        .call(
            accounts::handle,
            json_request(
                "POST",
                "/v1/accounts/activate",
                &json!({ "email": email, "code": code }),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    (email, r.json["username"].as_str().unwrap().to_string())
}
