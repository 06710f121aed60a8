//! The AWS side of `doctor --organization` beyond the management account's own view: the
//! StackSet's targets, the accounts of its target OUs, and the rule in each member (through
//! a role assumed there). No decision is made here.
//!
//! | probe | API calls |
//! |---|---|
//! | [`stack_set_targets`] | cloudformation:DescribeStackSet |
//! | [`target_accounts`] | organizations:DescribeOrganization, organizations:ListChildren (every page, every level), organizations:ListAccounts (every page) |
//! | [`member_rules`] | sts:AssumeRole (once per member account), then per Region config:DescribeConfigRules and config:DescribeConfigRuleEvaluationStatus, [`CONCURRENT_ACCOUNTS`] accounts at a time |
//!
//! The Organizations ListAccounts reader here is doctor's own; `audit --organization` has
//! another (crates/cli/src/organization/), to be merged.

use super::coverage::{OrgAccount, StackSetTargets, TargetAccounts};
use super::members::{MemberRule, MemberSeen};
use super::model::{Observed, describe_error, is_denied};
use super::organization::StackInstance;
use super::probes::{absent_if, rule_status};
use aws_sdk_cloudformation::types::CallAs;
use aws_sdk_organizations::types::ChildType;
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use secrets_cmk_aws::clients::in_region;
use secrets_cmk_aws::{ApiCalls, AwsError, RoleAssumer, SdkConfig, StsRoleAssumer};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// How many member accounts are read at once: enough to go through thousands of accounts
/// in minutes, few enough to stay under STS's and Config's request rates.
pub const CONCURRENT_ACCOUNTS: usize = 8;

/// The session name doctor's AssumeRole calls carry (what CloudTrail shows in the member).
pub const SESSION_NAME: &str = "secrets-cmk-doctor";

/// What DescribeStackSet says of the StackSet's targets (`None`: no such StackSet).
pub async fn stack_set_targets(
    cloudformation: &aws_sdk_cloudformation::Client,
    name: &str,
    delegated_admin: bool,
) -> Observed<Option<StackSetTargets>> {
    const OP: &str = "cloudformation:DescribeStackSet";
    let call_as = if delegated_admin {
        CallAs::DelegatedAdmin
    } else {
        CallAs::SelfValue
    };
    let out = match cloudformation
        .describe_stack_set()
        .stack_set_name(name)
        .call_as(call_as)
        .send()
        .await
    {
        Ok(out) => out,
        Err(err) => {
            return absent_if(AwsError::from_sdk(OP, err), "StackSetNotFoundException");
        }
    };
    let Some(stack_set) = out.stack_set() else {
        return Err(AwsError::malformed_response(OP, "no StackSet"));
    };
    Ok(Some(StackSetTargets {
        permission_model: stack_set.permission_model().map(|p| p.as_str().to_owned()),
        organizational_unit_ids: stack_set.organizational_unit_ids().to_vec(),
        regions: stack_set.regions().to_vec(),
    }))
}

/// The management account and every account under `targets` (OUs or the root, and every
/// OU beneath them).
pub async fn target_accounts(
    organizations: &aws_sdk_organizations::Client,
    targets: &[String],
) -> Observed<TargetAccounts> {
    const DESCRIBE: &str = "organizations:DescribeOrganization";
    let described = organizations
        .describe_organization()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(DESCRIBE, e))?;
    let management_account = described
        .organization()
        .and_then(|o| o.master_account_id())
        .ok_or_else(|| AwsError::malformed_response(DESCRIBE, "no MasterAccountId"))?
        .to_owned();
    let mut ids = BTreeSet::new();
    let mut parents: Vec<String> = targets.to_vec();
    let mut seen = BTreeSet::new();
    while let Some(parent) = parents.pop() {
        if !seen.insert(parent.clone()) {
            continue;
        }
        ids.extend(children(organizations, &parent, ChildType::Account).await?);
        parents.extend(children(organizations, &parent, ChildType::OrganizationalUnit).await?);
    }
    let accounts = all_accounts(organizations)
        .await?
        .into_iter()
        .filter(|a| ids.contains(&a.id))
        .collect();
    Ok(TargetAccounts {
        management_account,
        accounts,
    })
}

async fn children(
    organizations: &aws_sdk_organizations::Client,
    parent: &str,
    kind: ChildType,
) -> Observed<Vec<String>> {
    const OP: &str = "organizations:ListChildren";
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = organizations
            .list_children()
            .parent_id(parent)
            .child_type(kind.clone())
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        ids.extend(
            out.children()
                .iter()
                .filter_map(|c| c.id().map(str::to_owned)),
        );
        match out.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => return Ok(ids),
        }
    }
}

async fn all_accounts(organizations: &aws_sdk_organizations::Client) -> Observed<Vec<OrgAccount>> {
    const OP: &str = "organizations:ListAccounts";
    let mut accounts = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = organizations
            .list_accounts()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        accounts.extend(out.accounts().iter().filter_map(|a| {
            let state = match (a.state(), a.status()) {
                (Some(state), _) => state.as_str().to_owned(),
                (None, Some(status)) => status.as_str().to_owned(),
                (None, None) => String::new(),
            };
            Some(OrgAccount {
                id: a.id()?.to_owned(),
                name: a.name().unwrap_or_default().to_owned(),
                state,
            })
        }));
        match out.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => return Ok(accounts),
        }
    }
}

/// Who doctor is and how it reaches the members.
#[derive(Debug, Clone)]
pub struct Reach {
    /// The configuration of the caller (its own account; any Region).
    pub base: SdkConfig,
    /// The caller's account: read with the caller's own credentials.
    pub own_account: String,
    /// The partition of the role ARNs.
    pub partition: String,
    /// `--role-name`: the role to assume in every other member.
    pub role_name: Option<String>,
}

/// The rule `rule_name` in every account and Region of `instances`, one task per account,
/// [`CONCURRENT_ACCOUNTS`] at a time, sorted by account and Region.
pub async fn member_rules(
    reach: &Reach,
    instances: &[StackInstance],
    rule_name: &str,
) -> Vec<MemberRule> {
    let mut by_account: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for instance in instances {
        by_account
            .entry(instance.account.clone())
            .or_default()
            .insert(instance.region.clone());
    }
    let limit = Arc::new(Semaphore::new(CONCURRENT_ACCOUNTS));
    let mut tasks = JoinSet::new();
    for (account, regions) in by_account {
        let (reach, limit, rule_name) = (reach.clone(), limit.clone(), rule_name.to_owned());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            one_account(&reach, &account, &regions, &rule_name).await
        });
    }
    let mut members = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(found) => members.extend(found),
            // A task that panicked or was cancelled: nothing to report for its account;
            // the others are still reported.
            Err(error) => tracing::warn!(%error, "a member account's probe did not finish"),
        }
    }
    members.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    members
}

async fn one_account(
    reach: &Reach,
    account: &str,
    regions: &BTreeSet<String>,
    rule_name: &str,
) -> Vec<MemberRule> {
    let every = |seen: MemberSeen| -> Vec<MemberRule> {
        regions
            .iter()
            .map(|region| MemberRule {
                account: account.to_owned(),
                region: region.clone(),
                seen: seen.clone(),
            })
            .collect()
    };
    let config = match account_config(reach, account).await {
        Ok(config) => config,
        Err(seen) => return every(seen),
    };
    let mut found = Vec::new();
    for region in regions {
        let client = aws_sdk_config::Client::new(&in_region(&config, region));
        let seen = match rule_status(&client, rule_name).await {
            Ok(status) => MemberSeen::Rule(status),
            Err(error) => MemberSeen::NotReached {
                why: describe_error(&error),
                how: if is_denied(&error) {
                    format!(
                        "allow {} (and config:DescribeConfigRules, \
                         config:DescribeConfigRuleEvaluationStatus) to the role doctor uses there",
                        error.operation
                    )
                } else {
                    "retry later; run with -vv to see the SDK's retries".to_owned()
                },
            },
        };
        found.push(MemberRule {
            account: account.to_owned(),
            region: region.clone(),
            seen,
        });
    }
    found
}

/// A configuration acting in `account`: the caller's own, or the role assumed there.
async fn account_config(reach: &Reach, account: &str) -> Result<SdkConfig, MemberSeen> {
    if account == reach.own_account {
        return Ok(reach.base.clone());
    }
    let Some(role_name) = &reach.role_name else {
        return Err(MemberSeen::NotReached {
            why: "another account, and no --role-name to reach it".to_owned(),
            how: "pass --role-name NAME: a role in every member account that the caller may \
                  assume, allowed config:DescribeConfigRules and \
                  config:DescribeConfigRuleEvaluationStatus (e.g. OrganizationAccountAccessRole); \
                  no AWS Config aggregator API reports a rule's invocation status"
                .to_owned(),
        });
    };
    let role_arn = format!("arn:{}:iam::{account}:role/{role_name}", reach.partition);
    let assumer = StsRoleAssumer::from_config(&reach.base, ApiCalls::new());
    match assumer.assume_role(&role_arn, SESSION_NAME).await {
        Ok(credentials) => {
            let provider = SharedCredentialsProvider::new(Credentials::new(
                credentials.access_key_id,
                credentials.secret_access_key,
                Some(credentials.session_token),
                Some(credentials.expiration),
                SESSION_NAME,
            ));
            Ok(reach
                .base
                .to_builder()
                .credentials_provider(provider)
                .build())
        }
        Err(error) => Err(MemberSeen::NotReached {
            why: format!("could not assume {role_arn}: {}", describe_error(&error)),
            how: format!(
                "let the caller assume {role_name} in each member (sts:AssumeRole, and the role's \
                 trust policy), or pass --role-name with a role that exists there"
            ),
        }),
    }
}
