//! The mail-events function: wiring only. It serves SNS deliveries of SES events (AWS, or
//! `cargo lambda invoke --data-file events/mail-events/…` on `cargo lambda watch`).

use lambda_http::{lambda_runtime, service_fn, LambdaEvent};
use serde_json::Value;
use tessera_kernel::delivery::Postbox;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let (_, postbox) =
        tessera_http::wiring::state_from_env::<Postbox>(mail_events::SECRETS).await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let postbox = postbox.clone();
        async move {
            let report = mail_events::handle(&event.payload, &postbox).await?;
            Ok::<_, lambda_http::Error>(mail_events::report_json(&report))
        }
    }))
    .await
}
