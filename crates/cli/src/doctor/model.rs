//! What `doctor` observes and what it concludes, as plain data: the facts each probe
//! gathered (or the AWS error that stopped it), and one [`CheckResult`] per check.
//!
//! Nothing here calls AWS, so every check is a pure function of these facts
//! ([`super::checks`], [`super::permissions`]) and is unit-tested without an emulator.

use chrono::{DateTime, Utc};
use secrets_cmk_aws::{AwsError, FailureKind};
use serde::Serialize;

/// A probe's answer: the facts, or the AWS error that stopped it.
pub type Observed<T> = Result<T, AwsError>;

/// Whether AWS refused the call for lack of permission (the check is then "not checked":
/// doctor cannot tell, and says which permission would let it).
pub fn is_denied(error: &AwsError) -> bool {
    matches!(error.kind, FailureKind::AccessDenied)
}

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// What the check looks for holds.
    Pass,
    /// It does not; the result says how to fix it.
    Fail,
    /// Doctor could not tell (nothing to look at, or a call it needs was refused); the
    /// result says why.
    NotChecked,
}

impl Status {
    /// The word the table shows.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::NotChecked => "not checked",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Stable id, e.g. `recorder` (what scripts match on; the JSON's `check`).
    #[serde(rename = "check")]
    pub id: &'static str,
    /// What was checked, in a few words.
    pub title: &'static str,
    /// How it ended.
    pub status: Status,
    /// What doctor saw (for a failure: what is wrong; not checked: why).
    pub detail: String,
    /// How to fix a failure (or, for not checked, how to make the check possible).
    pub fix: Option<String>,
}

impl CheckResult {
    /// A passed check.
    pub fn pass(id: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        CheckResult {
            id,
            title,
            status: Status::Pass,
            detail: detail.into(),
            fix: None,
        }
    }

    /// A failed check and its fix.
    pub fn fail(
        id: &'static str,
        title: &'static str,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        CheckResult {
            id,
            title,
            status: Status::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    /// A check doctor could not make, why, and what would make it possible.
    pub fn not_checked(
        id: &'static str,
        title: &'static str,
        why: impl Into<String>,
        how: Option<String>,
    ) -> Self {
        CheckResult {
            id,
            title,
            status: Status::NotChecked,
            detail: why.into(),
            fix: how,
        }
    }

    /// The check could not be made because `error` stopped the call it needs.
    pub fn from_error(id: &'static str, title: &'static str, error: &AwsError) -> Self {
        let how = if is_denied(error) {
            Some(format!(
                "allow {} to the caller to run this check",
                error.operation
            ))
        } else {
            Some("retry later; run with -vv to see the SDK's retries".to_owned())
        };
        CheckResult::not_checked(id, title, describe_error(error), how)
    }
}

/// `operation answered CODE: message`, for details.
pub fn describe_error(error: &AwsError) -> String {
    let mut text = format!("{} answered {}", error.operation, error.code);
    if !error.message.is_empty() {
        text.push_str(": ");
        text.push_str(&error.message);
    }
    text
}

/// Who the credentials belong to (STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The 12-digit account.
    pub account: String,
    /// The caller's ARN (a user, an assumed-role session, root, a federated user).
    pub arn: String,
}

/// One configuration recorder (DescribeConfigurationRecorders) and its status
/// (DescribeConfigurationRecorderStatus).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorder {
    /// Its name.
    pub name: String,
    /// `recordingGroup.allSupported`.
    pub all_supported: bool,
    /// `recordingGroup.resourceTypes` (the inclusion list).
    pub resource_types: Vec<String>,
    /// `recordingGroup.exclusionByResourceTypes.resourceTypes`.
    pub excluded_types: Vec<String>,
    /// `recordingGroup.recordingStrategy.useOnly`, when AWS sent one.
    pub strategy: Option<String>,
    /// Its status; `None` when the status call did not list it.
    pub status: Option<RecorderStatus>,
}

/// A recorder's status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecorderStatus {
    /// Whether it is recording.
    pub recording: bool,
    /// `lastStatus`: Pending, Success, Failure, NotApplicable.
    pub last_status: Option<String>,
    /// `lastErrorCode` and `lastErrorMessage`, joined.
    pub last_error: Option<String>,
}

/// A secret as ListSecrets lists it (the fields doctor looks at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSecret {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// `PrimaryRegion`, when listed.
    pub primary_region: Option<String>,
    /// `KmsKeyId` as listed (`None`: the default key).
    pub kms_key_id: Option<String>,
}

/// A resource identifier of ListDiscoveredResources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredResource {
    /// `resourceId`.
    pub resource_id: String,
    /// `resourceName`, when Config has one.
    pub resource_name: Option<String>,
}

/// The latest configuration item Config recorded for a secret (GetResourceConfigHistory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigItem {
    /// The secret's resourceId.
    pub resource_id: String,
    /// The top-level field names of the item's `configuration` (a JSON string in the API).
    pub fields: Vec<String>,
}

/// What DescribeSecret says about replication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribedSecret {
    /// Its ARN.
    pub arn: String,
    /// `PrimaryRegion`, when present.
    pub primary_region: Option<String>,
    /// The Regions of `ReplicationStatus`.
    pub replica_regions: Vec<String>,
}

/// The deployed rule (DescribeConfigRules) and its evaluation status
/// (DescribeConfigRuleEvaluationStatus).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleStatus {
    /// `ConfigRuleState`: ACTIVE, DELETING, DELETING_RESULTS, EVALUATING.
    pub state: Option<String>,
    /// The function the rule invokes (`Source.SourceIdentifier`).
    pub source: Option<String>,
    /// `MaximumExecutionFrequency` (One_Hour ... TwentyFour_Hours): how often a periodic
    /// rule runs.
    pub maximum_execution_frequency: Option<String>,
    /// `LastSuccessfulInvocationTime`.
    pub last_successful_invocation: Option<DateTime<Utc>>,
    /// `LastFailedInvocationTime`.
    pub last_failed_invocation: Option<DateTime<Utc>>,
    /// `LastSuccessfulEvaluationTime`.
    pub last_successful_evaluation: Option<DateTime<Utc>>,
    /// `LastFailedEvaluationTime`.
    pub last_failed_evaluation: Option<DateTime<Utc>>,
    /// `LastErrorCode`.
    pub last_error_code: Option<String>,
    /// `LastErrorMessage`.
    pub last_error_message: Option<String>,
}

/// One action of an IAM policy simulation (SimulatePrincipalPolicy) and its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedAction {
    /// The IAM action, e.g. `kms:DescribeKey`.
    pub action: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub decision: String,
}

impl SimulatedAction {
    /// Whether the simulation allowed it.
    pub fn allowed(&self) -> bool {
        self.decision == "allowed"
    }
}
