//! The Lambda deadline: when the time left runs low, the sweep stops starting new work,
//! reports what it decided, and fails saying how far it got, instead of being killed
//! mid-batch. The deadline is the real one (`Lambda-Runtime-Deadline-Ms`), the slowness
//! the emulator's `slow` fault.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use secrets_cmk_harness::events::{now, scheduled_event};
use secrets_cmk_harness::{Result, Stage};
use serde_json::json;

use crate::RULE_BINARY;
use crate::estate::seed_estate;

const ESTATE: usize = 400;
/// The margin the Lambda keeps before its deadline (`SECRETS_CMK_DEADLINE_MARGIN_MS`).
const MARGIN_MS: u64 = 2_000;
/// The invocation's deadline: the margin starts 3 s in.
const DEADLINE: Duration = Duration::from_millis(5_000);

#[tokio::test]
async fn near_the_deadline_the_sweep_reports_whole_pages_and_fails_saying_how_far_it_got()
-> Result<()> {
    // GIVEN 400 secrets (4 pages), a Lambda keeping a 2 s margin before its deadline,
    // ListSecrets answering in 0.6 s for two pages and then hanging for 30 s
    let stage = Stage::start_with(RULE_BINARY, |options| {
        options.with_env("SECRETS_CMK_DEADLINE_MARGIN_MS", MARGIN_MS.to_string())
    })
    .await?;
    let estate = seed_estate(&stage, ESTATE).await?;
    let pages = stage.listing_order().await?;
    assert_eq!(pages.len(), 4);
    stage
        .set_faults(json!([
            {"operation": "ListSecrets", "kind": "slow", "delay_ms": 600, "count": 2},
            {"operation": "ListSecrets", "kind": "slow", "delay_ms": 30_000},
        ]))
        .await?;

    // WHEN a sweep is invoked with a 5 s deadline
    let context = stage.context(None).await?;
    let started = Instant::now();
    let sweep = stage
        .invoke_with_deadline(&context, &scheduled_event(&context, now()), DEADLINE)
        .await?;
    let elapsed = started.elapsed();
    stage.set_faults(json!([])).await?;

    // THEN it answered before the deadline, with an error (Config retries it)
    assert!(elapsed < DEADLINE, "answered after {elapsed:?}");
    let (error_type, message) = sweep.assert_failed();
    assert_eq!(error_type, "Retryable", "{message}");
    assert!(message.contains("deadline"), "{message}");
    // AND what it reported is exactly the first k whole pages, each secret once: no batch
    // cut, nothing decided left unreported, nothing of the abandoned page
    let reported: BTreeSet<&str> = sweep
        .evaluations()
        .map(|e| e.resource_id.as_str())
        .collect();
    assert_eq!(
        reported.len(),
        sweep.evaluations().count(),
        "a secret reported twice"
    );
    let k = reported.len() / 100;
    assert!(
        (1..pages.len()).contains(&k) && reported.len() == k * 100,
        "expected some whole pages, fewer than all: {} reported",
        reported.len()
    );
    let first_pages: BTreeSet<&str> = pages[..k].iter().flatten().map(String::as_str).collect();
    assert_eq!(reported, first_pages);
    // AND the error says how far it got
    for words in [
        format!("after {k} page(s)"),
        format!("{} secret(s) seen", k * 100),
        format!("page {} was abandoned", k + 1),
        format!("{} evaluation(s) were reported", k * 100),
    ] {
        assert!(message.contains(&words), "{words:?} missing: {message}");
    }

    // AND the same process serves the next invocation, which sweeps everything
    let next = stage.sweep(None).await?;
    next.assert_succeeded();
    assert_eq!(next.times_reported().len(), estate.secrets.len());
    assert!(stage.lambda.is_running());
    eprintln!("deadline: {k} page(s) reported, answered in {elapsed:?} of {DEADLINE:?}");
    Ok(())
}
