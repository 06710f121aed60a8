//! The stage the hardening tests play on: an emulator, the Lambda, a seeded estate, and
//! readers for what each invocation reported (every PutEvaluations call, not only the
//! last word per resource: "exactly once" is about the calls).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_smithy_types::error::display::DisplayErrorContext;
use secrets_cmk_e2e::emulator::RecordedEvaluation;
use secrets_cmk_e2e::events::{RULE_NAME, RuleContext, now, scheduled_event};
use secrets_cmk_e2e::runtime_api::InvocationOutcome;
use secrets_cmk_e2e::seed::{Key, Secret, create_alias, create_cmk, create_secrets, disable_key};
use secrets_cmk_e2e::{DEFAULT_ACCOUNT, DEFAULT_REGION, Error, Result};
use serde_json::{Value, json};

pub use crate::common_stage::Stage;

impl Stage {
    /// A context whose result token the emulator attributes to the rule, as Config's.
    pub async fn context(&self) -> Result<RuleContext> {
        let token = self.emulator.mint_result_token(RULE_NAME).await?;
        Ok(RuleContext::new(DEFAULT_ACCOUNT, DEFAULT_REGION).with_result_token(token))
    }

    /// A scheduled sweep (notification time now), with the default deadline.
    pub async fn sweep(&self) -> Result<Invocation> {
        let context = self.context().await?;
        self.invoke(&context, &scheduled_event(&context, now()), None)
            .await
    }

    /// Invokes `event` (with `deadline`, or the harness default) and reads back every
    /// evaluation put with the context's token.
    pub async fn invoke(
        &self,
        context: &RuleContext,
        event: &Value,
        deadline: Option<Duration>,
    ) -> Result<Invocation> {
        let outcome = match deadline {
            Some(deadline) => {
                self.lambda
                    .invoke(event, &self.lambda.function_arn(), deadline)
                    .await?
            }
            None => self.lambda.invoke_event(event).await?,
        };
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

    /// Replaces the emulator's fault rules (`[]` clears them).
    pub async fn faults(&self, rules: Value) -> Result<()> {
        self.emulator.set_faults(json!({ "rules": rules })).await
    }

    /// The latest stored result of every resource for the rule, as Config answers
    /// GetComplianceDetailsByConfigRule (through the SDK, every page).
    pub async fn stored_results(&self) -> Result<BTreeMap<String, Outcome>> {
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
                .map_err(sdk_error("GetComplianceDetailsByConfigRule"))?;
            for result in page.evaluation_results() {
                let qualifier = result
                    .evaluation_result_identifier()
                    .and_then(|id| id.evaluation_result_qualifier());
                let id = qualifier
                    .and_then(|q| q.resource_id())
                    .unwrap_or_default()
                    .to_owned();
                let outcome = Outcome {
                    compliance: result
                        .compliance_type()
                        .map(|c| c.as_str().to_owned())
                        .unwrap_or_default(),
                    annotation: result.annotation().map(str::to_owned),
                };
                results.insert(id, outcome);
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
                .map_err(sdk_error("ListSecrets"))?;
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

/// What one invocation returned and every PutEvaluations call it made.
#[derive(Debug)]
pub struct Invocation {
    pub outcome: InvocationOutcome,
    pub calls: Vec<Vec<RecordedEvaluation>>,
}

/// The verdict on one resource: what the same estate must always get.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Outcome {
    pub compliance: String,
    pub annotation: Option<String>,
}

impl Invocation {
    /// Every evaluation of every call, in order.
    pub fn evaluations(&self) -> impl Iterator<Item = &RecordedEvaluation> {
        self.calls.iter().flatten()
    }

    /// How many times each resource was reported.
    pub fn times_reported(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for evaluation in self.evaluations() {
            *counts.entry(evaluation.resource_id.as_str()).or_default() += 1;
        }
        counts
    }

    /// The verdict per resource (asserting each was reported once).
    pub fn outcomes(&self) -> BTreeMap<String, Outcome> {
        let mut outcomes = BTreeMap::new();
        for evaluation in self.evaluations() {
            let outcome = Outcome {
                compliance: evaluation.compliance_type.clone(),
                annotation: evaluation.annotation.clone(),
            };
            let previous = outcomes.insert(evaluation.resource_id.clone(), outcome);
            assert!(
                previous.is_none(),
                "{} reported twice in one invocation",
                evaluation.resource_id
            );
        }
        outcomes
    }

    pub fn assert_succeeded(&self) -> &Value {
        match &self.outcome {
            InvocationOutcome::Response(response) => response,
            other => panic!("the invocation failed: {other:?}"),
        }
    }

    /// `(errorType, errorMessage)` of a failed invocation.
    pub fn assert_failed(&self) -> (&str, &str) {
        match &self.outcome {
            InvocationOutcome::Error {
                error_type,
                error_message,
            } => (error_type, error_message),
            other => panic!("the invocation should have failed: {other:?}"),
        }
    }
}

/// An estate that spans several pages and every kind of verdict a sweep can reach
/// without faults: customer managed keys by id, ARN, alias name and alias ARN
/// (COMPLIANT), the default key (row 4), the AWS managed alias (row 5), a disabled key
/// (row 8), a key that does not exist (row 7).
pub struct Estate {
    pub secrets: Vec<Secret>,
    pub keys: Vec<Key>,
}

pub async fn seed_estate(stage: &Stage, count: usize) -> Result<Estate> {
    let kms = stage.kms();
    let a = create_cmk(&kms, "a").await?;
    let b = create_cmk(&kms, "b").await?;
    let c = create_cmk(&kms, "c").await?;
    let disabled = create_cmk(&kms, "disabled").await?;
    create_alias(&kms, "alias/c", &c.key_id).await?;
    disable_key(&kms, &disabled.key_id).await?;
    let references: [Option<String>; 8] = [
        Some(a.key_id.clone()),
        Some(b.arn.clone()),
        Some("alias/c".to_owned()),
        Some(format!(
            "arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:alias/c"
        )),
        None,
        Some("alias/aws/secretsmanager".to_owned()),
        Some(disabled.arn.clone()),
        Some(format!(
            "arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:key/0000aaaa-00aa-00aa-00aa-000000aaaaaa"
        )),
    ];
    let secrets = create_secrets(&stage.secretsmanager(), "estate", count, |i| {
        references[i % references.len()].clone()
    })
    .await?;
    Ok(Estate {
        secrets,
        keys: vec![a, b, c, disabled],
    })
}

/// An SDK error as a harness error, with the SDK's whole error chain.
fn sdk_error<E: std::error::Error>(what: &'static str) -> impl FnOnce(E) -> Error {
    move |error| Error::Invalid(format!("{what}: {}", DisplayErrorContext(&error)))
}

/// Faulted requests by operation, from the emulator's request log.
pub async fn faults_injected(stage: &Stage, since: usize) -> Result<BTreeMap<String, usize>> {
    let mut injected = BTreeMap::new();
    for request in stage.emulator.requests().await?.into_iter().skip(since) {
        if request.fault.is_some_and(|kind| kind != "slow") {
            *injected.entry(request.operation).or_default() += 1;
        }
    }
    Ok(injected)
}
