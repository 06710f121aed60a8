//! Everything one run measured, as data: written to `bench/work/results.json` (the
//! plot reads it) and rendered as `bench/RESULTS.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::estate::{Composition, MinimumCalls, OPERATIONS};
use crate::machine::{LoadSample, Machine};
use crate::measure::{Calls, FloorRun, SweepRun};
use crate::peer::PeerRun;
use crate::stats::{median, ms, percentile};

/// The targets of the issue, in one place.
pub(crate) mod target {
    /// Measured calls over the minimum.
    pub(crate) const CALL_RATIO: f64 = 1.0;
    /// Sweep time over the bare listing time, at most.
    pub(crate) const SWEEP_OVER_FLOOR: f64 = 1.3;
    /// `audit --organization`'s wall time over the ideal (one account-Region's audit ×
    /// pairs / concurrency), at most: pairs overlap their latency, and the process start
    /// and the organization's listing are paid once.
    pub(crate) const ORG_AUDIT_OVER_IDEAL: f64 = 1.5;
    /// Peak memory of the Lambda process during the largest sweep, at most (MB = 10^6 bytes).
    pub(crate) const PEAK_MEMORY_MB: f64 = 64.0;
    /// Process start to the first runtime API poll, at most (median).
    pub(crate) const COLD_START_MS: f64 = 50.0;
    /// The deployable zip, at most (MB = 10^6 bytes).
    pub(crate) const ZIP_MB: f64 = 8.0;
    /// The peer's calls over ours, at least.
    pub(crate) const PEER_CALLS_FACTOR: f64 = 10.0;
    /// The peer's time over ours, at least.
    pub(crate) const PEER_TIME_FACTOR: f64 = 5.0;
    /// Per-secret cost at the largest N over the smallest, at most, to call growth linear.
    pub(crate) const LINEAR_SLACK: f64 = 1.25;
}

/// One benchmark run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Results {
    /// When it ran (UTC, RFC 3339).
    pub(crate) date: String,
    /// Where.
    pub(crate) machine: Machine,
    /// Load averages through the run.
    pub(crate) load: Vec<LoadSample>,
    /// Repetitions of each timed measurement.
    pub(crate) runs: usize,
    /// Customer-managed keys (K).
    pub(crate) keys: usize,
    /// The deployable asset.
    pub(crate) asset: Asset,
    /// Cold starts.
    pub(crate) cold_start: ColdStart,
    /// `custodian version`.
    pub(crate) peer_version: Option<String>,
    /// One entry per N, smallest first.
    pub(crate) estates: Vec<EstateResult>,
    /// Under the latency model, and the evaluations Config bills: one entry per N (empty
    /// in runs from before it was measured).
    #[serde(default)]
    pub(crate) paid_for: Vec<crate::paid::PaidEstate>,
    /// `audit --organization` at scale (absent in runs from before it was measured, and
    /// when the run was told to skip it).
    #[serde(default)]
    pub(crate) org_audit: Option<crate::org_audit::OrgAudit>,
}

/// Sizes of the Lambda binary and its zip.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Asset {
    /// The binary measured (path as given).
    pub(crate) binary: String,
    /// `bootstrap`, bytes.
    pub(crate) binary_bytes: u64,
    /// The zip, bytes.
    pub(crate) zip_bytes: u64,
}

/// Process start to the first runtime API poll.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ColdStart {
    /// Every sample, in order.
    pub(crate) samples_ms: Vec<f64>,
    /// Their median.
    pub(crate) median_ms: f64,
    /// Their 95th percentile (nearest rank).
    pub(crate) p95_ms: f64,
}

impl ColdStart {
    /// Summarises the samples.
    pub(crate) fn new(samples: &[std::time::Duration]) -> ColdStart {
        let samples_ms: Vec<f64> = samples.iter().copied().map(ms).collect();
        ColdStart {
            median_ms: median(&samples_ms),
            p95_ms: percentile(&samples_ms, 95.0),
            samples_ms,
        }
    }
}

/// What is known of an estate before any measurement.
#[derive(Clone, Debug)]
pub(crate) struct EstateFacts {
    /// N.
    pub(crate) n: usize,
    /// How it is made up.
    pub(crate) composition: Composition,
    /// How long seeding took.
    pub(crate) seed_secs: f64,
    /// The fewest calls a sweep can make.
    pub(crate) minimum: MinimumCalls,
}

/// Everything measured on one estate.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct EstateResult {
    /// N.
    pub(crate) n: usize,
    /// How the estate is made up.
    pub(crate) composition: Composition,
    /// How long seeding took (not a figure; context).
    pub(crate) seed_secs: f64,
    /// The fewest calls a sweep can make.
    pub(crate) minimum: MinimumCalls,
    /// The first sweep's calls, by operation.
    pub(crate) calls: Calls,
    /// Whether every sweep made exactly the same calls.
    pub(crate) calls_identical_across_runs: bool,
    /// Each sweep's wall time.
    pub(crate) sweep_ms: Vec<f64>,
    /// Their median.
    pub(crate) sweep_median_ms: f64,
    /// Each sweep's CPU time in the Lambda process.
    pub(crate) sweep_cpu_ms: Vec<f64>,
    /// Their median.
    pub(crate) sweep_cpu_median_ms: f64,
    /// Each bare listing's wall time.
    pub(crate) floor_ms: Vec<f64>,
    /// Their median.
    pub(crate) floor_median_ms: f64,
    /// ListSecrets pages of one bare listing.
    pub(crate) floor_pages: usize,
    /// Each run of the sweep's minimum calls made back to back by the driver.
    pub(crate) calls_floor_ms: Vec<f64>,
    /// Their median.
    pub(crate) calls_floor_median_ms: f64,
    /// The calls floor's time per operation: the median over runs, ms.
    #[serde(default)]
    pub(crate) calls_floor_by_operation_ms: BTreeMap<String, f64>,
    /// Evaluations of the first sweep, by compliance type.
    pub(crate) verdicts: BTreeMap<String, u64>,
    /// The Lambda process's resident set once started, before any event (KiB).
    pub(crate) lambda_idle_rss_kib: Option<u64>,
    /// The Lambda process's peak resident set after every sweep of this estate (KiB).
    pub(crate) lambda_peak_rss_kib: Option<u64>,
    /// The peer on the same estate.
    pub(crate) peer: Peer,
}

/// What the peer did on one estate.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum Peer {
    /// It ran.
    Ran {
        /// Each run's process wall time.
        wall_ms: Vec<f64>,
        /// Their median.
        wall_median_ms: f64,
        /// Each run's policy time as c7n logs it.
        policy_ms: Vec<f64>,
        /// Their median.
        policy_median_ms: f64,
        /// The first run's calls by operation.
        calls: Calls,
        /// Secrets it flagged.
        flagged: usize,
    },
    /// It could not run; why.
    Failed {
        /// c7n's own words.
        reason: String,
    },
}

impl EstateResult {
    /// Summarises one estate's measurements.
    pub(crate) fn new(
        estate: EstateFacts,
        sweeps: &[SweepRun],
        (floors, calls_floors): (&[FloorRun], &[FloorRun]),
        memory: (Option<u64>, Option<u64>),
        peer: Peer,
    ) -> EstateResult {
        let EstateFacts {
            n,
            composition,
            seed_secs,
            minimum,
        } = estate;
        let sweep_ms: Vec<f64> = sweeps.iter().map(|s| ms(s.wall)).collect();
        let sweep_cpu_ms: Vec<f64> = sweeps.iter().filter_map(|s| s.cpu).map(ms).collect();
        let floor_ms: Vec<f64> = floors.iter().map(|f| ms(f.wall)).collect();
        let calls_floor_ms: Vec<f64> = calls_floors.iter().map(|f| ms(f.wall)).collect();
        let calls = sweeps.first().map(|s| s.calls.clone()).unwrap_or_default();
        EstateResult {
            n,
            composition,
            seed_secs,
            minimum,
            calls_identical_across_runs: sweeps.iter().all(|s| s.calls == calls),
            calls,
            sweep_median_ms: median(&sweep_ms),
            sweep_ms,
            sweep_cpu_median_ms: median(&sweep_cpu_ms),
            sweep_cpu_ms,
            floor_median_ms: median(&floor_ms),
            floor_ms,
            floor_pages: floors.first().map_or(0, |f| f.pages),
            calls_floor_median_ms: median(&calls_floor_ms),
            calls_floor_by_operation_ms: median_by_phase(calls_floors),
            calls_floor_ms,
            verdicts: sweeps
                .first()
                .map(|s| s.reported.clone())
                .unwrap_or_default(),
            lambda_idle_rss_kib: memory.0,
            lambda_peak_rss_kib: memory.1,
            peer,
        }
    }

    /// Total calls of the first sweep.
    pub(crate) fn total_calls(&self) -> usize {
        self.calls.values().sum()
    }

    /// Measured calls over the minimum.
    pub(crate) fn call_ratio(&self) -> f64 {
        self.total_calls() as f64 / self.minimum.total().max(1) as f64
    }

    /// Whether every operation made exactly its minimum and nothing else was called.
    pub(crate) fn calls_are_minimal(&self) -> bool {
        let expected: BTreeMap<String, usize> = self
            .minimum
            .by_operation()
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(op, n)| ((*op).to_owned(), *n))
            .collect();
        self.calls == expected && self.calls_identical_across_runs
    }

    /// Median sweep over median floor.
    pub(crate) fn sweep_over_floor(&self) -> f64 {
        self.sweep_median_ms / self.floor_median_ms.max(f64::MIN_POSITIVE)
    }

    /// Median sweep over the median time of its minimum calls made back to back.
    pub(crate) fn sweep_over_calls_floor(&self) -> f64 {
        self.sweep_median_ms / self.calls_floor_median_ms.max(f64::MIN_POSITIVE)
    }

    /// Operations the sweep or the peer called, minimum's first.
    pub(crate) fn operations(&self) -> Vec<String> {
        let mut ops: Vec<String> = OPERATIONS.iter().map(|s| (*s).to_owned()).collect();
        let extra = self.calls.keys().chain(match &self.peer {
            Peer::Ran { calls, .. } => calls.keys().collect::<Vec<_>>(),
            Peer::Failed { .. } => Vec::new(),
        });
        for op in extra {
            if !ops.contains(op) {
                ops.push(op.clone());
            }
        }
        ops
    }
}

impl Peer {
    /// Summarises the peer's runs, or says why it could not run.
    pub(crate) fn from_runs(runs: &[PeerRun], failure: Option<String>) -> Peer {
        match (failure, runs.first()) {
            (Some(reason), _) => Peer::Failed { reason },
            (None, None) => Peer::Failed {
                reason: "not run".to_owned(),
            },
            (None, Some(first)) => {
                let wall_ms: Vec<f64> = runs.iter().map(|r| ms(r.wall)).collect();
                let policy_ms: Vec<f64> = runs
                    .iter()
                    .map(|r| ms(r.policy_time.unwrap_or(r.wall)))
                    .collect();
                Peer::Ran {
                    wall_median_ms: median(&wall_ms),
                    wall_ms,
                    policy_median_ms: median(&policy_ms),
                    policy_ms,
                    calls: first.calls.clone(),
                    flagged: first.flagged,
                }
            }
        }
    }
}

/// The median time of each phase over runs, ms.
fn median_by_phase(runs: &[FloorRun]) -> BTreeMap<String, f64> {
    let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for run in runs {
        for (name, time) in &run.phases {
            samples
                .entry((*name).to_owned())
                .or_default()
                .push(ms(*time));
        }
    }
    samples
        .into_iter()
        .map(|(name, values)| (name, median(&values)))
        .collect()
}
