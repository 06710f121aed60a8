//! `secrets-cmk backout`: put every secret of a backout plan back on the key it had
//! (`null`: the default key, restored with an empty KmsKeyId; see
//! `secrets_cmk_aws::remediation`).
//!
//! A plan is a file: anyone may have edited it. So backout trusts only what it can check
//! now, comparing resolved key ARNs, never the plan's strings alone:
//!
//! - a secret already on its previous key is reported and left alone (idempotent);
//! - a secret is restored only while its live key is the plan's new key; on any other
//!   key it was changed by someone else since, and is refused rather than overwritten;
//! - the previous key must be the key the plan recorded (an alias is restored by the key
//!   ARN it had then: it may point elsewhere now), of a trusted account (the secret's
//!   own or `--allowed-key-accounts`), existing, Enabled, in the secret's Region; the
//!   default key only when the plan recorded it (a `null` previous key).

use crate::args::{BackoutArgs, single_region};
use crate::change::{
    Services, StoredKey, display_path, resolve_stored, verify_key, with_aws_services,
};
use crate::error::CliError;
use crate::output::{ActionRow, key_label, render_actions};
use crate::plan::{Plan, PlanEntry};
use crate::term::{Progress, stdout_width};
use rule_core::{KeyRef, RuleParameters, secret_refusal};
use secrets_cmk_aws::remediation::is_default_key;
use secrets_cmk_aws::{
    KeyCache, KeyDirectory, KeyUse, SdkConfig, SecretKeyChanger, SecretStore, UpdatePacer,
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
    let trust = RuleParameters::from_pairs(
        args.allowed_key_accounts
            .as_deref()
            .map(|accounts| ("allowedKeyAccounts", accounts)),
    )
    .map_err(|source| CliError::Parameter {
        flag: "--allowed-key-accounts",
        source,
    })?;
    let region = plan.region.clone();
    let job = Backout {
        plan,
        trust,
        apply: args.apply,
        width: stdout_width(),
    };
    with_aws_services(
        base,
        &region,
        "backout",
        progress,
        async |services, pacer, out| execute(services, &job, pacer, progress, out).await,
    )
    .await
}

/// What to do, decided from the command line and the plan before any AWS call.
#[derive(Debug, Clone)]
pub struct Backout {
    /// The plan, as read (not trusted: every key in it is checked again).
    pub plan: Plan,
    /// The accounts whose keys may be restored, besides the secret's own
    /// (`--allowed-key-accounts`, as the rule's `allowedKeyAccounts`).
    pub trust: RuleParameters,
    /// Change things (otherwise a dry run).
    pub apply: bool,
    /// Table width (a terminal), or `None`.
    pub width: Option<u16>,
}

#[derive(Debug)]
enum Action {
    /// UpdateSecret with this reference (`None`: the default key), then verify that the
    /// stored key is `expect`.
    Restore {
        reference: Option<String>,
        expect: Expect,
    },
    AlreadyRestored,
    Refuse(String),
}

/// What the stored key must be after a restore.
#[derive(Debug, Clone)]
enum Expect {
    /// The default key.
    Default,
    /// The key with this ARN: the stored reference is `sent` exactly, or names `arn`.
    Key { sent: String, arn: String },
}

impl Expect {
    fn holds(&self, stored: Option<&str>) -> bool {
        match self {
            Expect::Default => is_default_key(stored),
            Expect::Key { sent, arn } => {
                stored.is_some_and(|now| now == sent || rule_core::same_key_arn(now, arn))
            }
        }
    }
}

/// Restore the plan's secrets (or, without `apply`, say what would be restored).
pub async fn execute<S, K, C>(
    services: &Services<S, K, C>,
    job: &Backout,
    pacer: &mut UpdatePacer,
    progress: &Progress,
    out: &mut dyn Write,
) -> Result<(), CliError>
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
    C: SecretKeyChanger + Sync,
{
    let Backout {
        plan,
        trust,
        apply,
        width,
    } = job;
    let (apply, width) = (*apply, *width);
    let mut looked: Vec<(&PlanEntry, String, Action)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (n, entry) in plan.entries.iter().enumerate() {
        progress.counted(
            n as u64,
            plan.entries.len() as u64,
            format!("checking {}", entry.secret_name),
        );
        if seen.contains(&entry.secret_arn.as_str()) {
            looked.push((
                entry,
                "-".into(),
                Action::Refuse("listed more than once in the plan".into()),
            ));
            continue;
        }
        seen.push(&entry.secret_arn);
        let (current, action) = look(services, plan, trust, entry).await;
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
            Action::Restore { .. } if !apply => "would restore".to_owned(),
            Action::Restore { reference, expect } => {
                progress.status(format!("restoring {}", entry.secret_name));
                pacer.wait().await;
                let result = match services
                    .changer
                    .update_kms_key(&entry.secret_arn, reference.as_deref())
                    .await
                {
                    Err(e) => Err(e.to_string()),
                    Ok(()) => {
                        verify_key(&services.store, &entry.secret_arn, |now| expect.holds(now))
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
        .map(|((entry, current, action), outcome)| ActionRow {
            secret: entry.secret_name.clone(),
            from: current.clone(),
            to: match action {
                Action::Restore { reference, .. } => key_label(reference.as_deref()),
                _ => key_label(entry.previous_kms_key_id.as_deref()),
            },
            outcome,
        })
        .collect();
    out.write_all(render_actions(&rows, width).as_bytes())?;
    let targets = restore_targets(&looked);
    let to_restore = looked
        .iter()
        .filter(|(_, _, a)| matches!(a, Action::Restore { .. }))
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
            // The plan is a file anyone may have edited: show every key it would restore
            // to, once, for review before --apply.
            writeln!(out, "Keys this backout restores to (review them):")?;
            for (key, count) in &targets {
                writeln!(out, "  {key}: {count} secret(s)")?;
            }
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

/// Every distinct key a backout restores to, with how many secrets, in first-use order.
fn restore_targets(looked: &[(&PlanEntry, String, Action)]) -> Vec<(String, usize)> {
    let mut targets: Vec<(String, usize)> = Vec::new();
    for (_, _, action) in looked {
        let Action::Restore { reference, .. } = action else {
            continue;
        };
        let key = key_label(reference.as_deref());
        match targets.iter_mut().find(|(known, _)| *known == key) {
            Some((_, count)) => *count += 1,
            None => targets.push((key, 1)),
        }
    }
    targets
}

/// Look at one secret: the key it is on now (as shown), and what backing it out means.
async fn look<S, K, C>(
    services: &Services<S, K, C>,
    plan: &Plan,
    trust: &RuleParameters,
    entry: &PlanEntry,
) -> (String, Action)
where
    S: SecretStore + Sync,
    K: KeyDirectory + Sync,
{
    let (current, action) = decide(services, plan, trust, entry).await;
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
    trust: &RuleParameters,
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
    // Fresh lookups: an alias may have been pointed elsewhere since the plan was written.
    let mut cache = KeyCache::new();
    let live = resolve_stored(stored.as_deref(), &facts.scope, &services.keys, &mut cache).await;
    let previous = match Previous::of(entry) {
        Ok(previous) => previous,
        Err(reason) => return (current, Action::Refuse(reason)),
    };
    if previous.is(&live) {
        return (current, Action::AlreadyRestored);
    }
    if let Some(reason) = secret_refusal(&facts) {
        return (current, Action::Refuse(reason));
    }
    if !live.is_key(&entry.new_key_arn) {
        let now = match &live {
            StoredKey::Unresolved(reason) => format!("{} ({reason})", key_label(stored.as_deref())),
            _ => key_label(stored.as_deref()),
        };
        let reason = format!(
            "its key is not the one the plan moved it to (now {now}, the plan moved it to {}); \
             left alone",
            entry.new_key_arn
        );
        return (current, Action::Refuse(reason));
    }
    let action = match previous {
        // The default key is restored without a lookup (DescribeKey on an aws/ alias can
        // create the AWS managed key), and only because the plan recorded it.
        Previous::Default => Action::Restore {
            reference: None,
            expect: Expect::Default,
        },
        Previous::Key { reference, arn } => {
            match check_previous(&reference, &arn, &facts.scope, trust, &services.keys).await {
                Ok(sent) => Action::Restore {
                    reference: Some(sent.clone()),
                    expect: Expect::Key { sent, arn },
                },
                Err(reason) => Action::Refuse(reason),
            }
        }
    };
    (current, action)
}

/// The previous key as the plan recorded it.
enum Previous {
    /// The default key (`previous_kms_key_id` null or aws/secretsmanager).
    Default,
    /// A key: the reference as it was stored, and the key ARN it resolved to.
    Key { reference: KeyRef, arn: String },
}

impl Previous {
    fn of(entry: &PlanEntry) -> Result<Previous, String> {
        let stored = entry
            .previous_kms_key_id
            .as_deref()
            .filter(|k| !k.is_empty());
        if is_default_key(stored) {
            return Ok(Previous::Default);
        }
        let reference = stored
            .map(KeyRef::parse)
            .transpose()
            .map_err(|e| format!("the plan's previous key: {e}"))?
            .ok_or_else(|| "the plan names no previous key".to_owned())?;
        let Some(arn) = entry.previous_key_arn.clone() else {
            return Err(format!(
                "the plan records no key ARN for the previous key {reference} (it could not be \
                 resolved when the plan was written), so what it names cannot be verified"
            ));
        };
        if !matches!(KeyRef::parse(&arn), Ok(KeyRef::KeyArn { .. })) {
            return Err(format!(
                "the plan's previous_key_arn {arn:?} is not a KMS key ARN"
            ));
        }
        Ok(Previous::Key { reference, arn })
    }

    /// Whether the secret's live key is this previous key.
    fn is(&self, live: &StoredKey) -> bool {
        match self {
            Previous::Default => *live == StoredKey::Default,
            Previous::Key { arn, .. } => live.is_key(arn),
        }
    }
}

/// Check a previous key before restoring it: of a trusted account, existing, Enabled, in
/// the secret's Region, and still the key the plan recorded. Returns the reference to
/// send: the stored form for a key id or ARN (restored exactly), the key ARN for an
/// alias (which may point elsewhere by the time UpdateSecret resolves it).
async fn check_previous<K: KeyDirectory + Sync>(
    reference: &KeyRef,
    recorded_arn: &str,
    scope: &rule_core::Scope,
    trust: &RuleParameters,
    keys: &K,
) -> Result<String, String> {
    // The recorded ARN is checked too: an edited plan could pair a harmless reference
    // with a foreign ARN, or the other way round.
    for key in [
        reference.clone(),
        KeyRef::parse(recorded_arn).map_err(|e| e.to_string())?,
    ] {
        let described = check_key(&key, scope, trust, keys, KeyUse::Restore)
            .await
            .map_err(|problem| format!("previous key: {problem}"))?;
        if !rule_core::same_key_arn(&described.arn, recorded_arn) {
            return Err(format!(
                "previous key {reference} is now {}, not {recorded_arn} as when the plan was \
                 written; left alone",
                described.arn
            ));
        }
    }
    Ok(if reference.is_alias() {
        recorded_arn.to_owned()
    } else {
        reference.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_key_after_a_restore_compares_by_meaning() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let upper = "arn:aws:kms:us-east-1:111122223333:key/1234ABCD-12AB-34CD-56EF-1234567890AB";
        assert!(Expect::Default.holds(None));
        assert!(Expect::Default.holds(Some("alias/aws/secretsmanager")));
        assert!(!Expect::Default.holds(Some(arn)));
        let by_id = Expect::Key {
            sent: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            arn: arn.into(),
        };
        assert!(by_id.holds(Some(upper)));
        assert!(by_id.holds(Some("1234abcd-12ab-34cd-56ef-1234567890ab")));
        assert!(!by_id.holds(None));
        assert!(!by_id.holds(Some("alias/app")));
    }
}
