//! The sign-up function: wiring only. Configuration and clients are built once per process.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(accounts::SECRETS);
    let deps = tessera_http::wiring::identity_deps(&config).await?;
    tessera_http::serve(&config, deps, accounts::handle).await
}
