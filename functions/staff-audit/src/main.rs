//! The staff-audit function: wiring only. Configuration, clients and the handler's state are built once per
//! process (`tessera_http::wiring::FromWiring`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(staff_audit::SECRETS, staff_audit::handle).await
}
