//! Rendering results as text: the audit as a table, JSON or CSV, and the actions of
//! `remediate` and `backout` as a table. Pure: rows in, a `String` out; the commands
//! decide where it goes.

use comfy_table::{ContentArrangement, Table, presets};
use rule_core::{Compliance, Decision, Row};
use secrets_cmk_aws::SweepItem;
use serde::{Serialize, Serializer};

/// How the default key is shown where a key is expected.
pub const DEFAULT_KEY_LABEL: &str = "(default) aws/secretsmanager";

/// What the table shows for a secret without a verdict (JSON and CSV leave it null/empty:
/// the compliance column only ever holds the three values Config knows).
pub const UNVERIFIED_LABEL: &str = "(unverified)";

/// One secret of an audit: the columns of every format, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    /// The secret ARN.
    pub arn: String,
    /// The secret name.
    pub name: String,
    /// The account that owns the secret.
    pub account: String,
    /// The secret's Region.
    pub region: String,
    /// The key as stored; `None` for the default key.
    pub kms_key_id: Option<String>,
    /// COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE; `None` when it could not be verified.
    #[serde(serialize_with = "compliance_text")]
    pub compliance: Option<Compliance>,
    /// The decision-table row that decided (docs/design.md), written as its number
    /// (`"4"`, `"5a"`); `None` when unverified.
    #[serde(serialize_with = "row_number")]
    pub row: Option<Row>,
    /// The service that manages the secret (e.g. `rds`), if any.
    pub owning_service: Option<String>,
    /// Why: the rule's annotation, or what could not be verified.
    pub reason: String,
}

impl AuditRow {
    /// The row of one decided secret.
    pub fn from_item(item: &SweepItem) -> AuditRow {
        let secret = &item.secret;
        let (compliance, row, reason) = match &item.decision {
            Decision::Verdict(verdict) => (
                Some(verdict.compliance),
                Some(verdict.row),
                verdict.annotation.to_string(),
            ),
            Decision::Unverifiable { reason } => (None, None, format!("not verified: {reason}")),
        };
        AuditRow {
            arn: secret.arn.clone(),
            name: secret.name.clone(),
            account: secret.scope.account.clone(),
            region: secret.scope.region.clone(),
            kms_key_id: secret.kms_key_id.clone().filter(|key| !key.is_empty()),
            compliance,
            row,
            owning_service: secret.owning_service.clone(),
            reason,
        }
    }
}

fn row_number<S: Serializer>(value: &Option<Row>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(row) => s.serialize_str(row.number()),
        None => s.serialize_none(),
    }
}

fn compliance_text<S: Serializer>(value: &Option<Compliance>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(compliance) => s.serialize_str(compliance.as_str()),
        None => s.serialize_none(),
    }
}

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

/// A key for people: the stored reference, or the default key's label.
pub fn key_label(kms_key_id: Option<&str>) -> String {
    match kms_key_id {
        Some(key) if !key.is_empty() => key.to_owned(),
        _ => DEFAULT_KEY_LABEL.to_owned(),
    }
}

/// A table in the one style the CLI uses: Markdown-like ASCII, so it reads the same in a
/// terminal, a CI log and a pasted ticket. `width`: wrap to it (a terminal); `None`:
/// never wrap (a pipe or file, where lines must stay whole).
fn new_table(width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_style(presets::ASCII_MARKDOWN).force_no_tty();
    match width {
        Some(width) => {
            table
                .set_width(width)
                .set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

/// The audit as a table (one line per secret), then the summary line.
pub fn render_table(rows: &[AuditRow], summary: &Summary, width: Option<u16>) -> String {
    let mut out = String::new();
    if !rows.is_empty() {
        let mut table = new_table(width);
        table.set_header(["COMPLIANCE", "REGION", "NAME", "KMS KEY", "REASON"]);
        for row in rows {
            table.add_row([
                row.compliance
                    .map_or(UNVERIFIED_LABEL, |c| c.as_str())
                    .to_owned(),
                row.region.clone(),
                row.name.clone(),
                key_label(row.kms_key_id.as_deref()),
                row.reason.clone(),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    out.push_str(&summary.line());
    out.push('\n');
    out
}

/// The audit as a pretty-printed JSON array (`[]` when there is nothing), newline-terminated.
pub fn render_json(rows: &[AuditRow]) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(rows)?;
    text.push('\n');
    Ok(text)
}

/// The audit as CSV (RFC 4180 quoting, by the csv crate) with a header row, also when
/// there are no rows. `None` is an empty field.
pub fn render_csv(rows: &[AuditRow]) -> Result<String, csv::Error> {
    // Serializing an empty list writes no header, so the header is written by hand and
    // the rows without one.
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for row in rows {
        writer.serialize(row)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The CSV header: the [`AuditRow`] fields, in order.
pub const CSV_HEADER: [&str; 9] = [
    "arn",
    "name",
    "account",
    "region",
    "kms_key_id",
    "compliance",
    "row",
    "owning_service",
    "reason",
];

/// One line of what `remediate` or `backout` does (or would do) to a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRow {
    /// The secret (name).
    pub secret: String,
    /// The key it is on.
    pub from: String,
    /// The key it goes to.
    pub to: String,
    /// What happens or happened, e.g. `re-key`, `refused: managed by rds`.
    pub outcome: String,
}

/// Actions as a table; an empty string when there are none.
pub fn render_actions(rows: &[ActionRow], width: Option<u16>) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut table = new_table(width);
    table.set_header(["SECRET", "FROM KEY", "TO KEY", "ACTION"]);
    for row in rows {
        table.add_row([&row.secret, &row.from, &row.to, &row.outcome]);
    }
    let mut text = table.to_string();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";

    fn row(
        name: &str,
        key: Option<&str>,
        compliance: Option<Compliance>,
        reason: &str,
    ) -> AuditRow {
        AuditRow {
            arn: format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{name}-AbCdEf"),
            name: name.to_owned(),
            account: ACCOUNT.to_owned(),
            region: "us-east-1".to_owned(),
            kms_key_id: key.map(str::to_owned),
            compliance,
            row: compliance.map(|c| match c {
                Compliance::Compliant => Row::Compliant,
                Compliance::NonCompliant => Row::DefaultKey,
                Compliance::NotApplicable => Row::Exempt,
            }),
            owning_service: None,
            reason: reason.to_owned(),
        }
    }

    fn sample() -> Vec<AuditRow> {
        vec![
            row(
                "db",
                None,
                Some(Compliance::NonCompliant),
                "uses the default key aws/secretsmanager",
            ),
            row(
                "app",
                Some("alias/app"),
                Some(Compliance::Compliant),
                "customer managed key arn:x",
            ),
            row(
                "lost",
                Some("alias/gone"),
                None,
                "not verified: DescribeKey throttled",
            ),
        ]
    }

    #[test]
    fn the_table_aligns_columns_and_ends_with_the_summary() {
        // GIVEN three rows, one unverified
        let rows = sample();
        // WHEN rendered as a table without a terminal
        let text = render_table(&rows, &Summary::of(&rows, 1), None);
        // THEN it is this exact text
        let expected = "\
| COMPLIANCE    | REGION    | NAME | KMS KEY                      | REASON                                  |
|---------------|-----------|------|------------------------------|-----------------------------------------|
| NON_COMPLIANT | us-east-1 | db   | (default) aws/secretsmanager | uses the default key aws/secretsmanager |
| COMPLIANT     | us-east-1 | app  | alias/app                    | customer managed key arn:x              |
| (unverified)  | us-east-1 | lost | alias/gone                   | not verified: DescribeKey throttled     |
3 secrets in 1 Region: 1 COMPLIANT, 1 NON_COMPLIANT, 0 NOT_APPLICABLE, 1 unverified
";
        assert_eq!(text, expected);
    }

    #[test]
    fn an_empty_audit_is_just_the_summary() {
        assert_eq!(
            render_table(&[], &Summary::of(&[], 2), None),
            "0 secrets in 2 Regions: 0 COMPLIANT, 0 NON_COMPLIANT, 0 NOT_APPLICABLE, 0 unverified\n"
        );
    }

    #[test]
    fn a_narrow_terminal_wraps_the_table() {
        let rows = sample();
        let text = render_table(&rows, &Summary::of(&rows, 1), Some(60));
        assert!(
            text.lines().all(|line| line.chars().count() <= 84),
            "{text}"
        );
        assert!(text.lines().next().unwrap().chars().count() <= 60, "{text}");
    }

    #[test]
    fn json_has_every_field_and_null_for_unknowns() {
        // GIVEN the sample rows
        let rows = sample();
        // WHEN rendered as JSON
        let value: serde_json::Value = serde_json::from_str(&render_json(&rows).unwrap()).unwrap();
        // THEN each object carries the documented fields; the default key and an
        // unverified compliance are null, never an invented value
        let first = &value[0];
        assert_eq!(
            first,
            &serde_json::json!({
                "arn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
                "name": "db",
                "account": "111122223333",
                "region": "us-east-1",
                "kms_key_id": null,
                "compliance": "NON_COMPLIANT",
                "row": "4",
                "owning_service": null,
                "reason": "uses the default key aws/secretsmanager",
            })
        );
        assert_eq!(value[1]["kms_key_id"], "alias/app");
        assert_eq!(value[2]["compliance"], serde_json::Value::Null);
        assert_eq!(value[2]["row"], serde_json::Value::Null);
        assert_eq!(render_json(&[]).unwrap(), "[]\n");
    }

    #[test]
    fn csv_has_a_header_and_the_same_columns() {
        let rows = sample();
        let text = render_csv(&rows).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("arn,name,account,region,kms_key_id,compliance,row,owning_service,reason")
        );
        assert_eq!(
            lines.next(),
            Some(
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf,db,111122223333,\
                 us-east-1,,NON_COMPLIANT,4,,uses the default key aws/secretsmanager"
            )
        );
        assert_eq!(
            lines.nth(1).map(|l| l.split(',').nth(5)),
            Some(Some("")),
            "unverified is empty"
        );
        assert_eq!(
            render_csv(&[]).unwrap(),
            format!("{}\n", CSV_HEADER.join(","))
        );
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        // GIVEN a reason with a comma, a quote and a line break, and an owning service
        let mut tricky = row(
            "a,b",
            Some("alias/k"),
            Some(Compliance::NotApplicable),
            "tag \"Exempt\", set\nby ops",
        );
        tricky.owning_service = Some("rds".into());
        // WHEN rendered as CSV
        let text = render_csv(&[tricky]).unwrap();
        // THEN fields are quoted as RFC 4180 says, and a CSV reader gets them back intact
        assert!(text.contains(",\"a,b\","), "{text}");
        assert!(
            text.contains("\"tag \"\"Exempt\"\", set\nby ops\""),
            "{text}"
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[1], "a,b");
        assert_eq!(&record[7], "rds");
        assert_eq!(&record[8], "tag \"Exempt\", set\nby ops");
    }

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

    #[test]
    fn actions_render_as_a_table() {
        let rows = [ActionRow {
            secret: "db".into(),
            from: key_label(None),
            to: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
            outcome: "re-key".into(),
        }];
        let text = render_actions(&rows, None);
        assert_eq!(
            text,
            "\
| SECRET | FROM KEY                     | TO KEY                                   | ACTION |
|--------|------------------------------|------------------------------------------|--------|
| db     | (default) aws/secretsmanager | arn:aws:kms:us-east-1:111122223333:key/k | re-key |
"
        );
        assert_eq!(render_actions(&[], None), "");
    }

    #[test]
    fn rows_come_from_sweep_items() {
        use rule_core::{Annotation, Scope, SecretFacts, Verdict};
        let arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds-x-AbCdEf";
        let secret = SecretFacts {
            arn: arn.into(),
            resource_id: arn.into(),
            name: "rds-x".into(),
            scope: Scope::from_secret_arn(arn).unwrap(),
            kms_key_id: Some(String::new()),
            deleted_date: None,
            owning_service: Some("rds".into()),
            tags: vec![],
            replicas: None,
        };
        let verdict = Verdict {
            compliance: Compliance::NonCompliant,
            annotation: Annotation::new("default key"),
            row: Row::DefaultKey,
        };
        let decided = AuditRow::from_item(&SweepItem {
            secret: secret.clone(),
            decision: Decision::Verdict(verdict),
        });
        assert_eq!(decided.region, "eu-west-1");
        assert_eq!(
            decided.kms_key_id, None,
            "an empty key id is the default key"
        );
        assert_eq!(decided.owning_service.as_deref(), Some("rds"));
        assert_eq!(
            (decided.compliance, decided.row),
            (Some(Compliance::NonCompliant), Some(Row::DefaultKey))
        );

        let unknown = AuditRow::from_item(&SweepItem {
            secret,
            decision: Decision::Unverifiable {
                reason: "DescribeKey throttled".into(),
            },
        });
        assert_eq!((unknown.compliance, unknown.row), (None, None));
        assert_eq!(unknown.reason, "not verified: DescribeKey throttled");
    }
}
