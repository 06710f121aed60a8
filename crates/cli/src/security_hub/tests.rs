//! The importer's grouping, batching, resends and report, over a scripted fake.

use super::*;
use crate::output::asff::{AsffRun, AsffSubject, findings};
use rule_core::{Compliance, Row};
use secrets_cmk_aws::FailureKind;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

const ACCOUNT: &str = "111122223333";
const OTHER: &str = "444455556666";

/// Answers each call with the next scripted answer (or takes everything), recording the
/// Ids of every call.
#[derive(Clone, Default)]
struct Fake {
    answers: Arc<Mutex<VecDeque<Answer>>>,
    sent: Arc<Mutex<Vec<Vec<String>>>>,
}

enum Answer {
    Reject(Vec<(&'static str, &'static str)>),
    Fail(&'static str),
}

impl Fake {
    fn scripted(answers: Vec<Answer>) -> Fake {
        Fake {
            answers: Arc::new(Mutex::new(answers.into())),
            ..Fake::default()
        }
    }

    fn sent(&self) -> Vec<Vec<String>> {
        self.sent.lock().unwrap().clone()
    }
}

impl FindingImporter for Fake {
    async fn batch_import(&self, batch: &[AsffFinding]) -> Result<Vec<Rejected>, AwsError> {
        let ids: Vec<String> = batch.iter().map(|f| f.id.clone()).collect();
        self.sent.lock().unwrap().push(ids.clone());
        match self.answers.lock().unwrap().pop_front() {
            None => Ok(vec![]),
            Some(Answer::Reject(rejected)) => Ok(rejected
                .into_iter()
                .map(|(suffix, code)| Rejected {
                    id: ids.iter().find(|id| id.ends_with(suffix)).unwrap().clone(),
                    code: code.to_owned(),
                    message: format!("{code} (scripted)"),
                })
                .collect()),
            Some(Answer::Fail(code)) => Err(AwsError {
                operation: BATCH_IMPORT_FINDINGS,
                kind: FailureKind::AccessDenied,
                code: code.to_owned(),
                message: "not authorized (scripted)".to_owned(),
                source: None,
            }),
        }
    }
}

fn made(account: &str, region: &str, names: &[String]) -> Vec<AsffFinding> {
    let arns: Vec<String> = names
        .iter()
        .map(|name| format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}"))
        .collect();
    let subjects: Vec<AsffSubject<'_>> = arns
        .iter()
        .map(|arn| AsffSubject {
            account,
            region,
            secret_arn: arn,
            secret_name: None,
            compliance: Some(Compliance::NonCompliant),
            row: Some(Row::DefaultKey),
            reason: "uses the default key",
            observed_at: None,
            rule: None,
            kms_key_id: None,
        })
        .collect();
    findings(
        &subjects,
        &AsffRun {
            generated_at: "2026-12-01T10:00:00.000Z".into(),
            generator_id: "g".into(),
        },
    )
}

fn named(count: usize) -> Vec<String> {
    (0..count).map(|n| format!("s{n:03}")).collect()
}

fn group(fake: &Fake, findings: Vec<AsffFinding>) -> Vec<(String, String, Fake, Vec<AsffFinding>)> {
    vec![(ACCOUNT.into(), "us-east-1".into(), fake.clone(), findings)]
}

#[tokio::test(start_paused = true)]
async fn findings_go_100_a_call_and_all_count_as_imported() {
    // GIVEN 250 findings of one account and Region, and a Security Hub that takes all
    let fake = Fake::default();
    // WHEN imported
    let report = import_with(
        group(&fake, made(ACCOUNT, "us-east-1", &named(250))),
        &Progress::hidden(),
    )
    .await;
    // THEN three calls of 100, 100 and 50 carry every finding once
    let sizes: Vec<usize> = fake.sent().iter().map(Vec::len).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(
        (report.imported, report.failed.len(), report.calls),
        (250, 0, 3)
    );
    assert!(
        report.line().contains("250 finding(s) imported, 0 failed"),
        "{}",
        report.line()
    );
}

#[tokio::test(start_paused = true)]
async fn failed_findings_are_resent_until_taken() {
    // GIVEN a Security Hub that refuses s001 twice with a transient error
    let fake = Fake::scripted(vec![
        Answer::Reject(vec![("s001", "InternalException")]),
        Answer::Reject(vec![("s001", "InternalException")]),
    ]);
    let started = tokio::time::Instant::now();
    // WHEN three findings are imported
    let report = import_with(
        group(&fake, made(ACCOUNT, "us-east-1", &named(3))),
        &Progress::hidden(),
    )
    .await;
    // THEN only s001 is sent again, twice, with growing pauses, and all three are imported
    let sent = fake.sent();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[1], sent[2]);
    assert!(
        sent[1].len() == 1 && sent[1][0].ends_with("s001"),
        "{sent:?}"
    );
    assert_eq!(
        (report.imported, report.failed.len(), report.calls),
        (3, 0, 3)
    );
    assert_eq!(started.elapsed(), RESEND_PAUSE * 3, "0.5 s then 1 s");
}

#[tokio::test(start_paused = true)]
async fn what_keeps_failing_is_reported_by_id_after_bounded_resends() {
    // GIVEN a Security Hub that always refuses s000 transiently, and s002 as malformed
    let always = || Answer::Reject(vec![("s000", "InternalException")]);
    let fake = Fake::scripted(vec![
        Answer::Reject(vec![("s000", "InternalException"), ("s002", INVALID_INPUT)]),
        always(),
        always(),
        always(),
        always(),
    ]);
    // WHEN imported
    let report = import_with(
        group(&fake, made(ACCOUNT, "us-east-1", &named(3))),
        &Progress::hidden(),
    )
    .await;
    // THEN s000 is sent 1 + FAILED_FINDING_RESENDS times, s002 never again; both are
    // reported with Security Hub's code, s001 is imported
    assert_eq!(fake.sent().len(), 1 + FAILED_FINDING_RESENDS as usize);
    assert_eq!(report.imported, 1);
    let failed: Vec<(&str, &str)> = report
        .failed
        .iter()
        .map(|f| (f.id.rsplit(':').next().unwrap(), f.code.as_str()))
        .collect();
    assert_eq!(
        failed,
        [("s000", "InternalException"), ("s002", INVALID_INPUT)]
    );
    let lines = report.failure_lines();
    assert!(
        lines[0].contains(ACCOUNT) && lines[0].contains("us-east-1"),
        "{lines:?}"
    );
    assert!(lines[1].contains("InvalidInput (scripted)"), "{lines:?}");
}

#[tokio::test(start_paused = true)]
async fn a_call_refused_whole_fails_its_batch_only() {
    // GIVEN 150 findings and a first call refused whole (access denied)
    let fake = Fake::scripted(vec![Answer::Fail("AccessDeniedException")]);
    // WHEN imported
    let report = import_with(
        group(&fake, made(ACCOUNT, "us-east-1", &named(150))),
        &Progress::hidden(),
    )
    .await;
    // THEN the first 100 are failed with the call's error, not resent; the next 50 go in
    assert_eq!(fake.sent().len(), 2);
    assert_eq!((report.imported, report.failed.len()), (50, 100));
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.code == "AccessDeniedException")
    );
}

#[tokio::test(start_paused = true)]
async fn a_finding_of_another_account_or_region_is_never_sent() {
    // GIVEN a group of 111122223333 in us-east-1 holding findings of another account and
    // of another Region
    let mut findings = made(ACCOUNT, "us-east-1", &named(1));
    findings.extend(made(OTHER, "us-east-1", &named(1)));
    findings.extend(made(ACCOUNT, "eu-west-1", &named(1)));
    let fake = Fake::default();
    // WHEN imported
    let report = import_with(group(&fake, findings), &Progress::hidden()).await;
    // THEN only the group's own finding is sent; the others are reported, naming why
    assert_eq!(fake.sent().iter().map(Vec::len).collect::<Vec<_>>(), [1]);
    assert_eq!(report.imported, 1);
    assert_eq!(report.failed.len(), 2);
    assert!(report.failed.iter().all(|f| f.code == "WrongGroup"));
    assert!(
        report.failed[1].message.contains(OTHER),
        "{:?}",
        report.failed
    );
}

#[test]
fn findings_group_by_account_and_product_region() {
    let mut findings = made(ACCOUNT, "us-east-1", &named(2));
    findings.extend(made(OTHER, "us-east-1", &named(1)));
    findings.extend(made(ACCOUNT, "eu-west-1", &named(3)));
    let groups = by_account_and_region(findings);
    let sizes: Vec<(&str, &str, usize)> = groups
        .iter()
        .map(|((account, region), findings)| (account.as_str(), region.as_str(), findings.len()))
        .collect();
    assert_eq!(
        sizes,
        [
            (ACCOUNT, "eu-west-1", 3),
            (ACCOUNT, "us-east-1", 2),
            (OTHER, "us-east-1", 1)
        ]
    );
}

#[test]
fn batches_also_stop_at_the_request_size() {
    // GIVEN findings of about 100 KB each (a long reason is cut to 1 KB, so the size is
    // put in a product field)
    let mut findings = made(ACCOUNT, "us-east-1", &named(120));
    for finding in &mut findings {
        for n in 0..50 {
            finding
                .product_fields
                .insert(format!("pad/{n}"), "x".repeat(2048));
        }
    }
    let size = json_size(&findings[0]);
    // WHEN batched
    let sizes: Vec<usize> = batches(findings).iter().map(Vec::len).collect();
    // THEN no batch passes 6 MB, and every finding is in one
    let per_batch = MAX_BATCH_BYTES / (size + 1);
    assert!(per_batch < MAX_FINDINGS_PER_CALL, "{size}");
    assert!(sizes.iter().all(|n| *n <= per_batch), "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), 120);
}

#[test]
fn the_sdk_finding_carries_every_field() {
    let ours = &made(ACCOUNT, "us-east-1", &named(1))[0];
    let sdk = to_sdk(ours);
    assert_eq!(sdk.schema_version(), Some("2018-10-08"));
    assert_eq!(sdk.id(), Some(ours.id.as_str()));
    assert_eq!(sdk.product_arn(), Some(ours.product_arn.as_str()));
    assert_eq!(sdk.aws_account_id(), Some(ACCOUNT));
    assert_eq!(sdk.types(), ours.types.as_slice());
    assert_eq!(
        sdk.severity().and_then(|s| s.label()).map(|l| l.as_str()),
        Some("MEDIUM")
    );
    assert_eq!(
        sdk.compliance()
            .and_then(|c| c.status())
            .map(|s| s.as_str()),
        Some("FAILED")
    );
    let resource = &sdk.resources()[0];
    assert_eq!(resource.r#type(), Some("AwsSecretsManagerSecret"));
    assert_eq!(resource.partition().map(|p| p.as_str()), Some("aws"));
    assert_eq!(
        sdk.finding_provider_fields()
            .and_then(|f| f.severity())
            .and_then(|s| s.label())
            .map(|l| l.as_str()),
        Some("MEDIUM")
    );
    assert_eq!(
        sdk.product_fields().map(|f| f.len()),
        Some(ours.product_fields.len())
    );
    assert!(
        sdk.remediation()
            .and_then(|r| r.recommendation())
            .and_then(|r| r.text())
            .is_some()
    );
}
