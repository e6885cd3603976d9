//! Public verification of printed codes: wiring only. It needs no session and sends no email; it
//! reads the candidate table and counts per-client checks in the identity table's ledger.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(verification::SECRETS, verification::handle).await
}
