//! Every verdict of the `--organization` checks on the members and the organization:
//! `member-rules`, `central-invocations`, `stackset-coverage` (pure).

#![allow(clippy::unwrap_used)]

use super::coverage::{
    INSTANCES_PER_STACK_SET, OrgAccount, StackSetTargets, TargetAccounts, stackset_coverage,
};
use super::members::{
    MemberRule, MemberSeen, central_invocations, function_account, member_rules, period,
};
use super::model::{RuleStatus, Status};
use super::organization::StackInstance;
use chrono::{DateTime, Duration, TimeZone, Utc};
use secrets_cmk_aws::{AwsError, FailureKind};

const MANAGEMENT: &str = "111111111111";
const MEMBER: &str = "222222222222";
const OTHER: &str = "333333333333";
const CENTRAL_FN: &str = "arn:aws:lambda:us-east-1:111111111111:function:secrets-cmk-rule";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 12, 0, 0).unwrap()
}

fn hours_ago(hours: i64) -> Option<DateTime<Utc>> {
    Some(now() - Duration::hours(hours))
}

fn own_fn(account: &str) -> String {
    format!("arn:aws:lambda:us-east-1:{account}:function:secrets-cmk-rule")
}

fn healthy(function: &str) -> RuleStatus {
    RuleStatus {
        state: Some("ACTIVE".into()),
        source: Some(function.into()),
        maximum_execution_frequency: Some("TwentyFour_Hours".into()),
        last_successful_invocation: hours_ago(1),
        last_successful_evaluation: hours_ago(1),
        ..RuleStatus::default()
    }
}

fn member(account: &str, region: &str, seen: MemberSeen) -> MemberRule {
    MemberRule {
        account: account.into(),
        region: region.into(),
        seen,
    }
}

fn rule(account: &str, status: RuleStatus) -> MemberRule {
    member(account, "us-east-1", MemberSeen::Rule(Some(status)))
}

fn unreached(account: &str) -> MemberRule {
    member(
        account,
        "us-east-1",
        MemberSeen::NotReached {
            why: "another account, and no --role-name to reach it".into(),
            how: "pass --role-name NAME".into(),
        },
    )
}

#[test]
fn member_rules_pass_when_every_member_ran_successfully_last() {
    // GIVEN two members whose rule ran an hour ago / WHEN judged / THEN pass, counted
    let all = vec![
        rule(MEMBER, healthy(&own_fn(MEMBER))),
        rule(OTHER, healthy(&own_fn(OTHER))),
    ];
    let result = member_rules(&all, "secrets-cmk", now());
    assert_eq!(result.status, Status::Pass, "{result:?}");
    assert_eq!(
        result.detail,
        "rule secrets-cmk ran successfully last in all 2 member account-Region(s)"
    );
}

#[test]
fn a_failure_after_the_last_success_fails_with_its_error() {
    // GIVEN one member whose last invocation failed after its last success
    let failing = RuleStatus {
        last_failed_invocation: hours_ago(0),
        last_error_code: Some("AccessDeniedException".into()),
        last_error_message: Some("kms:DescribeKey".into()),
        ..healthy(&own_fn(OTHER))
    };
    let all = vec![rule(MEMBER, healthy(&own_fn(MEMBER))), rule(OTHER, failing)];
    // WHEN judged / THEN FAIL naming the member, the time and the error
    let result = member_rules(&all, "secrets-cmk", now());
    assert_eq!(result.status, Status::Fail);
    assert!(
        result.detail.contains(
            "1 of 2 member account-Region(s): 333333333333/us-east-1: last run failed at \
             2026-01-02T12:00:00Z: AccessDeniedException kms:DescribeKey"
        ),
        "{}",
        result.detail
    );
    assert!(
        result
            .fix
            .unwrap()
            .contains("doctor --rule-name secrets-cmk")
    );
}

#[test]
fn an_old_failure_followed_by_a_success_is_history() {
    let recovered = RuleStatus {
        last_failed_invocation: hours_ago(5),
        last_error_code: Some("X".into()),
        ..healthy(&own_fn(MEMBER))
    };
    let result = member_rules(&[rule(MEMBER, recovered)], "r", now());
    assert_eq!(result.status, Status::Pass);
}

#[test]
fn a_missing_an_inactive_or_a_late_rule_fails() {
    // GIVEN no rule in one member, a deleting rule in another, a rule silent for 3 days
    let deleting = RuleStatus {
        state: Some("DELETING".into()),
        ..healthy(&own_fn(OTHER))
    };
    let late = RuleStatus {
        last_successful_invocation: hours_ago(72),
        last_successful_evaluation: hours_ago(72),
        ..healthy("x")
    };
    let all = vec![
        member(MEMBER, "eu-west-1", MemberSeen::Rule(None)),
        rule(OTHER, deleting),
        rule("444444444444", late),
    ];
    // WHEN judged / THEN each is named with its reason
    let result = member_rules(&all, "secrets-cmk", now());
    assert_eq!(result.status, Status::Fail);
    for reason in [
        "222222222222/eu-west-1: no rule named secrets-cmk",
        "333333333333/us-east-1: the rule is DELETING",
        "444444444444/us-east-1: last successful run at 2025-12-30T12:00:00Z, more than two \
         periods (TwentyFour_Hours) ago",
    ] {
        assert!(
            result.detail.contains(reason),
            "{reason}: {}",
            result.detail
        );
    }
    // AND a run within two periods is not late
    let in_time = RuleStatus {
        last_successful_invocation: hours_ago(47),
        last_successful_evaluation: None,
        ..healthy("x")
    };
    assert_eq!(
        member_rules(&[rule(MEMBER, in_time)], "r", now()).status,
        Status::Pass
    );
}

#[test]
fn unreachable_and_not_yet_run_members_are_not_checked_with_the_flag_to_pass() {
    // GIVEN one member reached and fine, one not reachable without --role-name
    let all = vec![rule(MEMBER, healthy(&own_fn(MEMBER))), unreached(OTHER)];
    let result = member_rules(&all, "secrets-cmk", now());
    // THEN not checked, counting what was seen, naming the member and the flag
    assert_eq!(result.status, Status::NotChecked);
    assert!(
        result
            .detail
            .starts_with("1 of 2 member account-Region(s) ran rule secrets-cmk"),
        "{}",
        result.detail
    );
    assert!(
        result
            .detail
            .contains("333333333333/us-east-1: another account")
    );
    assert_eq!(result.fix.as_deref(), Some("pass --role-name NAME"));
    // AND a rule that has not run yet is not checked, with how to start one
    let fresh = RuleStatus {
        state: Some("ACTIVE".into()),
        ..RuleStatus::default()
    };
    let result = member_rules(&[rule(MEMBER, fresh)], "secrets-cmk", now());
    assert_eq!(result.status, Status::NotChecked);
    assert!(result.detail.contains("not run yet"));
    assert!(
        result
            .fix
            .unwrap()
            .contains("start-config-rules-evaluation")
    );
    // AND no instance at all: nothing to look at
    assert_eq!(member_rules(&[], "r", now()).status, Status::NotChecked);
}

#[test]
fn periods_and_function_accounts() {
    assert_eq!(period("Three_Hours"), Some(Duration::hours(3)));
    assert_eq!(period("Weekly"), None);
    assert_eq!(function_account(CENTRAL_FN), Some(MANAGEMENT));
    assert_eq!(function_account("secrets-cmk-rule"), None);
    assert_eq!(function_account("arn:aws:s3:::bucket"), None);
}

#[test]
fn central_invocations_accepted_refused_and_not_applicable() {
    // GIVEN members whose rule names the central function and ran successfully
    let accepted = vec![
        rule(MEMBER, healthy(CENTRAL_FN)),
        rule(OTHER, healthy(CENTRAL_FN)),
    ];
    let pass = central_invocations(&accepted);
    assert_eq!(pass.status, Status::Pass, "{pass:?}");
    assert!(
        pass.detail
            .contains("accepted Config's invocation for 2 of 2")
            && pass.detail.contains("aws:SourceOrgID"),
        "{}",
        pass.detail
    );
    // GIVEN one member whose last invocation was refused by the function's policy
    let refused = RuleStatus {
        last_successful_invocation: None,
        last_successful_evaluation: None,
        last_failed_invocation: hours_ago(0),
        last_error_code: Some("InsufficientPermissionsException".into()),
        last_error_message: Some("The AWS Lambda function cannot be invoked".into()),
        ..healthy(CENTRAL_FN)
    };
    let fail = central_invocations(&[rule(MEMBER, healthy(CENTRAL_FN)), rule(OTHER, refused)]);
    assert_eq!(fail.status, Status::Fail);
    assert!(
        fail.detail
            .contains("333333333333/us-east-1: InsufficientPermissionsException")
    );
    assert!(
        fail.fix
            .unwrap()
            .contains("aws lambda get-policy --function-name")
    );
    // GIVEN a central rule that failed for another reason and never succeeded
    let timed_out = RuleStatus {
        last_successful_invocation: None,
        last_successful_evaluation: None,
        last_failed_invocation: hours_ago(0),
        last_error_code: Some("Timeout".into()),
        ..healthy(CENTRAL_FN)
    };
    assert_eq!(
        central_invocations(&[rule(MEMBER, timed_out)]).status,
        Status::NotChecked
    );
    // GIVEN placement members (each rule names its own function): nothing to confirm
    let own = central_invocations(&[rule(MEMBER, healthy(&own_fn(MEMBER)))]);
    assert_eq!(own.status, Status::NotChecked);
    assert!(own.detail.contains("placement `members`"));
    // GIVEN no member read at all
    let none = central_invocations(&[unreached(MEMBER)]);
    assert!(none.detail.contains("no member's rule could be read"));
}

fn instance(account: &str, region: &str) -> StackInstance {
    StackInstance {
        account: account.into(),
        region: region.into(),
        status: "CURRENT".into(),
        detailed_status: Some("SUCCEEDED".into()),
        reason: None,
    }
}

fn targets() -> StackSetTargets {
    StackSetTargets {
        permission_model: Some("SERVICE_MANAGED".into()),
        organizational_unit_ids: vec!["r-root".into()],
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
    }
}

fn account(id: &str, state: &str) -> OrgAccount {
    OrgAccount {
        id: id.into(),
        name: format!("acct-{id}"),
        state: state.into(),
    }
}

fn organization(accounts: Vec<OrgAccount>) -> TargetAccounts {
    TargetAccounts {
        management_account: MANAGEMENT.into(),
        accounts,
    }
}

#[test]
fn coverage_passes_and_says_the_management_account_is_expected_to_lack_one() {
    // GIVEN the root targeted: the management account, a covered member, a suspended one
    let accounts = organization(vec![
        account(MANAGEMENT, "ACTIVE"),
        account(MEMBER, "ACTIVE"),
        account(OTHER, "SUSPENDED"),
    ]);
    let instances = vec![instance(MEMBER, "us-east-1"), instance(MEMBER, "eu-west-1")];
    let result = stackset_coverage(
        "member",
        &Ok(Some(targets())),
        Some(&Ok(accounts)),
        &instances,
    );
    // THEN pass, saying why the management account has none, and the quota
    assert_eq!(result.status, Status::Pass, "{result:?}");
    for part in [
        "all 1 active account(s) in r-root have an instance in each of 2 Region(s)",
        "the management account 111111111111 has none, as expected",
        "1 account(s) not ACTIVE skipped",
        "2 instance(s) of the default quota of 100000 per stack set",
    ] {
        assert!(result.detail.contains(part), "{part}: {}", result.detail);
    }
}

#[test]
fn an_account_without_an_instance_in_a_region_is_not_covered() {
    let accounts = organization(vec![account(MEMBER, "ACTIVE"), account(OTHER, "ACTIVE")]);
    let instances = vec![
        instance(MEMBER, "us-east-1"),
        instance(MEMBER, "eu-west-1"),
        instance(OTHER, "us-east-1"),
    ];
    let result = stackset_coverage(
        "member",
        &Ok(Some(targets())),
        Some(&Ok(accounts)),
        &instances,
    );
    assert_eq!(result.status, Status::Fail);
    assert!(
        result.detail.contains(
            "1 of 2 active account(s) in r-root are not covered: 333333333333 \
             (acct-333333333333) in eu-west-1"
        ),
        "{}",
        result.detail
    );
    assert!(result.fix.unwrap().contains(
        "--deployment-targets OrganizationalUnitIds=r-root --regions eu-west-1 us-east-1"
    ));
}

#[test]
fn at_the_quota_fails() {
    let instances: Vec<StackInstance> = (0..INSTANCES_PER_STACK_SET)
        .map(|n| instance(&format!("{n:012}"), "us-east-1"))
        .collect();
    let result = stackset_coverage(
        "member",
        &Ok(Some(targets())),
        Some(&Ok(organization(vec![]))),
        &instances,
    );
    assert_eq!(result.status, Status::Fail);
    assert!(result.detail.starts_with("the StackSet is at the quota"));
}

#[test]
fn coverage_not_checked_without_stack_set_targets_or_organization() {
    // GIVEN no StackSet / a self-managed one / a refused Organizations call
    let missing = stackset_coverage("member", &Ok(None), None, &[]);
    assert_eq!(missing.status, Status::NotChecked);
    let self_managed = StackSetTargets {
        permission_model: Some("SELF_MANAGED".into()),
        ..StackSetTargets::default()
    };
    let listed = stackset_coverage("member", &Ok(Some(self_managed)), None, &[]);
    assert_eq!(listed.status, Status::NotChecked);
    assert!(listed.detail.contains("SELF_MANAGED"));
    let denied = AwsError {
        operation: "organizations:ListChildren",
        kind: FailureKind::AccessDenied,
        code: "AccessDeniedException".into(),
        message: String::new(),
        source: None,
    };
    let refused = stackset_coverage("member", &Ok(Some(targets())), Some(&Err(denied)), &[]);
    assert_eq!(refused.status, Status::NotChecked);
    assert!(
        refused
            .fix
            .unwrap()
            .contains("allow organizations:ListChildren")
    );
}
