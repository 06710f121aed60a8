//! `doctor --organization`: which accounts of the member StackSet's target OUs have no
//! stack instance, and the instance count against the quota (pure).
//!
//! A service-managed StackSet never deploys to the organization's management account
//! (CloudFormation API "DeploymentTargets": "StackSets doesn't deploy stack instances to
//! the organization management account"), so a management account in a target (the root)
//! is said, not failed: the organization stack holds its own copy there.

use super::model::{CheckResult, Observed};
use super::organization::StackInstance;
use std::collections::BTreeSet;

/// The coverage check's id and title.
pub const COVERAGE: (&str, &str) = (
    "stackset-coverage",
    "every account of the target OUs has a StackSet instance in every Region",
);

/// CloudFormation's default quota of stack instances per stack set ("Understand
/// CloudFormation quotas": "100,000 stack instances per stack set"; adjustable through
/// Service Quotas, which doctor does not read).
pub const INSTANCES_PER_STACK_SET: usize = 100_000;

/// The most accounts a result names (the count covers the rest).
const LISTED_AT_MOST: usize = 20;

/// What DescribeStackSet says about the StackSet's targets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackSetTargets {
    /// `PermissionModel`: SERVICE_MANAGED or SELF_MANAGED.
    pub permission_model: Option<String>,
    /// `OrganizationalUnitIds`: the OUs (or root) the instances were deployed to.
    pub organizational_unit_ids: Vec<String>,
    /// `Regions`: where it has instances.
    pub regions: Vec<String>,
}

/// One account of the organization in a target OU (Organizations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    /// The account id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED), or the older `Status`.
    pub state: String,
}

/// The organization as the coverage check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetAccounts {
    /// The management account (DescribeOrganization `MasterAccountId`).
    pub management_account: String,
    /// Every account in the target OUs and their child OUs.
    pub accounts: Vec<OrgAccount>,
}

/// The coverage check of the StackSet `name`. `targets` is `Ok(None)` without a StackSet of that name; `accounts`
/// is `None` when targets did not call for a look at the organization.
pub fn stackset_coverage(
    name: &str,
    targets: &Observed<Option<StackSetTargets>>,
    accounts: Option<&Observed<TargetAccounts>>,
    instances: &[StackInstance],
) -> CheckResult {
    let (id, title) = COVERAGE;
    let targets = match targets {
        Ok(Some(targets)) => targets,
        Ok(None) => {
            return CheckResult::not_checked(
                id,
                title,
                "no StackSet to compare with the organization (see stackset-instances)",
                None,
            );
        }
        Err(error) => return CheckResult::from_error(id, title, error),
    };
    let quota = quota_note(instances.len());
    if targets.organizational_unit_ids.is_empty() {
        return CheckResult::not_checked(
            id,
            title,
            format!(
                "the StackSet ({}) names no target OU: its accounts are listed, not covered by \
                 the organization's OUs; {quota}",
                targets
                    .permission_model
                    .as_deref()
                    .unwrap_or("no permission model")
            ),
            Some(
                "deploy the organization stack, whose StackSet is service-managed with \
                 automatic deployment (cdk/README.md)"
                    .to_owned(),
            ),
        );
    }
    let organization = match accounts {
        Some(Ok(organization)) => organization,
        Some(Err(error)) => return CheckResult::from_error(id, title, error),
        None => {
            return CheckResult::not_checked(id, title, "the organization was not read", None);
        }
    };
    let mut regions: BTreeSet<&str> = targets.regions.iter().map(String::as_str).collect();
    regions.extend(instances.iter().map(|i| i.region.as_str()));
    let have: BTreeSet<(&str, &str)> = instances
        .iter()
        .map(|i| (i.account.as_str(), i.region.as_str()))
        .collect();
    let mut missing = Vec::new();
    let mut inactive = 0;
    let mut management_targeted = false;
    let mut active = 0;
    for account in &organization.accounts {
        if account.id == organization.management_account {
            management_targeted = true;
            continue;
        }
        if account.state != "ACTIVE" {
            inactive += 1;
            continue;
        }
        active += 1;
        let lacking: Vec<&str> = regions
            .iter()
            .copied()
            .filter(|r| !have.contains(&(account.id.as_str(), *r)))
            .collect();
        if !lacking.is_empty() {
            missing.push(format!(
                "{} ({}) in {}",
                account.id,
                account.name,
                lacking.join(", ")
            ));
        }
    }
    let ous = targets.organizational_unit_ids.join(", ");
    let mut notes = Vec::new();
    if management_targeted {
        notes.push(format!(
            "the management account {} has none, as expected (a service-managed StackSet never \
             deploys there; the organization stack holds its copy)",
            organization.management_account
        ));
    }
    if inactive > 0 {
        notes.push(format!("{inactive} account(s) not ACTIVE skipped"));
    }
    notes.push(quota);
    let notes = notes.join("; ");
    if instances.len() >= INSTANCES_PER_STACK_SET {
        return CheckResult::fail(
            id,
            title,
            format!("the StackSet is at the quota: {notes}"),
            "ask for more stack instances per stack set (Service Quotas, AWS CloudFormation), \
             or split the target OUs between StackSets",
        );
    }
    if !missing.is_empty() {
        let mut shown: Vec<String> = missing.iter().take(LISTED_AT_MOST).cloned().collect();
        if missing.len() > LISTED_AT_MOST {
            shown.push(format!("and {} more", missing.len() - LISTED_AT_MOST));
        }
        return CheckResult::fail(
            id,
            title,
            format!(
                "{} of {active} active account(s) in {ous} are not covered: {}; {notes}",
                missing.len(),
                shown.join("; ")
            ),
            format!(
                "turn on the StackSet's automatic deployment (the organization stack does), or \
                 add the instances: aws cloudformation create-stack-instances --stack-set-name \
                 {name} --deployment-targets OrganizationalUnitIds={} --regions {}",
                targets.organizational_unit_ids.join(","),
                regions.iter().copied().collect::<Vec<_>>().join(" ")
            ),
        );
    }
    CheckResult::pass(
        id,
        title,
        format!(
            "all {active} active account(s) in {ous} have an instance in each of {} Region(s); {notes}",
            regions.len()
        ),
    )
}

fn quota_note(count: usize) -> String {
    format!("{count} instance(s) of the default quota of {INSTANCES_PER_STACK_SET} per stack set")
}
