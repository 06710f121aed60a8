//! The one model every command's human output is drawn from: a [`Finding`] per thing
//! judged (a secret of an account, a resource of a template), with its verdict, the
//! decision-table row and short cause, the key, where it is, the full reason and the
//! fix. `audit` builds findings from its rows; `report` and `check-template` build them
//! from theirs, and get the same summary, order, table and HTML report.
//!
//! Pure: no I/O, no terminal; the width and colour come in as values.

use rule_core::{Compliance, Row};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::HashMap;

/// The verdict of a finding, declared worst first (the order the table lists them in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Verdict {
    /// A confirmed finding.
    #[serde(rename = "NON_COMPLIANT")]
    NonCompliant,
    /// Could not be judged: a finding until someone looks (the reason says why).
    #[serde(rename = "UNVERIFIED")]
    Unverified,
    /// Out of scope (exempt, scheduled for deletion).
    #[serde(rename = "NOT_APPLICABLE")]
    NotApplicable,
    /// Passes.
    #[serde(rename = "COMPLIANT")]
    Compliant,
}

impl Verdict {
    /// Every verdict, worst first.
    pub const ALL: [Verdict; 4] = [
        Verdict::NonCompliant,
        Verdict::Unverified,
        Verdict::NotApplicable,
        Verdict::Compliant,
    ];

    /// The verdict of a compliance type; `None` is a secret that could not be verified.
    pub fn of(compliance: Option<Compliance>) -> Verdict {
        match compliance {
            Some(Compliance::NonCompliant) => Verdict::NonCompliant,
            Some(Compliance::NotApplicable) => Verdict::NotApplicable,
            Some(Compliance::Compliant) => Verdict::Compliant,
            None => Verdict::Unverified,
        }
    }

    /// How the table writes it: Config's words, and `(unverified)` for no verdict.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::NonCompliant => "NON_COMPLIANT",
            Verdict::Unverified => super::UNVERIFIED_LABEL,
            Verdict::NotApplicable => "NOT_APPLICABLE",
            Verdict::Compliant => "COMPLIANT",
        }
    }

    /// Whether it is listed by default: NON_COMPLIANT and unverified are what someone
    /// must act on.
    pub fn is_finding(self) -> bool {
        matches!(self, Verdict::NonCompliant | Verdict::Unverified)
    }
}

/// What a person can do about a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// In words, always present.
    pub advice: String,
    /// A command that fixes it (shown as a dry run; the advice says how to apply it).
    pub command: Option<String>,
    /// The SSM Automation runbook that does the same, with its parameters.
    pub runbook: Option<String>,
}

/// One judged thing, as people see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The verdict.
    pub verdict: Verdict,
    /// The decision-table row that decided; `None` when unverified.
    #[serde(serialize_with = "row_number")]
    pub row: Option<Row>,
    /// The short cause: the row's label, or "not verified".
    pub cause: String,
    /// The key, for people (the default key by its label); `None` where there is none.
    pub key: Option<String>,
    /// The account, where there is one (not for a template).
    pub account: Option<String>,
    /// The Region, where there is one.
    pub region: Option<String>,
    /// The short name: a secret's name, a template resource's logical id.
    pub name: String,
    /// The full identifier: an ARN, or `template:line`.
    pub id: String,
    /// The full reason (the rule's annotation).
    pub reason: String,
    /// What to do, for a finding.
    pub fix: Option<Fix>,
}

fn row_number<S: serde::Serializer>(value: &Option<Row>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(row) => s.serialize_str(row.number()),
        None => s.serialize_none(),
    }
}

/// The cause of a finding without a row.
pub const UNVERIFIED_CAUSE: &str = "not verified";

impl Finding {
    /// The short cause of a verdict's row (the row's label), or [`UNVERIFIED_CAUSE`].
    pub fn cause_of(row: Option<Row>) -> String {
        row.map_or(UNVERIFIED_CAUSE, Row::label).to_owned()
    }

    /// The order of the table: worst verdict first, then account, Region, name, id.
    pub fn order(&self, other: &Finding) -> Ordering {
        (
            self.verdict,
            &self.account,
            &self.region,
            &self.name,
            &self.id,
        )
            .cmp(&(
                other.verdict,
                &other.account,
                &other.region,
                &other.name,
                &other.id,
            ))
    }
}

/// Which findings a table lists, and how much of each (`--show`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Show {
    /// NON_COMPLIANT and unverified only, one line each.
    #[default]
    Findings,
    /// Every one, COMPLIANT and NOT_APPLICABLE too, one line each.
    All,
    /// Every one, each with its full reason and fix.
    Details,
}

impl Show {
    /// Whether a finding with this verdict is listed.
    pub fn lists(self, verdict: Verdict) -> bool {
        self != Show::Findings || verdict.is_finding()
    }
}

/// The findings `show` lists, in the table's order.
pub fn listed(findings: &[Finding], show: Show) -> Vec<&Finding> {
    let mut listed: Vec<&Finding> = findings.iter().filter(|f| show.lists(f.verdict)).collect();
    listed.sort_by(|a, b| a.order(b));
    listed
}

/// The findings of one account, for the summary across accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCount {
    /// The account.
    pub account: String,
    /// Its NON_COMPLIANT and unverified.
    pub findings: usize,
    /// Everything judged in it.
    pub total: usize,
}

/// The counts a summary shows: by verdict, by cause, by account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    /// Everything judged.
    pub total: usize,
    /// Per verdict, in [`Verdict::ALL`] order (zeros included).
    pub by_verdict: Vec<(Verdict, usize)>,
    /// Findings (NON_COMPLIANT, unverified) per cause, most first; ties in table order.
    pub by_cause: Vec<(String, usize)>,
    /// Per account, most findings first, then most judged, then by id.
    pub by_account: Vec<AccountCount>,
}

impl Tally {
    /// Count `findings`.
    pub fn of(findings: &[Finding]) -> Tally {
        let by_verdict = Verdict::ALL
            .iter()
            .map(|v| (*v, findings.iter().filter(|f| f.verdict == *v).count()))
            .collect();
        // Causes keyed by (row, cause) so ties list in decision-table order, unverified last.
        let mut causes: Vec<((Option<Row>, String), usize)> = Vec::new();
        let mut accounts: HashMap<&str, AccountCount> = HashMap::new();
        for finding in findings {
            if finding.verdict.is_finding() {
                let key = (finding.row, finding.cause.clone());
                match causes.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, n)) => *n += 1,
                    None => causes.push((key, 1)),
                }
            }
            if let Some(account) = &finding.account {
                let count = accounts.entry(account).or_insert_with(|| AccountCount {
                    account: account.clone(),
                    findings: 0,
                    total: 0,
                });
                count.total += 1;
                count.findings += usize::from(finding.verdict.is_finding());
            }
        }
        causes.sort_by(|((row_a, _), a), ((row_b, _), b)| {
            b.cmp(a)
                .then_with(|| row_a.is_none().cmp(&row_b.is_none()))
                .then_with(|| row_a.cmp(row_b))
        });
        let mut accounts: Vec<AccountCount> = accounts.into_values().collect();
        accounts.sort_by(|a, b| {
            (b.findings, b.total)
                .cmp(&(a.findings, a.total))
                .then_with(|| a.account.cmp(&b.account))
        });
        Tally {
            total: findings.len(),
            by_verdict,
            by_cause: causes
                .into_iter()
                .map(|((_, cause), n)| (cause, n))
                .collect(),
            by_account: accounts,
        }
    }

    /// How many have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.by_verdict
            .iter()
            .find(|(v, _)| *v == verdict)
            .map_or(0, |(_, n)| *n)
    }

    /// NON_COMPLIANT and unverified together.
    pub fn findings(&self) -> usize {
        self.count(Verdict::NonCompliant) + self.count(Verdict::Unverified)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A finding with the fields the order and the counts look at.
    pub(crate) fn finding(verdict: Verdict, account: &str, region: &str, name: &str) -> Finding {
        let row = match verdict {
            Verdict::NonCompliant => Some(Row::DefaultKey),
            Verdict::Unverified => None,
            Verdict::NotApplicable => Some(Row::Exempt),
            Verdict::Compliant => Some(Row::Compliant),
        };
        Finding {
            verdict,
            row,
            cause: Finding::cause_of(row),
            key: None,
            account: Some(account.to_owned()),
            region: Some(region.to_owned()),
            name: name.to_owned(),
            id: format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}"),
            reason: String::new(),
            fix: None,
        }
    }

    fn names(listed: &[&Finding]) -> Vec<String> {
        listed.iter().map(|f| f.name.clone()).collect()
    }

    fn mixed() -> Vec<Finding> {
        vec![
            finding(Verdict::Compliant, "111111111111", "us-east-1", "a-ok"),
            finding(Verdict::Unverified, "111111111111", "us-east-1", "b-lost"),
            finding(Verdict::NonCompliant, "222222222222", "us-east-1", "c-bad"),
            finding(
                Verdict::NotApplicable,
                "111111111111",
                "us-east-1",
                "d-exempt",
            ),
            finding(Verdict::NonCompliant, "111111111111", "us-west-2", "e-bad"),
            finding(Verdict::NonCompliant, "111111111111", "eu-west-1", "f-bad"),
        ]
    }

    #[test]
    fn findings_are_listed_worst_first_then_by_account_region_and_name() {
        // GIVEN a mix of verdicts across two accounts and three Regions
        let all = mixed();
        // WHEN listed by default
        let listed = listed(&all, Show::Findings);
        // THEN only NON_COMPLIANT and unverified, NON_COMPLIANT first, each by
        // account, Region, name
        assert_eq!(names(&listed), ["f-bad", "e-bad", "c-bad", "b-lost"]);
    }

    #[test]
    fn show_all_and_details_list_the_compliant_and_not_applicable_last() {
        for show in [Show::All, Show::Details] {
            let all = mixed();
            assert_eq!(
                names(&listed(&all, show)),
                ["f-bad", "e-bad", "c-bad", "b-lost", "d-exempt", "a-ok"]
            );
        }
    }

    #[test]
    fn the_tally_counts_verdicts_causes_and_accounts_most_findings_first() {
        // GIVEN the mix, plus a finding of another cause
        let mut all = mixed();
        let mut disabled = finding(Verdict::NonCompliant, "333333333333", "us-east-1", "g");
        disabled.row = Some(Row::KeyNotEnabled);
        disabled.cause = Finding::cause_of(disabled.row);
        all.push(disabled);
        // WHEN counted
        let tally = Tally::of(&all);
        // THEN every verdict, zeros included, in order
        assert_eq!(tally.total, 7);
        assert_eq!(
            tally.by_verdict,
            [
                (Verdict::NonCompliant, 4),
                (Verdict::Unverified, 1),
                (Verdict::NotApplicable, 1),
                (Verdict::Compliant, 1)
            ]
        );
        assert_eq!(tally.findings(), 5);
        // AND causes of findings only, most first; a tie in table order, unverified last
        assert_eq!(
            tally.by_cause,
            [
                ("default key".to_owned(), 3),
                ("key not Enabled".to_owned(), 1),
                ("not verified".to_owned(), 1)
            ]
        );
        // AND the account with the most findings first
        let accounts: Vec<(&str, usize, usize)> = tally
            .by_account
            .iter()
            .map(|a| (a.account.as_str(), a.findings, a.total))
            .collect();
        assert_eq!(
            accounts,
            [
                ("111111111111", 3, 5),
                ("222222222222", 1, 1),
                ("333333333333", 1, 1)
            ]
        );
    }

    #[test]
    fn nothing_counts_to_zeros() {
        let tally = Tally::of(&[]);
        assert_eq!(tally.total, 0);
        assert!(tally.by_verdict.iter().all(|(_, n)| *n == 0));
        assert!(tally.by_cause.is_empty() && tally.by_account.is_empty());
    }

    #[test]
    fn verdicts_come_from_compliance_and_label_as_the_table_writes_them() {
        assert_eq!(Verdict::of(None), Verdict::Unverified);
        assert_eq!(
            Verdict::of(Some(Compliance::NonCompliant)).label(),
            "NON_COMPLIANT"
        );
        assert_eq!(Verdict::Unverified.label(), "(unverified)");
        assert!(
            Verdict::ALL.windows(2).all(|w| w[0] < w[1]),
            "declared worst first"
        );
    }
}
