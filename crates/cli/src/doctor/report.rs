//! The report: every check's result, rendered as a table for people or JSON for scripts,
//! and what the exit code is (pure).

use super::model::{CheckResult, Status};
use serde::Serialize;
use std::fmt::Write;

/// Everything doctor found, for one account and Region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The account of the credentials (`None`: they did not work).
    pub account: Option<String>,
    /// The Region checked.
    pub region: String,
    /// The caller's ARN.
    pub caller: Option<String>,
    /// The rule looked for.
    pub rule_name: String,
    /// Every check, in order.
    pub checks: Vec<CheckResult>,
}

/// How many checks ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Not checked.
    pub not_checked: usize,
}

/// What the run as a whole comes to (the exit code: 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No check failed (some may be not checked): exit 0.
    Passed,
    /// At least one check failed: exit 1.
    Failed(usize),
    /// The credentials did not work, so nothing else could run: exit 2.
    CouldNotRun,
}

impl Report {
    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for check in &self.checks {
            match check.status {
                Status::Pass => summary.pass += 1,
                Status::Fail => summary.fail += 1,
                Status::NotChecked => summary.not_checked += 1,
            }
        }
        summary
    }

    /// The outcome: could not run without working credentials, else failed if any check
    /// failed.
    pub fn outcome(&self) -> Outcome {
        if self.account.is_none() {
            return Outcome::CouldNotRun;
        }
        match self.summary().fail {
            0 => Outcome::Passed,
            failed => Outcome::Failed(failed),
        }
    }
}

/// The summary line: `5 passed, 1 failed, 2 not checked`.
pub fn summary_line(summary: Summary) -> String {
    format!(
        "{} passed, {} failed, {} not checked",
        summary.pass, summary.fail, summary.not_checked
    )
}

/// For people: a heading, one block per check (result, id, title; what was seen; the
/// fix), and the summary line.
pub fn render_table(report: &Report) -> String {
    let mut out = String::new();
    let account = report.account.as_deref().unwrap_or("(unknown)");
    let _ = writeln!(
        out,
        "secrets-cmk doctor: account {account}, Region {}, rule {}",
        report.region, report.rule_name
    );
    // One width for every report, so results line up the same whatever they are.
    let width = Status::NotChecked.label().len();
    for check in &report.checks {
        let _ = writeln!(
            out,
            "\n{:<width$}  {}: {}",
            check.status.label(),
            check.id,
            check.title
        );
        let _ = writeln!(out, "{:<width$}  {}", "", check.detail);
        if let Some(fix) = &check.fix {
            let label = if check.status == Status::Fail {
                "fix"
            } else {
                "to check it"
            };
            let _ = writeln!(out, "{:<width$}  {label}: {fix}", "");
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(report.summary()));
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    summary: Summary,
}

/// For scripts: the report as one JSON object with `summary` counts.
pub fn render_json(report: &Report) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&JsonReport {
        report,
        summary: report.summary(),
    })?;
    text.push('\n');
    Ok(text)
}
