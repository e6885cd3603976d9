//! The fulfillment function: wiring only (`FulfillmentState`'s `FromWiring`). The payment
//! provider's HTTPS client is built on the first checkout.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::wiring::run(fulfillment::SECRETS, fulfillment::handle).await
}
