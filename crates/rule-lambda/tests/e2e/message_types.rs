//! The three message types: a change reports its one resource, an oversized change is
//! fetched from Config (or from Secrets Manager when Config has no item), a scheduled
//! notification sweeps.

use crate::RULE_BINARY;
use secrets_cmk_harness::events::{SecretCi, config_time, oversized_event};
use secrets_cmk_harness::seed::{NewSecret, create_cmk, create_secret, force_delete_secret};
use secrets_cmk_harness::{Result, Stage};

#[tokio::test]
async fn change_reports_only_its_resource_ordered_by_capture_time() -> Result<()> {
    // GIVEN two secrets, one changed to a CMK
    let stage = Stage::start(RULE_BINARY).await?;
    let key = create_cmk(&stage.kms(), "app").await?;
    let changed = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("changed").with_kms_key(&key.arn),
    )
    .await?;
    create_secret(&stage.secretsmanager(), &NewSecret::named("bystander")).await?;
    let ci = SecretCi::for_arn(&changed.arn).with_kms_key(&key.arn);

    // WHEN the change notification is handled
    let invocation = stage.change(&ci, None).await?;

    // THEN exactly one evaluation, for the CI's resourceId, at the CI's capture time
    invocation.assert_succeeded();
    assert_eq!(invocation.resources_reported(), 1);
    invocation.assert_verdict(&changed.arn, "COMPLIANT", &[&key.arn]);
    let sent = invocation
        .last_evaluation_of(&changed.arn)
        .ordering_timestamp
        .as_f64()
        .unwrap();
    assert_eq!(sent as i64, ci.capture_time.timestamp());
    assert_eq!(stage.emulator.request_count("ListSecrets").await?, 0);
    Ok(())
}

#[tokio::test]
async fn change_with_the_default_key_is_non_compliant() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let secret = create_secret(&stage.secretsmanager(), &NewSecret::named("plain")).await?;
    let invocation = stage.change(&SecretCi::for_arn(&secret.arn), None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &["aws/secretsmanager"]);
    Ok(())
}

#[tokio::test]
async fn change_for_a_secret_describe_secret_cannot_find_gives_no_verdict_and_is_retried()
-> Result<()> {
    // GIVEN an OK item (the secret exists, says Config) for a secret DescribeSecret does
    // not find: deleted since, or Secrets Manager's answer lagging
    let stage = Stage::start(RULE_BINARY).await?;
    let secret = create_secret(&stage.secretsmanager(), &NewSecret::named("brief")).await?;
    force_delete_secret(&stage.secretsmanager(), &secret.arn).await?;
    // WHEN its change notification is handled
    let invocation = stage.change(&SecretCi::for_arn(&secret.arn), None).await?;
    // THEN nothing is reported (NOT_APPLICABLE would be a guess) and Config retries
    assert_eq!(invocation.resources_reported(), 0);
    let (error_type, message) = invocation.assert_failed();
    assert_eq!(error_type, "Retryable");
    assert!(message.contains(&secret.arn), "{message}");
    assert!(
        message.contains("DescribeSecret does not find"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn oversized_item_is_fetched_with_get_resource_config_history() -> Result<()> {
    // GIVEN an oversized notification for a CMK secret
    let stage = Stage::start(RULE_BINARY).await?;
    let key = create_cmk(&stage.kms(), "app").await?;
    let secret = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("big").with_kms_key(&key.key_id),
    )
    .await?;
    let context = stage.context(None).await?;
    let event = oversized_event(&context, &SecretCi::for_arn(&secret.arn));

    // WHEN handled
    let invocation = stage.invoke(&context, &event).await?;

    // THEN the item came from Config history and the verdict is reported for it alone
    invocation.assert_succeeded();
    assert_eq!(
        stage
            .emulator
            .request_count("GetResourceConfigHistory")
            .await?,
        1
    );
    assert_eq!(invocation.resources_reported(), 1);
    invocation.assert_verdict(&secret.arn, "COMPLIANT", &[&key.arn]);
    Ok(())
}

#[tokio::test]
async fn oversized_item_config_no_longer_has_falls_back_to_describe_secret() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let secret = create_secret(&stage.secretsmanager(), &NewSecret::named("unrecorded")).await?;
    stage.emulator.mark_not_recorded(&secret.arn).await?;
    let context = stage.context(None).await?;
    let invocation = stage
        .invoke(
            &context,
            &oversized_event(&context, &SecretCi::for_arn(&secret.arn)),
        )
        .await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &["aws/secretsmanager"]);
    assert_eq!(stage.emulator.request_count("DescribeSecret").await?, 1);
    Ok(())
}

#[tokio::test]
async fn scheduled_sweep_reports_every_secret_at_the_notification_time() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let key = create_cmk(&stage.kms(), "app").await?;
    let good = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("good").with_kms_key(&key.arn),
    )
    .await?;
    let bad = create_secret(&stage.secretsmanager(), &NewSecret::named("bad")).await?;
    let invocation = stage.sweep(None).await?;
    invocation.assert_succeeded();
    assert_eq!(invocation.resources_reported(), 2);
    invocation.assert_verdict(&good.arn, "COMPLIANT", &[]);
    invocation.assert_verdict(&bad.arn, "NON_COMPLIANT", &[]);
    let _ = config_time;
    Ok(())
}

#[tokio::test]
async fn sweep_cleans_up_results_of_deleted_secrets() -> Result<()> {
    // GIVEN a sweep reported two secrets, then one was deleted for good
    let stage = Stage::start(RULE_BINARY).await?;
    let kept = create_secret(&stage.secretsmanager(), &NewSecret::named("kept")).await?;
    let removed = create_secret(&stage.secretsmanager(), &NewSecret::named("removed")).await?;
    stage.sweep(None).await?.assert_succeeded();
    force_delete_secret(&stage.secretsmanager(), &removed.arn).await?;

    // WHEN the next sweep runs
    let invocation = stage.sweep(None).await?;

    // THEN the removed secret's result is set to NOT_APPLICABLE, the kept one re-reported
    invocation.assert_succeeded();
    invocation.assert_verdict(&removed.arn, "NOT_APPLICABLE", &["no longer"]);
    invocation.assert_verdict(&kept.arn, "NON_COMPLIANT", &[]);
    Ok(())
}
