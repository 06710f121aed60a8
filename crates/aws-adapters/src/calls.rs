//! Counting API calls by operation, for the per-invocation summary line and the tests
//! that prove a sweep makes the minimum number of calls.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// A shared tally of API calls by operation name (`secretsmanager:ListSecrets`, ...).
///
/// Counts logical calls made by the adapters; the SDK's internal retries of one call
/// are not counted again (the emulator's request log sees those).
#[derive(Debug, Clone, Default)]
pub struct ApiCalls {
    counts: Arc<Mutex<BTreeMap<&'static str, u64>>>,
}

impl ApiCalls {
    /// A new, empty tally.
    pub fn new() -> ApiCalls {
        ApiCalls::default()
    }

    /// Count one call of `operation`.
    pub fn record(&self, operation: &'static str) {
        // A poisoned lock only means another thread panicked mid-increment; the
        // counts are still usable for reporting.
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry(operation).or_insert(0) += 1;
    }

    /// The tally so far, sorted by operation name.
    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Calls of one operation so far.
    pub fn count(&self, operation: &str) -> u64 {
        self.snapshot().get(operation).copied().unwrap_or(0)
    }

    /// Total calls so far.
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }
}

/// Operation names, in one place so counts and logs agree.
pub mod op {
    /// secretsmanager:ListSecrets
    pub const LIST_SECRETS: &str = "secretsmanager:ListSecrets";
    /// secretsmanager:DescribeSecret
    pub const DESCRIBE_SECRET: &str = "secretsmanager:DescribeSecret";
    /// secretsmanager:UpdateSecret
    pub const UPDATE_SECRET: &str = "secretsmanager:UpdateSecret";
    /// kms:DescribeKey
    pub const DESCRIBE_KEY: &str = "kms:DescribeKey";
    /// config:PutEvaluations
    pub const PUT_EVALUATIONS: &str = "config:PutEvaluations";
    /// config:GetResourceConfigHistory
    pub const GET_RESOURCE_CONFIG_HISTORY: &str = "config:GetResourceConfigHistory";
    /// config:GetComplianceDetailsByConfigRule
    pub const GET_COMPLIANCE_DETAILS: &str = "config:GetComplianceDetailsByConfigRule";
    /// sts:AssumeRole
    pub const ASSUME_ROLE: &str = "sts:AssumeRole";
    /// kms:GenerateDataKey, only ever with `DryRun` (the CLI's advice before a re-key)
    pub const GENERATE_DATA_KEY: &str = "kms:GenerateDataKey";
    /// kms:Encrypt, only ever with `DryRun` (the CLI's advice before a re-key)
    pub const ENCRYPT: &str = "kms:Encrypt";
}
