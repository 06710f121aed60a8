//! Rendering results for people and programs. Pure: rows in, a `String` out; the
//! commands decide where it goes.
//!
//! | module | what |
//! |---|---|
//! | here | an audit's [`AuditRow`]s as JSON and CSV (an interface: fields fixed) |
//! | [`finding`] | the model every command's human output is drawn from, its order and counts |
//! | [`from_audit`] | an audit row as a finding, with its fix |
//! | [`table`] | findings as a table for people: summary first, fitted to the terminal |
//! | [`fit`] | shortening and wrapping without breaking words |
//! | [`html`] | the self-contained HTML report |
//! | [`summary`] | the audit's line of counts |
//! | [`actions`] | what `remediate` and `backout` do, as a table |
//! | [`asff`] | secrets as AWS Security Finding Format findings, for Security Hub |

pub mod actions;
pub mod asff;
pub mod finding;
pub mod fit;
pub mod from_audit;
pub mod html;
pub mod summary;
pub mod table;

pub use actions::{ActionRow, render_actions};
pub use finding::{Finding, Fix, Show, Tally, Verdict};
pub use html::ReportMeta;
pub use summary::Summary;
pub use table::{TableView, render_findings};

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
/// A key for people: the stored reference, or the default key's label.
pub fn key_label(kms_key_id: Option<&str>) -> String {
    match kms_key_id {
        Some(key) if !key.is_empty() => key.to_owned(),
        _ => DEFAULT_KEY_LABEL.to_owned(),
    }
}
/// The audit for people: its summary line and the summary by cause and account, then the
/// secrets `view` lists (by default the findings only), worst first.
pub fn render_table(rows: &[AuditRow], summary: &Summary, view: &TableView) -> String {
    let findings: Vec<Finding> = rows.iter().map(AuditRow::finding).collect();
    render_findings(&summary.line(), &findings, view)
}

/// The audit as the HTML report.
pub fn render_html(rows: &[AuditRow], meta: &ReportMeta) -> Result<String, serde_json::Error> {
    let findings: Vec<Finding> = rows.iter().map(AuditRow::finding).collect();
    html::render(&findings, meta)
}

/// The audit as a pretty-printed JSON array (`[]` when there is nothing), newline-terminated.
pub fn render_json(rows: &[AuditRow]) -> Result<String, serde_json::Error> {
    json_array(rows)
}

/// The audit as CSV (RFC 4180 quoting, by the csv crate) with a header row, also when
/// there are no rows. `None` is an empty field.
pub fn render_csv(rows: &[AuditRow]) -> Result<String, csv::Error> {
    csv_with_header(rows, &CSV_HEADER)
}

/// Any rows as a pretty-printed JSON array (`[]` when there is nothing),
/// newline-terminated (shared by `audit` and `report`).
pub fn json_array<T: Serialize>(rows: &[T]) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(rows)?;
    text.push('\n');
    Ok(text)
}

/// Any rows as CSV (RFC 4180 quoting) under `header`, also when there are none: the
/// csv crate writes no header for an empty list, so the header is written by hand and
/// the rows without one (shared by `audit` and `report`).
pub fn csv_with_header<T: Serialize>(rows: &[T], header: &[&str]) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer.write_record(header)?;
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
#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";

    pub(crate) fn row(
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

    pub(crate) fn sample() -> Vec<AuditRow> {
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
