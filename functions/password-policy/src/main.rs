//! The password-policy function: wiring only. It holds no SDK client.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(password_policy::SECRETS, password_policy::handle).await
}
