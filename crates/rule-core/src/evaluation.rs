//! Evaluations for PutEvaluations: one per secret, batched, plus stale-result cleanup.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::annotation::Annotation;
use crate::decision::{Compliance, Verdict};
use crate::facts::SecretFacts;

/// The Config resource type of a Secrets Manager secret.
pub const SECRET_RESOURCE_TYPE: &str = "AWS::SecretsManager::Secret";
/// PutEvaluations accepts at most this many evaluations per call.
pub const MAX_EVALUATIONS_PER_CALL: usize = 100;
/// PutEvaluations' limit for `ComplianceResourceId`. Ids are never cut (a cut id names
/// another resource): the caller checks and reports an id over the limit.
pub const MAX_RESOURCE_ID_CHARS: usize = 768;

/// One evaluation to put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// `ComplianceResourceType`.
    pub resource_type: String,
    /// `ComplianceResourceId`.
    pub resource_id: String,
    /// `ComplianceType`.
    pub compliance: Compliance,
    /// `Annotation`.
    pub annotation: Annotation,
    /// `OrderingTimestamp`.
    pub ordering_timestamp: DateTime<Utc>,
}

impl Evaluation {
    /// The evaluation of a secret: its `resource_id` (the ARN for periodic runs, the
    /// item's `resourceId` for change events) and the verdict.
    pub fn for_secret(
        secret: &SecretFacts,
        verdict: &Verdict,
        ordering_timestamp: DateTime<Utc>,
    ) -> Evaluation {
        Evaluation::for_resource_id(&secret.resource_id, verdict, ordering_timestamp)
    }

    /// The evaluation of a secret known only by its resource id: row 1 decides from the
    /// configuration item alone (the secret may no longer exist to be described).
    pub fn for_resource_id(
        resource_id: &str,
        verdict: &Verdict,
        ordering_timestamp: DateTime<Utc>,
    ) -> Evaluation {
        Evaluation {
            resource_type: SECRET_RESOURCE_TYPE.to_owned(),
            resource_id: resource_id.to_owned(),
            compliance: verdict.compliance,
            annotation: verdict.annotation.clone(),
            ordering_timestamp,
        }
    }

    /// True when the resource id fits PutEvaluations' limit.
    pub fn resource_id_fits(&self) -> bool {
        self.resource_id.chars().count() <= MAX_RESOURCE_ID_CHARS
    }
}

/// The evaluations in groups of at most [`MAX_EVALUATIONS_PER_CALL`], in order; none
/// for an empty slice.
pub fn batches(evaluations: &[Evaluation]) -> std::slice::Chunks<'_, Evaluation> {
    evaluations.chunks(MAX_EVALUATIONS_PER_CALL)
}

/// The first step of the stale-result cleanup after a sweep: every previously reported
/// resource id that the sweep did not list, each once, in first-seen order; never one
/// the sweep saw.
///
/// These are only candidates. ListSecrets lags writes ("might not reflect changes from
/// the last five minutes", its API reference), so a secret created just before the
/// sweep may be missing from the listing although it exists: each candidate is set
/// NOT_APPLICABLE ([`Evaluation::confirmed_gone`]) only after DescribeSecret does not
/// find it.
pub fn stale_candidates<'a>(
    previously_reported: impl IntoIterator<Item = &'a str>,
    seen: &HashSet<String>,
) -> Vec<&'a str> {
    let mut emitted: HashSet<&str> = HashSet::new();
    previously_reported
        .into_iter()
        .filter(|id| !seen.contains(*id) && emitted.insert(id))
        .collect()
}

impl Evaluation {
    /// The cleanup's NOT_APPLICABLE (row 1) for a previously reported secret that the
    /// sweep did not list and DescribeSecret does not find.
    pub fn confirmed_gone(resource_id: &str, ordering_timestamp: DateTime<Utc>) -> Evaluation {
        Evaluation {
            resource_type: SECRET_RESOURCE_TYPE.to_owned(),
            resource_id: resource_id.to_owned(),
            compliance: Compliance::NotApplicable,
            annotation: Annotation::new(
                "The secret is no longer present: the latest periodic sweep did not list it \
                 and DescribeSecret does not find it.",
            ),
            ordering_timestamp,
        }
    }
}
