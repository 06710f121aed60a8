//! What one invocation did: verdict counts, what it could not verify, API calls, time.
//! Logged as one summary line and returned as the invocation's response.

use rule_core::Compliance;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The running account of one invocation.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    /// Evaluations reported, by compliance type.
    pub reported: BTreeMap<&'static str, u64>,
    /// Stale results set to NOT_APPLICABLE by the cleanup (also counted in `reported`).
    pub cleaned_up: u64,
    /// Secrets with a result that the sweep did not list but DescribeSecret found
    /// (ListSecrets lagging): decided and reported, not cleaned up.
    pub listed_late: u64,
    /// Evaluations not put because Config already holds the same compliance and
    /// annotation for the resource (`reportChangesOnly`).
    pub unchanged: u64,
    /// Resources with no verdict, and why.
    pub skipped: Vec<(String, String)>,
    /// Set when the invocation stopped before finishing (deadline, listing failure).
    pub incomplete: Option<String>,
    /// AWS rejected the member account's credentials once, the role was assumed again
    /// and this is the account of the second attempt.
    pub renewed_credentials: bool,
}

impl Report {
    /// Count `n` reported evaluations of one compliance type.
    pub fn count(&mut self, compliance: Compliance, n: u64) {
        *self.reported.entry(compliance.as_str()).or_insert(0) += n;
    }

    /// Total evaluations reported.
    pub fn total_reported(&self) -> u64 {
        self.reported.values().sum()
    }

    /// Note a resource that got no verdict.
    pub fn skip(&mut self, resource_id: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push((resource_id.into(), reason.into()));
    }

    /// The invocation's response body / summary fields.
    pub fn to_json(
        &self,
        message_type: &str,
        calls: &BTreeMap<&'static str, u64>,
        elapsed_ms: u128,
    ) -> Value {
        json!({
            "messageType": message_type,
            "reported": self.reported,
            "cleanedUp": self.cleaned_up,
            "listedLate": self.listed_late,
            "unchanged": self.unchanged,
            "renewedCredentials": self.renewed_credentials,
            "skipped": self.skipped.len(),
            "incomplete": self.incomplete,
            "apiCalls": calls,
            "elapsedMs": elapsed_ms,
        })
    }

    /// A one-paragraph account of what was skipped or left undone, for the error message.
    /// Names up to `limit` skipped resources (an organization sweep can skip thousands).
    pub fn problems(&self, limit: usize) -> Option<String> {
        if self.skipped.is_empty() && self.incomplete.is_none() {
            return None;
        }
        let mut parts = Vec::new();
        if let Some(incomplete) = &self.incomplete {
            parts.push(incomplete.clone());
        }
        if !self.skipped.is_empty() {
            let named: Vec<String> = self
                .skipped
                .iter()
                .take(limit)
                .map(|(id, reason)| format!("{id} ({reason})"))
                .collect();
            let more = self.skipped.len().saturating_sub(limit);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            parts.push(format!(
                "{} secret(s) got no verdict because their facts could not be verified: {}{}",
                self.skipped.len(),
                named.join("; "),
                tail
            ));
        }
        parts.push(format!(
            "{} evaluation(s) were reported",
            self.total_reported()
        ));
        Some(parts.join(". "))
    }
}

/// The difference of two call tallies: the calls one invocation made.
pub fn calls_since(
    before: &BTreeMap<&'static str, u64>,
    after: &BTreeMap<&'static str, u64>,
) -> BTreeMap<&'static str, u64> {
    after
        .iter()
        .map(|(op, n)| (*op, n - before.get(op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}
