//! `secrets-cmk doctor`: read-only checks on the account and Region of the current
//! credentials, turning the `assumed` rows of docs/aws-behaviour.md into facts and the
//! usual set-up mistakes into clear messages.
//!
//! | module | what |
//! |---|---|
//! | [`model`] | the facts the probes gather and the result of a check (pure) |
//! | [`checks`] | credentials, recorder, resource id, configuration item, PrimaryRegion, the deployed rule (pure) |
//! | [`permissions`] | the calls the CLI, the rule and the runbooks need, simulated for the caller (pure) |
//! | [`organization`] | `--organization`: the member StackSet's instances, the organization pack per member (pure) |
//! | [`coverage`] | `--organization`: the accounts of the target OUs without an instance, the quota (pure) |
//! | [`members`] | `--organization`: the rule's last run in each member, `central`'s invocations (pure) |
//! | [`report`] | the report, its table and JSON, the exit code (pure) |
//! | [`probes`], [`member_probes`] | the AWS calls (the only modules that make any) |
//!
//! The order matters only once: without working credentials nothing else can run, and
//! the report says so (exit 2).

pub mod checks;
pub mod coverage;
pub mod member_probes;
pub mod members;
pub mod model;
pub mod organization;
#[cfg(test)]
mod organization_tests;
pub mod permissions;
pub mod probes;
pub mod report;
#[cfg(test)]
mod tests;

use crate::args::doctor::{DoctorArgs, DoctorFormat};
use crate::args::single_region;
use crate::error::CliError;
use model::{CallerIdentity, CheckResult};
use permissions::{Decisions, GROUPS, Place, Principal};
use probes::AwsProbes;
use report::{Outcome, Report, render_json, render_table, summary_line};
use secrets_cmk_aws::SdkConfig;
use secrets_cmk_aws::clients::{in_region, region_of};
use std::io::Write;

/// Run every check in the Region (`--region`, else the configuration's), write the
/// report to stdout, and end with the outcome's exit code.
pub async fn run(base: &SdkConfig, regions: &[String], args: &DoctorArgs) -> Result<(), CliError> {
    let region = match single_region(regions, "doctor")? {
        Some(region) => region.to_owned(),
        None => region_of(base).ok_or(CliError::NoRegion)?,
    };
    let regional = in_region(base, &region);
    let probes = AwsProbes::new(&regional);
    let mut report = gather(&probes, &region, &args.rule_name).await;
    if args.organization {
        let reach = match (&report.account, &report.caller) {
            (Some(account), Some(caller)) => Some(member_probes::Reach {
                base: regional.clone(),
                own_account: account.clone(),
                partition: caller.split(':').nth(1).unwrap_or("aws").to_owned(),
                role_name: args.role_name.clone(),
            }),
            _ => None,
        };
        report
            .checks
            .extend(organization_checks(&probes, args, reach.as_ref()).await);
    }
    let text = match args.format {
        DoctorFormat::Table => render_table(&report),
        DoctorFormat::Json => {
            render_json(&report).map_err(|e| CliError::Output(std::io::Error::other(e)))?
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    match report.outcome() {
        Outcome::Passed => Ok(()),
        Outcome::Failed(count) => Err(CliError::ChecksFailed {
            count,
            summary: summary_line(report.summary()),
        }),
        Outcome::CouldNotRun => Err(CliError::Incomplete(
            "doctor could not run: the credentials do not work (see the credentials check)"
                .to_owned(),
        )),
    }
}

/// The `--organization` checks, in report order (not checked without working credentials,
/// `reach` `None`).
async fn organization_checks(
    probes: &AwsProbes,
    args: &DoctorArgs,
    reach: Option<&member_probes::Reach>,
) -> Vec<CheckResult> {
    let Some(reach) = reach else {
        let why = "needs working credentials (see the credentials check)";
        return ORGANIZATION_CHECKS
            .into_iter()
            .map(|(id, title)| CheckResult::not_checked(id, title, why, None))
            .collect();
    };
    let name = &args.stack_set_name;
    let instances = probes.stack_instances(name, args.delegated_admin).await;
    let targets =
        member_probes::stack_set_targets(&probes.cloudformation, name, args.delegated_admin).await;
    let accounts = match &targets {
        Ok(Some(targets)) if !targets.organizational_unit_ids.is_empty() => {
            let organizations = aws_sdk_organizations::Client::new(&reach.base);
            Some(
                member_probes::target_accounts(&organizations, &targets.organizational_unit_ids)
                    .await,
            )
        }
        _ => None,
    };
    let listed: &[organization::StackInstance] = match &instances {
        Ok(Some(instances)) => instances,
        _ => &[],
    };
    let rules = member_probes::member_rules(reach, listed, &args.rule_name).await;
    let packs = probes.pack_members(&args.conformance_pack_name).await;
    vec![
        organization::stack_set_instances(&instances, name),
        coverage::stackset_coverage(name, &targets, accounts.as_ref(), listed),
        organization::conformance_pack_members(&packs, &args.conformance_pack_name),
        members::member_rules(&rules, &args.rule_name, chrono::Utc::now()),
        members::central_invocations(&rules),
    ]
}

/// The `--organization` checks' ids and titles, in report order.
const ORGANIZATION_CHECKS: [(&str, &str); 5] = [
    organization::STACK_SET,
    coverage::COVERAGE,
    organization::PACK,
    members::MEMBER_RULES,
    members::CENTRAL_INVOCATIONS,
];

/// Every check, in report order.
pub async fn gather(probes: &AwsProbes, region: &str, rule_name: &str) -> Report {
    let caller = probes.caller().await;
    let mut report = Report {
        account: None,
        region: region.to_owned(),
        caller: None,
        rule_name: rule_name.to_owned(),
        checks: vec![checks::credentials(&caller)],
    };
    let Ok(caller) = caller else {
        report.checks.extend(without_credentials());
        return report;
    };
    report.account = Some(caller.account.clone());
    report.caller = Some(caller.arn.clone());

    report
        .checks
        .push(checks::recorder(&probes.recorders().await, region));
    let listed = probes.listed_secrets().await;
    let discovered = probes.discovered_secrets().await;
    report
        .checks
        .push(checks::resource_id(&discovered, &listed));
    let item = match checks::item_candidate(&discovered, &listed) {
        Some(arn) => Some(probes.config_item(&arn).await),
        None => None,
    };
    report.checks.push(checks::config_item(item.as_ref()));
    let described = match &listed {
        // Listed with a PrimaryRegion: the check passes on ListSecrets alone.
        Ok(listed) if listed.iter().any(|s| s.primary_region.is_some()) => Ok(Vec::new()),
        Ok(listed) => {
            let arns: Vec<String> = listed.iter().map(|s| s.arn.clone()).collect();
            probes.described_secrets(&arns).await
        }
        Err(_) => Ok(Vec::new()),
    };
    report
        .checks
        .push(checks::primary_region(&listed, &described));
    report.checks.push(checks::rule(
        &probes.rule(rule_name).await,
        rule_name,
        region,
    ));
    report
        .checks
        .extend(permission_checks(probes, &caller, region).await);
    report
}

/// Every check after the first, not checked for want of credentials.
fn without_credentials() -> Vec<CheckResult> {
    let why = "needs working credentials (see the credentials check)";
    let mut rest: Vec<CheckResult> = [
        checks::RECORDER,
        checks::RESOURCE_ID,
        checks::CONFIG_ITEM,
        checks::PRIMARY_REGION,
        checks::RULE,
    ]
    .into_iter()
    .map(|(id, title)| CheckResult::not_checked(id, title, why, None))
    .collect();
    rest.extend(
        GROUPS
            .iter()
            .map(|g| CheckResult::not_checked(g.id, g.title, why, None)),
    );
    rest
}

/// One check per group of [`GROUPS`], from one set of simulations for all of them.
async fn permission_checks(
    probes: &AwsProbes,
    caller: &CallerIdentity,
    region: &str,
) -> Vec<CheckResult> {
    let mut groups = Vec::new();
    let mut every_need = Vec::new();
    for group in &GROUPS {
        match permissions::needs(permissions::CONTRACT, group.roles) {
            Ok(needs) => {
                every_need.extend(needs.iter().cloned());
                groups.push((group, Ok(needs)));
            }
            Err(problem) => groups.push((group, Err(problem))),
        }
    }
    let (principal, decisions) = simulate(probes, caller, region, &every_need).await;
    groups
        .into_iter()
        .map(|(group, needs)| match needs {
            Ok(needs) => permissions::group_check(group, &needs, &decisions, &principal),
            Err(problem) => CheckResult::not_checked(group.id, group.title, problem, None),
        })
        .collect()
}

/// The simulator's decisions for the caller's policies, and the principal they are for.
async fn simulate(
    probes: &AwsProbes,
    caller: &CallerIdentity,
    region: &str,
    needs: &[permissions::Need],
) -> (String, Result<Decisions, CheckResult>) {
    let principal = match permissions::principal_of(&caller.arn) {
        Principal::User { arn } => arn,
        Principal::AssumedRole {
            partition,
            account,
            role_name,
        } => match probes.role_arn(&role_name).await {
            Ok(arn) => arn,
            // The session ARN has no path; right for roles at "/" (most are).
            Err(_) => permissions::role_arn_without_path(&partition, &account, &role_name),
        },
        Principal::Unsupported(why) => {
            let how = Some("run doctor as an IAM user or a role session".to_owned());
            return (
                caller.arn.clone(),
                Err(permissions::cannot_simulate(why, how)),
            );
        }
    };
    let place = Place {
        partition: caller.arn.split(':').nth(1).unwrap_or("aws").to_owned(),
        region: region.to_owned(),
        account: caller.account.clone(),
    };
    let mut answers = Vec::new();
    for simulation in permissions::simulations(needs, &place) {
        match probes.simulate(&principal, &simulation).await {
            Ok(results) => answers.push((simulation, results)),
            Err(error) => {
                let failed = CheckResult::from_error("permissions", "permissions", &error);
                return (principal, Err(failed));
            }
        }
    }
    (principal, Ok(permissions::decisions(&answers)))
}
