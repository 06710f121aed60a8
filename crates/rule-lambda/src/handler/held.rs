//! What Config holds for the rule, read back while a sweep lists: the stale-result
//! cleanup's candidates, and (`reportChangesOnly`) the results not worth putting again.

use rule_core::{Compliance, Evaluation};
use secrets_cmk_aws::{AwsError, ReportedResult};
use std::collections::HashMap;

/// The outcome of the read-back.
#[derive(Debug)]
pub(super) enum ReadBack {
    /// Not read: TestMode (nothing is recorded) or no rule name in the event.
    NotRead,
    /// Not read, or not finished, before the margin before the deadline.
    OutOfTime,
    /// GetComplianceDetailsByConfigRule failed (after the SDK's retries).
    Failed(AwsError),
    /// What Config holds.
    Read(Held),
}

impl ReadBack {
    /// The results, when they were read.
    pub(super) fn held(&self) -> Option<&Held> {
        match self {
            ReadBack::Read(held) => Some(held),
            _ => None,
        }
    }
}

/// The rule's results, in Config's order, indexed by resource id.
#[derive(Debug)]
pub(super) struct Held {
    results: Vec<ReportedResult>,
    by_id: HashMap<String, usize>,
}

impl Held {
    pub(super) fn new(results: Vec<ReportedResult>) -> Held {
        let by_id = results
            .iter()
            .enumerate()
            .map(|(index, result)| (result.resource_id.clone(), index))
            .collect();
        Held { results, by_id }
    }

    /// Whether Config already holds exactly `evaluation`'s compliance and annotation.
    pub(super) fn holds(&self, evaluation: &Evaluation) -> bool {
        self.by_id
            .get(&evaluation.resource_id)
            .and_then(|&index| self.results.get(index))
            .is_some_and(|held| held.matches(evaluation))
    }

    /// Resource ids with a COMPLIANT or NON_COMPLIANT result: a NOT_APPLICABLE result
    /// needs no cleanup (it is what the cleanup puts).
    pub(super) fn cleanable_ids(&self) -> impl Iterator<Item = &str> {
        self.results
            .iter()
            .filter(|result| result.compliance != Compliance::NotApplicable)
            .map(|result| result.resource_id.as_str())
    }
}
