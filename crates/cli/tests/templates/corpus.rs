//! Every case of `contract/templates/cases.json` that needs no lookup: each template run
//! once per parameter set, its JSON findings and its SARIF results compared with the
//! expected compliance, decision-table row and line; with the default parameters the
//! cases of a template are all it reports.

use crate::support::{by_logical_id, cases, expected_exit, rule_flags, run};
use serde_json::Value;
use std::collections::BTreeMap;

/// Offline cases, grouped by template and parameters (as JSON text, to group by).
fn offline_groups() -> BTreeMap<(String, String), Vec<Value>> {
    let mut groups: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    for case in cases()["cases"].as_array().unwrap() {
        if case["resolve"] == true {
            continue;
        }
        let key = (
            case["template"].as_str().unwrap().to_owned(),
            case["parameters"].to_string(),
        );
        groups.entry(key).or_default().push(case.clone());
    }
    groups
}

/// Run one template with one parameter set, in JSON and SARIF.
fn run_both(template: &str, parameters: &Value) -> (Value, i32, Value) {
    let flags = rule_flags(parameters);
    let mut args = vec!["check-template", "--format", "json"];
    args.extend(flags.iter().map(String::as_str));
    args.push(template);
    let json_run = run(&args);
    args[2] = "sarif";
    let sarif_run = run(&args);
    assert_eq!(
        json_run.code, sarif_run.code,
        "the exit code does not depend on the format"
    );
    (json_run.json(), json_run.code, sarif_run.json())
}

#[test]
fn every_offline_case_gets_its_verdict_row_and_line() {
    let groups = offline_groups();
    assert!(groups.len() >= 10, "the corpus lost its cases");
    for ((template, parameters), expected) in groups {
        // GIVEN a template of the corpus and a parameter set
        let parameters: Value = serde_json::from_str(&parameters).unwrap();
        // WHEN checked offline
        let (findings, code, sarif) = run_both(&template, &parameters);
        let found = by_logical_id(&findings);
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        // THEN each case has its compliance, line and type, and its SARIF result the row
        for case in &expected {
            let id = case["logical_id"].as_str().unwrap();
            let context = format!("{template} {id} with {parameters}");
            let finding = found
                .get(id)
                .unwrap_or_else(|| panic!("{context}: not reported: {findings:#}"));
            assert_eq!(
                finding["compliance"], case["compliance"],
                "{context}: {finding:#}"
            );
            assert_eq!(finding["line"], case["line"], "{context}");
            assert_eq!(finding["resource_type"], case["resource_type"], "{context}");
            assert_eq!(finding["template"], template.as_str(), "{context}");
            let result = results
                .iter()
                .find(|r| r["locations"][0]["logicalLocations"][0]["name"] == id)
                .unwrap_or_else(|| panic!("{context}: no SARIF result"));
            let rule = match case["row"].as_str() {
                Some(row) => format!("secrets-cmk/row-{row}"),
                None => "secrets-cmk/unverified".to_owned(),
            };
            assert_eq!(result["ruleId"], rule.as_str(), "{context}: {result:#}");
            assert_eq!(
                result["locations"][0]["physicalLocation"]["region"]["startLine"],
                case["line"]
            );
            // AND an unverified finding says so, a decided one does not
            let reason = finding["reason"].as_str().unwrap();
            assert_eq!(
                reason.starts_with("not verified: "),
                case["compliance"].is_null(),
                "{context}: {reason}"
            );
        }
        // AND with the defaults, what is listed is all that is reported
        if parameters.as_object().unwrap().is_empty() {
            let listed: Vec<&str> = expected
                .iter()
                .map(|c| c["logical_id"].as_str().unwrap())
                .collect();
            let reported: Vec<&str> = found.keys().map(String::as_str).collect();
            let mut listed_sorted = listed.clone();
            listed_sorted.sort_unstable();
            assert_eq!(reported, listed_sorted, "{template}: reported resources");
        }
        // AND the exit code follows the findings
        let compliances: Vec<Value> = found.values().map(|f| f["compliance"].clone()).collect();
        assert_eq!(
            code,
            expected_exit(&compliances),
            "{template} with {parameters}"
        );
    }
}

#[test]
fn resources_that_are_not_secrets_are_not_reported() {
    let cases = cases();
    for entry in cases["not_reported"].as_array().unwrap() {
        // GIVEN a resource the corpus says is not judged
        let template = entry["template"].as_str().unwrap();
        let id = entry["logical_id"].as_str().unwrap();
        // WHEN its template is checked
        let findings = run(&["check-template", "--format", "json", template]).json();
        // THEN it is not among the findings
        assert!(
            !by_logical_id(&findings).contains_key(id),
            "{template} {id} was reported"
        );
    }
}

#[test]
fn the_reason_names_how_the_key_was_found() {
    // GIVEN secrets whose verdicts rest on a parameter Default, an Fn::If branch, an alias
    let findings =
        by_logical_id(&run(&["check-template", "--format", "json", "secrets.yaml"]).json());
    let reason = |id: &str| findings[id]["reason"].as_str().unwrap().to_owned();
    // THEN each reason says so, and names the template's key by its logical id
    assert!(
        reason("AwsParameterSecret")
            .starts_with("Judged by the Default of parameter AwsKeyParameter")
    );
    assert!(reason("IfDefaultKeySecret").starts_with("If condition UseCustomerKey is false"));
    assert!(
        reason("RefAliasSecret").contains("through alias KeyAlias")
            || reason("RefAliasSecret").starts_with("Through alias KeyAlias")
    );
    assert!(reason("RefKeySecret").contains("Key (a key of this template)"));
    assert!(reason("ImportedKeySecret").contains("Fn::ImportValue"));
    assert!(reason("LiteralAliasSecret").contains("--resolve"));
    // AND rendered references are shown as written, not in the placeholder scope
    assert!(
        reason("AwsAliasSubSecret").contains("${AWS::AccountId}"),
        "{}",
        reason("AwsAliasSubSecret")
    );
    for finding in findings.values() {
        let reason = finding["reason"].as_str().unwrap();
        assert!(
            !reason.contains("000000000000") && !reason.contains("zz-stack-1"),
            "{reason}"
        );
    }
}
