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

mod change;
mod held;
mod reporter;
mod sweep;
mod trust;

use crate::connector::{AccountServices, Connector};
use crate::error::RuleError;
use crate::report::{Report, calls_since};
use change::{evaluate_item, evaluate_oversized};
use chrono::Utc;
use reporter::Reporter;
use rule_core::{ConfigRuleEvent, InvokingEvent};
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime};
use sweep::SweepRun;
use trust::{execution_role, refuse_foreign_items};

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
        let reach = Reach {
            own_account: &own_account,
            partition: &partition,
            role_name,
            valid_until: invocation.deadline,
        };
        let rejected_before = self.connector.calls().rejected_credentials();
        // Boxed: the attempt's future is large (a whole sweep), and two of them inline
        // would overflow the compiler's layout depth for the runtime loop's future.
        let outcome = Box::pin(self.attempt(&event, &reach, invocation, report)).await;
        let rejected = self.connector.calls().rejected_credentials() > rejected_before;
        if !rejected || event.account_id == own_account {
            return outcome;
        }
        // AWS rejected the member account's credentials (ExpiredToken, a revoked session):
        // assume the role afresh and run once more. A second rejection leaves the
        // secrets unverifiable and the invocation Retryable; nothing is read as denied.
        tracing::warn!(account = %event.account_id, "credentials rejected: assuming the role again");
        self.connector.forget(&partition, &event.account_id).await;
        *report = Report {
            renewed_credentials: true,
            ..Report::default()
        };
        Box::pin(self.attempt(&event, &reach, invocation, report)).await
    }

    /// One attempt at the invocation's work with the account's current credentials.
    async fn attempt(
        &self,
        event: &ConfigRuleEvent,
        reach: &Reach<'_>,
        invocation: &Invocation,
        report: &mut Report,
    ) -> Result<(), RuleError> {
        let services = self
            .connector
            .connect(
                reach.own_account,
                &event.account_id,
                reach.partition,
                reach.role_name,
                reach.valid_until,
            )
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
                    evaluate_item(&*services, event, configuration_item, ordering_timestamp)
                        .await?;
                reporter.report_one(decided, report).await
            }
            InvokingEvent::OversizedConfigurationItemChange { summary, .. } => {
                let decided = evaluate_oversized(&*services, event, summary).await?;
                reporter.report_one(decided, report).await
            }
            InvokingEvent::Scheduled { .. } => {
                let sweep = SweepRun {
                    services: &*services,
                    event,
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

/// How to reach the evaluated account.
struct Reach<'a> {
    own_account: &'a str,
    partition: &'a str,
    role_name: Option<&'a str>,
    /// Credentials must outlive this (the invocation's deadline).
    valid_until: SystemTime,
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
