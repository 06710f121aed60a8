//! The figures against their targets: how the rule's work and the wall time grew with N,
//! the peer's ratios, and which targets were missed, each with the sentence that says by
//! how much and why.

use super::format::{int, kib_as_mb, millis, one_line};
use super::text::{say, sentence};
use crate::estate::OPERATIONS;
use crate::results::{EstateResult, Peer, Results, target};

/// How the figures grew from the smallest estate to the largest.
pub(crate) struct Growth<'a> {
    /// The smallest estate.
    pub(crate) small: &'a EstateResult,
    /// The largest estate.
    pub(crate) large: &'a EstateResult,
    /// N grew by this much.
    pub(crate) factor: f64,
    /// Calls grew by this much.
    pub(crate) calls: f64,
    /// Lambda CPU time grew by this much.
    pub(crate) cpu: f64,
    /// Sweep wall time grew by this much.
    pub(crate) wall: f64,
    /// The floor grew by this much.
    pub(crate) floor: f64,
}

impl<'a> Growth<'a> {
    /// From the first estate to the last; `None` unless N grew.
    pub(crate) fn of(r: &'a Results) -> Option<Growth<'a>> {
        let small = r.estates.first()?;
        let large = r.estates.last()?;
        if large.n <= small.n || small.n == 0 {
            return None;
        }
        let ratio = |a: f64, b: f64| a / b.max(f64::MIN_POSITIVE);
        Some(Growth {
            small,
            large,
            factor: large.n as f64 / small.n as f64,
            calls: ratio(large.total_calls() as f64, small.total_calls() as f64),
            cpu: ratio(large.sweep_cpu_median_ms, small.sweep_cpu_median_ms),
            wall: ratio(large.sweep_median_ms, small.sweep_median_ms),
            floor: ratio(large.floor_median_ms, small.floor_median_ms),
        })
    }

    /// The rule's own work (calls, CPU) grows at most linearly.
    pub(crate) fn rule_is_linear(&self) -> bool {
        let limit = self.factor * target::LINEAR_SLACK;
        self.calls <= limit && self.cpu <= limit
    }

    /// Wall time grows at most linearly.
    pub(crate) fn wall_is_linear(&self) -> bool {
        self.wall <= self.factor * target::LINEAR_SLACK
    }

    /// The "met?" cell of the growth figure.
    pub(crate) fn verdict(&self) -> String {
        match (self.rule_is_linear(), self.wall_is_linear()) {
            (true, true) => "yes".to_owned(),
            (true, false) => sentence("growth_follows_the_floor").to_owned(),
            (false, _) => "**no**".to_owned(),
        }
    }
}

/// The peer's calls and time against ours on one estate.
pub(crate) struct PeerRatios {
    /// The peer's calls.
    pub(crate) theirs: usize,
    /// The peer's calls over ours.
    pub(crate) calls: f64,
    /// The peer's policy time over our sweep time.
    pub(crate) time: f64,
}

impl PeerRatios {
    /// From the peer's calls and median policy time.
    pub(crate) fn of(
        e: &EstateResult,
        calls: &crate::measure::Calls,
        policy_median_ms: f64,
    ) -> Self {
        let theirs: usize = calls.values().sum();
        PeerRatios {
            theirs,
            calls: theirs as f64 / e.total_calls().max(1) as f64,
            time: policy_median_ms / e.sweep_median_ms.max(f64::MIN_POSITIVE),
        }
    }
}

/// The zip's size in MB.
pub(crate) fn zip_mb(r: &Results) -> f64 {
    r.asset.zip_bytes as f64 / super::format::MB
}

/// By how many percent `value` is over `limit`.
fn percent_over(value: f64, limit: f64) -> f64 {
    (value / limit - 1.0) * 100.0
}

/// One sentence per missed (or qualified) target.
pub(crate) fn missed_targets(r: &Results) -> Vec<String> {
    let mut missed = Vec::new();
    for e in &r.estates {
        if !e.calls_are_minimal() {
            missed.push(say(
                "calls_missed",
                &[
                    ("n", int(e.n)),
                    ("calls", int(e.total_calls())),
                    ("minimum", int(e.minimum.total())),
                    ("ratio", format!("{:.2}", e.call_ratio())),
                    (
                        "not_identical",
                        if e.calls_identical_across_runs {
                            String::new()
                        } else {
                            sentence("calls_not_identical").to_owned()
                        },
                    ),
                ],
            ));
        }
        if e.sweep_over_floor() > target::SWEEP_OVER_FLOOR {
            missed.push(say(
                "sweep_time_missed",
                &[
                    ("n", int(e.n)),
                    ("ratio", format!("{:.2}", e.sweep_over_floor())),
                    ("sweep", millis(e.sweep_median_ms)),
                    ("floor", millis(e.floor_median_ms)),
                    (
                        "over",
                        format!(
                            "{:.0}",
                            percent_over(e.sweep_over_floor(), target::SWEEP_OVER_FLOOR)
                        ),
                    ),
                    ("target", format!("{:.1}", target::SWEEP_OVER_FLOOR)),
                    (
                        "other_calls",
                        int(e.minimum.total().saturating_sub(e.minimum.list_secrets)),
                    ),
                    ("pages", int(e.minimum.list_secrets)),
                    ("calls_floor", millis(e.calls_floor_median_ms)),
                    (
                        "over_calls_floor",
                        format!("{:.2}", e.sweep_over_calls_floor()),
                    ),
                    ("beyond_listing", beyond_listing(e)),
                    ("cpu", millis(e.sweep_cpu_median_ms)),
                ],
            ));
        }
    }
    if let Some(g) = Growth::of(r)
        && !g.wall_is_linear()
    {
        let per_page = |e: &EstateResult| e.floor_median_ms / e.floor_pages.max(1) as f64;
        missed.push(say(
            "wall_time_missed",
            &[
                ("wall", format!("{:.1}", g.wall)),
                ("factor", format!("{:.0}", g.factor)),
                ("floor", format!("{:.1}", g.floor)),
                ("small_page", format!("{:.1}", per_page(g.small))),
                ("small_n", int(g.small.n)),
                ("large_page", format!("{:.1}", per_page(g.large))),
                ("large_n", int(g.large.n)),
                (
                    "rule_growth",
                    sentence(if g.rule_is_linear() {
                        "rule_is_linear"
                    } else {
                        "rule_is_not_linear"
                    })
                    .to_owned(),
                ),
                ("calls", format!("{:.2}", g.calls)),
                ("cpu", format!("{:.2}", g.cpu)),
                (
                    "small_over_calls_floor",
                    format!("{:.2}", g.small.sweep_over_calls_floor()),
                ),
                (
                    "large_over_calls_floor",
                    format!("{:.2}", g.large.sweep_over_calls_floor()),
                ),
            ],
        ));
    }
    if let Some(kib) = r.estates.last().and_then(|e| e.lambda_peak_rss_kib) {
        let mb = kib_as_mb(kib);
        if mb > target::PEAK_MEMORY_MB {
            missed.push(say(
                "peak_memory_missed",
                &[
                    ("mb", format!("{mb:.1}")),
                    (
                        "over",
                        format!("{:.0}", percent_over(mb, target::PEAK_MEMORY_MB)),
                    ),
                    ("target", format!("{:.0}", target::PEAK_MEMORY_MB)),
                ],
            ));
        }
    }
    let cold = r.cold_start.median_ms;
    if cold > target::COLD_START_MS {
        missed.push(say(
            "cold_start_missed",
            &[
                ("median", format!("{cold:.1}")),
                (
                    "over",
                    format!("{:.0}", percent_over(cold, target::COLD_START_MS)),
                ),
                ("target", format!("{:.0}", target::COLD_START_MS)),
            ],
        ));
    }
    let zip_mb = zip_mb(r);
    if zip_mb > target::ZIP_MB {
        missed.push(say(
            "zip_size_missed",
            &[
                ("mb", format!("{zip_mb:.2}")),
                (
                    "over",
                    format!("{:.0}", percent_over(zip_mb, target::ZIP_MB)),
                ),
                ("target", format!("{:.0}", target::ZIP_MB)),
            ],
        ));
    }
    for e in &r.estates {
        match &e.peer {
            Peer::Ran {
                calls,
                policy_median_ms,
                wall_median_ms,
                ..
            } => {
                let ratios = PeerRatios::of(e, calls, *policy_median_ms);
                if ratios.calls < target::PEER_CALLS_FACTOR {
                    missed.push(say(
                        "peer_calls_missed",
                        &[
                            ("n", int(e.n)),
                            ("factor", format!("{:.1}", ratios.calls)),
                            ("target", format!("{:.0}", target::PEER_CALLS_FACTOR)),
                        ],
                    ));
                }
                if ratios.time < target::PEER_TIME_FACTOR {
                    missed.push(say(
                        "peer_time_missed",
                        &[
                            ("n", int(e.n)),
                            ("factor", format!("{:.1}", ratios.time)),
                            ("sweep", millis(e.sweep_median_ms)),
                            ("policy", millis(*policy_median_ms)),
                            ("wall", millis(*wall_median_ms)),
                            ("target", format!("{:.0}", target::PEER_TIME_FACTOR)),
                            ("floor", millis(e.floor_median_ms)),
                            (
                                "extra",
                                millis((policy_median_ms - e.floor_median_ms).max(0.0)),
                            ),
                        ],
                    ));
                }
            }
            Peer::Failed { reason } => missed.push(say(
                "peer_failed_missed",
                &[("n", int(e.n)), ("reason", one_line(reason))],
            )),
        }
    }
    missed
}

/// The calls floor's time for each operation but ListSecrets, in words.
fn beyond_listing(e: &EstateResult) -> String {
    let parts: Vec<String> = OPERATIONS
        .iter()
        .skip(1)
        .filter_map(|op| {
            let time = e.calls_floor_by_operation_ms.get(*op)?;
            Some(format!("{op} {}", millis(*time)))
        })
        .collect();
    if parts.is_empty() {
        sentence("not_broken_down").to_owned()
    } else {
        parts.join(", ")
    }
}
