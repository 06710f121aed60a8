//! The facts the caller gathers before the core decides.
//!
//! The Lambda and the CLI read secrets (ListSecrets, DescribeSecret, a configuration
//! item) and describe keys (DescribeKey); this module is the shape of what they learned.
//! Keeping facts separate from decisions is what lets every row of the decision table be
//! tested without AWS.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use chrono::{DateTime, Utc};

use crate::key_ref::{QualifiedKeyRef, Scope};

/// A resource tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The tag key (case-sensitive).
    pub key: String,
    /// The tag value.
    pub value: String,
}

impl Tag {
    /// A tag from its key and value.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// One replica of a secret, as DescribeSecret's `ReplicationStatus` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaFacts {
    /// The replica's region.
    pub region: String,
    /// The replica's key as reported; `None` or `""` means the default key.
    pub kms_key_id: Option<String>,
    /// The replication status (`InSync`, `Failed`, `InProgress`), when reported.
    pub status: Option<String>,
}

/// Everything the decision needs to know about one secret, apart from its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretFacts {
    /// The secret ARN.
    pub arn: String,
    /// The ComplianceResourceId to report: the secret ARN for periodic runs, the
    /// configuration item's `resourceId` for change events.
    pub resource_id: String,
    /// The secret name.
    pub name: String,
    /// Where the secret lives: bare key ids and alias names resolve here.
    pub scope: Scope,
    /// The key exactly as stored (`None` or `""` = the default key aws/secretsmanager);
    /// may be a key id, key ARN, alias name or alias ARN, or garbage.
    pub kms_key_id: Option<String>,
    /// Set when the secret is scheduled for deletion.
    pub deleted_date: Option<DateTime<Utc>>,
    /// The service that manages the secret (e.g. `rds`), if any.
    pub owning_service: Option<String>,
    /// The secret's tags.
    pub tags: Vec<Tag>,
    /// `None`: replica details unknown (not fetched); `Some`: known (possibly empty).
    pub replicas: Option<Vec<ReplicaFacts>>,
}

impl SecretFacts {
    /// The first tag with exactly this key.
    pub fn tag(&self, key: &str) -> Option<&Tag> {
        self.tags.iter().find(|tag| tag.key == key)
    }
}

/// Who manages a KMS key, as DescribeKey's `KeyManager` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyManager {
    /// An AWS managed key (e.g. the one behind `alias/aws/secretsmanager`).
    Aws,
    /// A customer managed key.
    Customer,
}

impl KeyManager {
    /// From the API spelling `AWS` or `CUSTOMER`; `None` for anything else, so that an
    /// unexpected value is never silently taken for either.
    pub fn parse(s: &str) -> Option<KeyManager> {
        match s {
            "AWS" => Some(KeyManager::Aws),
            "CUSTOMER" => Some(KeyManager::Customer),
            _ => None,
        }
    }

    /// The API spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyManager::Aws => "AWS",
            KeyManager::Customer => "CUSTOMER",
        }
    }
}

/// A KMS key's `KeyState`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// Usable.
    Enabled,
    /// Disabled: the secret cannot be read until the key is enabled.
    Disabled,
    /// Scheduled for deletion: the secret will become unreadable.
    PendingDeletion,
    /// Waiting for imported key material: not usable.
    PendingImport,
    /// A multi-Region replica key pending deletion.
    PendingReplicaDeletion,
    /// The custom key store is disconnected: not usable.
    Unavailable,
    /// A multi-Region replica key being created.
    Creating,
    /// A multi-Region key being updated.
    Updating,
    /// A state this code does not know, kept verbatim.
    Other(String),
}

impl KeyState {
    /// From the API spelling; unknown spellings are kept as [`KeyState::Other`].
    pub fn parse(s: &str) -> KeyState {
        match s {
            "Enabled" => KeyState::Enabled,
            "Disabled" => KeyState::Disabled,
            "PendingDeletion" => KeyState::PendingDeletion,
            "PendingImport" => KeyState::PendingImport,
            "PendingReplicaDeletion" => KeyState::PendingReplicaDeletion,
            "Unavailable" => KeyState::Unavailable,
            "Creating" => KeyState::Creating,
            "Updating" => KeyState::Updating,
            other => KeyState::Other(other.to_owned()),
        }
    }

    /// The API spelling.
    pub fn as_str(&self) -> &str {
        match self {
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingImport => "PendingImport",
            KeyState::PendingReplicaDeletion => "PendingReplicaDeletion",
            KeyState::Unavailable => "Unavailable",
            KeyState::Creating => "Creating",
            KeyState::Updating => "Updating",
            KeyState::Other(other) => other,
        }
    }
}

/// What DescribeKey said about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription {
    /// The resolved key ARN (an alias resolves to its target key).
    pub arn: String,
    /// Who manages the key.
    pub manager: KeyManager,
    /// The key's state.
    pub state: KeyState,
}

/// What DescribeKey told us about one qualified key reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookup {
    /// The key was described.
    Described(KeyDescription),
    /// `NotFoundException`: the key or alias does not exist.
    NotFound,
    /// `AccessDeniedException`.
    AccessDenied,
    /// Throttling or 5xx after retries, or anything else unexpected.
    Failed {
        /// Why, for the error that names the skipped secret.
        reason: String,
    },
}

/// Lookup results by qualified reference, as gathered by the caller.
pub trait KeyFacts {
    /// The result for one reference; `None` when it was not looked up.
    fn lookup(&self, key: &QualifiedKeyRef) -> Option<&KeyLookup>;
}

impl<S: BuildHasher> KeyFacts for HashMap<QualifiedKeyRef, KeyLookup, S> {
    fn lookup(&self, key: &QualifiedKeyRef) -> Option<&KeyLookup> {
        self.get(key)
    }
}

impl KeyFacts for BTreeMap<QualifiedKeyRef, KeyLookup> {
    fn lookup(&self, key: &QualifiedKeyRef) -> Option<&KeyLookup> {
        self.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_states_round_trip_and_unknown_ones_are_kept() {
        // GIVEN every documented KeyState spelling and one unknown
        for s in [
            "Enabled",
            "Disabled",
            "PendingDeletion",
            "PendingImport",
            "PendingReplicaDeletion",
            "Unavailable",
            "Creating",
            "Updating",
            "Frozen",
        ] {
            // WHEN parsed / THEN it prints back the same
            assert_eq!(KeyState::parse(s).as_str(), s);
        }
        assert_eq!(KeyState::parse("Frozen"), KeyState::Other("Frozen".into()));
        // AND spelling is exact: a lowercase state is not Enabled
        assert_ne!(KeyState::parse("enabled"), KeyState::Enabled);
    }

    #[test]
    fn key_manager_parses_only_api_spellings() {
        assert_eq!(KeyManager::parse("AWS"), Some(KeyManager::Aws));
        assert_eq!(KeyManager::parse("CUSTOMER"), Some(KeyManager::Customer));
        assert_eq!(KeyManager::parse("customer"), None);
        assert_eq!(KeyManager::parse(""), None);
        assert_eq!(KeyManager::Customer.as_str(), "CUSTOMER");
    }
}
