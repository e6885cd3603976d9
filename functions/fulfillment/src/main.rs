//! The fulfillment function: wiring only. Configuration and clients are built once per process
//! (the payment provider's HTTPS client on the first checkout).

use std::sync::Arc;

use tessera_core::fulfillment::ordering::FulfillmentDeps;
use tessera_core::fulfillment::payment::{Payments, SandboxPayments};
use tessera_core::fulfillment::signature::SigningSecret;
use tessera_http::config::{PaymentConfig, PaymentProvider};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit();
    let payment = tessera_http::wiring::or_exit(PaymentConfig::from_env());
    let identity = tessera_http::wiring::identity_deps(&config).await?;
    let certification =
        tessera_http::wiring::certification_deps(&config, Arc::new(tessera_http::SystemClock))
            .await?;
    let payments: Arc<dyn Payments> = match &payment.provider {
        PaymentProvider::Sandbox => Arc::new(SandboxPayments {
            public_base: config.public_url.clone().unwrap_or_default(),
        }),
        PaymentProvider::Stripe {
            api_base,
            secret_key,
        } => Arc::new(tessera_stripe::StripePayments::new(
            api_base.clone(),
            secret_key.clone(),
        )),
    };
    let state = fulfillment::FulfillmentState {
        identity,
        certification,
        fulfillment: FulfillmentDeps {
            payments,
            prices: payment.prices.clone(),
            webhook_secret: SigningSecret::new(payment.webhook_secret.clone()),
            return_url: payment.return_url.clone(),
        },
        sandbox: payment.provider == PaymentProvider::Sandbox,
        admin: config.admin.clone(),
    };
    tessera_http::serve(state, fulfillment::handle).await
}
