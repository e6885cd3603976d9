//! The candidate function: wiring only. Configuration and clients are built once per process.

use std::sync::Arc;

use tessera_http::wiring::{Connections, OsRandom, SystemClock};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(candidate::SECRETS);
    let backend = Connections::open(&config).await?;
    let identity = backend.identity_deps(&config, Arc::new(SystemClock), Arc::new(OsRandom))?;
    let certification =
        backend.certification_deps(&config, Arc::new(SystemClock), Arc::new(OsRandom))?;
    let state = candidate::CandidateState {
        identity,
        certification,
        public_url: config.public_url.clone(),
    };
    tessera_http::serve(&config, state, candidate::handle).await
}
