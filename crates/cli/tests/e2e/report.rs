//! `secrets-cmk report --aggregator`: an organization of three accounts, each with its
//! own secrets; the rule's verdicts recorded in each account with that account's own
//! credentials (PutEvaluations with a result token of the account's rule); an
//! organization aggregator in the management account; then the report, read centrally,
//! compared with what each account recorded.
//!
//! The verdicts are the rule's decision table's: `secrets-cmk audit --format json` run
//! in each account (the CLI and the Lambda share it), its `reason` being the rule's
//! annotation.

use crate::support::{Bench, Run};
use aws_sdk_config::types::OrganizationAggregationSource;
use aws_smithy_types::DateTime;
use secrets_cmk_harness::organization::{create_member, create_organization};
use secrets_cmk_harness::seed::{self, NewSecret, assume_role};
use secrets_cmk_harness::{Credentials, DEFAULT_ACCOUNT, DEFAULT_REGION};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) const AGGREGATOR: &str = "org-secrets";
const RULE: &str = "secrets-cmk";
/// The rule as a conformance pack names it in the second member.
const PACK_RULE: &str = "secrets-cmk-conformance-pack-a1b2c3d4";
pub(crate) const OTHER_REGION: &str = "eu-west-1";
const EXEMPT_TAG: &str = "cmk-exempt";

/// One account of the organization: its id, credentials and rule name.
pub(crate) struct Member {
    pub(crate) account: String,
    pub(crate) credentials: Credentials,
    pub(crate) rule: &'static str,
}

/// A result as compared: account, Region, rule, resource, compliance, annotation.
type Result6 = (String, String, String, String, String, Option<String>);

/// The organization: the management account (the default one) and two members.
async fn organization(bench: &Bench) -> Vec<Member> {
    let orgs = create_organization(&bench.emulator).await.unwrap();
    let mut members = vec![Member {
        account: DEFAULT_ACCOUNT.to_owned(),
        credentials: Credentials::default_account(),
        rule: RULE,
    }];
    for (name, rule) in [("payments", RULE), ("analytics", PACK_RULE)] {
        let account = create_member(&orgs, name).await.unwrap();
        let credentials = assume_role(
            &bench.emulator.sts(),
            &account,
            "OrganizationAccountAccessRole",
        )
        .await
        .unwrap();
        members.push(Member {
            account,
            credentials,
            rule,
        });
    }
    members
}

/// Each account's secrets: one on the default key, one on a customer managed key, one
/// exempt (NOT_APPLICABLE), in the default Region; the last member has one more in
/// another Region.
async fn seed_secrets(bench: &Bench, members: &[Member]) {
    for (index, member) in members.iter().enumerate() {
        let sm = bench
            .emulator
            .secretsmanager_as(&member.credentials, DEFAULT_REGION);
        let kms = bench.emulator.kms_as(&member.credentials, DEFAULT_REGION);
        let key = seed::create_cmk(&kms, "app").await.unwrap();
        let prefix = format!("team-{index}");
        for spec in [
            NewSecret::named(format!("{prefix}/db")),
            NewSecret::named(format!("{prefix}/api")).with_kms_key(&key.arn),
            NewSecret::named(format!("{prefix}/legacy")).with_tag(EXEMPT_TAG, "yes"),
        ] {
            seed::create_secret(&sm, &spec).await.unwrap();
        }
    }
    let last = members.last().unwrap();
    let sm = bench
        .emulator
        .secretsmanager_as(&last.credentials, OTHER_REGION);
    seed::create_secret(&sm, &NewSecret::named("eu/db"))
        .await
        .unwrap();
}

/// The rule's verdicts in each account and Region, put with the account's own
/// credentials under its rule's name.
async fn record_verdicts(bench: &Bench, members: &[Member]) {
    for member in members {
        let token = bench.emulator.mint_result_token(member.rule).await.unwrap();
        for region in [DEFAULT_REGION, OTHER_REGION] {
            let audit = run_as(
                bench,
                member,
                &[
                    "audit",
                    "--region",
                    region,
                    "--format",
                    "json",
                    "--exemption-tag-key",
                    EXEMPT_TAG,
                ],
            )
            .await;
            assert_eq!(audit.code, 0, "{}", audit.stderr);
            let evaluations: Vec<aws_sdk_config::types::Evaluation> = audit
                .json()
                .as_array()
                .unwrap()
                .iter()
                .map(|row| {
                    aws_sdk_config::types::Evaluation::builder()
                        .compliance_resource_type("AWS::SecretsManager::Secret")
                        .compliance_resource_id(row["arn"].as_str().unwrap())
                        .compliance_type(row["compliance"].as_str().unwrap().into())
                        .annotation(row["reason"].as_str().unwrap())
                        .ordering_timestamp(DateTime::from_secs(1_767_225_600))
                        .build()
                        .unwrap()
                })
                .collect();
            if evaluations.is_empty() {
                continue;
            }
            bench
                .emulator
                .config_as(&member.credentials, region)
                .put_evaluations()
                .result_token(&token)
                .set_evaluations(Some(evaluations))
                .send()
                .await
                .unwrap();
        }
    }
}

/// `secrets-cmk ARGS` with the credentials of `member`.
async fn run_as(bench: &Bench, member: &Member, args: &[&str]) -> Run {
    let credentials = &member.credentials;
    let mut env = vec![
        ("AWS_REGION", DEFAULT_REGION),
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id.as_str()),
        (
            "AWS_SECRET_ACCESS_KEY",
            credentials.secret_access_key.as_str(),
        ),
    ];
    if let Some(token) = &credentials.session_token {
        env.push(("AWS_SESSION_TOKEN", token.as_str()));
    }
    bench.run_with_env(args, &env).await
}

/// An organization aggregator of every Region, in the management account.
async fn create_aggregator(bench: &Bench) {
    let source = OrganizationAggregationSource::builder()
        .role_arn(format!(
            "arn:aws:iam::{DEFAULT_ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
        ))
        .all_aws_regions(true)
        .build()
        .unwrap();
    bench
        .emulator
        .config(DEFAULT_REGION)
        .put_configuration_aggregator()
        .configuration_aggregator_name(AGGREGATOR)
        .organization_aggregation_source(source)
        .send()
        .await
        .unwrap();
}

/// The seeded, recorded organization with its aggregator.
pub(crate) async fn recorded_organization() -> (Bench, Vec<Member>) {
    let bench = Bench::start().await.unwrap();
    let members = organization(&bench).await;
    seed_secrets(&bench, &members).await;
    record_verdicts(&bench, &members).await;
    create_aggregator(&bench).await;
    (bench, members)
}

/// What the accounts recorded that an aggregator holds: COMPLIANT and NON_COMPLIANT.
async fn recorded(bench: &Bench) -> BTreeSet<Result6> {
    bench
        .emulator
        .evaluations()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|call| {
            let (account, region) = (call.account.clone(), call.region.clone());
            let rule = call.config_rule_name.clone().unwrap();
            call.evaluations.into_iter().map(move |e| {
                (
                    account.clone(),
                    region.clone(),
                    rule.clone(),
                    e.resource_id,
                    e.compliance_type,
                    e.annotation,
                )
            })
        })
        .filter(|r| r.4 != "NOT_APPLICABLE")
        .collect()
}

fn reported(rows: &Value) -> Vec<Result6> {
    let text = |row: &Value, field: &str| row[field].as_str().unwrap().to_owned();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                text(row, "account"),
                text(row, "region"),
                text(row, "rule"),
                text(row, "resource_id"),
                text(row, "compliance"),
                row["annotation"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_report_equals_what_the_rule_recorded_in_every_account() {
    // GIVEN an organization whose accounts recorded the rule's verdicts
    let (bench, members) = recorded_organization().await;
    let expected = recorded(&bench).await;
    // WHEN the report is read from the aggregator, as json
    let run = bench
        .run(&["report", "--aggregator", AGGREGATOR, "--format", "json"])
        .await;
    // THEN it succeeds, and has every recorded COMPLIANT and NON_COMPLIANT result once,
    // with the account's compliance and annotation
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = run.json();
    let reported = reported(&rows);
    let unique: BTreeSet<Result6> = reported.iter().cloned().collect();
    assert_eq!(unique.len(), reported.len(), "a result reported twice");
    assert_eq!(unique, expected);
    // AND every account and both Regions are there: 2 results per account in the
    // default Region (the exempt secret is NOT_APPLICABLE, which is not aggregated), and
    // the last member's other Region
    let per_account: BTreeMap<&str, usize> = reported.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r.0.as_str()).or_default() += 1;
        m
    });
    let accounts: Vec<usize> = members
        .iter()
        .map(|m| per_account[m.account.as_str()])
        .collect();
    assert_eq!(accounts, [2, 2, 3]);
    // AND each object has exactly the documented fields, recorded_at in RFC 3339
    for row in rows.as_array().unwrap() {
        let fields: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields.iter().copied().collect::<BTreeSet<_>>(),
            BTreeSet::from([
                "account",
                "region",
                "rule",
                "resource_id",
                "compliance",
                "annotation",
                "recorded_at"
            ])
        );
        let recorded_at = row["recorded_at"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(recorded_at).is_ok(),
            "{recorded_at}"
        );
    }
    // AND the summary went to stderr
    run.assert_stderr_has(
        "7 results of 2 rules in 3 accounts and 2 Regions: 3 COMPLIANT, 4 NON_COMPLIANT",
    );
}

#[tokio::test]
async fn the_rule_name_prefix_picks_the_rules_and_csv_and_the_table_read_right() {
    // GIVEN the organization, and another rule's result in the management account
    let (bench, members) = recorded_organization().await;
    let token = bench
        .emulator
        .mint_result_token("other-rule")
        .await
        .unwrap();
    bench
        .emulator
        .config(DEFAULT_REGION)
        .put_evaluations()
        .result_token(token)
        .evaluations(
            aws_sdk_config::types::Evaluation::builder()
                .compliance_resource_type("AWS::SecretsManager::Secret")
                .compliance_resource_id(
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf",
                )
                .compliance_type("NON_COMPLIANT".into())
                .ordering_timestamp(DateTime::from_secs(1_767_225_600))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    // WHEN the report keeps only the conformance pack's rule
    let run = bench
        .run(&[
            "report",
            "--aggregator",
            AGGREGATOR,
            "--rule-name",
            "secrets-cmk-conformance",
            "--format",
            "csv",
        ])
        .await;
    // THEN only the last member's results, with the CSV header first
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("account,region,rule,resource_id,compliance,annotation,recorded_at")
    );
    let accounts: BTreeSet<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(accounts, BTreeSet::from([members[2].account.as_str()]));

    // WHEN the default prefix is used, as a table piped
    let run = bench.run(&["report", "--aggregator", AGGREGATOR]).await;
    // THEN the other rule is not in it; the summary comes first, then the accounts,
    // then the findings only, NON_COMPLIANT, by account
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.contains("other-rule") && !run.stdout.contains(":secret:x-"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .starts_with("7 results of 2 rules in 3 accounts and 2 Regions"),
        "{}",
        run.stdout
    );
    let accounts_at = run.stdout.find("Accounts, most findings first:").unwrap();
    let first_finding = run.stdout.find("NON_COMPLIANT ").unwrap_or(usize::MAX);
    assert!(accounts_at < first_finding, "{}", run.stdout);
    let finding_lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("team-") || l.contains("eu/db"))
        .collect();
    assert_eq!(finding_lines.len(), 4, "{}", run.stdout);
    assert!(
        finding_lines.iter().all(|l| l.contains("NON_COMPLIANT")),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("team-0/api"),
        "COMPLIANT not listed by default"
    );
    run.assert_stdout_has("3 COMPLIANT or NOT_APPLICABLE not listed");
    // AND --show all lists the compliant ones after the findings
    let all = bench
        .run(&["report", "--aggregator", AGGREGATOR, "--show", "all"])
        .await;
    let api = all.stdout.find("team-0/api").unwrap();
    let db = all.stdout.find("team-0/db").unwrap();
    assert!(db < api, "{}", all.stdout);
}

#[tokio::test]
async fn a_missing_aggregator_is_exit_2_naming_it_and_findings_fail_when_asked() {
    // GIVEN the organization
    let (bench, _) = recorded_organization().await;
    // WHEN an aggregator that does not exist is named
    let run = bench
        .run(&["report", "--aggregator", "no-such-aggregator"])
        .await;
    // THEN exit 2, naming it and its Region, with nothing on stdout
    assert_eq!(run.code, 2);
    run.assert_stderr_has("no AWS Config aggregator \"no-such-aggregator\" in us-east-1");
    run.assert_stderr_has("NoSuchConfigurationAggregatorException");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // AND in another Region the aggregator is not found either
    let run = bench
        .run(&[
            "--region",
            OTHER_REGION,
            "report",
            "--aggregator",
            AGGREGATOR,
        ])
        .await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has(OTHER_REGION);
    // WHEN written as ASFF
    let run = bench
        .run(&["report", "--aggregator", AGGREGATOR, "--format", "asff"])
        .await;
    // THEN one finding per result, the secret its resource, FAILED for NON_COMPLIANT
    assert_eq!(run.code, 0, "{}", run.stderr);
    let findings = run.json();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 7);
    let status = |s: &str| {
        findings
            .iter()
            .filter(|f| f["Compliance"]["Status"] == s)
            .count()
    };
    assert_eq!((status("FAILED"), status("PASSED")), (4, 3));
    assert!(
        findings
            .iter()
            .all(|f| f["Resources"][0]["Type"] == "AwsSecretsManagerSecret"),
        "{findings:#?}"
    );
    // WHEN findings are to fail the run
    let run = bench
        .run(&[
            "report",
            "--aggregator",
            AGGREGATOR,
            "--format",
            "json",
            "--fail-on-noncompliant",
        ])
        .await;
    // THEN exit 1, the results still written
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json().as_array().unwrap().len(), 7);
    run.assert_stderr_has("4 NON_COMPLIANT");
}

#[tokio::test]
async fn a_denied_read_is_exit_2_and_keeps_what_was_read() {
    // GIVEN the organization, and the details of the other Region denied
    let (bench, members) = recorded_organization().await;
    bench
        .emulator
        .set_faults(serde_json::json!({"rules": [{
            "service": "config", "operation": "GetAggregateComplianceDetailsByConfigRule",
            "kind": "error", "code": "AccessDeniedException", "status": 400,
            "match": OTHER_REGION,
        }]}))
        .await
        .unwrap();
    // WHEN the report is read
    let run = bench
        .run(&["report", "--aggregator", AGGREGATOR, "--format", "json"])
        .await;
    // THEN exit 2 naming the rule scope and the error, with the other results written
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.assert_stderr_has("report incomplete");
    run.assert_stderr_has("AccessDeniedException");
    run.assert_stderr_has(&format!(
        "reading the results of rule {PACK_RULE} in {} {OTHER_REGION}",
        members[2].account
    ));
    assert_eq!(
        run.json().as_array().unwrap().len(),
        6,
        "the other six written"
    );
}
