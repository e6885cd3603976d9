//! The fulfillment function: wiring only. Configuration and clients are built once per process
//! (the payment provider's HTTPS client on the first checkout).

use std::sync::Arc;

use tessera_http::config::{PaymentConfig, PaymentProvider};
use tessera_http::wiring::{Connections, OsRandom, SystemClock};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(fulfillment::SECRETS);
    let payment = tessera_http::wiring::or_exit(PaymentConfig::from_env_for(fulfillment::SECRETS));
    let backend = Connections::open(&config).await?;
    let identity = backend.identity_deps(&config, Arc::new(SystemClock), Arc::new(OsRandom))?;
    let certification =
        backend.certification_deps(&config, Arc::new(SystemClock), Arc::new(OsRandom))?;
    let state = fulfillment::FulfillmentState {
        identity,
        certification,
        fulfillment: tessera_http::wiring::fulfillment_deps(&config, &payment, backend.orders()?),
        sandbox: payment.provider == PaymentProvider::Sandbox,
        admin: config.admin.clone(),
    };
    tessera_http::serve(&config, state, fulfillment::handle).await
}
