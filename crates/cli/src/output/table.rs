//! Findings as text for people: the summary first (by verdict, by cause, by account),
//! then one line per finding, worst first, fitted to the terminal. `--show details`
//! gives each finding a block with its full reason and fix instead.
//!
//! Where the text goes decides [`TableView`]: a terminal gets its width and colour; a
//! pipe or a file gets neither, and lines are never cut.

use super::finding::{Finding, Show, Tally, Verdict, listed};
use super::fit::{fit_widths, shorten_middle, shorten_words, width_of, wrap_words};
use rule_core::Row;
use std::fmt::Write;

/// How a table is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableView {
    /// Which findings, and how much of each.
    pub show: Show,
    /// Fit lines to this many columns (a terminal); `None`: never cut (a pipe, a file).
    pub width: Option<u16>,
    /// Colour the verdicts and headings (a terminal without `NO_COLOR`).
    pub colour: bool,
}

/// The accounts the summary names at most; the rest are counted in one line.
const ACCOUNTS_LISTED: usize = 10;

/// The least a shortened column keeps: enough to recognise a name or a cause.
const LEAST_NAME: usize = 12;
const LEAST_CAUSE: usize = 12;

/// `headline` (e.g. the audit's summary line), the summary, then the findings `view`
/// lists.
pub fn render_findings(headline: &str, findings: &[Finding], view: &TableView) -> String {
    let tally = Tally::of(findings);
    let mut out = String::new();
    let style = Style(view.colour);
    for line in wrapped(headline, view.width) {
        let _ = writeln!(out, "{line}");
    }
    if !tally.by_cause.is_empty() {
        let _ = writeln!(out, "{}", style.bold("Findings by cause:"));
        for (cause, count) in &tally.by_cause {
            let _ = writeln!(out, "  {cause}: {count}");
        }
    }
    if tally.by_account.len() > 1 {
        let _ = writeln!(out, "{}", style.bold("Accounts, most findings first:"));
        for account in tally.by_account.iter().take(ACCOUNTS_LISTED) {
            let _ = writeln!(
                out,
                "  {}: {} of {}",
                account.account, account.findings, account.total
            );
        }
        let more = tally.by_account.len().saturating_sub(ACCOUNTS_LISTED);
        if more > 0 {
            let _ = writeln!(out, "  ... and {more} more account(s)");
        }
    }
    let listed = listed(findings, view.show);
    let hidden = findings.len() - listed.len();
    if listed.is_empty() {
        if !findings.is_empty() {
            out.push_str("No findings: nothing is NON_COMPLIANT or unverified.\n");
        }
    } else {
        out.push('\n');
        if view.show == Show::Details {
            out.push_str(&details(&listed, view));
        } else {
            out.push_str(&lines(&listed, findings, view));
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{hidden} COMPLIANT or NOT_APPLICABLE not listed (--show all lists them)."
        );
    }
    out
}

/// `text` wrapped between words to `width`, or whole.
fn wrapped(text: &str, width: Option<u16>) -> Vec<String> {
    match width {
        Some(width) => wrap_words(text, usize::from(width)),
        None => vec![text.to_owned()],
    }
}

/// The short cause of a table line: the row's label and the key (row 4's label is the
/// key already).
fn cause_cell(finding: &Finding) -> String {
    match &finding.key {
        Some(key) if finding.row != Some(Row::DefaultKey) => format!("{}: {key}", finding.cause),
        _ => finding.cause.clone(),
    }
}

/// The cause cell in `width`: the label whole if it fits, the key shortened in the
/// middle; else the label cut after a word.
fn fit_cause(finding: &Finding, width: usize) -> String {
    let whole = cause_cell(finding);
    if width_of(&whole) <= width {
        return whole;
    }
    let label = format!("{}: ", finding.cause);
    match &finding.key {
        Some(key) if width_of(&label) + LEAST_NAME / 2 <= width => {
            format!("{label}{}", shorten_middle(key, width - width_of(&label)))
        }
        _ => shorten_words(&finding.cause, width),
    }
}

/// One line per finding, in an aligned table with the columns the findings have.
fn lines(listed: &[&Finding], all: &[Finding], view: &TableView) -> String {
    let mut accounts = all.iter().filter_map(|f| f.account.as_ref());
    let first = accounts.next();
    let with_account = accounts.any(|account| Some(account) != first);
    let with_region = all.iter().any(|f| f.region.is_some());
    let mut headers = vec!["COMPLIANCE"];
    if with_account {
        headers.push("ACCOUNT");
    }
    if with_region {
        headers.push("REGION");
    }
    headers.extend(["NAME", "CAUSE"]);
    let fixed = headers.len() - 2;
    let name_column = fixed;
    let cause_column = fixed + 1;

    let cells = |finding: &Finding| -> Vec<String> {
        let mut row = vec![finding.verdict.label().to_owned()];
        if with_account {
            row.push(finding.account.clone().unwrap_or_default());
        }
        if with_region {
            row.push(finding.region.clone().unwrap_or_default());
        }
        row.extend([finding.name.clone(), cause_cell(finding)]);
        row
    };
    let mut rows: Vec<Vec<String>> = listed.iter().map(|f| cells(f)).collect();
    let mut natural: Vec<usize> = headers.iter().map(|h| width_of(h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            natural[i] = natural[i].max(width_of(cell));
        }
    }
    let widths = match view.width {
        None => natural,
        Some(width) => {
            // `| a | b |`: three columns of frame per cell, and one to close the line.
            let budget = usize::from(width).saturating_sub(3 * headers.len() + 1);
            // First the cause gives way, down to its longest label (names matter more
            // than the key in the cause); then names and causes, widest first.
            let longest_label = listed.iter().map(|f| width_of(&f.cause)).max();
            let mut least: Vec<usize> = natural[..=name_column].to_vec();
            least.push(longest_label.unwrap_or(LEAST_CAUSE));
            let causes_first = fit_widths(&natural, &least, budget);
            least.truncate(fixed);
            least.extend([LEAST_NAME, LEAST_CAUSE]);
            fit_widths(&causes_first, &least, budget)
        }
    };
    for (row, finding) in rows.iter_mut().zip(listed) {
        row[name_column] = shorten_middle(&finding.name, widths[name_column]);
        row[cause_column] = fit_cause(finding, widths[cause_column]);
    }

    let style = Style(view.colour);
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    out.push_str(&grid_line(&header, &widths, |_, text| style.bold(text)));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&grid_line(&rule, &widths, |_, text| text.to_owned()).replace(' ', "-"));
    for (row, finding) in rows.iter().zip(listed) {
        out.push_str(&grid_line(row, &widths, |column, text| {
            if column == 0 {
                style.verdict(finding.verdict, text)
            } else {
                text.to_owned()
            }
        }));
    }
    out
}

/// `| a | b |` with each cell padded to its width, then styled.
fn grid_line(cells: &[String], widths: &[usize], styled: impl Fn(usize, &str) -> String) -> String {
    let mut line = String::from("|");
    for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
        let padded = format!("{cell:<width$}");
        let _ = write!(line, " {} |", styled(column, &padded));
    }
    line.push('\n');
    line
}

/// Label width of the details blocks: `    reason  `.
const DETAIL_INDENT: usize = 12;

/// A block per finding: a heading line, then cause, key, id, the whole reason and the
/// fix, each wrapped between words to the width.
fn details(listed: &[&Finding], view: &TableView) -> String {
    let style = Style(view.colour);
    let text_width = view
        .width
        .map(|w| usize::from(w).saturating_sub(DETAIL_INDENT).max(20));
    let mut out = String::new();
    for finding in listed {
        let mut heading = vec![style.verdict(finding.verdict, finding.verdict.label())];
        heading.extend(finding.account.iter().cloned());
        heading.extend(finding.region.iter().cloned());
        heading.push(style.bold(&finding.name));
        let _ = writeln!(out, "{}", heading.join("  "));
        let row = finding
            .row
            .map_or(String::new(), |row| format!(" (row {})", row.number()));
        // A command stays on one line, whatever the width: it is for copying.
        let mut field = |label: &str, text: &str, wrap: bool| {
            let lines = match text_width {
                Some(width) if wrap => wrap_words(text, width),
                _ => vec![text.to_owned()],
            };
            for (i, line) in lines.iter().enumerate() {
                let label = if i == 0 { label } else { "" };
                let _ = writeln!(out, "    {label:<8}{line}");
            }
        };
        field("cause", &format!("{}{row}", finding.cause), true);
        if let Some(key) = &finding.key {
            field("key", key, false);
        }
        field("id", &finding.id, false);
        field("reason", &finding.reason, true);
        if let Some(fix) = &finding.fix {
            field("fix", &fix.advice, true);
            if let Some(command) = &fix.command {
                field("", &format!("$ {command}"), false);
            }
            if let Some(runbook) = &fix.runbook {
                field("", &format!("or the SSM runbook {runbook}"), false);
            }
        }
        out.push('\n');
    }
    out
}

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
struct Style(bool);

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn verdict(self, verdict: Verdict, text: &str) -> String {
        let code = match verdict {
            Verdict::NonCompliant => "1;31",
            Verdict::Unverified => "33",
            Verdict::NotApplicable => "2",
            Verdict::Compliant => "32",
        };
        self.paint(code, text)
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
