//! A report's model: one [`ReportRow`] per result an aggregator holds (a resource the
//! rule evaluated in one account and Region), its JSON and CSV forms (an interface:
//! fields fixed), and the counts of its summary line. Pure.

use crate::output::asff::AsffSubject;
use rule_core::Compliance;
use serde::Serialize;
use std::collections::BTreeSet;

/// One result of the rule, as the aggregator gave it: the columns of json and csv, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// The source account.
    pub account: String,
    /// The source Region.
    pub region: String,
    /// The Config rule's name in that account (a conformance pack's carries a suffix).
    pub rule: String,
    /// The evaluated resource: the secret's ARN.
    pub resource_id: String,
    /// Config's compliance type, as Config writes it (COMPLIANT, NON_COMPLIANT,
    /// NOT_APPLICABLE, INSUFFICIENT_DATA).
    pub compliance: String,
    /// The rule's annotation, if it gave one.
    pub annotation: Option<String>,
    /// When Config recorded the result (RFC 3339, UTC), if it said.
    pub recorded_at: Option<String>,
}

/// The CSV header: the [`ReportRow`] fields, in order.
pub const CSV_HEADER: [&str; 7] = [
    "account",
    "region",
    "rule",
    "resource_id",
    "compliance",
    "annotation",
    "recorded_at",
];

/// Config's text for a result it could not judge.
pub const INSUFFICIENT_DATA: &str = "INSUFFICIENT_DATA";

impl ReportRow {
    /// The compliance as the rule's type; `None` for INSUFFICIENT_DATA (or any value
    /// Config may add: never guessed into a verdict).
    pub fn compliance(&self) -> Option<Compliance> {
        match self.compliance.as_str() {
            "COMPLIANT" => Some(Compliance::Compliant),
            "NON_COMPLIANT" => Some(Compliance::NonCompliant),
            "NOT_APPLICABLE" => Some(Compliance::NotApplicable),
            _ => None,
        }
    }

    /// The result as an ASFF subject: the row read back from the annotation (so the
    /// severity is audit's; none when not recognised), INSUFFICIENT_DATA as unverified,
    /// observed when Config recorded it.
    pub fn asff_subject(&self) -> AsffSubject<'_> {
        AsffSubject {
            account: &self.account,
            region: &self.region,
            secret_arn: &self.resource_id,
            secret_name: Some(super::people::secret_name(&self.resource_id))
                .filter(|name| *name != self.resource_id),
            compliance: self.compliance(),
            row: super::people::recognised(self).map(|found| found.row),
            reason: self.annotation.as_deref().unwrap_or(&self.compliance),
            observed_at: self.recorded_at.as_deref(),
            rule: Some(&self.rule),
            kms_key_id: None,
        }
    }

    /// The table's order before the people's one: account, Region, rule, resource.
    fn key(&self) -> (&str, &str, &str, &str) {
        (&self.account, &self.region, &self.rule, &self.resource_id)
    }
}

/// Rows in a stable order (account, Region, rule, resource), so json and csv diff well.
pub fn sort_rows(rows: &mut [ReportRow]) {
    rows.sort_by(|a, b| a.key().cmp(&b.key()));
}

/// The rows as a pretty-printed JSON array (`[]` when there is nothing), newline-terminated.
pub fn render_json(rows: &[ReportRow]) -> Result<String, serde_json::Error> {
    crate::output::json_array(rows)
}

/// The rows as CSV (RFC 4180 quoting) with a header, also when there are none.
pub fn render_csv(rows: &[ReportRow]) -> Result<String, csv::Error> {
    crate::output::csv_with_header(rows, &CSV_HEADER)
}

/// The rows as ASFF subjects, in order (for `--format asff` and the Security Hub import).
pub fn asff_subjects(rows: &[ReportRow]) -> Vec<AsffSubject<'_>> {
    rows.iter().map(ReportRow::asff_subject).collect()
}

/// The counts of a report's summary line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportSummary {
    /// Results.
    pub total: usize,
    /// COMPLIANT.
    pub compliant: usize,
    /// NON_COMPLIANT.
    pub non_compliant: usize,
    /// NOT_APPLICABLE (not aggregated by AWS Config today; counted should it be).
    pub not_applicable: usize,
    /// INSUFFICIENT_DATA, or a compliance type this version does not know.
    pub insufficient_data: usize,
    /// Distinct source accounts among the rules read.
    pub accounts: usize,
    /// Distinct source Regions among the rules read.
    pub regions: usize,
    /// Distinct rule names read.
    pub rules: usize,
}

impl ReportSummary {
    /// Count `rows`; the accounts, Regions and rules are those of `scopes` (every rule
    /// kept, also one with no results).
    pub fn of<'a>(
        rows: &[ReportRow],
        scopes: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> ReportSummary {
        let mut accounts = BTreeSet::new();
        let mut regions = BTreeSet::new();
        let mut rules = BTreeSet::new();
        for (rule, account, region) in scopes {
            rules.insert(rule);
            accounts.insert(account);
            regions.insert(region);
        }
        let mut summary = ReportSummary {
            total: rows.len(),
            accounts: accounts.len(),
            regions: regions.len(),
            rules: rules.len(),
            ..ReportSummary::default()
        };
        for row in rows {
            match row.compliance() {
                Some(Compliance::Compliant) => summary.compliant += 1,
                Some(Compliance::NonCompliant) => summary.non_compliant += 1,
                Some(Compliance::NotApplicable) => summary.not_applicable += 1,
                None => summary.insufficient_data += 1,
            }
        }
        summary
    }

    /// One line, e.g. `3 results of 1 rule in 2 accounts and 1 Region: 1 COMPLIANT, 2
    /// NON_COMPLIANT, 0 NOT_APPLICABLE, 0 INSUFFICIENT_DATA`.
    pub fn line(&self) -> String {
        format!(
            "{} {} of {} {} in {} {} and {} {}: {} COMPLIANT, {} NON_COMPLIANT, {} NOT_APPLICABLE, {} INSUFFICIENT_DATA",
            self.total,
            plural(self.total, "result", "results"),
            self.rules,
            plural(self.rules, "rule", "rules"),
            self.accounts,
            plural(self.accounts, "account", "accounts"),
            self.regions,
            plural(self.regions, "Region", "Regions"),
            self.compliant,
            self.non_compliant,
            self.not_applicable,
            self.insufficient_data,
        )
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn row(account: &str, name: &str, compliance: &str) -> ReportRow {
        ReportRow {
            account: account.to_owned(),
            region: "us-east-1".to_owned(),
            rule: "secrets-cmk".to_owned(),
            resource_id: format!("arn:aws:secretsmanager:us-east-1:{account}:secret:{name}-AbCdEf"),
            compliance: compliance.to_owned(),
            annotation: Some(format!("{compliance} annotation, of {name}")),
            recorded_at: Some("2026-01-02T03:04:05Z".to_owned()),
        }
    }

    #[test]
    fn json_has_exactly_the_documented_fields() {
        // GIVEN a result without an annotation or a time
        let mut bare = row("111111111111", "db", "NON_COMPLIANT");
        bare.annotation = None;
        bare.recorded_at = None;
        // WHEN rendered as JSON
        let value: serde_json::Value = serde_json::from_str(
            &render_json(&[row("111111111111", "db", "COMPLIANT"), bare]).unwrap(),
        )
        .unwrap();
        // THEN each object has the seven fields, null for what Config did not give
        assert_eq!(
            value[0],
            serde_json::json!({
                "account": "111111111111",
                "region": "us-east-1",
                "rule": "secrets-cmk",
                "resource_id": "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf",
                "compliance": "COMPLIANT",
                "annotation": "COMPLIANT annotation, of db",
                "recorded_at": "2026-01-02T03:04:05Z",
            })
        );
        assert_eq!(value[1]["annotation"], serde_json::Value::Null);
        assert_eq!(value[1]["recorded_at"], serde_json::Value::Null);
        assert_eq!(render_json(&[]).unwrap(), "[]\n");
    }

    #[test]
    fn csv_has_the_header_and_quotes_the_annotation() {
        let text = render_csv(&[row("111111111111", "db", "NON_COMPLIANT")]).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap(), CSV_HEADER.as_slice());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[5], "NON_COMPLIANT annotation, of db");
        assert_eq!(
            render_csv(&[]).unwrap(),
            format!("{}\n", CSV_HEADER.join(","))
        );
    }

    #[test]
    fn a_result_is_an_asff_subject_without_a_row() {
        // GIVEN a NON_COMPLIANT result and one with insufficient data and no annotation
        let result = row("111111111111", "prod/db", "NON_COMPLIANT");
        let mut unknown = row("111111111111", "x", INSUFFICIENT_DATA);
        unknown.annotation = None;
        let subjects = asff_subjects(std::slice::from_ref(&result));
        // THEN the subject is the secret, with the rule's annotation, rule and time
        let subject = subjects[0];
        assert_eq!(subject.secret_arn, result.resource_id);
        assert_eq!(subject.secret_name, Some("prod/db"));
        assert_eq!(subject.compliance, Some(Compliance::NonCompliant));
        assert_eq!(subject.row, None);
        assert_eq!(subject.reason, "NON_COMPLIANT annotation, of prod/db");
        assert_eq!(subject.rule, Some("secrets-cmk"));
        assert_eq!(subject.observed_at, Some("2026-01-02T03:04:05Z"));
        // AND no data is unverified, its reason Config's word
        let subject = unknown.asff_subject();
        assert_eq!(
            (subject.compliance, subject.reason),
            (None, INSUFFICIENT_DATA)
        );
    }

    #[test]
    fn a_result_with_the_rules_annotation_has_audits_row_and_severity() {
        // GIVEN a NON_COMPLIANT result whose annotation is the rule's row 7 text
        let mut result = row("111111111111", "prod/db", "NON_COMPLIANT");
        result.annotation = Some(
            "KMS key arn:aws:kms:us-east-1:111111111111:alias/app does not exist: the secret \
             cannot be decrypted."
                .to_owned(),
        );
        // WHEN an ASFF subject / THEN row 7, and the severity audit gives row 7
        let subject = result.asff_subject();
        assert_eq!(subject.row, Some(rule_core::Row::KeyNotFound));
        let severity = crate::output::asff::severity;
        assert_eq!(
            severity(subject.compliance, subject.row),
            severity(
                Some(Compliance::NonCompliant),
                Some(rule_core::Row::KeyNotFound)
            )
        );
        // AND an unrecognised annotation keeps the severity of an unknown cause
        let other = row("111111111111", "prod/db", "NON_COMPLIANT");
        let other = other.asff_subject();
        assert_ne!(
            severity(other.compliance, other.row),
            severity(subject.compliance, subject.row)
        );
    }

    #[test]
    fn only_configs_three_verdicts_are_verdicts() {
        assert_eq!(
            row("1", "a", "NOT_APPLICABLE").compliance(),
            Some(Compliance::NotApplicable)
        );
        assert_eq!(row("1", "a", INSUFFICIENT_DATA).compliance(), None);
        assert_eq!(row("1", "a", "SOMETHING_NEW").compliance(), None);
    }

    #[test]
    fn the_summary_counts_results_and_the_scopes_read() {
        // GIVEN three results of two accounts, and a rule of a third account with none
        let rows = [
            row("111111111111", "a", "COMPLIANT"),
            row("111111111111", "b", "NON_COMPLIANT"),
            row("222222222222", "c", INSUFFICIENT_DATA),
        ];
        let scopes = [
            ("secrets-cmk", "111111111111", "us-east-1"),
            ("secrets-cmk", "222222222222", "us-east-1"),
            ("secrets-cmk-pack", "333333333333", "eu-west-1"),
        ];
        // WHEN counted
        let summary = ReportSummary::of(&rows, scopes);
        // THEN
        assert_eq!(
            summary.line(),
            "3 results of 2 rules in 3 accounts and 2 Regions: 1 COMPLIANT, 1 NON_COMPLIANT, \
             0 NOT_APPLICABLE, 1 INSUFFICIENT_DATA"
        );
    }

    #[test]
    fn rows_sort_by_account_region_rule_and_resource() {
        let mut rows = vec![
            row("222222222222", "a", "COMPLIANT"),
            row("111111111111", "b", "COMPLIANT"),
            row("111111111111", "a", "COMPLIANT"),
        ];
        sort_rows(&mut rows);
        let order: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.account.as_str(),
                    r.resource_id.rsplit(':').next().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("111111111111", "a-AbCdEf"),
                ("111111111111", "b-AbCdEf"),
                ("222222222222", "a-AbCdEf")
            ]
        );
    }
}
