//! The fake KMS: [`KeyDirectory`] (DescribeKey) answering per qualified reference, and
//! [`KeyUsage`] (the `DryRun` probe) answering per key.
//!
//! DescribeKey answers what was scripted for the exact qualified reference (a key ARN
//! or an alias ARN), NotFound for anything else. An alias added with
//! [`FakeAws::add_alias`] answers what its key answers at the time of the call, so
//! re-pointing an alias or disabling its key is seen by the next lookup. Like the real
//! adapter, an `alias/aws/...` reference is refused without an answer (that call can
//! create the AWS managed key); the attempt is still logged, so a test can assert it
//! never happens.

use super::FakeAws;
use crate::calls::op;
use crate::key_use::{KeyUsage, KeyUseProbe};
use crate::keys::KeyDirectory;
use rule_core::{KeyLookup, QualifiedKeyRef};
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum KeyEntry {
    /// DescribeKey answers this.
    Lookup(KeyLookup),
    /// An alias: DescribeKey answers what it answers for this key ARN.
    Alias(String),
}

/// The KMS part of a [`FakeAws`].
#[derive(Debug, Default)]
pub(super) struct KeysState {
    keys: HashMap<String, KeyEntry>,
    probes: HashMap<String, KeyUseProbe>,
}

impl KeysState {
    fn lookup(&self, qualified: &str) -> KeyLookup {
        match self.keys.get(qualified) {
            Some(KeyEntry::Lookup(lookup)) => lookup.clone(),
            Some(KeyEntry::Alias(target)) => match self.keys.get(target) {
                Some(KeyEntry::Lookup(lookup)) => lookup.clone(),
                // An alias of an alias is not a thing KMS has.
                Some(KeyEntry::Alias(_)) | None => KeyLookup::NotFound,
            },
            None => KeyLookup::NotFound,
        }
    }
}

impl FakeAws {
    /// What DescribeKey answers for the qualified reference `qualified` (a key ARN or an
    /// alias ARN): Described, NotFound, AccessDenied or Failed.
    pub fn add_key(&self, qualified: &str, lookup: KeyLookup) {
        self.state()
            .keys
            .keys
            .insert(qualified.to_owned(), KeyEntry::Lookup(lookup));
    }

    /// The key `key_arn` is an Enabled customer managed key.
    pub fn add_cmk(&self, key_arn: &str) {
        self.add_key(key_arn, super::cmk(key_arn));
    }

    /// The alias `alias_arn` points at the key `key_arn` (again, if it pointed elsewhere).
    pub fn add_alias(&self, alias_arn: &str, key_arn: &str) {
        self.state()
            .keys
            .keys
            .insert(alias_arn.to_owned(), KeyEntry::Alias(key_arn.to_owned()));
    }

    /// What the KMS dry runs answer for the key `key_arn` (without a script: Allowed).
    pub fn set_probe(&self, key_arn: &str, probe: KeyUseProbe) {
        self.state().keys.probes.insert(key_arn.to_owned(), probe);
    }
}

impl KeyDirectory for FakeAws {
    async fn describe_key(&self, key: &QualifiedKeyRef) -> KeyLookup {
        self.record(op::DESCRIBE_KEY, key.as_str());
        if key.is_aws_managed_alias() {
            return KeyLookup::Failed {
                reason: format!("refused to call DescribeKey on the AWS managed alias {key}"),
            };
        }
        self.state().keys.lookup(key.as_str())
    }
}

impl KeyUsage for FakeAws {
    async fn probe_encrypt(&self, key: &QualifiedKeyRef) -> KeyUseProbe {
        // As the real probe: GenerateDataKey first, Encrypt only when that one passed.
        self.record(op::GENERATE_DATA_KEY, key.as_str());
        let probe = self
            .state()
            .keys
            .probes
            .get(key.as_str())
            .cloned()
            .unwrap_or(KeyUseProbe::Allowed);
        if probe == KeyUseProbe::Allowed {
            self.record(op::ENCRYPT, key.as_str());
        }
        probe
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ACCOUNT, REGION, alias_arn, described, key_arn};
    use super::*;
    use rule_core::{KeyManager, KeyRef, KeyState, Scope};

    const K: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const DENIED: &str = "0987dcba-09fe-87dc-65ba-ab0987654321";

    fn qualified(key: &str) -> QualifiedKeyRef {
        KeyRef::parse(key).unwrap().qualify(&Scope {
            partition: "aws".into(),
            account: ACCOUNT.into(),
            region: REGION.into(),
        })
    }

    #[tokio::test]
    async fn describe_key_answers_per_qualified_reference_and_follows_aliases() {
        // GIVEN a CMK, an alias of it, a denied key
        let aws = FakeAws::new();
        let key = key_arn(K);
        aws.add_cmk(&key);
        aws.add_alias(&alias_arn("app"), &key);
        aws.add_key(&key_arn(DENIED), KeyLookup::AccessDenied);
        // WHEN/THEN the alias answers its key, re-pointed or disabled as it is now
        assert_eq!(
            aws.describe_key(&qualified("alias/app")).await,
            super::super::cmk(&key)
        );
        aws.add_key(
            &key,
            described(&key, KeyManager::Customer, KeyState::Disabled),
        );
        assert!(matches!(
            aws.describe_key(&qualified("alias/app")).await,
            KeyLookup::Described(d) if d.state == KeyState::Disabled
        ));
        assert_eq!(
            aws.describe_key(&qualified(&key_arn(DENIED))).await,
            KeyLookup::AccessDenied
        );
        assert_eq!(
            aws.describe_key(&qualified("alias/none")).await,
            KeyLookup::NotFound
        );
        // AND an aws/ alias is refused, its attempt logged
        assert!(matches!(
            aws.describe_key(&qualified("alias/aws/secretsmanager"))
                .await,
            KeyLookup::Failed { .. }
        ));
        assert_eq!(aws.calls_of(op::DESCRIBE_KEY), 5);
    }

    #[tokio::test]
    async fn the_probe_answers_per_key_allowed_by_default() {
        let aws = FakeAws::new();
        let denied = key_arn(DENIED);
        aws.set_probe(&denied, KeyUseProbe::Denied("no".into()));
        assert_eq!(
            aws.probe_encrypt(&qualified(&key_arn(K))).await,
            KeyUseProbe::Allowed
        );
        assert_eq!(
            aws.probe_encrypt(&qualified(&denied)).await,
            KeyUseProbe::Denied("no".into())
        );
        assert_eq!(
            (
                aws.calls_of(op::GENERATE_DATA_KEY),
                aws.calls_of(op::ENCRYPT)
            ),
            (2, 1)
        );
    }
}
