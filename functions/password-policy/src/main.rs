//! The password-policy function: wiring only. It holds no SDK client.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(password_policy::SECRETS);
    let policy = Arc::new(config.identity.policy.clone());
    tessera_http::serve(&config, policy, password_policy::handle).await
}
