//! `secrets-cmk remediate`: the dry run changes nothing; `--apply` changes exactly the
//! targets and writes the backout plan; unsafe targets and service-owned secrets are
//! refused.

use crate::support::{Bench, read_json};
use secrets_cmk_harness::seed::{Key, Secret};
use secrets_cmk_harness::{DEFAULT_ACCOUNT, DEFAULT_REGION, seed};
use serde_json::Value;

/// A bench with a target CMK (`alias/target`), another CMK behind `alias/app`, and three
/// secrets: `a` and `b` on the default key, `c` on `alias/app`.
struct Estate {
    bench: Bench,
    target: Key,
    a: Secret,
    b: Secret,
    c: Secret,
}

impl Estate {
    async fn start() -> Estate {
        let bench = Bench::start().await.unwrap();
        let target = bench.cmk("alias/target").await;
        bench.cmk("alias/app").await;
        let a = bench.secret("a", None).await;
        let b = bench.secret("b", None).await;
        let c = bench.secret("c", Some("alias/app")).await;
        Estate {
            bench,
            target,
            a,
            b,
            c,
        }
    }
}

#[tokio::test]
async fn a_dry_run_shows_the_changes_and_makes_none() {
    // GIVEN two secrets on the default key, one on a CMK, and a target CMK
    let Estate {
        bench,
        target,
        a,
        b,
        c,
    } = Estate::start().await;

    // WHEN remediate runs without --apply
    let run = bench
        .run(&["remediate", "--kms-key-id", "alias/target"])
        .await;

    // THEN it shows both non-compliant secrets going to the target's ARN, and exits 0
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.matches("would re-key").count(),
        2,
        "{}",
        run.stdout
    );
    run.assert_stdout_has(&target.arn);
    run.assert_stdout_has("dry run, nothing changed: 2 to re-key");
    assert!(
        !run.stdout.contains("| c "),
        "a compliant secret is no target"
    );
    // AND nothing changed: no UpdateSecret, every key as it was, no plan written
    assert_eq!(bench.update_secret_calls().await, 0);
    assert_eq!(
        bench.keys_of(&[&a, &b, &c]).await,
        [None, None, Some("alias/app".to_owned())]
    );
    assert!(bench.plan_files().is_empty());
}

#[tokio::test]
async fn apply_re_keys_exactly_the_non_compliant_secrets_and_writes_a_backout_plan() {
    // GIVEN two default-key secrets, one on an AWS managed alias, one compliant, and a target
    let Estate {
        bench,
        target,
        a,
        b,
        c,
    } = Estate::start().await;

    // WHEN remediate applies (default plan file name)
    let run = bench
        .run(&["remediate", "--kms-key-id", "alias/target", "--apply"])
        .await;

    // THEN the two are on the target key ARN, the compliant one untouched, two UpdateSecrets
    assert_eq!(run.code, 0, "{}", run.stderr);
    let on_target = Some(target.arn.clone());
    assert_eq!(
        bench.keys_of(&[&a, &b, &c]).await,
        [on_target.clone(), on_target, Some("alias/app".to_owned())]
    );
    assert_eq!(bench.update_secret_calls().await, 2);
    run.assert_stdout_has("re-keyed 2 of 2");

    // AND a timestamped plan in the current directory, named on stdout, records both
    let plans = bench.plan_files();
    assert_eq!(plans.len(), 1, "{plans:?}");
    let name = plans[0].file_name().unwrap().to_str().unwrap();
    assert!(
        run.stdout
            .contains(&format!("Backout plan written to {}", plans[0].display())),
        "{name}"
    );
    let plan = read_json(&plans[0]);
    assert_eq!(plan["version"], 2);
    assert_eq!(plan["region"], DEFAULT_REGION);
    let entries = plan["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for entry in entries {
        assert!([a.arn.as_str(), b.arn.as_str()].contains(&entry["secret_arn"].as_str().unwrap()));
        assert_eq!(
            entry["previous_kms_key_id"],
            Value::Null,
            "null is the default key"
        );
        assert_eq!(entry["previous_key_arn"], Value::Null);
        assert_eq!(entry["new_kms_key_id"], target.arn.as_str());
        assert_eq!(entry["new_key_arn"], target.arn.as_str());
        assert_eq!(entry["status"], "changed");
        assert!(entry["changed_at"].is_string());
    }

    // AND an audit now finds everything compliant
    let audit = bench.run(&["audit", "--fail-on-noncompliant"]).await;
    assert_eq!(audit.code, 0, "{}", audit.stdout);
}

#[tokio::test]
async fn named_secrets_are_re_keyed_whatever_their_compliance_and_only_they() {
    // GIVEN three secrets, one of them compliant on another CMK
    let Estate {
        bench,
        target,
        a,
        b,
        c,
    } = Estate::start().await;
    let plan = bench.path("named.json");

    // WHEN a (by name) and c (by ARN) are named
    let run = bench
        .remediate_apply(
            &target.key_id,
            &plan,
            &["--secret", "a", "--secret", &c.arn],
        )
        .await;

    // THEN exactly those two moved, to the target's ARN; b is untouched
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        bench.keys_of(&[&a, &b, &c]).await,
        [Some(target.arn.clone()), None, Some(target.arn.clone())]
    );
    assert_eq!(bench.update_secret_calls().await, 2);
    let entries = read_json(&plan)["entries"].clone();
    assert_eq!(
        entries[1]["previous_kms_key_id"], "alias/app",
        "the previous key, as stored"
    );
}

#[tokio::test]
async fn each_unsafe_target_is_refused_with_exit_2_and_nothing_changes() {
    // GIVEN a default-key secret, and targets that must not be used: the AWS managed key
    // by alias and by key ARN, a disabled CMK, a missing alias, a CMK of another Region
    let bench = Bench::start().await.unwrap();
    let secret = bench.secret("a", None).await;
    let disabled = bench.cmk("alias/off").await;
    seed::disable_key(&bench.kms(), &disabled.key_id)
        .await
        .unwrap();
    let aws_managed = bench
        .kms()
        .describe_key()
        .key_id("alias/aws/secretsmanager")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .arn
        .unwrap();
    let elsewhere = seed::create_cmk(&bench.emulator.kms("eu-west-1"), "west")
        .await
        .unwrap();
    let before = bench.emulator.requests().await.unwrap().len();
    let cases = [
        ("alias/aws/secretsmanager", "is an AWS managed key"),
        (aws_managed.as_str(), "is the AWS managed key"),
        ("alias/off", "is Disabled, not Enabled"),
        ("alias/missing", "does not exist in us-east-1"),
        (
            elsewhere.arn.as_str(),
            "is in eu-west-1, the secret is in us-east-1",
        ),
    ];

    for (target, why) in cases {
        // WHEN remediate applies with it
        let plan = bench.path("unsafe.json");
        let run = bench.remediate_apply(target, &plan, &[]).await;

        // THEN exit 2 with the reason, and nothing changed: no plan, no UpdateSecret, same key
        assert_eq!(run.code, 2, "{target}");
        run.assert_stderr_has("refusing to re-key, nothing was changed");
        assert!(run.stderr.contains(why), "{target}: {}", run.stderr);
        assert!(!plan.exists(), "{target}: no plan for a refused run");
        assert_eq!(bench.key_of(&secret).await, None, "{target}");
    }
    let requests = bench.emulator.requests().await.unwrap();
    assert!(
        requests[before..]
            .iter()
            .all(|r| r.operation != "UpdateSecret")
    );
}

#[tokio::test]
async fn a_service_owned_secret_is_refused_and_the_others_proceed() {
    // GIVEN two default-key secrets, one of them managed by RDS
    let bench = Bench::start().await.unwrap();
    let target = bench.cmk("alias/target").await;
    let mine = bench.secret("mine", None).await;
    let rds = bench.secret("rds-db", None).await;
    bench
        .emulator
        .set_owning_service(DEFAULT_ACCOUNT, DEFAULT_REGION, &rds.arn, "rds")
        .await
        .unwrap();
    let plan = bench.path("plan.json");

    // WHEN remediate applies
    let run = bench.remediate_apply("alias/target", &plan, &[]).await;

    // THEN the RDS secret is refused with a clear message and left alone, the other is
    // re-keyed, and the exit code says something was left undone
    assert_eq!(run.code, 2);
    run.assert_stdout_has("refused: managed by rds; change its key through rds");
    assert_eq!(
        bench.keys_of(&[&mine, &rds]).await,
        [Some(target.arn.clone()), None]
    );
    assert_eq!(bench.update_secret_calls().await, 1);
    run.assert_stderr_has("1 secret(s) refused");
    let entries = read_json(&plan)["entries"].clone();
    assert_eq!(
        entries.as_array().unwrap().len(),
        1,
        "the plan lists only what was changed"
    );
}

#[tokio::test]
async fn a_secret_named_twice_is_changed_once() {
    // GIVEN one secret, named by name and by ARN
    let bench = Bench::start().await.unwrap();
    bench.cmk("alias/target").await;
    let a = bench.secret("a", None).await;
    let plan = bench.path("plan.json");

    // WHEN remediate applies
    let run = bench
        .remediate_apply(
            "alias/target",
            &plan,
            &["--secret", "a", "--secret", &a.arn],
        )
        .await;

    // THEN one UpdateSecret (at most once per secret per run), the repeat refused
    assert_eq!(bench.update_secret_calls().await, 1);
    run.assert_stdout_has("named more than once");
    assert_eq!(run.code, 2);
}

#[tokio::test]
async fn an_existing_plan_file_is_never_overwritten_and_nothing_changes() {
    // GIVEN a plan file already there
    let bench = Bench::start().await.unwrap();
    bench.cmk("alias/target").await;
    let a = bench.secret("a", None).await;
    let plan = bench.path("precious.json");
    std::fs::write(&plan, "an earlier backout plan").unwrap();

    // WHEN remediate applies with it as --plan
    let run = bench.remediate_apply("alias/target", &plan, &[]).await;

    // THEN exit 2, the file is intact, the secret unchanged
    assert_eq!(run.code, 2);
    run.assert_stderr_has("refusing to overwrite");
    assert_eq!(
        std::fs::read_to_string(&plan).unwrap(),
        "an earlier backout plan"
    );
    assert_eq!(bench.key_of(&a).await, None);
    assert_eq!(bench.update_secret_calls().await, 0);
}
