//! The staff console's function: wiring only (`tessera_http::wiring`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(staff_console::SECRETS, staff_console::handle).await
}
