//! KMS: what DescribeKey says about a key reference, and a per-invocation cache so each
//! distinct reference is described at most once.

use crate::calls::{ApiCalls, op};
use crate::clients::in_region;
use crate::error::{AwsError, FailureKind};
use aws_config::SdkConfig;
use futures_util::stream::{self, StreamExt};
use rule_core::{KeyDescription, KeyFacts, KeyLookup, KeyManager, KeyState, QualifiedKeyRef};
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Mutex, PoisonError};

/// DescribeKey calls in flight at once while resolving a page's keys. A sweep's first
/// page carries nearly all its distinct keys (the cache answers later pages), and they
/// are decided while the next pages are listed: 16 at ~25 ms a call is at most ~640 a
/// second for a moment, a third of DescribeKey's quota (2,000 a second per account and
/// Region, shared with every other KMS caller: KMS developer guide, "Request quotas").
pub const LOOKUP_CONCURRENCY: usize = 16;

/// The KMS capability the rule needs: DescribeKey, nothing else (no Decrypt, no Encrypt).
pub trait KeyDirectory {
    /// What DescribeKey says about one reference. Failures are folded into the
    /// [`KeyLookup`] because each one means something different to the decision.
    fn describe_key(&self, key: &QualifiedKeyRef) -> impl Future<Output = KeyLookup> + Send;
}

/// [`KeyDirectory`] over the real KMS API, one client per region (a replica's key lives
/// in the replica's region, and KMS only answers for keys of its own region).
#[derive(Debug)]
pub struct KmsKeyDirectory {
    base: SdkConfig,
    clients: Mutex<HashMap<String, aws_sdk_kms::Client>>,
    calls: ApiCalls,
}

impl KmsKeyDirectory {
    /// Clients are made from `base` (credentials, retries, endpoint) on first use per region.
    pub fn new(base: SdkConfig, calls: ApiCalls) -> KmsKeyDirectory {
        KmsKeyDirectory {
            base,
            clients: Mutex::new(HashMap::new()),
            calls,
        }
    }

    /// Use `client` for keys in `region` (tests inject mocked clients this way).
    pub fn with_client(self, region: &str, client: aws_sdk_kms::Client) -> KmsKeyDirectory {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(region.to_owned(), client);
        self
    }

    /// The call counter the directory records into.
    pub(crate) fn calls(&self) -> &ApiCalls {
        &self.calls
    }

    /// The client for keys in `region`.
    pub(crate) fn client(&self, region: &str) -> aws_sdk_kms::Client {
        self.client_for(region)
    }

    fn client_for(&self, region: &str) -> aws_sdk_kms::Client {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients
            .entry(region.to_owned())
            .or_insert_with(|| aws_sdk_kms::Client::new(&in_region(&self.base, region)))
            .clone()
    }
}

impl KeyDirectory for KmsKeyDirectory {
    async fn describe_key(&self, key: &QualifiedKeyRef) -> KeyLookup {
        // Last line of defence for row 5: DescribeKey on an alias/aws/* name can create
        // the AWS managed key. rule-core never asks for one; refuse anyway.
        if key.is_aws_managed_alias() {
            return KeyLookup::Failed {
                reason: format!("refused to call DescribeKey on the AWS managed alias {key}"),
            };
        }
        self.calls.record(op::DESCRIBE_KEY);
        let client = self.client_for(key.region());
        match client.describe_key().key_id(key.as_str()).send().await {
            Ok(output) => key_lookup_from_metadata(key, output.key_metadata()),
            Err(err) => lookup_failure(key, self.calls.failed(op::DESCRIBE_KEY, err)),
        }
    }
}

fn key_lookup_from_metadata(
    key: &QualifiedKeyRef,
    metadata: Option<&aws_sdk_kms::types::KeyMetadata>,
) -> KeyLookup {
    let Some(metadata) = metadata else {
        return KeyLookup::Failed {
            reason: format!("DescribeKey for {key} returned no KeyMetadata"),
        };
    };
    let manager = metadata
        .key_manager()
        .and_then(|m| KeyManager::parse(m.as_str()));
    let (Some(arn), Some(manager)) = (metadata.arn(), manager) else {
        return KeyLookup::Failed {
            reason: format!("DescribeKey for {key} returned no Arn or no known KeyManager"),
        };
    };
    let state = metadata
        .key_state()
        .map(|s| KeyState::parse(s.as_str()))
        .unwrap_or_else(|| KeyState::Other("unknown".to_owned()));
    KeyLookup::Described(KeyDescription {
        arn: arn.to_owned(),
        manager,
        state,
    })
}

fn lookup_failure(key: &QualifiedKeyRef, err: AwsError) -> KeyLookup {
    match err.kind {
        FailureKind::NotFound => KeyLookup::NotFound,
        FailureKind::AccessDenied => KeyLookup::AccessDenied,
        _ => KeyLookup::Failed {
            reason: format!("DescribeKey for {key}: {err}"),
        },
    }
}

/// The key facts gathered so far in one invocation, by qualified reference.
#[derive(Debug, Default, Clone)]
pub struct KeyCache {
    known: HashMap<QualifiedKeyRef, KeyLookup>,
}

impl KeyCache {
    /// An empty cache.
    pub fn new() -> KeyCache {
        KeyCache::default()
    }

    /// Describe every reference not yet known, a few at a time; known ones cost nothing.
    pub async fn resolve<K: KeyDirectory + Sync>(
        &mut self,
        directory: &K,
        references: impl IntoIterator<Item = QualifiedKeyRef>,
    ) {
        let missing: BTreeSet<QualifiedKeyRef> = references
            .into_iter()
            .filter(|r| !self.known.contains_key(r))
            .collect();
        let found: Vec<(QualifiedKeyRef, KeyLookup)> = stream::iter(missing)
            .map(|reference| async move {
                let lookup = directory.describe_key(&reference).await;
                (reference, lookup)
            })
            .buffer_unordered(LOOKUP_CONCURRENCY)
            .collect()
            .await;
        self.known.extend(found);
    }

    /// How many distinct references have been described.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether nothing has been described yet.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }
}

impl KeyFacts for KeyCache {
    fn lookup(&self, key: &QualifiedKeyRef) -> Option<&KeyLookup> {
        self.known.get(key)
    }
}
