//! The one line of counts an audit ends with on stderr (json, csv, html) and starts
//! its table with.

use super::AuditRow;
use rule_core::Compliance;

/// Counts of an audit, by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Secrets reported.
    pub total: usize,
    /// COMPLIANT.
    pub compliant: usize,
    /// NON_COMPLIANT.
    pub non_compliant: usize,
    /// NOT_APPLICABLE.
    pub not_applicable: usize,
    /// Without a verdict.
    pub unverified: usize,
    /// Regions audited (listed completely or not).
    pub regions: usize,
}

impl Summary {
    /// Count `rows` from `regions` Regions.
    pub fn of(rows: &[AuditRow], regions: usize) -> Summary {
        let mut summary = Summary {
            total: rows.len(),
            regions,
            ..Summary::default()
        };
        for row in rows {
            match row.compliance {
                Some(Compliance::Compliant) => summary.compliant += 1,
                Some(Compliance::NonCompliant) => summary.non_compliant += 1,
                Some(Compliance::NotApplicable) => summary.not_applicable += 1,
                None => summary.unverified += 1,
            }
        }
        summary
    }

    /// One line: `5 secrets in 1 Region: 2 COMPLIANT, 2 NON_COMPLIANT, 0 NOT_APPLICABLE, 1 unverified`.
    pub fn line(&self) -> String {
        format!(
            "{} {} in {} {}: {} COMPLIANT, {} NON_COMPLIANT, {} NOT_APPLICABLE, {} unverified",
            self.total,
            plural(self.total, "secret", "secrets"),
            self.regions,
            plural(self.regions, "Region", "Regions"),
            self.compliant,
            self.non_compliant,
            self.not_applicable,
            self.unverified,
        )
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::{row, sample};

    #[test]
    fn the_summary_counts_each_outcome() {
        let mut rows = sample();
        rows.push(row(
            "old",
            None,
            Some(Compliance::NotApplicable),
            "scheduled for deletion",
        ));
        let summary = Summary::of(&rows, 2);
        assert_eq!(
            summary,
            Summary {
                total: 4,
                compliant: 1,
                non_compliant: 1,
                not_applicable: 1,
                unverified: 1,
                regions: 2
            }
        );
        assert_eq!(
            Summary::of(&rows[..1], 1).line(),
            "1 secret in 1 Region: 0 COMPLIANT, 1 NON_COMPLIANT, 0 NOT_APPLICABLE, 0 unverified"
        );
    }
}
