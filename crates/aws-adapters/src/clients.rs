//! Building SDK configuration the same way for the Lambda and the CLI: the standard AWS
//! configuration chain (environment, profiles, `AWS_ENDPOINT_URL`), plus retries sized
//! for throttling.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// Attempts per call (the first try plus retries). ListSecrets allows 100 TPS and
/// DescribeKey shares 2,000 TPS with the whole account, so an organization-wide sweep
/// does get throttled; ten attempts with exponential backoff (capped at 10 s) ride out
/// bursts without holding the invocation for minutes.
pub const MAX_ATTEMPTS: u32 = 10;

/// The retry policy every client uses.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(10))
}

/// Where to load configuration from. Everything optional: the defaults are the
/// standard chain of the environment the program runs in.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    /// Named profile (`--profile`).
    pub profile: Option<String>,
    /// Region override (`--region`); otherwise the chain's region.
    pub region: Option<String>,
}

/// Load the shared SDK configuration with our retry policy.
pub async fn load_sdk_config(source: &ConfigSource) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry_config());
    if let Some(profile) = &source.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &source.region {
        loader = loader.region(Region::new(region.clone()));
    }
    loader.load().await
}

/// The same configuration pointed at another region (KMS keys of replicas, multi-region audits).
pub fn in_region(config: &SdkConfig, region: &str) -> SdkConfig {
    config
        .to_builder()
        .region(Region::new(region.to_owned()))
        .build()
}

/// The region a configuration names, if any.
pub fn region_of(config: &SdkConfig) -> Option<String> {
    config.region().map(|r| r.as_ref().to_owned())
}
