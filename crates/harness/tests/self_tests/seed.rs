//! Seeding helpers, checked through the SDK: keys and their states, secrets with every
//! kind of key reference, replicas, scheduled deletion, bulk creation, other accounts.

use aws_sdk_kms::types::{KeyManagerType, KeyState};
use secrets_cmk_harness::seed::{self, NewSecret};
use secrets_cmk_harness::{Context, DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator, Result};

const MEMBER_ACCOUNT: &str = "222222222222";

#[tokio::test]
async fn keys_secrets_replicas_and_deletions_seed_as_asked() -> Result<()> {
    // GIVEN an emulator
    let emulator = Emulator::start().await?;
    let kms = emulator.kms(DEFAULT_REGION);
    let sm = emulator.secretsmanager(DEFAULT_REGION);

    // WHEN keys are created, aliased, disabled and scheduled for deletion
    let key = seed::create_cmk(&kms, "app").await?;
    seed::create_alias(&kms, "alias/app", &key.key_id).await?;
    let disabled = seed::create_cmk(&kms, "disabled").await?;
    seed::disable_key(&kms, &disabled.key_id).await?;
    let doomed = seed::create_cmk(&kms, "doomed").await?;
    seed::schedule_key_deletion(&kms, &doomed.key_id, 7).await?;

    // THEN KMS describes them so, reached by alias too
    let by_alias = kms
        .describe_key()
        .key_id("alias/app")
        .send()
        .await
        .context("DescribeKey")?;
    let metadata = by_alias.key_metadata().unwrap();
    assert_eq!(metadata.arn(), Some(key.arn.as_str()));
    assert_eq!(metadata.key_manager(), Some(&KeyManagerType::Customer));
    let state = |id: String| {
        let kms = kms.clone();
        async move {
            let out = kms
                .describe_key()
                .key_id(id)
                .send()
                .await
                .context("DescribeKey")?;
            Ok::<_, secrets_cmk_harness::Error>(out.key_metadata().unwrap().key_state().cloned())
        }
    };
    assert_eq!(state(disabled.arn.clone()).await?, Some(KeyState::Disabled));
    assert_eq!(
        state(doomed.key_id.clone()).await?,
        Some(KeyState::PendingDeletion)
    );

    // WHEN secrets are created with a key ARN, an alias, the default key, tags and a replica
    let with_arn =
        seed::create_secret(&sm, &NewSecret::named("by-arn").with_kms_key(&key.arn)).await?;
    seed::create_secret(&sm, &NewSecret::named("by-alias").with_kms_key("alias/app")).await?;
    seed::create_secret(&sm, &NewSecret::named("default").with_tag("team", "a")).await?;
    let replicated = seed::create_secret(
        &sm,
        &NewSecret::named("replicated")
            .with_kms_key(&key.key_id)
            .with_replica("eu-west-1", None),
    )
    .await?;
    seed::replicate_secret(&sm, &with_arn.arn, "eu-central-1", Some("alias/app")).await?;
    seed::schedule_secret_deletion(&sm, "default", 7).await?;

    // THEN ListSecrets shows each key reference as given, none for the default key
    let listed = sm
        .list_secrets()
        .include_planned_deletion(true)
        .send()
        .await
        .context("ListSecrets")?;
    let find = |name: &str| {
        listed
            .secret_list()
            .iter()
            .find(|s| s.name() == Some(name))
            .unwrap()
    };
    assert_eq!(find("by-arn").kms_key_id(), Some(key.arn.as_str()));
    assert_eq!(find("by-alias").kms_key_id(), Some("alias/app"));
    assert_eq!(find("default").kms_key_id(), None);
    assert_eq!(find("default").tags()[0].key(), Some("team"));
    assert!(find("default").deleted_date().is_some());
    assert!(find("by-arn").deleted_date().is_none());

    // AND the replicas are described
    let described = sm
        .describe_secret()
        .secret_id(&replicated.arn)
        .send()
        .await
        .context("DescribeSecret")?;
    let regions: Vec<_> = described
        .replication_status()
        .iter()
        .filter_map(|r| r.region())
        .collect();
    assert_eq!(regions, ["eu-west-1"]);
    let described = sm
        .describe_secret()
        .secret_id(&with_arn.arn)
        .send()
        .await
        .context("DescribeSecret")?;
    assert_eq!(
        described.replication_status()[0].region(),
        Some("eu-central-1")
    );
    Ok(())
}

#[tokio::test]
async fn assumed_role_credentials_act_in_the_other_account() -> Result<()> {
    // GIVEN an emulator
    let emulator = Emulator::start().await?;

    // WHEN a role in another account is assumed (the role was never created)
    let member = seed::assume_role(&emulator.sts(), MEMBER_ACCOUNT, "SecretsCmkAudit").await?;

    // THEN the credentials act in that account, and what they create lives there only
    assert_eq!(
        seed::caller_account(&emulator.sts_as(&member)).await?,
        MEMBER_ACCOUNT
    );
    assert_eq!(
        seed::caller_account(&emulator.sts()).await?,
        DEFAULT_ACCOUNT
    );
    let member_sm = emulator.secretsmanager_as(&member, DEFAULT_REGION);
    let secret = seed::create_secret(&member_sm, &NewSecret::named("member-secret")).await?;
    assert!(
        secret.arn.contains(&format!(":{MEMBER_ACCOUNT}:secret:")),
        "{}",
        secret.arn
    );
    let own = emulator
        .secretsmanager(DEFAULT_REGION)
        .list_secrets()
        .send()
        .await
        .context("ListSecrets")?;
    assert!(own.secret_list().is_empty());

    // AND the request log attributes the call to the member account
    let requests = emulator.requests().await?;
    let create = requests
        .iter()
        .find(|r| r.operation == "CreateSecret")
        .unwrap();
    assert_eq!(create.account, MEMBER_ACCOUNT);
    assert_eq!(create.access_key_id, member.access_key_id);
    Ok(())
}

#[tokio::test]
async fn bulk_creation_makes_every_secret_with_its_chosen_key() -> Result<()> {
    // GIVEN an emulator and a key
    let emulator = Emulator::start().await?;
    let sm = emulator.secretsmanager(DEFAULT_REGION);
    let key = seed::create_cmk(&emulator.kms(DEFAULT_REGION), "bulk").await?;

    // WHEN 150 secrets are created, every third one with the default key
    let created =
        seed::create_secrets(&sm, "bulk", 150, |i| (i % 3 != 0).then(|| key.arn.clone())).await?;

    // THEN all exist, in index order, and the keys are as chosen
    assert_eq!(created.len(), 150);
    assert_eq!(created[7].name, "bulk-00007");
    let mut listed = Vec::new();
    let mut pages = sm.list_secrets().max_results(100).into_paginator().send();
    while let Some(page) = pages.next().await {
        listed.extend(page.context("ListSecrets")?.secret_list().to_vec());
    }
    assert_eq!(listed.len(), 150);
    let default_keyed = listed.iter().filter(|s| s.kms_key_id().is_none()).count();
    assert_eq!(default_keyed, 50);
    Ok(())
}
