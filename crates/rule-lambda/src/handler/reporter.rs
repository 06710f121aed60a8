//! PutEvaluations for one invocation: its result token, TestMode or not, and the
//! resources whose id Config would refuse, skipped and named rather than sinking a batch.

use super::change::Decided;
use crate::error::RuleError;
use crate::report::Report;
use rule_core::Evaluation;
use secrets_cmk_aws::EvaluationSink;

/// Puts evaluations for one invocation (its result token, TestMode or not).
pub(super) struct Reporter<'a, E> {
    pub(super) sink: &'a E,
    pub(super) result_token: &'a str,
    pub(super) test_mode: bool,
}

impl<E: EvaluationSink + Sync> Reporter<'_, E> {
    pub(super) async fn put(
        &self,
        batch: &[Evaluation],
        report: &mut Report,
    ) -> Result<(), RuleError> {
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

    pub(super) async fn report_one(
        &self,
        decided: Decided,
        report: &mut Report,
    ) -> Result<(), RuleError> {
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
