//! A report's results as people read them: the shared findings model
//! ([`crate::output::Finding`]), so the table and the HTML report are audit's own.
//!
//! An aggregator gives the rule's annotation, not the decision-table row. The row is
//! read back from the annotation ([`rule_core::row_of_annotation`]), so a finding has
//! the row, cause label and key `audit` would show and the summary counts causes as
//! audit's does. An annotation that is not the rule's own (another rule, hand-written,
//! cut before the phrase that tells its row) has no row: its short cause is its opening
//! words, up to the first identifier (a key ARN, a date, a tag), so that the secrets of
//! one cause still count together. The fix is the `remediate` command to run in the
//! secret's own account.

use super::rows::ReportRow;
use crate::output::from_audit::{KEY_PLACEHOLDER, REKEY_RUNBOOK, shell_quote};
use crate::output::{Finding, Fix, Verdict, key_label};
use rule_core::Row;
use rule_core::row_of_annotation::{Recognised, recognise};

/// The cause of a result without an annotation.
const NO_ANNOTATION: &str = "no annotation";

/// The cause of an INSUFFICIENT_DATA result.
const NO_DATA: &str = "insufficient data";

/// The longest short cause, in characters (the table shortens further to fit).
const CAUSE_CHARS: usize = 60;

/// One finding per result, in the same order.
pub fn findings(rows: &[ReportRow]) -> Vec<Finding> {
    rows.iter().map(finding).collect()
}

/// The decision-table row that wrote a result's annotation, and the key it names; `None`
/// when the text is not recognised, or when its row gives another compliance than the
/// result's (then it is not the rule's verdict, whatever the words).
pub fn recognised(row: &ReportRow) -> Option<Recognised<'_>> {
    let compliance = row.compliance()?;
    recognise(row.annotation.as_deref()?).filter(|found| found.row.compliance() == compliance)
}

/// A result as a finding, with its fix.
pub fn finding(row: &ReportRow) -> Finding {
    let verdict = Verdict::of(row.compliance());
    let found = recognised(row);
    let cause = match (verdict, found, &row.annotation) {
        (Verdict::Unverified, _, _) => NO_DATA.to_owned(),
        (_, Some(found), _) => Finding::cause_of(Some(found.row)),
        (_, None, Some(annotation)) => short_cause(annotation),
        (_, None, None) => NO_ANNOTATION.to_owned(),
    };
    // As audit labels keys: the default key by its label, others as named.
    let key = found.and_then(|found| match found.row {
        Row::DefaultKey => Some(key_label(None)),
        _ => found.key.map(str::to_owned),
    });
    let reason = match &row.annotation {
        Some(annotation) => format!("{annotation} (rule {})", row.rule),
        None => format!("{} (rule {}, no annotation)", row.compliance, row.rule),
    };
    Finding {
        verdict,
        row: found.map(|found| found.row),
        cause,
        key,
        account: Some(row.account.clone()),
        region: Some(row.region.clone()),
        name: secret_name(&row.resource_id).to_owned(),
        id: row.resource_id.clone(),
        reason,
        fix: fix(row, verdict),
    }
}

/// The annotation's opening words, up to the first one that names something (holds a
/// `/`, `=` or digit, or a `:` inside it, as ARNs, dates and tags do), without the
/// trailing punctuation; the whole first sentence when it names nothing.
pub fn short_cause(annotation: &str) -> String {
    let names_something = |word: &str| {
        let inner = word.trim_end_matches([':', ',', '.', ';']);
        inner.contains(['/', '='])
            || inner.contains(':')
            || inner.chars().any(|c| c.is_ascii_digit())
    };
    let first_sentence = annotation.split(". ").next().unwrap_or(annotation);
    let words: Vec<&str> = first_sentence
        .split_whitespace()
        .take_while(|word| !names_something(word))
        .collect();
    let cause = words.join(" ");
    let cause = cause.trim_end_matches([':', ',', '.', ';', ' ']);
    let cause = if cause.is_empty() {
        first_sentence.trim()
    } else {
        cause
    };
    if cause.chars().count() <= CAUSE_CHARS {
        cause.to_owned()
    } else {
        let cut: String = cause.chars().take(CAUSE_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// A secret's name from its ARN (`...:secret:NAME-AbCdEf`, the suffix Secrets Manager
/// adds dropped); any other resource id as it is.
pub fn secret_name(resource_id: &str) -> &str {
    let Some((_, name)) = resource_id.split_once(":secret:") else {
        return resource_id;
    };
    match name.rsplit_once('-') {
        Some((base, suffix))
            if !base.is_empty()
                && suffix.len() == 6
                && suffix.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            base
        }
        _ => name,
    }
}

/// What to do about a result: re-key in the secret's account (a dry run; the runbook
/// does the same), or look at why Config has no data. Nothing for the others.
fn fix(row: &ReportRow, verdict: Verdict) -> Option<Fix> {
    match verdict {
        Verdict::NonCompliant => Some(Fix {
            advice: format!(
                "With credentials of account {}: re-key the secret to a customer managed key \
                 ({KEY_PLACEHOLDER}) of {} if the annotation says its key is at fault (the \
                 command is a dry run, add --apply to change it), else fix what the \
                 annotation names; then `secrets-cmk audit` there shows the current state.",
                row.account, row.region
            ),
            command: Some(format!(
                "secrets-cmk --region {} remediate --secret {} --kms-key-id {KEY_PLACEHOLDER}",
                shell_quote(&row.region),
                shell_quote(&row.resource_id)
            )),
            runbook: Some(format!(
                "{REKEY_RUNBOOK} (SecretId={}, KmsKeyId={KEY_PLACEHOLDER})",
                row.resource_id
            )),
        }),
        Verdict::Unverified => Some(Fix {
            advice: format!(
                "AWS Config has no verdict ({}): check the rule in account {} and {} with \
                 `secrets-cmk doctor`, or run `secrets-cmk audit` there.",
                row.compliance, row.account, row.region
            ),
            command: None,
            runbook: None,
        }),
        Verdict::NotApplicable | Verdict::Compliant => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::rows::tests::row;

    /// What the rule writes for a secret on the default key, through rule-core's own
    /// `decide`, so the test follows the rule's text.
    pub(crate) fn default_key_annotation(owning_service: Option<&str>) -> String {
        let arn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf";
        let secret = rule_core::SecretFacts {
            arn: arn.to_owned(),
            resource_id: arn.to_owned(),
            name: "prod/db".to_owned(),
            scope: rule_core::Scope::from_secret_arn(arn).unwrap(),
            kms_key_id: None,
            deleted_date: None,
            owning_service: owning_service.map(str::to_owned),
            tags: vec![],
            replicas: Some(vec![]),
        };
        let keys = std::collections::HashMap::<rule_core::QualifiedKeyRef, _>::new();
        let decision = rule_core::decide(&secret, &rule_core::RuleParameters::default(), &keys);
        let verdict = decision.verdict().expect("the default key needs no lookup");
        verdict.annotation.to_string()
    }

    #[test]
    fn the_rules_annotation_gives_audits_row_cause_and_key() {
        for service in [None, Some("rds")] {
            // GIVEN a NON_COMPLIANT result with the rule's default-key annotation
            let mut result = row("111111111111", "prod/db", "NON_COMPLIANT");
            let annotation = default_key_annotation(service);
            result.annotation = Some(annotation.clone());
            // WHEN made a finding
            let finding = finding(&result);
            // THEN the row, cause and key are those audit shows for that secret
            assert_eq!(finding.row, Some(Row::DefaultKey), "{annotation}");
            assert_eq!(finding.cause, Finding::cause_of(Some(Row::DefaultKey)));
            assert_eq!(finding.cause, "default key");
            assert_eq!(finding.key, Some(key_label(None)));
            // AND the full annotation stays the reason (json, csv, --show details)
            assert!(
                finding.reason.starts_with(&annotation),
                "{}",
                finding.reason
            );
        }
    }

    #[test]
    fn a_recognised_annotation_names_its_key_and_a_contradicted_one_is_not_trusted() {
        // GIVEN the rule's text for a key that does not exist
        let key = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let text = format!("KMS key {key} does not exist: the secret cannot be decrypted.");
        let mut result = row("111111111111", "prod/db", "NON_COMPLIANT");
        result.annotation = Some(text.clone());
        // WHEN made a finding / THEN row 7, naming the key
        let found = finding(&result);
        assert_eq!(found.row, Some(Row::KeyNotFound));
        assert_eq!(found.cause, "key does not exist");
        assert_eq!(found.key.as_deref(), Some(key));
        // GIVEN the same words on a COMPLIANT result (not the rule's verdict) / THEN no
        // row: the words fall back to the short cause
        let mut odd = row("111111111111", "prod/db", "COMPLIANT");
        odd.annotation = Some(text);
        let odd = finding(&odd);
        assert_eq!((odd.row, odd.key), (None, None));
        assert_eq!(odd.cause, "KMS key");
        assert!(recognised(&odd_row_without_compliance()).is_none());
    }

    fn odd_row_without_compliance() -> ReportRow {
        let mut result = row("1", "a", "INSUFFICIENT_DATA");
        result.annotation = Some(default_key_annotation(None));
        result
    }

    #[test]
    fn the_summary_counts_report_results_by_audits_causes() {
        // GIVEN two results on the default key, one foreign text and one without data
        let mut rows = vec![
            row("111111111111", "a", "NON_COMPLIANT"),
            row("222222222222", "b", "NON_COMPLIANT"),
            row("111111111111", "c", "NON_COMPLIANT"),
        ];
        rows[0].annotation = Some(default_key_annotation(None));
        rows[1].annotation = Some(default_key_annotation(Some("rds")));
        rows.push(odd_row_without_compliance());
        // WHEN tallied
        let tally = crate::output::Tally::of(&findings(&rows));
        // THEN the default key counts as one cause, as audit's table counts it
        assert_eq!(
            tally.by_cause,
            [
                ("default key".to_owned(), 2),
                ("NON_COMPLIANT annotation, of c".to_owned(), 1),
                ("insufficient data".to_owned(), 1),
            ]
        );
    }

    #[test]
    fn a_non_compliant_result_is_a_finding_with_the_remediate_command() {
        // GIVEN a NON_COMPLIANT result whose annotation is not the rule's own text
        let mut result = row("111111111111", "prod/db", "NON_COMPLIANT");
        result.annotation = Some(
            "Encrypted with the AWS managed key aws/secretsmanager (the default key).".to_owned(),
        );
        // WHEN made a finding
        let finding = finding(&result);
        // THEN its cause is the annotation's opening words, its name the secret's, and
        // the fix is the dry-run re-key in its own Region
        assert_eq!(finding.verdict, Verdict::NonCompliant);
        assert_eq!(finding.cause, "Encrypted with the AWS managed key");
        assert_eq!(finding.name, "prod/db");
        assert_eq!(finding.id, result.resource_id);
        assert!(finding.row.is_none() && finding.key.is_none());
        assert!(
            finding.reason.ends_with("(rule secrets-cmk)"),
            "{}",
            finding.reason
        );
        let fix = finding.fix.unwrap();
        assert_eq!(
            fix.command.unwrap(),
            format!(
                "secrets-cmk --region us-east-1 remediate --secret {} --kms-key-id KEY",
                result.resource_id
            )
        );
        assert!(fix.advice.contains("111111111111"), "{}", fix.advice);
    }

    #[test]
    fn insufficient_data_is_unverified_and_compliant_has_no_fix() {
        let unknown = finding(&row("1", "a", "INSUFFICIENT_DATA"));
        assert_eq!(unknown.verdict, Verdict::Unverified);
        assert_eq!(unknown.cause, "insufficient data");
        assert!(unknown.fix.unwrap().advice.contains("doctor"));
        let compliant = finding(&row("1", "a", "COMPLIANT"));
        assert_eq!(compliant.verdict, Verdict::Compliant);
        assert!(compliant.fix.is_none());
        let mut bare = row("1", "a", "NON_COMPLIANT");
        bare.annotation = None;
        assert_eq!(finding(&bare).cause, "no annotation");
    }

    #[test]
    fn the_short_cause_stops_before_what_the_annotation_names() {
        for (annotation, cause) in [
            (
                "Encrypted with customer managed KMS key arn:aws:kms:us-east-1:1:key/k.",
                "Encrypted with customer managed KMS key",
            ),
            (
                "The secret is scheduled for deletion on 2026-01-02.",
                "The secret is scheduled for deletion on",
            ),
            (
                "Exempt: the secret carries the exemption tag skip=yes.",
                "Exempt: the secret carries the exemption tag",
            ),
            ("Key not Enabled. It is Disabled.", "Key not Enabled"),
            ("arn:aws:kms:x", "arn:aws:kms:x"),
        ] {
            assert_eq!(short_cause(annotation), cause, "{annotation}");
        }
        let long = "word ".repeat(40);
        assert_eq!(short_cause(&long).chars().count(), CAUSE_CHARS);
    }

    #[test]
    fn secret_names_come_from_the_arn() {
        let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-password-AbC123";
        assert_eq!(secret_name(arn), "prod/db-password");
        assert_eq!(
            secret_name("arn:aws:secretsmanager:us-east-1:1:secret:plain"),
            "plain"
        );
        assert_eq!(secret_name("some-resource-id"), "some-resource-id");
    }
}
