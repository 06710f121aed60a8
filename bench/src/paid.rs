//! What a user pays for, measured on the same estate, emulator and Lambda process as the
//! other figures: the sweep's time against the bare listing under the emulator's latency
//! model (network time that concurrent calls overlap, as against AWS), and the
//! evaluations a steady-state sweep records (Config bills each) with and without
//! `reportChangesOnly`, with the monthly Config cost they imply.

use secrets_cmk_harness::{Emulator, LambdaProcess};
use serde::{Deserialize, Serialize};

use crate::error::{BenchError, Result};
use crate::measure::{self, Calls, SweepRun};
use crate::stats::{median, ms};

/// The latency every request gets: tens of milliseconds, as a call to AWS costs.
pub(crate) const LATENCY_MS: f64 = 25.0;

/// The rule parameters of a `reportChangesOnly` sweep.
const CHANGES_ONLY: &str = r#"{"reportChangesOnly":"true"}"#;

/// AWS Config's price per custom-rule evaluation recorded, per account and Region a
/// month, by tier (<https://aws.amazon.com/config/pricing/>, public Regions):
/// (evaluations up to, USD each). Above the last tier: [`PRICE_BEYOND`].
pub(crate) const PRICE_TIERS: [(u64, f64); 2] = [(100_000, 0.001), (500_000, 0.0008)];
/// USD per evaluation beyond 500,000 a month.
pub(crate) const PRICE_BEYOND: f64 = 0.0005;
/// Periodic runs a month (30 days): hourly and daily.
pub(crate) const RUNS_A_MONTH: [(&str, u64); 2] = [("hourly", 720), ("daily", 30)];

/// The figures of one estate.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PaidEstate {
    /// N.
    pub(crate) n: usize,
    /// The latency of every request, ms.
    pub(crate) latency_ms: f64,
    /// Each bare listing under latency, ms.
    pub(crate) floor_ms: Vec<f64>,
    /// Each default sweep under latency, ms.
    pub(crate) sweep_ms: Vec<f64>,
    /// Each steady-state `reportChangesOnly` sweep under latency, ms.
    pub(crate) changes_only_ms: Vec<f64>,
    /// The minimum calls of a sweep (total), and the first default sweep's calls.
    pub(crate) minimum_calls: usize,
    /// The first default sweep's calls under latency.
    pub(crate) sweep_calls: Calls,
    /// Whether every default sweep under latency made exactly the minimum.
    pub(crate) calls_minimal: bool,
    /// The first `reportChangesOnly` sweep's calls.
    pub(crate) changes_only_calls: Calls,
    /// Evaluations a steady-state sweep recorded: default, then `reportChangesOnly`.
    pub(crate) evaluations: (u64, u64),
}

impl PaidEstate {
    /// Median sweep over median floor.
    pub(crate) fn sweep_over_floor(&self) -> f64 {
        median(&self.sweep_ms) / median(&self.floor_ms).max(f64::EPSILON)
    }
}

/// Measure one estate: `runs` rounds of (bare listing, sweep) under [`LATENCY_MS`], order
/// alternated, then `runs` steady-state `reportChangesOnly` sweeps. The estate's results
/// are already in Config (the earlier sweeps put them), so every sweep here is steady
/// state. `minimum` is the sweep's minimum calls by operation.
pub(crate) async fn measure(
    emulator: &Emulator,
    lambda: &LambdaProcess,
    n: usize,
    runs: usize,
    minimum: &Calls,
) -> Result<PaidEstate> {
    let secretsmanager = emulator.secretsmanager(secrets_cmk_harness::DEFAULT_REGION);
    emulator.set_latency(LATENCY_MS, 0.0, 0).await?;
    let mut floor_ms = Vec::new();
    let mut sweeps: Vec<SweepRun> = Vec::new();
    for round in 0..runs {
        for floor_first in [round % 2 == 0, round % 2 == 1] {
            if floor_first {
                floor_ms.push(ms(measure::list_floor(&secretsmanager).await?.wall));
            } else {
                let sweep = measure::sweep(emulator, lambda).await?;
                expect_reported(&sweep, n as u64, "a default sweep")?;
                sweeps.push(sweep);
            }
        }
    }
    let mut changes_only: Vec<SweepRun> = Vec::new();
    for _ in 0..runs {
        changes_only.push(measure::sweep_with(emulator, lambda, Some(CHANGES_ONLY)).await?);
    }
    emulator.set_latency(0.0, 0.0, 0).await?;
    eprintln!(
        "bench: N={n}: under {LATENCY_MS} ms latency: floor {:.0} ms, sweep {:.0} ms, \
         reportChangesOnly sweep {:.0} ms",
        median(&floor_ms),
        median(&sweeps.iter().map(|s| ms(s.wall)).collect::<Vec<_>>()),
        median(&changes_only.iter().map(|s| ms(s.wall)).collect::<Vec<_>>()),
    );
    let recorded = |sweep: Option<&SweepRun>| sweep.map_or(0, |s| s.reported.values().sum());
    Ok(PaidEstate {
        n,
        latency_ms: LATENCY_MS,
        floor_ms,
        sweep_ms: sweeps.iter().map(|s| ms(s.wall)).collect(),
        changes_only_ms: changes_only.iter().map(|s| ms(s.wall)).collect(),
        minimum_calls: minimum.values().sum(),
        sweep_calls: sweeps.first().map(|s| s.calls.clone()).unwrap_or_default(),
        calls_minimal: sweeps.iter().all(|s| &s.calls == minimum),
        changes_only_calls: changes_only
            .first()
            .map(|s| s.calls.clone())
            .unwrap_or_default(),
        evaluations: (recorded(sweeps.last()), recorded(changes_only.last())),
    })
}

fn expect_reported(sweep: &SweepRun, n: u64, what: &str) -> Result<()> {
    let reported: u64 = sweep.reported.values().sum();
    if reported == n {
        Ok(())
    } else {
        Err(BenchError::Failed(format!(
            "{what} reported {reported} evaluations, not {n}"
        )))
    }
}

/// The monthly Config bill, USD, for `evaluations` a month in one account and Region,
/// with this rule the only one recording evaluations there (the tiers count them all).
pub(crate) fn monthly_cost(evaluations: u64) -> f64 {
    let mut cost = 0.0;
    let mut below = 0;
    for (up_to, price) in PRICE_TIERS {
        let in_tier = evaluations.min(up_to).saturating_sub(below);
        cost = (in_tier as f64).mul_add(price, cost);
        below = up_to;
    }
    (evaluations.saturating_sub(below) as f64).mul_add(PRICE_BEYOND, cost)
}

#[cfg(test)]
mod tests {
    use super::monthly_cost;

    #[test]
    fn the_bill_follows_the_tiers() {
        // GIVEN evaluations inside the first tier, across two, across all three
        // WHEN priced / THEN each tier at its own price
        assert!((monthly_cost(0) - 0.0).abs() < 1e-9);
        assert!((monthly_cost(30_000) - 30.0).abs() < 1e-9);
        assert!((monthly_cost(300_000) - (100.0 + 160.0)).abs() < 1e-9);
        assert!((monthly_cost(7_200_000) - 3_770.0).abs() < 1e-6);
    }
}
