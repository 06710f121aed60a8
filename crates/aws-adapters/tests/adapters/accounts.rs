//! AccountSessions: own account as is, member accounts through AssumeRole, cached.

use aws_sdk_sts::Client;
use aws_sdk_sts::operation::assume_role::AssumeRoleOutput;
use aws_sdk_sts::types::Credentials;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use secrets_cmk_aws::{AccountAccessError, AccountSessions, ApiCalls, StsRoleAssumer, op};
use std::time::{Duration, SystemTime};

fn base() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .build()
}

fn credentials_valid_for(valid_for: Duration) -> AssumeRoleOutput {
    let expiration = aws_smithy_types::DateTime::from(SystemTime::now() + valid_for);
    AssumeRoleOutput::builder()
        .credentials(
            Credentials::builder()
                .access_key_id("ASIAEXAMPLE")
                .secret_access_key("secret")
                .session_token("token")
                .expiration(expiration)
                .build()
                .unwrap(),
        )
        .build()
}

#[tokio::test]
async fn own_account_needs_no_role() {
    let rule =
        mock!(Client::assume_role).then_output(|| credentials_valid_for(Duration::from_secs(3600)));
    let calls = ApiCalls::new();
    let sessions = AccountSessions::new(
        base(),
        StsRoleAssumer::new(mock_client!(aws_sdk_sts, [&rule]), calls.clone()),
    );
    let (_, expiry) = sessions
        .config_for("111122223333", "111122223333", "aws", None)
        .await
        .unwrap();
    assert_eq!(expiry, None);
    assert_eq!(calls.count(op::ASSUME_ROLE), 0);
}

#[tokio::test]
async fn member_account_without_role_is_a_clear_non_retryable_error() {
    let rule =
        mock!(Client::assume_role).then_output(|| credentials_valid_for(Duration::from_secs(3600)));
    let sessions = AccountSessions::new(
        base(),
        StsRoleAssumer::new(mock_client!(aws_sdk_sts, [&rule]), ApiCalls::new()),
    );
    let err = sessions
        .config_for("111122223333", "444455556666", "aws", None)
        .await
        .unwrap_err();
    assert!(matches!(err, AccountAccessError::NoExecutionRole { .. }));
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("executionRoleName"), "{err}");
    assert!(err.to_string().contains("444455556666"), "{err}");
}

#[tokio::test]
async fn member_role_is_assumed_once_while_credentials_last() {
    // GIVEN STS hands out credentials valid for an hour, for the expected role
    let rule = mock!(Client::assume_role)
        .match_requests(|r| {
            r.role_arn() == Some("arn:aws:iam::444455556666:role/SecretsCmkExecution")
        })
        .then_output(|| credentials_valid_for(Duration::from_secs(3600)));
    let calls = ApiCalls::new();
    let sessions = AccountSessions::new(
        base(),
        StsRoleAssumer::new(mock_client!(aws_sdk_sts, [&rule]), calls.clone()),
    );
    // WHEN the member account is reached three times
    for _ in 0..3 {
        let (_, expiry) = sessions
            .config_for(
                "111122223333",
                "444455556666",
                "aws",
                Some("SecretsCmkExecution"),
            )
            .await
            .unwrap();
        assert!(expiry.is_some());
    }
    // THEN AssumeRole was called once
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(calls.count(op::ASSUME_ROLE), 1);
}

#[tokio::test]
async fn credentials_close_to_expiry_are_renewed() {
    // GIVEN STS hands out credentials that expire within the renewal margin
    let rule =
        mock!(Client::assume_role).then_output(|| credentials_valid_for(Duration::from_secs(60)));
    let client = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&rule]);
    let sessions = AccountSessions::new(base(), StsRoleAssumer::new(client, ApiCalls::new()));
    // WHEN the member account is reached twice THEN the role is assumed twice
    for _ in 0..2 {
        sessions
            .config_for("111122223333", "444455556666", "aws", Some("R"))
            .await
            .unwrap();
    }
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn assume_role_denied_names_the_role() {
    let rule = mock!(Client::assume_role)
        .sequence()
        .http_status(403, Some("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error></ErrorResponse>".into()))
        .build();
    let client = mock_client!(aws_sdk_sts, RuleMode::Sequential, [&rule]);
    let sessions = AccountSessions::new(base(), StsRoleAssumer::new(client, ApiCalls::new()));
    let err = sessions
        .config_for("111122223333", "444455556666", "aws", Some("R"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("arn:aws:iam::444455556666:role/R"),
        "{err}"
    );
    assert!(!err.is_retryable());
}
