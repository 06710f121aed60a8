//! `secrets-cmk backout`: restores every previous key (the default key and key ids
//! exactly, an alias by the key ARN it named), is a no-op the second time, and refuses a
//! secret whose key changed since.

use crate::support::Bench;
use secrets_cmk_harness::seed;

#[tokio::test]
async fn backout_restores_every_previous_key_and_a_second_run_is_a_no_op() {
    // GIVEN secrets on the default key, on an alias, and on a bare key id, re-keyed to a
    // target by remediate
    let bench = Bench::start().await.unwrap();
    let target = bench.cmk("alias/target").await;
    let old = bench.cmk("alias/old").await;
    let default = bench.secret("on-default", None).await;
    let aliased = bench.secret("on-alias", Some("alias/old")).await;
    let bare = bench.secret("on-key-id", Some(&old.key_id)).await;
    let before = bench.keys_of(&[&default, &aliased, &bare]).await;
    assert_eq!(
        before,
        [None, Some("alias/old".to_owned()), Some(old.key_id.clone())]
    );
    let plan = bench.path("plan.json");
    let plan = plan.to_str().unwrap();
    let secrets = [
        "--secret",
        "on-default",
        "--secret",
        "on-alias",
        "--secret",
        "on-key-id",
    ];
    let run = bench.remediate_apply("alias/target", plan, &secrets).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let moved = Some(target.arn.clone());
    assert_eq!(
        bench.keys_of(&[&default, &aliased, &bare]).await,
        [moved.clone(), moved.clone(), moved.clone()]
    );
    let updates = bench.update_secret_calls().await;

    // WHEN backout runs without --apply
    let dry = bench.run(&["backout", "--plan", plan]).await;

    // THEN it shows three restores and changes nothing
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(
        dry.stdout.matches("would restore").count(),
        3,
        "{}",
        dry.stdout
    );
    assert_eq!(bench.update_secret_calls().await, updates);
    assert_eq!(
        bench.keys_of(&[&default, &aliased, &bare]).await,
        [moved.clone(), moved.clone(), moved]
    );

    // WHEN backout applies
    let run = bench.run(&["backout", "--plan", plan, "--apply"]).await;

    // THEN every secret is back on the key it had: the default one without a KmsKeyId,
    // the key id as stored, the alias by the key ARN it named when the plan was written
    // (it could point elsewhere by now)
    assert_eq!(run.code, 0, "{}", run.stderr);
    let restored = [None, Some(old.arn.clone()), Some(old.key_id.clone())];
    assert_eq!(bench.keys_of(&[&default, &aliased, &bare]).await, restored);
    assert_eq!(bench.update_secret_calls().await, updates + 3);
    run.assert_stdout_has("restored 3 of 3");

    // WHEN backout applies again
    let again = bench.run(&["backout", "--plan", plan, "--apply"]).await;

    // THEN nothing is changed: each is reported as already on its previous key
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again.stdout.matches("already on its previous key").count(),
        3,
        "{}",
        again.stdout
    );
    assert_eq!(bench.update_secret_calls().await, updates + 3);
    assert_eq!(bench.keys_of(&[&default, &aliased, &bare]).await, restored);
}

#[tokio::test]
async fn a_secret_whose_key_changed_since_the_plan_is_refused_and_left_alone() {
    // GIVEN two re-keyed secrets, one of which someone moved again afterwards
    let bench = Bench::start().await.unwrap();
    let target = bench.cmk("alias/target").await;
    let other = bench.cmk("alias/other").await;
    let a = bench.secret("a", None).await;
    let b = bench.secret("b", None).await;
    let plan = bench.path("plan.json");
    let plan = plan.to_str().unwrap();
    let run = bench.remediate_apply("alias/target", plan, &[]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    seed::update_secret_key(&bench.sm(), &b.arn, &other.arn)
        .await
        .unwrap();

    // WHEN backout applies
    let run = bench.run(&["backout", "--plan", plan, "--apply"]).await;

    // THEN a is restored, b is refused and keeps the key it was moved to; exit 2
    assert_eq!(run.code, 2);
    run.assert_stdout_has("its key is not the one the plan moved it to");
    assert_eq!(
        bench.keys_of(&[&a, &b]).await,
        [None, Some(other.arn.clone())]
    );
    assert_ne!(other.arn, target.arn);
}

#[tokio::test]
async fn a_previous_key_that_is_no_longer_usable_is_not_restored() {
    // GIVEN a secret moved off a CMK that has since been disabled
    let bench = Bench::start().await.unwrap();
    bench.cmk("alias/target").await;
    let old = bench.cmk("alias/old").await;
    let a = bench.secret("a", Some(&old.arn)).await;
    let plan = bench.path("plan.json");
    let plan = plan.to_str().unwrap();
    let run = bench
        .remediate_apply("alias/target", plan, &["--secret", "a"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    seed::disable_key(&bench.kms(), &old.key_id).await.unwrap();
    let on_target = bench.key_of(&a).await;
    let updates = bench.update_secret_calls().await;

    // WHEN backout applies
    let run = bench.run(&["backout", "--plan", plan, "--apply"]).await;

    // THEN it refuses (the secret would become unreadable), changing nothing
    assert_eq!(run.code, 2);
    run.assert_stdout_has("is Disabled, not Enabled");
    assert_eq!(bench.key_of(&a).await, on_target);
    assert_eq!(bench.update_secret_calls().await, updates);
}

#[tokio::test]
async fn a_plan_that_is_not_ours_or_of_another_version_is_refused() {
    let bench = Bench::start().await.unwrap();
    for (content, why) in [
        (
            "{\"version\": 99, \"entries\": []}",
            "plan version 99 is not supported",
        ),
        ("{\"entries\": []}", "not a secrets-cmk backout plan"),
        ("garbage", "not a valid backout plan"),
    ] {
        // GIVEN a plan file with this content
        let path = bench.path("plan.json");
        std::fs::write(&path, content).unwrap();
        // WHEN backout reads it
        let run = bench
            .run(&["backout", "--plan", path.to_str().unwrap(), "--apply"])
            .await;
        // THEN exit 2, naming the file and the problem, and no AWS call
        assert_eq!(run.code, 2);
        run.assert_stderr_has(path.to_str().unwrap());
        run.assert_stderr_has(why);
    }
    assert!(bench.emulator.requests().await.unwrap().is_empty());
    // AND a missing file says so
    let run = bench.run(&["backout", "--plan", "nowhere.json"]).await;
    assert_eq!(run.code, 2);
    run.assert_stderr_has("nowhere.json");
}
