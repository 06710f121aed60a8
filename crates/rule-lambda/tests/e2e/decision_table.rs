//! Every row of the decision table (docs/design.md), through the binary: seeded secrets, one
//! invocation, the verdict Config recorded.

use crate::RULE_BINARY;
use secrets_cmk_harness::events::{CiStatus, SecretCi, change_event};
use secrets_cmk_harness::seed::{
    NewSecret, create_alias, create_cmk, create_secret, disable_key, schedule_key_deletion,
    schedule_secret_deletion,
};
use secrets_cmk_harness::{Result, Stage};

#[tokio::test]
async fn row_1_deleted_resource_and_left_scope_are_not_applicable_without_calls() -> Result<()> {
    // GIVEN a change item for a deleted secret, and one for a secret that left the scope
    let stage = Stage::start(RULE_BINARY).await?;
    let deleted =
        SecretCi::for_arn("arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf")
            .with_status(CiStatus::ResourceDeleted);
    let scoped_out =
        SecretCi::for_arn("arn:aws:secretsmanager:us-east-1:123456789012:secret:out-AbCdEf")
            .with_kms_key("alias/aws/secretsmanager");
    let requests_before = stage.emulator.requests().await?.len();

    // WHEN both are handled
    let invocation = stage.change(&deleted, None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&deleted.arn, "NOT_APPLICABLE", &["deleted"]);
    let context = stage.context(None).await?;
    let invocation = stage
        .invoke(
            &context,
            &change_event(&context, &scoped_out.to_json(), true),
        )
        .await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&scoped_out.arn, "NOT_APPLICABLE", &[]);

    // THEN no call but the two PutEvaluations was made
    let calls: Vec<_> = stage
        .emulator
        .requests()
        .await?
        .into_iter()
        .skip(requests_before)
        .collect();
    assert!(
        calls.iter().all(|r| r.operation == "PutEvaluations"),
        "{calls:#?}"
    );
    assert_eq!(calls.len(), 2);
    Ok(())
}

#[tokio::test]
async fn row_2_secret_scheduled_for_deletion_is_not_applicable_with_the_date() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let secret = create_secret(&stage.secretsmanager(), &NewSecret::named("leaving")).await?;
    schedule_secret_deletion(&stage.secretsmanager(), &secret.arn, 7).await?;
    let invocation = stage.sweep(None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NOT_APPLICABLE", &["deletion"]);
    Ok(())
}

#[tokio::test]
async fn row_3_exemption_tag_is_not_applicable_naming_the_tag() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let exempt = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("legacy").with_tag("cmk-exempt", "ticket-42"),
    )
    .await?;
    let other = create_secret(&stage.secretsmanager(), &NewSecret::named("plain")).await?;
    let invocation = stage
        .sweep(Some(r#"{"exemptionTagKey":"cmk-exempt"}"#))
        .await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&exempt.arn, "NOT_APPLICABLE", &["cmk-exempt"]);
    invocation.assert_verdict(&other.arn, "NON_COMPLIANT", &[]);
    Ok(())
}

#[tokio::test]
async fn row_4_default_key_is_non_compliant() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let secret = create_secret(&stage.secretsmanager(), &NewSecret::named("default")).await?;
    let invocation = stage.sweep(None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &["aws/secretsmanager"]);
    Ok(())
}

#[tokio::test]
async fn row_5_aws_alias_is_non_compliant_without_describe_key() -> Result<()> {
    // GIVEN secrets naming the AWS managed key by alias name and alias ARN
    let stage = Stage::start(RULE_BINARY).await?;
    let by_name = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("aws-alias").with_kms_key("alias/aws/secretsmanager"),
    )
    .await?;
    let by_arn = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("aws-alias-arn")
            .with_kms_key("arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager"),
    )
    .await?;
    // WHEN swept
    let invocation = stage.sweep(None).await?;
    // THEN both are NON_COMPLIANT and KMS was never asked (DescribeKey could create the key)
    invocation.assert_succeeded();
    invocation.assert_verdict(&by_name.arn, "NON_COMPLIANT", &["aws/secretsmanager"]);
    invocation.assert_verdict(&by_arn.arn, "NON_COMPLIANT", &["aws/secretsmanager"]);
    assert_eq!(stage.emulator.request_count("DescribeKey").await?, 0);
    Ok(())
}

#[tokio::test]
async fn row_6_aws_managed_key_by_its_arn_is_non_compliant() -> Result<()> {
    // GIVEN the aws/secretsmanager key's own ARN on a secret
    let stage = Stage::start(RULE_BINARY).await?;
    let managed = stage
        .kms()
        .describe_key()
        .key_id("alias/aws/secretsmanager")
        .send()
        .await
        .unwrap();
    let managed_arn = managed.key_metadata().unwrap().arn().unwrap().to_owned();
    let secret = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("managed-arn").with_kms_key(&managed_arn),
    )
    .await?;
    let invocation = stage.sweep(None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &[&managed_arn]);
    Ok(())
}

#[tokio::test]
async fn row_7_missing_key_is_non_compliant() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000";
    let secret = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("orphan").with_kms_key(missing),
    )
    .await?;
    let invocation = stage.sweep(None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&secret.arn, "NON_COMPLIANT", &["not exist"]);
    Ok(())
}

#[tokio::test]
async fn row_8_disabled_or_pending_deletion_key_is_non_compliant_naming_the_state() -> Result<()> {
    let stage = Stage::start(RULE_BINARY).await?;
    let disabled = create_cmk(&stage.kms(), "disabled").await?;
    disable_key(&stage.kms(), &disabled.key_id).await?;
    let doomed = create_cmk(&stage.kms(), "doomed").await?;
    schedule_key_deletion(&stage.kms(), &doomed.key_id, 7).await?;
    let on_disabled = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("on-disabled").with_kms_key(&disabled.key_id),
    )
    .await?;
    let on_doomed = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("on-doomed").with_kms_key(&doomed.arn),
    )
    .await?;

    let invocation = stage.sweep(None).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&on_disabled.arn, "NON_COMPLIANT", &["Disabled"]);
    invocation.assert_verdict(&on_doomed.arn, "NON_COMPLIANT", &["PendingDeletion"]);

    // AND with requireEnabledKey=false a disabled customer key passes
    let invocation = stage
        .sweep(Some(r#"{"requireEnabledKey":"false"}"#))
        .await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&on_disabled.arn, "COMPLIANT", &[]);
    Ok(())
}

#[tokio::test]
async fn row_9_only_approved_keys_pass_by_alias_name_or_arn() -> Result<()> {
    // GIVEN two CMKs, one approved through its alias
    let stage = Stage::start(RULE_BINARY).await?;
    let approved = create_cmk(&stage.kms(), "approved").await?;
    create_alias(&stage.kms(), "alias/approved", &approved.key_id).await?;
    let other = create_cmk(&stage.kms(), "other").await?;
    let on_approved_id = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("approved-id").with_kms_key(&approved.key_id),
    )
    .await?;
    let on_approved_alias = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("approved-alias").with_kms_key("alias/approved"),
    )
    .await?;
    let on_other = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("other").with_kms_key(&other.arn),
    )
    .await?;

    // WHEN swept with the approved key named by alias name
    let invocation = stage
        .sweep(Some(r#"{"kmsKeyArns":"alias/approved"}"#))
        .await?;
    // THEN keys resolving to it pass, the other CMK does not
    invocation.assert_succeeded();
    invocation.assert_verdict(&on_approved_id.arn, "COMPLIANT", &[&approved.arn]);
    invocation.assert_verdict(&on_approved_alias.arn, "COMPLIANT", &[]);
    invocation.assert_verdict(&on_other.arn, "NON_COMPLIANT", &["approved"]);

    // AND the same by key ARN
    let parameters = format!(r#"{{"kmsKeyArns":"{}"}}"#, other.arn);
    let invocation = stage.sweep(Some(&parameters)).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&on_other.arn, "COMPLIANT", &[]);
    invocation.assert_verdict(&on_approved_id.arn, "NON_COMPLIANT", &[]);
    Ok(())
}

#[tokio::test]
async fn row_11_a_replica_on_the_default_key_fails_naming_its_region() -> Result<()> {
    // GIVEN a CMK secret replicated to us-west-2 on that region's default key, and one
    // replicated on a CMK there
    let stage = Stage::start(RULE_BINARY).await?;
    let primary_key = create_cmk(&stage.kms(), "primary").await?;
    let west_key = create_cmk(&stage.emulator.kms("us-west-2"), "west").await?;
    let weak = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("weak-replica")
            .with_kms_key(&primary_key.arn)
            .with_replica("us-west-2", None),
    )
    .await?;
    let strong = create_secret(
        &stage.secretsmanager(),
        &NewSecret::named("strong-replica")
            .with_kms_key(&primary_key.arn)
            .with_replica("us-west-2", Some(&west_key.arn)),
    )
    .await?;
    // WHEN swept
    let invocation = stage.sweep(None).await?;
    // THEN the weak one names the region, the strong one passes, with one DescribeSecret each
    invocation.assert_succeeded();
    invocation.assert_verdict(&weak.arn, "NON_COMPLIANT", &["us-west-2"]);
    invocation.assert_verdict(&strong.arn, "COMPLIANT", &[]);
    assert_eq!(stage.emulator.request_count("DescribeSecret").await?, 2);

    // AND with checkReplicas=false neither needs DescribeSecret and both pass
    let invocation = stage.sweep(Some(r#"{"checkReplicas":"false"}"#)).await?;
    invocation.assert_succeeded();
    invocation.assert_verdict(&weak.arn, "COMPLIANT", &[]);
    assert_eq!(stage.emulator.request_count("DescribeSecret").await?, 2);
    Ok(())
}

#[tokio::test]
async fn row_12_customer_key_is_compliant_in_every_reference_form() -> Result<()> {
    // GIVEN one CMK referenced by key id, key ARN, alias name and alias ARN
    let stage = Stage::start(RULE_BINARY).await?;
    let key = create_cmk(&stage.kms(), "app").await?;
    create_alias(&stage.kms(), "alias/app", &key.key_id).await?;
    let forms = [
        ("by-id", key.key_id.clone()),
        ("by-arn", key.arn.clone()),
        ("by-alias", "alias/app".to_owned()),
        (
            "by-alias-arn",
            "arn:aws:kms:us-east-1:123456789012:alias/app".to_owned(),
        ),
    ];
    let mut secrets = Vec::new();
    for (name, reference) in &forms {
        secrets.push(
            create_secret(
                &stage.secretsmanager(),
                &NewSecret::named(*name).with_kms_key(reference),
            )
            .await?,
        );
    }
    // WHEN swept
    let invocation = stage.sweep(None).await?;
    // THEN all are COMPLIANT, annotated with the resolved key ARN
    invocation.assert_succeeded();
    for secret in &secrets {
        invocation.assert_verdict(&secret.arn, "COMPLIANT", &[&key.arn]);
    }
    // AND KMS was asked once per distinct reference once qualified into the secret's
    // account and region: the key id names the key ARN, the alias name the alias ARN
    assert_eq!(stage.emulator.request_count("DescribeKey").await?, 2);
    Ok(())
}
