//! The output formats: JSON with exactly the fields the issue names, SARIF 2.1.0 with the
//! fields its schema requires, and the table with its summary line.

use crate::support::run;
use serde_json::Value;

#[test]
fn json_findings_have_exactly_the_documented_fields() {
    // GIVEN the RDS template / WHEN checked as JSON
    let run = run(&["check-template", "--format", "json", "rds.json"]);
    let findings = run.json();
    // THEN every object has the six fields, typed as documented
    for finding in findings.as_array().unwrap() {
        let mut keys: Vec<&str> = finding
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "compliance",
                "line",
                "logical_id",
                "reason",
                "resource_type",
                "template"
            ]
        );
        assert!(finding["line"].as_u64().unwrap() >= 1);
        assert!(finding["compliance"].is_null() || finding["compliance"].is_string());
    }
    // AND the summary goes to stderr, so stdout is only data
    run.assert_stderr_has(
        "3 resources in 1 template: 1 COMPLIANT, 2 NON_COMPLIANT, 0 NOT_APPLICABLE, 0 unverified",
    );
}

/// Fails unless `value[key]` exists, naming the path.
#[track_caller]
fn required<'v>(value: &'v Value, key: &str, path: &str) -> &'v Value {
    value
        .get(key)
        .unwrap_or_else(|| panic!("SARIF {path}.{key} is required"))
}

#[test]
fn sarif_has_the_shape_sarif_2_1_0_requires() {
    // GIVEN templates with every kind of finding, and a refused file
    let run = run(&[
        "check-template",
        "--format",
        "sarif",
        "secrets.yaml",
        "rds.json",
        "hostile/unknown-tag.yaml",
    ]);
    assert_eq!(run.code, 2);
    let log = run.json();
    // THEN the log: version 2.1.0, the schema, runs (sarifLog requires version and runs)
    assert_eq!(required(&log, "version", "sarifLog"), "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = required(&log, "runs", "sarifLog").as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let sarif_run = &runs[0];
    // AND the tool: run.tool.driver.name required; one rule per decision-table row + unverified
    let driver = required(required(sarif_run, "tool", "run"), "driver", "tool");
    assert_eq!(required(driver, "name", "driver"), "secrets-cmk");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| required(r, "id", "rule").as_str().unwrap())
        .collect();
    for row in [
        "1", "2", "3", "4", "5", "5a", "5b", "6", "7", "8", "9", "10", "11", "12",
    ] {
        assert!(
            ids.contains(&format!("secrets-cmk/row-{row}").as_str()),
            "no rule for row {row}"
        );
    }
    assert!(ids.contains(&"secrets-cmk/unverified"));
    assert_eq!(ids.len(), 15);
    // AND every result: message.text required; ruleId and ruleIndex agree; a location with
    // the file and line; NON_COMPLIANT is level error; a level other than none only with kind fail
    let results = sarif_run["results"].as_array().unwrap();
    assert_eq!(results.len(), 26);
    let mut errors = 0;
    for result in results {
        let text = required(required(result, "message", "result"), "text", "message");
        assert!(!text.as_str().unwrap().is_empty());
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri == "secrets.yaml" || uri == "rds.json", "{uri}");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        let level = result["level"].as_str().unwrap();
        let kind = result["kind"].as_str().unwrap();
        assert!(["none", "note", "warning", "error"].contains(&level));
        assert!(level == "none" || kind == "fail", "{result:#}");
        if result["properties"]["compliance"] == "NON_COMPLIANT" {
            assert_eq!(level, "error");
            errors += 1;
        }
    }
    assert_eq!(errors, 14);
    // AND the refused file is a notification of an unsuccessful invocation
    let invocation = &sarif_run["invocations"][0];
    assert_eq!(
        required(invocation, "executionSuccessful", "invocation"),
        false
    );
    let notification = &invocation["toolExecutionNotifications"][0];
    assert!(
        required(notification, "message", "notification")["text"]
            .as_str()
            .unwrap()
            .contains("!Reference")
    );
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
}

#[test]
fn the_table_shows_the_summary_then_each_finding_with_its_line() {
    // GIVEN the RDS template / WHEN checked as a table (the default; stdout is a pipe)
    let run = run(&["check-template", "rds.json"]);
    // THEN the summary first, the counts by cause, then one line per finding (worst
    // first, then by file and line), and what is not listed
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with(
            "3 resources in 1 template: 1 COMPLIANT, 2 NON_COMPLIANT, 0 NOT_APPLICABLE, 0 unverified\n"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Findings by cause:"), "{}", run.stdout);
    assert!(run.stdout.contains("default key: 1"), "{}", run.stdout);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("rds.json:"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines.iter().all(|l| l.contains("NON_COMPLIANT")),
        "{lines:?}"
    );
    assert!(
        !run.stdout.contains("ManagedCustomerKeyCluster"),
        "COMPLIANT is not listed by default: {}",
        run.stdout
    );
    assert!(run.stdout.contains("--show all"), "{}", run.stdout);
    // AND --show all lists it too
    let all = crate::support::run(&["check-template", "rds.json", "--show", "all"]);
    assert!(
        all.stdout.contains("ManagedCustomerKeyCluster"),
        "{}",
        all.stdout
    );
    // AND the exit message is on stderr
    run.assert_stderr_has("2 NON_COMPLIANT resource(s) in the templates");
}

#[test]
fn the_html_report_is_written_to_the_output_file_with_every_resource() {
    // GIVEN the secrets template / WHEN written as HTML
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let report_arg = report.to_str().unwrap();
    let run = run(&[
        "check-template",
        "rds.json",
        "--format",
        "html",
        "--output",
        report_arg,
    ]);
    // THEN nothing on stdout, the file is one self-contained page naming the findings
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!doctype html>"), "{}", &html[..80]);
    assert!(html.contains("secrets-cmk check-template"));
    assert!(html.contains("ManagedDefaultKeyInstance"));
    assert!(
        html.contains("MasterUserSecret.KmsKeyId"),
        "the fix is in the report"
    );
    assert!(
        !html.contains("<script src") && !html.contains("<link "),
        "no fetches"
    );
    run.assert_stderr_has("wrote the");
    // AND html without --output is a usage error
    let bad = crate::support::run(&["check-template", "rds.json", "--format", "html"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn an_all_compliant_template_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.yaml"),
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      KmsKeyId: !GetAtt K.Arn\n",
    )
    .unwrap();
    let run = crate::support::run_in(dir.path(), &["check-template", "ok.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 resource in 1 template: 1 COMPLIANT"));
}

#[test]
fn the_help_states_the_limits_and_exit_codes() {
    let run = run(&["check-template", "--help"]);
    assert_eq!(run.code, 0);
    for text in [
        "Examples:",
        "4 MiB per file",
        "nesting 100 deep",
        "1000000 values",
        "10 s of reading",
        "Exit codes:",
        "--resolve",
    ] {
        assert!(run.stdout.contains(text), "{text:?} not in the help");
    }
}
