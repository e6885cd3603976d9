//! The staff-privacy function: wiring only. Configuration, clients and the handler's state are built once per
//! process (`tessera_http::wiring::FromWiring`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(staff_privacy::SECRETS, staff_privacy::handle).await
}
