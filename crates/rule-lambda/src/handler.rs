//! The rule: event in, evaluations out.
//!
//! The handler parses and validates the event (rule-core), reaches the evaluated
//! account, gathers facts, lets rule-core decide, and reports through PutEvaluations:
//!
//! - a change (or oversized change) notification reports its one resource only;
//!   reporting anything else would wipe the other resources' results;
//! - a scheduled notification sweeps every secret, reporting page by page while the
//!   next page is listed, then cleans up results of secrets that no longer exist.
//!
//! A secret whose facts cannot be verified gets no verdict; everything else is still
//! reported and the invocation then fails, naming what was skipped.

use crate::connector::{AccountServices, Connector};
use crate::error::RuleError;
use crate::report::{Report, calls_since};
use chrono::{DateTime, Utc};
use rule_core::{
    Annotation, Compliance, ConfigRuleEvent, ConfigurationItem, ConfigurationItemSummary, Decision,
    Evaluation, InvokingEvent, MAX_EVALUATIONS_PER_CALL, SECRET_RESOURCE_TYPE, SecretFacts,
    Verdict, resource_gone, stale_evaluations,
};
use secrets_cmk_aws::{
    AwsError, ComplianceResults, ConfigHistory, EvaluationSink, KeyCache, SecretStore, Sweep,
    evaluate_secret,
};
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime};

/// How many skipped secrets an error message names before it says "and N more".
const SKIPPED_NAMED_IN_ERROR: usize = 20;

/// Settings that come from the Lambda's environment, not from the event.
#[derive(Debug, Clone)]
pub struct HandlerSettings {
    /// Role to assume in member accounts (`SECRETS_CMK_EXECUTION_ROLE_NAME`). When set,
    /// an `executionRoleName` rule parameter must equal it; when unset, the parameter
    /// names the role.
    pub execution_role_name: Option<String>,
    /// The sweep stops starting new work (pages, the stale-result cleanup) when less
    /// than this is left before the invocation's deadline, and a page in flight gets only
    /// the time left before it, so what was decided is reported instead of being killed
    /// mid-batch (`SECRETS_CMK_DEADLINE_MARGIN_MS`). It must cover two PutEvaluations.
    pub deadline_margin: Duration,
}

impl Default for HandlerSettings {
    fn default() -> HandlerSettings {
        HandlerSettings {
            execution_role_name: None,
            deadline_margin: Duration::from_secs(10),
        }
    }
}

/// What the invocation context tells the handler.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The ARN the function was invoked by: gives the Lambda's own account and partition.
    pub invoked_function_arn: String,
    /// When Lambda will stop the invocation.
    pub deadline: SystemTime,
}

/// The rule's handler, generic over where its AWS capabilities come from.
#[derive(Debug)]
pub struct RuleHandler<C> {
    connector: C,
    settings: HandlerSettings,
}

impl<C: Connector> RuleHandler<C> {
    /// A handler that reaches accounts through `connector`.
    pub fn new(connector: C, settings: HandlerSettings) -> RuleHandler<C> {
        RuleHandler {
            connector,
            settings,
        }
    }

    /// Handle one invocation: the response body on success, or why it failed.
    pub async fn handle(&self, event: &Value, invocation: &Invocation) -> Result<Value, RuleError> {
        let started = Instant::now();
        let calls_before = self.connector.calls().snapshot();
        let message_type = message_type_of(event);
        let mut report = Report::default();
        let result = self.run(event, invocation, &mut report).await;
        let calls = calls_since(&calls_before, &self.connector.calls().snapshot());
        let elapsed_ms = started.elapsed().as_millis();
        let summary = report.to_json(&message_type, &calls, elapsed_ms);
        tracing::info!(
            message_type = %message_type,
            reported = %serde_json::to_string(&report.reported).unwrap_or_default(),
            compliant = report.reported.get("COMPLIANT").copied().unwrap_or(0),
            non_compliant = report.reported.get("NON_COMPLIANT").copied().unwrap_or(0),
            not_applicable = report.reported.get("NOT_APPLICABLE").copied().unwrap_or(0),
            cleaned_up = report.cleaned_up,
            skipped = report.skipped.len(),
            api_calls = %serde_json::to_string(&calls).unwrap_or_default(),
            elapsed_ms = elapsed_ms as u64,
            outcome = if result.is_ok() { "ok" } else { "error" },
            "invocation summary"
        );
        match result {
            Err(error) => {
                tracing::error!(error = %error.full_message(), retryable = error.is_retryable(), "invocation failed");
                Err(error)
            }
            Ok(()) => match report.problems(SKIPPED_NAMED_IN_ERROR) {
                Some(problems) => {
                    tracing::error!(error = %problems, "invocation incomplete");
                    Err(RuleError::Incomplete(problems))
                }
                None => Ok(summary),
            },
        }
    }

    async fn run(
        &self,
        event: &Value,
        invocation: &Invocation,
        report: &mut Report,
    ) -> Result<(), RuleError> {
        let event = ConfigRuleEvent::parse(event).map_err(|e| {
            if e.is_parameter_error() {
                RuleError::InvalidParameters(e)
            } else {
                RuleError::InvalidEvent(e)
            }
        })?;
        let (partition, own_account) = function_account(&invocation.invoked_function_arn)?;
        let role_name = execution_role(
            event.rule_parameters.execution_role_name.as_deref(),
            self.settings.execution_role_name.as_deref(),
        )?;
        refuse_foreign_items(&event)?;
        let services = self
            .connector
            .connect(&own_account, &event.account_id, &partition, role_name)
            .await
            .map_err(RuleError::AccountAccess)?;
        let reporter = Reporter {
            sink: services.config(),
            result_token: &event.result_token,
            test_mode: event.is_test_mode(),
        };
        let ordering_timestamp = event.invoking_event.ordering_timestamp(Utc::now());
        match &event.invoking_event {
            InvokingEvent::ConfigurationItemChange {
                configuration_item, ..
            } => {
                let decided =
                    evaluate_item(&*services, &event, configuration_item, ordering_timestamp)
                        .await?;
                reporter.report_one(decided, report).await
            }
            InvokingEvent::OversizedConfigurationItemChange { summary, .. } => {
                let decided = evaluate_oversized(&*services, &event, summary).await?;
                reporter.report_one(decided, report).await
            }
            InvokingEvent::Scheduled { .. } => {
                let sweep = SweepRun {
                    services: &*services,
                    event: &event,
                    reporter: &reporter,
                    ordering_timestamp,
                    stop_at: invocation
                        .deadline
                        .checked_sub(self.settings.deadline_margin),
                };
                sweep.run(report).await
            }
        }
    }
}

/// One resource's outcome on a change notification.
enum Decided {
    Evaluation(Evaluation),
    Skipped { resource_id: String, reason: String },
}

/// Rows 1-12 for the resource of a change notification's configuration item.
async fn evaluate_item<S: AccountServices>(
    services: &S,
    event: &ConfigRuleEvent,
    item: &ConfigurationItem,
    ordering_timestamp: DateTime<Utc>,
) -> Result<Decided, RuleError> {
    let report = |verdict: Verdict| {
        reported(
            &item.resource_type,
            &item.resource_id,
            &verdict,
            ordering_timestamp,
        )
    };
    if let Some(verdict) = resource_gone(item.status, event.event_left_scope) {
        return Ok(report(verdict));
    }
    if let Some(verdict) = out_of_scope(&item.resource_type, &item.resource_id) {
        return Ok(report(verdict));
    }
    let mut facts = SecretFacts::from_configuration_item(item).map_err(RuleError::InvalidEvent)?;
    // The configuration item has the key and tags but no deletion date, owner or
    // replicas: those come from DescribeSecret.
    match services.store().describe(&facts.arn).await {
        Ok(Some(current)) => {
            facts.deleted_date = current.deleted_date;
            facts.owning_service = current.owning_service;
            facts.replicas = current.replicas;
        }
        Ok(None) => {
            let verdict = not_applicable(format!("secret {} no longer exists", facts.name));
            return Ok(report(verdict));
        }
        Err(err) => return Ok(skipped(&facts.resource_id, &err)),
    }
    Ok(decide_one(services, event, facts, ordering_timestamp).await)
}

/// An oversized notification carries only a summary: fetch the item from Config, or
/// when Config no longer has it, ask Secrets Manager directly.
async fn evaluate_oversized<S: AccountServices>(
    services: &S,
    event: &ConfigRuleEvent,
    summary: &ConfigurationItemSummary,
) -> Result<Decided, RuleError> {
    let ordering_timestamp = summary.capture_time;
    let report = |verdict: Verdict| {
        reported(
            &summary.resource_type,
            &summary.resource_id,
            &verdict,
            ordering_timestamp,
        )
    };
    if let Some(verdict) = resource_gone(summary.status, event.event_left_scope) {
        return Ok(report(verdict));
    }
    // Known from the summary alone: no need to fetch the item to find it out of scope.
    if let Some(verdict) = out_of_scope(&summary.resource_type, &summary.resource_id) {
        return Ok(report(verdict));
    }
    let history = services
        .config()
        .latest_configuration_item(&summary.resource_type, &summary.resource_id)
        .await;
    match history {
        Ok(Some(item)) => {
            same_account(
                event,
                "the configuration item Config returned",
                &item.account_id,
            )?;
            return evaluate_item(services, event, &item, item.capture_time).await;
        }
        Ok(None) => {}
        Err(err) => return Ok(skipped(&summary.resource_id, &err)),
    }
    let secret_id = summary.arn.as_deref().unwrap_or(&summary.resource_id);
    match services.store().describe(secret_id).await {
        Ok(Some(mut facts)) => {
            facts.resource_id = summary.resource_id.clone();
            Ok(decide_one(services, event, facts, ordering_timestamp).await)
        }
        Ok(None) => {
            let verdict = not_applicable(format!("secret {secret_id} no longer exists"));
            Ok(report(verdict))
        }
        Err(err) => Ok(skipped(&summary.resource_id, &err)),
    }
}

async fn decide_one<S: AccountServices>(
    services: &S,
    event: &ConfigRuleEvent,
    facts: SecretFacts,
    ordering_timestamp: DateTime<Utc>,
) -> Decided {
    let mut cache = KeyCache::new();
    match evaluate_secret(&facts, &event.rule_parameters, services.keys(), &mut cache).await {
        Decision::Verdict(verdict) => {
            Decided::Evaluation(Evaluation::for_secret(&facts, &verdict, ordering_timestamp))
        }
        Decision::Unverifiable { reason } => Decided::Skipped {
            resource_id: facts.resource_id,
            reason,
        },
    }
}

fn skipped(resource_id: &str, err: &AwsError) -> Decided {
    Decided::Skipped {
        resource_id: resource_id.to_owned(),
        reason: err.to_string(),
    }
}

fn not_applicable(annotation: String) -> Verdict {
    Verdict {
        compliance: Compliance::NotApplicable,
        annotation: Annotation::new(annotation),
        row: rule_core::Row::Gone,
    }
}

/// NOT_APPLICABLE for a resource of another type than the rule's scope, if it is one.
fn out_of_scope(resource_type: &str, resource_id: &str) -> Option<Verdict> {
    (resource_type != SECRET_RESOURCE_TYPE).then(|| {
        not_applicable(format!(
            "{resource_id} is a {resource_type}, not a Secrets Manager secret: outside this \
             rule's scope"
        ))
    })
}

/// The verdict on the resource a notification names, under the type and id it gave.
fn reported(
    resource_type: &str,
    resource_id: &str,
    verdict: &Verdict,
    ordering_timestamp: DateTime<Utc>,
) -> Decided {
    Decided::Evaluation(Evaluation {
        resource_type: resource_type.to_owned(),
        resource_id: resource_id.to_owned(),
        compliance: verdict.compliance,
        annotation: verdict.annotation.clone(),
        ordering_timestamp,
    })
}

/// Puts evaluations for one invocation (its result token, TestMode or not).
struct Reporter<'a, E> {
    sink: &'a E,
    result_token: &'a str,
    test_mode: bool,
}

impl<E: EvaluationSink + Sync> Reporter<'_, E> {
    async fn put(&self, batch: &[Evaluation], report: &mut Report) -> Result<(), RuleError> {
        // Config rejects a whole call if one resource id is longer than it accepts;
        // such a resource is skipped (and named) rather than sinking its batch.
        let (fitting, too_long): (Vec<&Evaluation>, Vec<&Evaluation>) =
            batch.iter().partition(|e| e.resource_id_fits());
        for evaluation in too_long {
            report.skip(
                evaluation.resource_id.clone(),
                format!(
                    "its resource id is longer than the {} characters PutEvaluations accepts",
                    rule_core::MAX_RESOURCE_ID_CHARS
                ),
            );
        }
        if fitting.is_empty() {
            return Ok(());
        }
        let fitting: Vec<Evaluation> = fitting.into_iter().cloned().collect();
        self.sink
            .put_evaluations(self.result_token, self.test_mode, &fitting)
            .await
            .map_err(RuleError::Aws)?;
        for evaluation in &fitting {
            report.count(evaluation.compliance, 1);
        }
        Ok(())
    }

    async fn report_one(&self, decided: Decided, report: &mut Report) -> Result<(), RuleError> {
        match decided {
            Decided::Evaluation(evaluation) => {
                self.put(std::slice::from_ref(&evaluation), report).await
            }
            Decided::Skipped {
                resource_id,
                reason,
            } => {
                report.skip(resource_id, reason);
                Ok(())
            }
        }
    }
}

/// One periodic sweep of an account and region.
struct SweepRun<'a, S: AccountServices> {
    services: &'a S,
    event: &'a ConfigRuleEvent,
    reporter: &'a Reporter<'a, S::Config>,
    ordering_timestamp: DateTime<Utc>,
    stop_at: Option<SystemTime>,
}

impl<S: AccountServices> SweepRun<'_, S> {
    async fn run(&self, report: &mut Report) -> Result<(), RuleError> {
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

/// The role to assume in the evaluated account. The function's own setting
/// (`SECRETS_CMK_EXECUTION_ROLE_NAME`) wins and may not be overridden: whoever can edit a
/// rule's parameters in a member account must not make the central function assume
/// another role. Without a setting, the parameter names it.
fn execution_role<'a>(
    parameter: Option<&'a str>,
    setting: Option<&'a str>,
) -> Result<Option<&'a str>, RuleError> {
    match (parameter, setting) {
        (Some(parameter), Some(setting)) if parameter != setting => {
            Err(RuleError::Refused(format!(
                "rule parameter executionRoleName {parameter:?} differs from this function's \
                 own setting {setting:?} ({}); remove the parameter or make it equal",
                crate::settings::EXECUTION_ROLE_NAME_VAR
            )))
        }
        (parameter, None) => Ok(parameter),
        (_, setting) => Ok(setting),
    }
}

/// A change notification's item (or summary) must be of the account the event is for:
/// the function acts in `accountId`'s account, so an item of another account would be
/// judged, and reported, with facts from the wrong one.
fn refuse_foreign_items(event: &ConfigRuleEvent) -> Result<(), RuleError> {
    match &event.invoking_event {
        InvokingEvent::ConfigurationItemChange {
            configuration_item, ..
        } => same_account(
            event,
            "the configuration item",
            &configuration_item.account_id,
        ),
        InvokingEvent::OversizedConfigurationItemChange { summary, .. } => {
            same_account(event, "the configuration item summary", &summary.account_id)
        }
        InvokingEvent::Scheduled { .. } => Ok(()),
    }
}

fn same_account(event: &ConfigRuleEvent, what: &str, account: &str) -> Result<(), RuleError> {
    if account == event.account_id {
        return Ok(());
    }
    Err(RuleError::Refused(format!(
        "{what} is of account {account:?}, the event's accountId is {:?}",
        event.account_id
    )))
}

/// How far a sweep got when the deadline stopped it.
fn stopped_early(pages: u64, secrets: usize, detail: &str) -> String {
    format!(
        "the invocation deadline was near: the sweep stopped after {pages} page(s) of \
         ListSecrets, {secrets} secret(s) seen{detail}; the rest were not evaluated"
    )
}

/// The partition and account of the Lambda's own function ARN
/// (`arn:aws:lambda:eu-west-1:111122223333:function:name[:qualifier]`).
pub fn function_account(function_arn: &str) -> Result<(String, String), RuleError> {
    let parts: Vec<&str> = function_arn.split(':').collect();
    match parts.as_slice() {
        [
            "arn",
            partition,
            "lambda",
            _region,
            account,
            "function",
            _name,
            ..,
        ] if !partition.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(((*partition).to_owned(), (*account).to_owned()))
        }
        _ => Err(RuleError::InvalidFunctionArn(function_arn.to_owned())),
    }
}

/// The event's messageType for the summary line, read leniently (the event may be malformed).
fn message_type_of(event: &Value) -> String {
    event
        .get("invokingEvent")
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .and_then(|v| {
            v.get("messageType")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
