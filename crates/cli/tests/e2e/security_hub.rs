//! `audit --format asff` and `audit --security-hub`: the findings field by field, the
//! import read back with GetFindings (the same Ids; a re-import updates, never
//! duplicates), 100 a call, a failed finding resent and then reported, Security Hub not
//! enabled.

use crate::support::Bench;
use secrets_cmk_harness::seed;
use secrets_cmk_harness::{Credentials, DEFAULT_ACCOUNT, DEFAULT_REGION};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub(crate) const GENERATOR: &str = "secrets-cmk/customer-managed-key";

fn hub(bench: &Bench) -> aws_sdk_securityhub::Client {
    let config = bench
        .emulator
        .sdk_config(&Credentials::default_account(), DEFAULT_REGION);
    aws_sdk_securityhub::Client::new(&config)
}

async fn enable(bench: &Bench) {
    hub(bench).enable_security_hub().send().await.unwrap();
}

/// What the tests look at in a stored finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    status: Option<String>,
    severity: Option<String>,
    updated_at: Option<String>,
}

/// Every finding of the default account and Region, by Id (GetFindings, every page).
///
/// On a thread of its own with a large stack: the SDK's deserializer of the huge
/// `AwsSecurityFinding` shape recurses deeper than a test thread's 2 MB allow in a
/// debug build.
fn stored(bench: &Bench) -> BTreeMap<String, Stored> {
    stored_as(bench, &Credentials::default_account(), DEFAULT_REGION)
}

/// Every finding of the account `credentials` act in, in `region`, by Id.
pub(crate) fn stored_as(
    bench: &Bench,
    credentials: &Credentials,
    region: &str,
) -> BTreeMap<String, Stored> {
    let config = bench.emulator.sdk_config(credentials, region);
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(read_findings(aws_sdk_securityhub::Client::new(&config)))
        })
        .unwrap()
        .join()
        .unwrap()
}

async fn read_findings(client: aws_sdk_securityhub::Client) -> BTreeMap<String, Stored> {
    let mut found = BTreeMap::new();
    let mut next: Option<String> = None;
    loop {
        let page = client
            .get_findings()
            .set_next_token(next.take())
            .send()
            .await
            .unwrap();
        for finding in page.findings() {
            let stored = Stored {
                status: finding
                    .compliance()
                    .and_then(|c| c.status())
                    .map(|s| s.as_str().to_owned()),
                severity: finding
                    .severity()
                    .and_then(|s| s.label())
                    .map(|l| l.as_str().to_owned()),
                updated_at: finding.updated_at().map(str::to_owned),
            };
            found.insert(finding.id().unwrap().to_owned(), stored);
        }
        match page.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_owned()),
            _ => return found,
        }
    }
}

/// Requests the emulator logged for Security Hub so far.
async fn security_hub_requests(bench: &Bench) -> usize {
    let log = bench.emulator.requests_json().await.unwrap();
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["service"] == "securityhub")
        .count()
}

fn id_of(arn: &str) -> String {
    format!("{GENERATOR}/{arn}")
}

#[tokio::test]
async fn asff_output_is_every_secret_as_a_valid_finding() {
    // GIVEN a secret on a CMK, one on the default key, one on a disabled CMK, and one
    // scheduled for deletion
    let bench = Bench::start().await.unwrap();
    bench.cmk("alias/app").await;
    let off = bench.cmk("alias/off").await;
    seed::disable_key(&bench.kms(), &off.key_id).await.unwrap();
    let on_cmk = bench.secret("on-cmk", Some("alias/app")).await;
    let on_default = bench.secret("on-default", None).await;
    let on_disabled = bench.secret("on-disabled", Some(&off.arn)).await;
    let going = bench.secret("going", None).await;
    seed::schedule_secret_deletion(&bench.sm(), &going.arn, 7)
        .await
        .unwrap();

    // WHEN audited as ASFF
    let run = bench.run(&["audit", "--format", "asff"]).await;

    // THEN exit 0, stdout is only the findings, the counts are on stderr
    assert_eq!(run.code, 0);
    run.assert_stderr_has("4 secrets");
    let findings = run.json();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 4);
    // AND each finding has every required field, about its own secret
    let product = format!(
        "arn:aws:securityhub:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:product/{DEFAULT_ACCOUNT}/default"
    );
    let by_arn: BTreeMap<&str, &Value> = findings
        .iter()
        .map(|f| (f["Resources"][0]["Id"].as_str().unwrap(), f))
        .collect();
    for (arn, finding) in &by_arn {
        assert_eq!(finding["SchemaVersion"], "2018-10-08");
        assert_eq!(finding["Id"], id_of(arn));
        assert_eq!(finding["ProductArn"], product.as_str());
        assert_eq!(finding["GeneratorId"], GENERATOR);
        assert_eq!(finding["AwsAccountId"], DEFAULT_ACCOUNT);
        assert_eq!(
            finding["Types"],
            json!(["Software and Configuration Checks/AWS Security Best Practices"])
        );
        for time in ["CreatedAt", "UpdatedAt", "LastObservedAt"] {
            let text = finding[time].as_str().unwrap();
            assert!(
                chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                "{time}: {text}"
            );
        }
        assert!(finding["Title"].as_str().unwrap().len() <= 256);
        assert!(finding["Description"].as_str().unwrap().len() <= 1024);
        assert_eq!(finding["RecordState"], "ACTIVE");
        assert_eq!(finding["Resources"].as_array().unwrap().len(), 1);
        assert_eq!(finding["Resources"][0]["Type"], "AwsSecretsManagerSecret");
        assert_eq!(finding["Resources"][0]["Partition"], "aws");
        assert_eq!(finding["Resources"][0]["Region"], DEFAULT_REGION);
        assert_eq!(
            finding["FindingProviderFields"]["Severity"],
            finding["Severity"]
        );
    }
    // AND the status, severity and row follow each verdict
    let verdict = |arn: &str| {
        let f = by_arn[arn];
        (
            f["Compliance"]["Status"].as_str().unwrap().to_owned(),
            f["Severity"]["Label"].as_str().unwrap().to_owned(),
            f["ProductFields"]["secrets-cmk/Row"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    let owned = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(verdict(&on_cmk.arn), owned("PASSED", "INFORMATIONAL", "12"));
    assert_eq!(verdict(&on_default.arn), owned("FAILED", "MEDIUM", "4"));
    assert_eq!(verdict(&on_disabled.arn), owned("FAILED", "HIGH", "8"));
    assert_eq!(
        verdict(&going.arn),
        owned("NOT_AVAILABLE", "INFORMATIONAL", "2")
    );
    let fix = by_arn[on_default.arn.as_str()]["Remediation"]["Recommendation"]["Text"]
        .as_str()
        .unwrap();
    assert!(fix.contains("remediate --secret"), "{fix}");
    assert!(by_arn[on_cmk.arn.as_str()].get("Remediation").is_none());
    // AND writing ASFF imports nothing
    assert_eq!(security_hub_requests(&bench).await, 0);
}

#[tokio::test]
async fn the_import_is_read_back_and_a_reimport_updates_in_place() {
    // GIVEN Security Hub enabled and 101 secrets on the default key and one on a CMK
    let bench = Bench::start().await.unwrap();
    enable(&bench).await;
    bench.cmk("alias/app").await;
    let mut secrets = seed::create_secrets(&bench.sm(), "db", 101, |_| None)
        .await
        .unwrap();
    secrets.push(bench.secret("app", Some("alias/app")).await);
    let before = security_hub_requests(&bench).await;

    // WHEN audited with --security-hub
    let run = bench
        .run(&["audit", "--format", "json", "--security-hub"])
        .await;

    // THEN exit 0, every finding imported in two calls (100 + 2), and GetFindings has
    // exactly the audited secrets' Ids
    assert_eq!(run.code, 0);
    run.assert_stderr_has(
        "Security Hub: 102 finding(s) imported, 0 failed (2 BatchImportFindings call(s))",
    );
    assert_eq!(security_hub_requests(&bench).await - before, 2);
    let first = stored(&bench);
    let mut expected: Vec<String> = secrets.iter().map(|s| id_of(&s.arn)).collect();
    expected.sort();
    assert_eq!(first.keys().cloned().collect::<Vec<_>>(), expected);
    let rekeyed = id_of(&secrets[0].arn);
    assert_eq!(first[&rekeyed].status.as_deref(), Some("FAILED"));

    // WHEN one secret is re-keyed to the CMK and the audit imports again
    seed::update_secret_key(&bench.sm(), &secrets[0].arn, "alias/app")
        .await
        .unwrap();
    let again = bench
        .run(&["audit", "--format", "json", "--security-hub"])
        .await;

    // THEN still one finding per secret, the re-keyed one now PASSED and updated
    assert_eq!(again.code, 0);
    let second = stored(&bench);
    assert_eq!(second.len(), 102, "a re-import must not duplicate");
    assert_eq!(second[&rekeyed].status.as_deref(), Some("PASSED"));
    assert!(second[&rekeyed].updated_at > first[&rekeyed].updated_at);
    assert_eq!(second[&rekeyed].severity.as_deref(), Some("INFORMATIONAL"));
}

#[tokio::test]
async fn a_failed_finding_is_resent_and_what_keeps_failing_is_reported() {
    // GIVEN Security Hub enabled, three secrets, and Security Hub failing one finding twice
    let bench = Bench::start().await.unwrap();
    enable(&bench).await;
    let flaky = bench.secret("flaky", None).await;
    bench.secret("steady-1", None).await;
    bench.secret("steady-2", None).await;
    let flaky_id = id_of(&flaky.arn);
    let failing = |times: u32| json!({"failed_findings": {"ids": [flaky_id], "times": times}});
    bench.emulator.set_faults(failing(2)).await.unwrap();
    let before = security_hub_requests(&bench).await;

    // WHEN audited with --security-hub
    let run = bench
        .run(&["audit", "--security-hub", "--format", "json"])
        .await;

    // THEN it is resent until taken: three calls, all imported, exit 0
    assert_eq!(run.code, 0);
    run.assert_stderr_has("3 finding(s) imported, 0 failed (3 BatchImportFindings call(s))");
    assert_eq!(security_hub_requests(&bench).await - before, 3);
    assert_eq!(stored(&bench).len(), 3);

    // WHEN Security Hub keeps failing it past the resends
    bench.emulator.set_faults(failing(10)).await.unwrap();
    let run = bench
        .run(&["audit", "--security-hub", "--format", "json"])
        .await;

    // THEN the audit is still written, the finding is reported by Id with Security Hub's
    // code and message, and the exit is 2
    assert_eq!(run.code, 2);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    run.assert_stderr_has("2 finding(s) imported, 1 failed (4 BatchImportFindings call(s))");
    run.assert_stderr_has(&format!(
        "{DEFAULT_ACCOUNT} {DEFAULT_REGION} {flaky_id}: InternalException"
    ));
    run.assert_stderr_has("1 finding(s) were not imported into Security Hub");
}

#[tokio::test]
async fn security_hub_not_enabled_is_exit_2_naming_the_error() {
    // GIVEN Security Hub not enabled, and one secret
    let bench = Bench::start().await.unwrap();
    bench.secret("db", None).await;

    // WHEN audited with --security-hub
    let run = bench
        .run(&["audit", "--security-hub", "--format", "json"])
        .await;

    // THEN the audit is written, the finding reported with AWS's error, exit 2
    assert_eq!(run.code, 2);
    assert_eq!(run.json().as_array().unwrap().len(), 1);
    run.assert_stderr_has("InvalidAccessException");
    run.assert_stderr_has("not subscribed to AWS Security Hub");
    run.assert_stderr_has("0 finding(s) imported, 1 failed");
}
