//! The change itself: the backout plan written before the first UpdateSecret and after
//! each, paced calls, and a read-back of every change.

use super::select::{Action, Item};
use super::{Remediation, counts, planned_outcome, refusals_outcome, write_warnings};
use crate::change::{Services, display_path, verify_key};
use crate::error::CliError;
use crate::output::{ActionRow, render_actions};
use crate::plan::{EntryStatus, PLAN_VERSION, Plan, PlanEntry, PlanFile, default_plan_path};
use crate::term::Progress;
use chrono::Utc;
use rule_core::same_key_arn;
use secrets_cmk_aws::{SecretKeyChanger, SecretStore, UpdatePacer};
use std::io::Write;

/// What UpdateSecret does and does not re-encrypt, said after every apply (and in both
/// READMEs): a user must not retire the old key while versions still need it.
pub(super) const REENCRYPTION_NOTE: &str = "UpdateSecret re-encrypts the AWSCURRENT, \
AWSPENDING and AWSPREVIOUS versions only if the caller may use the new key \
(kms:GenerateDataKey, kms:Encrypt) and the old one (kms:Decrypt); versions with other \
labels stay on the old key. Keep the old key enabled until no version needs it.";

/// The plan entry for one secret about to change.
fn plan_entry(item: &Item) -> Option<PlanEntry> {
    let (Action::Change { target, previous }, Some(facts)) = (&item.action, &item.facts) else {
        return None;
    };
    Some(PlanEntry {
        secret_arn: facts.arn.clone(),
        secret_name: facts.name.clone(),
        region: facts.scope.region.clone(),
        previous_kms_key_id: item.current().map(str::to_owned),
        previous_key_arn: previous.arn().map(str::to_owned),
        new_kms_key_id: target.clone(),
        new_key_arn: target.clone(),
        status: EntryStatus::Pending,
        changed_at: None,
        error: None,
    })
}

pub(super) async fn apply<S, K, C>(
    services: &Services<S, K, C>,
    job: &Remediation,
    items: &mut [Item],
    warnings: &[String],
    pacer: &mut UpdatePacer,
    progress: &Progress,
    out: &mut dyn Write,
) -> Result<(), CliError>
where
    S: SecretStore + Sync,
    C: SecretKeyChanger + Sync,
{
    let (change, on_target, refused) = counts(items);
    if change == 0 {
        progress.clear();
        let rows: Vec<ActionRow> = items
            .iter()
            .map(|i| i.row(planned_outcome(&i.action, true)))
            .collect();
        out.write_all(render_actions(&rows, job.width).as_bytes())?;
        writeln!(
            out,
            "nothing to re-key ({on_target} already on the target key, {refused} refused); no \
             backout plan written."
        )?;
        return refusals_outcome(refused, 0);
    }

    let mut plan = Plan {
        version: PLAN_VERSION,
        tool: format!("secrets-cmk {}", env!("CARGO_PKG_VERSION")),
        created_at: job.started,
        region: job.region.clone(),
        target_kms_key_id: job.target.to_string(),
        entries: items.iter().filter_map(plan_entry).collect(),
    };
    let plan_path = job
        .plan_path
        .clone()
        .unwrap_or_else(|| default_plan_path(job.started));
    let mut file = PlanFile::new(plan_path.clone());
    let plan_error = |e: crate::plan::PlanError| CliError::Plan {
        path: display_path(&plan_path),
        problem: format!(
            "{e} (stopped before the next change; the file may not show the last one)"
        ),
    };
    // Written before the first change: an interrupted run still leaves its backout plan.
    file.save(&plan).map_err(|e| CliError::Plan {
        path: display_path(&plan_path),
        problem: format!("{e} (nothing was changed)"),
    })?;

    let mut outcomes: Vec<String> = items
        .iter()
        .map(|i| planned_outcome(&i.action, true))
        .collect();
    let mut entry_index = 0;
    let mut failed = 0;
    for (index, item) in items.iter().enumerate() {
        let (Action::Change { target, .. }, Some(arn)) = (&item.action, item.arn()) else {
            continue;
        };
        progress.counted(
            entry_index as u64,
            change as u64,
            format!("re-keying {}", item.label),
        );
        pacer.wait().await;
        let result = match services.changer.update_kms_key(arn, Some(target)).await {
            Err(e) => Err((false, e.to_string())),
            Ok(()) => verify_key(&services.store, arn, |now| {
                now.is_some_and(|now| same_key_arn(now, target))
            })
            .await
            .map_err(|e| (true, e)),
        };
        let Some(entry) = plan.entries.get_mut(entry_index) else {
            continue; // one entry per change, in the same order: never reached
        };
        entry_index += 1;
        match result {
            Ok(()) => {
                entry.status = EntryStatus::Changed;
                entry.changed_at = Some(Utc::now());
                outcomes[index] = "re-keyed".to_owned();
            }
            Err((changed, error)) => {
                failed += 1;
                entry.status = EntryStatus::Failed;
                entry.changed_at = changed.then(Utc::now);
                outcomes[index] = format!("failed: {error}");
                entry.error = Some(error);
            }
        }
        tracing::info!(secret = arn, status = ?entry.status, "UpdateSecret");
        file.save(&plan).map_err(plan_error)?;
    }
    progress.clear();

    let rows: Vec<ActionRow> = items
        .iter()
        .zip(outcomes)
        .map(|(i, outcome)| i.row(outcome))
        .collect();
    out.write_all(render_actions(&rows, job.width).as_bytes())?;
    let path = display_path(file.path());
    writeln!(
        out,
        "re-keyed {} of {change} in {}: {failed} failed, {refused} refused, {on_target} already \
         on the target key.",
        change - failed,
        job.region
    )?;
    write_warnings(warnings, out)?;
    writeln!(out, "{REENCRYPTION_NOTE}")?;
    writeln!(out, "Backout plan written to {path}")?;
    writeln!(out, "Undo with: secrets-cmk backout --plan {path} --apply")?;
    refusals_outcome(refused, failed)
}
