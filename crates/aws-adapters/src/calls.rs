//! Counting API calls by operation, for the per-invocation summary line and the tests
//! that prove a sweep makes the minimum number of calls.

use crate::error::{AwsError, FailureKind};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::{BTreeMap, BTreeSet};
use std::error::Error as StdError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// A shared tally of API calls by operation name (`secretsmanager:ListSecrets`, ...).
///
/// Counts logical calls made by the adapters; the SDK's internal retries of one call
/// are not counted again (the emulator's request log sees those).
#[derive(Debug, Clone, Default)]
pub struct ApiCalls {
    counts: Arc<Mutex<BTreeMap<&'static str, u64>>>,
    /// Calls AWS answered with a credential error (ExpiredToken, ...): the Lambda then
    /// assumes the member role afresh and tries once more.
    rejected_credentials: Arc<AtomicU64>,
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

    /// Classify a failed call of `operation` ([`AwsError::from_sdk`]), noting it when AWS
    /// rejected the credentials themselves.
    pub fn failed<E>(&self, operation: &'static str, err: SdkError<E, HttpResponse>) -> AwsError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let error = AwsError::from_sdk(operation, err);
        if error.kind == FailureKind::Credentials {
            self.rejected_credentials.fetch_add(1, Ordering::Relaxed);
        }
        error
    }

    /// Calls so far whose credentials AWS rejected.
    pub fn rejected_credentials(&self) -> u64 {
        self.rejected_credentials.load(Ordering::Relaxed)
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

    /// Every operation the rule Lambda calls. Each is an IAM action of the same name, which
    /// the contract's rule roles must allow ([`super::CONTRACT_PATH`]: `ruleFunction`,
    /// `centralFunction`, `memberExecution`; AssumeRole only the central one).
    pub const RULE_OPERATIONS: [&str; 7] = [
        LIST_SECRETS,
        DESCRIBE_SECRET,
        DESCRIBE_KEY,
        PUT_EVALUATIONS,
        GET_RESOURCE_CONFIG_HISTORY,
        GET_COMPLIANCE_DETAILS,
        ASSUME_ROLE,
    ];

    /// Every operation the CLI (`secrets-cmk`) calls, documented in the contract's `cliAudit`,
    /// `cliRemediate` and `cliBackout` entries.
    pub const CLI_OPERATIONS: [&str; 6] = [
        LIST_SECRETS,
        DESCRIBE_SECRET,
        DESCRIBE_KEY,
        UPDATE_SECRET,
        GENERATE_DATA_KEY,
        ENCRYPT,
    ];
}

/// The contract between the code and the CDK app (the rule's parameters, the Lambda's
/// environment, the IAM actions of every role), relative to the workspace root.
pub const CONTRACT_PATH: &str = "contract/contract.json";

/// The IAM action of a request as the emulator's request log records it: `service` is the
/// SigV4 signing name, which is the IAM prefix of every service the code calls
/// (`kms`, `DescribeKey` gives `kms:DescribeKey`, the form of the [`op`] names).
pub fn action_of(service: &str, operation: &str) -> String {
    format!("{service}:{operation}")
}

/// Every IAM action the contract's `role` allows (the actions of all its grants, that is of
/// all the Allow statements of its policy). `contract` is the text of [`CONTRACT_PATH`].
pub fn contract_role_actions(contract: &str, role: &str) -> Result<BTreeSet<String>, String> {
    let contract: serde_json::Value =
        serde_json::from_str(contract).map_err(|e| format!("{CONTRACT_PATH}: {e}"))?;
    let grants = contract
        .get("roles")
        .and_then(|roles| roles.get(role))
        .and_then(|role| role.get("grants"))
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| format!("{CONTRACT_PATH} has no role {role:?} with grants"))?;
    let mut actions = BTreeSet::new();
    for (sid, grant) in grants {
        let listed = grant
            .get("actions")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| format!("{CONTRACT_PATH}: {role}.{sid} has no actions"))?;
        for action in listed {
            let action = action
                .as_str()
                .ok_or_else(|| format!("{CONTRACT_PATH}: {role}.{sid}: {action} is not a name"))?;
            actions.insert(action.to_owned());
        }
    }
    Ok(actions)
}
