//! What `remediate` and `backout` share: the AWS capabilities a key change uses, what a
//! stored key reference *is* (one way to answer "is this secret on that key?"), and the
//! read-back that verifies a change.

use crate::error::CliError;
use crate::output::key_label;
use rule_core::{KeyFacts, KeyLookup, KeyRef, Scope, same_key_arn};
use secrets_cmk_aws::clients::in_region;
use secrets_cmk_aws::remediation::is_default_key;
use secrets_cmk_aws::{
    ApiCalls, KeyCache, KeyDirectory, KmsKeyDirectory, SdkConfig, SecretStore,
    SecretsManagerKeyChanger, SecretsManagerStore, UpdatePacer,
};
use std::path::Path;
use std::time::Duration;

/// DescribeSecret attempts to see a change (AWS's answer can briefly lag the write).
pub const VERIFY_ATTEMPTS: u32 = 3;
/// Wait between verification attempts.
pub const VERIFY_DELAY: Duration = Duration::from_secs(1);

/// The AWS capabilities `remediate` and `backout` use, in one account and Region.
#[derive(Debug)]
pub struct Services<S, K, C> {
    /// ListSecrets, DescribeSecret.
    pub store: S,
    /// DescribeKey (and, for `remediate`'s advice, dry runs).
    pub keys: K,
    /// UpdateSecret.
    pub changer: C,
}

/// The real services.
pub type AwsServices = Services<SecretsManagerStore, KmsKeyDirectory, SecretsManagerKeyChanger>;

impl AwsServices {
    /// Clients for `region`, built from the base configuration.
    pub fn for_region(base: &SdkConfig, region: &str, calls: &ApiCalls) -> AwsServices {
        let config = in_region(base, region);
        Services {
            store: SecretsManagerStore::from_config(&config, calls.clone()),
            changer: SecretsManagerKeyChanger::from_config(&config, calls.clone()),
            keys: KmsKeyDirectory::new(config, calls.clone()),
        }
    }
}

/// Runs `work` over the real services of `region`, writing to stdout, then clears the
/// progress line and logs the API calls `command` made.
pub async fn with_aws_services(
    base: &SdkConfig,
    region: &str,
    command: &str,
    progress: &crate::term::Progress,
    work: impl AsyncFnOnce(
        &AwsServices,
        &mut UpdatePacer,
        &mut dyn std::io::Write,
    ) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let calls = ApiCalls::new();
    let services = AwsServices::for_region(base, region, &calls);
    let result = work(
        &services,
        &mut UpdatePacer::default(),
        &mut std::io::stdout(),
    )
    .await;
    progress.clear();
    tracing::info!(calls = ?calls.snapshot(), "{command} done");
    result
}

/// What a stored `KmsKeyId` names, resolved: the one answer to "is the secret on key X?"
/// for every check of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredKey {
    /// The default key aws/secretsmanager (no KmsKeyId, an empty one, or its alias).
    Default,
    /// Another `alias/aws/...` key, never described (that call can create the key).
    AwsAlias(String),
    /// A key ARN: as stored, qualified from a key id, or an alias resolved by DescribeKey.
    Key(String),
    /// What it names could not be learned; the reason says why.
    Unresolved(String),
}

impl StoredKey {
    /// Whether this is the key with ARN `key_arn`.
    pub fn is_key(&self, key_arn: &str) -> bool {
        matches!(self, StoredKey::Key(arn) if same_key_arn(arn, key_arn))
    }

    /// The key ARN, when known.
    pub fn arn(&self) -> Option<&str> {
        match self {
            StoredKey::Key(arn) => Some(arn),
            _ => None,
        }
    }
}

/// Resolve a stored reference in the secret's `scope`: key ids and ARNs without a call,
/// an alias with one DescribeKey (through `cache`, so each alias is described once).
pub async fn resolve_stored<K: KeyDirectory + Sync>(
    stored: Option<&str>,
    scope: &Scope,
    keys: &K,
    cache: &mut KeyCache,
) -> StoredKey {
    if is_default_key(stored) {
        return StoredKey::Default;
    }
    let text = stored.unwrap_or_default().trim();
    let key = match KeyRef::parse(text) {
        Ok(key) => key,
        Err(e) => return StoredKey::Unresolved(e.to_string()),
    };
    if key.is_aws_managed_alias() {
        return StoredKey::AwsAlias(text.to_owned());
    }
    let qualified = key.qualify(scope);
    if !key.is_alias() {
        return StoredKey::Key(qualified.to_string());
    }
    cache.resolve(keys, [qualified.clone()]).await;
    match cache.lookup(&qualified) {
        Some(KeyLookup::Described(described)) => StoredKey::Key(described.arn.clone()),
        Some(KeyLookup::NotFound) => {
            StoredKey::Unresolved(format!("alias {qualified} does not exist"))
        }
        Some(KeyLookup::AccessDenied) => {
            StoredKey::Unresolved(format!("DescribeKey on {qualified} was denied"))
        }
        Some(KeyLookup::Failed { reason }) => StoredKey::Unresolved(reason.clone()),
        None => StoredKey::Unresolved(format!("no DescribeKey result for {qualified}")),
    }
}

/// DescribeSecret until `expected` holds for the stored key, up to [`VERIFY_ATTEMPTS`]
/// times; the last observation as the error.
pub async fn verify_key<S: SecretStore + Sync>(
    store: &S,
    arn: &str,
    expected: impl Fn(Option<&str>) -> bool,
) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 1..=VERIFY_ATTEMPTS {
        match store.describe(arn).await {
            Ok(Some(facts)) => {
                let now = facts.kms_key_id.as_deref().filter(|k| !k.is_empty());
                if expected(now) {
                    return Ok(());
                }
                last = format!("DescribeSecret still shows {}", key_label(now));
            }
            Ok(None) => last = "the secret no longer exists".to_owned(),
            Err(e) => last = format!("DescribeSecret failed: {e}"),
        }
        if attempt < VERIFY_ATTEMPTS {
            tokio::time::sleep(VERIFY_DELAY).await;
        }
    }
    Err(format!(
        "UpdateSecret succeeded but the change is not verified: {last}"
    ))
}

/// A path as the user should see it: absolute when it can be made so.
pub fn display_path(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
