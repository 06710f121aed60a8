//! The section on what a user pays for: sweep time under the latency model and the
//! Config bill of a steady-state sweep with and without `reportChangesOnly`.

use std::fmt::Write as _;

use super::format::{int, list as joined, met, millis};
use crate::paid::{PRICE_BEYOND, PRICE_TIERS, PaidEstate, RUNS_A_MONTH, monthly_cost};
use crate::results::{Results, target};
use crate::stats::median;

/// The section, or nothing when the run did not measure it.
pub(crate) fn section(results: &Results) -> String {
    let estates = &results.paid_for;
    let Some(first) = estates.first() else {
        return String::new();
    };
    let mut out = String::new();
    let latency = first.latency_ms;
    let _ = write!(
        out,
        "\n## Under network latency, and the Config bill\n\n\
         Measured in the same run, on the same estates, emulator and Lambda process, after \
         the figures above. The emulator's latency model (`tests/emulator/secrets_cmk_emulator/latency.py`) \
         makes every API request wait {latency:.0} ms before moto's one-at-a-time section, \
         so concurrent calls overlap that time as they would against AWS. Medians of {} runs; \
         bare listing and sweep alternated.\n\n\
         | figure | measured | target | met? |\n|---|---|---|---|\n",
        results.runs
    );
    for e in estates {
        let ratio = e.sweep_over_floor();
        let _ = writeln!(
            out,
            "| Sweep time / bare ListSecrets under {latency:.0} ms latency, N = {} | {ratio:.2}× ({} / {}) | ≤ {}× | {} |",
            int(e.n),
            millis(median(&e.sweep_ms)),
            millis(median(&e.floor_ms)),
            target::SWEEP_OVER_FLOOR,
            met(ratio <= target::SWEEP_OVER_FLOOR)
        );
        let calls: usize = e.sweep_calls.values().sum();
        let _ = writeln!(
            out,
            "| API calls of those sweeps / minimum, N = {} | {:.2} ({} of {}) | 1.00 | {} |",
            int(e.n),
            calls as f64 / e.minimum_calls.max(1) as f64,
            int(calls),
            int(e.minimum_calls),
            met(e.calls_minimal)
        );
        let (all, changed) = e.evaluations;
        let _ = writeln!(
            out,
            "| Evaluations recorded by a steady-state sweep, N = {}: default / `reportChangesOnly` | {} / {} | `reportChangesOnly`: 0 | {} |",
            int(e.n),
            int(all as usize),
            int(changed as usize),
            met(changed == 0)
        );
    }
    out.push_str(&super::org::rows(results.org_audit.as_ref()));
    let _ = write!(
        out,
        "\nEvery run (ms): {}\n\n",
        estates
            .iter()
            .map(|e| format!(
                "N = {}: bare listing {}; sweep {}; `reportChangesOnly` sweep {}",
                int(e.n),
                joined(&e.floor_ms),
                joined(&e.sweep_ms),
                joined(&e.changes_only_ms)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    out.push_str(&bound(results));
    out.push_str(&super::org::notes(results.org_audit.as_ref()));
    for e in estates {
        let _ = writeln!(
            out,
            "Calls of a `reportChangesOnly` steady-state sweep, N = {}: {} (its read-back also asks for NOT_APPLICABLE results, so it may page more than the default sweep's cleanup).\n",
            int(e.n),
            e.changes_only_calls
                .iter()
                .map(|(op, n)| format!("{op} {}", int(*n)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str(&bill(estates));
    out
}

/// Why a sweep can or cannot reach the listing's time here: the emulator still serves
/// moto one request at a time, so the sweep can never take less than moto's own time for
/// its calls (the calls floor of the figures above, measured without latency).
fn bound(results: &Results) -> String {
    let mut out = String::from(
        "Lower bound of a sweep under latency on this emulator: the latency overlaps, but \
         moto still answers one request at a time, so a sweep takes at least the longer of \
         the bare listing under latency and the calls floor (moto's own time for exactly \
         the sweep's calls, made back to back without latency: the figures above).\n\n\
         | N | bare listing, latency | calls floor, no latency | lower bound | sweep, latency | sweep / lower bound |\n\
         |---:|---:|---:|---:|---:|---:|\n",
    );
    let mut missed = Vec::new();
    for e in &results.paid_for {
        let Some(estate) = results.estates.iter().find(|estate| estate.n == e.n) else {
            continue;
        };
        let listing = median(&e.floor_ms);
        let calls_floor = estate.calls_floor_median_ms;
        let lower = listing.max(calls_floor);
        let sweep = median(&e.sweep_ms);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.2}× |",
            int(e.n),
            millis(listing),
            millis(calls_floor),
            millis(lower),
            millis(sweep),
            sweep / lower.max(f64::EPSILON)
        );
        if e.sweep_over_floor() > target::SWEEP_OVER_FLOOR {
            missed.push(format!(
                "- N = {}: {:.2}× the bare listing under latency, over the {}× target. {}",
                int(e.n),
                e.sweep_over_floor(),
                target::SWEEP_OVER_FLOOR,
                if calls_floor > listing {
                    format!(
                        "The emulator needs {} of moto time for the sweep's calls (the calls \
                         floor) against {} for the listing under latency: no overlap can bring \
                         the sweep below the former; it takes {:.2}× it.",
                        millis(calls_floor),
                        millis(listing),
                        sweep / calls_floor.max(f64::EPSILON)
                    )
                } else {
                    format!(
                        "The listing under latency ({}) is the bound here; the sweep takes \
                         {:.2}× it.",
                        millis(listing),
                        sweep / listing.max(f64::EPSILON)
                    )
                }
            ));
        }
    }
    if !missed.is_empty() {
        out.push_str("\n**Missed:**\n\n");
        out.push_str(&missed.join("\n"));
        out.push('\n');
    }
    out.push('\n');
    out
}

/// The monthly bill table: evaluations a month and USD, per N and frequency.
fn bill(estates: &[PaidEstate]) -> String {
    let mut out = format!(
        "AWS Config bills every evaluation recorded: ${} each for the first {} a month per \
         account and Region, ${} each up to {}, ${} beyond (AWS Config pricing, \
         <https://aws.amazon.com/config/pricing/>, public Regions). Assumed: this rule is \
         the only one recording evaluations in the account and Region (the tiers count \
         every rule's), 30-day months. A steady-state `reportChangesOnly` sweep records \
         only what changed since the last one; the figure below is for an estate where \
         nothing changed, and each changed secret adds one evaluation.\n\n\
         | N | frequency | evaluations a month: default | cost: default | evaluations a month: `reportChangesOnly` | cost: `reportChangesOnly` |\n\
         |---:|---|---:|---:|---:|---:|\n",
        PRICE_TIERS[0].1,
        int(PRICE_TIERS[0].0 as usize),
        PRICE_TIERS[1].1,
        int(PRICE_TIERS[1].0 as usize),
        PRICE_BEYOND
    );
    for e in estates {
        for (frequency, runs) in RUNS_A_MONTH {
            let (all, changed) = (e.evaluations.0 * runs, e.evaluations.1 * runs);
            let _ = writeln!(
                out,
                "| {} | {frequency} | {} | ${:.2} | {} | ${:.2} |",
                int(e.n),
                int(all as usize),
                monthly_cost(all),
                int(changed as usize),
                monthly_cost(changed)
            );
        }
    }
    out
}
