//! `secrets-cmk audit --organization --role-name NAME` (and `--accounts`, `--all-regions`):
//! the one-account audit, over many accounts and Regions at once.
//!
//! With the credentials of the management or a delegated administrator account: the
//! accounts are the organization's ACTIVE members (Organizations ListAccounts) or those
//! named; the caller's own account is audited with its own credentials, every other one
//! through `arn:PARTITION:iam::ACCOUNT:role/NAME`, with the Lambda's session logic
//! (`secrets_cmk_aws::accounts::AccountSessions`: assumed once per account, cached until
//! shortly before it expires). Each account-Region is swept by the audit's own
//! [`sweep_region`], at most `--concurrency` at once: the request quotas of Secrets
//! Manager and KMS are per account and Region, so pairs do not compete for them.
//!
//! An account that cannot be reached (AssumeRole denied, no such role, ListRegions
//! failing) or a Region whose listing stopped (access denied, throttled after retries) is
//! reported and counted; the others go on; the run then ends with exit 2, after every
//! result was written. With `--security-hub`, each account's findings are imported with
//! that account's own session, in each finding's Region.
//!
//! | module | what |
//! |---|---|
//! | [`accounts`] | which accounts: ListAccounts, GetCallerIdentity, `--accounts`, the pure choice |
//! | [`regions`] | which Regions: `--region`, or each account's enabled ones (ListRegions) |
//! | [`report`] | what was gathered, and the reach told in the table and the HTML report |

pub mod accounts;
pub mod regions;
pub mod report;

use crate::args::{AuditArgs, Format};
use crate::audit::{audit_regions, format_name, outcome, render, report_meta, sweep_region};
use crate::error::CliError;
use crate::output::{AuditRow, Summary, render_html};
use crate::term::{Progress, ProgressBoard};
use accounts::{
    AwsDirectory, Caller, CallerLookup, MemberLister, parse_account_ids, require_role_for_others,
    select_accounts, validate_role_name,
};
use regions::{AccountRegions, RegionLister, region_set};
use report::{NotAudited, OrganizationAudit};
use rule_core::RuleParameters;
use secrets_cmk_aws::accounts::{AccountSessions, StsRoleAssumer};
use secrets_cmk_aws::clients::in_region;
use secrets_cmk_aws::{ApiCalls, KmsKeyDirectory, SdkConfig, SecretsManagerStore};
use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The role session name member accounts see in CloudTrail for an audit.
pub const AUDIT_SESSION_NAME: &str = "secrets-cmk-audit";

/// Which Regions each account is swept in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionChoice {
    /// These, in every account.
    Given(Vec<String>),
    /// Each account's enabled Regions (ListRegions with its credentials).
    AllEnabled,
}

/// How every audited account is reached: the caller's own credentials, or the role
/// assumed there (cached). Kept after the run ([`OrganizationAudit::reach`]) so that what
/// follows (`--security-hub`) acts in each account with the same sessions.
#[derive(Debug)]
pub struct Reach {
    /// One per audited account: each has its own cache and lock, so accounts are
    /// reached in parallel (one shared lock would assume the roles one at a time).
    sessions: HashMap<String, AccountSessions<StsRoleAssumer>>,
    caller: Caller,
    role_name: Option<String>,
}

impl Reach {
    /// `accounts` reached from `base` (the caller's own configuration): the caller's own
    /// account as is, every other through `role_name`, under [`AUDIT_SESSION_NAME`].
    pub fn new(
        base: &SdkConfig,
        calls: &ApiCalls,
        caller: Caller,
        accounts: impl IntoIterator<Item = String>,
        role_name: Option<String>,
    ) -> Reach {
        let assumer = StsRoleAssumer::from_config(base, calls.clone());
        Reach {
            sessions: accounts
                .into_iter()
                .map(|account| {
                    let sessions = AccountSessions::new(base.clone(), assumer.clone())
                        .with_session_name(AUDIT_SESSION_NAME);
                    (account, sessions)
                })
                .collect(),
            caller,
            role_name,
        }
    }

    /// A configuration acting in `account` (the base one for the caller's own), or why
    /// the account cannot be reached.
    pub async fn config_for(&self, account: &str) -> Result<SdkConfig, String> {
        let Some(sessions) = self.sessions.get(account) else {
            return Err(format!("{account} is not one of the audited accounts"));
        };
        sessions
            .config_for(
                &self.caller.account,
                account,
                &self.caller.partition,
                self.role_name.as_deref(),
                // Each pair starts with credentials that outlive it by the renewal margin.
                SystemTime::now(),
            )
            .await
            .map(|(config, _)| config)
            .map_err(|e| with_cause(&e))
    }
}

/// What is shared by every task of a run.
struct Shared {
    reach: Arc<Reach>,
    params: RuleParameters,
    calls: ApiCalls,
}

impl Shared {
    async fn config_for(&self, account: &str) -> Result<SdkConfig, String> {
        self.reach.config_for(account).await
    }
}

/// Run an organization audit and write the results as `audit` does (stdout or
/// `--output`; the summary and the reach on stderr for json, csv and html).
pub async fn run(
    base: &SdkConfig,
    regions: &[String],
    args: &AuditArgs,
    progress: &Progress,
) -> Result<(), CliError> {
    let gathered = gather(base, regions, args, progress).await?;
    let regions = gathered.regions();
    let summary = Summary::of(&gathered.rows, regions.len());
    let text = match args.format {
        Format::Table => {
            let mut text = render(&gathered.rows, &summary, args, &regions)?;
            text.push_str(&gathered.scope_text());
            text
        }
        Format::Html => {
            let mut meta = report_meta(&summary, args, &regions);
            let mut parameters = gathered.meta_parameters();
            parameters.append(&mut meta.parameters);
            meta.parameters = parameters;
            render_html(&gathered.rows, &meta)
                .map_err(|e| CliError::Usage(format!("rendering HTML: {e}")))?
        }
        _ => render(&gathered.rows, &summary, args, &regions)?,
    };
    crate::audit::write_output(args.output.as_deref(), &text)?;
    if args.format != Format::Table || args.output.is_some() {
        // stdout holds only data here; people still get the counts and the reach.
        eprintln!("{}", summary.line());
        if args.format != Format::Table {
            eprint!("{}", gathered.scope_text().trim_start());
        }
    }
    if let Some(path) = &args.output {
        eprintln!(
            "wrote the {} to {}",
            format_name(args.format),
            path.display()
        );
    }
    let mut failures = gathered.failures();
    if args.security_hub {
        failures.extend(import_into_security_hub(&gathered, progress).await);
    }
    outcome(&summary, &failures, args.fail_on_noncompliant)
}

/// `--security-hub` for an organization run: each account's findings imported with that
/// account's own credentials (the default product ARN takes only the caller's findings),
/// in each finding's Region. The failures for the exit status.
async fn import_into_security_hub(
    gathered: &OrganizationAudit,
    progress: &Progress,
) -> Vec<String> {
    use crate::output::asff::AsffSubject;
    let Some(reach) = &gathered.reach else {
        return Vec::new();
    };
    let subjects: Vec<AsffSubject<'_>> = gathered
        .rows
        .iter()
        .map(AsffSubject::from_audit_row)
        .collect();
    crate::security_hub::import_reaching(&subjects, reach, progress).await
}

/// Gather an organization audit: validate the flags, pick the accounts and Regions, and
/// sweep every account-Region. Bad flags, an unknown caller or a failed ListAccounts
/// are errors; anything that fails in one account or Region is in
/// [`OrganizationAudit::not_audited`].
pub async fn gather(
    base: &SdkConfig,
    regions: &[String],
    args: &AuditArgs,
    progress: &Progress,
) -> Result<OrganizationAudit, CliError> {
    let scope = &args.scope;
    let params = args.rule.parameters()?;
    let named = scope
        .accounts
        .as_deref()
        .map(parse_account_ids)
        .transpose()?;
    if let Some(role) = &scope.role_name {
        validate_role_name(role)?;
    }
    let choice = if scope.all_regions {
        if !regions.is_empty() {
            return Err(CliError::Usage(
                "--all-regions and --region do not go together: --all-regions sweeps each \
                 account's enabled Regions"
                    .into(),
            ));
        }
        RegionChoice::AllEnabled
    } else {
        RegionChoice::Given(audit_regions(base, regions)?)
    };

    let calls = ApiCalls::new();
    let directory = AwsDirectory::from_config(base, calls.clone());
    progress.status("asking STS who the caller is".into());
    let caller = directory
        .caller()
        .await
        .map_err(|e| CliError::aws("finding the caller's account", e))?;
    let members = if scope.organization {
        progress.status("listing the organization's accounts".into());
        Some(directory.members().await.map_err(|e| {
            CliError::aws(
                "listing the organization's accounts (run it with credentials of the \
                 management or a delegated administrator account)",
                e,
            )
        })?)
    } else {
        None
    };
    let selection = select_accounts(&caller, members.as_deref(), named.as_deref());
    require_role_for_others(&caller, &selection.accounts, scope.role_name.as_deref())?;

    let reach = Arc::new(Reach::new(
        base,
        &calls,
        caller.clone(),
        selection.accounts.iter().cloned(),
        scope.role_name.clone(),
    ));
    let shared = Arc::new(Shared {
        reach: Arc::clone(&reach),
        params,
        calls: calls.clone(),
    });
    let limit = Arc::new(Semaphore::new(usize::from(scope.concurrency)));
    let mut audit = OrganizationAudit {
        role_name: scope.role_name.clone(),
        caller: caller.account.clone(),
        reach: Some(reach),
        calls,
        inactive: selection.inactive,
        not_audited: selection
            .skipped
            .into_iter()
            .map(|s| NotAudited {
                account: s.account,
                region: None,
                reason: s.reason,
            })
            .collect(),
        ..OrganizationAudit::default()
    };

    let (pairs, unreached) =
        reach_accounts(&shared, &limit, &selection.accounts, &choice, progress).await;
    audit.not_audited.extend(unreached);
    sweep_pairs(&shared, &limit, pairs, progress, &mut audit).await;
    tracing::info!(
        accounts = audit.accounts().len(),
        pairs = audit.swept.len(),
        not_audited = audit.not_audited.len(),
        secrets = audit.rows.len(),
        calls = ?audit.calls.snapshot(),
        "organization audit done"
    );
    Ok(audit)
}

/// Reach every account (assume its role, list its enabled Regions when asked), at most
/// `limit` at once: the account-Region pairs to sweep, in account order, and the accounts
/// that could not be reached.
async fn reach_accounts(
    shared: &Arc<Shared>,
    limit: &Arc<Semaphore>,
    accounts: &[String],
    choice: &RegionChoice,
    progress: &Progress,
) -> (Vec<(String, String)>, Vec<NotAudited>) {
    let total = accounts.len() as u64;
    progress.counted(0, total, format!("reaching {total} account(s)"));
    let mut tasks = JoinSet::new();
    for (index, account) in accounts.iter().enumerate() {
        let (shared, limit, account, choice) = (
            Arc::clone(shared),
            Arc::clone(limit),
            account.clone(),
            choice.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let reached = match shared.config_for(&account).await {
                Err(reason) => Err(reason),
                Ok(config) => match choice {
                    RegionChoice::Given(regions) => Ok(regions),
                    RegionChoice::AllEnabled => {
                        AccountRegions::from_config(&config, shared.calls.clone())
                            .enabled_regions()
                            .await
                            .map(|listed| region_set(&listed))
                            .map_err(|e| format!("listing its enabled Regions failed: {e}"))
                    }
                },
            };
            (index, account, reached)
        });
    }
    let mut results = Vec::with_capacity(accounts.len());
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        done += 1;
        progress.counted(done, total, format!("reaching {total} account(s)"));
        match joined {
            Ok(result) => results.push(result),
            // A task only ends this way if it panicked: which account is not known here,
            // so the count of reached accounts is short and the run says so.
            Err(error) => results.push((
                usize::MAX,
                String::from("(unknown)"),
                Err(format!("an internal task failed: {error}")),
            )),
        }
    }
    results.sort_by_key(|(index, _, _)| *index);
    let mut pairs = Vec::new();
    let mut unreached = Vec::new();
    for (_, account, reached) in results {
        match reached {
            Ok(regions) => pairs.extend(regions.into_iter().map(|r| (account.clone(), r))),
            Err(reason) => unreached.push(NotAudited {
                account,
                region: None,
                reason,
            }),
        }
    }
    (pairs, unreached)
}

/// What one account-Region gave.
struct PairResult {
    index: usize,
    account: String,
    region: String,
    rows: Vec<AuditRow>,
    /// Why it is not (completely) audited.
    problem: Option<String>,
}

/// Sweep every pair, at most `limit` at once, each with a line on the progress board;
/// the results land in `audit` in pair order.
async fn sweep_pairs(
    shared: &Arc<Shared>,
    limit: &Arc<Semaphore>,
    pairs: Vec<(String, String)>,
    progress: &Progress,
    audit: &mut OrganizationAudit,
) {
    let board = ProgressBoard::replacing(progress, pairs.len() as u64);
    let mut tasks = JoinSet::new();
    for (index, (account, region)) in pairs.into_iter().enumerate() {
        let (shared, limit, board) = (Arc::clone(shared), Arc::clone(limit), board.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let line = board.line(format!("{account} {region}: starting"));
            let result = sweep_pair(&shared, index, account, region, &line).await;
            board.finish(
                &line,
                format!(
                    "{} {}: {} secrets",
                    result.account,
                    result.region,
                    result.rows.len()
                ),
            );
            result
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => results.push(result),
            Err(error) => audit.not_audited.push(NotAudited {
                account: "(unknown)".into(),
                region: None,
                reason: format!("an internal task failed: {error}"),
            }),
        }
    }
    board.clear();
    results.sort_by_key(|r| r.index);
    for result in results {
        if let Some(reason) = result.problem {
            audit.not_audited.push(NotAudited {
                account: result.account.clone(),
                region: Some(result.region.clone()),
                reason,
            });
        }
        audit.rows.extend(result.rows);
        audit.swept.push((result.account, result.region));
    }
}

/// Sweep one account-Region with that account's credentials.
async fn sweep_pair(
    shared: &Shared,
    index: usize,
    account: String,
    region: String,
    line: &Progress,
) -> PairResult {
    let mut result = PairResult {
        index,
        account,
        region,
        rows: Vec::new(),
        problem: None,
    };
    let config = match shared.config_for(&result.account).await {
        Ok(config) => in_region(&config, &result.region),
        Err(reason) => {
            result.problem = Some(reason);
            return result;
        }
    };
    let store = SecretsManagerStore::from_config(&config, shared.calls.clone());
    let keys = KmsKeyDirectory::new(config, shared.calls.clone());
    let label = format!("{} {}", result.account, result.region);
    let swept = sweep_region(&store, &keys, &shared.params, &label, line).await;
    result.rows = swept.items.iter().map(AuditRow::from_item).collect();
    if let Some(error) = swept.error {
        result.problem = Some(format!(
            "listing secrets stopped after {} secret(s): {error}",
            result.rows.len()
        ));
    }
    result
}

/// An error with its immediate cause: `could not assume ROLE: sts:AssumeRole failed
/// (AccessDenied): ...`. (The cause, an [`secrets_cmk_aws::AwsError`], already says the
/// code and message; what lies under it is the SDK's debug detail.)
fn with_cause(error: &dyn StdError) -> String {
    match error.source() {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Middle);

    #[derive(Debug, thiserror::Error)]
    #[error("middle")]
    struct Middle(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner;

    #[test]
    fn an_error_is_told_with_its_immediate_cause_only() {
        assert_eq!(with_cause(&Outer(Middle(Inner))), "outer: middle");
        assert_eq!(with_cause(&Inner), "inner");
    }
}
