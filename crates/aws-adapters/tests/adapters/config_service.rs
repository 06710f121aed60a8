//! ConfigService: PutEvaluations (batches, TestMode, FailedEvaluations), history, read-back.

use crate::support::*;
use aws_sdk_config::Client;
use aws_sdk_config::operation::get_compliance_details_by_config_rule::GetComplianceDetailsByConfigRuleOutput;
use aws_sdk_config::operation::get_resource_config_history::{
    GetResourceConfigHistoryError, GetResourceConfigHistoryOutput,
};
use aws_sdk_config::operation::put_evaluations::PutEvaluationsOutput;
use aws_sdk_config::types::{
    ComplianceType, ConfigurationItem, ConfigurationItemStatus, EvaluationResult,
    EvaluationResultIdentifier, EvaluationResultQualifier, ResourceType,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use chrono::{TimeZone, Utc};
use rule_core::{Annotation, Compliance, Evaluation, SECRET_RESOURCE_TYPE};
use secrets_cmk_aws::{
    ApiCalls, ComplianceResults, ConfigHistory, ConfigService, EvaluationSink, FailureKind,
    ReportedResult, op,
};

fn evaluation(id: &str) -> Evaluation {
    Evaluation {
        resource_type: SECRET_RESOURCE_TYPE.to_owned(),
        resource_id: id.to_owned(),
        compliance: Compliance::NonCompliant,
        annotation: Annotation::new("uses the default key"),
        ordering_timestamp: Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap(),
    }
}

fn failed(id: &str) -> aws_sdk_config::types::Evaluation {
    aws_sdk_config::types::Evaluation::builder()
        .compliance_resource_type(SECRET_RESOURCE_TYPE)
        .compliance_resource_id(id)
        .compliance_type(ComplianceType::NonCompliant)
        .ordering_timestamp(aws_smithy_types::DateTime::from_secs(0))
        .build()
        .unwrap()
}

#[tokio::test]
async fn put_sends_the_batch_with_token_and_test_mode() {
    // GIVEN Config accepts everything
    let rule = mock!(Client::put_evaluations)
        .match_requests(|r| {
            r.result_token() == Some("TESTMODE")
                && r.test_mode() == Some(true)
                && r.evaluations().len() == 2
                && r.evaluations()[0].compliance_type() == &ComplianceType::NonCompliant
                && r.evaluations()[0].annotation() == Some("uses the default key")
        })
        .then_output(|| PutEvaluationsOutput::builder().build());
    let calls = ApiCalls::new();
    let config = ConfigService::new(mock_client!(aws_sdk_config, [&rule]), calls.clone());
    // WHEN a batch of two is put in test mode
    config
        .put_evaluations("TESTMODE", true, &[evaluation("a"), evaluation("b")])
        .await
        .unwrap();
    // THEN one call carried both, with the token and TestMode
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(calls.count(op::PUT_EVALUATIONS), 1);
}

#[tokio::test]
async fn failed_evaluations_are_resent_alone() {
    // GIVEN Config fails "b" once, then accepts the re-send of "b" only
    let first = mock!(Client::put_evaluations)
        .match_requests(|r| r.evaluations().len() == 2)
        .then_output(|| {
            PutEvaluationsOutput::builder()
                .failed_evaluations(failed("b"))
                .build()
        });
    let resend = mock!(Client::put_evaluations)
        .match_requests(|r| {
            r.evaluations().len() == 1 && r.evaluations()[0].compliance_resource_id() == "b"
        })
        .then_output(|| PutEvaluationsOutput::builder().build());
    let config = ConfigService::new(
        mock_client!(aws_sdk_config, RuleMode::MatchAny, [&first, &resend]),
        ApiCalls::new(),
    );
    // WHEN put THEN it succeeds after re-sending "b" once
    config
        .put_evaluations("token", false, &[evaluation("a"), evaluation("b")])
        .await
        .unwrap();
    assert_eq!(first.num_calls(), 1);
    assert_eq!(resend.num_calls(), 1);
}

#[tokio::test]
async fn evaluations_that_keep_failing_end_in_an_error_naming_them() {
    // GIVEN Config always fails "b"
    let rule = mock!(Client::put_evaluations).then_output(|| {
        PutEvaluationsOutput::builder()
            .failed_evaluations(failed("b"))
            .build()
    });
    let config = ConfigService::new(
        mock_client!(aws_sdk_config, RuleMode::MatchAny, [&rule]),
        ApiCalls::new(),
    );
    // WHEN put
    let err = config
        .put_evaluations("token", false, &[evaluation("a"), evaluation("b")])
        .await
        .unwrap_err();
    // THEN bounded re-sends (1 + 3 calls), then an error naming "b"
    assert_eq!(rule.num_calls(), 4);
    assert!(err.message.contains('b'), "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn put_rides_out_throttling() {
    let rule = mock!(Client::put_evaluations)
        .sequence()
        .http_status(400, throttling_body())
        .times(2)
        .output(|| PutEvaluationsOutput::builder().build())
        .build();
    let client = mock_client!(aws_sdk_config, RuleMode::Sequential, [&rule], |c| c
        .retry_config(fast_retries(5)));
    let config = ConfigService::new(client, ApiCalls::new());
    config
        .put_evaluations("token", false, &[evaluation("a")])
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn history_item_is_converted_with_its_string_configuration() {
    // GIVEN Config has an item whose configuration is a JSON string naming a CMK
    let rule = mock!(Client::get_resource_config_history)
        .match_requests(|r| {
            r.limit() == Some(1) && r.resource_type() == Some(&ResourceType::Secret)
        })
        .then_output(|| {
            GetResourceConfigHistoryOutput::builder()
                .configuration_items(
                    ConfigurationItem::builder()
                        .account_id(ACCOUNT)
                        .arn(format!(
                            "arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-AbCdEf"
                        ))
                        .aws_region(REGION)
                        .resource_type(ResourceType::Secret)
                        .resource_id(format!(
                            "arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-AbCdEf"
                        ))
                        .resource_name("app")
                        .configuration_item_status(ConfigurationItemStatus::Ok)
                        .configuration_item_capture_time(aws_smithy_types::DateTime::from_secs(
                            1_790_000_000,
                        ))
                        .configuration(r#"{"Name":"app","KMSKeyId":"alias/app"}"#)
                        .build(),
                )
                .build()
        });
    let config = ConfigService::new(mock_client!(aws_sdk_config, [&rule]), ApiCalls::new());
    // WHEN fetched
    let item = config
        .latest_configuration_item(
            SECRET_RESOURCE_TYPE,
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-AbCdEf",
        )
        .await
        .unwrap()
        .unwrap();
    // THEN the key from the string configuration is there
    assert_eq!(item.kms_key_id.as_deref(), Some("alias/app"));
    assert_eq!(item.capture_time.timestamp(), 1_790_000_000);
}

#[tokio::test]
async fn history_without_the_resource_is_none() {
    let rule = mock!(Client::get_resource_config_history).then_error(|| {
        GetResourceConfigHistoryError::ResourceNotDiscoveredException(
            aws_sdk_config::types::error::ResourceNotDiscoveredException::builder()
                .meta(metadata("ResourceNotDiscoveredException"))
                .build(),
        )
    });
    let config = ConfigService::new(mock_client!(aws_sdk_config, [&rule]), ApiCalls::new());
    assert!(
        config
            .latest_configuration_item(SECRET_RESOURCE_TYPE, "x")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn history_with_unusable_configuration_is_an_error_naming_it() {
    let rule = mock!(Client::get_resource_config_history).then_output(|| {
        GetResourceConfigHistoryOutput::builder()
            .configuration_items(
                ConfigurationItem::builder()
                    .account_id(ACCOUNT)
                    .aws_region(REGION)
                    .resource_type(ResourceType::Secret)
                    .resource_id("x")
                    .configuration_item_status(ConfigurationItemStatus::Ok)
                    .configuration_item_capture_time(aws_smithy_types::DateTime::from_secs(0))
                    .configuration("{not json")
                    .build(),
            )
            .build()
    });
    let config = ConfigService::new(mock_client!(aws_sdk_config, [&rule]), ApiCalls::new());
    let err = config
        .latest_configuration_item(SECRET_RESOURCE_TYPE, "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind, FailureKind::Rejected);
    assert!(err.message.contains("configuration"), "{err}");
}

fn result(id: &str, resource_type: &str) -> EvaluationResult {
    held(id, resource_type, ComplianceType::Compliant, None)
}

fn held(
    id: &str,
    resource_type: &str,
    compliance: ComplianceType,
    annotation: Option<&str>,
) -> EvaluationResult {
    EvaluationResult::builder()
        .evaluation_result_identifier(
            EvaluationResultIdentifier::builder()
                .evaluation_result_qualifier(
                    EvaluationResultQualifier::builder()
                        .config_rule_name("secrets-cmk")
                        .resource_type(resource_type)
                        .resource_id(id)
                        .build(),
                )
                .build(),
        )
        .compliance_type(compliance)
        .set_annotation(annotation.map(str::to_owned))
        .build()
}

#[tokio::test]
async fn reported_results_are_read_across_pages_with_compliance_and_annotation() {
    // GIVEN two pages of results, one of another resource type, one INSUFFICIENT_DATA,
    // one NOT_APPLICABLE with an annotation; the request asks for the types given
    let first = mock!(Client::get_compliance_details_by_config_rule)
        .match_requests(|r| {
            r.next_token().is_none()
                && r.config_rule_name() == Some("secrets-cmk")
                && r.compliance_types()
                    == [ComplianceType::Compliant, ComplianceType::NotApplicable]
        })
        .then_output(|| {
            GetComplianceDetailsByConfigRuleOutput::builder()
                .evaluation_results(result("a", SECRET_RESOURCE_TYPE))
                .evaluation_results(result("i-1", "AWS::EC2::Instance"))
                .evaluation_results(held(
                    "unknown",
                    SECRET_RESOURCE_TYPE,
                    ComplianceType::InsufficientData,
                    None,
                ))
                .next_token("2")
                .build()
        });
    let second = mock!(Client::get_compliance_details_by_config_rule)
        .match_requests(|r| r.next_token() == Some("2"))
        .then_output(|| {
            GetComplianceDetailsByConfigRuleOutput::builder()
                .evaluation_results(held(
                    "b",
                    SECRET_RESOURCE_TYPE,
                    ComplianceType::NotApplicable,
                    Some("exempt"),
                ))
                .build()
        });
    let calls = ApiCalls::new();
    let config = ConfigService::new(
        mock_client!(aws_sdk_config, RuleMode::MatchAny, [&first, &second]),
        calls.clone(),
    );
    // WHEN read
    let results = config
        .reported_results(
            "secrets-cmk",
            SECRET_RESOURCE_TYPE,
            &[Compliance::Compliant, Compliance::NotApplicable],
        )
        .await
        .unwrap();
    // THEN both pages' secret results, as held, one call per page
    let reported = |id: &str, compliance, annotation: Option<&str>| ReportedResult {
        resource_id: id.to_owned(),
        compliance,
        annotation: annotation.map(str::to_owned),
    };
    assert_eq!(
        results,
        [
            reported("a", Compliance::Compliant, None),
            reported("b", Compliance::NotApplicable, Some("exempt")),
        ]
    );
    assert_eq!(calls.count(op::GET_COMPLIANCE_DETAILS), 2);
}
