//! The password-policy function: wiring only. It holds no SDK client.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(password_policy::SECRETS);
    tessera_http::serve(Arc::new(config.identity.policy), password_policy::handle).await
}
