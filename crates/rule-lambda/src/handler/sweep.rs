//! A scheduled notification: sweep every secret with listing as the only wait, then clean
//! up the results of secrets that no longer exist (confirmed with DescribeSecret:
//! ListSecrets lags writes, so "not listed" is not "gone").
//!
//! Four parts run at once, joined in one task and linked by bounded channels:
//!
//! | part | calls | runs |
//! |---|---|---|
//! | listing | ListSecrets | page after page (each needs the last page's token): the floor |
//! | deciding | DescribeSecret (8 at a time), DescribeKey (16 at a time, cached) | on each listed page while the next ones are listed |
//! | reporting | PutEvaluations, one call in flight | each full batch of 100 as soon as it is decided |
//! | read-back | GetComplianceDetailsByConfigRule | from the start, page after page |
//!
//! At most [`PAGES_AHEAD`] pages wait between two parts, so memory stays bounded whatever
//! the estate (the read-back and the set of secrets seen grow with it, as they must). The
//! calls are exactly those of a sweep done one step after another: only their timing
//! changes. With `reportChangesOnly`, reporting waits for the read-back (pages keep being
//! listed and decided meanwhile; their evaluations wait, at most one per secret, like the
//! read-back itself) and then puts only what Config does not already hold.

use super::held::{Held, ReadBack};
use super::reporter::Reporter;
use crate::connector::AccountServices;
use crate::error::RuleError;
use crate::report::Report;
use chrono::{DateTime, Utc};
use rule_core::{
    Compliance, ConfigRuleEvent, Decision, Evaluation, MAX_EVALUATIONS_PER_CALL,
    SECRET_RESOURCE_TYPE, stale_candidates,
};
use secrets_cmk_aws::{
    AwsError, ComplianceResults, ListedSecret, Listing, PageDecider, SweepItem, Unlisted,
    recheck_unlisted,
};
use std::collections::HashSet;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, oneshot};

/// Pages that may wait between listing and deciding, and between deciding and reporting.
/// With the page being listed, the one being decided and the one being reported, at most
/// 7 pages of 100 secrets are in memory at once.
pub(super) const PAGES_AHEAD: usize = 2;

/// How the listing ended.
enum ListingEnd {
    /// Every page was listed, or the parts after it stopped taking pages.
    Done,
    /// ListSecrets failed (after the SDK's retries).
    Failed(AwsError),
    /// The margin before the deadline was reached; `mid_page` if a page was being listed.
    OutOfTime { mid_page: bool },
}

/// How deciding ended.
enum DecidingEnd {
    /// Every listed page was decided (or reporting stopped taking them).
    Done,
    /// The margin was reached with a listed page not decided: it was abandoned.
    OutOfTime,
}

/// What reporting got through.
struct Reported {
    /// Pages whose every secret was decided and collected.
    pages: u64,
    /// Resource ids of every secret decided.
    seen: HashSet<String>,
    /// Evaluations not yet put (fewer than a batch), joined with the cleanup's.
    pending: Vec<Evaluation>,
    /// What the read-back found.
    read_back: ReadBack,
}

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
        let store = self.services.store();
        let mut listing = Listing::new(store);
        let mut decider = PageDecider::new(store, self.services.keys(), params);
        let (listed_tx, listed_rx) = mpsc::channel(PAGES_AHEAD);
        let (decided_tx, decided_rx) = mpsc::channel(PAGES_AHEAD);
        let (held_tx, held_rx) = oneshot::channel();
        let (listing_end, deciding_end, reported, ()) = tokio::join!(
            self.list(&mut listing, listed_tx),
            self.decide(&mut decider, listed_rx, decided_tx),
            self.report_pages(decided_rx, held_rx, report),
            self.read_back(held_tx),
        );
        let Reported {
            pages,
            seen,
            mut pending,
            read_back,
        } = reported?;
        tracing::debug!(
            pages = listing.pages(),
            keys_described = decider.keys_described(),
            "sweep listed"
        );

        let cleanup = match (listing_end, deciding_end) {
            (ListingEnd::OutOfTime { mid_page }, DecidingEnd::Done) => {
                report.incomplete = Some(stopped_early(pages, seen.len(), mid_page));
                Ok(Vec::new())
            }
            (_, DecidingEnd::OutOfTime) => {
                report.incomplete = Some(stopped_early(pages, seen.len(), true));
                Ok(Vec::new())
            }
            (ListingEnd::Failed(err), DecidingEnd::Done) => {
                // What was decided is reported; the rest is unknown, so no cleanup either
                // (a secret not listed is not a secret that is gone).
                report.incomplete = Some(format!(
                    "ListSecrets failed after {} page(s), {} secret(s) seen: {err}",
                    listing.pages(),
                    seen.len()
                ));
                Ok(Vec::new())
            }
            (ListingEnd::Done, DecidingEnd::Done) => {
                self.clean_up_stale(&seen, read_back, report).await
            }
        };
        // The last partial batch goes with the cleanup's evaluations: one call, not two.
        let (cleaned, cleanup_error) = match cleanup {
            Ok(evaluations) => (evaluations, None),
            Err(err) => (Vec::new(), Some(err)),
        };
        pending.extend(cleaned);
        self.put_all(&pending, report).await?;
        cleanup_error.map_or(Ok(()), Err)
    }

    /// List every page into `listed`, each within the time left before the margin.
    async fn list(
        &self,
        listing: &mut Listing<'_, S::Store>,
        listed: mpsc::Sender<Vec<ListedSecret>>,
    ) -> ListingEnd {
        while !listing.is_done() {
            if self.out_of_time() {
                return ListingEnd::OutOfTime { mid_page: false };
            }
            // A slow or throttled page must not eat the time reserved for reporting what
            // was already decided.
            match self.before_stop(listing.next_page()).await {
                None => return ListingEnd::OutOfTime { mid_page: true },
                Some(Err(err)) => return ListingEnd::Failed(err),
                Some(Ok(None)) => break,
                Some(Ok(Some(page))) => {
                    if listed.send(page).await.is_err() {
                        break;
                    }
                }
            }
        }
        ListingEnd::Done
    }

    /// Decide each listed page into `decided`, each within the time left.
    async fn decide(
        &self,
        decider: &mut PageDecider<'_, S::Store, S::Keys>,
        mut listed: mpsc::Receiver<Vec<ListedSecret>>,
        decided: mpsc::Sender<Vec<SweepItem>>,
    ) -> DecidingEnd {
        while let Some(page) = listed.recv().await {
            if self.out_of_time() {
                return DecidingEnd::OutOfTime;
            }
            let Some(items) = self.before_stop(decider.decide(page)).await else {
                return DecidingEnd::OutOfTime;
            };
            if decided.send(items).await.is_err() {
                break;
            }
        }
        DecidingEnd::Done
    }

    /// Collect each decided page and put every full batch at once (with
    /// `reportChangesOnly`, once the read-back says what Config holds). A put in flight
    /// is never cut; a failed put ends the sweep with its error.
    async fn report_pages(
        &self,
        mut decided: mpsc::Receiver<Vec<SweepItem>>,
        mut held_rx: oneshot::Receiver<ReadBack>,
        report: &mut Report,
    ) -> Result<Reported, RuleError> {
        let changes_only = self.event.rule_parameters.report_changes_only;
        let mut read_back: Option<ReadBack> = None;
        let mut pages = 0;
        let mut seen = HashSet::new();
        let mut pending: Vec<Evaluation> = Vec::new();
        loop {
            let page = if changes_only && read_back.is_none() {
                tokio::select! {
                    outcome = &mut held_rx => {
                        read_back = Some(outcome.unwrap_or(ReadBack::NotRead));
                        None
                    }
                    page = decided.recv() => Some(page),
                }
            } else {
                Some(decided.recv().await)
            };
            match page {
                Some(None) => break,
                Some(Some(items)) => {
                    pages += 1;
                    for item in items {
                        seen.insert(item.secret.resource_id.clone());
                        self.collect(item, &mut pending, report);
                    }
                }
                None => {}
            }
            if changes_only && read_back.is_none() {
                continue;
            }
            if let Some(held) = read_back.as_ref().and_then(ReadBack::held) {
                drop_unchanged(held, &mut pending, report);
            }
            let full = pending.len() / MAX_EVALUATIONS_PER_CALL * MAX_EVALUATIONS_PER_CALL;
            let ready: Vec<Evaluation> = pending.drain(..full).collect();
            self.put_all(&ready, report).await?;
        }
        let read_back = match read_back {
            Some(read_back) => read_back,
            None => held_rx.await.unwrap_or(ReadBack::NotRead),
        };
        if changes_only && let Some(held) = read_back.held() {
            drop_unchanged(held, &mut pending, report);
        }
        Ok(Reported {
            pages,
            seen,
            pending,
            read_back,
        })
    }

    /// Read back the rule's results, from the start of the sweep, within the time left:
    /// COMPLIANT and NON_COMPLIANT for the cleanup, NOT_APPLICABLE too with
    /// `reportChangesOnly`. Nothing is read in TestMode (nothing is recorded) or when the
    /// event names no rule.
    async fn read_back(&self, held: oneshot::Sender<ReadBack>) {
        let outcome = match self.event.config_rule_name.as_deref() {
            None => ReadBack::NotRead,
            Some(_) if self.reporter.test_mode => ReadBack::NotRead,
            Some(_) if self.out_of_time() => ReadBack::OutOfTime,
            Some(rule_name) => {
                let compliance: &[Compliance] = if self.event.rule_parameters.report_changes_only {
                    &[
                        Compliance::Compliant,
                        Compliance::NonCompliant,
                        Compliance::NotApplicable,
                    ]
                } else {
                    &[Compliance::Compliant, Compliance::NonCompliant]
                };
                let config = self.services.config();
                let results = config.reported_results(rule_name, SECRET_RESOURCE_TYPE, compliance);
                match self.before_stop(results).await {
                    None => ReadBack::OutOfTime,
                    Some(Err(err)) => ReadBack::Failed(err),
                    Some(Ok(results)) => ReadBack::Read(Held::new(results)),
                }
            }
        };
        // Reporting may have ended with an error already: then nobody needs it.
        let _ = held.send(outcome);
    }

    /// A decided secret's evaluation joins `pending`; one without a verdict is skipped.
    fn collect(&self, item: SweepItem, pending: &mut Vec<Evaluation>, report: &mut Report) {
        match item.decision {
            Decision::Verdict(verdict) => pending.push(Evaluation::for_secret(
                &item.secret,
                &verdict,
                self.ordering_timestamp,
            )),
            Decision::Unverifiable { reason } => report.skip(item.secret.resource_id, reason),
        }
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

    /// The evaluations that make results of secrets that no longer exist NOT_APPLICABLE.
    /// Only after a complete sweep, and not in TestMode (there is nothing recorded to
    /// clean).
    ///
    /// A result the sweep did not list is only a candidate: DescribeSecret is asked about
    /// each (a handful in steady state). Not found: NOT_APPLICABLE. Found (ListSecrets
    /// lagged): decided and reported like any listed secret. DescribeSecret failed: the
    /// result is left as it is, naming it. The read-back failed: the invocation fails.
    async fn clean_up_stale(
        &self,
        seen: &HashSet<String>,
        read_back: ReadBack,
        report: &mut Report,
    ) -> Result<Vec<Evaluation>, RuleError> {
        if self.event.config_rule_name.is_none() {
            tracing::warn!("the event names no configRuleName: stale results are not cleaned up");
            return Ok(Vec::new());
        }
        if self.reporter.test_mode {
            return Ok(Vec::new());
        }
        // Cleanup is new work: not started inside the margin, and given only the time
        // left before it.
        let near_deadline = || {
            format!(
                "every secret was evaluated ({} secret(s)), but the invocation deadline was \
                 near: results of secrets that no longer exist were not cleaned up",
                seen.len()
            )
        };
        let held = match read_back {
            ReadBack::Read(held) if !self.out_of_time() => held,
            ReadBack::Failed(err) => return Err(RuleError::Aws(err)),
            _ => {
                report.incomplete = Some(near_deadline());
                return Ok(Vec::new());
            }
        };
        let candidates = stale_candidates(held.cleanable_ids(), seen);
        let rechecked = self
            .before_stop(recheck_unlisted(
                self.services.store(),
                self.services.keys(),
                &self.event.rule_parameters,
                &candidates,
            ))
            .await;
        let Some(rechecked) = rechecked else {
            report.incomplete = Some(near_deadline());
            return Ok(Vec::new());
        };
        let mut evaluations = Vec::new();
        for (resource_id, unlisted) in rechecked {
            match unlisted {
                Unlisted::Gone => {
                    report.cleaned_up += 1;
                    evaluations.push(Evaluation::confirmed_gone(
                        &resource_id,
                        self.ordering_timestamp,
                    ));
                }
                Unlisted::Present(item) => {
                    report.listed_late += 1;
                    self.collect(item, &mut evaluations, report);
                }
                Unlisted::Failed(err) => report.skip(
                    resource_id,
                    format!("not listed, and DescribeSecret failed, so its result was kept: {err}"),
                ),
            }
        }
        Ok(evaluations)
    }
}

/// With `reportChangesOnly`: what Config already holds is not put again (and counted).
fn drop_unchanged(held: &Held, pending: &mut Vec<Evaluation>, report: &mut Report) {
    let before = pending.len();
    pending.retain(|evaluation| !held.holds(evaluation));
    report.unchanged += (before - pending.len()) as u64;
}

/// How far a sweep got when the deadline stopped it.
fn stopped_early(pages: u64, secrets: usize, page_abandoned: bool) -> String {
    let abandoned = if page_abandoned {
        format!(" (page {} was abandoned unfinished)", pages + 1)
    } else {
        String::new()
    };
    format!(
        "the invocation deadline was near: the sweep stopped after {pages} page(s) of \
         ListSecrets, {secrets} secret(s) seen{abandoned}; the rest were not evaluated"
    )
}
