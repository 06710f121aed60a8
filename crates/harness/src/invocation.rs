//! [`Invocation`]: what one invocation of the rule returned and every PutEvaluations
//! call it made, with the assertions the end-to-end tests make on them. "Exactly once"
//! is about the calls, so every call is kept, not only the last word per resource.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::emulator::RecordedEvaluation;
use crate::runtime_api::InvocationOutcome;

/// The longest annotation Config accepts, in characters.
pub const MAX_ANNOTATION_CHARS: usize = 256;

/// What one invocation returned and every PutEvaluations call made with its token.
#[derive(Debug)]
pub struct Invocation {
    /// The response or error the function posted.
    pub outcome: InvocationOutcome,
    /// Every PutEvaluations call, in order, each with its evaluations.
    pub calls: Vec<Vec<RecordedEvaluation>>,
}

/// The verdict on one resource (as reported, or as Config stored it): what the same
/// estate must always get.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Verdict {
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE`...
    pub compliance: String,
    /// The annotation, if any.
    pub annotation: Option<String>,
}

impl Invocation {
    /// Every evaluation of every call, in order.
    pub fn evaluations(&self) -> impl Iterator<Item = &RecordedEvaluation> {
        self.calls.iter().flatten()
    }

    /// How many evaluations each PutEvaluations call carried.
    pub fn batch_sizes(&self) -> Vec<usize> {
        self.calls.iter().map(Vec::len).collect()
    }

    /// How many times each resource was reported.
    pub fn times_reported(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for evaluation in self.evaluations() {
            *counts.entry(evaluation.resource_id.as_str()).or_default() += 1;
        }
        counts
    }

    /// How many distinct resources were reported.
    pub fn resources_reported(&self) -> usize {
        self.times_reported().len()
    }

    /// The verdict per resource, asserting each resource was reported once.
    pub fn verdicts(&self) -> BTreeMap<String, Verdict> {
        let mut verdicts = BTreeMap::new();
        for evaluation in self.evaluations() {
            let verdict = Verdict {
                compliance: evaluation.compliance_type.clone(),
                annotation: evaluation.annotation.clone(),
            };
            let previous = verdicts.insert(evaluation.resource_id.clone(), verdict);
            assert!(
                previous.is_none(),
                "{} reported twice in one invocation",
                evaluation.resource_id
            );
        }
        verdicts
    }

    /// The last evaluation reported for `resource_id`; panics, listing what was
    /// reported, when there is none.
    pub fn last_evaluation_of(&self, resource_id: &str) -> &RecordedEvaluation {
        self.evaluations()
            .filter(|evaluation| evaluation.resource_id == resource_id)
            .last()
            .unwrap_or_else(|| {
                let reported: Vec<_> = self.times_reported().into_keys().collect();
                panic!("no evaluation for {resource_id}; reported: {reported:#?}")
            })
    }

    /// Asserts the compliance of `resource_id` (its last evaluation), that its
    /// annotation mentions each of `mentions` (case-insensitive), and that the
    /// annotation fits Config's limit.
    pub fn assert_verdict(&self, resource_id: &str, compliance: &str, mentions: &[&str]) {
        let evaluation = self.last_evaluation_of(resource_id);
        assert_eq!(
            evaluation.compliance_type, compliance,
            "{resource_id}: {evaluation:#?}"
        );
        let annotation = evaluation.annotation.clone().unwrap_or_default();
        for word in mentions {
            assert!(
                annotation.to_lowercase().contains(&word.to_lowercase()),
                "{resource_id}: annotation {annotation:?} should mention {word:?}"
            );
        }
        assert!(
            annotation.chars().count() <= MAX_ANNOTATION_CHARS,
            "annotation too long: {annotation}"
        );
    }

    /// The function's response; panics with the error when the invocation failed.
    pub fn assert_succeeded(&self) -> &Value {
        match &self.outcome {
            InvocationOutcome::Response(response) => response,
            other @ InvocationOutcome::Error { .. } => panic!("the invocation failed: {other:?}"),
        }
    }

    /// `(errorType, errorMessage)`; panics when the invocation did not fail.
    pub fn assert_failed(&self) -> (&str, &str) {
        match &self.outcome {
            InvocationOutcome::Error {
                error_type,
                error_message,
            } => (error_type, error_message),
            other @ InvocationOutcome::Response(_) => {
                panic!("the invocation should have failed: {other:?}")
            }
        }
    }
}
