//! One error type for every AWS call, classified the way the rule has to act on it.
//!
//! The rule never guesses a verdict: it needs to tell "the key does not exist" (a fact,
//! row 7) from "we were not allowed to look" (row 10 or unverifiable) from "AWS is
//! throttling us" (retry later). The SDK's error types differ per operation, so the
//! adapters map every failure into [`AwsError`] with the operation's name kept, and the
//! SDK error kept as the `#[source]`.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error as StdError;

/// What kind of failure an AWS call ended in, after the SDK's own retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The caller lacks permission (AccessDenied*, UnauthorizedOperation, KMS's key policy refusals).
    AccessDenied,
    /// AWS did not accept the caller's credentials at all (ExpiredToken,
    /// InvalidClientTokenId, UnrecognizedClientException): nothing was decided about the
    /// resource, so it is never read as "denied" (which on a foreign key means row 10).
    /// Fresh credentials may succeed: retryable.
    Credentials,
    /// The named resource does not exist.
    NotFound,
    /// Throttled, still after the SDK's retries.
    Throttled,
    /// AWS answered 5xx, still after retries, or the request never got an answer (timeout, connection).
    Unavailable,
    /// AWS refused the request itself (validation, bad parameter): retrying will not help.
    Rejected,
}

/// A failed AWS call: which operation, what kind of failure, and AWS's own words.
#[derive(Debug, thiserror::Error)]
#[error("{operation} failed ({code}): {message}")]
pub struct AwsError {
    /// The API operation, e.g. `kms:DescribeKey`.
    pub operation: &'static str,
    /// How the rule should treat the failure.
    pub kind: FailureKind,
    /// AWS's error code, or a short description when AWS gave none.
    pub code: String,
    /// AWS's error message (or the transport error's).
    pub message: String,
    /// The SDK error, kept for logs and debugging.
    #[source]
    pub source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl AwsError {
    /// Classify an SDK error of any operation.
    pub fn from_sdk<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> AwsError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let (kind, code, message) = match &err {
            SdkError::ServiceError(service) => {
                let inner = service.err();
                let code = inner.code().unwrap_or("Unknown").to_owned();
                let message = inner.message().unwrap_or_default().to_owned();
                let status = Some(service.raw().status().as_u16());
                (classify(&code, status), code, message)
            }
            SdkError::TimeoutError(_) => (
                FailureKind::Unavailable,
                "Timeout".to_owned(),
                "the request timed out".to_owned(),
            ),
            SdkError::DispatchFailure(dispatch) => (
                FailureKind::Unavailable,
                "DispatchFailure".to_owned(),
                format!("the request could not be sent: {dispatch:?}"),
            ),
            SdkError::ResponseError(_) => (
                FailureKind::Unavailable,
                "ResponseError".to_owned(),
                "the response could not be read".to_owned(),
            ),
            SdkError::ConstructionFailure(_) => (
                FailureKind::Rejected,
                "ConstructionFailure".to_owned(),
                "the request could not be built".to_owned(),
            ),
            _ => (
                FailureKind::Unavailable,
                "Unknown".to_owned(),
                err.to_string(),
            ),
        };
        AwsError {
            operation,
            kind,
            code,
            message,
            source: Some(Box::new(err)),
        }
    }

    /// An error for a response AWS sent that lacks a field the rule needs.
    pub fn malformed_response(operation: &'static str, what: impl Into<String>) -> AwsError {
        AwsError {
            operation,
            kind: FailureKind::Rejected,
            code: "MalformedResponse".to_owned(),
            message: what.into(),
            source: None,
        }
    }

    /// Whether a later retry of the whole invocation may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            FailureKind::Throttled | FailureKind::Unavailable | FailureKind::Credentials
        )
    }
}

/// Map an AWS error code (and HTTP status) to what the rule has to do about it.
fn classify(code: &str, status: Option<u16>) -> FailureKind {
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            FailureKind::AccessDenied
        }
        // STS and most services answer ExpiredToken / InvalidClientTokenId; KMS, Secrets
        // Manager and Config (JSON protocols) answer ExpiredTokenException /
        // UnrecognizedClientException (botocore's models and the services' common errors).
        "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException" => FailureKind::Credentials,
        "NotFoundException"
        | "ResourceNotFoundException"
        | "ResourceNotDiscoveredException"
        | "NoSuchConfigRuleException" => FailureKind::NotFound,
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "LimitExceededException" => FailureKind::Throttled,
        "InternalFailure"
        | "InternalServiceError"
        | "InternalServiceErrorException"
        | "KMSInternalException"
        | "ServiceUnavailable"
        | "ServiceUnavailableException"
        | "DependencyTimeoutException" => FailureKind::Unavailable,
        _ => match status {
            Some(s) if s >= 500 => FailureKind::Unavailable,
            Some(429) => FailureKind::Throttled,
            _ => FailureKind::Rejected,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_codes_are_classified_as_denied() {
        for code in [
            "AccessDeniedException",
            "AccessDenied",
            "UnauthorizedOperation",
        ] {
            assert_eq!(
                classify(code, Some(400)),
                FailureKind::AccessDenied,
                "{code}"
            );
        }
    }

    #[test]
    fn token_errors_are_credential_failures_never_access_denied() {
        for code in [
            "ExpiredToken",
            "ExpiredTokenException",
            "InvalidClientTokenId",
            "UnrecognizedClientException",
        ] {
            assert_eq!(
                classify(code, Some(400)),
                FailureKind::Credentials,
                "{code}"
            );
        }
        let error = AwsError {
            operation: "kms:DescribeKey",
            kind: FailureKind::Credentials,
            code: "ExpiredTokenException".to_owned(),
            message: "The security token included in the request is expired".to_owned(),
            source: None,
        };
        assert!(error.is_retryable());
    }

    #[test]
    fn unknown_codes_follow_the_http_status() {
        assert_eq!(classify("Whatever", Some(503)), FailureKind::Unavailable);
        assert_eq!(classify("Whatever", Some(429)), FailureKind::Throttled);
        assert_eq!(classify("Whatever", Some(400)), FailureKind::Rejected);
        assert_eq!(classify("Whatever", None), FailureKind::Rejected);
    }

    #[test]
    fn throttling_and_not_found_codes() {
        assert_eq!(
            classify("ThrottlingException", Some(400)),
            FailureKind::Throttled
        );
        assert_eq!(classify("Throttling", Some(400)), FailureKind::Throttled);
        assert_eq!(
            classify("NotFoundException", Some(400)),
            FailureKind::NotFound
        );
        assert_eq!(
            classify("ResourceNotDiscoveredException", Some(400)),
            FailureKind::NotFound
        );
    }
}
