//! The digital badges page's function: wiring only (`tessera_http::wiring`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(portal_badges::SECRETS, portal_badges::handle).await
}
