//! The trust boundary of `remediate` and `backout`: no target or restored key of an
//! account we do not trust, no target the rule would not pass, no edited plan applied,
//! and honest advice about what UpdateSecret re-encrypts.

use crate::support::{Bench, read_json};
use secrets_cmk_harness::DEFAULT_REGION;
use secrets_cmk_harness::seed::{self, Key};
use serde_json::{Value, json};

const OTHER_ACCOUNT: &str = "222233334444";

/// An Enabled customer managed key of another account (its default policy denies us
/// DescribeKey, as AWS's would).
async fn foreign_cmk(bench: &Bench) -> Key {
    let other = seed::assume_role(&bench.emulator.sts(), OTHER_ACCOUNT, "attacker")
        .await
        .unwrap();
    let key = seed::create_cmk(&bench.emulator.kms_as(&other, DEFAULT_REGION), "theirs")
        .await
        .unwrap();
    assert!(key.arn.contains(OTHER_ACCOUNT), "{}", key.arn);
    key
}

#[tokio::test]
async fn remediate_never_moves_a_secret_to_a_key_of_an_untrusted_account() {
    // GIVEN a default-key secret and an attacker's key of another account
    let bench = Bench::start().await.unwrap();
    let secret = bench.secret("a", None).await;
    let theirs = foreign_cmk(&bench).await;
    let plan = bench.path("plan.json");
    let plan = plan.to_str().unwrap();
    let describes = bench.emulator.request_count("DescribeKey").await.unwrap();

    // WHEN remediate applies with it as the target
    let run = bench.remediate_apply(&theirs.arn, plan, &[]).await;

    // THEN exit 2 naming the account and the flag; nothing changed, the key not even described
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.assert_stderr_has("refusing to re-key, nothing was changed");
    run.assert_stderr_has(OTHER_ACCOUNT);
    run.assert_stderr_has("--allowed-key-accounts");
    assert_eq!(bench.update_secret_calls().await, 0);
    assert_eq!(bench.key_of(&secret).await, None);
    assert!(!std::path::Path::new(plan).exists());
    assert_eq!(
        bench.emulator.request_count("DescribeKey").await.unwrap(),
        describes
    );

    // WHEN its account is allowed THEN it is still refused: its owner does not let us
    // describe it, so it cannot be verified customer managed and Enabled
    let trusted = ["--allowed-key-accounts", OTHER_ACCOUNT];
    let run = bench.remediate_apply(&theirs.arn, plan, &trusted).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.assert_stderr_has("DescribeKey on");
    assert_eq!(bench.update_secret_calls().await, 0);
}

#[tokio::test]
async fn remediate_refuses_a_target_the_rule_would_not_pass() {
    // GIVEN two keys of our own, only one of them approved by --kms-key-arns
    let bench = Bench::start().await.unwrap();
    let approved = bench.cmk("alias/approved").await;
    bench.cmk("alias/other").await;
    let secret = bench.secret("a", None).await;
    let plan = bench.path("plan.json");
    let plan = plan.to_str().unwrap();

    // WHEN the other key is the target
    let approving = ["--secret", "a", "--kms-key-arns", "alias/approved"];
    let run = bench.remediate_apply("alias/other", plan, &approving).await;
    // THEN refused with the rule's own reason, nothing changed
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.assert_stderr_has("not one of the approved keys");
    assert_eq!(bench.key_of(&secret).await, None);

    // WHEN the approved key is the target THEN it is re-keyed
    let run = bench
        .remediate_apply("alias/approved", plan, &approving)
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(bench.key_of(&secret).await, Some(approved.arn.clone()));
    // AND the apply output says what UpdateSecret re-encrypts and what stays on the old key
    run.assert_stdout_has("versions with other labels stay on the old key");
}

#[tokio::test]
async fn the_plan_records_both_keys_as_stored_and_resolved() {
    // GIVEN a secret on an alias of ours
    let bench = Bench::start().await.unwrap();
    let target = bench.cmk("alias/target").await;
    let old = bench.cmk("alias/old").await;
    bench.secret("a", Some("alias/old")).await;
    let plan = bench.path("plan.json");
    // WHEN re-keyed
    let run = bench
        .remediate_apply("alias/target", &plan, &["--secret", "a"])
        .await;
    assert_eq!(run.code, 0);
    // THEN the entry holds the stored references and the key ARNs they resolved to
    let entry = &read_json(&plan)["entries"][0];
    assert_eq!(entry["previous_kms_key_id"], "alias/old");
    assert_eq!(entry["previous_key_arn"], old.arn.as_str());
    assert_eq!(entry["new_kms_key_id"], target.arn.as_str());
    assert_eq!(entry["new_key_arn"], target.arn.as_str());
}

/// Re-key `a` (on alias/old) to alias/target and return the plan path.
async fn re_keyed(bench: &Bench) -> String {
    bench.cmk("alias/target").await;
    bench.cmk("alias/old").await;
    bench.secret("a", Some("alias/old")).await;
    let plan = bench.path("plan.json").to_str().unwrap().to_owned();
    let run = bench
        .remediate_apply("alias/target", &plan, &["--secret", "a"])
        .await;
    assert_eq!(run.code, 0);
    plan
}

fn edit_entry(plan: &str, edit: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(plan).unwrap()).unwrap();
    edit(&mut value["entries"][0]);
    std::fs::write(plan, value.to_string()).unwrap();
}

#[tokio::test]
async fn an_edited_plan_naming_another_account_s_key_is_refused() {
    // GIVEN a plan whose previous key was edited to an attacker's key
    let bench = Bench::start().await.unwrap();
    let plan = re_keyed(&bench).await;
    let theirs = foreign_cmk(&bench).await;
    edit_entry(&plan, |entry| {
        entry["previous_kms_key_id"] = json!(theirs.arn);
        entry["previous_key_arn"] = json!(theirs.arn);
    });
    let updates = bench.update_secret_calls().await;

    // WHEN backed out, dry run and --apply
    for args in [
        vec!["backout", "--plan", &plan],
        vec!["backout", "--plan", &plan, "--apply"],
    ] {
        let run = bench.run(&args).await;
        // THEN refused naming the account, exit 2, nothing changed
        assert_eq!(run.code, 2, "{}", run.stdout);
        run.assert_stdout_has("refused");
        run.assert_stdout_has(OTHER_ACCOUNT);
        assert_eq!(bench.update_secret_calls().await, updates);
    }
}

#[tokio::test]
async fn an_edited_plan_whose_reference_and_arn_disagree_is_refused() {
    // GIVEN a plan whose recorded previous ARN was swapped for another key of ours
    let bench = Bench::start().await.unwrap();
    let plan = re_keyed(&bench).await;
    let decoy = bench.cmk("alias/decoy").await;
    edit_entry(&plan, |entry| entry["previous_key_arn"] = json!(decoy.arn));
    let updates = bench.update_secret_calls().await;
    // WHEN backed out
    let run = bench.run(&["backout", "--plan", &plan, "--apply"]).await;
    // THEN refused: alias/old is not the key the plan says; nothing changed
    assert_eq!(run.code, 2, "{}", run.stdout);
    run.assert_stdout_has("not ");
    run.assert_stdout_has(&decoy.arn);
    assert_eq!(bench.update_secret_calls().await, updates);
}

#[tokio::test]
async fn a_plan_naming_a_new_key_the_secret_is_not_on_is_refused() {
    // GIVEN a plan whose new key was edited (the secret is not on it)
    let bench = Bench::start().await.unwrap();
    let plan = re_keyed(&bench).await;
    let decoy = bench.cmk("alias/decoy").await;
    edit_entry(&plan, |entry| entry["new_key_arn"] = json!(decoy.arn));
    // WHEN backed out THEN refused, nothing changed
    let updates = bench.update_secret_calls().await;
    let run = bench.run(&["backout", "--plan", &plan, "--apply"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    run.assert_stdout_has("its key is not the one the plan moved it to");
    assert_eq!(bench.update_secret_calls().await, updates);
}

#[tokio::test]
async fn the_backout_dry_run_lists_every_key_it_would_restore_to() {
    // GIVEN a valid plan
    let bench = Bench::start().await.unwrap();
    let plan = re_keyed(&bench).await;
    let old = read_json(std::path::Path::new(&plan))["entries"][0]["previous_key_arn"]
        .as_str()
        .unwrap()
        .to_owned();
    // WHEN dry-run
    let run = bench.run(&["backout", "--plan", &plan]).await;
    // THEN the keys it restores to are listed for review
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.assert_stdout_has("Keys this backout restores to");
    run.assert_stdout_has(&format!("{old}: 1 secret(s)"));
}

#[tokio::test]
async fn remediate_warns_when_the_caller_may_not_encrypt_with_the_target() {
    // GIVEN a target key, and KMS denying GenerateDataKey (as a key policy would)
    let bench = Bench::start().await.unwrap();
    bench.cmk("alias/target").await;
    bench.secret("a", None).await;
    // WHEN dry-run with the permission
    let run = bench
        .run(&["remediate", "--kms-key-id", "alias/target"])
        .await;
    // THEN no warning (the dry runs said allowed)
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!run.stdout.contains("warning:"), "{}", run.stdout);
    bench
        .emulator
        .set_faults(json!({"rules": [
            {"service": "kms", "operation": "GenerateDataKey", "kind": "access_denied"}
        ]}))
        .await
        .unwrap();
    // WHEN dry-run without it
    let run = bench
        .run(&["remediate", "--kms-key-id", "alias/target"])
        .await;
    // THEN a warning that says what UpdateSecret would leave undone, but no refusal
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.assert_stdout_has("warning: kms:GenerateDataKey (DryRun) was denied");
    run.assert_stdout_has("kms:ViaService");
    run.assert_stdout_has("would re-key");
}
