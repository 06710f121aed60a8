//! Organization rules: an event for a member account is evaluated with a role assumed
//! there, and reported with those credentials.

use crate::RULE_BINARY;
use secrets_cmk_harness::DEFAULT_REGION;
use secrets_cmk_harness::events::{RULE_NAME, RuleContext, now, scheduled_event};
use secrets_cmk_harness::seed::{NewSecret, assume_role, create_cmk, create_secret};
use secrets_cmk_harness::{Result, Stage};
use serde_json::json;

const MEMBER: &str = "555566667777";

#[tokio::test]
async fn member_account_is_reached_by_assume_role_and_reported_there() -> Result<()> {
    // GIVEN a secret in a member account, and the Lambda configured with the role name
    let stage = Stage::start_with(RULE_BINARY, |o| {
        o.with_env("SECRETS_CMK_EXECUTION_ROLE_NAME", "SecretsCmkExecution")
    })
    .await?;
    let member = assume_role(&stage.emulator.sts(), MEMBER, "seeder").await?;
    let secret = create_secret(
        &stage.emulator.secretsmanager_as(&member, DEFAULT_REGION),
        &NewSecret::named("member-secret"),
    )
    .await?;
    create_secret(&stage.secretsmanager(), &NewSecret::named("central-secret")).await?;
    let token = stage.emulator.mint_result_token(RULE_NAME).await?;
    let context = RuleContext::new(MEMBER, DEFAULT_REGION).with_result_token(token);

    // WHEN the member's scheduled notification is handled
    let invocation = stage
        .invoke(&context, &scheduled_event(&context, now()))
        .await?;

    // THEN only the member's secret is reported, by the member account
    invocation.assert_succeeded();
    assert_eq!(invocation.resources_reported(), 1);
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &[]);
    let calls = stage.emulator.evaluations().await?;
    let ours: Vec<_> = calls
        .iter()
        .filter(|c| c.result_token == context.result_token)
        .collect();
    assert!(ours.iter().all(|c| c.account == MEMBER), "{ours:#?}");
    let assumed = stage.emulator.requests().await?;
    let assume_calls = assumed
        .iter()
        .filter(|r| r.operation == "AssumeRole")
        .count();
    assert_eq!(assume_calls, 2, "the seeder's and the rule's");
    let listed_in_member = assumed
        .iter()
        .filter(|r| r.operation == "ListSecrets" && r.account == MEMBER)
        .count();
    assert_eq!(listed_in_member, 1);
    Ok(())
}

#[tokio::test]
async fn member_account_without_a_role_is_a_non_retryable_error() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let token = stage.emulator.mint_result_token(RULE_NAME).await?;
    let context = RuleContext::new(MEMBER, DEFAULT_REGION).with_result_token(token);
    let outcome = stage
        .lambda
        .invoke_event(&scheduled_event(&context, now()))
        .await?;
    let (error_type, message) = outcome.into_error()?;
    assert_eq!(error_type, "NonRetryable");
    assert!(
        message.contains("SECRETS_CMK_EXECUTION_ROLE_NAME"),
        "{message}"
    );
    assert!(stage.emulator.evaluations().await?.is_empty());
    Ok(())
}

/// An event for the member account, with the Lambda configured to reach it.
async fn member_stage() -> Result<(Stage, RuleContext)> {
    let stage = Stage::start_with(RULE_BINARY, |o| {
        o.with_env("SECRETS_CMK_EXECUTION_ROLE_NAME", "SecretsCmkExecution")
    })
    .await?;
    let token = stage.emulator.mint_result_token(RULE_NAME).await?;
    let context = RuleContext::new(MEMBER, DEFAULT_REGION)
        .with_result_token(token)
        .with_parameters(r#"{"allowedKeyAccounts":"444455556666"}"#);
    Ok((stage, context))
}

/// A member's secret on a key of another (allowed) account, where a denied DescribeKey
/// would be row 10 ("treated as customer managed").
async fn secret_on_a_foreign_key(stage: &Stage) -> Result<String> {
    let member = assume_role(&stage.emulator.sts(), MEMBER, "seeder").await?;
    let owner = assume_role(&stage.emulator.sts(), "444455556666", "seeder").await?;
    let foreign_key = create_cmk(&stage.emulator.kms_as(&owner, DEFAULT_REGION), "shared").await?;
    let secret = create_secret(
        &stage.emulator.secretsmanager_as(&member, DEFAULT_REGION),
        &NewSecret::named("shared-key-secret").with_kms_key(&foreign_key.arn),
    )
    .await?;
    Ok(secret.arn)
}

fn assume_role_calls(requests: &[secrets_cmk_harness::RecordedRequest]) -> usize {
    requests
        .iter()
        .filter(|r| r.operation == "AssumeRole")
        .count()
}

#[tokio::test]
async fn a_rejected_token_is_renewed_once_and_the_retry_decides() -> Result<()> {
    // GIVEN a member's secret on a foreign key, and KMS rejecting the first request's
    // token (ExpiredTokenException) in the member account
    let (stage, context) = member_stage().await?;
    let secret = secret_on_a_foreign_key(&stage).await?;
    let before = assume_role_calls(&stage.emulator.requests().await?);
    stage
        .set_faults(json!([{
            "service": "kms", "operation": "DescribeKey", "kind": "error",
            "code": "ExpiredTokenException", "status": 400, "count": 1,
        }]))
        .await?;

    // WHEN the member's scheduled notification is handled, with allowedKeyAccounts
    let invocation = stage
        .invoke(&context, &scheduled_event(&context, now()))
        .await?;

    // THEN the role was assumed again once, and the retry decided the secret (row 10,
    // the foreign key being undescribable in the emulator), not the rejected token
    let response = invocation.assert_succeeded();
    assert_eq!(response["renewedCredentials"], true, "{response}");
    assert_eq!(
        assume_role_calls(&stage.emulator.requests().await?) - before,
        2
    );
    invocation.assert_verdict(&secret, "COMPLIANT", &[]);
    Ok(())
}

#[tokio::test]
async fn a_token_rejected_again_after_renewal_leaves_the_secret_unverified_never_denied()
-> Result<()> {
    // GIVEN KMS rejects every token in the member account
    let (stage, context) = member_stage().await?;
    let secret = secret_on_a_foreign_key(&stage).await?;
    let before = assume_role_calls(&stage.emulator.requests().await?);
    stage
        .set_faults(json!([{
            "service": "kms", "operation": "DescribeKey", "kind": "error",
            "code": "ExpiredTokenException", "status": 400,
        }]))
        .await?;

    // WHEN handled
    let invocation = stage
        .invoke(&context, &scheduled_event(&context, now()))
        .await?;

    // THEN renewed once only, no verdict for the secret (not row 10's COMPLIANT), and
    // a Retryable error naming it
    let (error_type, message) = invocation.assert_failed();
    assert_eq!(error_type, "Retryable");
    assert!(message.contains(&secret), "{message}");
    assert!(message.contains("ExpiredTokenException"), "{message}");
    assert!(!invocation.verdicts().contains_key(&secret));
    assert_eq!(
        assume_role_calls(&stage.emulator.requests().await?) - before,
        2
    );
    Ok(())
}
