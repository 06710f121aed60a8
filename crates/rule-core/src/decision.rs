//! The decision table: from gathered facts to a verdict.
//!
//! Row 1 needs only the configuration item ([`resource_gone`]); rows 2 to 12 need the
//! secret and its keys ([`decide`]). The caller first asks [`key_lookups_needed`] which
//! DescribeKey calls to make, makes them (one per distinct reference), then decides.
//! Anything the facts cannot settle is [`Decision::Unverifiable`]: a wrong
//! NON_COMPLIANT can trigger automatic remediation, a wrong COMPLIANT hides a finding,
//! so neither is ever guessed.

use std::borrow::Borrow;
use std::fmt;

use chrono::SecondsFormat;

use crate::annotation::Annotation;
use crate::event::ConfigurationItemStatus;
use crate::facts::{KeyFacts, KeyLookup, KeyManager, KeyState, ReplicaFacts, SecretFacts, Tag};
use crate::key_ref::{KeyRef, QualifiedKeyRef, Scope, is_region, same_key_arn};
use crate::params::{ALLOWED_KEY_ACCOUNTS, RuleParameters};
use crate::row::Row;

/// The compliance types PutEvaluations accepts from this rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compliance {
    /// `COMPLIANT`.
    Compliant,
    /// `NON_COMPLIANT`.
    NonCompliant,
    /// `NOT_APPLICABLE`.
    NotApplicable,
}

impl Compliance {
    /// The API spelling: `COMPLIANT`, `NON_COMPLIANT` or `NOT_APPLICABLE`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Compliance::Compliant => "COMPLIANT",
            Compliance::NonCompliant => "NON_COMPLIANT",
            Compliance::NotApplicable => "NOT_APPLICABLE",
        }
    }
}

impl fmt::Display for Compliance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict on one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The compliance type.
    pub compliance: Compliance,
    /// Why, naming the key.
    pub annotation: Annotation,
    /// The decision-table row that decided. A COMPLIANT verdict that relied on row 10
    /// (a cross-account key treated as customer managed) carries
    /// [`Row::CrossAccountUnverified`], otherwise [`Row::Compliant`].
    pub row: Row,
}

/// The outcome for one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A verdict to report.
    Verdict(Verdict),
    /// No verdict: the facts do not settle it. The secret is skipped and the invocation
    /// fails naming it, after the other secrets are reported.
    Unverifiable {
        /// What could not be verified.
        reason: String,
    },
}

impl Decision {
    /// The verdict, if there is one.
    pub fn verdict(&self) -> Option<&Verdict> {
        match self {
            Decision::Verdict(verdict) => Some(verdict),
            Decision::Unverifiable { .. } => None,
        }
    }
}

/// Row 1: a change item for a resource that is gone or out of scope is NOT_APPLICABLE (no
/// API calls needed). `None` if row 1 does not apply.
///
/// Takes the status by value or by reference.
pub fn resource_gone(
    status: impl Borrow<ConfigurationItemStatus>,
    event_left_scope: bool,
) -> Option<Verdict> {
    let status = status.borrow();
    let why = if status.is_gone() {
        format!(
            "The secret was deleted or is not recorded by AWS Config \
             (configurationItemStatus {}).",
            status.as_str()
        )
    } else if event_left_scope {
        "The secret is no longer in the rule's scope (eventLeftScope).".to_owned()
    } else {
        return None;
    };
    Some(Verdict {
        compliance: Compliance::NotApplicable,
        annotation: Annotation::new(why),
        row: Row::Gone,
    })
}

/// The DescribeKey lookups [`decide`] will need for this secret, deduplicated, in a
/// stable order (first use first).
///
/// Empty when the verdict needs no key facts (deleted, exempt, default key,
/// `alias/aws/*`). Never includes an `alias/aws/*` reference: DescribeKey on it can
/// create the AWS managed key. Includes the secret's key qualified in its scope; each
/// replica's key qualified in the replica's region (when `check_replicas` and replicas
/// are known); and the approved aliases of `kmsKeyArns` that could resolve to the same
/// key, qualified likewise. An approved alias in another account or region than the key
/// can never point at it (an alias names a key of its own account and region), so it is
/// not looked up; an approved key ARN is compared as it is. Unparseable key ids are not
/// looked up: `decide` reports them.
pub fn key_lookups_needed(secret: &SecretFacts, params: &RuleParameters) -> Vec<QualifiedKeyRef> {
    let mut needed = Vec::new();
    if decided_without_keys(secret, params) {
        return needed;
    }
    lookups_for_key(
        secret.kms_key_id.as_deref(),
        &secret.scope,
        params,
        &mut needed,
    );
    for replica in replicas_to_check(secret, params) {
        if is_region(&replica.region) {
            let scope = secret.scope.in_region(&replica.region);
            lookups_for_key(replica.kms_key_id.as_deref(), &scope, params, &mut needed);
        }
    }
    needed
}

/// Whether the replicas' keys can change this secret's verdict, so a caller that does
/// not know them yet (ListSecrets has no replica details) should fetch them: only when
/// `checkReplicas` is on and rows 2 and 3 (scheduled deletion, exemption) do not apply.
pub fn replica_keys_matter(secret: &SecretFacts, params: &RuleParameters) -> bool {
    params.check_replicas && !decided_without_keys(secret, params)
}

/// Rows 2 and 3: verdicts that need no key facts at all.
fn decided_without_keys(secret: &SecretFacts, params: &RuleParameters) -> bool {
    secret.deleted_date.is_some() || exemption_tag(secret, params).is_some()
}

/// Rows 2 to 12 for one secret, from facts only. A needed lookup missing from `keys` is
/// [`Decision::Unverifiable`] (not a panic, not a guess).
pub fn decide(secret: &SecretFacts, params: &RuleParameters, keys: &dyn KeyFacts) -> Decision {
    let annotate = |text: String| match secret.owning_service.as_deref() {
        Some(service) if !service.trim().is_empty() => {
            Annotation::with_suffix(&text, &format!(" (secret managed by {service})"))
        }
        _ => Annotation::new(text),
    };
    let verdict = |compliance, row, text: String| {
        Decision::Verdict(Verdict {
            compliance,
            annotation: annotate(text),
            row,
        })
    };

    // Row 2.
    if let Some(date) = secret.deleted_date {
        return verdict(
            Compliance::NotApplicable,
            Row::ScheduledForDeletion,
            format!(
                "The secret is scheduled for deletion on {}.",
                date.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        );
    }
    // Row 3.
    if let Some(tag) = exemption_tag(secret, params) {
        return verdict(
            Compliance::NotApplicable,
            Row::Exempt,
            format!(
                "Exempt: the secret carries the exemption tag {}={}.",
                tag.key, tag.value
            ),
        );
    }

    // Rows 4 to 10 for the secret's own key.
    let mut unverifiable = Vec::new();
    let primary = check_key(secret.kms_key_id.as_deref(), &secret.scope, params, keys);
    let primary_pass = match primary {
        KeyCheck::Fails { row, why } => {
            return verdict(Compliance::NonCompliant, row, capitalize(&why));
        }
        KeyCheck::Unverifiable(reason) => {
            unverifiable.push(reason);
            None
        }
        KeyCheck::Passes(pass) => Some(pass),
    };

    // Row 11: a replica that fails makes the secret fail, whatever else is unknown.
    let mut replicas_passed = 0usize;
    let mut unverified_replicas = Vec::new();
    for replica in replicas_to_check(secret, params) {
        let region = &replica.region;
        if !is_region(region) {
            unverifiable.push(format!("replica region {region:?} is not a region name"));
            continue;
        }
        let scope = secret.scope.in_region(region);
        match check_key(replica.kms_key_id.as_deref(), &scope, params, keys) {
            KeyCheck::Fails { why, .. } => {
                let status = match replica.status.as_deref() {
                    Some(status) if status != "InSync" => {
                        format!(" (replication status {status})")
                    }
                    _ => String::new(),
                };
                return verdict(
                    Compliance::NonCompliant,
                    Row::ReplicaFails,
                    format!("Replica in {region}{status}: {why}."),
                );
            }
            KeyCheck::Unverifiable(reason) => {
                unverifiable.push(format!("replica in {region}: {reason}"));
            }
            KeyCheck::Passes(pass) => {
                replicas_passed += 1;
                if !pass.verified {
                    unverified_replicas.push(region.as_str());
                }
            }
        }
    }

    let Some(primary) = primary_pass.filter(|_| unverifiable.is_empty()) else {
        return Decision::Unverifiable {
            reason: unverifiable.join("; "),
        };
    };

    // Row 12 (or 10, when a key was only treated as customer managed).
    let mut text = if primary.verified {
        format!("Encrypted with customer managed KMS key {}", primary.key)
    } else {
        format!(
            "Encrypted with KMS key {}, treated as customer managed (not verified: \
             cross-account, DescribeKey denied)",
            primary.key
        )
    };
    if let Some(state) = &primary.state {
        text.push_str(&format!(" in state {}", state.as_str()));
    }
    if params.approved_keys.is_some() {
        text.push_str(", an approved key");
    }
    if replicas_passed > 0 {
        text.push_str(&format!("; {replicas_passed} replica(s) pass too"));
    }
    if !unverified_replicas.is_empty() {
        text.push_str(&format!(
            " (replica keys in {} not verified: cross-account, DescribeKey denied)",
            unverified_replicas.join(", ")
        ));
    }
    text.push('.');
    let row = if primary.verified && unverified_replicas.is_empty() {
        Row::Compliant
    } else {
        Row::CrossAccountUnverified
    };
    verdict(Compliance::Compliant, row, text)
}

/// The outcome of rows 4 to 10 for one key in one scope.
enum KeyCheck {
    /// A row from 4 to 9 failed; `why` is a lowercase sentence fragment naming the key.
    Fails { row: Row, why: String },
    /// The key passes.
    Passes(Pass),
    /// The facts do not settle it.
    Unverifiable(String),
}

/// A key that passed rows 4 to 10.
struct Pass {
    /// The resolved key ARN, or the reference as given when it could not be resolved.
    key: String,
    /// False when row 10 applied: a cross-account key whose DescribeKey was denied.
    verified: bool,
    /// The state of a key that is not Enabled but passed because requireEnabledKey is
    /// false: worth saying in the annotation.
    state: Option<KeyState>,
}

/// What the secret's key is known to be, for comparing with the approved keys.
enum Identity<'a> {
    /// The key ARN DescribeKey resolved the reference to.
    Resolved(&'a str),
    /// A cross-account reference DescribeKey was denied on (row 10), as given.
    Unresolved(&'a QualifiedKeyRef),
}

impl Identity<'_> {
    /// Whether this key is the key with ARN `key_arn`: `None` when that cannot be known
    /// (an unresolved alias could point at any key of its account and region).
    fn is_key(&self, key_arn: &str) -> Option<bool> {
        match self {
            Identity::Resolved(arn) => Some(same_key_arn(arn, key_arn)),
            Identity::Unresolved(q) if q.is_alias() => None,
            Identity::Unresolved(q) => Some(same_key_arn(q.as_str(), key_arn)),
        }
    }
}

fn check_key(
    stored: Option<&str>,
    scope: &Scope,
    params: &RuleParameters,
    keys: &dyn KeyFacts,
) -> KeyCheck {
    let fails = |row, why| KeyCheck::Fails { row, why };
    // Row 4.
    let Some(stored) = stored.filter(|s| !s.trim().is_empty()) else {
        return fails(
            Row::DefaultKey,
            "encrypted with the default AWS managed key aws/secretsmanager; a customer \
             managed KMS key is required"
                .to_owned(),
        );
    };
    // Secrets Manager only stores ids KMS accepted, so an id we cannot read means we
    // cannot verify the secret: say so rather than guess.
    let key = match KeyRef::parse(stored) {
        Ok(key) => key,
        Err(error) => {
            return KeyCheck::Unverifiable(format!(
                "the stored KmsKeyId cannot be checked: {error}"
            ));
        }
    };
    // Row 5, decided without DescribeKey.
    if key.is_aws_managed_alias() {
        return fails(
            Row::AwsManagedAlias,
            format!(
                "encrypted with the AWS managed key {key}; a customer managed KMS key is required"
            ),
        );
    }
    let q = key.qualify(scope);
    // Row 5a, decided without DescribeKey: a key of an account we do not trust fails
    // whatever it is, so it is never described (nor is its owner told we looked).
    if !params.trusts_key_account(q.account(), &scope.account) {
        return fails(
            Row::UntrustedKeyAccount,
            format!(
                "encrypted with KMS key {q} of account {}, not the secret's own and not \
                 trusted ({ALLOWED_KEY_ACCOUNTS}, kmsKeyArns): its owner can disable the key",
                q.account()
            ),
        );
    }
    let (identity, verified, state) = match keys.lookup(&q) {
        None => return KeyCheck::Unverifiable(format!("no DescribeKey result for {q}")),
        Some(KeyLookup::Described(described)) => {
            // Row 6.
            if described.manager == KeyManager::Aws {
                return fails(
                    Row::AwsManagedKey,
                    format!(
                        "encrypted with the AWS managed KMS key {}; a customer managed KMS key \
                         is required",
                        described.arn
                    ),
                );
            }
            // Row 8. Creating and Updating are passing states of a key that is being
            // set up or changed (multi-Region keys): a NON_COMPLIANT verdict then could
            // trigger a needless re-key, so the next run decides.
            let enabled = described.state == KeyState::Enabled;
            if params.require_enabled_key
                && matches!(described.state, KeyState::Creating | KeyState::Updating)
            {
                return KeyCheck::Unverifiable(format!(
                    "KMS key {} is in the passing state {}; evaluate again once it settles",
                    described.arn,
                    described.state.as_str()
                ));
            }
            if params.require_enabled_key && !enabled {
                return fails(
                    Row::KeyNotEnabled,
                    format!(
                        "KMS key {} is {} (KeyState {}): the secret is or will become unreadable",
                        described.arn,
                        state_words(&described.state),
                        described.state.as_str()
                    ),
                );
            }
            // Rows 9 and 12 rely on the resolved ARN: one that is not a key ARN is an
            // adapter fault, not a fact about the secret.
            if !matches!(KeyRef::parse(&described.arn), Ok(KeyRef::KeyArn { .. })) {
                return KeyCheck::Unverifiable(format!(
                    "DescribeKey on {q} returned {:?}, which is not a key ARN",
                    described.arn
                ));
            }
            let state = (!enabled).then(|| described.state.clone());
            (Identity::Resolved(&described.arn), true, state)
        }
        // Row 7.
        Some(KeyLookup::NotFound) => {
            return fails(
                Row::KeyNotFound,
                format!("KMS key {q} does not exist: the secret cannot be decrypted"),
            );
        }
        // Row 10: an AWS managed key cannot be used across accounts, so a foreign key is
        // customer managed even when we may not describe it.
        Some(KeyLookup::AccessDenied) if q.account() != scope.account => {
            (Identity::Unresolved(&q), false, None)
        }
        Some(KeyLookup::AccessDenied) => {
            return KeyCheck::Unverifiable(format!(
                "DescribeKey on {q} was denied in the secret's own account"
            ));
        }
        Some(KeyLookup::Failed { reason }) => {
            return KeyCheck::Unverifiable(format!("DescribeKey on {q} failed: {reason}"));
        }
    };
    // Row 9.
    if let Some(approved) = &params.approved_keys {
        match approval(&identity, &q, approved, scope, keys) {
            Approval::Approved => {}
            Approval::NotApproved => {
                let key = match identity {
                    Identity::Resolved(arn) => arn.to_owned(),
                    Identity::Unresolved(q) => q.to_string(),
                };
                return fails(
                    Row::NotApproved,
                    format!("KMS key {key} is not one of the approved keys (kmsKeyArns)"),
                );
            }
            Approval::Unknown(reason) => return KeyCheck::Unverifiable(reason),
        }
    }
    let key = match identity {
        Identity::Resolved(arn) => arn.to_owned(),
        Identity::Unresolved(q) => q.to_string(),
    };
    KeyCheck::Passes(Pass {
        key,
        verified,
        state,
    })
}

enum Approval {
    Approved,
    NotApproved,
    Unknown(String),
}

/// Row 9: is the key one of the approved keys? Compares resolved key ARNs by their
/// parts. One match is enough, whatever else is unknown; an approved alias that does not
/// exist matches nothing; one that could not be resolved might have matched.
fn approval(
    identity: &Identity<'_>,
    key: &QualifiedKeyRef,
    approved: &[KeyRef],
    scope: &Scope,
    keys: &dyn KeyFacts,
) -> Approval {
    let mut unknown: Option<String> = None;
    for (entry, entry_q) in approved_candidates(approved, key, scope) {
        let approved_arn = if entry.is_alias() {
            if let Identity::Unresolved(q) = identity
                && *q == &entry_q
            {
                return Approval::Approved;
            }
            match keys.lookup(&entry_q) {
                Some(KeyLookup::Described(described)) => described.arn.clone(),
                Some(KeyLookup::NotFound) => continue,
                Some(KeyLookup::AccessDenied) => {
                    unknown.get_or_insert_with(|| {
                        format!(
                            "approved alias {entry_q} could not be resolved: DescribeKey denied"
                        )
                    });
                    continue;
                }
                Some(KeyLookup::Failed { reason }) => {
                    unknown.get_or_insert_with(|| {
                        format!("approved alias {entry_q} could not be resolved: {reason}")
                    });
                    continue;
                }
                None => {
                    unknown.get_or_insert_with(|| {
                        format!("no DescribeKey result for approved alias {entry_q}")
                    });
                    continue;
                }
            }
        } else {
            entry_q.to_string()
        };
        match identity.is_key(&approved_arn) {
            Some(true) => return Approval::Approved,
            Some(false) => {}
            None => {
                unknown.get_or_insert_with(|| {
                    format!(
                        "alias {key} could not be resolved (cross-account, DescribeKey denied), \
                         so whether it points at approved key {approved_arn} is unknown"
                    )
                });
            }
        }
    }
    match unknown {
        Some(reason) => Approval::Unknown(reason),
        None => Approval::NotApproved,
    }
}

/// The approved entries that could name the same key as `key`, each qualified in `scope`:
/// those in the same partition, account and region (an alias only ever names a key of
/// its own account and region). `alias/aws/*` entries are skipped: parameter validation
/// rejects them, and they must never be described.
fn approved_candidates<'a>(
    approved: &'a [KeyRef],
    key: &'a QualifiedKeyRef,
    scope: &'a Scope,
) -> impl Iterator<Item = (&'a KeyRef, QualifiedKeyRef)> + 'a {
    approved
        .iter()
        .filter(|entry| !entry.is_aws_managed_alias())
        .map(move |entry| (entry, entry.qualify(scope)))
        .filter(move |(_, entry_q)| entry_q.same_location(key))
}

fn lookups_for_key(
    stored: Option<&str>,
    scope: &Scope,
    params: &RuleParameters,
    needed: &mut Vec<QualifiedKeyRef>,
) {
    let Some(key) = stored
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| KeyRef::parse(s).ok())
    else {
        return;
    };
    if key.is_aws_managed_alias() {
        return;
    }
    let q = key.qualify(scope);
    if !params.trusts_key_account(q.account(), &scope.account) {
        return; // row 5a decides without a lookup
    }
    let aliases: Vec<QualifiedKeyRef> = params
        .approved_keys
        .as_deref()
        .map(|approved| {
            approved_candidates(approved, &q, scope)
                .filter(|(entry, _)| entry.is_alias())
                .map(|(_, entry_q)| entry_q)
                .collect()
        })
        .unwrap_or_default();
    // The key itself first, then the approved aliases it is compared with.
    for candidate in std::iter::once(q).chain(aliases) {
        if !needed.contains(&candidate) {
            needed.push(candidate);
        }
    }
}

fn replicas_to_check<'a>(
    secret: &'a SecretFacts,
    params: &RuleParameters,
) -> impl Iterator<Item = &'a ReplicaFacts> {
    secret
        .replicas
        .as_deref()
        .filter(|_| params.check_replicas)
        .unwrap_or_default()
        .iter()
}

fn exemption_tag<'a>(secret: &'a SecretFacts, params: &RuleParameters) -> Option<&'a Tag> {
    params
        .exemption_tag_key
        .as_deref()
        .and_then(|key| secret.tag(key))
}

fn state_words(state: &KeyState) -> &'static str {
    match state {
        KeyState::Disabled => "disabled",
        KeyState::PendingDeletion => "pending deletion",
        KeyState::PendingReplicaDeletion => "pending replica deletion",
        KeyState::PendingImport => "waiting for its key material",
        KeyState::Unavailable => "unavailable (custom key store disconnected)",
        KeyState::Creating => "still being created",
        KeyState::Updating => "being updated",
        KeyState::Enabled | KeyState::Other(_) => "not enabled",
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
