//! The decision table: from gathered facts to a verdict.
//!
//! Row 1 needs only the configuration item ([`resource_gone`], [`out_of_scope`]; the
//! sweep's cleanup has its own, `Evaluation::confirmed_gone`); rows 2 to 12 need the
//! secret and its keys ([`decide`]). The caller first asks [`key_lookups_needed`] which
//! DescribeKey calls to make, makes them (one per distinct reference), then decides.
//! Anything the facts cannot settle is [`Decision::Unverifiable`]: a wrong
//! NON_COMPLIANT can trigger automatic remediation, a wrong COMPLIANT hides a finding,
//! so neither is ever guessed.

use std::borrow::Borrow;
use std::fmt;

use chrono::SecondsFormat;

mod approval;
mod key_check;

use crate::annotation::Annotation;
use crate::evaluation::SECRET_RESOURCE_TYPE;
use crate::event::ConfigurationItemStatus;
use crate::facts::{KeyFacts, ReplicaFacts, SecretFacts, Tag};
use crate::key_ref::{KeyRef, QualifiedKeyRef, Scope, is_region};
use crate::params::RuleParameters;
use crate::row::Row;
use approval::approved_candidates;
use key_check::{KeyCheck, check_key};

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
    Some(gone(why))
}

/// Row 1 for a resource of another type than the rule's scope
/// ([`SECRET_RESOURCE_TYPE`]): NOT_APPLICABLE, naming the type. `None` for a secret.
pub fn out_of_scope(resource_type: &str, resource_id: &str) -> Option<Verdict> {
    (resource_type != SECRET_RESOURCE_TYPE).then(|| {
        gone(format!(
            "{resource_id} is a {resource_type}, not a Secrets Manager secret: outside this \
             rule's scope"
        ))
    })
}

fn gone(why: String) -> Verdict {
    Verdict {
        compliance: Compliance::NotApplicable,
        annotation: Annotation::new(why),
        row: Row::Gone,
    }
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
    if !params.trusts_key_account(q.account(), &scope.account) || q.region() != scope.region {
        return; // rows 5a and 5b decide without a lookup
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

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
