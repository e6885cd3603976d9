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
