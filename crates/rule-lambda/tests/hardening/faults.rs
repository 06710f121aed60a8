//! Injected faults: throttling and 5xx on every call must change nothing that is
//! reported; a permanent AccessDenied must cost only the secrets it hides, named in the
//! invocation's error, with no guessed verdict.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use secrets_cmk_harness::seed::{NewSecret, create_cmk, create_secret, create_secrets};
use secrets_cmk_harness::{Result, Stage};
use serde_json::json;

use crate::RULE_BINARY;
use crate::estate::seed_estate;

/// Secrets in the fault test: three pages of ListSecrets, three PutEvaluations batches.
const ESTATE: usize = 300;
/// Faulted sweeps, each with its own seeds.
const SEEDS: u64 = 8;

#[tokio::test]
async fn throttling_and_server_errors_on_every_call_change_nothing_that_is_reported() -> Result<()>
{
    // GIVEN an estate of 300 secrets over every kind of key, swept once without faults
    let stage = Stage::start(RULE_BINARY).await?;
    let estate = seed_estate(&stage, ESTATE).await?;
    let clean = stage.sweep(None).await?;
    clean.assert_succeeded();
    let expected = clean.verdicts();
    assert_eq!(expected.len(), ESTATE);

    // AND faults on every call: 2% answered 5xx, 10% of the rest throttled, drawn from
    // a seeded stream (each run injects the same faults), plus a fault on the first call
    // of each operation the sweep makes, so that each is retried whatever the draw
    let first_of =
        |operation: &str, kind: &str| json!({"operation": operation, "kind": kind, "count": 1});
    let mut injected_total: BTreeMap<String, usize> = BTreeMap::new();
    let mut requests_total = 0;
    let started = Instant::now();
    for seed in 1..=SEEDS {
        stage
            .set_faults(json!([
                first_of("ListSecrets", "throttle"),
                first_of("DescribeKey", "server_error"),
                first_of("PutEvaluations", "server_error"),
                first_of("GetComplianceDetailsByConfigRule", "throttle"),
                {"kind": "server_error", "rate": 0.02, "seed": seed},
                {"kind": "throttle", "rate": 0.10, "seed": 1000 + seed},
            ]))
            .await?;
        let requests_before = stage.emulator.requests().await?.len();

        // WHEN the same estate is swept again
        let faulted = stage.sweep(None).await?;
        stage.set_faults(json!([])).await?;

        // THEN the sweep succeeded, every call kind having been faulted and retried
        faulted.assert_succeeded();
        let injected = stage.faults_injected(requests_before).await?;
        for operation in [
            "ListSecrets",
            "DescribeKey",
            "PutEvaluations",
            "GetComplianceDetailsByConfigRule",
        ] {
            assert!(
                injected.get(operation).is_some_and(|n| *n >= 1),
                "seed {seed}: {operation} was never faulted: {injected:?}"
            );
        }
        // AND every secret was reported exactly once (a faulted PutEvaluations is
        // answered before the request reaches Config, so its retry records nothing twice)
        let times = faulted.times_reported();
        assert_eq!(times.len(), ESTATE, "seed {seed}: {times:?}");
        assert!(times.values().all(|n| *n == 1), "seed {seed}: {times:?}");
        let listed: BTreeSet<&str> = estate.secrets.iter().map(|s| s.arn.as_str()).collect();
        assert_eq!(times.keys().copied().collect::<BTreeSet<_>>(), listed);
        // AND with exactly the verdicts and annotations of the fault-free run
        assert_eq!(faulted.verdicts(), expected, "seed {seed}");

        requests_total += stage.emulator.requests().await?.len() - requests_before;
        for (operation, n) in injected {
            *injected_total.entry(operation).or_default() += n;
        }
    }
    eprintln!(
        "faults: {SEEDS} faulted sweeps of {ESTATE} secrets in {:?}: {} faults over \
         {requests_total} requests {injected_total:?}",
        started.elapsed(),
        injected_total.values().sum::<usize>()
    );
    Ok(())
}

#[tokio::test]
async fn permanent_access_denied_on_one_key_skips_only_its_secrets_and_names_them() -> Result<()> {
    // GIVEN 120 secrets on a good key or the default key, and 2 on a key of the same
    // account (by key id and by key ARN), all swept once without faults
    let stage = Stage::start(RULE_BINARY).await?;
    let kms = stage.kms();
    let good = create_cmk(&kms, "good").await?;
    let hidden = create_cmk(&kms, "hidden").await?;
    let sm = stage.secretsmanager();
    let others = create_secrets(&sm, "other", 120, |i| {
        (i % 3 != 0).then(|| good.arn.clone())
    })
    .await?;
    let denied = [
        create_secret(
            &sm,
            &NewSecret::named("denied-by-id").with_kms_key(&hidden.key_id),
        )
        .await?,
        create_secret(
            &sm,
            &NewSecret::named("denied-by-arn").with_kms_key(&hidden.arn),
        )
        .await?,
    ];
    stage.sweep(None).await?.assert_succeeded();
    let before = stage.stored_results().await?;

    // AND DescribeKey on that key is denied from now on
    stage
        .set_faults(json!([{
            "service": "kms", "operation": "DescribeKey", "kind": "access_denied",
            "match": hidden.key_id,
        }]))
        .await?;

    // WHEN the estate is swept
    let sweep = stage.sweep(None).await?;
    stage.set_faults(json!([])).await?;

    // THEN the invocation fails, retryably, naming both skipped secrets and why
    let (error_type, message) = sweep.assert_failed();
    assert_eq!(error_type, "Retryable", "{message}");
    for secret in &denied {
        assert!(
            message.contains(&secret.arn),
            "{} not named: {message}",
            secret.arn
        );
    }
    assert!(message.contains("denied"), "{message}");
    assert!(message.contains("2 secret(s) got no verdict"), "{message}");
    // AND every other secret was reported, each once
    let times = sweep.times_reported();
    let expected: BTreeSet<&str> = others.iter().map(|s| s.arn.as_str()).collect();
    assert_eq!(times.keys().copied().collect::<BTreeSet<_>>(), expected);
    assert!(times.values().all(|n| *n == 1), "{times:?}");
    // AND no verdict was guessed for the skipped ones: not reported at all (neither
    // NON_COMPLIANT nor COMPLIANT, nor NOT_APPLICABLE by the stale-result cleanup), so
    // Config still holds their last verified result
    let after = stage.stored_results().await?;
    for secret in &denied {
        assert!(!times.contains_key(secret.arn.as_str()));
        assert_eq!(
            after.get(&secret.arn),
            before.get(&secret.arn),
            "{}",
            secret.arn
        );
        assert_eq!(after[&secret.arn].compliance, "COMPLIANT");
    }
    Ok(())
}
