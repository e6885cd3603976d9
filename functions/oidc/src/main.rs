//! The OpenID Connect provider: wiring only.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(oidc::SECRETS, oidc::handle).await
}
