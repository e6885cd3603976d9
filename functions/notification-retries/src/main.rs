//! The notification-retries function: wiring only. Under a Lambda runtime (AWS, or
//! `cargo lambda watch`) it serves scheduled events; run directly (`make jobs`) it runs once.

use lambda_http::{lambda_runtime, service_fn, LambdaEvent};
use serde_json::Value;
use tessera_kernel::delivery::Postbox;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let (_, postbox) =
        tessera_http::wiring::state_from_env::<Postbox>(notification_retries::SECRETS).await?;
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        let report = notification_retries::run(&postbox).await?;
        println!("{}", notification_retries::report_json(&report));
        return Ok(());
    }
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<Value>| {
        let postbox = postbox.clone();
        async move {
            let report = notification_retries::run(&postbox).await?;
            Ok::<_, lambda_http::Error>(notification_retries::report_json(&report))
        }
    }))
    .await
}
