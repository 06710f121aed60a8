//! [`Stage`]: what an end-to-end test of the rule plays on. An emulator and the
//! `secrets-cmk-rule` binary started against it (both stopped on drop), with the steps
//! a test takes (a sweep, a change event, any event with any deadline, faults) and the
//! readers for what the rule reported: every PutEvaluations call of one invocation
//! ([`Invocation`]), the results Config stored, the order ListSecrets pages in.
//!
//! ```no_run
//! use secrets_cmk_harness::{Result, Stage, seed};
//!
//! // In a test of rule-lambda: `env!("CARGO_BIN_EXE_secrets-cmk-rule")`.
//! # async fn example(rule_binary: &str) -> Result<()> {
//! let stage = Stage::start(rule_binary).await?;
//! let secret = seed::create_secret(&stage.secretsmanager(), &seed::NewSecret::named("db")).await?;
//! let sweep = stage.sweep(None).await?;
//! sweep.assert_succeeded();
//! sweep.assert_verdict(&secret.arn, "NON_COMPLIANT", &["aws/secretsmanager"]);
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::emulator::{DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator};
use crate::events::{RULE_NAME, RuleContext, SecretCi, change_event, now, scheduled_event};
use crate::invocation::{Invocation, Verdict};
use crate::lambda::{LambdaOptions, LambdaProcess};
use crate::role_check::check_rule_calls;
use crate::{Context, Result};

/// An emulator and the rule's Lambda process polling our Runtime API against it.
#[derive(Debug)]
pub struct Stage {
    /// The emulator: SDK clients, its admin API (request log, evaluations, faults).
    pub emulator: Emulator,
    /// The Lambda process: invoke it directly for outcomes without evaluations.
    pub lambda: LambdaProcess,
}

impl Stage {
    /// Starts an emulator and `rule_binary` (`env!("CARGO_BIN_EXE_secrets-cmk-rule")`)
    /// with the default Lambda options.
    pub async fn start(rule_binary: impl Into<PathBuf>) -> Result<Stage> {
        Stage::start_with(rule_binary, |options| options).await
    }

    /// Starts an emulator and `rule_binary` with options `configure` adjusts (extra
    /// environment, another region or function name...).
    pub async fn start_with(
        rule_binary: impl Into<PathBuf>,
        configure: impl FnOnce(LambdaOptions) -> LambdaOptions,
    ) -> Result<Stage> {
        let emulator = Emulator::start().await?;
        let options = configure(LambdaOptions::new(rule_binary, &emulator));
        let lambda = LambdaProcess::start(options).await?;
        Ok(Stage { emulator, lambda })
    }

    /// A Secrets Manager client in the default account and region.
    pub fn secretsmanager(&self) -> aws_sdk_secretsmanager::Client {
        self.emulator.secretsmanager(DEFAULT_REGION)
    }

    /// A KMS client in the default account and region.
    pub fn kms(&self) -> aws_sdk_kms::Client {
        self.emulator.kms(DEFAULT_REGION)
    }

    /// A context for the default account with `parameters` (the rule's input
    /// parameters, JSON text) and a result token minted for the rule, so that the
    /// emulator attributes the results to it as Config would.
    pub async fn context(&self, parameters: Option<&str>) -> Result<RuleContext> {
        let token = self.emulator.mint_result_token(RULE_NAME).await?;
        let mut context =
            RuleContext::new(DEFAULT_ACCOUNT, DEFAULT_REGION).with_result_token(token);
        if let Some(parameters) = parameters {
            context = context.with_parameters(parameters);
        }
        Ok(context)
    }

    /// Invokes `event` with the harness's default deadline and reads back every
    /// evaluation put with `context`'s result token.
    pub async fn invoke(&self, context: &RuleContext, event: &Value) -> Result<Invocation> {
        let before = self.emulator.requests().await?.len();
        let outcome = self.lambda.invoke_event(event).await?;
        self.reported(context, outcome, before).await
    }

    /// Invokes `event` giving the function `deadline` (`Lambda-Runtime-Deadline-Ms`),
    /// and reads back every evaluation put with `context`'s result token.
    pub async fn invoke_with_deadline(
        &self,
        context: &RuleContext,
        event: &Value,
        deadline: Duration,
    ) -> Result<Invocation> {
        let before = self.emulator.requests().await?.len();
        let outcome = self
            .lambda
            .invoke(event, &self.lambda.function_arn(), deadline)
            .await?;
        self.reported(context, outcome, before).await
    }

    /// A scheduled sweep (notification time now) with `parameters`.
    pub async fn sweep(&self, parameters: Option<&str>) -> Result<Invocation> {
        let context = self.context(parameters).await?;
        self.invoke(&context, &scheduled_event(&context, now()))
            .await
    }

    /// A change notification carrying `ci` (not oversized) with `parameters`.
    pub async fn change(&self, ci: &SecretCi, parameters: Option<&str>) -> Result<Invocation> {
        let context = self.context(parameters).await?;
        self.invoke(&context, &change_event(&context, &ci.to_json(), false))
            .await
    }

    /// The invocation's outcome with every PutEvaluations call made with its token.
    /// What the invocation reported, after checking that every AWS call it made since
    /// the request log held `before` entries is one its role may make (`role_check`).
    async fn reported(
        &self,
        context: &RuleContext,
        outcome: crate::InvocationOutcome,
        before: usize,
    ) -> Result<Invocation> {
        let served = self.emulator.requests().await?;
        check_rule_calls(
            served.get(before..).unwrap_or_default(),
            self.lambda.options(),
        )?;
        let calls = self
            .emulator
            .evaluations()
            .await?
            .into_iter()
            .filter(|call| call.result_token == context.result_token)
            .map(|call| call.evaluations)
            .collect();
        Ok(Invocation { outcome, calls })
    }

    /// Replaces the emulator's fault rules (`json!([])` clears them).
    pub async fn set_faults(&self, rules: Value) -> Result<()> {
        self.emulator.set_faults(json!({ "rules": rules })).await
    }

    /// Faulted requests by operation (slowed ones not counted), from the emulator's
    /// request log after its first `since` entries.
    pub async fn faults_injected(&self, since: usize) -> Result<BTreeMap<String, usize>> {
        let mut injected = BTreeMap::new();
        for request in self.emulator.requests().await?.into_iter().skip(since) {
            if request.fault.is_some_and(|kind| kind != "slow") {
                *injected.entry(request.operation).or_default() += 1;
            }
        }
        Ok(injected)
    }

    /// The latest stored result of every resource for the rule, by resource id, as
    /// Config answers GetComplianceDetailsByConfigRule (through the SDK, every page).
    pub async fn stored_results(&self) -> Result<BTreeMap<String, Verdict>> {
        let config = self.emulator.config(DEFAULT_REGION);
        let mut results = BTreeMap::new();
        let mut token = None;
        loop {
            let page = config
                .get_compliance_details_by_config_rule()
                .config_rule_name(RULE_NAME)
                .limit(100)
                .set_next_token(token)
                .send()
                .await
                .context("GetComplianceDetailsByConfigRule")?;
            for result in page.evaluation_results() {
                let id = result
                    .evaluation_result_identifier()
                    .and_then(|id| id.evaluation_result_qualifier())
                    .and_then(|qualifier| qualifier.resource_id())
                    .unwrap_or_default()
                    .to_owned();
                let stored = Verdict {
                    compliance: result
                        .compliance_type()
                        .map(|c| c.as_str().to_owned())
                        .unwrap_or_default(),
                    annotation: result.annotation().map(str::to_owned),
                };
                results.insert(id, stored);
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(results);
            }
        }
    }

    /// The secret ARNs in the order ListSecrets pages them (100 a page, scheduled
    /// deletions included), as the rule's sweep sees them.
    pub async fn listing_order(&self) -> Result<Vec<Vec<String>>> {
        let sm = self.secretsmanager();
        let mut pages = Vec::new();
        let mut token = None;
        loop {
            let page = sm
                .list_secrets()
                .include_planned_deletion(true)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .context("ListSecrets")?;
            pages.push(
                page.secret_list()
                    .iter()
                    .filter_map(|s| s.arn().map(str::to_owned))
                    .collect(),
            );
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(pages);
            }
        }
    }
}
