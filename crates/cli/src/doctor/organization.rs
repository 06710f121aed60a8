//! `doctor --organization`: the organization deployment seen from the management (or
//! delegated administrator) account, pure. Two checks: every instance of the member
//! StackSet, per account and Region, is current and its last operation succeeded
//! (ListStackInstances); the organization conformance pack is deployed in every member
//! account (GetOrganizationConformancePackDetailedStatus).

use super::model::{CheckResult, Observed};

/// The StackSet check's id and title.
pub const STACK_SET: (&str, &str) = (
    "stackset-instances",
    "the member StackSet reached every account and Region",
);

/// The conformance pack check's id and title.
pub const PACK: (&str, &str) = (
    "conformance-pack-members",
    "the organization conformance pack is deployed in every member",
);

/// The pack's deployment in one member account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPack {
    /// The member account.
    pub account: String,
    /// `Status`: CREATE_SUCCESSFUL, CREATE_FAILED, UPDATE_IN_PROGRESS, ...
    pub status: String,
    /// `ErrorCode` and `ErrorMessage`, joined.
    pub error: Option<String>,
}

/// The pack check. `members` is `Ok(None)` when there is no organization pack of that
/// name: not checked, because a placement that deploys the rule from the StackSet has
/// none.
pub fn conformance_pack_members(
    members: &Observed<Option<Vec<MemberPack>>>,
    name: &str,
) -> CheckResult {
    let (id, title) = PACK;
    let members = match members {
        Ok(Some(members)) => members,
        Ok(None) => {
            return CheckResult::not_checked(
                id,
                title,
                format!(
                    "no organization conformance pack named {name} here (a placement that deploys the rule from the StackSet has none)"
                ),
                Some("pass --conformance-pack-name with the pack's name".to_owned()),
            );
        }
        Err(error) => return CheckResult::from_error(id, title, error),
    };
    let failed: Vec<String> = members
        .iter()
        .filter(|m| m.status.ends_with("_FAILED") || m.status == "DELETE_SUCCESSFUL")
        .map(|m| match &m.error {
            Some(error) => format!("{}: {} ({error})", m.account, m.status),
            None => format!("{}: {}", m.account, m.status),
        })
        .collect();
    if !failed.is_empty() {
        let mut listed: Vec<String> = failed.iter().take(LISTED_AT_MOST).cloned().collect();
        if failed.len() > LISTED_AT_MOST {
            listed.push(format!("and {} more", failed.len() - LISTED_AT_MOST));
        }
        return CheckResult::fail(
            id,
            title,
            format!(
                "{} of {} member(s) lack the pack: {}",
                failed.len(),
                members.len(),
                listed.join("; ")
            ),
            format!(
                "fix what each error names in that member (its Config recorder, the StackSet's \
                 runbooks and roles there), then redeploy the pack: aws configservice \
                 put-organization-conformance-pack --organization-conformance-pack-name {name} ..."
            ),
        );
    }
    let pending = members
        .iter()
        .filter(|m| m.status.ends_with("_IN_PROGRESS"))
        .count();
    if pending > 0 {
        return CheckResult::not_checked(
            id,
            title,
            format!(
                "{pending} of {} member(s) are still being deployed",
                members.len()
            ),
            Some("run doctor --organization again when the deployment has finished".to_owned()),
        );
    }
    CheckResult::pass(
        id,
        title,
        format!("deployed in all {} member(s)", members.len()),
    )
}

/// The most failing instances a result names (the count covers the rest).
const LISTED_AT_MOST: usize = 20;

/// One stack instance (ListStackInstances' StackInstanceSummary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackInstance {
    /// The member account.
    pub account: String,
    /// The Region.
    pub region: String,
    /// `Status`: CURRENT, OUTDATED or INOPERABLE.
    pub status: String,
    /// `StackInstanceStatus.DetailedStatus`: PENDING, RUNNING, SUCCEEDED, FAILED, ...
    pub detailed_status: Option<String>,
    /// `StatusReason`.
    pub reason: Option<String>,
}

impl StackInstance {
    /// Current, and its last operation (if AWS says) succeeded.
    pub fn is_healthy(&self) -> bool {
        self.status == "CURRENT"
            && self
                .detailed_status
                .as_deref()
                .is_none_or(|d| d == "SUCCEEDED")
    }

    /// Still being deployed: not a failure yet.
    pub fn is_in_progress(&self) -> bool {
        matches!(self.detailed_status.as_deref(), Some("PENDING" | "RUNNING"))
    }

    fn describe(&self) -> String {
        let detailed = self.detailed_status.as_deref().unwrap_or("-");
        let mut text = format!(
            "{}/{}: {} {detailed}",
            self.account, self.region, self.status
        );
        if let Some(reason) = &self.reason {
            text.push_str(&format!(" ({reason})"));
        }
        text
    }
}

/// The StackSet check. `instances` is `Ok(None)` when there is no StackSet of that name.
pub fn stack_set_instances(
    instances: &Observed<Option<Vec<StackInstance>>>,
    name: &str,
) -> CheckResult {
    let (id, title) = STACK_SET;
    let instances = match instances {
        Ok(Some(instances)) => instances,
        Ok(None) => {
            return CheckResult::fail(
                id,
                title,
                format!("no StackSet named {name} here"),
                "run doctor --organization in the management or delegated administrator account \
                 and Region the organization stack was deployed from (with --delegated-admin for \
                 a delegated administrator), or pass --stack-set-name",
            );
        }
        Err(error) => return CheckResult::from_error(id, title, error),
    };
    if instances.is_empty() {
        return CheckResult::fail(
            id,
            title,
            format!("StackSet {name} has no instances"),
            "check the organization stack's targetOuIds and deploymentRegions, and that the \
             StackSet's automatic deployment is on (cdk/README.md)",
        );
    }
    let failed: Vec<&StackInstance> = instances
        .iter()
        .filter(|i| !i.is_healthy() && !i.is_in_progress())
        .collect();
    let pending = instances.iter().filter(|i| i.is_in_progress()).count();
    let accounts = count_distinct(instances.iter().map(|i| i.account.as_str()));
    let regions = count_distinct(instances.iter().map(|i| i.region.as_str()));
    if !failed.is_empty() {
        let mut listed: Vec<String> = failed
            .iter()
            .take(LISTED_AT_MOST)
            .map(|i| i.describe())
            .collect();
        if failed.len() > LISTED_AT_MOST {
            listed.push(format!("and {} more", failed.len() - LISTED_AT_MOST));
        }
        return CheckResult::fail(
            id,
            title,
            format!(
                "{} of {} instance(s) are not deployed: {}",
                failed.len(),
                instances.len(),
                listed.join("; ")
            ),
            format!(
                "read each reason; fix it in the member account (a name already taken, a \
                 suspended account, a missing trust), then: aws cloudformation \
                 update-stack-instances --stack-set-name {name} --accounts ... --regions ... \
                 (service-managed StackSets: --deployment-targets OrganizationalUnitIds=...)"
            ),
        );
    }
    if pending > 0 {
        return CheckResult::not_checked(
            id,
            title,
            format!(
                "{pending} of {} instance(s) are still being deployed",
                instances.len()
            ),
            Some(
                "run doctor --organization again when the StackSet operation has finished"
                    .to_owned(),
            ),
        );
    }
    CheckResult::pass(
        id,
        title,
        format!(
            "{} instance(s) in {accounts} account(s) and {regions} Region(s), all current",
            instances.len()
        ),
    )
}

fn count_distinct<'a>(values: impl Iterator<Item = &'a str>) -> usize {
    values.collect::<std::collections::BTreeSet<_>>().len()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::doctor::model::Status;
    use secrets_cmk_aws::{AwsError, FailureKind};

    fn instance(account: &str, region: &str, status: &str, detailed: &str) -> StackInstance {
        StackInstance {
            account: account.into(),
            region: region.into(),
            status: status.into(),
            detailed_status: Some(detailed.into()),
            reason: None,
        }
    }

    #[test]
    fn every_current_instance_passes() {
        // GIVEN two accounts in two Regions, all current / THEN pass, counted
        let all = vec![
            instance("111122223333", "us-east-1", "CURRENT", "SUCCEEDED"),
            instance("111122223333", "eu-west-1", "CURRENT", "SUCCEEDED"),
            instance("444455556666", "us-east-1", "CURRENT", "SUCCEEDED"),
        ];
        let result = stack_set_instances(&Ok(Some(all)), "s");
        assert_eq!(result.status, Status::Pass);
        assert_eq!(
            result.detail,
            "3 instance(s) in 2 account(s) and 2 Region(s), all current"
        );
    }

    #[test]
    fn failed_instances_are_listed_with_their_reason() {
        let mut bad = instance("444455556666", "eu-west-1", "OUTDATED", "FAILED");
        bad.reason = Some("Role already exists".into());
        let all = vec![
            instance("111122223333", "us-east-1", "CURRENT", "SUCCEEDED"),
            bad,
        ];
        let result = stack_set_instances(&Ok(Some(all)), "secrets-cmk-member");
        assert_eq!(result.status, Status::Fail);
        assert!(result.detail.contains("1 of 2 instance(s) are not deployed: 444455556666/eu-west-1: OUTDATED FAILED (Role already exists)"), "{result:?}");
        assert!(
            result
                .fix
                .unwrap()
                .contains("update-stack-instances --stack-set-name secrets-cmk-member")
        );
    }

    #[test]
    fn many_failures_are_capped_and_counted() {
        let all: Vec<StackInstance> = (0..25)
            .map(|n| instance(&format!("{n:012}"), "us-east-1", "INOPERABLE", "INOPERABLE"))
            .collect();
        let result = stack_set_instances(&Ok(Some(all)), "s");
        assert!(result.detail.ends_with("and 5 more"), "{}", result.detail);
    }

    fn member(account: &str, status: &str, error: Option<&str>) -> MemberPack {
        MemberPack {
            account: account.into(),
            status: status.into(),
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn conformance_pack_pass_fail_pending_and_missing() {
        let good = vec![
            member("1", "CREATE_SUCCESSFUL", None),
            member("2", "UPDATE_SUCCESSFUL", None),
        ];
        let pass = conformance_pack_members(&Ok(Some(good)), "p");
        assert_eq!(
            (pass.status, pass.detail.as_str()),
            (Status::Pass, "deployed in all 2 member(s)")
        );
        let bad = vec![
            member("1", "CREATE_SUCCESSFUL", None),
            member("2", "CREATE_FAILED", Some("NoRecorder no recorder")),
        ];
        let fail = conformance_pack_members(&Ok(Some(bad)), "p");
        assert_eq!(fail.status, Status::Fail);
        assert!(
            fail.detail.contains(
                "1 of 2 member(s) lack the pack: 2: CREATE_FAILED (NoRecorder no recorder)"
            ),
            "{fail:?}"
        );
        assert!(
            fail.fix
                .unwrap()
                .contains("--organization-conformance-pack-name p")
        );
        let pending = vec![member("1", "CREATE_IN_PROGRESS", None)];
        assert_eq!(
            conformance_pack_members(&Ok(Some(pending)), "p").status,
            Status::NotChecked
        );
        let missing = conformance_pack_members(&Ok(None), "p");
        assert_eq!(missing.status, Status::NotChecked);
        assert!(missing.fix.unwrap().contains("--conformance-pack-name"));
    }

    #[test]
    fn missing_empty_pending_and_denied() {
        assert_eq!(stack_set_instances(&Ok(None), "s").status, Status::Fail);
        assert_eq!(
            stack_set_instances(&Ok(Some(vec![])), "s").status,
            Status::Fail
        );
        let pending = vec![instance("1", "r", "OUTDATED", "RUNNING")];
        assert_eq!(
            stack_set_instances(&Ok(Some(pending)), "s").status,
            Status::NotChecked
        );
        let denied = AwsError {
            operation: "cloudformation:ListStackInstances",
            kind: FailureKind::AccessDenied,
            code: "AccessDenied".into(),
            message: String::new(),
            source: None,
        };
        let result = stack_set_instances(&Err(denied), "s");
        assert_eq!(result.status, Status::NotChecked);
        assert!(
            result
                .fix
                .unwrap()
                .contains("allow cloudformation:ListStackInstances")
        );
    }
}
