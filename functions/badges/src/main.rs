//! The holder's digital badges: wiring only. On AWS it reads its keys' public parts from KMS
//! once per process and signs with the current key on request.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(badges::SECRETS, badges::handle).await
}
