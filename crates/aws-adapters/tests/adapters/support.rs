//! Shared helpers: fast retries so throttling sequences do not sleep for seconds.

use aws_config::retry::RetryConfig;
use rule_core::{KeyRef, QualifiedKeyRef, Scope};
use std::time::Duration;

pub(crate) fn fast_retries(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

pub(crate) const ACCOUNT: &str = "111122223333";
pub(crate) const REGION: &str = "eu-west-1";

pub(crate) fn scope() -> Scope {
    Scope {
        partition: "aws".into(),
        account: ACCOUNT.into(),
        region: REGION.into(),
    }
}

pub(crate) fn qualified(reference: &str) -> QualifiedKeyRef {
    KeyRef::parse(reference).unwrap().qualify(&scope())
}

/// Error metadata as the SDK's parser fills it for a modeled error.
pub(crate) fn metadata(code: &str) -> aws_smithy_types::error::ErrorMetadata {
    aws_smithy_types::error::ErrorMetadata::builder()
        .code(code)
        .message("mocked")
        .build()
}

pub(crate) fn throttling_body() -> Option<String> {
    Some(r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_owned())
}

pub(crate) fn access_denied_body() -> Option<String> {
    Some(
        r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform: kms:DescribeKey"}"#
            .to_owned(),
    )
}
