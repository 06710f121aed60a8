//! `secrets-cmk remediate`: move NON_COMPLIANT (or named) secrets to a customer managed
//! key, with the SSM runbook's pre-checks, a backout plan written before the first change,
//! paced UpdateSecret calls, and a DescribeSecret after each to verify.
//!
//! The order is what makes it safe: everything is looked at and checked first (targets,
//! the target key in every account and Region concerned, each secret), so an unsafe
//! target key changes nothing at all; a per-secret problem refuses only that secret.

use crate::args::{RemediateArgs, single_region};
use crate::audit::sweep_region;
use crate::error::CliError;
use crate::output::{ActionRow, key_label, render_actions};
use crate::plan::{EntryStatus, PLAN_VERSION, Plan, PlanEntry, PlanFile, default_plan_path};
use crate::term::{Progress, stdout_width};
use chrono::{DateTime, Utc};
use rule_core::{
    Compliance, Decision, KeyFacts, KeyLookup, KeyRef, RuleParameters, Scope, SecretFacts,
    same_key_arn,
};
use secrets_cmk_aws::clients::{in_region, region_of};
use secrets_cmk_aws::remediation::is_default_key;
use secrets_cmk_aws::{
    ApiCalls, KeyCache, KeyDirectory, KeyProblem, KeyUse, KmsKeyDirectory, SdkConfig,
    SecretKeyChanger, SecretStore, SecretsManagerKeyChanger, SecretsManagerStore, UpdatePacer,
    check_key,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// DescribeSecret attempts to see a change (AWS's answer can briefly lag the write).
pub const VERIFY_ATTEMPTS: u32 = 3;
/// Wait between verification attempts.
pub const VERIFY_DELAY: Duration = Duration::from_secs(1);

/// The AWS capabilities `remediate` and `backout` use, in one account and Region.
#[derive(Debug)]
pub struct Services<S, K, C> {
    /// ListSecrets, DescribeSecret.
    pub store: S,
    /// DescribeKey.
    pub keys: K,
    /// UpdateSecret.
    pub changer: C,
}

/// The real services.
pub type AwsServices = Services<SecretsManagerStore, KmsKeyDirectory, SecretsManagerKeyChanger>;

impl AwsServices {
    /// Clients for `region`, built from the base configuration.
    pub fn for_region(base: &SdkConfig, region: &str, calls: &ApiCalls) -> AwsServices {
        let config = in_region(base, region);
        Services {
            store: SecretsManagerStore::from_config(&config, calls.clone()),
            changer: SecretsManagerKeyChanger::from_config(&config, calls.clone()),
            keys: KmsKeyDirectory::new(config, calls.clone()),
        }
    }
}

/// What to do, decided from the command line before any AWS call.
#[derive(Debug, Clone)]
pub struct Remediation {
    /// The one Region this run works in.
    pub region: String,
    /// The target key.
    pub target: KeyRef,
    /// Secrets named with `--secret`; empty: every NON_COMPLIANT secret of the Region.
    pub secrets: Vec<String>,
    /// The rule's parameters for the audit that picks the targets.
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
    if !args.secrets.is_empty() && !args.rule.is_empty() {
        return Err(CliError::Usage(
            "--secret names the secrets to re-key; the rule-parameter flags (--kms-key-arns, \
             --check-replicas, --require-enabled-key, --exemption-tag-key) only shape the audit \
             that picks them without --secret"
                .into(),
        ));
    }
    let params = args.rule.parameters()?;
    let started = Utc::now();
    let job = Remediation {
        plan_path: args.plan.clone(),
        region,
        target,
        secrets: args.secrets.clone(),
        params,
        apply: args.apply,
        started,
        width: stdout_width(),
    };
    let calls = ApiCalls::new();
    let services = AwsServices::for_region(base, &job.region, &calls);
    let result = execute(
        &services,
        &job,
        &mut UpdatePacer::default(),
        progress,
        &mut std::io::stdout(),
    )
    .await;
    progress.clear();
    tracing::info!(calls = ?calls.snapshot(), "remediate done");
    result
}

/// One secret looked at, and what happens to it.
#[derive(Debug)]
struct Item {
    /// The name (or what was given, when the secret was not found).
    label: String,
    /// What was learned about it; `None` when it could not be described.
    facts: Option<SecretFacts>,
    action: Action,
}

#[derive(Debug, Clone, PartialEq)]
enum Action {
    /// Still to be checked.
    Pending,
    /// Move it to this key ARN.
    Change(String),
    /// Already on this key ARN.
    OnTarget(String),
    /// Left alone, for this reason.
    Refuse(String),
}

impl Item {
    fn refused(
        label: impl Into<String>,
        facts: Option<SecretFacts>,
        reason: impl Into<String>,
    ) -> Item {
        Item {
            label: label.into(),
            facts,
            action: Action::Refuse(reason.into()),
        }
    }

    fn arn(&self) -> Option<&str> {
        self.facts.as_ref().map(|f| f.arn.as_str())
    }

    fn current(&self) -> Option<&str> {
        self.facts
            .as_ref()
            .and_then(|f| f.kms_key_id.as_deref())
            .filter(|k| !k.is_empty())
    }

    fn row(&self, outcome: String) -> ActionRow {
        let to = match &self.action {
            Action::Change(arn) | Action::OnTarget(arn) => arn.clone(),
            Action::Pending | Action::Refuse(_) => "-".to_owned(),
        };
        let from = if self.facts.is_some() {
            key_label(self.current())
        } else {
            "-".to_owned()
        };
        ActionRow {
            secret: self.label.clone(),
            from,
            to,
            outcome,
        }
    }
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
    K: KeyDirectory + Sync,
    C: SecretKeyChanger + Sync,
{
    // A target that is wrong whatever the secret changes nothing, before any call.
    let obvious = obvious_target_problems(&job.target, &job.region);
    if !obvious.is_empty() {
        return Err(CliError::UnsafeTarget { problems: obvious });
    }

    let mut items = if job.secrets.is_empty() {
        select_non_compliant(services, job, progress).await?
    } else {
        select_named(&services.store, &job.secrets, &job.region).await
    };
    refuse_per_secret(&mut items);
    check_target(services, job, &mut items).await?;

    if !job.apply {
        progress.clear();
        return dry_run(&items, job, out);
    }
    apply(services, job, &mut items, pacer, progress, out).await
}

/// The checks that need no call: an `alias/aws/...` target, a key ARN of another Region.
fn obvious_target_problems(target: &KeyRef, region: &str) -> Vec<String> {
    let key = target.to_string();
    let mut problems = Vec::new();
    if target.is_aws_managed_alias() {
        problems.push(KeyProblem::AwsManagedAlias { key: key.clone() }.to_string());
    }
    if let Some(key_region) = target.region()
        && key_region != region
    {
        problems.push(
            KeyProblem::OtherRegion {
                key,
                key_region: key_region.to_owned(),
                secret_region: region.to_owned(),
            }
            .to_string(),
        );
    }
    problems
}

/// Every NON_COMPLIANT secret of the Region, by the rule's own sweep.
async fn select_non_compliant<S, K, C>(
    services: &Services<S, K, C>,
    job: &Remediation,
    progress: &Progress,
) -> Result<Vec<Item>, CliError>
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    let swept = sweep_region(
        &services.store,
        &services.keys,
        &job.params,
        &job.region,
        progress,
    )
    .await;
    if let Some(error) = swept.error {
        // Nothing has been changed yet: stop rather than act on half a Region.
        return Err(CliError::aws(
            format!(
                "auditing {} for NON_COMPLIANT secrets (nothing was changed)",
                job.region
            ),
            error,
        ));
    }
    let mut items = Vec::new();
    for swept in swept.items {
        let label = swept.secret.name.clone();
        let facts = Some(swept.secret);
        match swept.decision {
            Decision::Verdict(verdict) if verdict.compliance == Compliance::NonCompliant => {
                if verdict.row == 11 {
                    items.push(Item::refused(
                        label,
                        facts,
                        format!(
                            "NON_COMPLIANT because of a replica's key, which re-keying the \
                             primary does not fix ({})",
                            verdict.annotation
                        ),
                    ));
                } else {
                    items.push(Item {
                        label,
                        facts,
                        action: Action::Pending,
                    });
                }
            }
            Decision::Verdict(_) => {}
            Decision::Unverifiable { reason } => {
                items.push(Item::refused(
                    label,
                    facts,
                    format!("could not be verified: {reason}"),
                ));
            }
        }
    }
    Ok(items)
}

/// The secrets named on the command line, described one by one.
async fn select_named<S: SecretStore + Sync>(store: &S, ids: &[String], region: &str) -> Vec<Item> {
    let mut items = Vec::new();
    for id in ids {
        let id = id.trim();
        if id.starts_with("arn:") {
            match Scope::from_secret_arn(id) {
                Err(e) => {
                    items.push(Item::refused(id, None, e.to_string()));
                    continue;
                }
                Ok(scope) if scope.region != region => {
                    items.push(Item::refused(
                        id,
                        None,
                        format!(
                            "it is in {}, this run works in {region} (run again with --region {})",
                            scope.region, scope.region
                        ),
                    ));
                    continue;
                }
                Ok(_) => {}
            }
        }
        match store.describe(id).await {
            Ok(Some(facts)) => items.push(Item {
                label: facts.name.clone(),
                facts: Some(facts),
                action: Action::Pending,
            }),
            Ok(None) => items.push(Item::refused(
                id,
                None,
                format!("no such secret in {region}"),
            )),
            Err(e) => items.push(Item::refused(id, None, format!("cannot be described: {e}"))),
        }
    }
    items
}

/// The per-secret refusals: twice in one run, scheduled for deletion, owned by a service.
fn refuse_per_secret(items: &mut [Item]) {
    let mut seen: Vec<String> = Vec::new();
    for item in items.iter_mut().filter(|i| i.action == Action::Pending) {
        let Some(facts) = &item.facts else { continue };
        let reason = if seen.contains(&facts.arn) {
            Some(
                "named more than once; a secret is changed at most once per run (AWS: at most \
                 once every 10 minutes)"
                    .to_owned(),
            )
        } else if let Some(date) = facts.deleted_date {
            Some(format!(
                "scheduled for deletion on {}",
                date.format("%Y-%m-%d")
            ))
        } else {
            facts.owning_service.as_ref().map(|owner| {
                format!("managed by {owner}; change its key through {owner}, not Secrets Manager")
            })
        };
        seen.push(facts.arn.clone());
        if let Some(reason) = reason {
            item.action = Action::Refuse(reason);
        }
    }
}

/// Check the target key once per account and Region concerned (any problem: nothing is
/// changed), then mark each pending secret as to change or already on the target.
async fn check_target<S, K, C>(
    services: &Services<S, K, C>,
    job: &Remediation,
    items: &mut [Item],
) -> Result<(), CliError>
where
    K: KeyDirectory + Sync,
{
    let mut scopes: Vec<Scope> = Vec::new();
    for item in items.iter().filter(|i| i.action == Action::Pending) {
        if let Some(facts) = &item.facts
            && !scopes.contains(&facts.scope)
        {
            scopes.push(facts.scope.clone());
        }
    }
    let mut resolved: Vec<(Scope, String)> = Vec::new();
    let mut problems = Vec::new();
    // Secrets of several accounts (ARNs given with --secret) each resolve the key in
    // their own account: say which one a problem is about.
    let several = scopes.len() > 1;
    for scope in scopes {
        match check_key(&job.target, &scope, &services.keys, KeyUse::Target).await {
            Ok(description) => resolved.push((scope, description.arn)),
            Err(problem) if several => problems.push(format!(
                "{problem} (for the secrets of account {})",
                scope.account
            )),
            Err(problem) => problems.push(problem.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::UnsafeTarget { problems });
    }

    let mut cache = KeyCache::new();
    for item in items.iter_mut().filter(|i| i.action == Action::Pending) {
        let Some(facts) = &item.facts else { continue };
        let Some((_, target_arn)) = resolved.iter().find(|(scope, _)| *scope == facts.scope) else {
            continue;
        };
        item.action = if on_key(facts, target_arn, &services.keys, &mut cache).await {
            Action::OnTarget(target_arn.clone())
        } else {
            Action::Change(target_arn.clone())
        };
    }
    Ok(())
}

/// Whether the secret's stored key is the key `key_arn` (an alias is resolved).
async fn on_key<K: KeyDirectory + Sync>(
    facts: &SecretFacts,
    key_arn: &str,
    keys: &K,
    cache: &mut KeyCache,
) -> bool {
    let stored = facts.kms_key_id.as_deref();
    if is_default_key(stored) {
        return false;
    }
    let Some(Ok(stored)) = stored.map(KeyRef::parse) else {
        return false;
    };
    if stored.is_aws_managed_alias() {
        return false;
    }
    let qualified = stored.qualify(&facts.scope);
    if same_key_arn(qualified.as_str(), key_arn) {
        return true;
    }
    if !stored.is_alias() {
        return false;
    }
    cache.resolve(keys, [qualified.clone()]).await;
    matches!(cache.lookup(&qualified), Some(KeyLookup::Described(d)) if same_key_arn(&d.arn, key_arn))
}

fn counts(items: &[Item]) -> (usize, usize, usize) {
    let change = items
        .iter()
        .filter(|i| matches!(i.action, Action::Change(_)))
        .count();
    let on_target = items
        .iter()
        .filter(|i| matches!(i.action, Action::OnTarget(_)))
        .count();
    let refused = items
        .iter()
        .filter(|i| matches!(i.action, Action::Refuse(_)))
        .count();
    (change, on_target, refused)
}

fn planned_outcome(action: &Action, apply: bool) -> String {
    match action {
        Action::Change(_) if apply => "re-key".to_owned(),
        Action::Change(_) => "would re-key".to_owned(),
        Action::OnTarget(_) => "already on the target key".to_owned(),
        Action::Refuse(reason) => format!("refused: {reason}"),
        Action::Pending => "not checked".to_owned(),
    }
}

fn dry_run(items: &[Item], job: &Remediation, out: &mut dyn Write) -> Result<(), CliError> {
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

async fn apply<S, K, C>(
    services: &Services<S, K, C>,
    job: &Remediation,
    items: &mut [Item],
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
        entries: items
            .iter()
            .filter_map(|item| match (&item.action, &item.facts) {
                (Action::Change(target_arn), Some(facts)) => Some(PlanEntry {
                    secret_arn: facts.arn.clone(),
                    secret_name: facts.name.clone(),
                    region: facts.scope.region.clone(),
                    previous_kms_key_id: item.current().map(str::to_owned),
                    new_kms_key_id: target_arn.clone(),
                    status: EntryStatus::Pending,
                    changed_at: None,
                    error: None,
                }),
                _ => None,
            })
            .collect(),
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
        let (Action::Change(target_arn), Some(arn)) = (&item.action, item.arn()) else {
            continue;
        };
        progress.status(format!(
            "re-keying {}/{change}: {}",
            entry_index + 1,
            item.label
        ));
        pacer.wait().await;
        let result = match services.changer.update_kms_key(arn, Some(target_arn)).await {
            Err(e) => Err((false, e.to_string())),
            Ok(()) => verify_key(&services.store, arn, |now| {
                now.is_some_and(|now| now == target_arn || same_key_arn(now, target_arn))
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
    writeln!(out, "Backout plan written to {path}")?;
    writeln!(out, "Undo with: secrets-cmk backout --plan {path} --apply")?;
    refusals_outcome(refused, failed)
}

/// DescribeSecret until `expected` holds for the stored key, up to [`VERIFY_ATTEMPTS`]
/// times; the last observation as the error.
pub(crate) async fn verify_key<S: SecretStore + Sync>(
    store: &S,
    arn: &str,
    expected: impl Fn(Option<&str>) -> bool,
) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 1..=VERIFY_ATTEMPTS {
        match store.describe(arn).await {
            Ok(Some(facts)) => {
                let now = facts.kms_key_id.as_deref().filter(|k| !k.is_empty());
                if expected(now) {
                    return Ok(());
                }
                last = format!("DescribeSecret still shows {}", key_label(now));
            }
            Ok(None) => last = "the secret no longer exists".to_owned(),
            Err(e) => last = format!("DescribeSecret failed: {e}"),
        }
        if attempt < VERIFY_ATTEMPTS {
            tokio::time::sleep(VERIFY_DELAY).await;
        }
    }
    Err(format!(
        "UpdateSecret succeeded but the change is not verified: {last}"
    ))
}

/// A path as the user should see it: absolute when it can be made so.
pub(crate) fn display_path(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    fn facts(name: &str) -> SecretFacts {
        let arn = format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}-AbCdEf");
        SecretFacts {
            scope: Scope::from_secret_arn(&arn).unwrap(),
            resource_id: arn.clone(),
            arn,
            name: name.to_owned(),
            kms_key_id: None,
            deleted_date: None,
            owning_service: None,
            tags: vec![],
            replicas: None,
        }
    }

    fn pending(facts: SecretFacts) -> Item {
        Item {
            label: facts.name.clone(),
            facts: Some(facts),
            action: Action::Pending,
        }
    }

    #[test]
    fn obviously_unsafe_targets_need_no_call() {
        // GIVEN/WHEN/THEN an aws/ alias and a key ARN of another Region are refused at once
        let aws = obvious_target_problems(
            &KeyRef::parse("alias/aws/secretsmanager").unwrap(),
            "us-east-1",
        );
        assert_eq!(aws.len(), 1);
        assert!(aws[0].contains("is an AWS managed key"), "{aws:?}");
        let arn = format!("arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}");
        let west = obvious_target_problems(&KeyRef::parse(&arn).unwrap(), "us-east-1");
        assert!(
            west[0].contains("is in eu-west-1, the secret is in us-east-1"),
            "{west:?}"
        );
        // AND an alias, a bare id, or a key ARN of the Region need DescribeKey to judge
        for fine in ["alias/app", KEY_ID, &arn.replace("eu-west-1", "us-east-1")] {
            assert!(obvious_target_problems(&KeyRef::parse(fine).unwrap(), "us-east-1").is_empty());
        }
    }

    #[test]
    fn per_secret_refusals_name_the_reason_and_leave_the_others() {
        // GIVEN a plain secret, the same again, one scheduled for deletion, one owned by RDS
        let mut deleted = facts("old");
        deleted.deleted_date = Some(chrono::Utc.with_ymd_and_hms(2030, 1, 2, 0, 0, 0).unwrap());
        let mut owned = facts("rds");
        owned.owning_service = Some("rds".into());
        let mut items = vec![
            pending(facts("a")),
            pending(facts("a")),
            pending(deleted),
            pending(owned),
        ];
        // WHEN checked
        refuse_per_secret(&mut items);
        // THEN only the first stays pending, each other says why
        assert_eq!(items[0].action, Action::Pending);
        let reasons: Vec<String> = items[1..]
            .iter()
            .map(|i| match &i.action {
                Action::Refuse(reason) => reason.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(
            reasons[0].starts_with("named more than once"),
            "{reasons:?}"
        );
        assert_eq!(reasons[1], "scheduled for deletion on 2030-01-02");
        assert_eq!(
            reasons[2],
            "managed by rds; change its key through rds, not Secrets Manager"
        );
    }
}
