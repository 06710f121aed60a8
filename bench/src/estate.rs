//! The estate a benchmark sweeps, and the fewest API calls a sweep of it can make.
//!
//! N secrets over K customer-managed keys, every key reference form mixed in, plus
//! secrets on AWS-managed keys, a few multi-Region secrets and a few scheduled for
//! deletion. The plan is pure and deterministic (secret `i` always gets the same key),
//! so the minimum is computed from the plan, independently of the rule's code.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use secrets_cmk_harness::seed::{
    Key, NewSecret, Secret, create_alias, create_cmk, create_secret, replicate_secret,
    schedule_secret_deletion,
};
use secrets_cmk_harness::{Context, DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator};

use crate::error::{BenchError, Result};

/// The region replicas live in.
pub(crate) const REPLICA_REGION: &str = "us-west-2";

/// Secret names are `{SECRET_PREFIX}-{i:05}`.
pub(crate) const SECRET_PREFIX: &str = "bench";

/// The AWS-managed key of Secrets Manager, by alias name.
pub(crate) const AWS_MANAGED_ALIAS: &str = "alias/aws/secretsmanager";

/// Operations the minimum is stated in, in the order the results show them.
pub(crate) const OPERATIONS: [&str; 5] = [
    "ListSecrets",
    "DescribeKey",
    "DescribeSecret",
    "PutEvaluations",
    "GetComplianceDetailsByConfigRule",
];

/// The four ways a secret's `KmsKeyId` can name a customer-managed key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum KeyForm {
    /// The key id (a UUID).
    KeyId,
    /// The key ARN.
    KeyArn,
    /// `alias/NAME`.
    AliasName,
    /// The alias ARN.
    AliasArn,
}

impl KeyForm {
    /// Every form, in the order secrets cycle through them.
    pub(crate) const ALL: [KeyForm; 4] = [
        KeyForm::KeyId,
        KeyForm::KeyArn,
        KeyForm::AliasName,
        KeyForm::AliasArn,
    ];
}

/// What a secret's `KmsKeyId` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyChoice {
    /// No `KmsKeyId`: the default key (aws/secretsmanager). Decided without a lookup.
    Default,
    /// `alias/aws/secretsmanager` named explicitly. Decided without a lookup (row 5).
    AwsManagedAlias,
    /// The aws/secretsmanager key by its key ARN: only DescribeKey tells (row 6).
    AwsManagedKeyArn,
    /// Customer-managed key number `key` (0..K) named in `form`.
    Cmk {
        /// Which of the K keys.
        key: usize,
        /// How it is named.
        form: KeyForm,
    },
}

/// A replica's key, in [`REPLICA_REGION`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReplicaKey {
    /// That region's default key: the secret is NON_COMPLIANT (row 11).
    Default,
    /// A customer-managed key of that region, by key ARN.
    Cmk,
}

/// One secret of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SecretPlan {
    /// Its index (and name suffix).
    pub(crate) index: usize,
    /// Its key.
    pub(crate) key: KeyChoice,
    /// Its replica, if it is a multi-Region secret.
    pub(crate) replica: Option<ReplicaKey>,
    /// Whether it is scheduled for deletion (listed with `DeletedDate`).
    pub(crate) scheduled_for_deletion: bool,
}

/// A key lookup the rule has to make, by what it names once qualified: a key id and its
/// key ARN are one reference, an alias name and its alias ARN are one, but a key and
/// its alias are two (the rule cannot know they are the same key without asking).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum KeyReference {
    /// Customer-managed key `k` by key id or key ARN.
    CmkKey(usize),
    /// Customer-managed key `k` by alias name or alias ARN.
    CmkAlias(usize),
    /// The AWS-managed key by its key ARN.
    AwsManagedKey,
    /// The replica region's customer-managed key.
    ReplicaCmkKey,
}

/// The composition of an estate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EstatePlan {
    /// Customer-managed keys (K).
    pub(crate) keys: usize,
    /// Every secret, by index.
    pub(crate) secrets: Vec<SecretPlan>,
}

/// Counts that describe an estate in the results.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Composition {
    /// All secrets (N).
    pub(crate) secrets: usize,
    /// Secrets on one of the K customer-managed keys, by each form.
    pub(crate) by_key_id: usize,
    /// By key ARN.
    pub(crate) by_key_arn: usize,
    /// By alias name.
    pub(crate) by_alias_name: usize,
    /// By alias ARN.
    pub(crate) by_alias_arn: usize,
    /// No `KmsKeyId` (default key).
    pub(crate) default_key: usize,
    /// `alias/aws/secretsmanager` named explicitly.
    pub(crate) aws_managed_alias: usize,
    /// The AWS-managed key by key ARN.
    pub(crate) aws_managed_key_arn: usize,
    /// Multi-Region secrets (one replica each).
    pub(crate) replicated: usize,
    /// Live multi-Region secrets whose replica is on the default key (NON_COMPLIANT by
    /// row 11 although their own key is a CMK).
    pub(crate) replica_on_default_key: usize,
    /// Scheduled for deletion.
    pub(crate) scheduled_for_deletion: usize,
}

/// The fewest calls a periodic sweep of the estate can make, per operation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct MinimumCalls {
    /// ceil(N/100): every secret, scheduled deletions included, 100 a page.
    pub(crate) list_secrets: usize,
    /// The distinct qualified key references of live secrets and their replicas.
    pub(crate) describe_key: usize,
    /// One per live multi-Region secret (replica keys are only in DescribeSecret).
    pub(crate) describe_secret: usize,
    /// ceil(N/100): one evaluation per secret, 100 a call.
    pub(crate) put_evaluations: usize,
    /// The cleanup reads back the rule's COMPLIANT and NON_COMPLIANT results, 100 a
    /// page (at least one page).
    pub(crate) compliance_pages: usize,
}

impl MinimumCalls {
    /// `(operation, count)` in [`OPERATIONS`] order.
    pub(crate) fn by_operation(&self) -> [(&'static str, usize); 5] {
        [
            (OPERATIONS[0], self.list_secrets),
            (OPERATIONS[1], self.describe_key),
            (OPERATIONS[2], self.describe_secret),
            (OPERATIONS[3], self.put_evaluations),
            (OPERATIONS[4], self.compliance_pages),
        ]
    }

    /// All calls.
    pub(crate) fn total(&self) -> usize {
        self.by_operation().iter().map(|(_, n)| n).sum()
    }
}

impl EstatePlan {
    /// N = `secrets` over K = `keys` customer-managed keys (at least one). Secret `i`:
    /// - every 10th (i % 10 == 0) on the default key, every 50th (i % 50 == 5) naming
    ///   `alias/aws/secretsmanager`, every 100th (i % 100 == 99) the AWS-managed key by
    ///   its key ARN;
    /// - the others on the customer-managed keys: the c-th of them gets key c % K in
    ///   form (c / K) % 4, so every key appears in every form once N passes ~90;
    /// - every 200th (i % 200 == 3) has a replica, alternately on a CMK and on the
    ///   default key; every 100th (i % 100 == 7) is scheduled for deletion.
    pub(crate) fn new(secrets: usize, keys: usize) -> EstatePlan {
        let keys = keys.max(1);
        let mut next_cmk = 0;
        let plans = (0..secrets)
            .map(|index| {
                let key = if index % 10 == 0 {
                    KeyChoice::Default
                } else if index % 50 == 5 {
                    KeyChoice::AwsManagedAlias
                } else if index % 100 == 99 {
                    KeyChoice::AwsManagedKeyArn
                } else {
                    let c = next_cmk;
                    next_cmk += 1;
                    KeyChoice::Cmk {
                        key: c % keys,
                        form: KeyForm::ALL[(c / keys) % KeyForm::ALL.len()],
                    }
                };
                let replica_key = if (index / 200) % 2 == 0 {
                    ReplicaKey::Cmk
                } else {
                    ReplicaKey::Default
                };
                let replica = (index % 200 == 3).then_some(replica_key);
                SecretPlan {
                    index,
                    key,
                    replica,
                    scheduled_for_deletion: index % 100 == 7,
                }
            })
            .collect();
        EstatePlan {
            keys,
            secrets: plans,
        }
    }

    /// How the estate is made up.
    pub(crate) fn composition(&self) -> Composition {
        let mut c = Composition {
            secrets: self.secrets.len(),
            ..Composition::default()
        };
        for secret in &self.secrets {
            match secret.key {
                KeyChoice::Default => c.default_key += 1,
                KeyChoice::AwsManagedAlias => c.aws_managed_alias += 1,
                KeyChoice::AwsManagedKeyArn => c.aws_managed_key_arn += 1,
                KeyChoice::Cmk { form, .. } => match form {
                    KeyForm::KeyId => c.by_key_id += 1,
                    KeyForm::KeyArn => c.by_key_arn += 1,
                    KeyForm::AliasName => c.by_alias_name += 1,
                    KeyForm::AliasArn => c.by_alias_arn += 1,
                },
            }
            c.replicated += usize::from(secret.replica.is_some());
            c.replica_on_default_key += usize::from(
                secret.replica == Some(ReplicaKey::Default) && !secret.scheduled_for_deletion,
            );
            c.scheduled_for_deletion += usize::from(secret.scheduled_for_deletion);
        }
        c
    }

    /// The fewest calls one periodic sweep (checkReplicas on, no exemption tag) can make.
    /// A secret scheduled for deletion is NOT_APPLICABLE before its key matters (row 2),
    /// so its key is not looked up; `alias/aws/*` and the default key are decided
    /// without a lookup (rows 4 and 5).
    pub(crate) fn minimum_calls(&self) -> MinimumCalls {
        let n = self.secrets.len();
        let live = self.live().count();
        MinimumCalls {
            list_secrets: n.div_ceil(100).max(1),
            describe_key: self.key_references().len(),
            describe_secret: self.live().filter(|s| s.replica.is_some()).count(),
            put_evaluations: n.div_ceil(100),
            compliance_pages: live.div_ceil(100).max(1),
        }
    }

    /// Secrets not scheduled for deletion.
    pub(crate) fn live(&self) -> impl Iterator<Item = &SecretPlan> {
        self.secrets.iter().filter(|s| !s.scheduled_for_deletion)
    }

    /// The distinct key references a sweep has to look up (see [`KeyReference`]).
    pub(crate) fn key_references(&self) -> BTreeSet<KeyReference> {
        let mut references = BTreeSet::new();
        for secret in self.live() {
            match secret.key {
                KeyChoice::Default | KeyChoice::AwsManagedAlias => {}
                KeyChoice::AwsManagedKeyArn => {
                    references.insert(KeyReference::AwsManagedKey);
                }
                KeyChoice::Cmk { key, form } => {
                    references.insert(match form {
                        KeyForm::KeyId | KeyForm::KeyArn => KeyReference::CmkKey(key),
                        KeyForm::AliasName | KeyForm::AliasArn => KeyReference::CmkAlias(key),
                    });
                }
            }
            if secret.replica == Some(ReplicaKey::Cmk) {
                references.insert(KeyReference::ReplicaCmkKey);
            }
        }
        references
    }
}

/// An estate as seeded.
#[derive(Clone, Debug)]
pub(crate) struct Seeded {
    /// How long seeding took (not part of any figure).
    pub(crate) time: Duration,
    /// The keys.
    pub(crate) keys: SeededKeys,
    /// The secrets, in plan order.
    pub(crate) secrets: Vec<Secret>,
}

/// The keys an estate was seeded with.
#[derive(Clone, Debug)]
pub(crate) struct SeededKeys {
    cmks: Vec<(Key, String)>,
    aws_managed_arn: String,
    replica_cmk_arn: String,
}

impl SeededKeys {
    /// The region and the qualified ARN a key reference is looked up by.
    pub(crate) fn lookup(&self, reference: KeyReference) -> Option<(&'static str, String)> {
        match reference {
            KeyReference::CmkKey(k) => Some((DEFAULT_REGION, self.cmks.get(k)?.0.arn.clone())),
            KeyReference::CmkAlias(k) => Some((
                DEFAULT_REGION,
                format!(
                    "arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:{}",
                    self.cmks.get(k)?.1
                ),
            )),
            KeyReference::AwsManagedKey => Some((DEFAULT_REGION, self.aws_managed_arn.clone())),
            KeyReference::ReplicaCmkKey => Some((REPLICA_REGION, self.replica_cmk_arn.clone())),
        }
    }

    /// The `KmsKeyId` to create a secret with.
    fn kms_key_id(&self, choice: KeyChoice) -> Option<String> {
        match choice {
            KeyChoice::Default => None,
            KeyChoice::AwsManagedAlias => Some(AWS_MANAGED_ALIAS.to_owned()),
            KeyChoice::AwsManagedKeyArn => Some(self.aws_managed_arn.clone()),
            KeyChoice::Cmk { key, form } => {
                let (cmk, alias) = self.cmks.get(key)?;
                Some(match form {
                    KeyForm::KeyId => cmk.key_id.clone(),
                    KeyForm::KeyArn => cmk.arn.clone(),
                    KeyForm::AliasName => alias.clone(),
                    KeyForm::AliasArn => {
                        format!("arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:{alias}")
                    }
                })
            }
        }
    }
}

/// Creates the plan's keys and secrets in the emulator (default account and region)
/// through the API.
pub(crate) async fn seed(emulator: &Emulator, plan: &EstatePlan) -> Result<Seeded> {
    let started = Instant::now();
    let kms = emulator.kms(DEFAULT_REGION);
    let mut cmks = Vec::with_capacity(plan.keys);
    for k in 0..plan.keys {
        let key = create_cmk(&kms, &format!("bench key {k}")).await?;
        let alias = format!("alias/bench-key-{k:02}");
        create_alias(&kms, &alias, &key.key_id).await?;
        cmks.push((key, alias));
    }
    // DescribeKey on the alias makes the emulator create the AWS-managed key (as the
    // first use of the default key does in AWS): its key ARN is then known.
    let aws_managed_arn = kms
        .describe_key()
        .key_id(AWS_MANAGED_ALIAS)
        .send()
        .await
        .context("DescribeKey alias/aws/secretsmanager")?
        .key_metadata
        .and_then(|m| m.arn)
        .ok_or_else(|| BenchError::Failed("DescribeKey returned no key ARN".into()))?;
    let replica_cmk = create_cmk(&emulator.kms(REPLICA_REGION), "bench replica key").await?;
    let keys = SeededKeys {
        cmks,
        aws_managed_arn,
        replica_cmk_arn: replica_cmk.arn,
    };

    let sm = emulator.secretsmanager(DEFAULT_REGION);
    let key_ids: Vec<Option<String>> = plan
        .secrets
        .iter()
        .map(|s| keys.kms_key_id(s.key))
        .collect();
    // One at a time: moto 5.2.5 checks a new name by iterating over every secret
    // without a lock, so concurrent CreateSecret calls fail at random with "dictionary
    // changed size during iteration" (HTTP 500) once the account holds thousands. The
    // emulator serves one request at a time anyway, so concurrency would gain little.
    let mut created = Vec::with_capacity(plan.secrets.len());
    for (i, kms_key_id) in key_ids.into_iter().enumerate() {
        let mut spec = NewSecret::named(format!("{SECRET_PREFIX}-{i:05}"));
        spec.kms_key_id = kms_key_id;
        created.push(create_secret(&sm, &spec).await?);
    }
    for (secret, spec) in created.iter().zip(&plan.secrets) {
        if let Some(replica) = spec.replica {
            let key = match replica {
                ReplicaKey::Default => None,
                ReplicaKey::Cmk => Some(keys.replica_cmk_arn.as_str()),
            };
            replicate_secret(&sm, &secret.arn, REPLICA_REGION, key).await?;
        }
        if spec.scheduled_for_deletion {
            schedule_secret_deletion(&sm, &secret.arn, 7).await?;
        }
    }
    Ok(Seeded {
        time: started.elapsed(),
        keys,
        secrets: created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estate_mixes_every_form_and_every_kind_of_secret() {
        // GIVEN / WHEN the 1,000-secret estate over 20 keys
        let c = EstatePlan::new(1_000, 20).composition();

        // THEN every form and kind is there, in the stated proportions
        assert_eq!(c.secrets, 1_000);
        assert_eq!(c.default_key, 100);
        assert_eq!(c.aws_managed_alias, 20);
        assert_eq!(c.aws_managed_key_arn, 10);
        assert_eq!(c.replicated, 5);
        assert_eq!(c.scheduled_for_deletion, 10);
        let cmk = c.by_key_id + c.by_key_arn + c.by_alias_name + c.by_alias_arn;
        assert_eq!(cmk, 870);
        assert!(
            [c.by_key_id, c.by_key_arn, c.by_alias_name, c.by_alias_arn]
                .iter()
                .all(|n| *n >= 200)
        );
    }

    #[test]
    fn the_minimum_counts_qualified_references_not_strings() {
        // GIVEN 20 keys each named by all four forms, the AWS-managed key by ARN, and
        // a replica-region CMK
        let plan = EstatePlan::new(1_000, 20);

        // WHEN the minimum is computed
        let min = plan.minimum_calls();

        // THEN key id and key ARN are one reference, alias name and alias ARN another:
        // 2 per key, plus the AWS-managed key ARN and the replica key
        assert_eq!(min.describe_key, 2 * 20 + 1 + 1);
        assert_eq!(min.list_secrets, 10);
        assert_eq!(min.put_evaluations, 10);
        // 990 live secrets have COMPLIANT or NON_COMPLIANT results to read back
        assert_eq!(min.compliance_pages, 10);
        assert_eq!(min.describe_secret, 5);
        assert_eq!(min.total(), 10 + 42 + 5 + 10 + 10);
    }

    #[test]
    fn the_minimum_at_ten_thousand() {
        // GIVEN / WHEN the 10,000-secret estate
        let min = EstatePlan::new(10_000, 20).minimum_calls();

        // THEN pages scale with N, key references do not
        assert_eq!(min.list_secrets, 100);
        assert_eq!(min.describe_key, 42);
        assert_eq!(min.describe_secret, 50);
        assert_eq!(min.put_evaluations, 100);
        assert_eq!(min.compliance_pages, 99);
    }

    #[test]
    fn scheduled_deletions_need_no_key_lookup_and_no_replica_details() {
        // GIVEN a plan where a secret is scheduled for deletion
        let plan = EstatePlan::new(8, 20);
        assert!(plan.secrets[7].scheduled_for_deletion);

        // WHEN the minimum is computed
        let min = plan.minimum_calls();

        // THEN its key (key 5) is not among the references: keys 0..4 by key id for
        // secrets 1-4 and 6, plus the replica-region CMK of secret 3; secret 0 (default
        // key) and secret 5 (alias/aws/secretsmanager) need none
        assert_eq!(plan.secrets[5].key, KeyChoice::AwsManagedAlias);
        assert_eq!(plan.secrets[3].replica, Some(ReplicaKey::Cmk));
        assert_eq!(min.describe_key, 5 + 1);
        assert_eq!(min.describe_secret, 1);
    }
}
