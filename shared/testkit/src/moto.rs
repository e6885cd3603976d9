//! moto server on loopback stands in for DynamoDB, SES and SNS. `make test` starts it and
//! exports `AWS_ENDPOINT_URL` (with a region and dummy credentials) for the whole test run.

use serde_json::Value;

pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!("AWS_ENDPOINT_URL is not set: run the tests with `make test`, which starts moto on loopback")
    })
}

/// The same configuration and HTTP client the functions use, pointed at moto by the environment.
pub async fn sdk_config() -> tessera_aws::SdkConfig {
    endpoint();
    tessera_aws::load_config(tessera_aws::TrustedRoots::AmazonTrustServices)
        .expect("make test exports moto's credentials and region")
}

/// The program's signing key for `keys` on moto, one per test process: what the keys' variable
/// (`TESSERA_CREDENTIAL_KEYS`, `TESSERA_ID_TOKEN_KEYS`) names for moto apps.
pub async fn signing_key(keys: tessera_kernel::signing::SigningKeys) -> String {
    use tessera_kernel::signing::SigningKeys;
    static CREDENTIALS: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    static ID_TOKENS: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let cell = match keys {
        SigningKeys::Credentials => &CREDENTIALS,
        SigningKeys::IdTokens => &ID_TOKENS,
    };
    cell.get_or_init(|| async {
        new_signing_key(&aws_sdk_kms::Client::new(&sdk_config().await)).await
    })
    .await
    .clone()
}

/// A new KMS key as the template makes it (`ECC_NIST_P256`, `SIGN_VERIFY`); its id.
pub async fn new_signing_key(client: &aws_sdk_kms::Client) -> String {
    let made = client
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::EccNistP256)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .expect("moto makes the key");
    made.key_metadata()
        .expect("the key's metadata")
        .key_id()
        .to_string()
}

/// moto's whole state as JSON (`/moto-api/data.json`). moto builds it by walking its live
/// dictionaries, which fails ("dictionary changed size during iteration") when another test's
/// request lands at the same moment: such a 5xx is retried.
pub fn state() -> Value {
    let url = format!("{}/moto-api/data.json", endpoint().trim_end_matches('/'));
    let mut last_error = String::new();
    for _ in 0..20 {
        match ureq::get(&url).call() {
            Ok(response) => {
                let body = response.into_string().expect("moto state is text");
                return serde_json::from_str(&body).expect("moto state is JSON");
            }
            Err(ureq::Error::Status(status, _)) if status >= 500 => {
                last_error = format!("status {status}");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("moto answers: {e}"),
        }
    }
    panic!("moto's state stayed unavailable: {last_error}")
}

/// Lets SES send from the test sender's domain, as a verified identity would in AWS.
pub async fn verify_sender_domain(config: &tessera_aws::SdkConfig, domain: &str) {
    let ses = aws_sdk_sesv2::Client::new(config);
    let _ = ses
        .create_email_identity()
        .email_identity(domain)
        .send()
        .await;
}
