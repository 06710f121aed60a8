//! Which of the calls the rule, the CLI and the runbooks need are denied to the caller.
//!
//! The actions come from `contract/contract.json` (the one list the CDK builds every
//! policy from). Doctor asks IAM's policy simulator (SimulatePrincipalPolicy) about the
//! caller's own user or role: it is read-only, covers identity policies, permissions
//! boundaries and the Organizations SCPs of the account, and needs no resource to exist.
//! Making the calls instead is no option: UpdateSecret and PutEvaluations write, and most
//! of these APIs have no dry run. What the simulator does not see (session policies,
//! resource policies such as a key policy) is said in the help. A caller whose policy
//! cannot be simulated (root, a federated user, a denied simulation) gets "not checked".
//!
//! To check another identity (the rule's role, a runbook's role), run doctor as it, e.g.
//! through a profile that assumes it.

use super::model::{CheckResult, SimulatedAction};
use std::collections::BTreeMap;

/// The contract, compiled in: doctor checks the grants of the build it ships with.
pub const CONTRACT: &str = include_str!("../../../../contract/contract.json");

/// Who needs a set of actions: a check id, its title, and the contract roles it unites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// The check id.
    pub id: &'static str,
    /// The check's title.
    pub title: &'static str,
    /// The contract's role names.
    pub roles: &'static [&'static str],
}

/// The three groups, in report order.
pub const GROUPS: [Group; 3] = [
    Group {
        id: "permissions-cli",
        title: "calls the CLI needs are allowed to the caller",
        roles: &["cliAudit", "cliRemediate", "cliBackout"],
    },
    Group {
        id: "permissions-rule",
        title: "calls the rule needs are allowed to the caller",
        roles: &["ruleFunction"],
    },
    Group {
        id: "permissions-runbooks",
        title: "calls the runbooks need are allowed to the caller",
        roles: &["remediation", "restore"],
    },
];

/// One action a group needs, and the contract grants that list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The IAM action.
    pub action: String,
    /// Secrets Manager makes the call as the caller (kms:ViaService), not our code.
    pub via_secrets_manager: bool,
    /// `role.Sid` of each grant that lists it.
    pub grants: Vec<String>,
}

/// The actions of `roles`, each once (per direct / via Secrets Manager), in name order.
pub fn needs(contract: &str, roles: &[&str]) -> Result<Vec<Need>, String> {
    let contract: serde_json::Value =
        serde_json::from_str(contract).map_err(|e| format!("contract/contract.json: {e}"))?;
    let mut found: BTreeMap<(String, bool), Vec<String>> = BTreeMap::new();
    for role in roles {
        let grants = contract
            .pointer(&format!("/roles/{role}/grants"))
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| format!("contract/contract.json has no role {role:?} with grants"))?;
        for (sid, grant) in grants {
            let via =
                grant.get("onBehalf").and_then(serde_json::Value::as_str) == Some("secretsmanager");
            let actions = grant
                .get("actions")
                .and_then(serde_json::Value::as_array)
                .ok_or_else(|| format!("contract/contract.json: {role}.{sid} has no actions"))?;
            for action in actions {
                let action = action.as_str().ok_or_else(|| {
                    format!("contract/contract.json: {role}.{sid}: {action} is not a name")
                })?;
                found
                    .entry((action.to_owned(), via))
                    .or_default()
                    .push(format!("{role}.{sid}"));
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|((action, via_secrets_manager), grants)| Need {
            action,
            via_secrets_manager,
            grants,
        })
        .collect())
}

/// Whose policies the simulator can evaluate for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An IAM user: its ARN is the policy source.
    User {
        /// The user's ARN.
        arn: String,
    },
    /// A role session: the role's ARN (with its path) comes from iam:GetRole.
    AssumedRole {
        /// The partition (`aws`, `aws-cn`, ...).
        partition: String,
        /// The account.
        account: String,
        /// The role's name.
        role_name: String,
    },
    /// Nothing to simulate, and why.
    Unsupported(String),
}

/// The principal behind a caller ARN (GetCallerIdentity's `Arn`).
pub fn principal_of(caller_arn: &str) -> Principal {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    let [_, partition, service, _, account, resource] = parts.as_slice() else {
        return Principal::Unsupported(format!("{caller_arn:?} is not an ARN"));
    };
    match (*service, resource.split_once('/')) {
        ("iam", Some(("user", _))) => Principal::User {
            arn: caller_arn.to_owned(),
        },
        ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
            Some((role_name, _session)) if !role_name.is_empty() => Principal::AssumedRole {
                partition: (*partition).to_owned(),
                account: (*account).to_owned(),
                role_name: role_name.to_owned(),
            },
            _ => Principal::Unsupported(format!("{caller_arn:?} names no role")),
        },
        ("iam", None) if *resource == "root" => Principal::Unsupported(
            "the caller is the account's root user, whom IAM policies do not restrict \
             (only SCPs do)"
                .to_owned(),
        ),
        ("sts", Some(("federated-user", _))) => Principal::Unsupported(
            "the caller is a federated user (GetFederationToken), whose session policy the \
             simulator cannot see"
                .to_owned(),
        ),
        _ => Principal::Unsupported(format!(
            "{caller_arn:?} is neither an IAM user nor a role session"
        )),
    }
}

/// A role's ARN without asking IAM: right when the role's path is `/` (the session ARN
/// drops the path, so this is only the fallback when iam:GetRole is denied).
pub fn role_arn_without_path(partition: &str, account: &str, role_name: &str) -> String {
    format!("arn:{partition}:iam::{account}:role/{role_name}")
}

/// One SimulatePrincipalPolicy request: actions on one resource, with or without the
/// kms:ViaService context of Secrets Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// The resource ARN pattern the actions are simulated on.
    pub resource: String,
    /// `secretsmanager.REGION.amazonaws.com` for calls Secrets Manager makes as the caller.
    pub via_service: Option<String>,
    /// The actions.
    pub actions: Vec<String>,
}

/// Where the caller runs things: the account and Region resources are simulated in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The partition.
    pub partition: String,
    /// The Region.
    pub region: String,
    /// The account.
    pub account: String,
}

/// The resource an action is simulated on: every resource of its type in this account and
/// Region (a pattern, so a policy limited to this account's secrets or keys matches), or
/// `*` for actions that take no resource.
pub fn resource_for(action: &str, place: &Place) -> String {
    let Place {
        partition: p,
        region: r,
        account: a,
    } = place;
    match action {
        "secretsmanager:ListSecrets"
        | "config:PutEvaluations"
        | "config:GetResourceConfigHistory" => "*".to_owned(),
        _ if action.starts_with("secretsmanager:") => {
            format!("arn:{p}:secretsmanager:{r}:{a}:secret:*")
        }
        _ if action.starts_with("kms:") => format!("arn:{p}:kms:{r}:{a}:key/*"),
        "config:GetComplianceDetailsByConfigRule" => {
            format!("arn:{p}:config:{r}:{a}:config-rule/*")
        }
        _ if action.starts_with("logs:") => format!("arn:{p}:logs:{r}:{a}:log-group:*"),
        _ => "*".to_owned(),
    }
}

/// The simulations that answer for every need of every group (each action once per
/// resource and context), in a stable order.
pub fn simulations(needs: &[Need], place: &Place) -> Vec<Simulation> {
    let via = format!("secretsmanager.{}.amazonaws.com", place.region);
    let mut grouped: BTreeMap<(String, Option<String>), Vec<String>> = BTreeMap::new();
    for need in needs {
        let context = need.via_secrets_manager.then(|| via.clone());
        let actions = grouped
            .entry((resource_for(&need.action, place), context))
            .or_default();
        if !actions.contains(&need.action) {
            actions.push(need.action.clone());
        }
    }
    grouped
        .into_iter()
        .map(|((resource, via_service), actions)| Simulation {
            resource,
            via_service,
            actions,
        })
        .collect()
}

/// The answers to [`simulations`], by (action, via Secrets Manager).
pub type Decisions = BTreeMap<(String, bool), String>;

/// Joins each simulation with its answer.
pub fn decisions(answers: &[(Simulation, Vec<SimulatedAction>)]) -> Decisions {
    let mut decisions = Decisions::new();
    for (simulation, results) in answers {
        for result in results {
            decisions.insert(
                (result.action.clone(), simulation.via_service.is_some()),
                result.decision.clone(),
            );
        }
    }
    decisions
}

/// The check of one group: pass when the simulator allows every action it needs.
/// `decisions` is the simulator's answer, or why there is none (`Err`: a not-checked
/// result already made).
pub fn group_check(
    group: &Group,
    needs: &[Need],
    decisions: &Result<Decisions, CheckResult>,
    principal: &str,
) -> CheckResult {
    let decisions = match decisions {
        Ok(decisions) => decisions,
        Err(not_checked) => {
            return CheckResult {
                id: group.id,
                title: group.title,
                ..not_checked.clone()
            };
        }
    };
    let mut denied = Vec::new();
    let mut grants = Vec::new();
    for need in needs {
        let decision = decisions
            .get(&(need.action.clone(), need.via_secrets_manager))
            .map_or("not simulated", String::as_str);
        if decision != "allowed" {
            let via = if need.via_secrets_manager {
                " (via Secrets Manager)"
            } else {
                ""
            };
            denied.push(format!("{}{via}: {decision}", need.action));
            grants.extend(need.grants.iter().cloned());
        }
    }
    if denied.is_empty() {
        return CheckResult::pass(
            group.id,
            group.title,
            format!("all {} action(s) allowed to {principal}", needs.len()),
        );
    }
    grants.sort();
    grants.dedup();
    CheckResult::fail(
        group.id,
        group.title,
        format!("denied to {principal}: {}", denied.join("; ")),
        format!(
            "allow these actions to {principal} (an explicitDeny is a Deny statement or an SCP to \
             remove); the grants that list them: {} in contract/contract.json. If this identity \
             never does what they are for, ignore this check",
            grants.join(", ")
        ),
    )
}

/// The not-checked result when the caller's policies cannot be simulated.
pub fn cannot_simulate(why: impl Into<String>, how: Option<String>) -> CheckResult {
    CheckResult::not_checked("permissions", "permissions", why, how)
}
