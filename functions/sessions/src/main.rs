//! The sessions function: wiring only. Configuration, clients and the handler's state are built once per
//! process (`tessera_http::wiring::FromWiring`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(sessions::SECRETS, sessions::handle).await
}
