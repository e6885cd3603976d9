//! Access levels: wiring only.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(access::SECRETS, access::handle).await
}
