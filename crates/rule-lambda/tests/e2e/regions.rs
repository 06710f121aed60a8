//! Row 5b through the binary: a key of another Region than the secret is NON_COMPLIANT,
//! and KMS is never asked about it.

use crate::RULE_BINARY;
use secrets_cmk_harness::events::SecretCi;
use secrets_cmk_harness::seed::{NewSecret, create_cmk, create_multi_region_key, create_secret};
use secrets_cmk_harness::{Result, Stage};

#[tokio::test]
async fn row_5b_a_key_of_another_region_is_non_compliant_without_describe_key() -> Result<()> {
    // GIVEN a CMK in eu-west-1 and a secret in us-east-1 naming it by ARN (Secrets Manager
    // would never use it; the emulator stores the id as given)
    let stage = Stage::start(RULE_BINARY).await?;
    let west = create_cmk(&stage.emulator.kms("eu-west-1"), "west").await?;
    let secret = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("cross-region").with_kms_key(&west.arn),
    )
    .await?;
    let describes = stage.emulator.request_count("DescribeKey").await?;

    // WHEN swept, and WHEN its change notification arrives
    let invocation = stage.sweep(None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &["eu-west-1", "us-east-1"]);
    let ci = SecretCi::for_arn(&secret.arn).with_kms_key(&west.arn);
    let invocation = stage.change(&ci, None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &["Region"]);

    // THEN the key was never described
    assert_eq!(
        stage.emulator.request_count("DescribeKey").await?,
        describes
    );
    Ok(())
}

#[tokio::test]
async fn an_approved_multi_region_key_approves_its_replica_key_for_a_replicated_secret()
-> Result<()> {
    // GIVEN a multi-Region key (AWS's `mrk-` id, replicated to eu-west-1), and a secret
    // on its primary in us-east-1 replicated to eu-west-1 on the replica key
    let stage = Stage::start(RULE_BINARY).await?;
    let keys = create_multi_region_key(&stage.kms(), &["eu-west-1"]).await?;
    let (primary, replica) = (&keys[0], &keys[1]);
    assert!(primary.key_id.starts_with("mrk-") && primary.key_id == replica.key_id);
    let secret = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("global")
            .with_kms_key(&primary.arn)
            .with_replica("eu-west-1", Some(&replica.arn)),
    )
    .await?;
    // AND a single-Region key of the same account that kmsKeyArns does not name
    let other = create_cmk(&stage.kms(), "other").await?;
    let unapproved = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("unapproved").with_kms_key(&other.arn),
    )
    .await?;

    // WHEN swept with only the primary's ARN in kmsKeyArns
    let parameters = format!(r#"{{"kmsKeyArns":"{}"}}"#, primary.arn);
    let invocation = stage.sweep(Some(&parameters)).await?;

    // THEN the replicated secret is COMPLIANT (its replica's key is the same key), and
    // the key kmsKeyArns does not name still fails row 9
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "COMPLIANT", &[]);
    invocation.assert_verdict(&unapproved.arn, "NON_COMPLIANT", &["kmsKeyArns"]);
    Ok(())
}
