//! Changing a secret's KMS key, for the CLI's `remediate` and `backout`: the one write the
//! project makes, the pre-checks that keep it safe, and the pacing that keeps it under
//! UpdateSecret's quotas.
//!
//! The pre-checks mirror the SSM runbook `SecretsCmk-RekeySecret`: a target key must be
//! customer managed, Enabled, and in the secret's Region (KMS keys are regional; a secret
//! can only use a key of its own Region). Checking first and changing nothing when a check
//! fails matters: UpdateSecret with a disabled or missing key can leave a secret whose
//! versions nobody can decrypt.
//!
//! # Restoring the default key
//!
//! A secret on the default key has no `KmsKeyId`. To put it back there, UpdateSecret is
//! called with an *empty* `KmsKeyId` ([`DEFAULT_KEY_REQUEST`]). The UpdateSecret API
//! reference documents exactly this: "If you set this to an empty string, Secrets Manager
//! uses the AWS managed key aws/secretsmanager" (the model allows 0..2048 characters, and
//! the SDK sends the empty string as given). The alternative, `alias/aws/secretsmanager`,
//! names the same key but is stored verbatim, so DescribeSecret would then show a
//! `KmsKeyId` the secret did not have before: the empty string restores the previous state
//! exactly. (The SSM restore runbook passes the alias instead only because an Automation
//! parameter cannot be empty.)

use crate::calls::{ApiCalls, op};
use crate::error::AwsError;
use crate::keys::KeyDirectory;
use aws_sdk_secretsmanager::Client;
use rule_core::{
    KeyDescription, KeyRef, RuleParameters, Scope, problem_after_lookup, problem_before_lookup,
};
pub use rule_core::{KeyProblem, KeyUse};
use std::future::Future;
use std::time::Duration;

/// The `KmsKeyId` UpdateSecret is sent to put a secret back on the default key
/// (aws/secretsmanager): the empty string, as the API reference documents (see the
/// module documentation for why not the alias).
pub const DEFAULT_KEY_REQUEST: &str = "";

/// The alias of the AWS managed key Secrets Manager uses by default.
pub const DEFAULT_KEY_ALIAS: &str = "alias/aws/secretsmanager";

/// The least time between two UpdateSecret calls of one run: 10 per second. The quota is
/// 50 TPS per account and Region, shared with every other caller (rotation, deployments),
/// so a bulk re-key takes a fifth of it.
pub const UPDATE_SECRET_INTERVAL: Duration = Duration::from_millis(100);

/// The Secrets Manager capability remediation needs: change a secret's key. Nothing else
/// (no secret value is ever read or written).
pub trait SecretKeyChanger {
    /// UpdateSecret with only `KmsKeyId`: `Some(key)` moves the secret to that key (any
    /// form: key id, key ARN, alias name, alias ARN); `None` puts it back on the default
    /// key. Secrets Manager re-encrypts the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions.
    fn update_kms_key(
        &self,
        secret_id: &str,
        kms_key_id: Option<&str>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// [`SecretKeyChanger`] over the real Secrets Manager client of one account and Region.
#[derive(Debug, Clone)]
pub struct SecretsManagerKeyChanger {
    client: Client,
    calls: ApiCalls,
}

impl SecretsManagerKeyChanger {
    /// Wrap a client; calls are counted in `calls`.
    pub fn new(client: Client, calls: ApiCalls) -> SecretsManagerKeyChanger {
        SecretsManagerKeyChanger { client, calls }
    }

    /// A changer over a new client made from `config`.
    pub fn from_config(
        config: &aws_config::SdkConfig,
        calls: ApiCalls,
    ) -> SecretsManagerKeyChanger {
        SecretsManagerKeyChanger::new(Client::new(config), calls)
    }
}

impl SecretKeyChanger for SecretsManagerKeyChanger {
    async fn update_kms_key(
        &self,
        secret_id: &str,
        kms_key_id: Option<&str>,
    ) -> Result<(), AwsError> {
        self.calls.record(op::UPDATE_SECRET);
        self.client
            .update_secret()
            .secret_id(secret_id)
            .kms_key_id(kms_key_id.unwrap_or(DEFAULT_KEY_REQUEST))
            .send()
            .await
            .map(drop)
            .map_err(|e| AwsError::from_sdk(op::UPDATE_SECRET, e))
    }
}

/// Whether a stored `KmsKeyId` means the default key: absent, empty, or the
/// aws/secretsmanager alias (as a name or an alias ARN).
pub fn is_default_key(kms_key_id: Option<&str>) -> bool {
    match kms_key_id.map(str::trim) {
        None | Some("") => true,
        Some(key) => key == DEFAULT_KEY_ALIAS || key.ends_with(&format!(":{DEFAULT_KEY_ALIAS}")),
    }
}

/// Check that `key` may be used, for `purpose`, by a secret living in `scope`: the pure
/// checks of rule-core's remediation table first (no call for an `alias/aws/...`
/// target, a key of another Region or of an untrusted account), then one DescribeKey
/// (the reference qualified into the secret's account and Region, as KMS would resolve
/// it for the secret). The description of the resolved key on success.
///
/// For [`KeyUse::Restore`], the caller handles the default key and `alias/aws/...` before
/// calling: they are restored without a lookup.
pub async fn check_key<K: KeyDirectory + Sync>(
    key: &KeyRef,
    scope: &Scope,
    params: &RuleParameters,
    directory: &K,
    purpose: KeyUse,
) -> Result<KeyDescription, KeyProblem> {
    if let Some(problem) = problem_before_lookup(key, scope, params, purpose) {
        return Err(problem);
    }
    let lookup = directory.describe_key(&key.qualify(scope)).await;
    problem_after_lookup(key, scope, lookup, purpose)
}

/// Spaces UpdateSecret calls at least `interval` apart (a simple interval limiter: one
/// run is one caller, so no token bucket is needed).
#[derive(Debug)]
pub struct UpdatePacer {
    interval: Duration,
    next: Option<tokio::time::Instant>,
}

impl UpdatePacer {
    /// A pacer whose first call goes at once.
    pub fn new(interval: Duration) -> UpdatePacer {
        UpdatePacer {
            interval,
            next: None,
        }
    }

    /// Wait until the next call may go, and book the slot after it.
    pub async fn wait(&mut self) {
        if let Some(next) = self.next {
            tokio::time::sleep_until(next).await;
        }
        self.next = Some(tokio::time::Instant::now() + self.interval);
    }
}

impl Default for UpdatePacer {
    /// Paced at [`UPDATE_SECRET_INTERVAL`].
    fn default() -> UpdatePacer {
        UpdatePacer::new(UPDATE_SECRET_INTERVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_secretsmanager::operation::update_secret::{UpdateSecretError, UpdateSecretOutput};
    use aws_smithy_mocks::{mock, mock_client};
    use rule_core::{KeyLookup, KeyManager, KeyState, QualifiedKeyRef};
    use std::collections::HashMap;

    const KEY_ARN: &str =
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn scope() -> Scope {
        Scope {
            partition: "aws".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
        }
    }

    /// DescribeKey answers from a map; anything else is NotFound. Counts calls.
    #[derive(Default)]
    struct FakeKeys {
        answers: HashMap<String, KeyLookup>,
        calls: std::sync::Mutex<Vec<String>>,
    }

    impl FakeKeys {
        fn with(mut self, qualified: &str, lookup: KeyLookup) -> FakeKeys {
            self.answers.insert(qualified.to_owned(), lookup);
            self
        }
        fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }
    }

    impl KeyDirectory for FakeKeys {
        async fn describe_key(&self, key: &QualifiedKeyRef) -> KeyLookup {
            self.calls.lock().unwrap().push(key.to_string());
            self.answers
                .get(key.as_str())
                .cloned()
                .unwrap_or(KeyLookup::NotFound)
        }
    }

    fn described(manager: KeyManager, state: KeyState) -> KeyLookup {
        KeyLookup::Described(KeyDescription {
            arn: KEY_ARN.into(),
            manager,
            state,
        })
    }

    #[tokio::test]
    async fn a_customer_managed_enabled_key_of_the_region_passes() {
        // GIVEN an alias that resolves, in the secret's account and Region, to a usable CMK
        let keys = FakeKeys::default().with(
            "arn:aws:kms:eu-west-1:111122223333:alias/app",
            described(KeyManager::Customer, KeyState::Enabled),
        );
        // WHEN it is checked as a target
        let checked = check_key(
            &KeyRef::parse("alias/app").unwrap(),
            &scope(),
            &RuleParameters::default(),
            &keys,
            KeyUse::Target,
        )
        .await;
        // THEN it passes with the resolved ARN, after one DescribeKey in the secret's scope
        assert_eq!(checked.unwrap().arn, KEY_ARN);
        assert_eq!(
            keys.calls(),
            ["arn:aws:kms:eu-west-1:111122223333:alias/app"]
        );
    }

    #[tokio::test]
    async fn unsafe_targets_are_refused_with_a_reason() {
        let keys = FakeKeys::default()
            .with(KEY_ARN, described(KeyManager::Aws, KeyState::Enabled))
            .with(
                "arn:aws:kms:eu-west-1:111122223333:alias/off",
                described(KeyManager::Customer, KeyState::Disabled),
            )
            .with(
                "arn:aws:kms:eu-west-1:111122223333:alias/denied",
                KeyLookup::AccessDenied,
            );
        let check = |key: &str| {
            let key = KeyRef::parse(key).unwrap();
            let keys = &keys;
            async move {
                check_key(
                    &key,
                    &scope(),
                    &RuleParameters::default(),
                    keys,
                    KeyUse::Target,
                )
                .await
                .unwrap_err()
            }
        };

        // GIVEN/WHEN/THEN: the aws/ alias is refused without a lookup
        assert!(matches!(
            check("alias/aws/secretsmanager").await,
            KeyProblem::AwsManagedAlias { .. }
        ));
        assert!(
            keys.calls().is_empty(),
            "DescribeKey on alias/aws/* can create the key"
        );
        // a key ARN of another Region is refused without a lookup
        let other =
            check("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                .await;
        assert!(
            other
                .to_string()
                .contains("is in us-east-1, the secret is in eu-west-1"),
            "{other}"
        );
        assert!(keys.calls().is_empty());
        // an AWS managed key by its ARN, a disabled key, a missing one, a denied one
        assert!(matches!(
            check(KEY_ARN).await,
            KeyProblem::AwsManaged { .. }
        ));
        let disabled = check("alias/off").await;
        assert!(
            disabled.to_string().contains("is Disabled, not Enabled"),
            "{disabled}"
        );
        assert!(matches!(
            check("alias/nope").await,
            KeyProblem::NotFound { .. }
        ));
        assert!(matches!(
            check("alias/denied").await,
            KeyProblem::AccessDenied { .. }
        ));
    }

    #[tokio::test]
    async fn a_restored_key_may_be_aws_managed_but_must_be_enabled() {
        // GIVEN an AWS managed key named by its ARN, and a disabled customer key
        let keys = FakeKeys::default()
            .with(KEY_ARN, described(KeyManager::Aws, KeyState::Enabled))
            .with(
                "arn:aws:kms:eu-west-1:111122223333:alias/off",
                described(KeyManager::Customer, KeyState::PendingDeletion),
            );
        // WHEN they are checked for a restore
        let aws = check_key(
            &KeyRef::parse(KEY_ARN).unwrap(),
            &scope(),
            &RuleParameters::default(),
            &keys,
            KeyUse::Restore,
        )
        .await;
        let off = check_key(
            &KeyRef::parse("alias/off").unwrap(),
            &scope(),
            &RuleParameters::default(),
            &keys,
            KeyUse::Restore,
        )
        .await;
        // THEN the AWS managed key may be restored, the unusable one not
        assert!(aws.is_ok());
        assert!(matches!(off, Err(KeyProblem::NotEnabled { .. })));
    }

    #[tokio::test]
    async fn restoring_the_default_key_sends_an_empty_kms_key_id() {
        // GIVEN UpdateSecret that only accepts an empty KmsKeyId
        let rule = mock!(Client::update_secret)
            .match_requests(|r| r.secret_id() == Some("db") && r.kms_key_id() == Some(""))
            .then_output(|| UpdateSecretOutput::builder().build());
        let calls = ApiCalls::new();
        let changer = SecretsManagerKeyChanger::new(
            mock_client!(aws_sdk_secretsmanager, [&rule]),
            calls.clone(),
        );
        // WHEN the default key is restored
        changer.update_kms_key("db", None).await.unwrap();
        // THEN the call went out once and was counted
        assert_eq!(rule.num_calls(), 1);
        assert_eq!(calls.count(op::UPDATE_SECRET), 1);
    }

    #[tokio::test]
    async fn a_failed_update_names_the_operation() {
        // GIVEN UpdateSecret answers AccessDenied
        let rule = mock!(Client::update_secret).then_error(|| {
            UpdateSecretError::generic(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("no kms:Encrypt")
                    .build(),
            )
        });
        let changer = SecretsManagerKeyChanger::new(
            mock_client!(aws_sdk_secretsmanager, [&rule]),
            ApiCalls::new(),
        );
        // WHEN a key is changed
        let err = changer
            .update_kms_key("db", Some(KEY_ARN))
            .await
            .unwrap_err();
        // THEN the error is classified and says which call failed
        assert_eq!(err.kind, crate::FailureKind::AccessDenied);
        assert!(
            err.to_string()
                .starts_with("secretsmanager:UpdateSecret failed"),
            "{err}"
        );
    }

    #[test]
    fn default_key_spellings() {
        for default in [None, Some(""), Some("alias/aws/secretsmanager")] {
            assert!(is_default_key(default), "{default:?}");
        }
        assert!(is_default_key(Some(
            "arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager"
        )));
        assert!(!is_default_key(Some("alias/app")));
        assert!(!is_default_key(Some(KEY_ARN)));
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_spaces_calls_by_the_interval() {
        // GIVEN a pacer of 100 ms
        let mut pacer = UpdatePacer::new(Duration::from_millis(100));
        let start = tokio::time::Instant::now();
        // WHEN three calls are paced
        pacer.wait().await;
        let first = start.elapsed();
        pacer.wait().await;
        pacer.wait().await;
        // THEN the first goes at once and the third 200 ms later
        assert_eq!(first, Duration::ZERO);
        assert_eq!(start.elapsed(), Duration::from_millis(200));
    }
}
