//! What a PATH may be: a template, a cloud assembly (its manifest's stacks and nested
//! assemblies), a directory of templates; and what a PATH may not be.

use crate::support::{by_logical_id, run, run_in};

#[test]
fn a_cloud_assembly_is_read_through_its_manifest() {
    // GIVEN the hand-made cdk.out with a stack and a nested assembly
    let run = run(&["check-template", "--format", "json", "cdk.out"]);
    // THEN both stacks' templates are judged, named by their paths
    let findings = run.json();
    let templates: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["template"].as_str().unwrap())
        .collect();
    assert_eq!(
        templates,
        [
            "cdk.out/AppStack.template.json",
            "cdk.out/AppStack.template.json",
            "cdk.out/assembly-Prod/ProdDatabaseStack.template.json"
        ]
    );
    assert_eq!(run.code, 1);
}

#[test]
fn a_directory_without_manifest_reads_its_templates_and_skips_other_files() {
    // GIVEN the corpus directory (templates, cases.json, README.md)
    let run = run(&["check-template", "--format", "json", "."]);
    // THEN every template at its top is judged, cases.json is skipped, subdirectories are not read
    let findings = run.json();
    let mut templates: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["template"].as_str().unwrap())
        .collect();
    templates.dedup();
    assert_eq!(
        templates,
        [
            "./rds.json",
            "./resolve.yaml",
            "./secrets.json",
            "./secrets.yaml"
        ]
    );
    assert!(!run.stderr.contains("cases.json"), "{}", run.stderr);
}

#[test]
fn a_missing_path_and_an_empty_run_are_errors() {
    let run = run(&["check-template", "no-such.yaml"]);
    assert_eq!(run.code, 2);
    run.assert_stderr_has("no-such.yaml: no such file or directory");
    let run = crate::support::run(&["check-template"]);
    assert_eq!(run.code, 2, "a PATH is required");
}

#[test]
fn a_manifest_may_not_name_files_outside_its_assembly() {
    // GIVEN a manifest naming ../outside.template.json and a broken nested assembly
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(
        out.join("manifest.json"),
        r#"{"artifacts": {"Evil": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../outside.template.json"}},
            "Missing": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Gone"}},
            "Good": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Good.template.json"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        out.join("Good.template.json"),
        r#"{"Resources": {"S": {"Type": "AWS::SecretsManager::Secret"}}}"#,
    )
    .unwrap();
    // WHEN checked
    let run = run_in(
        dir.path(),
        &["check-template", "--format", "json", "cdk.out"],
    );
    // THEN the escape is refused, the missing assembly named, the good stack judged
    assert_eq!(run.code, 2);
    run.assert_stderr_has(
        "artifact Evil names ../outside.template.json, outside the cloud assembly",
    );
    run.assert_stderr_has("cdk.out/assembly-Gone/manifest.json");
    assert!(by_logical_id(&run.json()).contains_key("S"));
}
