//! `reportChangesOnly` through the binary against the emulator: a steady-state sweep
//! reads back what Config holds and puts nothing; one changed secret puts exactly one
//! evaluation.

use crate::RULE_BINARY;
use secrets_cmk_harness::seed::{create_cmk, create_secrets, update_secret_key};
use secrets_cmk_harness::{Result, Stage};

const CHANGES_ONLY: Option<&str> = Some(r#"{"reportChangesOnly":"true"}"#);

#[tokio::test]
async fn a_steady_state_sweep_puts_nothing_and_one_changed_secret_puts_exactly_one() -> Result<()> {
    // GIVEN 150 secrets on the default key, swept once with reportChangesOnly: Config
    // held nothing, so every one was put
    let stage = Stage::start(RULE_BINARY).await?;
    let sm = stage.secretsmanager();
    let secrets = create_secrets(&sm, "steady", 150, |_| None).await?;
    let first = stage.sweep(CHANGES_ONLY).await?;
    first.assert_succeeded();
    assert_eq!(first.resources_reported(), 150);

    // WHEN nothing changed and the rule sweeps again
    let steady = stage.sweep(CHANGES_ONLY).await?;
    // THEN no PutEvaluations call at all, and the response counts what was not put again
    let response = steady.assert_succeeded();
    assert_eq!(steady.evaluations().count(), 0, "{response}");
    assert_eq!(response["unchanged"], 150, "{response}");

    // WHEN one secret moves to a customer managed key and the rule sweeps again
    let key = create_cmk(&stage.kms(), "app").await?;
    update_secret_key(&sm, &secrets[42].arn, &key.arn).await?;
    let changed = stage.sweep(CHANGES_ONLY).await?;
    // THEN exactly its new verdict is put, in one call, and Config holds it
    changed.assert_succeeded();
    assert_eq!(changed.batch_sizes(), [1]);
    changed.assert_verdict(&secrets[42].arn, "COMPLIANT", &[]);
    let stored = stage.stored_results().await?;
    assert_eq!(stored[&secrets[42].arn].compliance, "COMPLIANT");
    assert_eq!(stored[&secrets[0].arn].compliance, "NON_COMPLIANT");
    Ok(())
}
