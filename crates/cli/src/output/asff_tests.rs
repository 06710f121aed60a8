//! Unit tests of the ASFF findings, field by field, against botocore's
//! `AwsSecurityFinding` (required members, enums, length limits).

use super::*;
use rule_core::{Compliance, Row};
use serde_json::Value;

const ACCOUNT: &str = "111122223333";
const ARN: &str = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf";

/// The members the model requires, and the two ASFF needs one of (Severity, Types; or
/// FindingProviderFields).
const REQUIRED: [&str; 12] = [
    "SchemaVersion",
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "CreatedAt",
    "UpdatedAt",
    "Title",
    "Description",
    "Resources",
    "Severity",
    "Types",
];

fn subject(compliance: Option<Compliance>, row: Option<Row>) -> AsffSubject<'static> {
    AsffSubject {
        account: ACCOUNT,
        region: "eu-west-1",
        secret_arn: ARN,
        secret_name: Some("db"),
        compliance,
        row,
        reason: "uses the default key aws/secretsmanager",
        observed_at: None,
        rule: None,
        kms_key_id: None,
    }
}

fn run() -> AsffRun {
    AsffRun {
        generated_at: "2026-12-01T10:00:00.000Z".into(),
        generator_id: DEFAULT_GENERATOR_ID.into(),
    }
}

fn json(subject: AsffSubject<'_>) -> Value {
    let text = render_asff(&[subject], &run()).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    value[0].clone()
}

#[test]
fn a_finding_has_every_required_field_with_the_documented_values() {
    // GIVEN a secret on the default key
    // WHEN written as ASFF
    let finding = json(subject(
        Some(Compliance::NonCompliant),
        Some(Row::DefaultKey),
    ));
    // THEN every required member is there, with the values the format asks for
    for member in REQUIRED {
        assert!(finding.get(member).is_some(), "{member} missing: {finding}");
    }
    assert_eq!(finding["SchemaVersion"], "2018-10-08");
    assert_eq!(finding["Id"], format!("{DEFAULT_GENERATOR_ID}/{ARN}"));
    assert_eq!(
        finding["ProductArn"],
        "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"
    );
    assert_eq!(finding["GeneratorId"], DEFAULT_GENERATOR_ID);
    assert_eq!(finding["AwsAccountId"], ACCOUNT);
    assert_eq!(finding["Types"], serde_json::json!([FINDING_TYPE]));
    assert_eq!(finding["CreatedAt"], "2026-12-01T10:00:00.000Z");
    assert_eq!(finding["UpdatedAt"], "2026-12-01T10:00:00.000Z");
    assert_eq!(finding["LastObservedAt"], "2026-12-01T10:00:00.000Z");
    assert_eq!(finding["Severity"]["Label"], "MEDIUM");
    assert_eq!(finding["Severity"]["Original"], "row 4");
    assert_eq!(
        finding["Title"],
        "Secret db fails the customer managed KMS key check: default key"
    );
    assert_eq!(
        finding["Description"],
        "uses the default key aws/secretsmanager"
    );
    assert_eq!(
        finding["Compliance"],
        serde_json::json!({"Status": "FAILED"})
    );
    assert_eq!(finding["RecordState"], "ACTIVE");
    assert_eq!(
        finding["FindingProviderFields"],
        serde_json::json!({"Severity": {"Label": "MEDIUM", "Original": "row 4"}, "Types": [FINDING_TYPE]})
    );
}

#[test]
fn resources_hold_the_secret_only() {
    // GIVEN a secret with a stored key
    let mut keyed = subject(Some(Compliance::Compliant), Some(Row::Compliant));
    keyed.kms_key_id = Some("alias/app");
    // WHEN written as ASFF
    let finding = json(keyed);
    // THEN Resources is the secret: its type, ARN, partition, Region, name and key
    assert_eq!(
        finding["Resources"],
        serde_json::json!([{
            "Type": "AwsSecretsManagerSecret",
            "Id": ARN,
            "Partition": "aws",
            "Region": "eu-west-1",
            "Details": {"AwsSecretsManagerSecret": {"Name": "db", "KmsKeyId": "alias/app"}},
        }])
    );
    // AND the default key is no KmsKeyId at all (the model wants no empty strings)
    let default = json(subject(
        Some(Compliance::NonCompliant),
        Some(Row::DefaultKey),
    ));
    assert_eq!(
        default["Resources"][0]["Details"]["AwsSecretsManagerSecret"],
        serde_json::json!({"Name": "db"})
    );
}

#[test]
fn compliance_status_per_verdict() {
    for (compliance, row, status) in [
        (Some(Compliance::Compliant), Some(Row::Compliant), "PASSED"),
        (
            Some(Compliance::Compliant),
            Some(Row::CrossAccountUnverified),
            "PASSED",
        ),
        (
            Some(Compliance::NonCompliant),
            Some(Row::KeyNotFound),
            "FAILED",
        ),
        (
            Some(Compliance::NotApplicable),
            Some(Row::Exempt),
            "NOT_AVAILABLE",
        ),
        (
            Some(Compliance::NotApplicable),
            Some(Row::ScheduledForDeletion),
            "NOT_AVAILABLE",
        ),
        (None, None, "NOT_AVAILABLE"),
    ] {
        let finding = json(subject(compliance, row));
        assert_eq!(
            finding["Compliance"]["Status"], status,
            "{compliance:?} {row:?}"
        );
    }
}

#[test]
fn severity_per_row_follows_the_documented_table() {
    // GIVEN every row with its own verdict, and the unverified case
    let expected = |row: Row| match row {
        Row::UntrustedKeyAccount | Row::KeyNotFound | Row::KeyNotEnabled => "HIGH",
        Row::DefaultKey
        | Row::AwsManagedAlias
        | Row::AwsManagedKey
        | Row::KeyInAnotherRegion
        | Row::NotApproved
        | Row::ReplicaFails => "MEDIUM",
        Row::Gone
        | Row::ScheduledForDeletion
        | Row::Exempt
        | Row::CrossAccountUnverified
        | Row::Compliant => "INFORMATIONAL",
    };
    for row in Row::ALL {
        // WHEN written as ASFF
        let finding = json(subject(Some(row.compliance()), Some(row)));
        // THEN the label is the table's, in both places Security Hub reads it
        assert_eq!(finding["Severity"]["Label"], expected(row), "{row:?}");
        assert_eq!(
            finding["FindingProviderFields"]["Severity"]["Label"],
            expected(row),
            "{row:?}"
        );
        assert_eq!(
            finding["Severity"]["Original"],
            format!("row {}", row.number())
        );
    }
    let unverified = json(subject(None, None));
    assert_eq!(unverified["Severity"]["Label"], "LOW");
    assert_eq!(unverified["Severity"]["Original"], "unverified");
    // AND a verdict without its row (a report) is judged by the verdict alone
    assert_eq!(
        severity(Some(Compliance::NonCompliant), None),
        SeverityLabel::Medium
    );
    assert_eq!(
        severity(Some(Compliance::Compliant), Some(Row::KeyNotFound)),
        SeverityLabel::Informational,
        "a PASSED finding is never more"
    );
}

#[test]
fn the_id_depends_on_the_generator_and_the_secret_only() {
    // GIVEN the same secret found compliant in one run and not in a later one
    let earlier = findings(
        &[subject(Some(Compliance::Compliant), Some(Row::Compliant))],
        &run(),
    );
    let later_run = AsffRun {
        generated_at: "2026-12-02T09:00:00.000Z".into(),
        ..run()
    };
    let later = findings(
        &[subject(
            Some(Compliance::NonCompliant),
            Some(Row::KeyNotEnabled),
        )],
        &later_run,
    );
    // THEN both findings have the same Id (a re-import updates it)
    assert_eq!(earlier[0].id, later[0].id);
    // AND another secret or another generator is another finding
    let mut other = subject(None, None);
    other.secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-XyZ123";
    assert_ne!(findings(&[other], &run())[0].id, earlier[0].id);
    assert_ne!(finding_id("report", ARN), finding_id("audit", ARN));
}

#[test]
fn a_long_id_is_hashed_and_stays_stable_and_within_512_bytes() {
    // GIVEN a secret with a 512-character name
    let long_arn = format!(
        "arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:{}-AbCdEf",
        "n".repeat(512)
    );
    // WHEN its Id is made twice
    let id = finding_id(DEFAULT_GENERATOR_ID, &long_arn);
    // THEN it fits, is the same each time, and differs from a near neighbour's
    assert!(id.len() <= 512, "{}", id.len());
    assert!(
        id.starts_with(&format!("{DEFAULT_GENERATOR_ID}/sha256:")),
        "{id}"
    );
    assert_eq!(id, finding_id(DEFAULT_GENERATOR_ID, &long_arn));
    assert_ne!(
        id,
        finding_id(DEFAULT_GENERATOR_ID, &format!("{long_arn}x"))
    );
    // AND a generator that alone passes the limit still gives an Id within it
    assert!(finding_id(&"g".repeat(600), ARN).len() <= 512);
}

#[test]
fn every_text_respects_its_limit_and_is_cut_on_a_character_boundary() {
    // GIVEN a name and a reason of multi-byte characters far past every limit
    let name = "ü".repeat(600);
    let reason = "é".repeat(3000);
    let long_arn = format!("arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:{name}");
    let mut long = subject(Some(Compliance::NonCompliant), Some(Row::DefaultKey));
    long.secret_name = Some(&name);
    long.reason = &reason;
    long.secret_arn = &long_arn;
    let run = AsffRun {
        generator_id: "g".repeat(700),
        ..run()
    };
    // WHEN written as ASFF (serde would fail on a broken character)
    let finding = &findings(&[long], &run)[0];
    // THEN each field is within the model's limit, and shortened text says so
    assert!(finding.id.len() <= 512);
    assert!(finding.generator_id.len() <= 512);
    assert!(finding.title.len() <= 256 && finding.title.ends_with('…'));
    assert!(finding.description.len() <= 1024 && finding.description.ends_with('…'));
    let text = &finding.remediation.as_ref().unwrap().recommendation.text;
    assert!(text.len() <= 512, "{}", text.len());
    assert!(
        !text.contains("Command:"),
        "a command cut short would be wrong: {text}"
    );
    assert!(finding.severity.original.len() <= 64);
    assert!(finding.product_fields.len() <= 50);
    for (key, value) in &finding.product_fields {
        assert!(key.len() <= 128 && value.len() <= 2048, "{key}");
        assert!(!value.trim().is_empty(), "{key}");
    }
    assert_eq!(truncate("abc", 3), "abc");
    assert_eq!(truncate("abcdef", 5), "ab…");
    assert_eq!(truncate("üüü", 5), "ü…");
    assert_eq!(truncate("üüü", 4), "…", "never half a character");
}

#[test]
fn the_partition_comes_from_the_arn_and_else_from_the_region() {
    assert_eq!(
        partition(
            "arn:aws-cn:secretsmanager:cn-north-1:1:secret:x",
            "cn-north-1"
        ),
        "aws-cn"
    );
    assert_eq!(
        partition(
            "arn:aws-us-gov:secretsmanager:us-gov-west-1:1:secret:x",
            "us-gov-west-1"
        ),
        "aws-us-gov"
    );
    assert_eq!(partition(ARN, "eu-west-1"), "aws");
    assert_eq!(partition("not an arn", "cn-northwest-1"), "aws-cn");
    assert_eq!(partition("", "us-gov-east-1"), "aws-us-gov");
    assert_eq!(partition("", "us-isob-east-1"), "aws-us-iso-b");
    assert_eq!(partition("", "eu-west-1"), "aws");
    // AND the ProductArn and the resource use it
    let mut gov = subject(None, None);
    gov.region = "us-gov-west-1";
    gov.secret_arn = "arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:x";
    let finding = json(gov);
    assert!(
        finding["ProductArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws-us-gov:securityhub:us-gov-west-1:")
    );
    assert_eq!(finding["Resources"][0]["Partition"], "aws-us-gov");
}

#[test]
fn remediation_is_the_audit_fix_and_only_where_there_is_something_to_do() {
    // GIVEN a re-keyable secret, an unverified one, a report row without its row, and a
    // compliant one
    let rekey = json(subject(
        Some(Compliance::NonCompliant),
        Some(Row::DefaultKey),
    ));
    let text = rekey["Remediation"]["Recommendation"]["Text"]
        .as_str()
        .unwrap();
    assert!(
        text.contains(&format!(
            "Command: secrets-cmk --region eu-west-1 remediate --secret {ARN} --kms-key-id KEY"
        )),
        "{text}"
    );
    let unverified = json(subject(None, None));
    assert!(
        unverified["Remediation"]["Recommendation"]["Text"]
            .as_str()
            .unwrap()
            .starts_with("Not verified")
    );
    let no_row = json(subject(Some(Compliance::NonCompliant), None));
    assert!(
        no_row["Remediation"]["Recommendation"]["Text"]
            .as_str()
            .unwrap()
            .contains("secrets-cmk audit --region eu-west-1")
    );
    assert_eq!(
        no_row["Title"],
        "Secret db fails the customer managed KMS key check: not a customer managed key"
    );
    // THEN a compliant or not-applicable secret has none
    for (compliance, row) in [
        (Compliance::Compliant, Row::Compliant),
        (Compliance::NotApplicable, Row::Exempt),
    ] {
        assert!(
            json(subject(Some(compliance), Some(row)))
                .get("Remediation")
                .is_none()
        );
    }
}

#[test]
fn product_fields_carry_the_row_and_the_report_facts() {
    // GIVEN a report's subject: a rule, a recorded time (with an offset), a key
    let mut reported = subject(
        Some(Compliance::NonCompliant),
        Some(Row::UntrustedKeyAccount),
    );
    reported.rule = Some("secrets-cmk-rule-abc");
    reported.observed_at = Some("2026-11-30T23:00:00+01:00");
    reported.kms_key_id = Some("arn:aws:kms:eu-west-1:999988887777:key/k");
    // WHEN written as ASFF
    let finding = json(reported);
    // THEN the product fields hold them, and LastObservedAt is the recorded time in UTC
    assert_eq!(
        finding["ProductFields"],
        serde_json::json!({
            "secrets-cmk/Row": "5a",
            "secrets-cmk/Cause": "key of an untrusted account",
            "secrets-cmk/Compliance": "NON_COMPLIANT",
            "secrets-cmk/Reason": "uses the default key aws/secretsmanager",
            "secrets-cmk/SecretName": "db",
            "secrets-cmk/KmsKeyId": "arn:aws:kms:eu-west-1:999988887777:key/k",
            "secrets-cmk/Rule": "secrets-cmk-rule-abc",
            "secrets-cmk/ObservedAt": "2026-11-30T23:00:00+01:00",
        })
    );
    assert_eq!(finding["LastObservedAt"], "2026-11-30T22:00:00.000Z");
    // AND a recorded time that is not RFC 3339 falls back to the run's time
    let mut odd = subject(None, None);
    odd.observed_at = Some("yesterday");
    assert_eq!(json(odd)["LastObservedAt"], "2026-12-01T10:00:00.000Z");
    // AND an unverified secret says so
    assert_eq!(
        json(subject(None, None))["ProductFields"]["secrets-cmk/Compliance"],
        "UNVERIFIED"
    );
}

#[test]
fn blank_inputs_never_give_blank_fields() {
    // GIVEN a subject with no name, a blank reason and a blank generator
    let mut blank = subject(Some(Compliance::NonCompliant), Some(Row::KeyNotEnabled));
    blank.secret_name = None;
    blank.reason = "  ";
    let run = AsffRun {
        generator_id: " ".into(),
        ..run()
    };
    // WHEN written as ASFF
    let finding = &findings(&[blank], &run)[0];
    // THEN the title names the ARN's secret part, the description the cause, and the
    // generator is the default
    assert_eq!(
        finding.title,
        "Secret db-AbCdEf fails the customer managed KMS key check: key not Enabled"
    );
    assert_eq!(finding.description, "key not Enabled");
    assert_eq!(finding.generator_id, DEFAULT_GENERATOR_ID);
    assert!(!finding.product_fields.contains_key("secrets-cmk/Reason"));
    assert_eq!(finding.severity.label, SeverityLabel::High);
}

#[test]
fn audit_rows_become_subjects_as_they_are() {
    // GIVEN the audit's sample rows
    let rows = crate::output::tests::sample();
    // WHEN made subjects and rendered
    let subjects: Vec<AsffSubject<'_>> = rows.iter().map(AsffSubject::from_audit_row).collect();
    let text = render_asff(&subjects, &run()).unwrap();
    // THEN one finding per row, each about its own secret and verdict
    let value: Value = serde_json::from_str(&text).unwrap();
    let statuses: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["Compliance"]["Status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["FAILED", "PASSED", "NOT_AVAILABLE"]);
    assert_eq!(subjects[1].kms_key_id, Some("alias/app"));
    assert_eq!(subjects[0].secret_arn, rows[0].arn);
    assert!(text.ends_with("]\n"));
    assert_eq!(render_asff(&[], &run()).unwrap(), "[]\n");
}
