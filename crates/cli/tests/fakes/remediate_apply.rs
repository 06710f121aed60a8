//! `remediate --apply`: the backout plan exists before the first UpdateSecret and is
//! rewritten after each change, a failure half way leaves the others changed and its
//! entry failed, and a read-back that lags is retried, then reported.

use crate::support::{OLD, TARGET, account, plan_path, remediate, remediation};
use secrets_cmk_aws::op;
use secrets_cmk_aws::testing::{Failure, FakeAws, secret_arn};
use secrets_cmk_cli::change::{VERIFY_ATTEMPTS, VERIFY_DELAY};
use secrets_cmk_cli::plan::{EntryStatus, Plan};
use std::sync::{Arc, Mutex};

/// The entries' statuses of a plan.
fn statuses(plan: &Plan) -> Vec<EntryStatus> {
    plan.entries.iter().map(|e| e.status).collect()
}

/// DescribeSecret calls of `secret` after its (first) UpdateSecret.
fn reads_after_update(aws: &FakeAws, secret: &str) -> usize {
    let log = aws.call_log();
    let Some(update) = log
        .iter()
        .position(|c| c.operation == op::UPDATE_SECRET && c.target == secret)
    else {
        panic!("no UpdateSecret of {secret}: {log:?}");
    };
    log[update..]
        .iter()
        .filter(|c| c.operation == op::DESCRIBE_SECRET && c.target == secret)
        .count()
}

#[tokio::test(start_paused = true)]
async fn the_plan_is_written_before_the_first_update_secret_and_after_each_change() {
    // GIVEN a default-key secret and one on alias/old, and a hook that reads the plan
    // file at every UpdateSecret
    let aws = account();
    aws.add_secret("a", None);
    aws.add_secret("b", Some("alias/old"));
    let dir = tempfile::tempdir().unwrap();
    let path = plan_path(dir.path());
    let seen: Arc<Mutex<Vec<Result<Plan, String>>>> = Arc::default();
    let (hook_seen, hook_path) = (Arc::clone(&seen), path.clone());
    aws.on_update_secret(move |_, _| {
        let plan = Plan::load(&hook_path).map_err(|e| e.to_string());
        hook_seen.lock().unwrap().push(plan);
    });

    // WHEN both are re-keyed
    let run = remediate(&aws, &remediation(dir.path(), TARGET, &["a", "b"])).await;

    // THEN at the first UpdateSecret the plan already held both entries, pending, with
    // the keys to go back to
    run.assert_ok();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "one UpdateSecret per secret");
    let first = seen[0]
        .as_ref()
        .expect("the plan exists at the first change");
    assert_eq!(
        statuses(first),
        [EntryStatus::Pending, EntryStatus::Pending]
    );
    assert_eq!(first.entries[0].secret_arn, secret_arn("a"));
    assert_eq!(first.entries[0].previous_kms_key_id, None);
    assert_eq!(
        first.entries[1].previous_kms_key_id.as_deref(),
        Some("alias/old")
    );
    assert_eq!(first.entries[1].previous_key_arn.as_deref(), Some(OLD));
    assert!(first.entries.iter().all(|e| e.new_key_arn == TARGET));
    // AND at the second the first change was recorded
    let second = seen[1].as_ref().unwrap();
    assert_eq!(
        statuses(second),
        [EntryStatus::Changed, EntryStatus::Pending]
    );
    assert!(second.entries[0].changed_at.is_some());
    // AND at the end both are changed, and the output says where the plan is
    let last = Plan::load(&path).unwrap();
    assert_eq!(
        statuses(&last),
        [EntryStatus::Changed, EntryStatus::Changed]
    );
    assert!(last.entries.iter().all(|e| e.changed_at.is_some()));
    assert_eq!(aws.kms_key_of("b").as_deref(), Some(TARGET));
    assert!(run.out.contains("Backout plan written to"), "{}", run.out);
}

#[tokio::test(start_paused = true)]
async fn a_failure_half_way_fails_its_entry_and_the_others_are_changed() {
    // GIVEN three NON_COMPLIANT secrets, and UpdateSecret failing on the second call
    let aws = account();
    for name in ["a", "b", "c"] {
        aws.add_secret(name, None);
    }
    aws.fail_update_call(
        2,
        Failure::access_denied("User is not authorized to perform kms:GenerateDataKey"),
    );
    let dir = tempfile::tempdir().unwrap();

    // WHEN every NON_COMPLIANT secret is re-keyed
    let run = remediate(&aws, &remediation(dir.path(), TARGET, &[])).await;

    // THEN the run is incomplete, naming the one failure
    let message = run.incomplete();
    assert!(
        message.contains("0 secret(s) refused and 1 failed"),
        "{message}"
    );
    // AND the first and third were changed, the second not, and the third was still tried
    assert_eq!(aws.kms_key_of("a").as_deref(), Some(TARGET));
    assert_eq!(aws.kms_key_of("b"), None);
    assert_eq!(aws.kms_key_of("c").as_deref(), Some(TARGET));
    assert_eq!(aws.calls_of(op::UPDATE_SECRET), 3);
    // AND the plan marks the second failed with the error, never changed
    let plan = Plan::load(&plan_path(dir.path())).unwrap();
    assert_eq!(
        statuses(&plan),
        [
            EntryStatus::Changed,
            EntryStatus::Failed,
            EntryStatus::Changed
        ]
    );
    let failed = &plan.entries[1];
    assert_eq!(failed.secret_arn, secret_arn("b"));
    let error = failed.error.as_deref().unwrap();
    assert!(
        error.contains("secretsmanager:UpdateSecret failed (AccessDeniedException)"),
        "{error}"
    );
    assert!(error.contains("not authorized"), "{error}");
    assert_eq!(failed.changed_at, None);
    assert!(run.out.contains("re-keyed 2 of 3"), "{}", run.out);
}

#[tokio::test(start_paused = true)]
async fn a_change_shown_on_the_second_read_is_verified() {
    // GIVEN a secret whose DescribeSecret shows the old key for one read after the change
    let aws = account();
    aws.add_secret("a", None);
    aws.lag_describe("a", 1);
    let dir = tempfile::tempdir().unwrap();
    let started = tokio::time::Instant::now();

    // WHEN re-keyed
    let run = remediate(&aws, &remediation(dir.path(), TARGET, &["a"])).await;

    // THEN verified on the retry, after one wait: the entry is changed
    run.assert_ok();
    assert_eq!(reads_after_update(&aws, &secret_arn("a")), 2);
    assert!(started.elapsed() >= VERIFY_DELAY, "{:?}", started.elapsed());
    let plan = Plan::load(&plan_path(dir.path())).unwrap();
    assert_eq!(statuses(&plan), [EntryStatus::Changed]);
    assert_eq!(plan.entries[0].error, None);
}

#[tokio::test(start_paused = true)]
async fn a_change_not_shown_in_any_read_fails_not_verified_with_its_time() {
    // GIVEN a secret whose DescribeSecret lags the change for every verification read
    let aws = account();
    aws.add_secret("a", None);
    aws.lag_describe("a", VERIFY_ATTEMPTS as usize);
    let dir = tempfile::tempdir().unwrap();

    // WHEN re-keyed
    let run = remediate(&aws, &remediation(dir.path(), TARGET, &["a"])).await;

    // THEN incomplete after VERIFY_ATTEMPTS reads; the entry is failed "not verified",
    // with the time of the change (UpdateSecret did succeed: backout may be needed)
    let message = run.incomplete();
    assert!(message.contains("1 failed"), "{message}");
    assert_eq!(
        reads_after_update(&aws, &secret_arn("a")),
        VERIFY_ATTEMPTS as usize
    );
    let plan = Plan::load(&plan_path(dir.path())).unwrap();
    let entry = &plan.entries[0];
    assert_eq!(entry.status, EntryStatus::Failed);
    let error = entry.error.as_deref().unwrap();
    assert!(error.contains("not verified"), "{error}");
    assert!(
        error.contains("DescribeSecret still shows (default) aws/secretsmanager"),
        "{error}"
    );
    assert!(entry.changed_at.is_some());
    assert_eq!(aws.kms_key_of("a").as_deref(), Some(TARGET));
}
