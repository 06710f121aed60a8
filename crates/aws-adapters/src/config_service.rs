//! AWS Config: reporting evaluations, fetching an oversized configuration item, and
//! reading back what the rule reported before (for stale-result cleanup).

use crate::calls::{ApiCalls, op};
use crate::error::{AwsError, FailureKind};
use crate::time::{to_chrono, to_smithy};
use aws_sdk_config::Client;
use aws_sdk_config::types::{ComplianceType, ResourceType};
use rule_core::{Compliance, ConfigurationItem, Evaluation, HistoryItem, MAX_EVALUATIONS_PER_CALL};
use std::collections::HashSet;
use std::future::Future;

/// How many times evaluations that Config returned in `FailedEvaluations` are sent again
/// before the invocation gives up on them and fails.
pub const FAILED_EVALUATION_RESENDS: usize = 3;

/// Reporting verdicts: PutEvaluations.
pub trait EvaluationSink {
    /// Put one batch (at most 100). Evaluations Config reports as failed are re-sent a
    /// bounded number of times; any still failing make the call an error naming them.
    fn put_evaluations(
        &self,
        result_token: &str,
        test_mode: bool,
        batch: &[Evaluation],
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// Fetching the current configuration item of a resource (oversized notifications).
pub trait ConfigHistory {
    /// GetResourceConfigHistory with limit 1. `Ok(None)` when Config has no item.
    fn latest_configuration_item(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> impl Future<Output = Result<Option<ConfigurationItem>, AwsError>> + Send;
}

/// One result Config holds for a rule (GetComplianceDetailsByConfigRule's
/// `EvaluationResult`: its resource id, `ComplianceType` and `Annotation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedResult {
    /// The resource id the result was put under.
    pub resource_id: String,
    /// Its compliance.
    pub compliance: Compliance,
    /// Its annotation, when it has one.
    pub annotation: Option<String>,
}

impl ReportedResult {
    /// Whether putting `evaluation` would record nothing new: Config holds the same
    /// compliance and annotation for the same resource.
    pub fn matches(&self, evaluation: &Evaluation) -> bool {
        self.resource_id == evaluation.resource_id
            && self.compliance == evaluation.compliance
            && self.annotation.as_deref() == Some(evaluation.annotation.as_str())
    }
}

/// Reading back the results a rule reported (GetComplianceDetailsByConfigRule).
pub trait ComplianceResults {
    /// The rule's results for resources of `resource_type` whose compliance is one of
    /// `compliance` (the stale-result cleanup needs COMPLIANT and NON_COMPLIANT only;
    /// `reportChangesOnly` needs NOT_APPLICABLE too), 100 a page, in Config's order.
    fn reported_results(
        &self,
        rule_name: &str,
        resource_type: &str,
        compliance: &[Compliance],
    ) -> impl Future<Output = Result<Vec<ReportedResult>, AwsError>> + Send;
}

/// The three Config capabilities over the real client of one account and region.
#[derive(Debug, Clone)]
pub struct ConfigService {
    client: Client,
    calls: ApiCalls,
}

impl ConfigService {
    /// Wrap a client; calls are counted in `calls`.
    pub fn new(client: Client, calls: ApiCalls) -> ConfigService {
        ConfigService { client, calls }
    }

    /// A service over a new client made from `config`.
    pub fn from_config(config: &aws_config::SdkConfig, calls: ApiCalls) -> ConfigService {
        ConfigService::new(Client::new(config), calls)
    }
}

fn to_sdk_evaluation(
    evaluation: &Evaluation,
) -> Result<aws_sdk_config::types::Evaluation, AwsError> {
    aws_sdk_config::types::Evaluation::builder()
        .compliance_resource_type(&evaluation.resource_type)
        .compliance_resource_id(&evaluation.resource_id)
        .compliance_type(ComplianceType::from(evaluation.compliance.as_str()))
        .annotation(evaluation.annotation.as_str())
        .ordering_timestamp(to_smithy(evaluation.ordering_timestamp))
        .build()
        .map_err(|e| {
            AwsError::malformed_response(
                op::PUT_EVALUATIONS,
                format!("evaluation not buildable: {e}"),
            )
        })
}

impl EvaluationSink for ConfigService {
    async fn put_evaluations(
        &self,
        result_token: &str,
        test_mode: bool,
        batch: &[Evaluation],
    ) -> Result<(), AwsError> {
        debug_assert!(batch.len() <= MAX_EVALUATIONS_PER_CALL);
        let mut pending: Vec<aws_sdk_config::types::Evaluation> = batch
            .iter()
            .map(to_sdk_evaluation)
            .collect::<Result<_, _>>()?;
        for attempt in 0..=FAILED_EVALUATION_RESENDS {
            if pending.is_empty() {
                return Ok(());
            }
            self.calls.record(op::PUT_EVALUATIONS);
            let output = self
                .client
                .put_evaluations()
                .result_token(result_token)
                .test_mode(test_mode)
                .set_evaluations(Some(pending.clone()))
                .send()
                .await
                .map_err(|e| self.calls.failed(op::PUT_EVALUATIONS, e))?;
            let failed: HashSet<(&str, &str)> = output
                .failed_evaluations()
                .iter()
                .map(|f| (f.compliance_resource_type(), f.compliance_resource_id()))
                .collect();
            if failed.is_empty() {
                return Ok(());
            }
            tracing::warn!(
                attempt,
                failed = failed.len(),
                "Config returned FailedEvaluations; re-sending them"
            );
            pending.retain(|e| {
                failed.contains(&(e.compliance_resource_type(), e.compliance_resource_id()))
            });
        }
        let ids: Vec<&str> = pending.iter().map(|e| e.compliance_resource_id()).collect();
        Err(AwsError {
            operation: op::PUT_EVALUATIONS,
            kind: FailureKind::Unavailable,
            code: "FailedEvaluations".to_owned(),
            message: format!(
                "Config did not accept {} evaluation(s) after {} re-sends: {}",
                ids.len(),
                FAILED_EVALUATION_RESENDS,
                ids.join(", ")
            ),
            source: None,
        })
    }
}

impl ConfigHistory for ConfigService {
    async fn latest_configuration_item(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Option<ConfigurationItem>, AwsError> {
        self.calls.record(op::GET_RESOURCE_CONFIG_HISTORY);
        let result = self
            .client
            .get_resource_config_history()
            .resource_type(ResourceType::from(resource_type))
            .resource_id(resource_id)
            .limit(1)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(err) => {
                let err = self.calls.failed(op::GET_RESOURCE_CONFIG_HISTORY, err);
                return if err.kind == FailureKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                };
            }
        };
        let Some(item) = output.configuration_items().first() else {
            return Ok(None);
        };
        let history_item = HistoryItem {
            account_id: item.account_id().map(str::to_owned),
            arn: item.arn().map(str::to_owned),
            aws_region: item.aws_region().map(str::to_owned),
            resource_type: item.resource_type().map(|t| t.as_str().to_owned()),
            resource_id: item.resource_id().map(str::to_owned),
            resource_name: item.resource_name().map(str::to_owned),
            configuration_item_status: item
                .configuration_item_status()
                .map(|s| s.as_str().to_owned()),
            configuration_item_capture_time: item
                .configuration_item_capture_time()
                .and_then(to_chrono),
            configuration: item.configuration().map(str::to_owned),
            tags: item.tags().cloned(),
        };
        ConfigurationItem::try_from(history_item)
            .map(Some)
            .map_err(|e| {
                AwsError::malformed_response(
                    op::GET_RESOURCE_CONFIG_HISTORY,
                    format!("the configuration item of {resource_id} is not usable: {e}"),
                )
            })
    }
}

impl ComplianceResults for ConfigService {
    async fn reported_results(
        &self,
        rule_name: &str,
        resource_type: &str,
        compliance: &[Compliance],
    ) -> Result<Vec<ReportedResult>, AwsError> {
        let types: Vec<ComplianceType> = compliance
            .iter()
            .map(|c| ComplianceType::from(c.as_str()))
            .collect();
        let mut results = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            self.calls.record(op::GET_COMPLIANCE_DETAILS);
            let output = self
                .client
                .get_compliance_details_by_config_rule()
                .config_rule_name(rule_name)
                .set_compliance_types(Some(types.clone()))
                .limit(100)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| self.calls.failed(op::GET_COMPLIANCE_DETAILS, e))?;
            results.extend(
                output
                    .evaluation_results()
                    .iter()
                    .filter_map(|result| reported_result(result, resource_type)),
            );
            next_token = output
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            if next_token.is_none() {
                return Ok(results);
            }
        }
    }
}

/// A result of `resource_type` with a compliance the rule can put; anything else
/// (another type, INSUFFICIENT_DATA, no qualifier) is not the rule's to compare or clean.
fn reported_result(
    result: &aws_sdk_config::types::EvaluationResult,
    resource_type: &str,
) -> Option<ReportedResult> {
    let qualifier = result
        .evaluation_result_identifier()?
        .evaluation_result_qualifier()?;
    if qualifier.resource_type() != Some(resource_type) {
        return None;
    }
    let compliance = match result.compliance_type()? {
        ComplianceType::Compliant => Compliance::Compliant,
        ComplianceType::NonCompliant => Compliance::NonCompliant,
        ComplianceType::NotApplicable => Compliance::NotApplicable,
        _ => return None,
    };
    Some(ReportedResult {
        resource_id: qualifier.resource_id()?.to_owned(),
        compliance,
        annotation: result.annotation().map(str::to_owned),
    })
}
