//! The candidate function: wiring only. Configuration and clients are built once per process.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit();
    let identity = tessera_http::wiring::identity_deps(&config).await?;
    let certification =
        tessera_http::wiring::certification_deps(&config, Arc::new(tessera_http::SystemClock))
            .await?;
    let state = candidate::CandidateState {
        identity,
        certification,
        public_url: config.public_url.clone(),
    };
    tessera_http::serve(state, candidate::handle).await
}
