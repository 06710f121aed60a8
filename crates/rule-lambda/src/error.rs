//! How an invocation fails, and how that reaches Lambda (and so Config).
//!
//! Config retries a failed invocation; retrying a bad event or bad rule parameters only
//! repeats the failure, so those are `NonRetryable`. Throttling, 5xx and unverifiable
//! secrets are `Retryable`: a later run may well succeed.

use lambda_runtime::Diagnostic;
use rule_core::EventError;
use secrets_cmk_aws::{AccountAccessError, AwsError};
use std::error::Error as StdError;

/// Why an invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The event is malformed (no evaluations were reported).
    #[error("invalid event: {0}")]
    InvalidEvent(#[source] EventError),
    /// The rule parameters are invalid (no evaluations were reported). The event error
    /// already says "invalid rule parameters".
    #[error("{0}")]
    InvalidParameters(#[source] EventError),
    /// The event asks for something this function refuses to do: a role other than its
    /// own setting, or a configuration item of another account than the event's. No
    /// evaluation is reported; retrying the same event cannot change that.
    #[error("refused: {0}")]
    Refused(String),
    /// The function ARN in the invocation context is not a Lambda function ARN.
    #[error("the invoked function ARN {0:?} is not a Lambda function ARN")]
    InvalidFunctionArn(String),
    /// The evaluated account could not be reached.
    #[error("cannot act in the evaluated account: {0}")]
    AccountAccess(#[source] AccountAccessError),
    /// An AWS call failed in a way that stops the invocation.
    #[error("{0}")]
    Aws(#[source] AwsError),
    /// Some secrets were left without a verdict, or the sweep stopped early; everything
    /// that could be decided was reported.
    #[error("{0}")]
    Incomplete(String),
}

impl RuleError {
    /// Whether Config should try this invocation again.
    pub fn is_retryable(&self) -> bool {
        match self {
            RuleError::InvalidEvent(_)
            | RuleError::InvalidParameters(_)
            | RuleError::Refused(_)
            | RuleError::InvalidFunctionArn(_) => false,
            RuleError::AccountAccess(e) => e.is_retryable(),
            RuleError::Aws(e) => e.is_retryable(),
            RuleError::Incomplete(_) => true,
        }
    }

    /// The message with every cause in the chain, so the log line says everything.
    pub fn full_message(&self) -> String {
        let mut message = self.to_string();
        let mut source = self.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        message
    }
}

impl From<RuleError> for Diagnostic {
    fn from(error: RuleError) -> Diagnostic {
        let error_type = if error.is_retryable() {
            "Retryable"
        } else {
            "NonRetryable"
        };
        Diagnostic {
            error_type: error_type.to_owned(),
            error_message: error.full_message(),
        }
    }
}
