//! `secrets-cmk backout`: put every secret of a backout plan back on the key it had,
//! exactly as it was stored (`null`: the default key, restored with an empty KmsKeyId; see
//! `secrets_cmk_aws::remediation`).
//!
//! Idempotent by looking before acting: a secret already on its previous key is reported
//! and left alone; one on the plan's new key is restored; one on any other key was
//! changed by someone else since, and is refused rather than overwritten.

use crate::args::{BackoutArgs, single_region};
use crate::error::CliError;
use crate::output::{ActionRow, key_label, render_actions};
use crate::plan::{Plan, PlanEntry};
use crate::remediate::{AwsServices, Services, display_path, verify_key};
use crate::term::{Progress, stdout_width};
use rule_core::{KeyRef, same_key_arn};
use secrets_cmk_aws::remediation::is_default_key;
use secrets_cmk_aws::{
    ApiCalls, KeyDirectory, KeyUse, SdkConfig, SecretKeyChanger, SecretStore, UpdatePacer,
    check_key,
};
use std::io::Write;

/// Run `backout` against AWS, writing to stdout.
pub async fn run(
    base: &SdkConfig,
    regions: &[String],
    args: &BackoutArgs,
    progress: &Progress,
) -> Result<(), CliError> {
    let path = display_path(&args.plan);
    let plan = Plan::load(&args.plan).map_err(|e| CliError::Plan {
        path: path.clone(),
        problem: e.to_string(),
    })?;
    if let Some(region) = single_region(regions, "backout")?
        && region.trim() != plan.region
    {
        return Err(CliError::Usage(format!(
            "the plan {path} is for {}; --region says {region} (leave --region out)",
            plan.region
        )));
    }
    let calls = ApiCalls::new();
    let services = AwsServices::for_region(base, &plan.region, &calls);
    let result = execute(
        &services,
        &plan,
        args.apply,
        &mut UpdatePacer::default(),
        progress,
        stdout_width(),
        &mut std::io::stdout(),
    )
    .await;
    progress.clear();
    tracing::info!(calls = ?calls.snapshot(), "backout done");
    result
}

#[derive(Debug)]
enum Action {
    Restore,
    AlreadyRestored,
    Refuse(String),
}

/// Whether two stored key ids name the same key: both the default key, or the same text,
/// or the same key ARN.
fn same_stored_key(a: Option<&str>, b: Option<&str>) -> bool {
    match (is_default_key(a), is_default_key(b), a, b) {
        (true, true, _, _) => true,
        (false, false, Some(a), Some(b)) => a == b || same_key_arn(a, b),
        _ => false,
    }
}

/// Restore the plan's secrets (or, without `apply`, say what would be restored).
pub async fn execute<S, K, C>(
    services: &Services<S, K, C>,
    plan: &Plan,
    apply: bool,
    pacer: &mut UpdatePacer,
    progress: &Progress,
    width: Option<u16>,
    out: &mut dyn Write,
) -> Result<(), CliError>
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
    C: SecretKeyChanger + Sync,
{
    let mut looked: Vec<(&PlanEntry, String, Action)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (n, entry) in plan.entries.iter().enumerate() {
        progress.status(format!(
            "checking {}/{}: {}",
            n + 1,
            plan.entries.len(),
            entry.secret_name
        ));
        if seen.contains(&entry.secret_arn.as_str()) {
            looked.push((
                entry,
                "-".into(),
                Action::Refuse("listed more than once in the plan".into()),
            ));
            continue;
        }
        seen.push(&entry.secret_arn);
        let (current, action) = look(services, plan, entry).await;
        looked.push((entry, current, action));
    }

    let mut outcomes = Vec::with_capacity(looked.len());
    let (mut restored, mut already, mut refused, mut failed) = (0, 0, 0, 0);
    for (entry, _, action) in &looked {
        let outcome = match action {
            Action::AlreadyRestored => {
                already += 1;
                "already on its previous key".to_owned()
            }
            Action::Refuse(reason) => {
                refused += 1;
                format!("refused: {reason}")
            }
            Action::Restore if !apply => "would restore".to_owned(),
            Action::Restore => {
                progress.status(format!("restoring {}", entry.secret_name));
                pacer.wait().await;
                let previous = entry
                    .previous_kms_key_id
                    .as_deref()
                    .filter(|k| !k.is_empty());
                let result = match services
                    .changer
                    .update_kms_key(&entry.secret_arn, previous)
                    .await
                {
                    Err(e) => Err(e.to_string()),
                    Ok(()) => {
                        verify_key(&services.store, &entry.secret_arn, |now| {
                            same_stored_key(now, previous)
                        })
                        .await
                    }
                };
                tracing::info!(secret = %entry.secret_arn, ok = result.is_ok(), "UpdateSecret (backout)");
                match result {
                    Ok(()) => {
                        restored += 1;
                        "restored".to_owned()
                    }
                    Err(error) => {
                        failed += 1;
                        format!("failed: {error}")
                    }
                }
            }
        };
        outcomes.push(outcome);
    }
    progress.clear();

    let rows: Vec<ActionRow> = looked
        .iter()
        .zip(outcomes)
        .map(|((entry, current, _), outcome)| ActionRow {
            secret: entry.secret_name.clone(),
            from: current.clone(),
            to: key_label(entry.previous_kms_key_id.as_deref()),
            outcome,
        })
        .collect();
    out.write_all(render_actions(&rows, width).as_bytes())?;
    let to_restore = looked
        .iter()
        .filter(|(_, _, a)| matches!(a, Action::Restore))
        .count();
    if apply {
        writeln!(
            out,
            "restored {restored} of {to_restore} in {}: {failed} failed, {refused} refused, \
             {already} already on their previous key.",
            plan.region
        )?;
    } else {
        writeln!(
            out,
            "dry run, nothing changed: {to_restore} to restore, {already} already on their \
             previous key, {refused} refused (in {}).",
            plan.region
        )?;
        if to_restore > 0 {
            writeln!(out, "Run again with --apply to restore.")?;
        }
    }
    if refused + failed > 0 {
        return Err(CliError::Incomplete(format!(
            "{refused} secret(s) refused and {failed} failed (see ACTION above); the others are done"
        )));
    }
    Ok(())
}

/// Look at one secret: the key it is on now (as shown), and what backing it out means.
async fn look<S, K, C>(
    services: &Services<S, K, C>,
    plan: &Plan,
    entry: &PlanEntry,
) -> (String, Action)
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    let (current, action) = decide(services, plan, entry).await;
    (
        current.map_or_else(|| "-".to_owned(), |current| key_label(current.as_deref())),
        action,
    )
}

/// The key the secret is on now (`None`: not known; `Some(None)`: the default key), and
/// what to do.
async fn decide<S, K, C>(
    services: &Services<S, K, C>,
    plan: &Plan,
    entry: &PlanEntry,
) -> (Option<Option<String>>, Action)
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    if entry.region != plan.region {
        let reason = format!("it is in {}, the plan is for {}", entry.region, plan.region);
        return (None, Action::Refuse(reason));
    }
    let facts = match services.store.describe(&entry.secret_arn).await {
        Ok(Some(facts)) => facts,
        Ok(None) => return (None, Action::Refuse("the secret no longer exists".into())),
        Err(e) => return (None, Action::Refuse(format!("cannot be described: {e}"))),
    };
    let stored = facts.kms_key_id.clone().filter(|k| !k.is_empty());
    let current = Some(stored.clone());
    let stored = stored.as_deref();
    let previous = entry
        .previous_kms_key_id
        .as_deref()
        .filter(|k| !k.is_empty());
    if same_stored_key(stored, previous) {
        return (current, Action::AlreadyRestored);
    }
    if facts.deleted_date.is_some() {
        return (current, Action::Refuse("scheduled for deletion".into()));
    }
    if let Some(owner) = &facts.owning_service {
        return (
            current,
            Action::Refuse(format!(
                "managed by {owner}; change its key through {owner}"
            )),
        );
    }
    if !same_stored_key(stored, Some(&entry.new_kms_key_id)) {
        let reason = format!(
            "its key changed since the plan was written (now {}, the plan moved it to {}); left alone",
            key_label(stored),
            entry.new_kms_key_id
        );
        return (current, Action::Refuse(reason));
    }
    // The default key and alias/aws/* are restored without a lookup (DescribeKey on an
    // aws/ alias can create the AWS managed key); any other previous key must still be
    // usable, or the restore would leave the secret unreadable.
    if let Some(previous) = previous
        && !is_default_key(Some(previous))
    {
        let key = match KeyRef::parse(previous) {
            Ok(key) => key,
            Err(e) => {
                return (
                    current,
                    Action::Refuse(format!("the plan's previous key: {e}")),
                );
            }
        };
        if !key.is_aws_managed_alias()
            && let Err(problem) =
                check_key(&key, &facts.scope, &services.keys, KeyUse::Restore).await
        {
            return (current, Action::Refuse(format!("previous key: {problem}")));
        }
    }
    (current, Action::Restore)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_keys_compare_by_meaning() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert!(same_stored_key(None, None));
        assert!(same_stored_key(None, Some("alias/aws/secretsmanager")));
        assert!(same_stored_key(Some("alias/app"), Some("alias/app")));
        let upper = "arn:aws:kms:us-east-1:111122223333:key/1234ABCD-12AB-34CD-56EF-1234567890AB";
        assert!(same_stored_key(Some(arn), Some(upper)));
        assert!(!same_stored_key(None, Some(arn)));
        assert!(!same_stored_key(Some("alias/app"), Some(arn)));
    }
}
