//! The row of the organization audit in the section on what a user pays for: each
//! concurrency's wall time against the ideal (one account-Region's audit × pairs /
//! concurrency), and the notes that explain a miss.

use std::fmt::Write as _;

use super::format::{int, list as joined, met, millis};
use crate::org_audit::OrgAudit;
use crate::results::target;
use crate::stats::median;

/// The table rows (in the figures table of the section), or one row saying it was not
/// measured.
pub(crate) fn rows(audit: Option<&OrgAudit>) -> String {
    let Some(a) = audit else {
        return "| `audit --organization`, 20 accounts × 2 Regions × 200 secrets at concurrency 1, 4, 16 | not measured | wall time ≈ single account-Region audit × 40 / concurrency | **not measured** in this run (`--cli-binary ''`) |\n".to_owned();
    };
    let mut out = String::new();
    for run in &a.runs {
        let ratio = run.over_ideal(a);
        let _ = writeln!(
            out,
            "| `audit --organization`, {} accounts × {} Regions × {} secrets, concurrency {}: wall time / (single audit × {} / {}) | {ratio:.2}× ({} / {}) | ≤ {}× | {} |",
            a.accounts,
            a.regions,
            int(a.secrets_per_region),
            run.concurrency,
            a.pairs(),
            run.concurrency,
            millis(median(&run.wall_ms)),
            millis(a.ideal_ms(run.concurrency)),
            target::ORG_AUDIT_OVER_IDEAL,
            met(ratio <= target::ORG_AUDIT_OVER_IDEAL)
        );
    }
    out
}

/// What the rows measured, every run, and why a concurrency misses the ideal.
pub(crate) fn notes(audit: Option<&OrgAudit>) -> String {
    let Some(a) = audit else {
        return String::new();
    };
    let mut out = format!(
        "The organization audit: one emulator holds an organization of {} accounts (moto's \
         Organizations; the members reached through AssumeRole, as against AWS), each with \
         {} secrets in each of {} Regions, every fourth on the default key. The release CLI \
         `secrets-cmk audit --organization --format json` runs as the management account \
         under the same {:.0} ms latency a request; the ideal is one account-Region's audit \
         (the same binary, {} median: process start, GetCallerIdentity, the sweep) × {} \
         pairs / the concurrency. Every run (ms): single account-Region {}; {}.\n\n",
        a.accounts,
        int(a.secrets_per_region),
        a.regions,
        a.latency_ms,
        millis(median(&a.single_ms)),
        a.pairs(),
        joined(&a.single_ms),
        a.runs
            .iter()
            .map(|r| format!("concurrency {}: {}", r.concurrency, joined(&r.wall_ms)))
            .collect::<Vec<_>>()
            .join("; ")
    );
    if let Some(floor) = a.emulator_floor_ms() {
        let _ = write!(
            out,
            "Without latency, the same audit at concurrency {} took {} (every run: {}): moto's \
             one-at-a-time time for all its calls plus the process, the floor on this \
             emulator that no concurrency can go below.\n\n",
            a.runs.last().map_or(0, |r| r.concurrency),
            millis(floor),
            joined(&a.no_latency_ms)
        );
    }
    let missed: Vec<String> = a
        .runs
        .iter()
        .filter(|r| r.over_ideal(a) > target::ORG_AUDIT_OVER_IDEAL)
        .map(|r| {
            let why = match a.emulator_floor_ms() {
                Some(floor) if floor > a.ideal_ms(r.concurrency) => format!(
                    "The ideal ({}) is below the emulator's floor ({}, measured without \
                     latency): the run takes {:.2}× that floor. Against AWS each account and \
                     Region answers on its own, with its own quotas.",
                    millis(a.ideal_ms(r.concurrency)),
                    millis(floor),
                    median(&r.wall_ms) / floor.max(f64::EPSILON)
                ),
                _ => "The emulator's floor was not measured in this run, or is below the \
                      ideal: the cause is not shown by these figures."
                    .to_owned(),
            };
            format!(
                "- concurrency {}: {:.2}× the ideal. {why}",
                r.concurrency,
                r.over_ideal(a)
            )
        })
        .collect();
    if !missed.is_empty() {
        out.push_str("**Missed:**\n\n");
        out.push_str(&missed.join("\n"));
        out.push_str("\n\n");
    }
    out
}
