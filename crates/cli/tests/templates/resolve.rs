//! `--resolve` against the emulator: what the template does not settle is looked up with
//! DescribeKey in the caller's account and Region, set up as `cases.json`'s
//! `resolve_setup` says; a key of an untrusted account or another Region is never
//! described, and the template's own keys never are.

use crate::support::{Run, by_logical_id, cases, corpus_dir, rule_flags, run_with_env};
use secrets_cmk_harness::{DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator, seed};
use serde_json::Value;
use std::path::Path;

/// The emulator, seeded as `resolve_setup` says.
async fn seeded_emulator() -> Emulator {
    let emulator = Emulator::start().await.unwrap();
    let setup = &cases()["resolve_setup"];
    assert_eq!(setup["account"], DEFAULT_ACCOUNT);
    assert_eq!(setup["region"], DEFAULT_REGION);
    let kms = emulator.kms(DEFAULT_REGION);
    for key in setup["keys"].as_array().unwrap() {
        let alias = key["alias"].as_str().unwrap();
        let created = seed::create_cmk(&kms, alias).await.unwrap();
        seed::create_alias(&kms, alias, &created.key_id)
            .await
            .unwrap();
        match key["key_state"].as_str().unwrap() {
            "Enabled" => {}
            "Disabled" => seed::disable_key(&kms, &created.key_id).await.unwrap(),
            other => panic!("resolve_setup key_state {other} is not supported"),
        }
    }
    emulator
}

/// `check-template --resolve ARGS` in `dir`, pointed at the emulator.
fn resolve_in(emulator: &Emulator, dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check-template", "--resolve", "--format", "json"];
    all.extend_from_slice(args);
    let endpoint = emulator.endpoint();
    run_with_env(
        dir,
        &all,
        &[
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn every_resolve_case_gets_its_verdict_through_describe_key() {
    // GIVEN the emulator set up as resolve_setup says
    let emulator = seeded_emulator().await;
    let cases = cases();
    for case in cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resolve"] == true)
    {
        // WHEN the case's template is checked with --resolve and its parameters
        let template = case["template"].as_str().unwrap();
        let flags = rule_flags(&case["parameters"]);
        let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
        args.push(template);
        let run = tokio::task::block_in_place(|| resolve_in(&emulator, &corpus_dir(), &args));
        // THEN the finding has the expected compliance and line
        let id = case["logical_id"].as_str().unwrap();
        let found = by_logical_id(&run.json());
        let finding = found
            .get(id)
            .unwrap_or_else(|| panic!("{template} {id} not reported"));
        assert_eq!(
            finding["compliance"], case["compliance"],
            "{template} {id}: {finding:#}"
        );
        assert_eq!(finding["line"], case["line"], "{template} {id}");
        // AND its row, by the reason rule-core wrote for it
        assert_row(case, finding);
    }
}

/// The row of a resolved case, from the words rule-core uses for it.
fn assert_row(case: &Value, finding: &Value) {
    let reason = finding["reason"].as_str().unwrap().to_lowercase();
    let words = match case["row"].as_str() {
        None => "not verified: ",
        Some("4") => "default AWS managed key",
        Some("5a") => "not the secret's own and not trusted",
        Some("5b") => "not the secret's Region",
        Some("7") => "does not exist",
        Some("8") => "is disabled",
        Some("11") => "Replica in ",
        Some("12") => "Encrypted with customer managed KMS key",
        Some(other) => panic!("add the words of row {other}"),
    };
    assert!(
        reason.contains(&words.to_lowercase()),
        "row {}: {reason}",
        case["row"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_of_untrusted_accounts_other_regions_and_the_template_are_never_described() {
    // GIVEN a template whose keys are a foreign account's, another Region's, its own, the default
    let emulator = seeded_emulator().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.yaml"),
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n  Own:\n    Type: AWS::SecretsManager::Secret\n    Properties: {KmsKeyId: !Ref K}\n  Foreign:\n    Type: AWS::SecretsManager::Secret\n    Properties: {KmsKeyId: 'arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab'}\n  Elsewhere:\n    Type: AWS::SecretsManager::Secret\n    Properties: {KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'}\n  Default:\n    Type: AWS::SecretsManager::Secret\n",
    )
    .unwrap();
    let before = emulator.request_count("DescribeKey").await.unwrap();
    // WHEN checked with --resolve
    let run = tokio::task::block_in_place(|| resolve_in(&emulator, dir.path(), &["t.yaml"]));
    // THEN every one is decided without a DescribeKey call
    let found = by_logical_id(&run.json());
    assert_eq!(found["Own"]["compliance"], "COMPLIANT");
    assert_eq!(found["Foreign"]["compliance"], "NON_COMPLIANT");
    assert_eq!(found["Elsewhere"]["compliance"], "NON_COMPLIANT");
    assert_eq!(found["Default"]["compliance"], "NON_COMPLIANT");
    assert_eq!(emulator.request_count("DescribeKey").await.unwrap(), before);
    // AND the caller's account came from GetCallerIdentity
    assert!(emulator.request_count("GetCallerIdentity").await.unwrap() >= 1);
    // WHEN the foreign account is trusted / THEN its key, and only it, is described
    let run = tokio::task::block_in_place(|| {
        resolve_in(
            &emulator,
            dir.path(),
            &["--allowed-key-accounts", "444455556666", "t.yaml"],
        )
    });
    let foreign = &by_logical_id(&run.json())["Foreign"];
    assert!(
        foreign["reason"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{foreign:#}"
    );
    assert_eq!(
        emulator.request_count("DescribeKey").await.unwrap(),
        before + 1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn resolve_without_a_region_or_with_two_is_a_usage_error() {
    let emulator = Emulator::start().await.unwrap();
    let corpus = corpus_dir();
    let run = tokio::task::block_in_place(|| {
        resolve_in(
            &emulator,
            &corpus,
            &["--region", "us-east-1", "--region", "eu-west-1", "rds.json"],
        )
    });
    assert_eq!(run.code, 2);
    run.assert_stderr_has("check-template works in one Region");
}
