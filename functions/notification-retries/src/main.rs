//! The notification-retries function: wiring only. Under a Lambda runtime (AWS, or
//! `cargo lambda watch`) it serves scheduled events; run directly (`make jobs`) it runs once.

use lambda_http::{lambda_runtime, service_fn, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let config = tessera_http::wiring::config_or_exit(notification_retries::SECRETS);
    let postbox = tessera_http::wiring::postbox(&config).await?;
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
