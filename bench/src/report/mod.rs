//! `bench/RESULTS.md`: every figure beside its target, the machine, the growth from the
//! smallest N to the largest, the peer, and plain notes on what was missed and why.
//!
//! The prose is in `text/` (the document template `results.md`, its fragments, and the
//! sentences that depend on the measurements in `sentences.md`); this module fills it:
//!
//! - `figures`: growth, the peer's ratios, and which targets were missed;
//! - `tables`: the Markdown tables;
//! - `text`: the templates and the placeholder rule;
//! - `format`: how numbers are written.

mod figures;
mod format;
mod org;
mod paid;
mod tables;
#[cfg(test)]
mod tests;
mod text;

pub(crate) use format::int;

use crate::estate::{AWS_MANAGED_ALIAS, REPLICA_REGION};
use crate::results::{EstateResult, Results};
use format::kib_as_mb;

/// The whole document.
pub(crate) fn render(results: &Results) -> String {
    let r = results;
    let calls_tables: String = r
        .estates
        .iter()
        .map(|e| {
            text::fill(
                text::CALLS_TABLE,
                &[("n", int(e.n)), ("table", tables::calls(e))],
            )
        })
        .collect();
    let emulator_breakdown = tables::emulator_breakdown(r).map_or_else(String::new, |table| {
        text::fill(text::EMULATOR_BREAKDOWN, &[("table", table)])
    });
    let minimum_holds = if r.estates.iter().all(EstateResult::calls_are_minimal) {
        "minimum_holds"
    } else {
        "minimum_does_not_hold"
    };
    let cold_start_samples = r
        .cold_start
        .samples_ms
        .iter()
        .map(|v| format!("{v:.1}"))
        .collect::<Vec<_>>()
        .join(", ");
    let document = text::fill(
        text::DOCUMENT,
        &[
            ("date", r.date.clone()),
            ("runs", r.runs.to_string()),
            ("machine_table", tables::machine(r)),
            ("figures_table", tables::figures(r)),
            (
                "targets_summary",
                text::targets_summary(figures::missed_targets(r)),
            ),
            ("keys", r.keys.to_string()),
            (
                "key_references",
                r.estates
                    .first()
                    .map_or(0, |e| e.minimum.describe_key)
                    .to_string(),
            ),
            ("aws_managed_alias", AWS_MANAGED_ALIAS.to_owned()),
            ("calls_tables", calls_tables),
            ("minimum_holds", text::sentence(minimum_holds).to_owned()),
            (
                "largest_n",
                r.estates.last().map_or("-".to_owned(), |e| int(e.n)),
            ),
            ("growth_table", tables::growth(r)),
            ("emulator_breakdown", emulator_breakdown),
            ("sweep_runs", text::sweep_runs(r)),
            (
                "peer_version",
                r.peer_version
                    .clone()
                    .unwrap_or_else(|| text::sentence("peer_version_unknown").to_owned()),
            ),
            ("peer_table", tables::peer(r)),
            ("peer_runs", text::peer_runs(r)),
            ("agreements", text::agreements(r)),
            ("estates_table", tables::estates(r)),
            ("replica_region", REPLICA_REGION.to_owned()),
            (
                "idle_memory",
                r.estates
                    .last()
                    .and_then(|e| e.lambda_idle_rss_kib)
                    .map_or("-".to_owned(), |kib| format!("{:.1} MB", kib_as_mb(kib))),
            ),
            ("cold_starts", r.cold_start.samples_ms.len().to_string()),
            ("cold_start_samples", cold_start_samples),
        ],
    );
    document + &paid::section(r)
}
