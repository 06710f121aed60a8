//! `secrets-cmk doctor --organization` in an organization of several accounts: the rule's
//! last run in each member, read through `--role-name` (OK, failed, not reachable), the
//! accounts of the target OU without a StackSet instance, and, for the `central`
//! placement, whether Config's invocation from a member was accepted.
//!
//! The caller is the management account (moto's default account creates the
//! organization); the members are accounts it creates; AssumeRole into a member acts there.

use crate::support::{Bench, Run};
use aws_sdk_config::types::{
    ConfigRule, MaximumExecutionFrequency, Owner, Scope, Source, SourceDetail,
};
use secrets_cmk_harness::organization::{create_member, create_organization, organizations};
use secrets_cmk_harness::seed::assume_role;
use secrets_cmk_harness::{Credentials, DEFAULT_REGION};
use serde_json::{Value, json};

const RULE: &str = "secrets-cmk";
const STACK_SET: &str = "secrets-cmk-member";
const ROLE: &str = "OrganizationAccountAccessRole";
const MANAGEMENT: &str = "123456789012";
const NOTHING: &str =
    r#"{"Resources":{"Nothing":{"Type":"AWS::CloudFormation::WaitConditionHandle"}}}"#;

/// An organization: the root, an OU, and `members` accounts in it.
struct Organization {
    ou: String,
    accounts: Vec<String>,
}

async fn organization(bench: &Bench, members: usize) -> Organization {
    let org = create_organization(&bench.emulator).await.unwrap();
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let ou = org
        .create_organizational_unit()
        .parent_id(&root)
        .name("workloads")
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let mut accounts = Vec::new();
    for n in 0..members {
        let id = create_member(&org, &format!("member{n}")).await.unwrap();
        org.move_account()
            .account_id(&id)
            .source_parent_id(&root)
            .destination_parent_id(&ou)
            .send()
            .await
            .unwrap();
        accounts.push(id);
    }
    Organization { ou, accounts }
}

/// The service-managed member StackSet, deployed to the OU in the default Region.
async fn member_stack_set(bench: &Bench, ou: &str) {
    let config = bench
        .emulator
        .sdk_config(&Credentials::default_account(), DEFAULT_REGION);
    let cloudformation = aws_sdk_cloudformation::Client::new(&config);
    cloudformation
        .create_stack_set()
        .stack_set_name(STACK_SET)
        .template_body(NOTHING)
        .permission_model(aws_sdk_cloudformation::types::PermissionModels::ServiceManaged)
        .auto_deployment(
            aws_sdk_cloudformation::types::AutoDeployment::builder()
                .enabled(true)
                .retain_stacks_on_account_removal(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    cloudformation
        .create_stack_instances()
        .stack_set_name(STACK_SET)
        .deployment_targets(
            aws_sdk_cloudformation::types::DeploymentTargets::builder()
                .organizational_unit_ids(ou)
                .build(),
        )
        .regions(DEFAULT_REGION)
        .send()
        .await
        .unwrap();
}

/// Credentials acting in `account` (moto's AssumeRole needs no role to exist).
async fn as_member(bench: &Bench, account: &str) -> Credentials {
    assume_role(&bench.emulator.sts(), account, ROLE)
        .await
        .unwrap()
}

/// The rule in `account`, as the member stack deploys it: its own function (`members`), or
/// the central one in the management account (`central`).
async fn member_rule(bench: &Bench, account: &str, central: bool) {
    let owner = if central { MANAGEMENT } else { account };
    let function = bench
        .emulator
        .admin_post(
            "/_secrets_cmk/lambda/stub-function",
            &json!({"functionName": "secrets-cmk-rule", "account": owner}),
        )
        .await
        .unwrap();
    let source = Source::builder()
        .owner(Owner::CustomLambda)
        .source_identifier(function["functionArn"].as_str().unwrap())
        .source_details(
            SourceDetail::builder()
                .event_source("aws.config".into())
                .message_type("ScheduledNotification".into())
                .maximum_execution_frequency(MaximumExecutionFrequency::TwentyFourHours)
                .build(),
        )
        .build()
        .unwrap();
    let rule = ConfigRule::builder()
        .config_rule_name(RULE)
        .source(source)
        .maximum_execution_frequency(MaximumExecutionFrequency::TwentyFourHours)
        .scope(
            Scope::builder()
                .compliance_resource_types("AWS::SecretsManager::Secret")
                .build(),
        )
        .build();
    let member = as_member(bench, account).await;
    bench
        .emulator
        .config_as(&member, DEFAULT_REGION)
        .put_config_rule()
        .config_rule(rule)
        .send()
        .await
        .unwrap();
}

/// What a successful invocation in `account` leaves: evaluations put with a result token.
async fn rule_ran(bench: &Bench, account: &str) {
    let token = bench.emulator.mint_result_token(RULE).await.unwrap();
    let evaluation = aws_sdk_config::types::Evaluation::builder()
        .compliance_resource_type("AWS::SecretsManager::Secret")
        .compliance_resource_id(format!(
            "arn:aws:secretsmanager:us-east-1:{account}:secret:db-AbCdEf"
        ))
        .compliance_type(aws_sdk_config::types::ComplianceType::Compliant)
        .ordering_timestamp(aws_smithy_types::DateTime::from_secs(1_767_225_600))
        .build()
        .unwrap();
    let member = as_member(bench, account).await;
    bench
        .emulator
        .config_as(&member, DEFAULT_REGION)
        .put_evaluations()
        .evaluations(evaluation)
        .result_token(token)
        .send()
        .await
        .unwrap();
}

async fn rule_failed(bench: &Bench, account: &str, code: &str, message: &str) {
    bench
        .emulator
        .admin_post(
            "/_secrets_cmk/config/rule-invocation-failure",
            &json!({"configRuleName": RULE, "account": account, "region": DEFAULT_REGION,
                    "errorCode": code, "errorMessage": message}),
        )
        .await
        .unwrap();
}

async fn doctor(bench: &Bench, extra: &[&str]) -> Run {
    let mut args = vec!["doctor", "--organization", "--format", "json"];
    args.extend_from_slice(extra);
    bench.run(&args).await
}

fn check(report: &Value, id: &str) -> Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {report}"))
        .clone()
}

fn text(check: &Value, field: &str) -> String {
    check[field].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn each_member_rule_ok_failed_or_unreachable_and_an_account_not_covered() {
    // GIVEN three members of the OU with StackSet instances and the rule, the second one's
    // last invocation failed, the third not reachable (AssumeRole refused there)
    let bench = Bench::start().await.unwrap();
    let org = organization(&bench, 3).await;
    member_stack_set(&bench, &org.ou).await;
    let [ok, failed, unreachable] = [0, 1, 2].map(|n| org.accounts[n].clone());
    for account in [&ok, &failed, &unreachable] {
        member_rule(&bench, account, false).await;
    }
    rule_ran(&bench, &ok).await;
    rule_ran(&bench, &failed).await;
    rule_failed(
        &bench,
        &failed,
        "AccessDeniedException",
        "kms:DescribeKey denied",
    )
    .await;
    bench
        .emulator
        .set_faults(
            json!({"rules": [{"service": "sts", "operation": "AssumeRole",
                                      "match": unreachable, "kind": "access_denied"}]}),
        )
        .await
        .unwrap();
    // AND a fourth account that joined the OU after the instances were made
    let late = organization_member_joining(&bench, &org.ou).await;

    // WHEN doctor --organization runs without --role-name
    let run = doctor(&bench, &[]).await;
    // THEN the members are not checked, saying which flag to pass
    let report = run.json();
    let rules = check(&report, "member-rules");
    assert_eq!(rules["status"], "not_checked", "{rules}");
    assert!(
        text(&rules, "fix").contains("pass --role-name NAME"),
        "{rules}"
    );

    // WHEN it runs with --role-name
    let run = doctor(&bench, &["--role-name", ROLE]).await;
    assert_eq!(run.code, 1);
    let report = run.json();
    // THEN the failed member fails, with its error
    let rules = check(&report, "member-rules");
    assert_eq!(rules["status"], "fail", "{rules}");
    let detail = text(&rules, "detail");
    assert!(
        detail.contains(&format!("{failed}/us-east-1: last run failed at"))
            && detail.contains("AccessDeniedException kms:DescribeKey denied"),
        "{detail}"
    );
    assert!(!detail.contains(&ok), "{detail}");
    // AND the account without an instance is not covered; the management account is expected
    let coverage = check(&report, "stackset-coverage");
    assert_eq!(coverage["status"], "fail", "{coverage}");
    let detail = text(&coverage, "detail");
    assert!(
        detail.contains(&format!("{late} (late) in us-east-1")),
        "{detail}"
    );
    assert!(
        detail.contains("3 instance(s) of the default quota of 100000"),
        "{detail}"
    );
    // AND placement members has nothing for the central check to confirm
    let central = check(&report, "central-invocations");
    assert_eq!(central["status"], "not_checked");
    assert!(text(&central, "detail").contains("placement `members`"));

    // GIVEN the failed member ran successfully since
    rule_ran(&bench, &failed).await;
    // WHEN doctor runs again / THEN only the unreachable member is left: not checked, why
    let report = doctor(&bench, &["--role-name", ROLE]).await.json();
    let rules = check(&report, "member-rules");
    assert_eq!(rules["status"], "not_checked", "{rules}");
    let detail = text(&rules, "detail");
    assert!(
        detail.starts_with("2 of 3 member account-Region(s) ran rule secrets-cmk successfully"),
        "{detail}"
    );
    assert!(
        detail.contains(&format!(
            "{unreachable}/us-east-1: could not assume arn:aws:iam::{unreachable}:role/{ROLE}"
        )),
        "{detail}"
    );
    assert!(text(&rules, "fix").contains("sts:AssumeRole"), "{rules}");
}

/// An account that joins the OU after the StackSet's instances were created (the emulator
/// does not deploy automatically), so it has none.
async fn organization_member_joining(bench: &Bench, ou: &str) -> String {
    let org = organizations(&bench.emulator);
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let id = create_member(&org, "late").await.unwrap();
    org.move_account()
        .account_id(&id)
        .source_parent_id(root)
        .destination_parent_id(ou)
        .send()
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn central_placement_an_accepted_and_a_refused_invocation() {
    // GIVEN two members whose rule names the central function, both invoked successfully
    let bench = Bench::start().await.unwrap();
    let org = organization(&bench, 2).await;
    member_stack_set(&bench, &org.ou).await;
    for account in &org.accounts {
        member_rule(&bench, account, true).await;
        rule_ran(&bench, account).await;
    }
    // WHEN doctor --organization runs / THEN the central check passes: the grant admits them
    let report = doctor(&bench, &["--role-name", ROLE]).await.json();
    let central = check(&report, "central-invocations");
    assert_eq!(central["status"], "pass", "{central}");
    let detail = text(&central, "detail");
    assert!(
        detail.contains(
            "the central function arn:aws:lambda:us-east-1:123456789012:function:secrets-cmk-rule \
             accepted Config's invocation for 2 of 2"
        ),
        "{detail}"
    );
    assert_eq!(check(&report, "member-rules")["status"], "pass");
    assert_eq!(check(&report, "stackset-coverage")["status"], "pass");

    // GIVEN the function's policy then refused Config's invocation for the second member
    let refused = &org.accounts[1];
    rule_failed(
        &bench,
        refused,
        "InsufficientPermissionsException",
        "The AWS Lambda function cannot be invoked. Check the function's permissions",
    )
    .await;
    // WHEN doctor runs / THEN the central check fails naming it, with how to read the policy
    let run = doctor(&bench, &["--role-name", ROLE]).await;
    assert_eq!(run.code, 1);
    let central = check(&run.json(), "central-invocations");
    assert_eq!(central["status"], "fail", "{central}");
    assert!(
        text(&central, "detail").contains(&format!(
            "{refused}/us-east-1: InsufficientPermissionsException"
        )),
        "{central}"
    );
    assert!(text(&central, "fix").contains("aws lambda get-policy"));
}

#[tokio::test]
async fn members_are_read_eight_accounts_at_a_time() {
    // GIVEN nine members, and an AssumeRole that takes 1.5 s each
    let bench = Bench::start().await.unwrap();
    let org = organization(&bench, 9).await;
    member_stack_set(&bench, &org.ou).await;
    bench
        .emulator
        .set_faults(
            json!({"rules": [{"service": "sts", "operation": "AssumeRole",
                                      "kind": "slow", "delay_ms": 1500}]}),
        )
        .await
        .unwrap();
    // WHEN doctor --organization reads them
    let started = std::time::Instant::now();
    let report = doctor(&bench, &["--role-name", ROLE]).await.json();
    let elapsed = started.elapsed();
    eprintln!("doctor --organization took {elapsed:?}");
    // THEN every member was read (each lacks the rule here, so each is named)
    let rules = check(&report, "member-rules");
    assert!(
        text(&rules, "detail").contains("fails in 9 of 9 member account-Region(s)"),
        "{rules}"
    );
    // AND at most eight at once: two waves of AssumeRole (at least 3 s), not nine in a row
    // (13.5 s) nor all nine at once (one wave)
    assert!(
        elapsed >= std::time::Duration::from_millis(3000),
        "{elapsed:?}: more than eight AssumeRole calls at once"
    );
    assert!(
        elapsed < std::time::Duration::from_secs(10),
        "{elapsed:?}: the members were read one after another"
    );
}
