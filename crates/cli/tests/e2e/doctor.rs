//! `secrets-cmk doctor` end to end: a set-up account passes every check (exit 0); each
//! usual mistake fails its check with its fix (exit 1); a denied simulation or a missing
//! replicated secret is "not checked" (exit 0); credentials that do not work stop it
//! (exit 2), as do usage errors.
//!
//! The caller is a role session (AssumeRole in the emulator), so the permission checks
//! go through iam:GetRole and iam:SimulatePrincipalPolicy as on a real account.

use crate::support::{Bench, Run};
use aws_sdk_config::types::{
    ConfigRule, ConfigurationRecorder, DeliveryChannel, Owner, RecordingGroup, ResourceType, Scope,
    Source, SourceDetail,
};
use secrets_cmk_harness::seed::{self, NewSecret};
use secrets_cmk_harness::{Credentials, DEFAULT_REGION};
use serde_json::{Value, json};

const RULE: &str = "secrets-cmk";
const SECRET_TYPE: &str = "AWS::SecretsManager::Secret";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn iam(bench: &Bench) -> aws_sdk_iam::Client {
    let config = bench
        .emulator
        .sdk_config(&Credentials::default_account(), DEFAULT_REGION);
    aws_sdk_iam::Client::new(&config)
}

/// A recorder of `types`, started (with the delivery channel Config needs to start).
async fn start_recorder(bench: &Bench, types: &[&str]) {
    let config = bench.emulator.config(DEFAULT_REGION);
    let group = RecordingGroup::builder()
        .all_supported(false)
        .include_global_resource_types(false)
        .set_resource_types(Some(types.iter().map(|t| ResourceType::from(*t)).collect()))
        .build();
    let recorder = ConfigurationRecorder::builder()
        .name("default")
        .role_arn("arn:aws:iam::123456789012:role/config")
        .recording_group(group)
        .build();
    config
        .put_configuration_recorder()
        .configuration_recorder(recorder)
        .send()
        .await
        .unwrap();
    let channel = DeliveryChannel::builder()
        .name("default")
        .s3_bucket_name("config-bucket")
        .build();
    config
        .put_delivery_channel()
        .delivery_channel(channel)
        .send()
        .await
        .unwrap();
    config
        .start_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .unwrap();
}

/// The rule as the CDK deploys it: a custom Lambda rule on secrets, its function seeded.
async fn deploy_rule(bench: &Bench) {
    deploy_rule_in(bench, DEFAULT_REGION).await;
}

/// The rule, deployed in `region`.
async fn deploy_rule_in(bench: &Bench, region: &str) {
    let function = bench
        .emulator
        .admin_post(
            "/_secrets_cmk/lambda/stub-function",
            &json!({"functionName": "secrets-cmk-rule", "region": region}),
        )
        .await
        .unwrap();
    let source = Source::builder()
        .owner(Owner::CustomLambda)
        .source_identifier(function["functionArn"].as_str().unwrap())
        .source_details(
            SourceDetail::builder()
                .event_source("aws.config".into())
                .message_type("ConfigurationItemChangeNotification".into())
                .build(),
        )
        .build()
        .unwrap();
    let rule = ConfigRule::builder()
        .config_rule_name(RULE)
        .source(source)
        .scope(
            Scope::builder()
                .compliance_resource_types(SECRET_TYPE)
                .build(),
        )
        .build();
    bench
        .emulator
        .config(region)
        .put_config_rule()
        .config_rule(rule)
        .send()
        .await
        .unwrap();
}

/// What a successful invocation leaves: evaluations put with the rule's result token.
async fn rule_evaluated(bench: &Bench, secret_arn: &str) {
    rule_evaluated_in(bench, DEFAULT_REGION, secret_arn).await;
}

/// A successful invocation in `region`.
async fn rule_evaluated_in(bench: &Bench, region: &str, secret_arn: &str) {
    let token = bench.emulator.mint_result_token(RULE).await.unwrap();
    let evaluation = aws_sdk_config::types::Evaluation::builder()
        .compliance_resource_type(SECRET_TYPE)
        .compliance_resource_id(secret_arn)
        .compliance_type(aws_sdk_config::types::ComplianceType::NonCompliant)
        .ordering_timestamp(aws_smithy_types::DateTime::from_secs(1_767_225_600))
        .build()
        .unwrap();
    bench
        .emulator
        .config(region)
        .put_evaluations()
        .evaluations(evaluation)
        .result_token(token)
        .send()
        .await
        .unwrap();
}

/// Credentials of a session of role `name` (created with `policy`), as environment.
async fn session_of_role(bench: &Bench, name: &str, policy: &str) -> Vec<(String, String)> {
    let iam = iam(bench);
    let role = iam
        .create_role()
        .role_name(name)
        .path("/ops/")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name(name)
        .policy_name("doctor-test")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    let role_arn = role.role().unwrap().arn().to_owned();
    let assumed = bench
        .emulator
        .sts()
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("doctor")
        .send()
        .await
        .unwrap();
    let creds = assumed.credentials().unwrap();
    vec![
        ("AWS_REGION".into(), DEFAULT_REGION.into()),
        ("AWS_ACCESS_KEY_ID".into(), creds.access_key_id().into()),
        (
            "AWS_SECRET_ACCESS_KEY".into(),
            creds.secret_access_key().into(),
        ),
        ("AWS_SESSION_TOKEN".into(), creds.session_token().into()),
    ]
}

async fn doctor_as(bench: &Bench, env: &[(String, String)], args: &[&str]) -> Run {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    bench.run_with_env(&all, &env).await
}

/// A set-up account: recorder, a replicated secret, the rule with a successful evaluation.
async fn well_set_up() -> (Bench, Vec<(String, String)>) {
    let bench = Bench::start().await.unwrap();
    start_recorder(&bench, &[SECRET_TYPE]).await;
    let key = bench.cmk("alias/app").await;
    let mut spec = NewSecret::named("db-password").with_kms_key(key.arn.clone());
    spec.replicas = vec![("eu-west-1".to_owned(), None)];
    let secret = seed::create_secret(&bench.sm(), &spec).await.unwrap();
    deploy_rule(&bench).await;
    rule_evaluated(&bench, &secret.arn).await;
    let env = session_of_role(&bench, "Operator", ALLOW_ALL).await;
    (bench, env)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {report}"))
}

#[tokio::test]
async fn every_check_passes_on_a_set_up_account() {
    // GIVEN an account with everything in place, and a caller allowed every call
    let (bench, env) = well_set_up().await;
    // WHEN doctor runs
    let run = doctor_as(&bench, &env, &["--format", "json"]).await;
    // THEN every check passes and it exits 0
    assert_eq!(run.code, 0);
    let report = run.json();
    for c in report["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "pass", "{c}");
    }
    assert_eq!(report["summary"]["pass"], 9);
    assert_eq!(report["account"], "123456789012");
    assert!(
        check(&report, "primary-region")["detail"]
            .as_str()
            .unwrap()
            .contains("db-password")
    );
    // AND the role's real ARN (its path, from iam:GetRole) was simulated
    let permissions = check(&report, "permissions-cli")["detail"]
        .as_str()
        .unwrap();
    assert!(
        permissions.contains("arn:aws:iam::123456789012:role/ops/Operator"),
        "{permissions}"
    );
    // AND the table says the same to people
    let table = doctor_as(&bench, &env, &[]).await;
    assert_eq!(table.code, 0);
    table.assert_stdout_has("9 passed, 0 failed, 0 not checked");
}

#[tokio::test]
async fn each_set_up_mistake_fails_with_its_fix() {
    // GIVEN no recorder, no rule, and a caller who may only list secrets
    let bench = Bench::start().await.unwrap();
    bench.secret("plain", None).await;
    let list_only = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:ListSecrets","iam:*"],"Resource":"*"}]}"#;
    let env = session_of_role(&bench, "Auditor", list_only).await;
    // WHEN doctor runs
    let run = doctor_as(&bench, &env, &[]).await;
    // THEN it exits 1, and each failure says how to fix it
    assert_eq!(run.code, 1);
    run.assert_stdout_has("FAIL         recorder");
    run.assert_stdout_has("no configuration recorder in us-east-1");
    run.assert_stdout_has("fix: set up AWS Config in us-east-1");
    run.assert_stdout_has("no Config rule named secrets-cmk in us-east-1");
    run.assert_stdout_has("pass --rule-name");
    run.assert_stdout_has("FAIL         permissions-cli");
    run.assert_stdout_has("kms:DescribeKey: implicitDeny");
    run.assert_stdout_has("cliAudit.ReadSecretsAndKeys");
    // AND what it cannot see is not checked, with why
    run.assert_stdout_has("not checked  resource-id");
    run.assert_stdout_has("not checked  config-item");
    run.assert_stdout_has("not checked  primary-region");
    run.assert_stdout_has("no replicated secret here");
    run.assert_stderr_has("doctor check(s) failed");
}

#[tokio::test]
async fn a_stopped_recorder_a_failing_rule_and_a_wrong_rule_name() {
    // GIVEN a recorder of another type, and a rule whose last invocation failed
    let (bench, env) = well_set_up().await;
    let config = bench.emulator.config(DEFAULT_REGION);
    config
        .stop_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .unwrap();
    bench
        .emulator
        .admin_post(
            "/_secrets_cmk/config/rule-invocation-failure",
            &json!({"configRuleName": RULE, "errorCode": "AccessDeniedException", "errorMessage": "not authorized to perform kms:DescribeKey"}),
        )
        .await
        .unwrap();
    // WHEN doctor runs
    let run = doctor_as(&bench, &env, &["--format", "json"]).await;
    // THEN both fail with their fixes
    assert_eq!(run.code, 1);
    let report = run.json();
    let recorder = check(&report, "recorder");
    assert_eq!(recorder["status"], "fail");
    assert!(
        recorder["fix"]
            .as_str()
            .unwrap()
            .contains("start-configuration-recorder --configuration-recorder-name default")
    );
    let rule = check(&report, "rule");
    assert_eq!(rule["status"], "fail");
    assert!(
        rule["detail"]
            .as_str()
            .unwrap()
            .contains("AccessDeniedException not authorized"),
        "{rule}"
    );
    assert!(
        rule["fix"]
            .as_str()
            .unwrap()
            .contains("start-config-rules-evaluation")
    );
    // AND with another rule name, that rule is missing
    let other = doctor_as(&bench, &env, &["--format", "json", "--rule-name", "other"]).await;
    assert_eq!(
        check(&other.json(), "rule")["detail"],
        "no Config rule named other in us-east-1"
    );
}

#[tokio::test]
async fn a_denied_simulation_is_not_checked_and_exits_0() {
    // GIVEN a set-up account where the simulator refuses the caller
    let (bench, env) = well_set_up().await;
    bench
        .emulator
        .set_faults(json!({"rules": [{"service": "iam", "operation": "SimulatePrincipalPolicy", "kind": "access_denied"}]}))
        .await
        .unwrap();
    // WHEN doctor runs
    let run = doctor_as(&bench, &env, &["--format", "json"]).await;
    // THEN the permission checks are not checked, with what would allow them; exit 0
    assert_eq!(run.code, 0);
    let report = run.json();
    for id in [
        "permissions-cli",
        "permissions-rule",
        "permissions-runbooks",
    ] {
        let c = check(&report, id);
        assert_eq!(c["status"], "not_checked", "{c}");
        assert!(
            c["fix"]
                .as_str()
                .unwrap()
                .contains("allow iam:SimulatePrincipalPolicy"),
            "{c}"
        );
    }
    assert_eq!(report["summary"]["pass"], 6);
}

#[tokio::test]
async fn credentials_that_do_not_work_stop_it_with_exit_2() {
    // GIVEN credentials STS refuses
    let bench = Bench::start().await.unwrap();
    bench
        .emulator
        .set_faults(json!({"rules": [{"service": "sts", "operation": "GetCallerIdentity", "kind": "error", "status": 403, "code": "InvalidClientTokenId", "message": "The security token included in the request is invalid."}]}))
        .await
        .unwrap();
    // WHEN doctor runs
    let run = bench.run(&["doctor"]).await;
    // THEN it could not run: exit 2, the credentials check says why, the rest not checked
    assert_eq!(run.code, 2);
    run.assert_stdout_has("FAIL         credentials");
    run.assert_stdout_has("InvalidClientTokenId");
    run.assert_stdout_has("0 passed, 1 failed, 8 not checked");
    run.assert_stderr_has("doctor could not run");
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let bench = Bench::start().await.unwrap();
    let csv = bench.run(&["doctor", "--format", "csv"]).await;
    assert_eq!(csv.code, 2);
    let two = bench
        .run(&["--region", "us-east-1", "doctor", "--region", "eu-west-1"])
        .await;
    assert_eq!(two.code, 2);
    two.assert_stderr_has("doctor works in one Region");
    let none = bench.run_with_env(&["doctor"], &[]).await;
    assert_eq!(none.code, 2);
    none.assert_stderr_has("no AWS Region");
}

const STACK_SET: &str = "secrets-cmk-member";
const NOTHING: &str =
    r#"{"Resources":{"Nothing":{"Type":"AWS::CloudFormation::WaitConditionHandle"}}}"#;

/// A StackSet with instances in two Regions of the account, as the organization stack
/// deploys it (self-managed here: the organization tests are in doctor_organization.rs),
/// and the rule it deploys, evaluated, in the second Region too (`member-rules` reads it).
async fn member_stack_set(bench: &Bench) -> aws_sdk_cloudformation::Client {
    deploy_rule_in(bench, "eu-west-1").await;
    let secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf";
    rule_evaluated_in(bench, "eu-west-1", secret).await;
    let config = bench
        .emulator
        .sdk_config(&Credentials::default_account(), DEFAULT_REGION);
    let cloudformation = aws_sdk_cloudformation::Client::new(&config);
    cloudformation
        .create_stack_set()
        .stack_set_name(STACK_SET)
        .template_body(NOTHING)
        .send()
        .await
        .unwrap();
    cloudformation
        .create_stack_instances()
        .stack_set_name(STACK_SET)
        .accounts("123456789012")
        .regions("us-east-1")
        .regions("eu-west-1")
        .send()
        .await
        .unwrap();
    cloudformation
}

#[tokio::test]
async fn organization_stack_set_pass_fail_and_missing() {
    // GIVEN a set-up account and its member StackSet, every instance current
    let (bench, env) = well_set_up().await;
    member_stack_set(&bench).await;
    // WHEN doctor --organization runs / THEN the StackSet check passes too
    let run = doctor_as(&bench, &env, &["--organization", "--format", "json"]).await;
    assert_eq!(run.code, 0);
    let report = run.json();
    let stack_set = check(&report, "stackset-instances");
    assert_eq!(stack_set["status"], "pass", "{stack_set}");
    assert_eq!(
        stack_set["detail"],
        "2 instance(s) in 1 account(s) and 2 Region(s), all current"
    );
    // GIVEN one instance whose deployment failed
    bench
        .emulator
        .admin_post(
            "/_secrets_cmk/cloudformation/stack-instance-status",
            &json!({"stackSetName": STACK_SET, "account": "123456789012", "region": "eu-west-1",
                    "status": "OUTDATED", "detailedStatus": "FAILED",
                    "statusReason": "SecretsCmkRemediation already exists"}),
        )
        .await
        .unwrap();
    // THEN it fails, naming the account, Region and reason, with how to redeploy; exit 1
    let run = doctor_as(&bench, &env, &["--organization"]).await;
    assert_eq!(run.code, 1);
    run.assert_stdout_has("FAIL         stackset-instances");
    run.assert_stdout_has(
        "123456789012/eu-west-1: OUTDATED FAILED (SecretsCmkRemediation already exists)",
    );
    run.assert_stdout_has("update-stack-instances --stack-set-name secrets-cmk-member");
    // AND another StackSet name is missing
    let other = doctor_as(
        &bench,
        &env,
        &[
            "--organization",
            "--stack-set-name",
            "other",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(other.code, 1);
    assert_eq!(
        check(&other.json(), "stackset-instances")["detail"],
        "no StackSet named other here"
    );
    // AND without --organization there is no StackSet check, and its flags are refused
    let plain = doctor_as(&bench, &env, &["--format", "json"]).await;
    assert!(
        plain.json()["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["check"] != "stackset-instances")
    );
    let refused = doctor_as(&bench, &env, &["--stack-set-name", "x"]).await;
    assert_eq!(refused.code, 2);
}

#[tokio::test]
async fn organization_conformance_pack_per_member() {
    // GIVEN a set-up account, its StackSet, and no organization pack yet
    let (bench, env) = well_set_up().await;
    member_stack_set(&bench).await;
    let run = doctor_as(&bench, &env, &["--organization", "--format", "json"]).await;
    // THEN the pack is not checked, saying why (exit 0)
    assert_eq!(run.code, 0);
    let pack = run.json();
    let pack = check(&pack, "conformance-pack-members");
    assert_eq!(pack["status"], "not_checked", "{pack}");
    // GIVEN the pack, deployed
    bench
        .emulator
        .config(DEFAULT_REGION)
        .put_organization_conformance_pack()
        .organization_conformance_pack_name("secrets-cmk")
        .template_s3_uri("s3://packs/secrets-cmk.yaml")
        .send()
        .await
        .unwrap();
    let run = doctor_as(&bench, &env, &["--organization", "--format", "json"]).await;
    assert_eq!(run.code, 0);
    assert_eq!(
        check(&run.json(), "conformance-pack-members")["status"],
        "pass"
    );
    // GIVEN its deployment failed in a member
    bench
        .emulator
        .admin_post(
            "/_secrets_cmk/config/org-pack-member-status",
            &json!({"packName": "secrets-cmk", "account": "123456789012", "status": "CREATE_FAILED",
                    "errorCode": "NoAvailableConfigurationRecorder", "errorMessage": "no recorder"}),
        )
        .await
        .unwrap();
    // THEN it fails naming the member and the error, with how to redeploy; exit 1
    let run = doctor_as(&bench, &env, &["--organization"]).await;
    assert_eq!(run.code, 1);
    run.assert_stdout_has(
        "123456789012: CREATE_FAILED (NoAvailableConfigurationRecorder no recorder)",
    );
    run.assert_stdout_has(
        "put-organization-conformance-pack --organization-conformance-pack-name secrets-cmk",
    );
}
