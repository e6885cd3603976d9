//! The public transcript page: wiring only. It needs no session and sends no email, so it links
//! only the candidate table's client.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(transcript_page::SECRETS, transcript_page::handle).await
}
