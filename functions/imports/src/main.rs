//! The imports function: wiring only. Configuration and clients are built once per process.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(imports::SECRETS);
    let state = imports::ImportState {
        certification: tessera_http::wiring::certification_deps(&config).await?,
        admin: config.admin.clone(),
    };
    tessera_http::serve(&config, state, imports::handle).await
}
