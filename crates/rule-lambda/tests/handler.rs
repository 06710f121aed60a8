//! The handler over in-memory fakes: message dispatch, what is reported and what is not,
//! errors and their retryability. Fast; the real adapters and binary are covered by the
//! adapter tests and the end-to-end tests against the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod fakes;

use chrono::{TimeZone, Utc};
use fakes::*;
use rule_core::{KeyDescription, KeyLookup, KeyManager, KeyState};
use rule_lambda::{HandlerSettings, Invocation, RuleError, RuleHandler};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

const FUNCTION_ARN: &str = "arn:aws:lambda:eu-west-1:111122223333:function:secrets-cmk-rule";

fn invocation() -> Invocation {
    Invocation {
        invoked_function_arn: FUNCTION_ARN.to_owned(),
        deadline: SystemTime::now() + Duration::from_secs(300),
    }
}

fn outer(invoking_event: Value, rule_parameters: Option<&str>, account: &str) -> Value {
    let mut event = json!({
        "version": "1.0",
        "invokingEvent": invoking_event.to_string(),
        "resultToken": "token-1",
        "eventLeftScope": false,
        "executionRoleArn": format!("arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
        "configRuleArn": format!("arn:aws:config:eu-west-1:{account}:config-rule/config-rule-abc123"),
        "configRuleName": "secrets-cmk",
        "configRuleId": "config-rule-abc123",
        "accountId": account,
        "evaluationMode": "DETECTIVE"
    });
    if let Some(params) = rule_parameters {
        event["ruleParameters"] = Value::String(params.to_owned());
    }
    event
}

fn scheduled(rule_parameters: Option<&str>) -> Value {
    outer(
        json!({
            "awsAccountId": ACCOUNT,
            "notificationCreationTime": "2026-11-28T12:00:00.000Z",
            "messageType": "ScheduledNotification",
            "recordVersion": "1.0"
        }),
        rule_parameters,
        ACCOUNT,
    )
}

fn change(name: &str, kms_key_id: Option<&str>, status: &str) -> Value {
    let mut configuration = json!({ "Name": name });
    if let Some(key) = kms_key_id {
        configuration["KMSKeyId"] = json!(key);
    }
    outer(
        json!({
            "configurationItem": {
                "relatedEvents": [],
                "relationships": [],
                "configuration": if status == "ResourceDeleted" { Value::Null } else { configuration },
                "supplementaryConfiguration": {},
                "tags": {},
                "configurationItemVersion": "1.3",
                "configurationItemCaptureTime": "2026-11-28T11:59:00.000Z",
                "configurationStateId": 1_790_000_000_000u64,
                "awsAccountId": ACCOUNT,
                "configurationItemStatus": status,
                "resourceType": "AWS::SecretsManager::Secret",
                "resourceId": secret_arn(name),
                "resourceName": name,
                "ARN": secret_arn(name),
                "awsRegion": REGION,
                "availabilityZone": "Regional",
                "configurationStateMd5Hash": ""
            },
            "notificationCreationTime": "2026-11-28T12:00:00.000Z",
            "messageType": "ConfigurationItemChangeNotification",
            "recordVersion": "1.3"
        }),
        None,
        ACCOUNT,
    )
}

fn cmk(arn: &str) -> KeyLookup {
    KeyLookup::Described(KeyDescription {
        arn: arn.to_owned(),
        manager: KeyManager::Customer,
        state: KeyState::Enabled,
    })
}

#[tokio::test]
async fn change_reports_exactly_its_one_resource() {
    // GIVEN an estate of three secrets, one of them changed to a CMK
    let world = World::new();
    world.add_secret("a", Some(KEY_ARN));
    world.add_secret("b", None);
    world.add_secret("c", None);
    world.add_key(KEY_ARN, cmk(KEY_ARN));
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());

    // WHEN the change notification for "a" is handled
    let response = handler
        .handle(&change("a", Some(KEY_ARN), "OK"), &invocation())
        .await
        .unwrap();

    // THEN one COMPLIANT evaluation for "a", ordered by the CI capture time, nothing else
    let puts = world.puts();
    assert_eq!(puts.len(), 1);
    let evaluation = &puts[0].evaluations[0];
    assert_eq!(puts[0].evaluations.len(), 1);
    assert_eq!(evaluation.resource_id, secret_arn("a"));
    assert_eq!(evaluation.compliance.as_str(), "COMPLIANT");
    assert_eq!(
        evaluation.ordering_timestamp,
        Utc.with_ymd_and_hms(2026, 11, 28, 11, 59, 0).unwrap()
    );
    assert_eq!(puts[0].result_token, "token-1");
    assert_eq!(response["reported"]["COMPLIANT"], 1);
    assert_eq!(
        world.calls_of("secretsmanager:ListSecrets"),
        0,
        "a change never lists"
    );
}

#[tokio::test]
async fn deleted_resource_is_not_applicable_without_api_calls() {
    let world = World::new();
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    handler
        .handle(&change("gone", None, "ResourceDeleted"), &invocation())
        .await
        .unwrap();
    let puts = world.puts();
    assert_eq!(puts[0].evaluations[0].compliance.as_str(), "NOT_APPLICABLE");
    assert_eq!(world.calls_except_put(), 0);
}

#[tokio::test]
async fn bad_parameters_are_non_retryable_and_report_nothing() {
    // GIVEN a scheduled event with an unknown parameter
    let world = World::new();
    world.add_secret("a", None);
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    // WHEN handled
    let err = handler
        .handle(&scheduled(Some(r#"{"kmsKeyArn":"x"}"#)), &invocation())
        .await
        .unwrap_err();
    // THEN a non-retryable parameter error naming it, and nothing reported
    assert!(matches!(err, RuleError::InvalidParameters(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("kmsKeyArn"), "{err}");
    assert_eq!(
        err.full_message()
            .matches("invalid rule parameters")
            .count(),
        1,
        "{err}"
    );
    assert!(world.puts().is_empty());
    assert_eq!(world.calls_except_put(), 0);
}

#[tokio::test]
async fn malformed_event_is_non_retryable() {
    let world = World::new();
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    let err = handler
        .handle(&json!({"invokingEvent": "{not json"}), &invocation())
        .await
        .unwrap_err();
    assert!(matches!(err, RuleError::InvalidEvent(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(world.puts().is_empty());
}

#[tokio::test]
async fn sweep_batches_by_100_and_describes_each_key_once() {
    // GIVEN 250 secrets over 3 keys plus default-key secrets
    let world = World::new();
    let keys = [KEY_ARN, OTHER_KEY_ARN, "alias/app"];
    world.add_key(KEY_ARN, cmk(KEY_ARN));
    world.add_key(OTHER_KEY_ARN, cmk(OTHER_KEY_ARN));
    world.add_key(
        &format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"),
        cmk(KEY_ARN),
    );
    for i in 0..250 {
        world.add_secret(
            &format!("s{i:03}"),
            if i % 4 == 3 { None } else { Some(keys[i % 4]) },
        );
    }
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());

    // WHEN the scheduled notification is handled
    let response = handler
        .handle(&scheduled(None), &invocation())
        .await
        .unwrap();

    // THEN 250 evaluations in batches of at most 100, with minimal calls
    let puts = world.puts();
    let sizes: Vec<usize> = puts.iter().map(|p| p.evaluations.len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 250);
    assert!(sizes.iter().all(|s| *s <= 100), "{sizes:?}");
    assert_eq!(puts.len(), 3, "{sizes:?}");
    assert_eq!(world.calls_of("secretsmanager:ListSecrets"), 3);
    assert_eq!(world.calls_of("kms:DescribeKey"), 3);
    assert_eq!(world.calls_of("secretsmanager:DescribeSecret"), 0);
    assert_eq!(response["reported"]["NON_COMPLIANT"], 62);
    assert_eq!(response["reported"]["COMPLIANT"], 188);
    let ordering: Vec<_> = puts
        .iter()
        .flat_map(|p| p.evaluations.iter().map(|e| e.ordering_timestamp))
        .collect();
    assert!(
        ordering
            .iter()
            .all(|t| *t == Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap())
    );
}

#[tokio::test]
async fn sweep_cleans_up_results_of_secrets_that_are_gone() {
    // GIVEN Config holds a result for a secret that no longer exists
    let world = World::new();
    world.add_secret("live", None);
    world.add_reported(&secret_arn("deleted-long-ago"));
    world.add_reported(&secret_arn("live"));
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    // WHEN swept
    let response = handler
        .handle(&scheduled(None), &invocation())
        .await
        .unwrap();
    // THEN the gone one is NOT_APPLICABLE, the live one keeps its verdict
    let all: Vec<_> = world
        .puts()
        .into_iter()
        .flat_map(|p| p.evaluations)
        .collect();
    let gone = all
        .iter()
        .find(|e| e.resource_id == secret_arn("deleted-long-ago"))
        .unwrap();
    assert_eq!(gone.compliance.as_str(), "NOT_APPLICABLE");
    assert_eq!(
        all.iter()
            .filter(|e| e.resource_id == secret_arn("live"))
            .count(),
        1
    );
    assert_eq!(response["cleanedUp"], 1);
}

#[tokio::test]
async fn unverifiable_secret_is_skipped_others_reported_and_the_invocation_fails() {
    // GIVEN one secret whose key cannot be described (throttled after retries)
    let world = World::new();
    world.add_secret("ok", None);
    world.add_secret("unknown", Some(KEY_ARN));
    world.add_key(
        KEY_ARN,
        KeyLookup::Failed {
            reason: "ThrottlingException after 10 attempts".into(),
        },
    );
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    // WHEN swept
    let err = handler
        .handle(&scheduled(None), &invocation())
        .await
        .unwrap_err();
    // THEN the other secret is reported, the skipped one is named, and Config may retry
    let all: Vec<_> = world
        .puts()
        .into_iter()
        .flat_map(|p| p.evaluations)
        .collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].resource_id, secret_arn("ok"));
    assert!(err.is_retryable());
    assert!(err.to_string().contains(&secret_arn("unknown")), "{err}");
}

#[tokio::test]
async fn near_deadline_the_sweep_reports_what_it_has_and_fails_saying_how_far_it_got() {
    // GIVEN a deadline already inside the safety margin
    let world = World::new();
    for i in 0..150 {
        world.add_secret(&format!("s{i:03}"), None);
    }
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    let invocation = Invocation {
        invoked_function_arn: FUNCTION_ARN.to_owned(),
        deadline: SystemTime::now() + Duration::from_secs(5),
    };
    // WHEN swept
    let err = handler
        .handle(&scheduled(None), &invocation)
        .await
        .unwrap_err();
    // THEN nothing was started, nothing guessed, and the error says so
    assert!(err.to_string().contains("deadline"), "{err}");
    assert!(err.to_string().contains("0 page(s)"), "{err}");
    assert!(world.puts().is_empty());
}

#[tokio::test]
async fn member_account_without_a_role_is_refused() {
    let world = World::new();
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    let mut event = scheduled(None);
    event["accountId"] = json!("444455556666");
    let err = handler.handle(&event, &invocation()).await.unwrap_err();
    assert!(matches!(err, RuleError::AccountAccess(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(world.puts().is_empty());
}

#[tokio::test]
async fn member_account_role_comes_from_the_setting_or_else_the_parameter() {
    // GIVEN a function with its own role setting, and one without
    let world = World::new();
    world.add_secret("a", None);
    let settings = HandlerSettings {
        execution_role_name: Some("FromEnv".into()),
        ..HandlerSettings::default()
    };
    let with_setting = RuleHandler::new(world.connector(), settings);
    let without = RuleHandler::new(world.connector(), HandlerSettings::default());
    let mut event = scheduled(None);
    event["accountId"] = json!("444455556666");
    // WHEN invoked without the parameter, and with one equal to the setting
    with_setting.handle(&event, &invocation()).await.unwrap();
    event["ruleParameters"] = json!(r#"{"executionRoleName":"FromEnv"}"#);
    with_setting.handle(&event, &invocation()).await.unwrap();
    // AND, without a setting, with a parameter
    event["ruleParameters"] = json!(r#"{"executionRoleName":"FromParameter"}"#);
    without.handle(&event, &invocation()).await.unwrap();
    // THEN the setting wins, the parameter serves only where there is none
    assert_eq!(
        world.connections(),
        vec![
            ("444455556666".to_owned(), Some("FromEnv".to_owned())),
            ("444455556666".to_owned(), Some("FromEnv".to_owned())),
            ("444455556666".to_owned(), Some("FromParameter".to_owned())),
        ]
    );
}

#[tokio::test]
async fn an_execution_role_parameter_other_than_the_setting_is_refused() {
    // GIVEN a function whose setting names its role
    let world = World::new();
    world.add_secret("a", None);
    let settings = HandlerSettings {
        execution_role_name: Some("SecretsCmkExecution".into()),
        ..HandlerSettings::default()
    };
    let handler = RuleHandler::new(world.connector(), settings);
    let mut event = scheduled(None);
    event["accountId"] = json!("444455556666");
    event["ruleParameters"] = json!(r#"{"executionRoleName":"OrganizationAccountAccessRole"}"#);
    // WHEN a member's rule names another role
    let err = handler.handle(&event, &invocation()).await.unwrap_err();
    // THEN refused, non-retryable, naming both, with no connection and nothing reported
    assert!(matches!(err, RuleError::Refused(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(
        err.to_string().contains("OrganizationAccountAccessRole"),
        "{err}"
    );
    assert!(err.to_string().contains("SecretsCmkExecution"), "{err}");
    assert!(world.connections().is_empty());
    assert!(world.puts().is_empty());
}

#[tokio::test]
async fn a_configuration_item_of_another_account_is_refused() {
    // GIVEN a change event for this account whose item names another account
    let world = World::new();
    world.add_secret("a", None);
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    let mut event = change("a", None, "OK");
    let mut invoking: Value =
        serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["configurationItem"]["awsAccountId"] = json!("444455556666");
    event["invokingEvent"] = json!(invoking.to_string());
    // WHEN handled
    let err = handler.handle(&event, &invocation()).await.unwrap_err();
    // THEN refused, non-retryable, naming both accounts; nothing called or reported
    assert!(matches!(err, RuleError::Refused(_)), "{err}");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("444455556666"), "{err}");
    assert!(world.connections().is_empty());
    assert!(world.puts().is_empty());
}

#[tokio::test]
async fn test_mode_token_puts_in_test_mode_and_skips_cleanup() {
    let world = World::new();
    world.add_secret("a", None);
    world.add_reported(&secret_arn("old"));
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    let mut event = scheduled(None);
    event["resultToken"] = json!("TESTMODE");
    handler.handle(&event, &invocation()).await.unwrap();
    let puts = world.puts();
    assert!(puts.iter().all(|p| p.test_mode));
    assert_eq!(puts.iter().map(|p| p.evaluations.len()).sum::<usize>(), 1);
    assert_eq!(world.calls_of("config:GetComplianceDetailsByConfigRule"), 0);
}

#[tokio::test]
async fn oversized_item_is_fetched_from_config_history() {
    let world = World::new();
    world.add_secret("big", Some(KEY_ARN));
    world.add_key(KEY_ARN, cmk(KEY_ARN));
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    let event = oversized("AWS::SecretsManager::Secret", &secret_arn("big"));
    handler.handle(&event, &invocation()).await.unwrap();
    assert_eq!(world.calls_of("config:GetResourceConfigHistory"), 1);
    let puts = world.puts();
    assert_eq!(puts[0].evaluations[0].compliance.as_str(), "COMPLIANT");
    assert_eq!(puts[0].evaluations[0].resource_id, secret_arn("big"));
}

#[tokio::test]
async fn a_resource_of_another_type_is_not_applicable_without_fetching_it() {
    // GIVEN an oversized notification for a resource outside the rule's scope
    let world = World::new();
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    let event = oversized("AWS::EC2::Instance", "i-0123456789abcdef0");
    // WHEN handled
    handler.handle(&event, &invocation()).await.unwrap();
    // THEN NOT_APPLICABLE under its own type and id, and no call but the put
    let puts = world.puts();
    let evaluation = &puts[0].evaluations[0];
    assert_eq!(evaluation.compliance.as_str(), "NOT_APPLICABLE");
    assert_eq!(evaluation.resource_type, "AWS::EC2::Instance");
    assert_eq!(evaluation.resource_id, "i-0123456789abcdef0");
    assert!(
        evaluation
            .annotation
            .as_str()
            .contains("outside this rule's scope")
    );
    assert_eq!(world.calls_except_put(), 0);
}

/// An oversized notification for `resource_id` of `resource_type`.
fn oversized(resource_type: &str, resource_id: &str) -> Value {
    outer(
        json!({
            "configurationItemSummary": {
                "changeType": "UPDATE",
                "configurationItemVersion": "1.3",
                "configurationItemCaptureTime": "2026-11-28T11:58:00.000Z",
                "configurationStateId": 1,
                "awsAccountId": ACCOUNT,
                "configurationItemStatus": "OK",
                "resourceType": resource_type,
                "resourceId": resource_id,
                "resourceName": "big",
                "ARN": resource_id,
                "awsRegion": REGION,
                "availabilityZone": "Regional",
                "configurationStateMd5Hash": ""
            },
            "s3DeliverySummary": { "s3BucketLocation": null, "errorCode": null, "errorMessage": null },
            "notificationCreationTime": "2026-11-28T12:00:00.000Z",
            "messageType": "OversizedConfigurationItemChangeNotification",
            "recordVersion": "1.0"
        }),
        None,
        ACCOUNT,
    )
}

#[tokio::test]
async fn a_resource_id_config_cannot_take_is_skipped_without_sinking_its_batch() {
    // GIVEN a secret whose ARN is longer than the 768 characters PutEvaluations accepts
    let world = World::new();
    let long_name = "n".repeat(760);
    world.add_secret(&long_name, None);
    world.add_secret("short", None);
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    // WHEN swept
    let err = handler
        .handle(&scheduled(None), &invocation())
        .await
        .unwrap_err();
    // THEN the other secret is reported and the long one is named as skipped
    let all: Vec<_> = world
        .puts()
        .into_iter()
        .flat_map(|p| p.evaluations)
        .collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].resource_id, secret_arn("short"));
    assert!(err.to_string().contains("768"), "{err}");
}

/// Settings with a small margin, and an invocation whose margin starts in `stop_in`.
fn near_deadline(stop_in: Duration) -> (HandlerSettings, Invocation) {
    let margin = Duration::from_millis(300);
    let settings = HandlerSettings {
        deadline_margin: margin,
        ..HandlerSettings::default()
    };
    let invocation = Invocation {
        invoked_function_arn: FUNCTION_ARN.to_owned(),
        deadline: SystemTime::now() + stop_in + margin,
    };
    (settings, invocation)
}

#[tokio::test]
async fn a_page_that_would_overrun_the_deadline_is_abandoned_and_the_decided_page_reported() {
    // GIVEN 250 secrets whose second page of ListSecrets hangs (throttled, retried, slow)
    let world = World::new();
    for i in 0..250 {
        world.add_secret(&format!("s{i:03}"), None);
    }
    world.slow_pages(&[Duration::ZERO, Duration::from_secs(30)]);
    let (settings, invocation) = near_deadline(Duration::from_millis(400));
    let handler = RuleHandler::new(world.connector(), settings);
    // WHEN swept
    let started = std::time::Instant::now();
    let err = handler
        .handle(&scheduled(None), &invocation)
        .await
        .unwrap_err();
    // THEN it returned at the margin, not at the hung page's end
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // AND the first page was reported whole, nothing of the abandoned one
    let all: Vec<_> = world
        .puts()
        .into_iter()
        .flat_map(|p| p.evaluations)
        .collect();
    assert_eq!(all.len(), 100);
    assert!(all.iter().all(|e| e.resource_id < secret_arn("s100")));
    // AND the error says how far it got, and Config may retry
    let message = err.to_string();
    assert!(err.is_retryable());
    for words in [
        "deadline",
        "1 page(s)",
        "100 secret(s)",
        "page 2 was abandoned",
    ] {
        assert!(message.contains(words), "{words:?} missing: {message}");
    }
}

#[tokio::test]
async fn cleanup_does_not_start_inside_the_margin() {
    // GIVEN 150 secrets every one of which is listed and decided, but reporting them is
    // slow enough to reach the margin
    let world = World::new();
    for i in 0..150 {
        world.add_secret(&format!("s{i:03}"), None);
    }
    world.add_reported(&secret_arn("gone"));
    world.slow_puts(Duration::from_millis(400));
    let (settings, invocation) = near_deadline(Duration::from_millis(500));
    let handler = RuleHandler::new(world.connector(), settings);
    // WHEN swept
    let err = handler
        .handle(&scheduled(None), &invocation)
        .await
        .unwrap_err();
    // THEN every secret was reported, the cleanup was not started, and the error says so
    let all: Vec<_> = world
        .puts()
        .into_iter()
        .flat_map(|p| p.evaluations)
        .collect();
    assert_eq!(all.len(), 150);
    assert!(all.iter().all(|e| e.resource_id != secret_arn("gone")));
    assert_eq!(world.calls_of("config:GetComplianceDetailsByConfigRule"), 0);
    assert!(err.to_string().contains("not cleaned up"), "{err}");
    assert!(err.to_string().contains("150 secret(s)"), "{err}");
}

#[tokio::test]
async fn a_resource_id_skipped_in_a_batch_put_during_listing_is_still_named() {
    // GIVEN 150 secrets whose first page holds one ARN too long for PutEvaluations: its
    // batch is put while the second page is listed
    let world = World::new();
    world.add_secret(&"n".repeat(760), None);
    for i in 0..149 {
        world.add_secret(&format!("s{i:03}"), None);
    }
    let handler = RuleHandler::new(world.connector(), HandlerSettings::default());
    // WHEN swept
    let err = handler
        .handle(&scheduled(None), &invocation())
        .await
        .unwrap_err();
    // THEN the 149 others are reported and the long one is named as skipped
    let all: Vec<_> = world
        .puts()
        .into_iter()
        .flat_map(|p| p.evaluations)
        .collect();
    assert_eq!(all.len(), 149);
    assert!(err.to_string().contains("768"), "{err}");
}
