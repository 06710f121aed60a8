//! The fake AWS Config: [`EvaluationSink`] (PutEvaluations, recorded), [`ConfigHistory`]
//! (the current item of a fake secret) and [`ComplianceResults`] (the results scripted
//! as held by Config, or held from earlier puts).

use super::FakeAws;
use crate::calls::op;
use crate::config_service::{ComplianceResults, ConfigHistory, EvaluationSink, ReportedResult};
use crate::error::AwsError;
use chrono::{DateTime, Utc};
use rule_core::{
    Compliance, ConfigurationItem, ConfigurationItemStatus, ConfigurationItemSummary, Evaluation,
    MAX_EVALUATIONS_PER_CALL,
};
use std::time::Duration;

/// The capture time of every configuration item the fake history returns
/// (2026-11-28T11:58:00Z): fixed, so tests are deterministic.
const CAPTURE_TIME_SECS: i64 = 1_795_867_080;

/// One PutEvaluations call, as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Put {
    /// The invocation's result token.
    pub result_token: String,
    /// Whether it was put in test mode.
    pub test_mode: bool,
    /// The batch.
    pub evaluations: Vec<Evaluation>,
}

/// The Config part of a [`FakeAws`].
#[derive(Debug, Default)]
pub(super) struct ConfigState {
    puts: Vec<Put>,
    reported: Vec<ReportedResult>,
    /// How long every PutEvaluations takes.
    put_delay: Duration,
}

impl FakeAws {
    /// Config holds a COMPLIANT result of the rule, with no annotation, for
    /// `resource_id` (what GetComplianceDetailsByConfigRule returns, for any rule and type).
    pub fn add_reported(&self, resource_id: &str) {
        self.add_reported_result(ReportedResult {
            resource_id: resource_id.to_owned(),
            compliance: Compliance::Compliant,
            annotation: None,
        });
    }

    /// Config holds `result` for the rule (replacing any it held for the same resource).
    pub fn add_reported_result(&self, result: ReportedResult) {
        let reported = &mut self.state().config.reported;
        reported.retain(|held| held.resource_id != result.resource_id);
        reported.push(result);
    }

    /// Config now holds, for each resource, the last evaluation put so far (in TestMode
    /// or not): what the real Config keeps between two periodic runs.
    pub fn hold_what_was_put(&self) {
        for put in self.puts() {
            for evaluation in put.evaluations {
                self.add_reported_result(ReportedResult {
                    resource_id: evaluation.resource_id,
                    compliance: evaluation.compliance,
                    annotation: Some(evaluation.annotation.as_str().to_owned()),
                });
            }
        }
    }

    /// Every PutEvaluations takes `delay` (on tokio's clock, which is real time unless the
    /// test pauses it).
    pub fn slow_puts(&self, delay: Duration) {
        self.state().config.put_delay = delay;
    }

    /// Every PutEvaluations so far, in order.
    pub fn puts(&self) -> Vec<Put> {
        self.state().config.puts.clone()
    }
}

impl EvaluationSink for FakeAws {
    /// Records the batch. A batch larger than PutEvaluations takes fails the test: the
    /// real Config would refuse it.
    async fn put_evaluations(
        &self,
        result_token: &str,
        test_mode: bool,
        batch: &[Evaluation],
    ) -> Result<(), AwsError> {
        self.record(op::PUT_EVALUATIONS, result_token);
        assert!(
            batch.len() <= MAX_EVALUATIONS_PER_CALL,
            "PutEvaluations takes at most {MAX_EVALUATIONS_PER_CALL}, got {}",
            batch.len()
        );
        let delay = self.state().config.put_delay;
        tokio::time::sleep(delay).await;
        self.state().config.puts.push(Put {
            result_token: result_token.to_owned(),
            test_mode,
            evaluations: batch.to_vec(),
        });
        Ok(())
    }
}

impl ConfigHistory for FakeAws {
    /// The current item of the fake secret whose ARN is `resource_id`; `None` for any
    /// other resource.
    async fn latest_configuration_item(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Option<ConfigurationItem>, AwsError> {
        self.record(op::GET_RESOURCE_CONFIG_HISTORY, resource_id);
        let facts = self
            .secret(resource_id)
            .filter(|facts| facts.arn == resource_id);
        Ok(facts.map(|s| ConfigurationItem {
            summary: ConfigurationItemSummary {
                resource_type: resource_type.to_owned(),
                resource_id: s.arn.clone(),
                resource_name: Some(s.name.clone()),
                arn: Some(s.arn.clone()),
                account_id: s.scope.account.clone(),
                region: s.scope.region.clone(),
                status: ConfigurationItemStatus::Ok,
                capture_time: DateTime::<Utc>::from_timestamp(CAPTURE_TIME_SECS, 0)
                    .unwrap_or_default(),
            },
            kms_key_id: s.kms_key_id.clone(),
            tags: s.tags.clone(),
        }))
    }
}

impl ComplianceResults for FakeAws {
    /// Every result held ([`FakeAws::add_reported_result`], [`FakeAws::hold_what_was_put`])
    /// whose compliance is asked for, whatever the rule and type.
    async fn reported_results(
        &self,
        rule_name: &str,
        _resource_type: &str,
        compliance: &[Compliance],
    ) -> Result<Vec<ReportedResult>, AwsError> {
        self.record(op::GET_COMPLIANCE_DETAILS, rule_name);
        let held = self.state().config.reported.clone();
        Ok(held
            .into_iter()
            .filter(|result| compliance.contains(&result.compliance))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ACCOUNT, secret_arn};
    use super::*;

    #[tokio::test]
    async fn history_is_the_secret_as_it_is_and_results_are_as_scripted() {
        // GIVEN a secret on a key, and a result Config holds
        let aws = FakeAws::new();
        aws.add_secret("big", Some("alias/app"));
        aws.add_reported(&secret_arn("gone"));
        // WHEN its item is fetched, the results read back
        let item = aws
            .latest_configuration_item("AWS::SecretsManager::Secret", &secret_arn("big"))
            .await
            .unwrap()
            .unwrap();
        let reported = aws
            .reported_results("rule", "type", &[Compliance::Compliant])
            .await
            .unwrap();
        // THEN the item is the secret's, the results the scripted ones
        assert_eq!(item.kms_key_id.as_deref(), Some("alias/app"));
        assert_eq!(item.account_id, ACCOUNT);
        let ids: Vec<&str> = reported.iter().map(|r| r.resource_id.as_str()).collect();
        assert_eq!(ids, [secret_arn("gone")]);
        assert_eq!(
            aws.latest_configuration_item("t", "big").await.unwrap(),
            None,
            "by ARN only"
        );
    }

    #[tokio::test]
    async fn puts_are_recorded_in_order() {
        let aws = FakeAws::new();
        aws.put_evaluations("t1", false, &[]).await.unwrap();
        aws.put_evaluations("t2", true, &[]).await.unwrap();
        let puts = aws.puts();
        assert_eq!(
            puts.iter()
                .map(|p| (p.result_token.as_str(), p.test_mode))
                .collect::<Vec<_>>(),
            [("t1", false), ("t2", true)]
        );
    }
}
