//! AWS adapters of the core ports: DynamoDB for storage, SES v2 for email, SNS for SMS.
//! Clients are built once per process from the environment Lambda sets (`tls::load_config`;
//! `AWS_ENDPOINT_URL` points them at moto in tests).

#[cfg(feature = "access")]
mod access;
mod attempts;
mod audit;
#[cfg(feature = "certification")]
mod badges;
#[cfg(feature = "certification")]
mod candidates;
#[cfg(feature = "certification")]
mod catalogs;
mod dynamo;
#[cfg(feature = "federation")]
mod federation;
mod messaging;
#[cfg(feature = "oidc")]
mod oidc;
#[cfg(feature = "fulfillment")]
mod orders;
#[cfg(feature = "signing")]
pub mod signing;
mod suppressions;
mod throttle;
mod tls;
#[cfg(feature = "certification")]
mod transcripts;
#[cfg(feature = "certification")]
mod verification_codes;

pub use audit::AuditStore;
pub use dynamo::{
    CandidateStore, CandidateTable, DynamoStore, IdentityStore, IdentityTable, DUE_SHARDS,
};
pub use messaging::AwsMessenger;
pub use tls::{
    https_client, load_config, load_config_by_standard_chain, MissingSetting, TrustedRoots,
};
// The SDK clients, re-exported so callers need not depend on each SDK crate.
pub use aws_sdk_dynamodb::Client as DynamoClient;
pub use aws_sdk_sesv2::Client as SesClient;
pub use aws_sdk_sns::Client as SnsClient;
pub use aws_types::SdkConfig;
