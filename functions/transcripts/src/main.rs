//! The transcripts function: wiring only. Configuration and clients are built once per process.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(transcripts::SECRETS);
    let state = tessera_http::wiring::candidate_state(&config).await?;
    tessera_http::serve(&config, state, transcripts::handle).await
}
