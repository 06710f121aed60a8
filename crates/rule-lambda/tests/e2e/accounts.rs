//! Organization rules: an event for a member account is evaluated with a role assumed
//! there, and reported with those credentials.

use crate::RULE_BINARY;
use secrets_cmk_harness::DEFAULT_REGION;
use secrets_cmk_harness::events::{RULE_NAME, RuleContext, now, scheduled_event};
use secrets_cmk_harness::seed::{NewSecret, assume_role, create_secret};
use secrets_cmk_harness::{Result, Stage};

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
