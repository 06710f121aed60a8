//! `secrets-cmk remediate`: move NON_COMPLIANT (or named) secrets to a customer managed
//! key, with the SSM runbook's pre-checks, a backout plan written before the first change,
//! paced UpdateSecret calls, and a DescribeSecret after each to verify.
//!
//! The order is what makes it safe: everything is looked at and checked first (targets,
//! the target key in every account and Region concerned, each secret), so an unsafe
//! target key changes nothing at all; a per-secret problem refuses only that secret.
//!
//! | step | module |
//! |---|---|
//! | pick the secrets, refuse the ones that must not be touched | [`select`] |
//! | check the target key (rule-core's remediation table, then the decision table) | [`target`] |
//! | write the plan, change, verify | [`apply`] |

mod apply;
mod select;
mod target;

use crate::args::{RemediateArgs, single_region};
use crate::change::{Services, display_path, with_aws_services};
use crate::error::CliError;
use crate::output::{ActionRow, render_actions};
use crate::term::{Progress, stdout_width};
use chrono::{DateTime, Utc};
use rule_core::{KeyRef, RuleParameters};
use secrets_cmk_aws::clients::region_of;
use secrets_cmk_aws::{
    KeyDirectory, KeyUsage, SdkConfig, SecretKeyChanger, SecretStore, UpdatePacer,
};
use select::{Action, Item};
use std::io::Write;
use std::path::PathBuf;

/// What to do, decided from the command line before any AWS call.
#[derive(Debug, Clone)]
pub struct Remediation {
    /// The one Region this run works in.
    pub region: String,
    /// The target key.
    pub target: KeyRef,
    /// Secrets named with `--secret`; empty: every NON_COMPLIANT secret of the Region.
    pub secrets: Vec<String>,
    /// The rule's parameters: they shape the audit that picks the targets, and their
    /// key trust (`kmsKeyArns`, `allowedKeyAccounts`) bounds which keys may be used.
    pub params: RuleParameters,
    /// Change things (otherwise a dry run).
    pub apply: bool,
    /// Where the backout plan goes (`None`: a timestamped file in the current directory).
    pub plan_path: Option<PathBuf>,
    /// When the run started (the plan's time).
    pub started: DateTime<Utc>,
    /// Table width (a terminal), or `None`.
    pub width: Option<u16>,
}

/// The Region a single-Region command works in: `--region`, else the configuration's.
pub fn command_region(
    base: &SdkConfig,
    regions: &[String],
    command: &str,
) -> Result<String, CliError> {
    match single_region(regions, command)? {
        Some(region) if region.trim().is_empty() => {
            Err(CliError::Usage("--region must not be empty".into()))
        }
        Some(region) => Ok(region.trim().to_owned()),
        None => region_of(base).ok_or(CliError::NoRegion),
    }
}

/// Run `remediate` against AWS, writing to stdout.
pub async fn run(
    base: &SdkConfig,
    regions: &[String],
    args: &RemediateArgs,
    progress: &Progress,
) -> Result<(), CliError> {
    let region = command_region(base, regions, "remediate")?;
    let target = KeyRef::parse(args.kms_key_id.trim())
        .map_err(|e| CliError::Usage(format!("--kms-key-id: {e}")))?;
    if !args.secrets.is_empty() && args.rule.shapes_selection_only() {
        return Err(CliError::Usage(
            "--secret names the secrets to re-key; --check-replicas, --require-enabled-key \
             and --exemption-tag-key only shape the audit that picks them without --secret \
             (--kms-key-arns and --allowed-key-accounts may be given: they bound the target key)"
                .into(),
        ));
    }
    let params = args.rule.parameters()?;
    let job = Remediation {
        plan_path: args.plan.clone(),
        region,
        target,
        secrets: args.secrets.clone(),
        params,
        apply: args.apply,
        started: Utc::now(),
        width: stdout_width(),
    };
    with_aws_services(
        base,
        &job.region,
        "remediate",
        progress,
        async |services, pacer, out| execute(services, &job, pacer, progress, out).await,
    )
    .await
}

/// Look, check, then (with `apply`) change; the pieces are generic so tests can fake AWS.
pub async fn execute<S, K, C>(
    services: &Services<S, K, C>,
    job: &Remediation,
    pacer: &mut UpdatePacer,
    progress: &Progress,
    out: &mut dyn Write,
) -> Result<(), CliError>
where
    S: SecretStore + Sync,
    K: KeyDirectory + KeyUsage + Sync,
    C: SecretKeyChanger + Sync,
{
    // A target that is wrong whatever the secret changes nothing, before any call.
    let obvious = target::obvious_problems(&job.target, &job.region);
    if !obvious.is_empty() {
        return Err(CliError::UnsafeTarget { problems: obvious });
    }

    let mut items = if job.secrets.is_empty() {
        select::non_compliant(services, job, progress).await?
    } else {
        select::named(&services.store, &job.secrets, &job.region).await
    };
    select::refuse_per_secret(&mut items);
    target::check(services, job, &mut items).await?;
    let warnings = target::advise(&services.keys, &items).await;

    if !job.apply {
        progress.clear();
        return dry_run(&items, &warnings, job, out);
    }
    apply::apply(services, job, &mut items, &warnings, pacer, progress, out).await
}

/// How many secrets are to change, already on the target, refused.
fn counts(items: &[Item]) -> (usize, usize, usize) {
    let count = |wanted: fn(&Action) -> bool| items.iter().filter(|i| wanted(&i.action)).count();
    (
        count(|a| matches!(a, Action::Change { .. })),
        count(|a| matches!(a, Action::OnTarget(_))),
        count(|a| matches!(a, Action::Refuse(_))),
    )
}

fn planned_outcome(action: &Action, apply: bool) -> String {
    match action {
        Action::Change { .. } if apply => "re-key".to_owned(),
        Action::Change { .. } => "would re-key".to_owned(),
        Action::OnTarget(_) => "already on the target key".to_owned(),
        Action::Refuse(reason) => format!("refused: {reason}"),
        Action::Pending => "not checked".to_owned(),
    }
}

fn write_warnings(warnings: &[String], out: &mut dyn Write) -> std::io::Result<()> {
    for warning in warnings {
        writeln!(out, "warning: {warning}")?;
    }
    Ok(())
}

fn dry_run(
    items: &[Item],
    warnings: &[String],
    job: &Remediation,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let rows: Vec<ActionRow> = items
        .iter()
        .map(|i| i.row(planned_outcome(&i.action, false)))
        .collect();
    out.write_all(render_actions(&rows, job.width).as_bytes())?;
    let (change, on_target, refused) = counts(items);
    writeln!(
        out,
        "dry run, nothing changed: {change} to re-key, {on_target} already on the target key, \
         {refused} refused (in {}).",
        job.region
    )?;
    write_warnings(warnings, out)?;
    if change > 0 {
        let plan = match &job.plan_path {
            Some(path) => display_path(path),
            None => {
                "a new secrets-cmk-plan-YYYYMMDDTHHMMSSZ.json in the current directory".to_owned()
            }
        };
        writeln!(
            out,
            "Run again with --apply to re-key; the backout plan will be written to {plan}."
        )?;
    }
    refusals_outcome(refused, 0)
}

fn refusals_outcome(refused: usize, failed: usize) -> Result<(), CliError> {
    if refused == 0 && failed == 0 {
        return Ok(());
    }
    Err(CliError::Incomplete(format!(
        "{refused} secret(s) refused and {failed} failed (see ACTION above); the others are done"
    )))
}
