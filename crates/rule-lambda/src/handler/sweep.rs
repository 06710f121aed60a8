//! A scheduled notification: sweep every secret page by page, report while the next page
//! is listed, then clean up the results of secrets that no longer exist.

use super::reporter::Reporter;
use crate::connector::AccountServices;
use crate::error::RuleError;
use crate::report::Report;
use chrono::{DateTime, Utc};
use rule_core::{
    ConfigRuleEvent, Decision, Evaluation, MAX_EVALUATIONS_PER_CALL, SECRET_RESOURCE_TYPE,
    stale_evaluations,
};
use secrets_cmk_aws::{AwsError, ComplianceResults, Sweep};
use std::collections::HashSet;
use std::time::{Duration, SystemTime};

/// One periodic sweep of an account and region.
pub(super) struct SweepRun<'a, S: AccountServices> {
    pub(super) services: &'a S,
    pub(super) event: &'a ConfigRuleEvent,
    pub(super) reporter: &'a Reporter<'a, S::Config>,
    pub(super) ordering_timestamp: DateTime<Utc>,
    pub(super) stop_at: Option<SystemTime>,
}

impl<S: AccountServices> SweepRun<'_, S> {
    pub(super) async fn run(&self, report: &mut Report) -> Result<(), RuleError> {
        let params = &self.event.rule_parameters;
        let mut sweep = Sweep::new(self.services.store(), self.services.keys(), params);
        let mut seen: HashSet<String> = HashSet::new();
        let mut pending: Vec<Evaluation> = Vec::new();
        let mut listing_error: Option<AwsError> = None;
        // Pages whose every secret was decided (a page abandoned at the deadline is not).
        let mut pages_decided: u64 = 0;

        while !sweep.is_done() {
            if self.out_of_time() {
                report.incomplete = Some(stopped_early(pages_decided, seen.len(), ""));
                break;
            }
            // Report full batches while the next page is being listed and decided. The
            // page (ListSecrets with its retries, DescribeSecret, DescribeKey) is given
            // only the time left before the margin: a slow or throttled page must not eat
            // the time reserved for reporting what was already decided. A put in flight
            // is never cut.
            let full = pending.len() / MAX_EVALUATIONS_PER_CALL * MAX_EVALUATIONS_PER_CALL;
            let ready: Vec<Evaluation> = pending.drain(..full).collect();
            let (page, put) = tokio::join!(
                self.before_stop(sweep.next_page()),
                self.put_all(&ready, report)
            );
            put?;
            let Some(page) = page else {
                let abandoned = format!(" (page {} was abandoned unfinished)", pages_decided + 1);
                report.incomplete = Some(stopped_early(pages_decided, seen.len(), &abandoned));
                break;
            };
            match page {
                Ok(Some(items)) => {
                    pages_decided += 1;
                    for item in items {
                        seen.insert(item.secret.resource_id.clone());
                        match item.decision {
                            Decision::Verdict(verdict) => pending.push(Evaluation::for_secret(
                                &item.secret,
                                &verdict,
                                self.ordering_timestamp,
                            )),
                            Decision::Unverifiable { reason } => {
                                report.skip(item.secret.resource_id, reason)
                            }
                        }
                    }
                }
                Ok(None) => break,
                Err(err) => {
                    listing_error = Some(err);
                    break;
                }
            }
        }
        self.put_all(&pending, report).await?;
        tracing::debug!(
            pages = sweep.pages(),
            keys_described = sweep.keys_described(),
            "sweep listed"
        );

        if let Some(err) = listing_error {
            // What was decided is reported; the rest is unknown, so no cleanup either
            // (a secret not listed is not a secret that is gone).
            report.incomplete = Some(format!(
                "ListSecrets failed after {} page(s), {} secret(s) seen: {err}",
                sweep.pages(),
                seen.len()
            ));
            return Ok(());
        }
        if report.incomplete.is_none() {
            self.clean_up_stale(&seen, report).await?;
        }
        Ok(())
    }

    fn out_of_time(&self) -> bool {
        self.stop_at
            .is_some_and(|stop_at| SystemTime::now() >= stop_at)
    }

    /// `work`, unless the margin before the deadline is reached first (`None`).
    async fn before_stop<F: std::future::Future>(&self, work: F) -> Option<F::Output> {
        let Some(stop_at) = self.stop_at else {
            return Some(work.await);
        };
        let left = stop_at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        tokio::time::timeout(left, work).await.ok()
    }

    async fn put_all(
        &self,
        evaluations: &[Evaluation],
        report: &mut Report,
    ) -> Result<(), RuleError> {
        for batch in rule_core::batches(evaluations) {
            self.reporter.put(batch, report).await?;
        }
        Ok(())
    }

    /// Results for secrets that no longer exist become NOT_APPLICABLE. Only after a
    /// complete sweep, and not in TestMode (there is nothing recorded to clean).
    async fn clean_up_stale(
        &self,
        seen: &HashSet<String>,
        report: &mut Report,
    ) -> Result<(), RuleError> {
        let Some(rule_name) = self.event.config_rule_name.as_deref() else {
            tracing::warn!("the event names no configRuleName: stale results are not cleaned up");
            return Ok(());
        };
        if self.reporter.test_mode {
            return Ok(());
        }
        // Cleanup is new work: not started inside the margin, and given only the time
        // left before it.
        let reported = if self.out_of_time() {
            None
        } else {
            self.before_stop(
                self.services
                    .config()
                    .reported_resource_ids(rule_name, SECRET_RESOURCE_TYPE),
            )
            .await
        };
        let Some(reported) = reported else {
            report.incomplete = Some(format!(
                "every secret was evaluated ({} secret(s)), but the invocation deadline was \
                 near: results of secrets that no longer exist were not cleaned up",
                seen.len()
            ));
            return Ok(());
        };
        let reported = reported.map_err(RuleError::Aws)?;
        let stale = stale_evaluations(
            reported.iter().map(String::as_str),
            seen,
            self.ordering_timestamp,
        );
        report.cleaned_up += stale.len() as u64;
        self.put_all(&stale, report).await
    }
}

/// How far a sweep got when the deadline stopped it.
fn stopped_early(pages: u64, secrets: usize, detail: &str) -> String {
    format!(
        "the invocation deadline was near: the sweep stopped after {pages} page(s) of \
         ListSecrets, {secrets} secret(s) seen{detail}; the rest were not evaluated"
    )
}
