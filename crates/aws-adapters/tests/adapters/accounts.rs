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

/// Sessions over a mocked STS handing out credentials valid for `valid_for`.
fn sessions_with(valid_for: Duration) -> (AccountSessions<StsRoleAssumer>, aws_smithy_mocks::Rule) {
    let rule = mock!(Client::assume_role).then_output(move || credentials_valid_for(valid_for));
    let client = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&rule]);
    let sessions = AccountSessions::new(base(), StsRoleAssumer::new(client, ApiCalls::new()));
    (sessions, rule)
}

/// Reach `account` through the role R, for an invocation ending at `deadline`.
async fn reach_until(
    sessions: &AccountSessions<StsRoleAssumer>,
    account: &str,
    deadline: SystemTime,
) {
    sessions
        .config_for("111122223333", account, "aws", Some("R"), deadline)
        .await
        .unwrap();
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
        .config_for(
            "111122223333",
            "111122223333",
            "aws",
            None,
            SystemTime::now(),
        )
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
        .config_for(
            "111122223333",
            "444455556666",
            "aws",
            None,
            SystemTime::now(),
        )
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
                SystemTime::now(),
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
    let (sessions, rule) = sessions_with(Duration::from_secs(60));
    // WHEN the member account is reached twice THEN the role is assumed twice
    for _ in 0..2 {
        reach_until(&sessions, "444455556666", SystemTime::now()).await;
    }
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn cached_credentials_that_die_before_the_deadline_are_renewed_first() {
    // GIVEN credentials valid for 20 minutes, cached by a first invocation
    let (sessions, rule) = sessions_with(Duration::from_secs(20 * 60));
    let in_minutes = |minutes: u64| SystemTime::now() + Duration::from_secs(minutes * 60);
    reach_until(&sessions, "444455556666", in_minutes(0)).await;
    // WHEN an invocation with 10 minutes to go reuses them, THEN no new AssumeRole
    reach_until(&sessions, "444455556666", in_minutes(10)).await;
    assert_eq!(rule.num_calls(), 1);
    // WHEN one whose deadline is 18 minutes away (past expiry minus the margin) comes,
    // THEN the role is assumed again before any work
    reach_until(&sessions, "444455556666", in_minutes(18)).await;
    assert_eq!(rule.num_calls(), 2);
}

#[tokio::test]
async fn forgotten_credentials_are_assumed_afresh() {
    // GIVEN cached credentials for two member accounts
    let (sessions, rule) = sessions_with(Duration::from_secs(3600));
    for account in ["444455556666", "777788889999"] {
        reach_until(&sessions, account, SystemTime::now()).await;
    }
    // WHEN AWS rejected one account's token and it is forgotten
    sessions.forget("aws", "444455556666").await;
    for account in ["444455556666", "777788889999"] {
        reach_until(&sessions, account, SystemTime::now()).await;
    }
    // THEN only that account's role was assumed again
    assert_eq!(rule.num_calls(), 3);
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
        .config_for(
            "111122223333",
            "444455556666",
            "aws",
            Some("R"),
            SystemTime::now(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("arn:aws:iam::444455556666:role/R"),
        "{err}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn roles_are_assumed_under_the_rules_session_name_unless_another_is_given() {
    for (custom, expected) in [
        (None, secrets_cmk_aws::accounts::DEFAULT_SESSION_NAME),
        (Some("secrets-cmk-audit"), "secrets-cmk-audit"),
    ] {
        // GIVEN an STS that answers only a request under the expected session name
        let rule = mock!(Client::assume_role)
            .match_requests(move |input| input.role_session_name() == Some(expected))
            .then_output(|| credentials_valid_for(Duration::from_secs(3600)));
        let client = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&rule]);
        let mut sessions =
            AccountSessions::new(base(), StsRoleAssumer::new(client, ApiCalls::new()));
        if let Some(name) = custom {
            sessions = sessions.with_session_name(name);
        }
        // WHEN a member account is reached THEN the role was assumed under that name
        reach_until(&sessions, "444455556666", SystemTime::now()).await;
        assert_eq!(rule.num_calls(), 1, "{expected}");
    }
}
