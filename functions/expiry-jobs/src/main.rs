//! The expiry-jobs function: wiring only. Under a Lambda runtime (AWS, or `cargo lambda watch`)
//! it runs the job each scheduled event names; run directly (`make jobs`) it runs every job once,
//! or the ones named as arguments.

use expiry_jobs::{Job, JobDeps};
use lambda_http::{lambda_runtime, service_fn, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_http::logging::init();
    let (_, deps) = tessera_http::wiring::state_from_env::<JobDeps>(expiry_jobs::SECRETS).await?;
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        let named: Vec<String> = std::env::args().skip(1).collect();
        let jobs: Vec<Job> = if named.is_empty() {
            Job::ALL.to_vec()
        } else {
            named
                .iter()
                .map(|n| Job::parse(n).ok_or_else(|| format!("no job named {n:?}")))
                .collect::<Result<_, _>>()?
        };
        for job in jobs {
            let report = expiry_jobs::run(job, &deps).await?;
            println!("{}", expiry_jobs::report_json(job, &report));
        }
        return Ok(());
    }
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let deps = deps.clone();
        async move { Ok::<_, lambda_http::Error>(expiry_jobs::handle(&event.payload, &deps).await?) }
    }))
    .await
}
