//! Row 9: is the key one of the approved keys (`kmsKeyArns`)? Resolved key ARNs are
//! compared by their parts, never strings.

use crate::facts::{KeyFacts, KeyLookup};
use crate::key_ref::{KeyRef, QualifiedKeyRef, Scope, same_key_arn};

/// What the secret's key is known to be, for comparing with the approved keys.
pub(super) enum Identity<'a> {
    /// The key ARN DescribeKey resolved the reference to.
    Resolved(&'a str),
    /// A cross-account reference DescribeKey was denied on (row 10), as given.
    Unresolved(&'a QualifiedKeyRef),
}

impl Identity<'_> {
    /// Whether this key is the key with ARN `key_arn`: `None` when that cannot be known
    /// (an unresolved alias could point at any key of its account and region).
    pub(super) fn is_key(&self, key_arn: &str) -> Option<bool> {
        match self {
            Identity::Resolved(arn) => Some(same_approved_key(arn, key_arn)),
            Identity::Unresolved(q) if q.is_alias() => None,
            Identity::Unresolved(q) => Some(same_approved_key(q.as_str(), key_arn)),
        }
    }
}

pub(super) enum Approval {
    Approved,
    NotApproved,
    Unknown(String),
}

/// Row 9: is the key one of the approved keys? Compares resolved key ARNs by their
/// parts. One match is enough, whatever else is unknown; an approved alias that does not
/// exist matches nothing; one that could not be resolved might have matched.
pub(super) fn approval(
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
pub(super) fn approved_candidates<'a>(
    approved: &'a [KeyRef],
    key: &'a QualifiedKeyRef,
    scope: &'a Scope,
) -> impl Iterator<Item = (&'a KeyRef, QualifiedKeyRef)> + 'a {
    approved
        .iter()
        .filter(|entry| !entry.is_aws_managed_alias())
        .map(move |entry| (entry, entry.qualify(scope)))
        .filter(move |(entry, entry_q)| {
            entry_q.same_location(key)
                || (is_multi_region_key_arn(entry) && entry_q.same_account(key))
        })
}

/// Whether a key ARN `key` is the approved key `approved`: the same key, or, for a
/// multi-Region key (`mrk-`), the same key id in the same partition and account in any
/// Region. A multi-Region replica key shares the primary's key id and key material, so
/// approving one approves the set (a replicated secret's replicas use the replicas).
fn same_approved_key(key: &str, approved: &str) -> bool {
    same_key_arn(key, approved)
        || match (KeyRef::parse(key), KeyRef::parse(approved)) {
            (
                Ok(KeyRef::KeyArn {
                    partition: pa,
                    account: aa,
                    key_id: ka,
                    ..
                }),
                Ok(KeyRef::KeyArn {
                    partition: pb,
                    account: ab,
                    key_id: kb,
                    ..
                }),
            ) => pa == pb && aa == ab && ka.starts_with("mrk-") && ka.eq_ignore_ascii_case(&kb),
            _ => false,
        }
}

fn is_multi_region_key_arn(entry: &KeyRef) -> bool {
    matches!(entry, KeyRef::KeyArn { key_id, .. } if key_id.starts_with("mrk-"))
}
