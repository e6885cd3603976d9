//! The portal function: wiring only (`tessera_http::wiring`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(portal::SECRETS, portal::handle).await
}
