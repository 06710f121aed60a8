//! Unit tests of doctor's pure part: every check's pass, each failure and its fix, not
//! checked, the permission groups from the real contract, the report and its outcome.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::checks::{self, SECRET_TYPE};
use super::model::*;
use super::permissions::{self, GROUPS, Need, Place, Principal};
use super::report::{Outcome, Report, render_json, render_table};
use chrono::{TimeZone, Utc};
use secrets_cmk_aws::{AwsError, FailureKind};

const ARN: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf";

fn error(operation: &'static str, kind: FailureKind, code: &str) -> AwsError {
    AwsError {
        operation,
        kind,
        code: code.to_owned(),
        message: "nope".to_owned(),
        source: None,
    }
}

fn listed(arn: &str, name: &str, primary: Option<&str>) -> ListedSecret {
    ListedSecret {
        arn: arn.to_owned(),
        name: name.to_owned(),
        primary_region: primary.map(str::to_owned),
        kms_key_id: None,
    }
}

fn recording(name: &str, types: &[&str]) -> Recorder {
    Recorder {
        name: name.to_owned(),
        resource_types: types.iter().map(|t| (*t).to_owned()).collect(),
        strategy: Some("INCLUSION_BY_RESOURCE_TYPES".to_owned()),
        status: Some(RecorderStatus {
            recording: true,
            last_status: Some("Success".to_owned()),
            last_error: None,
        }),
        ..Recorder::default()
    }
}

#[test]
fn credentials_pass_names_the_caller_and_fail_says_how_to_log_in() {
    // GIVEN a caller / WHEN checked / THEN pass with account and ARN
    let ok = checks::credentials(&Ok(CallerIdentity {
        account: "111122223333".into(),
        arn: "arn:aws:iam::111122223333:user/ana".into(),
    }));
    assert_eq!(ok.status, Status::Pass);
    assert!(ok.detail.contains("111122223333") && ok.detail.contains("user/ana"));
    // GIVEN an expired token / THEN fail, naming the error, with a fix
    let bad = checks::credentials(&Err(error(
        "sts:GetCallerIdentity",
        FailureKind::AccessDenied,
        "ExpiredToken",
    )));
    assert_eq!(bad.status, Status::Fail);
    assert!(bad.detail.contains("ExpiredToken"));
    assert!(bad.fix.unwrap().contains("--profile"));
    // GIVEN no answer at all / THEN the fix is about the network, not the credentials
    let down = checks::credentials(&Err(error(
        "sts:GetCallerIdentity",
        FailureKind::Unavailable,
        "DispatchFailure",
    )));
    assert_eq!(down.status, Status::Fail);
    assert!(down.fix.unwrap().contains("AWS_ENDPOINT_URL"));
}

#[test]
fn recorder_strategies_decide_whether_secrets_are_recorded() {
    let mut all = Recorder {
        strategy: Some("ALL_SUPPORTED_RESOURCE_TYPES".into()),
        ..Recorder::default()
    };
    assert!(checks::records_secrets(&all));
    all.strategy = Some("EXCLUSION_BY_RESOURCE_TYPES".into());
    all.excluded_types = vec![SECRET_TYPE.into()];
    assert!(!checks::records_secrets(&all));
    all.excluded_types = vec!["AWS::S3::Bucket".into()];
    assert!(checks::records_secrets(&all));
    assert!(checks::records_secrets(&recording("r", &[SECRET_TYPE])));
    assert!(!checks::records_secrets(&recording(
        "r",
        &["AWS::S3::Bucket"]
    )));
    // No strategy (older recorders): allSupported or the list.
    let legacy = Recorder {
        all_supported: true,
        ..Recorder::default()
    };
    assert!(checks::records_secrets(&legacy));
    assert!(!checks::records_secrets(&Recorder::default()));
}

#[test]
fn recorder_check_each_failure_has_its_fix() {
    let pass = checks::recorder(&Ok(vec![recording("default", &[SECRET_TYPE])]), "us-east-1");
    assert_eq!(pass.status, Status::Pass, "{pass:?}");

    let none = checks::recorder(&Ok(vec![]), "us-east-1");
    assert_eq!(none.status, Status::Fail);
    assert!(
        none.detail
            .contains("no configuration recorder in us-east-1")
    );
    assert!(none.fix.unwrap().contains("start-configuration-recorder"));

    let other = checks::recorder(&Ok(vec![recording("default", &["AWS::S3::Bucket"])]), "r");
    assert_eq!(other.status, Status::Fail);
    assert!(
        other
            .detail
            .contains("does not record AWS::SecretsManager::Secret")
    );

    let mut stopped = recording("default", &[SECRET_TYPE]);
    stopped.status.as_mut().unwrap().recording = false;
    let stopped = checks::recorder(&Ok(vec![stopped]), "r");
    assert_eq!(stopped.status, Status::Fail);
    assert!(
        stopped
            .fix
            .unwrap()
            .contains("start-configuration-recorder --configuration-recorder-name default")
    );

    let mut failing = recording("default", &[SECRET_TYPE]);
    let status = failing.status.as_mut().unwrap();
    status.last_status = Some("Failure".into());
    status.last_error = Some("AccessDenied bucket".into());
    let failing = checks::recorder(&Ok(vec![failing]), "r");
    assert_eq!(failing.status, Status::Fail);
    assert!(failing.detail.contains("AccessDenied bucket"));

    let denied = checks::recorder(
        &Err(error(
            "config:DescribeConfigurationRecorders",
            FailureKind::AccessDenied,
            "AccessDeniedException",
        )),
        "r",
    );
    assert_eq!(denied.status, Status::NotChecked);
    assert!(
        denied
            .fix
            .unwrap()
            .contains("allow config:DescribeConfigurationRecorders")
    );
}

#[test]
fn resource_id_passes_on_arns_fails_on_names_and_is_not_checked_without_secrets() {
    let secrets = Ok(vec![listed(ARN, "db", None)]);
    let by_arn = Ok(vec![DiscoveredResource {
        resource_id: ARN.into(),
        resource_name: Some("db".into()),
    }]);
    assert_eq!(checks::resource_id(&by_arn, &secrets).status, Status::Pass);

    let by_name = Ok(vec![DiscoveredResource {
        resource_id: "db".into(),
        resource_name: Some("db".into()),
    }]);
    let failed = checks::resource_id(&by_name, &secrets);
    assert_eq!(failed.status, Status::Fail);
    assert!(failed.detail.contains(ARN), "{failed:?}");

    let none = checks::resource_id(&Ok(vec![]), &secrets);
    assert_eq!(none.status, Status::NotChecked);
    let unmatched = checks::resource_id(&by_arn, &Ok(vec![]));
    assert_eq!(unmatched.status, Status::NotChecked);
    let throttled = checks::resource_id(
        &Err(error(
            "config:ListDiscoveredResources",
            FailureKind::Throttled,
            "ThrottlingException",
        )),
        &secrets,
    );
    assert_eq!(throttled.status, Status::NotChecked);
    assert!(throttled.detail.contains("ThrottlingException"));
}

#[test]
fn primary_region_pass_fail_and_not_checked() {
    let with = Ok(vec![listed(ARN, "db", Some("us-east-1"))]);
    assert_eq!(
        checks::primary_region(&with, &Ok(vec![])).status,
        Status::Pass
    );

    let without = Ok(vec![listed(ARN, "db", None)]);
    let replicated = Ok(vec![DescribedSecret {
        arn: ARN.into(),
        primary_region: Some("us-east-1".into()),
        replica_regions: vec!["eu-west-1".into()],
    }]);
    let failed = checks::primary_region(&without, &replicated);
    assert_eq!(failed.status, Status::Fail);
    assert!(failed.detail.contains("replicas in eu-west-1"));

    let plain = Ok(vec![DescribedSecret {
        arn: ARN.into(),
        primary_region: None,
        replica_regions: vec![],
    }]);
    let unknown = checks::primary_region(&without, &plain);
    assert_eq!(unknown.status, Status::NotChecked);
    assert!(unknown.detail.contains("no replicated secret"));
}

#[test]
fn rule_missing_failing_never_run_and_healthy() {
    let t = |minute| Some(Utc.with_ymd_and_hms(2026, 1, 2, 3, minute, 0).unwrap());
    let missing = checks::rule(&Ok(None), "secrets-cmk", "us-east-1");
    assert_eq!(missing.status, Status::Fail);
    assert!(
        missing
            .detail
            .contains("no Config rule named secrets-cmk in us-east-1")
    );
    assert!(missing.fix.unwrap().contains("--rule-name"));

    let healthy = RuleStatus {
        state: Some("ACTIVE".into()),
        last_successful_invocation: t(1),
        last_successful_evaluation: t(2),
        ..RuleStatus::default()
    };
    let pass = checks::rule(&Ok(Some(healthy.clone())), "secrets-cmk", "r");
    assert_eq!(pass.status, Status::Pass);
    assert!(pass.detail.contains("2026-01-02T03:02:00Z"));

    let failing = RuleStatus {
        last_failed_invocation: t(5),
        last_error_code: Some("AccessDeniedException".into()),
        last_error_message: Some("not allowed kms:DescribeKey".into()),
        ..healthy.clone()
    };
    let fail = checks::rule(&Ok(Some(failing)), "secrets-cmk", "r");
    assert_eq!(fail.status, Status::Fail);
    assert!(
        fail.detail
            .contains("AccessDeniedException not allowed kms:DescribeKey")
    );
    assert!(fail.fix.unwrap().contains("start-config-rules-evaluation"));

    // An old error followed by a success is history, not a failure.
    let recovered = RuleStatus {
        last_failed_invocation: t(0),
        last_error_code: Some("X".into()),
        ..healthy
    };
    assert_eq!(
        checks::rule(&Ok(Some(recovered)), "n", "r").status,
        Status::Pass
    );

    let fresh = RuleStatus {
        state: Some("ACTIVE".into()),
        ..RuleStatus::default()
    };
    assert_eq!(
        checks::rule(&Ok(Some(fresh)), "n", "r").status,
        Status::NotChecked
    );
    let deleting = RuleStatus {
        state: Some("DELETING".into()),
        ..RuleStatus::default()
    };
    assert_eq!(
        checks::rule(&Ok(Some(deleting)), "n", "r").status,
        Status::Fail
    );
}

#[test]
fn every_group_has_actions_in_the_real_contract() {
    // GIVEN the compiled-in contract / WHEN each group is read / THEN it has its actions
    for group in &GROUPS {
        let needs = permissions::needs(permissions::CONTRACT, group.roles).unwrap();
        assert!(!needs.is_empty(), "{}", group.id);
    }
    let cli = permissions::needs(permissions::CONTRACT, GROUPS[0].roles).unwrap();
    let via: Vec<&str> = cli
        .iter()
        .filter(|n| n.via_secrets_manager)
        .map(|n| n.action.as_str())
        .collect();
    assert!(via.contains(&"kms:GenerateDataKey"), "{via:?}");
    assert!(
        cli.iter()
            .any(|n| n.action == "secretsmanager:UpdateSecret" && !n.via_secrets_manager)
    );
    assert!(
        permissions::needs(permissions::CONTRACT, &["nobody"])
            .unwrap_err()
            .contains("nobody")
    );
    assert!(permissions::needs("{", &["cliAudit"]).is_err());
}

#[test]
fn principals_of_each_caller_kind() {
    assert_eq!(
        permissions::principal_of("arn:aws:iam::111122223333:user/ops/ana"),
        Principal::User {
            arn: "arn:aws:iam::111122223333:user/ops/ana".into()
        }
    );
    assert_eq!(
        permissions::principal_of(
            "arn:aws-cn:sts::111122223333:assumed-role/Admin/ana@example.com"
        ),
        Principal::AssumedRole {
            partition: "aws-cn".into(),
            account: "111122223333".into(),
            role_name: "Admin".into()
        }
    );
    for unsupported in [
        "arn:aws:iam::111122223333:root",
        "arn:aws:sts::111122223333:federated-user/bob",
        "arn:aws:sts::111122223333:assumed-role/",
        "not an arn",
    ] {
        assert!(
            matches!(
                permissions::principal_of(unsupported),
                Principal::Unsupported(_)
            ),
            "{unsupported}"
        );
    }
    assert_eq!(
        permissions::role_arn_without_path("aws", "111122223333", "Admin"),
        "arn:aws:iam::111122223333:role/Admin"
    );
}

#[test]
fn simulations_use_this_accounts_resources_and_the_via_service_context() {
    let place = Place {
        partition: "aws".into(),
        region: "eu-west-1".into(),
        account: "111122223333".into(),
    };
    let need = |action: &str, via| Need {
        action: action.into(),
        via_secrets_manager: via,
        grants: vec!["r.S".into()],
    };
    let sims = permissions::simulations(
        &[
            need("secretsmanager:ListSecrets", false),
            need("secretsmanager:DescribeSecret", false),
            need("kms:DescribeKey", false),
            need("kms:GenerateDataKey", true),
            need("kms:DescribeKey", false),
        ],
        &place,
    );
    let find = |resource: &str, via: bool| {
        sims.iter()
            .find(|s| s.resource == resource && s.via_service.is_some() == via)
            .unwrap_or_else(|| panic!("{resource} {via}: {sims:?}"))
    };
    assert_eq!(find("*", false).actions, ["secretsmanager:ListSecrets"]);
    assert_eq!(
        find(
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*",
            false
        )
        .actions,
        ["secretsmanager:DescribeSecret"]
    );
    assert_eq!(
        find("arn:aws:kms:eu-west-1:111122223333:key/*", false).actions,
        ["kms:DescribeKey"]
    );
    let via = find("arn:aws:kms:eu-west-1:111122223333:key/*", true);
    assert_eq!(via.actions, ["kms:GenerateDataKey"]);
    assert_eq!(
        via.via_service.as_deref(),
        Some("secretsmanager.eu-west-1.amazonaws.com")
    );
}

#[test]
fn group_check_lists_denied_actions_and_their_grants() {
    let group = &GROUPS[0];
    let needs = vec![
        Need {
            action: "kms:DescribeKey".into(),
            via_secrets_manager: false,
            grants: vec!["cliAudit.ReadSecretsAndKeys".into()],
        },
        Need {
            action: "kms:GenerateDataKey".into(),
            via_secrets_manager: true,
            grants: vec!["cliRemediate.ReEncryptOnApply".into()],
        },
    ];
    let mut decisions = permissions::Decisions::new();
    decisions.insert(("kms:DescribeKey".into(), false), "allowed".into());
    decisions.insert(("kms:GenerateDataKey".into(), true), "allowed".into());
    let pass = permissions::group_check(group, &needs, &Ok(decisions.clone()), "arn:u");
    assert_eq!(pass.status, Status::Pass);

    decisions.insert(("kms:GenerateDataKey".into(), true), "explicitDeny".into());
    let fail = permissions::group_check(group, &needs, &Ok(decisions), "arn:u");
    assert_eq!(fail.status, Status::Fail);
    assert!(
        fail.detail
            .contains("kms:GenerateDataKey (via Secrets Manager): explicitDeny"),
        "{fail:?}"
    );
    assert!(fail.fix.unwrap().contains("cliRemediate.ReEncryptOnApply"));

    let why = permissions::cannot_simulate("root", None);
    let not = permissions::group_check(group, &needs, &Err(why), "arn:root");
    assert_eq!((not.status, not.id), (Status::NotChecked, group.id));
}

fn report(checks: Vec<CheckResult>, account: Option<&str>) -> Report {
    Report {
        account: account.map(str::to_owned),
        region: "us-east-1".into(),
        caller: None,
        rule_name: "secrets-cmk".into(),
        checks,
    }
}

#[test]
fn outcome_is_0_1_or_2_and_both_renderings_carry_every_check() {
    let pass = CheckResult::pass("a", "A", "fine");
    let fail = CheckResult::fail("b", "B", "broken", "mend it");
    let skip = CheckResult::not_checked("c", "C", "nothing here", None);
    assert_eq!(
        report(vec![pass.clone(), skip.clone()], Some("1")).outcome(),
        Outcome::Passed
    );
    let failed = report(vec![pass, fail, skip], Some("1"));
    assert_eq!(failed.outcome(), Outcome::Failed(1));
    assert_eq!(report(vec![], None).outcome(), Outcome::CouldNotRun);

    let table = render_table(&failed);
    assert!(table.contains("FAIL"), "{table}");
    assert!(
        table.contains("b: B") && table.contains("fix: mend it"),
        "{table}"
    );
    assert!(table.contains("not checked  c: C"), "{table}");
    assert!(
        table.ends_with("1 passed, 1 failed, 1 not checked\n"),
        "{table}"
    );

    let json: serde_json::Value = serde_json::from_str(&render_json(&failed).unwrap()).unwrap();
    assert_eq!(json["checks"][1]["check"], "b");
    assert_eq!(json["checks"][1]["status"], "fail");
    assert_eq!(json["checks"][2]["status"], "not_checked");
    assert_eq!(json["summary"]["fail"], 1);
    assert_eq!(json["region"], "us-east-1");
}

#[test]
fn config_item_candidate_pass_fail_and_not_checked() {
    // GIVEN a discovered secret on a customer managed key
    let mut on_cmk = listed(ARN, "db", None);
    on_cmk.kms_key_id = Some("alias/app".into());
    let discovered = Ok(vec![DiscoveredResource {
        resource_id: ARN.into(),
        resource_name: Some("db".into()),
    }]);
    // WHEN the candidate is chosen / THEN it is that secret, and none on the default key
    assert_eq!(
        checks::item_candidate(&discovered, &Ok(vec![on_cmk])),
        Some(ARN.to_owned())
    );
    assert_eq!(
        checks::item_candidate(&discovered, &Ok(vec![listed(ARN, "db", None)])),
        None
    );
    let item = |fields: &[&str]| {
        Ok(Some(ConfigItem {
            resource_id: ARN.into(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        }))
    };
    assert_eq!(
        checks::config_item(Some(&item(&["Name", "KMSKeyId"]))).status,
        Status::Pass
    );
    let other = checks::config_item(Some(&item(&["Name", "KmsKeyId"])));
    assert_eq!(other.status, Status::Fail);
    assert!(other.detail.contains("only KmsKeyId"), "{other:?}");
    assert!(
        checks::config_item(Some(&item(&["Name"])))
            .detail
            .contains("no key field")
    );
    assert_eq!(checks::config_item(None).status, Status::NotChecked);
    assert_eq!(
        checks::config_item(Some(&Ok(None))).status,
        Status::NotChecked
    );
}
