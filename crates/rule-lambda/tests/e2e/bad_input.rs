//! Bad events and bad parameters: a NonRetryable error naming the problem, nothing
//! reported, and the same process serves the next invocation. TESTMODE results.

use crate::RULE_BINARY;
use secrets_cmk_harness::events::{RuleContext, now, scheduled_event};
use secrets_cmk_harness::seed::{NewSecret, create_secret};
use secrets_cmk_harness::{Result, Stage};
use serde_json::json;

async fn assert_rejected(stage: &Stage, event: serde_json::Value, names: &str) -> Result<()> {
    let outcome = stage.lambda.invoke_event(&event).await?;
    let (error_type, message) = outcome.into_error()?;
    assert_eq!(error_type, "NonRetryable", "{message}");
    assert!(
        message.contains(names),
        "the error should name {names:?}: {message}"
    );
    Ok(())
}

#[tokio::test]
async fn bad_events_and_parameters_report_nothing_and_the_next_invocation_is_served() -> Result<()>
{
    // GIVEN a secret and a running Lambda
    let stage = Stage::start(RULE_BINARY).await?;
    let secret = create_secret(&stage.secretsmanager(), &NewSecret::named("plain")).await?;
    let context = RuleContext::default_account();
    let requests_before = stage.emulator.requests().await?.len();

    // WHEN it receives malformed events and bad parameters
    assert_rejected(&stage, json!({"hello": "world"}), "missing").await?;
    assert_rejected(&stage, json!("just a string"), "event").await?;
    let mut not_json = scheduled_event(&context, now());
    not_json["invokingEvent"] = json!("{not json");
    assert_rejected(&stage, not_json, "invokingEvent").await?;
    let mut unknown_type = scheduled_event(&context, now());
    unknown_type["invokingEvent"] = json!(r#"{"messageType":"SomethingElse"}"#);
    assert_rejected(&stage, unknown_type, "SomethingElse").await?;
    let bad_parameters = [
        (r#"{"kmsKeyArn":"x"}"#, "kmsKeyArn"),
        (r#"{"checkReplicas":"maybe"}"#, "checkReplicas"),
        (r#"{"kmsKeyArns":"arn:aws:s3:::bucket"}"#, "kmsKeyArns"),
        (
            r#"{"executionRoleName":"no/slashes here"}"#,
            "executionRoleName",
        ),
        ("[1,2]", "ruleParameters"),
    ];
    for (parameters, names) in bad_parameters {
        let context = RuleContext::default_account().with_parameters(parameters);
        assert_rejected(&stage, scheduled_event(&context, now()), names).await?;
    }

    // THEN nothing was reported and no AWS call was made
    assert!(stage.emulator.evaluations().await?.is_empty());
    let requests = stage.emulator.requests().await?;
    assert_eq!(requests.len(), requests_before, "{requests:#?}");

    // AND the same process still serves a good invocation
    let invocation = stage.sweep(None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &[]);
    assert!(stage.lambda.is_running());
    Ok(())
}

#[tokio::test]
async fn testmode_token_puts_in_test_mode() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    create_secret(&stage.secretsmanager(), &NewSecret::named("plain")).await?;
    let context = RuleContext::default_account().with_result_token("TESTMODE");
    let outcome = stage
        .lambda
        .invoke_event(&scheduled_event(&context, now()))
        .await?;
    outcome.into_response()?;
    let calls = stage.emulator.evaluations().await?;
    assert_eq!(calls.len(), 1);
    assert!(calls[0].test_mode);
    assert_eq!(calls[0].evaluations.len(), 1);
    assert_eq!(
        stage
            .emulator
            .request_count("GetComplianceDetailsByConfigRule")
            .await?,
        0
    );
    Ok(())
}
