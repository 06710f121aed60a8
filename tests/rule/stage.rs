//! The stage every test plays on: an emulator, the Lambda process, and helpers to invoke
//! it and read back what it reported.

use secrets_cmk_e2e::emulator::RecordedEvaluation;
use secrets_cmk_e2e::events::{
    RULE_NAME, RuleContext, SecretCi, change_event, now, scheduled_event,
};
use secrets_cmk_e2e::runtime_api::InvocationOutcome;
use secrets_cmk_e2e::{DEFAULT_ACCOUNT, DEFAULT_REGION, Result};
use serde_json::Value;
use std::collections::BTreeMap;

pub use crate::common_stage::Stage;

impl Stage {
    /// A context for the default account with a result token minted for the rule (so
    /// the emulator attributes the results to it, as Config would).
    pub async fn context(&self, parameters: Option<&str>) -> Result<RuleContext> {
        let token = self.emulator.mint_result_token(RULE_NAME).await?;
        let mut context =
            RuleContext::new(DEFAULT_ACCOUNT, DEFAULT_REGION).with_result_token(token);
        if let Some(parameters) = parameters {
            context = context.with_parameters(parameters);
        }
        Ok(context)
    }

    /// Invoke `event` and return its outcome with what it reported under its token.
    pub async fn invoke(
        &self,
        context: &RuleContext,
        event: &Value,
    ) -> Result<(InvocationOutcome, Verdicts)> {
        let outcome = self.lambda.invoke_event(event).await?;
        let verdicts = self.verdicts(&context.result_token).await?;
        Ok((outcome, verdicts))
    }

    pub async fn sweep(&self, parameters: Option<&str>) -> Result<(InvocationOutcome, Verdicts)> {
        let context = self.context(parameters).await?;
        self.invoke(&context, &scheduled_event(&context, now()))
            .await
    }

    pub async fn change(
        &self,
        ci: &SecretCi,
        parameters: Option<&str>,
    ) -> Result<(InvocationOutcome, Verdicts)> {
        let context = self.context(parameters).await?;
        self.invoke(&context, &change_event(&context, &ci.to_json(), false))
            .await
    }

    /// Every evaluation put with `token`, by resource id (later ones win), and the calls.
    pub async fn verdicts(&self, token: &str) -> Result<Verdicts> {
        let calls: Vec<_> = self
            .emulator
            .evaluations()
            .await?
            .into_iter()
            .filter(|c| c.result_token == token)
            .collect();
        let mut by_resource = BTreeMap::new();
        let mut batch_sizes = Vec::new();
        for call in calls {
            batch_sizes.push(call.evaluations.len());
            for evaluation in call.evaluations {
                by_resource.insert(evaluation.resource_id.clone(), evaluation);
            }
        }
        Ok(Verdicts {
            by_resource,
            batch_sizes,
        })
    }
}

/// What one invocation reported.
#[derive(Debug)]
pub struct Verdicts {
    pub by_resource: BTreeMap<String, RecordedEvaluation>,
    pub batch_sizes: Vec<usize>,
}

impl Verdicts {
    pub fn of(&self, resource_id: &str) -> &RecordedEvaluation {
        self.by_resource.get(resource_id).unwrap_or_else(|| {
            panic!(
                "no evaluation for {resource_id}; reported: {:#?}",
                self.by_resource
            )
        })
    }

    /// Asserts the compliance of one resource and that its annotation mentions each word.
    pub fn assert(&self, resource_id: &str, compliance: &str, mentions: &[&str]) {
        let evaluation = self.of(resource_id);
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
            annotation.chars().count() <= 256,
            "annotation too long: {annotation}"
        );
    }

    pub fn len(&self) -> usize {
        self.by_resource.len()
    }
}

pub fn assert_succeeded(outcome: &InvocationOutcome) {
    assert!(
        matches!(outcome, InvocationOutcome::Response(_)),
        "the invocation failed: {outcome:?}"
    );
}
