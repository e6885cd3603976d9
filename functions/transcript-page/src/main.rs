//! The public transcript page: wiring only. It needs no session and sends no email, so it links
//! only the candidate table's client.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(transcript_page::SECRETS);
    let certification = tessera_http::wiring::certification_deps(&config).await?;
    tessera_http::serve(&config, certification, transcript_page::handle).await
}
