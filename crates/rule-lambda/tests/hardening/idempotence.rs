//! Idempotence: the same estate always gets the same evaluations, and a change event
//! for one secret reports that secret only.

use secrets_cmk_harness::events::{SecretCi, change_event, now, scheduled_event};
use secrets_cmk_harness::seed::update_secret_key;
use secrets_cmk_harness::{Result, Stage};
use serde_json::Value;

use crate::RULE_BINARY;
use crate::estate::seed_estate;

/// One evaluation as put, every field that reaches Config.
type Put = (String, String, String, Option<String>, Value);

fn puts(invocation: &secrets_cmk_harness::Invocation) -> Vec<Put> {
    let mut puts: Vec<Put> = invocation
        .evaluations()
        .map(|e| {
            (
                e.resource_id.clone(),
                e.resource_type.clone(),
                e.compliance_type.clone(),
                e.annotation.clone(),
                e.ordering_timestamp.clone(),
            )
        })
        .collect();
    puts.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    puts
}

#[tokio::test]
async fn two_sweeps_over_an_unchanged_estate_put_identical_evaluations() -> Result<()> {
    // GIVEN an estate of 160 secrets over every kind of key
    let stage = Stage::start(RULE_BINARY).await?;
    seed_estate(&stage, 160).await?;
    let notification_time = now();

    // WHEN two scheduled notifications with the same creation time are handled
    let mut runs = Vec::new();
    for _ in 0..2 {
        let context = stage.context(None).await?;
        let sweep = stage
            .invoke(&context, &scheduled_event(&context, notification_time))
            .await?;
        sweep.assert_succeeded();
        runs.push(puts(&sweep));
    }

    // THEN they put the same evaluations: resource, type, compliance, annotation and
    // ordering timestamp
    assert_eq!(runs[0].len(), 160);
    assert_eq!(runs[0], runs[1]);
    Ok(())
}

#[tokio::test]
async fn a_change_event_for_one_secret_never_alters_another_result() -> Result<()> {
    // GIVEN a swept estate and Config's results for it
    let stage = Stage::start(RULE_BINARY).await?;
    let estate = seed_estate(&stage, 160).await?;
    stage.sweep(None).await?.assert_succeeded();
    let before = stage.stored_results().await?;
    assert_eq!(before.len(), 160);

    // AND one secret on the default key is re-keyed to a customer managed key
    let changed = &estate.secrets[4];
    assert_eq!(before[&changed.arn].compliance, "NON_COMPLIANT");
    let key = &estate.keys[0];
    update_secret_key(&stage.secretsmanager(), &changed.arn, &key.arn).await?;

    // WHEN Config sends the change notification for it
    let context = stage.context(None).await?;
    let ci = SecretCi::for_arn(&changed.arn).with_kms_key(&key.arn);
    let change = stage
        .invoke(&context, &change_event(&context, &ci.to_json(), false))
        .await?;

    // THEN exactly one evaluation was put, for that secret
    change.assert_succeeded();
    assert_eq!(change.calls.len(), 1);
    let only: Vec<_> = change.evaluations().collect();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].resource_id, changed.arn);
    assert_eq!(only[0].compliance_type, "COMPLIANT");
    // AND every other secret's result is what it was
    let mut after = stage.stored_results().await?;
    assert_eq!(after.remove(&changed.arn).unwrap().compliance, "COMPLIANT");
    let mut others = before;
    others.remove(&changed.arn);
    assert_eq!(after, others);
    Ok(())
}
