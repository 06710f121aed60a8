//! What the remediate and backout tests share: keys and the fake account they live in,
//! the jobs as the command line would build them, and running a job to its result and
//! output.

use chrono::{DateTime, TimeZone, Utc};
use rule_core::{KeyRef, RuleParameters};
use secrets_cmk_aws::UpdatePacer;
use secrets_cmk_aws::testing::{FakeAws, REGION, alias_arn, secret_arn};
use secrets_cmk_cli::CliError;
use secrets_cmk_cli::backout::{self, Backout};
use secrets_cmk_cli::change::Services;
use secrets_cmk_cli::plan::{EntryStatus, PLAN_VERSION, Plan, PlanEntry};
use secrets_cmk_cli::remediate::{self, Remediation};
use secrets_cmk_cli::term::Progress;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The target key: customer managed, Enabled, of the secrets' account and Region.
pub(crate) const TARGET: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/// The key `alias/old` points at.
pub(crate) const OLD: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
/// Another key of ours.
pub(crate) const OTHER: &str =
    "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555";
/// An account that is not the secrets' and is trusted by nothing by default.
pub(crate) const FOREIGN_ACCOUNT: &str = "999988887777";
/// An Enabled customer managed key of [`FOREIGN_ACCOUNT`] (describable: only trust
/// keeps it out).
pub(crate) const FOREIGN: &str =
    "arn:aws:kms:eu-west-1:999988887777:key/66666666-7777-8888-9999-000000000000";
/// Another such key of [`FOREIGN_ACCOUNT`].
pub(crate) const FOREIGN_OTHER: &str =
    "arn:aws:kms:eu-west-1:999988887777:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

/// When the run started (the plan's time).
pub(crate) fn started() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

/// A fake account with the keys every test may use: TARGET, OLD (behind `alias/old`),
/// OTHER, and the two foreign keys, all Enabled customer managed keys.
pub(crate) fn account() -> FakeAws {
    let aws = FakeAws::new();
    for key in [TARGET, OLD, OTHER, FOREIGN, FOREIGN_OTHER] {
        aws.add_cmk(key);
    }
    aws.add_alias(&alias_arn("old"), OLD);
    aws
}

/// The CLI's services, all three over the one fake account.
pub(crate) fn services(aws: &FakeAws) -> FakeServices {
    Services {
        store: aws.clone(),
        keys: aws.clone(),
        changer: aws.clone(),
    }
}

/// How a command ended, and what it wrote.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) result: Result<(), CliError>,
    pub(crate) out: String,
}

impl Run {
    /// The message of an `Incomplete` ending (any other ending fails the test).
    pub(crate) fn incomplete(&self) -> &str {
        match &self.result {
            Err(CliError::Incomplete(message)) => message,
            other => panic!("expected Incomplete, got {other:?}\n{}", self.out),
        }
    }

    /// The problems of an `UnsafeTarget` ending (any other ending fails the test).
    pub(crate) fn unsafe_target(&self) -> &[String] {
        match &self.result {
            Err(CliError::UnsafeTarget { problems }) => problems,
            other => panic!("expected UnsafeTarget, got {other:?}\n{}", self.out),
        }
    }

    /// Fails the test unless the command succeeded.
    pub(crate) fn assert_ok(&self) {
        assert!(self.result.is_ok(), "{:?}\n{}", self.result, self.out);
    }
}

/// `remediate --apply --kms-key-id TARGET [--secret ...] --plan DIR/plan.json`.
pub(crate) fn remediation(dir: &Path, target: &str, secrets: &[&str]) -> Remediation {
    Remediation {
        region: REGION.to_owned(),
        target: KeyRef::parse(target).unwrap(),
        secrets: secrets.iter().map(|s| (*s).to_owned()).collect(),
        params: RuleParameters::default(),
        apply: true,
        plan_path: Some(plan_path(dir)),
        started: started(),
        width: None,
    }
}

/// Where [`remediation`] writes its plan.
pub(crate) fn plan_path(dir: &Path) -> PathBuf {
    dir.join("plan.json")
}

/// The CLI's services over the fake account.
type FakeServices = Services<FakeAws, FakeAws, FakeAws>;

/// Run a command's `execute` over the fake account, unpaced and without a progress bar,
/// capturing what it writes.
async fn run(
    aws: &FakeAws,
    execute: impl AsyncFnOnce(
        &FakeServices,
        &mut UpdatePacer,
        &Progress,
        &mut dyn Write,
    ) -> Result<(), CliError>,
) -> Run {
    let mut out = Vec::new();
    let result = execute(
        &services(aws),
        &mut UpdatePacer::new(Duration::ZERO),
        &Progress::hidden(),
        &mut out,
    )
    .await;
    Run {
        result,
        out: String::from_utf8(out).unwrap(),
    }
}

/// Run `remediate` over the fake account, unpaced.
pub(crate) async fn remediate(aws: &FakeAws, job: &Remediation) -> Run {
    run(aws, async |services, pacer, progress, out| {
        remediate::execute(services, job, pacer, progress, out).await
    })
    .await
}

/// The plan entry of a secret `name` moved from `previous` (as stored; resolved to
/// `previous_arn`) to TARGET, changed.
pub(crate) fn entry(name: &str, previous: Option<&str>, previous_arn: Option<&str>) -> PlanEntry {
    PlanEntry {
        secret_arn: secret_arn(name),
        secret_name: name.to_owned(),
        region: REGION.to_owned(),
        previous_kms_key_id: previous.map(str::to_owned),
        previous_key_arn: previous_arn.map(str::to_owned),
        new_kms_key_id: TARGET.to_owned(),
        new_key_arn: TARGET.to_owned(),
        status: EntryStatus::Changed,
        changed_at: Some(started()),
        error: None,
    }
}

/// A plan of these entries, as `remediate` writes it.
pub(crate) fn plan(entries: Vec<PlanEntry>) -> Plan {
    Plan {
        version: PLAN_VERSION,
        tool: "secrets-cmk 0.1.0".to_owned(),
        created_at: started(),
        region: REGION.to_owned(),
        target_kms_key_id: TARGET.to_owned(),
        entries,
    }
}

/// Run `backout` of `plan` over the fake account, unpaced; `trust` as
/// `--allowed-key-accounts` builds it.
pub(crate) async fn backout(aws: &FakeAws, plan: Plan, trust: RuleParameters, apply: bool) -> Run {
    let job = Backout {
        plan,
        trust,
        apply,
        width: None,
    };
    run(aws, async |services, pacer, progress, out| {
        backout::execute(services, &job, pacer, progress, out).await
    })
    .await
}
