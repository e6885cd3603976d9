//! The issuer's public documents: wiring only. It reads no table and sends nothing; on AWS it
//! reads its keys' public parts from KMS once per process.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(issuer::SECRETS, issuer::handle).await
}
