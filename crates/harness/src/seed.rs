//! Seeding the emulator through the real SDK: keys, aliases, secrets, replicas,
//! scheduled deletions, and credentials for other accounts.
//!
//! Every helper takes the client to use, so the same helper seeds any account and region
//! (`emulator.kms_as(&member_credentials, "eu-west-1")`).

use std::sync::Arc;

use aws_sdk_kms::types::Tag as KmsTag;
use aws_sdk_secretsmanager::types::{ReplicaRegionType, Tag};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::emulator::Credentials;
use crate::{Error, Result};

/// How many bulk-seeding calls run at once.
pub const BULK_CONCURRENCY: usize = 16;

/// A KMS key as created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key id (a UUID, or `mrk-` and 32 hex digits for a multi-Region key).
    pub key_id: String,
    /// The key ARN.
    pub arn: String,
}

/// A secret as created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    /// The secret's name.
    pub name: String,
    /// The secret's ARN (with the random 6-character suffix).
    pub arn: String,
}

/// What to create: [`NewSecret::named`] then the `with_*` methods.
#[derive(Clone, Debug, Default)]
pub struct NewSecret {
    /// The name.
    pub name: String,
    /// The key, in any form (key id, key ARN, alias name, alias ARN); `None` is the
    /// default key (aws/secretsmanager).
    pub kms_key_id: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Replica regions, each with its key (`None`: that region's default key).
    pub replicas: Vec<(String, Option<String>)>,
    /// The secret value.
    pub secret_string: String,
}

impl NewSecret {
    /// A secret named `name`, default key, no tags, a small value.
    pub fn named(name: impl Into<String>) -> Self {
        NewSecret {
            name: name.into(),
            secret_string: "{\"password\":\"e2e\"}".to_owned(),
            ..NewSecret::default()
        }
    }

    /// Encrypts with `kms_key_id` (any form).
    pub fn with_kms_key(mut self, kms_key_id: impl Into<String>) -> Self {
        self.kms_key_id = Some(kms_key_id.into());
        self
    }

    /// Adds a tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Adds a replica in `region` with `kms_key_id` (`None`: the default key).
    pub fn with_replica(mut self, region: impl Into<String>, kms_key_id: Option<&str>) -> Self {
        self.replicas
            .push((region.into(), kms_key_id.map(str::to_owned)));
        self
    }
}

/// Creates a symmetric customer-managed key.
pub async fn create_cmk(kms: &aws_sdk_kms::Client, description: &str) -> Result<Key> {
    let output = kms
        .create_key()
        .description(description)
        .tags(
            KmsTag::builder()
                .tag_key("created-by")
                .tag_value("secrets-cmk-e2e")
                .build()
                .map_err(Error::sdk("building a KMS tag"))?,
        )
        .send()
        .await
        .map_err(Error::sdk(format!("CreateKey {description:?}")))?;
    let metadata = output
        .key_metadata
        .ok_or_else(|| Error::Invalid("CreateKey returned no KeyMetadata".into()))?;
    let arn = metadata
        .arn
        .ok_or_else(|| Error::Invalid("CreateKey returned no Arn".into()))?;
    Ok(Key {
        key_id: metadata.key_id,
        arn,
    })
}

/// Creates a multi-Region primary key (`mrk-` id) and a replica of it in each of
/// `replica_regions`: the primary, then the replicas (same key id, each Region's ARN).
pub async fn create_multi_region_key(
    kms: &aws_sdk_kms::Client,
    replica_regions: &[&str],
) -> Result<Vec<Key>> {
    let output = kms
        .create_key()
        .multi_region(true)
        .send()
        .await
        .map_err(Error::sdk("CreateKey MultiRegion"))?;
    let metadata = output
        .key_metadata
        .ok_or_else(|| Error::Invalid("CreateKey returned no KeyMetadata".into()))?;
    let primary = Key {
        arn: metadata
            .arn
            .ok_or_else(|| Error::Invalid("CreateKey returned no Arn".into()))?,
        key_id: metadata.key_id,
    };
    let mut keys = vec![primary.clone()];
    for region in replica_regions {
        let replica = kms
            .replicate_key()
            .key_id(&primary.key_id)
            .replica_region(*region)
            .send()
            .await
            .map_err(Error::sdk(format!("ReplicateKey to {region}")))?
            .replica_key_metadata
            .ok_or_else(|| Error::Invalid("ReplicateKey returned no metadata".into()))?;
        keys.push(Key {
            arn: replica
                .arn
                .ok_or_else(|| Error::Invalid("ReplicateKey returned no Arn".into()))?,
            key_id: replica.key_id,
        });
    }
    Ok(keys)
}

/// Creates alias `alias_name` (`alias/...`) for `key_id`.
pub async fn create_alias(kms: &aws_sdk_kms::Client, alias_name: &str, key_id: &str) -> Result<()> {
    kms.create_alias()
        .alias_name(alias_name)
        .target_key_id(key_id)
        .send()
        .await
        .map(drop)
        .map_err(Error::sdk(format!("CreateAlias {alias_name} -> {key_id}")))
}

/// Disables a key (KeyState Disabled).
pub async fn disable_key(kms: &aws_sdk_kms::Client, key_id: &str) -> Result<()> {
    kms.disable_key()
        .key_id(key_id)
        .send()
        .await
        .map(drop)
        .map_err(Error::sdk(format!("DisableKey {key_id}")))
}

/// Schedules a key's deletion in `days` (7-30; KeyState PendingDeletion).
pub async fn schedule_key_deletion(
    kms: &aws_sdk_kms::Client,
    key_id: &str,
    days: i32,
) -> Result<()> {
    kms.schedule_key_deletion()
        .key_id(key_id)
        .pending_window_in_days(days)
        .send()
        .await
        .map(drop)
        .map_err(Error::sdk(format!("ScheduleKeyDeletion {key_id}")))
}

/// Creates a secret (with its replicas, if any).
pub async fn create_secret(
    secretsmanager: &aws_sdk_secretsmanager::Client,
    secret: &NewSecret,
) -> Result<Secret> {
    let mut request = secretsmanager
        .create_secret()
        .name(&secret.name)
        .secret_string(&secret.secret_string)
        .set_kms_key_id(secret.kms_key_id.clone());
    for (key, value) in &secret.tags {
        request = request.tags(Tag::builder().key(key).value(value).build());
    }
    for (region, kms_key_id) in &secret.replicas {
        request = request.add_replica_regions(
            ReplicaRegionType::builder()
                .region(region)
                .set_kms_key_id(kms_key_id.clone())
                .build(),
        );
    }
    let output = request
        .send()
        .await
        .map_err(Error::sdk(format!("CreateSecret {}", secret.name)))?;
    let arn = output
        .arn
        .ok_or_else(|| Error::Invalid(format!("CreateSecret {} returned no ARN", secret.name)))?;
    Ok(Secret {
        name: output.name.unwrap_or_else(|| secret.name.clone()),
        arn,
    })
}

/// Creates `count` secrets named `{prefix}-{i:05}` (i from 0), the key of each chosen by
/// `key_for(i)` (`None`: default key), [`BULK_CONCURRENCY`] at a time. The result is in
/// index order.
pub async fn create_secrets<F>(
    secretsmanager: &aws_sdk_secretsmanager::Client,
    prefix: &str,
    count: usize,
    key_for: F,
) -> Result<Vec<Secret>>
where
    F: Fn(usize) -> Option<String>,
{
    let permits = Arc::new(Semaphore::new(BULK_CONCURRENCY));
    let mut tasks = JoinSet::new();
    for i in 0..count {
        let mut spec = NewSecret::named(format!("{prefix}-{i:05}"));
        spec.kms_key_id = key_for(i);
        let client = secretsmanager.clone();
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits
                .acquire_owned()
                .await
                .map_err(|_| Error::Invalid("the bulk-seeding semaphore closed".into()))?;
            create_secret(&client, &spec).await.map(|s| (i, s))
        });
    }
    let mut created: Vec<Option<Secret>> = vec![None; count];
    while let Some(joined) = tasks.join_next().await {
        let (i, secret) =
            joined.map_err(|e| Error::Invalid(format!("a seeding task failed: {e}")))??;
        if let Some(slot) = created.get_mut(i) {
            *slot = Some(secret);
        }
    }
    Ok(created.into_iter().flatten().collect())
}

/// Replicates an existing secret to `region` with `kms_key_id` (`None`: default key).
pub async fn replicate_secret(
    secretsmanager: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    region: &str,
    kms_key_id: Option<&str>,
) -> Result<()> {
    secretsmanager
        .replicate_secret_to_regions()
        .secret_id(secret_id)
        .add_replica_regions(
            ReplicaRegionType::builder()
                .region(region)
                .set_kms_key_id(kms_key_id.map(str::to_owned))
                .build(),
        )
        .send()
        .await
        .map(drop)
        .map_err(Error::sdk(format!(
            "ReplicateSecretToRegions {secret_id} -> {region}"
        )))
}

/// Changes a secret's key (`UpdateSecret --kms-key-id`).
pub async fn update_secret_key(
    secretsmanager: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    kms_key_id: &str,
) -> Result<()> {
    secretsmanager
        .update_secret()
        .secret_id(secret_id)
        .kms_key_id(kms_key_id)
        .send()
        .await
        .map(drop)
        .map_err(Error::sdk(format!(
            "UpdateSecret {secret_id} --kms-key-id {kms_key_id}"
        )))
}

/// Schedules a secret's deletion after `recovery_days` (7-30): it then has a
/// `DeletedDate` and is listed only with `IncludePlannedDeletion`.
pub async fn schedule_secret_deletion(
    secretsmanager: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    recovery_days: i64,
) -> Result<()> {
    secretsmanager
        .delete_secret()
        .secret_id(secret_id)
        .recovery_window_in_days(recovery_days)
        .send()
        .await
        .map(drop)
        .map_err(Error::sdk(format!(
            "DeleteSecret {secret_id} (recovery {recovery_days} days)"
        )))
}

/// Deletes a secret at once, without recovery.
pub async fn force_delete_secret(
    secretsmanager: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<()> {
    secretsmanager
        .delete_secret()
        .secret_id(secret_id)
        .force_delete_without_recovery(true)
        .send()
        .await
        .map(drop)
        .map_err(Error::sdk(format!("DeleteSecret {secret_id} (force)")))
}

/// The ARN of role `role_name` in `account_id`.
pub fn role_arn(account_id: &str, role_name: &str) -> String {
    format!("arn:aws:iam::{account_id}:role/{role_name}")
}

/// Assumes `role_name` in `account_id` and returns its credentials. In the emulator the
/// role need not exist, and the credentials act in `account_id`: use them to seed and
/// to observe another account.
pub async fn assume_role(
    sts: &aws_sdk_sts::Client,
    account_id: &str,
    role_name: &str,
) -> Result<Credentials> {
    let arn = role_arn(account_id, role_name);
    let output = sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name("secrets-cmk-e2e")
        .send()
        .await
        .map_err(Error::sdk(format!("AssumeRole {arn}")))?;
    let credentials = output
        .credentials
        .ok_or_else(|| Error::Invalid(format!("AssumeRole {arn} returned no credentials")))?;
    Ok(Credentials {
        access_key_id: credentials.access_key_id,
        secret_access_key: credentials.secret_access_key,
        session_token: Some(credentials.session_token),
    })
}

/// The account the credentials of `sts` act in (GetCallerIdentity).
pub async fn caller_account(sts: &aws_sdk_sts::Client) -> Result<String> {
    sts.get_caller_identity()
        .send()
        .await
        .map_err(Error::sdk("GetCallerIdentity"))?
        .account
        .ok_or_else(|| Error::Invalid("GetCallerIdentity returned no Account".into()))
}
