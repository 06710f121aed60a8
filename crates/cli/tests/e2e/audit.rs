//! `secrets-cmk audit`: every format, the exit codes, several Regions, and a secret that
//! cannot be verified.

use crate::support::Bench;
use secrets_cmk_harness::seed::{self, NewSecret};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// compliance and row by secret name, from the JSON output.
fn by_name(rows: &Value) -> BTreeMap<String, (Value, Value)> {
    rows.as_array()
        .expect("a JSON array")
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap().to_owned(),
                (row["compliance"].clone(), row["row"].clone()),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_format_reports_each_secret_by_the_rules_decision_table() {
    // GIVEN a secret on a CMK (by alias), one on the default key, one on a disabled CMK,
    // one exempt by tag, and one scheduled for deletion
    let bench = Bench::start().await.unwrap();
    let app = bench.cmk("alias/app").await;
    let off = bench.cmk("alias/off").await;
    seed::disable_key(&bench.kms(), &off.key_id).await.unwrap();
    let cmk = bench.secret("on-cmk", Some("alias/app")).await;
    bench.secret("on-default", None).await;
    bench.secret("on-disabled", Some(&off.arn)).await;
    seed::create_secret(
        &bench.sm(),
        &NewSecret::named("exempt").with_tag("cmk-exempt", "ticket-1"),
    )
    .await
    .unwrap();
    let old = bench.secret("going", None).await;
    seed::schedule_secret_deletion(&bench.sm(), &old.arn, 7)
        .await
        .unwrap();
    let audit = ["audit", "--exemption-tag-key", "cmk-exempt"];

    // WHEN audited as JSON
    let run = bench
        .run(&[&audit[..], &["--format", "json"]].concat())
        .await;

    // THEN each secret has the rule's verdict and row, exit 0, counts on stderr
    assert_eq!(run.code, 0);
    let rows = run.json();
    assert_eq!(
        by_name(&rows),
        BTreeMap::from([
            ("on-cmk".to_owned(), (json!("COMPLIANT"), json!("12"))),
            (
                "on-default".to_owned(),
                (json!("NON_COMPLIANT"), json!("4"))
            ),
            (
                "on-disabled".to_owned(),
                (json!("NON_COMPLIANT"), json!("8"))
            ),
            ("exempt".to_owned(), (json!("NOT_APPLICABLE"), json!("3"))),
            ("going".to_owned(), (json!("NOT_APPLICABLE"), json!("2"))),
        ])
    );
    let on_cmk = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "on-cmk")
        .unwrap();
    assert_eq!(on_cmk["arn"], cmk.arn.as_str());
    assert_eq!(on_cmk["account"], "123456789012");
    assert_eq!(on_cmk["region"], "us-east-1");
    assert_eq!(on_cmk["kms_key_id"], "alias/app");
    assert_eq!(on_cmk["owning_service"], Value::Null);
    assert!(
        on_cmk["reason"].as_str().unwrap().contains(&app.arn),
        "the reason names the key"
    );
    let on_default = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "on-default")
        .unwrap();
    assert_eq!(
        on_default["kms_key_id"],
        Value::Null,
        "null is the default key"
    );
    let summary =
        "5 secrets in 1 Region: 1 COMPLIANT, 2 NON_COMPLIANT, 2 NOT_APPLICABLE, 0 unverified";
    run.assert_stderr_has(summary);

    // WHEN audited as CSV
    let run = bench
        .run(&[&audit[..], &["--format", "csv"]].concat())
        .await;

    // THEN the same columns and verdicts, under a header
    assert_eq!(run.code, 0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "arn",
            "name",
            "account",
            "region",
            "kms_key_id",
            "compliance",
            "row",
            "owning_service",
            "reason"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 5);
    let disabled = records.iter().find(|r| &r[1] == "on-disabled").unwrap();
    assert_eq!(
        (&disabled[4], &disabled[5], &disabled[6]),
        (off.arn.as_str(), "NON_COMPLIANT", "8")
    );
    let default = records.iter().find(|r| &r[1] == "on-default").unwrap();
    assert_eq!(&default[4], "", "the default key is an empty field");
    run.assert_stderr_has(summary);

    // WHEN audited as a table (stdout is a pipe here)
    let run = bench.run(&audit).await;

    // THEN the summary comes first, then only the two findings, one line each, plain
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..5],
        [
            summary,
            "Findings by cause:",
            "  default key: 1",
            "  key not Enabled: 1",
            ""
        ],
        "{}",
        run.stdout
    );
    assert!(lines[5].starts_with("| COMPLIANCE "), "{}", run.stdout);
    let findings: Vec<(&str, &str)> = lines[7..9].iter().map(|l| cells(l)).collect();
    assert_eq!(
        findings,
        [
            ("NON_COMPLIANT", "on-default"),
            ("NON_COMPLIANT", "on-disabled")
        ]
    );
    run.assert_stdout_has(&format!("| key not Enabled: {} |", off.arn));
    assert_eq!(
        lines[9..],
        ["3 COMPLIANT or NOT_APPLICABLE not listed (--show all lists them)."]
    );
    assert!(!run.stdout.contains('\x1b'), "no colour on a pipe");
    assert!(
        !run.stdout.contains(&app.arn),
        "the annotation stays out of the table"
    );

    // WHEN every secret is listed
    let run = bench.run(&[&audit[..], &["--show", "all"]].concat()).await;

    // THEN the findings first, then NOT_APPLICABLE and COMPLIANT, the columns aligned
    let table: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with('|')).collect();
    let listed: Vec<(&str, &str)> = table[2..].iter().map(|l| cells(l)).collect();
    assert_eq!(
        listed,
        [
            ("NON_COMPLIANT", "on-default"),
            ("NON_COMPLIANT", "on-disabled"),
            ("NOT_APPLICABLE", "exempt"),
            ("NOT_APPLICABLE", "going"),
            ("COMPLIANT", "on-cmk"),
        ]
    );
    let width = table[0].len();
    assert!(
        table.iter().all(|line| line.len() == width),
        "columns are aligned"
    );

    // WHEN shown with details
    let run = bench
        .run(&[&audit[..], &["--show", "details"]].concat())
        .await;

    // THEN each secret has its full reason and, for a finding, its fix
    run.assert_stdout_has("    cause   key not Enabled (row 8)\n");
    run.assert_stdout_has(&app.arn);
    run.assert_stdout_has(&format!(
        "$ secrets-cmk --region us-east-1 remediate --secret {} --kms-key-id KEY",
        on_default["arn"].as_str().unwrap()
    ));
}

/// Verdict and name of a table line.
fn cells(line: &str) -> (&str, &str) {
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    (cells[1], cells[3])
}

#[tokio::test]
async fn piped_table_output_is_never_cut_to_a_width() {
    // GIVEN a secret whose name is far longer than any terminal
    let bench = Bench::start().await.unwrap();
    let long = format!(
        "prod/{}/database-credentials",
        "payments-service".repeat(12)
    );
    bench.secret(&long, None).await;

    // WHEN audited to a pipe, even with COLUMNS set
    let run = bench
        .run_with_env(
            &["audit"],
            &[("AWS_REGION", "us-east-1"), ("COLUMNS", "80")],
        )
        .await;

    // THEN the name stands whole on one line, without an ellipsis or colour
    assert_eq!(run.code, 0);
    run.assert_stdout_has(&format!("| {long} |"));
    assert!(!run.stdout.contains('…') && !run.stdout.contains('\x1b'));
}

#[tokio::test]
async fn the_html_report_is_one_file_where_planted_markup_is_only_text() {
    // GIVEN a secret whose name is markup (the emulator accepts what AWS would refuse)
    // and an exempt one whose tag value is a script
    let bench = Bench::start().await.unwrap();
    let name = "<img src=x onerror=alert(1)>db";
    let tag = "</script><script>alert(2)</script>";
    bench.secret(name, None).await;
    seed::create_secret(
        &bench.sm(),
        &NewSecret::named("exempt").with_tag("cmk-exempt", tag),
    )
    .await
    .unwrap();
    let report = bench.path("report.html");

    // WHEN audited as HTML
    let run = bench
        .run(&[
            "audit",
            "--exemption-tag-key",
            "cmk-exempt",
            "--format",
            "html",
            "--output",
            report.to_str().unwrap(),
        ])
        .await;

    // THEN exit 0, nothing on stdout, the counts and the file's name on stderr
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
    run.assert_stderr_has("2 secrets in 1 Region: 0 COMPLIANT, 1 NON_COMPLIANT");
    run.assert_stderr_has(&format!("wrote the HTML report to {}", report.display()));
    // AND the page's only tags are its own: two scripts, no image, nothing fetched
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(
        !page.contains("https:") && !page.contains("http:"),
        "no fetches"
    );
    // AND the data for the script holds the name and the tag exactly, escaped
    let start = page.find("id=\"report-data\">").unwrap() + "id=\"report-data\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&page[start..end]).unwrap();
    let findings = data["findings"].as_array().unwrap();
    assert_eq!(findings[0]["name"], name);
    assert_eq!(findings[0]["cause"], "default key");
    assert!(
        findings[1]["reason"].as_str().unwrap().contains(tag),
        "{}",
        findings[1]
    );
    // AND the parameters are in the page
    assert!(
        page.contains("<dt>exemptionTagKey</dt><dd>cmk-exempt</dd>"),
        "{page}"
    );
}

#[tokio::test]
async fn html_needs_an_output_file_it_can_write() {
    let bench = Bench::start().await.unwrap();
    bench.secret("on-default", None).await;

    // GIVEN/WHEN html without --output / THEN a usage error naming the flag
    let run = bench.run(&["audit", "--format", "html"]).await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has("--output <FILE>");

    // GIVEN/WHEN a file in a directory that does not exist / THEN exit 2 naming it
    let missing = bench.path("no-such-dir/report.html");
    let run = bench
        .run(&[
            "audit",
            "--format",
            "html",
            "--output",
            missing.to_str().unwrap(),
        ])
        .await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has(&format!("cannot write --output {}", missing.display()));
}

#[tokio::test]
async fn fail_on_noncompliant_exits_1_only_when_a_secret_is_non_compliant() {
    // GIVEN only a compliant secret
    let bench = Bench::start().await.unwrap();
    bench.cmk("alias/app").await;
    bench.secret("on-cmk", Some("alias/app")).await;

    // WHEN audited with --fail-on-noncompliant / THEN exit 0
    let run = bench.run(&["audit", "--fail-on-noncompliant"]).await;
    assert_eq!(run.code, 0);

    // GIVEN a secret on the default key too
    bench.secret("on-default", None).await;

    // WHEN audited with and without the flag
    let failing = bench
        .run(&["audit", "--fail-on-noncompliant", "--format", "json"])
        .await;
    let plain = bench.run(&["audit", "--format", "json"]).await;

    // THEN 1 with it (the results are still written), 0 without
    assert_eq!(failing.code, 1);
    assert_eq!(failing.json().as_array().unwrap().len(), 2);
    failing.assert_stderr_has("1 NON_COMPLIANT secret(s) found");
    assert_eq!(plain.code, 0);
}

#[tokio::test]
async fn bad_input_exits_2_with_a_message_that_says_what() {
    let bench = Bench::start().await.unwrap();
    bench.secret("on-default", None).await;

    // GIVEN/WHEN a boolean parameter that is not a boolean
    let run = bench.run(&["audit", "--check-replicas", "maybe"]).await;
    // THEN exit 2, the rule's own message naming the flag, nothing on stdout, no call made
    assert_eq!(run.code, 2);
    run.assert_stderr_has(
        "invalid --check-replicas: rule parameter \"checkReplicas\" must be \"true\" or \"false\"",
    );
    assert_eq!(run.stdout, "");
    assert_eq!(
        bench.emulator.request_count("ListSecrets").await.unwrap(),
        0
    );

    // GIVEN/WHEN an approved key that is an AWS managed alias
    let run = bench
        .run(&["audit", "--kms-key-arns", "alias/aws/secretsmanager"])
        .await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has("invalid --kms-key-arns");

    // GIVEN/WHEN an unknown format
    let run = bench.run(&["audit", "--format", "yaml"]).await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has("possible values: table, json, csv, html");

    // GIVEN/WHEN no Region anywhere
    let run = bench.run_with_env(&["audit"], &[]).await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has("no AWS Region");

    // AND the message is a sentence, not a Rust debug dump
    let run = bench.run(&["audit", "--check-replicas", "x"]).await;
    assert!(
        run.stderr
            .starts_with("secrets-cmk: error: invalid --check-replicas")
    );
    assert!(
        !run.stderr.contains(" { ") && !run.stderr.contains("Error {"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn several_regions_are_audited_one_after_the_other_and_concatenated() {
    // GIVEN a secret in us-east-1 and one in eu-west-1
    let bench = Bench::start().await.unwrap();
    bench.secret("east", None).await;
    seed::create_secret(
        &bench.emulator.secretsmanager("eu-west-1"),
        &NewSecret::named("west"),
    )
    .await
    .unwrap();

    // WHEN both Regions are audited (one --region before the command, one after)
    let run = bench
        .run(&[
            "--region",
            "us-east-1",
            "audit",
            "--region",
            "eu-west-1",
            "--format",
            "json",
        ])
        .await;

    // THEN both secrets are reported, each with its Region, in the order given
    assert_eq!(run.code, 0);
    let rows = run.json();
    let found: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["region"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("east", "us-east-1"), ("west", "eu-west-1")]);
    run.assert_stderr_has("2 secrets in 2 Regions");
}

#[tokio::test]
async fn a_secret_that_cannot_be_verified_has_no_compliance_and_exits_2() {
    // GIVEN a secret whose key DescribeKey refuses in its own account, and a default-key one
    let bench = Bench::start().await.unwrap();
    bench.cmk("alias/app").await;
    bench.secret("hidden", Some("alias/app")).await;
    bench.secret("on-default", None).await;
    bench
        .emulator
        .set_faults(json!({"rules": [
            {"service": "kms", "operation": "DescribeKey", "kind": "access_denied", "match": "alias/app"}
        ]}))
        .await
        .unwrap();

    // WHEN audited as JSON, even with --fail-on-noncompliant
    let run = bench
        .run(&["audit", "--format", "json", "--fail-on-noncompliant"])
        .await;

    // THEN the secret is reported with a null compliance and the reason, never a guess;
    // the other is still reported; the summary counts it; exit 2 wins over 1
    assert_eq!(run.code, 2);
    let rows = run.json();
    let hidden = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "hidden")
        .unwrap();
    assert_eq!(hidden["compliance"], Value::Null);
    assert_eq!(hidden["row"], Value::Null);
    assert!(
        hidden["reason"]
            .as_str()
            .unwrap()
            .starts_with("not verified"),
        "{hidden}"
    );
    let other = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "on-default")
        .unwrap();
    assert_eq!(other["compliance"], "NON_COMPLIANT");
    run.assert_stderr_has("1 unverified");
    run.assert_stderr_has("1 secret(s) could not be verified");

    // AND the table says so in words
    let table = bench.run(&["audit"]).await;
    assert_eq!(table.code, 2);
    table.assert_stdout_has("| (unverified) ");
}
