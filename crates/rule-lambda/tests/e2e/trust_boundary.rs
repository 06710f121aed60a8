//! The trust boundary end to end: a key of an account we do not trust never passes (row
//! 5a, without a DescribeKey), an allowed account's denied key is row 10, and an event
//! that asks the function to act outside its own setting is refused.

use crate::RULE_BINARY;
use secrets_cmk_harness::events::{
    RULE_NAME, RuleContext, SecretCi, change_event, now, scheduled_event,
};
use secrets_cmk_harness::seed::{NewSecret, assume_role, create_cmk, create_secret};
use secrets_cmk_harness::{DEFAULT_REGION, Result, Stage};
use serde_json::Value;

const OTHER_ACCOUNT: &str = "222233334444";
const MEMBER: &str = "555566667777";

/// Invoke the Lambda with `event` and assert it is refused: a NonRetryable error whose
/// message names each of `names`, and nothing reported.
async fn assert_refused(stage: &Stage, event: &Value, names: &[&str]) -> Result<()> {
    let outcome = stage.lambda.invoke_event(event).await?;
    let (error_type, message) = outcome.into_error()?;
    assert_eq!(error_type, "NonRetryable", "{message}");
    for name in names {
        assert!(message.contains(name), "{name:?} missing: {message}");
    }
    assert!(stage.emulator.evaluations().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_key_of_another_account_is_non_compliant_unless_trusted() -> Result<()> {
    // GIVEN a secret on an Enabled CMK of another account (whose policy denies us DescribeKey)
    let stage = Stage::start(RULE_BINARY).await?;
    let other_account = assume_role(&stage.emulator.sts(), OTHER_ACCOUNT, "seeder").await?;
    let foreign = create_cmk(
        &stage.emulator.kms_as(&other_account, DEFAULT_REGION),
        "foreign",
    )
    .await?;
    assert!(foreign.arn.contains(OTHER_ACCOUNT), "{}", foreign.arn);
    let secret = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("cross").with_kms_key(&foreign.arn),
    )
    .await?;

    // WHEN swept with the default parameters
    let invocation = stage.sweep(None).await?;
    // THEN NON_COMPLIANT, naming the account and the parameter, and the key is never described
    invocation.assert_succeeded();
    invocation.assert_verdict(
        &secret.arn,
        "NON_COMPLIANT",
        &[OTHER_ACCOUNT, "allowedKeyAccounts"],
    );
    assert_eq!(stage.emulator.request_count("DescribeKey").await?, 0);

    // WHEN its account is allowed THEN row 10: COMPLIANT, not verified (DescribeKey denied)
    let allowed = format!(r#"{{"allowedKeyAccounts":"{OTHER_ACCOUNT}"}}"#);
    let invocation = stage.sweep(Some(&allowed)).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "COMPLIANT", &["not verified"]);
    assert_eq!(stage.emulator.request_count("DescribeKey").await?, 1);

    // WHEN the key is approved by name THEN COMPLIANT without allowing the account
    let approved = format!(r#"{{"kmsKeyArns":"{}"}}"#, foreign.arn);
    let invocation = stage.sweep(Some(&approved)).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "COMPLIANT", &[&foreign.arn]);

    // AND with the account allowed but another key approved, row 9 still applies
    let other_approved = format!(
        r#"{{"allowedKeyAccounts":"{OTHER_ACCOUNT}","kmsKeyArns":"alias/somewhere-else"}}"#
    );
    let invocation = stage.sweep(Some(&other_approved)).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &["approved keys"]);

    // AND a change event for it is decided the same way, without DescribeKey
    let describes = stage.emulator.request_count("DescribeKey").await?;
    let ci = SecretCi::for_arn(&secret.arn).with_kms_key(&foreign.arn);
    let invocation = stage.change(&ci, None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &[OTHER_ACCOUNT]);
    assert_eq!(
        stage.emulator.request_count("DescribeKey").await?,
        describes
    );
    Ok(())
}

#[tokio::test]
async fn a_malformed_allowed_key_accounts_reports_nothing() -> Result<()> {
    // GIVEN a secret
    let stage = Stage::start(RULE_BINARY).await?;
    create_secret(&stage.secretsmanager(), &NewSecret::named("plain")).await?;
    // WHEN the parameter is not a list of account ids
    let context =
        RuleContext::default_account().with_parameters(r#"{"allowedKeyAccounts":"12345,abc"}"#);
    let event = scheduled_event(&context, now());
    // THEN NonRetryable, naming the parameter, and nothing reported
    assert_refused(&stage, &event, &["allowedKeyAccounts"]).await?;
    Ok(())
}

#[tokio::test]
async fn an_execution_role_other_than_the_function_s_own_is_refused() -> Result<()> {
    // GIVEN the Lambda configured with its member role, and a member's secret
    let stage = Stage::start_with(RULE_BINARY, |o| {
        o.with_env("SECRETS_CMK_EXECUTION_ROLE_NAME", "SecretsCmkExecution")
    })
    .await?;
    let member = assume_role(&stage.emulator.sts(), MEMBER, "seeder").await?;
    create_secret(
        &stage.emulator.secretsmanager_as(&member, DEFAULT_REGION),
        &NewSecret::named("member-secret"),
    )
    .await?;
    let token = stage.emulator.mint_result_token(RULE_NAME).await?;
    let requests_before = stage.emulator.requests().await?.len();
    // WHEN the member's rule parameters name another role
    let context = RuleContext::new(MEMBER, DEFAULT_REGION)
        .with_result_token(token)
        .with_parameters(r#"{"executionRoleName":"OrganizationAccountAccessRole"}"#);
    let event = scheduled_event(&context, now());
    // THEN NonRetryable naming both roles, nothing reported, no role assumed
    let roles = ["OrganizationAccountAccessRole", "SecretsCmkExecution"];
    assert_refused(&stage, &event, &roles).await?;
    assert_eq!(stage.emulator.requests().await?.len(), requests_before);
    Ok(())
}

#[tokio::test]
async fn a_configuration_item_of_another_account_than_the_event_is_refused() -> Result<()> {
    // GIVEN a change event for this account carrying a member account's item
    let stage = Stage::start(RULE_BINARY).await?;
    let context = stage.context(None).await?;
    let arn = format!("arn:aws:secretsmanager:{DEFAULT_REGION}:{MEMBER}:secret:theirs-AbCdEf");
    let mut ci = SecretCi::for_arn(&arn);
    ci.account_id = MEMBER.to_owned();
    let requests_before = stage.emulator.requests().await?.len();
    // WHEN handled
    let event = change_event(&context, &ci.to_json(), false);
    // THEN NonRetryable naming the account, nothing reported, no call
    assert_refused(&stage, &event, &[MEMBER]).await?;
    assert_eq!(stage.emulator.requests().await?.len(), requests_before);
    Ok(())
}
