//! The staff-orders function: wiring only. Configuration, clients and the handler's state are built once per
//! process (`tessera_http::wiring::FromWiring`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(staff_orders::SECRETS, staff_orders::handle).await
}
