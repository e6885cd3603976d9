//! Federated sign-in and the organisations' providers: wiring only.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(federation::SECRETS, federation::handle).await
}
