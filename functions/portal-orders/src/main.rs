//! The certificates & plaques pages' function: wiring only (`tessera_http::wiring`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(portal_orders::SECRETS, portal_orders::handle).await
}
