//! Untrusted templates: every file `cases.json` lists as refused, and the limits the help
//! states (size, nesting, values after alias expansion, time), each an error naming the
//! file (and the line where there is one), exit 2, no panic, in bounded time.

use crate::support::{cases, run, run_in};
use std::fmt::Write as _;
use std::time::Duration;

/// Longer than any refusal may take, debug build included (the read limit is 10 s).
const BOUNDED: Duration = Duration::from_secs(10);

#[test]
fn every_refused_file_of_the_corpus_names_the_file_and_line() {
    let cases = cases();
    let errors = cases["errors"].as_array().unwrap();
    assert!(errors.len() >= 10);
    for case in errors {
        // GIVEN a hostile or malformed template
        let template = case["template"].as_str().unwrap();
        // WHEN checked
        let run = run(&["check-template", "--format", "json", template]);
        // THEN it is refused: exit 2, an error naming the file, the problem and the line
        assert_eq!(run.code, 2, "{template}");
        let message = run
            .stderr
            .lines()
            .find(|line| line.starts_with(&format!("secrets-cmk: error: {template}: ")))
            .unwrap_or_else(|| panic!("{template}: no error naming it:\n{}", run.stderr));
        assert!(
            message.contains(case["message_contains"].as_str().unwrap()),
            "{message}"
        );
        if let Some(line) = case["line"].as_u64() {
            assert!(message.contains(&format!(": line {line}: ")), "{message}");
        }
        // AND nothing is guessed: no findings, bounded time
        assert_eq!(run.json(), serde_json::json!([]), "{template}");
        assert!(run.elapsed < BOUNDED, "{template} took {:?}", run.elapsed);
    }
}

#[test]
fn a_refused_file_does_not_stop_the_others() {
    // GIVEN a good template and an alias bomb
    let run = run(&[
        "check-template",
        "--format",
        "json",
        "hostile/alias-bomb.yaml",
        "rds.json",
    ]);
    // THEN the good one is judged, the bomb refused, and the exit code is 2
    assert_eq!(run.code, 2);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    run.assert_stderr_has("hostile/alias-bomb.yaml: line");
    run.assert_stderr_has("1 file refused");
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    // GIVEN a valid template of 5 MiB (the limit is 4 MiB)
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("Resources:\n");
    let mut i = 0;
    while text.len() < 5 * 1024 * 1024 {
        writeln!(text, "  Secret{i}:\n    Type: AWS::SecretsManager::Secret").unwrap();
        i += 1;
    }
    std::fs::write(dir.path().join("huge.yaml"), &text).unwrap();
    // WHEN checked / THEN refused, naming the limit
    let run = run_in(dir.path(), &["check-template", "huge.yaml"]);
    assert_eq!(run.code, 2);
    run.assert_stderr_has("huge.yaml: larger than 4 MiB");
    assert!(run.elapsed < BOUNDED);
}

#[test]
fn a_template_of_the_largest_size_cloudformation_accepts_is_judged_in_bounded_time() {
    // GIVEN 1 MB of secrets on the default key (CloudFormation's limit, and far more than
    // the 500 resources it allows). The 10 s reading limit itself is tested in read.rs:
    // how much a debug build reads in 10 s depends on the machine.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("Resources:\n");
    let mut count = 0;
    while text.len() < 1_000_000 - 100 {
        writeln!(text, "  S{count}:\n    Type: AWS::SecretsManager::Secret").unwrap();
        count += 1;
    }
    std::fs::write(dir.path().join("big.yaml"), &text).unwrap();
    // WHEN checked
    let run = run_in(
        dir.path(),
        &["check-template", "--format", "json", "big.yaml"],
    );
    // THEN every secret is judged, within the time bound
    assert_eq!(run.code, 1);
    assert_eq!(run.json().as_array().unwrap().len(), count);
    assert!(run.elapsed < BOUNDED, "took {:?}", run.elapsed);
}

#[test]
fn nesting_past_the_limit_is_refused_in_block_and_json_syntax() {
    let dir = tempfile::tempdir().unwrap();
    // GIVEN 150 levels of block mappings, and 200 of JSON arrays
    let mut block =
        String::from("Resources:\n  R:\n    Type: AWS::SSM::Parameter\n    Metadata:\n");
    for depth in 0..150 {
        writeln!(block, "{}a:", "  ".repeat(depth + 3)).unwrap();
    }
    std::fs::write(dir.path().join("deep.yaml"), block).unwrap();
    let json = format!("{{\"Resources\": {}{}}}", "[".repeat(200), "]".repeat(200));
    std::fs::write(dir.path().join("deep.json"), json).unwrap();
    // WHEN checked / THEN both refused with the line and the limit
    let run = run_in(dir.path(), &["check-template", "deep.yaml", "deep.json"]);
    assert_eq!(run.code, 2);
    run.assert_stderr_has("deep.yaml: line 102: nested deeper than 100 levels");
    run.assert_stderr_has("deep.json: line 1: nested deeper than 100 levels");
}

#[test]
fn an_alias_bomb_stops_at_the_value_limit_quickly() {
    // GIVEN the billion laughs (9^10 values once expanded)
    let run = run(&["check-template", "hostile/alias-bomb.yaml"]);
    // THEN refused at the limit, well within the time bound
    run.assert_stderr_has("more than 1000000 values (YAML aliases expanded)");
    assert!(
        run.elapsed < Duration::from_secs(5),
        "took {:?}",
        run.elapsed
    );
}

#[test]
fn aliases_within_the_limit_are_expanded() {
    // GIVEN a secret whose properties are an anchored mapping reused by an alias
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("anchors.yaml"),
        "Resources:\n  A:\n    Type: AWS::SecretsManager::Secret\n    Properties: &props\n      KmsKeyId: alias/aws/secretsmanager\n  B:\n    Type: AWS::SecretsManager::Secret\n    Properties: *props\n",
    )
    .unwrap();
    // THEN both are judged by the same key
    let run = run_in(
        dir.path(),
        &["check-template", "--format", "json", "anchors.yaml"],
    );
    let findings = run.json();
    assert_eq!(findings.as_array().unwrap().len(), 2);
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["compliance"] == "NON_COMPLIANT")
    );
    assert_eq!(findings[1]["line"], 6);
}

#[test]
fn if_explosion_is_bounded_and_unverified() {
    // GIVEN a KmsKeyId of 7 nested Fn::If (128 alternatives; the limit is 64)
    let mut key = "alias/aws/secretsmanager".to_owned();
    for i in 0..7 {
        key = format!("!If [C{i}, {key}, {key}]");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("if.yaml"),
        format!("Resources:\n  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      KmsKeyId: {key}\n"),
    )
    .unwrap();
    // THEN it is not verified, saying why
    let run = run_in(
        dir.path(),
        &["check-template", "--format", "json", "if.yaml"],
    );
    assert_eq!(run.code, 2);
    let reason = run.json()[0]["reason"].as_str().unwrap().to_owned();
    assert!(
        reason.contains("more than 64 Fn::If alternatives"),
        "{reason}"
    );
}
