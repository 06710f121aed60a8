//! `check-template`'s findings as JSON (an array of objects with exactly `template`,
//! `logical_id`, `resource_type`, `compliance`, `reason`, `line`), and its counts (the
//! summary line). The table and the HTML report are audit's own, through
//! [`super::people`]. Pure: findings in, text out.

use super::judge::Finding;
use rule_core::Compliance;
use serde::Serialize;

/// Counts by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Resources judged.
    pub total: usize,
    /// COMPLIANT.
    pub compliant: usize,
    /// NON_COMPLIANT.
    pub non_compliant: usize,
    /// NOT_APPLICABLE.
    pub not_applicable: usize,
    /// Without a verdict.
    pub unverified: usize,
    /// Templates read.
    pub templates: usize,
    /// Files refused.
    pub refused: usize,
}

impl Counts {
    /// Count `findings` from `templates` templates read and `refused` files refused.
    pub fn of(findings: &[Finding], templates: usize, refused: usize) -> Counts {
        let mut counts = Counts {
            total: findings.len(),
            templates,
            refused,
            ..Counts::default()
        };
        for finding in findings {
            match finding.compliance {
                Some(Compliance::Compliant) => counts.compliant += 1,
                Some(Compliance::NonCompliant) => counts.non_compliant += 1,
                Some(Compliance::NotApplicable) => counts.not_applicable += 1,
                None => counts.unverified += 1,
            }
        }
        counts
    }

    /// One line: `3 resources in 2 templates: 1 COMPLIANT, 1 NON_COMPLIANT, 0 NOT_APPLICABLE, 1 unverified; 1 file refused`.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} {} in {} {}: {} COMPLIANT, {} NON_COMPLIANT, {} NOT_APPLICABLE, {} unverified",
            self.total,
            if self.total == 1 {
                "resource"
            } else {
                "resources"
            },
            self.templates,
            if self.templates == 1 {
                "template"
            } else {
                "templates"
            },
            self.compliant,
            self.non_compliant,
            self.not_applicable,
            self.unverified
        );
        if self.refused > 0 {
            line.push_str(&format!(
                "; {} {} refused",
                self.refused,
                if self.refused == 1 { "file" } else { "files" }
            ));
        }
        line
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    template: &'a str,
    logical_id: &'a str,
    resource_type: &'a str,
    compliance: Option<&'static str>,
    reason: &'a str,
    line: usize,
}

/// The findings as a pretty-printed JSON array, newline-terminated.
pub fn json(findings: &[Finding]) -> Result<String, serde_json::Error> {
    let rows: Vec<JsonFinding<'_>> = findings
        .iter()
        .map(|f| JsonFinding {
            template: &f.template,
            logical_id: &f.logical_id,
            resource_type: &f.resource_type,
            compliance: f.compliance.map(|c| c.as_str()),
            reason: &f.reason,
            line: f.line,
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rows)?;
    text.push('\n');
    Ok(text)
}
