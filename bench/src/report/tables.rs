//! The report's Markdown tables: the machine, the figures against their targets, each
//! estate's API calls, sweep time and growth, the calls floor by operation, the peer and
//! the estates. Each function returns the table's lines, each ending in a newline.

use std::fmt::Write as _;

use super::figures::{Growth, PeerRatios, zip_mb};
use super::format::{MB, int, kib_as_mb, met, millis, one_line};
use crate::estate::{OPERATIONS, REPLICA_REGION};
use crate::results::{EstateResult, Peer, Results, target};

/// The machine the run was on, and how busy it was.
pub(crate) fn machine(r: &Results) -> String {
    let mut t = String::new();
    let m = &r.machine;
    let _ = writeln!(t, "| | |\n|---|---|");
    let _ = writeln!(t, "| CPU | {} ({} cores) |", m.cpu_model, m.cores);
    let _ = writeln!(t, "| Memory | {:.1} GiB |", m.memory_gib);
    let _ = writeln!(t, "| OS | {}, kernel {} |", m.os, m.kernel);
    if let Some(rustc) = &m.rustc {
        let _ = writeln!(t, "| Rust | {rustc} |");
    }
    if let Some(version) = &r.peer_version {
        let _ = writeln!(t, "| Cloud Custodian | c7n {version} |");
    }
    let loads: Vec<String> = r
        .load
        .iter()
        .map(|l| {
            format!(
                "{}: {:.2} / {:.2} / {:.2}",
                l.when, l.one, l.five, l.fifteen
            )
        })
        .collect();
    let _ = writeln!(
        t,
        "| Load average (1 / 5 / 15 min) | {} |",
        loads.join("<br>")
    );
    t
}

/// Every figure beside its target.
pub(crate) fn figures(r: &Results) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| figure | measured | target | met? |\n|---|---|---|---|"
    );
    for e in &r.estates {
        let _ = writeln!(
            t,
            "| API calls of one sweep / minimum, N = {} | {:.2} ({} of {}) | {:.2} | {} |",
            int(e.n),
            e.call_ratio(),
            int(e.total_calls()),
            int(e.minimum.total()),
            target::CALL_RATIO,
            met(e.calls_are_minimal())
        );
    }
    for e in &r.estates {
        let _ = writeln!(
            t,
            "| Sweep time / bare ListSecrets floor, N = {} | {:.2}× ({} / {}); {:.2}× its calls floor | ≤ {:.1}× | {} |",
            int(e.n),
            e.sweep_over_floor(),
            millis(e.sweep_median_ms),
            millis(e.floor_median_ms),
            e.sweep_over_calls_floor(),
            target::SWEEP_OVER_FLOOR,
            met(e.sweep_over_floor() <= target::SWEEP_OVER_FLOOR)
        );
    }
    if let Some(g) = Growth::of(r) {
        let _ = writeln!(
            t,
            "| Growth from N = {} to {} (×{:.0}) | calls ×{:.2}, Lambda CPU ×{:.2}; wall time ×{:.2} (floor ×{:.2}) | linear (×{:.0}) | {} |",
            int(g.small.n),
            int(g.large.n),
            g.factor,
            g.calls,
            g.cpu,
            g.wall,
            g.floor,
            g.factor,
            g.verdict()
        );
    }
    if let Some(largest) = r.estates.last() {
        match largest.lambda_peak_rss_kib {
            Some(kib) => {
                let mb = kib_as_mb(kib);
                let _ = writeln!(
                    t,
                    "| Peak memory (VmHWM) of the Lambda process, N = {} sweeps | {:.1} MB | ≤ {:.0} MB | {} |",
                    int(largest.n),
                    mb,
                    target::PEAK_MEMORY_MB,
                    met(mb <= target::PEAK_MEMORY_MB)
                );
            }
            None => {
                let _ = writeln!(
                    t,
                    "| Peak memory of the Lambda process | not measured (no /proc) | ≤ {:.0} MB | **no** |",
                    target::PEAK_MEMORY_MB
                );
            }
        }
    }
    let c = &r.cold_start;
    let _ = writeln!(
        t,
        "| Cold start: process start to first Runtime API poll, median of {} | {:.1} ms (p95 {:.1} ms) | ≤ {:.0} ms | {} |",
        c.samples_ms.len(),
        c.median_ms,
        c.p95_ms,
        target::COLD_START_MS,
        met(!c.samples_ms.is_empty() && c.median_ms <= target::COLD_START_MS)
    );
    let zip_mb = zip_mb(r);
    let _ = writeln!(
        t,
        "| Zip size of the deployable asset (`bootstrap` {:.2} MB) | {:.2} MB | ≤ {:.0} MB | {} |",
        r.asset.binary_bytes as f64 / MB,
        zip_mb,
        target::ZIP_MB,
        met(zip_mb <= target::ZIP_MB)
    );
    for e in &r.estates {
        match &e.peer {
            Peer::Ran {
                calls,
                policy_median_ms,
                ..
            } => {
                let ratios = PeerRatios::of(e, calls, *policy_median_ms);
                let _ = writeln!(
                    t,
                    "| Cloud Custodian's calls / ours, N = {} | {:.1}× ({} vs {}) | ≥ {:.0}× | {} |",
                    int(e.n),
                    ratios.calls,
                    int(ratios.theirs),
                    int(e.total_calls()),
                    target::PEER_CALLS_FACTOR,
                    met(ratios.calls >= target::PEER_CALLS_FACTOR)
                );
                let _ = writeln!(
                    t,
                    "| Cloud Custodian's time / ours, N = {} | {:.1}× ({} vs {}) | ≥ {:.0}× | {} |",
                    int(e.n),
                    ratios.time,
                    millis(*policy_median_ms),
                    millis(e.sweep_median_ms),
                    target::PEER_TIME_FACTOR,
                    met(ratios.time >= target::PEER_TIME_FACTOR)
                );
            }
            Peer::Failed { reason } => {
                let _ = writeln!(
                    t,
                    "| Cloud Custodian, N = {} | could not run: {} | ≥ {:.0}× fewer calls, ≥ {:.0}× less time | **no** |",
                    int(e.n),
                    one_line(reason),
                    target::PEER_CALLS_FACTOR,
                    target::PEER_TIME_FACTOR
                );
            }
        }
    }
    t
}

/// One estate's calls by operation: the minimum, the sweep's and the peer's.
pub(crate) fn calls(e: &EstateResult) -> String {
    let mut t = String::new();
    let (peer_calls, peer_total) = match &e.peer {
        Peer::Ran { calls, .. } => (Some(calls), calls.values().sum::<usize>()),
        Peer::Failed { .. } => (None, 0),
    };
    let _ = writeln!(
        t,
        "| operation | minimum | secrets-cmk sweep | Cloud Custodian |\n|---|---:|---:|---:|"
    );
    let minimum = e.minimum.by_operation();
    for op in e.operations() {
        let min = minimum
            .iter()
            .find(|(name, _)| *name == op)
            .map_or(0, |(_, n)| *n);
        let ours = e.calls.get(&op).copied().unwrap_or(0);
        let theirs = peer_calls.map_or("-".to_owned(), |c| int(c.get(&op).copied().unwrap_or(0)));
        let _ = writeln!(t, "| {op} | {} | {} | {theirs} |", int(min), int(ours));
    }
    let _ = writeln!(
        t,
        "| **total** | **{}** | **{}** | **{}** |",
        int(e.minimum.total()),
        int(e.total_calls()),
        if peer_calls.is_some() {
            int(peer_total)
        } else {
            "-".to_owned()
        }
    );
    t
}

/// Sweep time, the floors and CPU time at each N.
pub(crate) fn growth(r: &Results) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| N | sweep | floor | sweep / floor | calls floor | sweep / calls floor | sweep per 1,000 secrets | floor per ListSecrets page | Lambda CPU | CPU per 1,000 secrets |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for e in &r.estates {
        let per_k = |v: f64| v * 1000.0 / e.n.max(1) as f64;
        let _ = writeln!(
            t,
            "| {} | {} | {} | {:.2}× | {} | {:.2}× | {} | {:.1} ms | {} | {} |",
            int(e.n),
            millis(e.sweep_median_ms),
            millis(e.floor_median_ms),
            e.sweep_over_floor(),
            millis(e.calls_floor_median_ms),
            e.sweep_over_calls_floor(),
            millis(per_k(e.sweep_median_ms)),
            e.floor_median_ms / e.floor_pages.max(1) as f64,
            millis(e.sweep_cpu_median_ms),
            millis(per_k(e.sweep_cpu_median_ms)),
        );
    }
    t
}

/// The calls floor by operation at each N (median ms; calls; ms a call); `None` when the
/// run did not break it down.
pub(crate) fn emulator_breakdown(r: &Results) -> Option<String> {
    if r.estates
        .iter()
        .all(|e| e.calls_floor_by_operation_ms.is_empty())
    {
        return None;
    }
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| N | {} | total |\n|---:|{}---:|",
        OPERATIONS.join(" | "),
        "---:|".repeat(OPERATIONS.len())
    );
    for e in &r.estates {
        let minimum = e.minimum.by_operation();
        let cells: Vec<String> = minimum
            .iter()
            .map(|(op, calls)| {
                let time = e
                    .calls_floor_by_operation_ms
                    .get(*op)
                    .copied()
                    .unwrap_or(0.0);
                format!(
                    "{}; {}; {:.1}",
                    millis(time),
                    int(*calls),
                    time / (*calls).max(1) as f64
                )
            })
            .collect();
        let _ = writeln!(
            t,
            "| {} | {} | {} |",
            int(e.n),
            cells.join(" | "),
            millis(e.calls_floor_by_operation_ms.values().sum())
        );
    }
    Some(t)
}

/// The peer's calls, times and findings beside ours.
pub(crate) fn peer(r: &Results) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| N | calls | policy time | whole process | secrets flagged | secrets-cmk: calls, sweep, NON_COMPLIANT |\n|---:|---:|---:|---:|---:|---|"
    );
    for e in &r.estates {
        let ours = format!(
            "{}, {}, {}",
            int(e.total_calls()),
            millis(e.sweep_median_ms),
            int(e.verdicts.get("NON_COMPLIANT").copied().unwrap_or(0) as usize)
        );
        match &e.peer {
            Peer::Ran {
                calls,
                policy_median_ms,
                wall_median_ms,
                flagged,
                ..
            } => {
                let _ = writeln!(
                    t,
                    "| {} | {} | {} | {} | {} | {ours} |",
                    int(e.n),
                    int(calls.values().sum()),
                    millis(*policy_median_ms),
                    millis(*wall_median_ms),
                    int(*flagged)
                );
            }
            Peer::Failed { reason } => {
                let _ = writeln!(
                    t,
                    "| {} | could not run: {} | | | | {ours} |",
                    int(e.n),
                    one_line(reason)
                );
            }
        }
    }
    t
}

/// How each estate is made up.
pub(crate) fn estates(r: &Results) -> String {
    let mut t = String::new();
    let header: Vec<String> = r
        .estates
        .iter()
        .map(|e| format!("N = {}", int(e.n)))
        .collect();
    let _ = writeln!(
        t,
        "| secrets | {} |\n|---|{}",
        header.join(" | "),
        "---:|".repeat(r.estates.len())
    );
    let row = |t: &mut String, label: &str, get: &dyn Fn(&EstateResult) -> String| {
        let cells: Vec<String> = r.estates.iter().map(get).collect();
        let _ = writeln!(t, "| {label} | {} |", cells.join(" | "));
    };
    row(&mut t, "on a customer-managed key, by key id", &|e| {
        int(e.composition.by_key_id)
    });
    row(&mut t, "… by key ARN", &|e| int(e.composition.by_key_arn));
    row(&mut t, "… by alias name", &|e| {
        int(e.composition.by_alias_name)
    });
    row(&mut t, "… by alias ARN", &|e| {
        int(e.composition.by_alias_arn)
    });
    row(&mut t, "default key (no KmsKeyId)", &|e| {
        int(e.composition.default_key)
    });
    row(&mut t, "`alias/aws/secretsmanager` named", &|e| {
        int(e.composition.aws_managed_alias)
    });
    row(&mut t, "the AWS-managed key by its key ARN", &|e| {
        int(e.composition.aws_managed_key_arn)
    });
    row(
        &mut t,
        &format!("multi-Region (a replica in {REPLICA_REGION})"),
        &|e| int(e.composition.replicated),
    );
    row(&mut t, "scheduled for deletion", &|e| {
        int(e.composition.scheduled_for_deletion)
    });
    row(&mut t, "seeding time (not a figure)", &|e| {
        format!("{:.0} s", e.seed_secs)
    });
    t
}
