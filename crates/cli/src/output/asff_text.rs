//! The words of a finding: its title, cause, severity's own term, recommendation and
//! product fields, from what is known of the secret.

use super::{AsffSubject, ComplianceStatus, PRODUCT_FIELD_VALUE_MAX, RECOMMENDATION_MAX, truncate};
use crate::output::AuditRow;
use rule_core::{Compliance, Row};
use std::collections::BTreeMap;

/// The secret as people name it: its name, else the ARN's last part, else the ARN.
pub(super) fn display_name<'a>(subject: &AsffSubject<'a>) -> &'a str {
    subject
        .secret_name
        .filter(|name| !name.trim().is_empty())
        .or_else(|| {
            subject
                .secret_arn
                .split_once(":secret:")
                .map(|(_, name)| name)
        })
        .unwrap_or(subject.secret_arn)
}

/// The short cause: the row's, else what the verdict says.
pub(super) fn cause(subject: &AsffSubject<'_>) -> &'static str {
    match (subject.row, subject.compliance) {
        (Some(row), _) => row.label(),
        (None, Some(Compliance::Compliant)) => "customer managed key",
        (None, Some(Compliance::NonCompliant)) => "not a customer managed key",
        (None, Some(Compliance::NotApplicable)) => "not applicable",
        (None, None) => "not verified",
    }
}

pub(super) fn original_severity(subject: &AsffSubject<'_>) -> String {
    match (subject.row, subject.compliance) {
        (Some(row), _) => format!("row {}", row.number()),
        (None, Some(compliance)) => compliance.as_str().to_owned(),
        (None, None) => "unverified".to_owned(),
    }
}

pub(super) fn title(subject: &AsffSubject<'_>, status: ComplianceStatus) -> String {
    let name = display_name(subject);
    match (status, subject.compliance) {
        (ComplianceStatus::Passed, _) => {
            format!("Secret {name} is encrypted with a customer managed KMS key")
        }
        (ComplianceStatus::Failed, _) => format!(
            "Secret {name} fails the customer managed KMS key check: {}",
            cause(subject)
        ),
        (ComplianceStatus::NotAvailable, Some(_)) => format!(
            "Secret {name} is not applicable to the customer managed KMS key check: {}",
            cause(subject)
        ),
        (ComplianceStatus::NotAvailable, None) => {
            format!("Secret {name} could not be checked for a customer managed KMS key")
        }
    }
}

/// What to do, for FAILED and unverified findings: the advice `audit` gives for the same
/// row, with its command when the whole text fits the limit (a command cut short would
/// be wrong, so it is left out and the advice stays).
pub(super) fn recommendation(subject: &AsffSubject<'_>) -> Option<String> {
    let fix = match (subject.row, subject.compliance) {
        (_, Some(Compliance::Compliant | Compliance::NotApplicable)) => return None,
        (None, Some(Compliance::NonCompliant)) => {
            return Some(truncate(
                &format!(
                    "Re-key the secret to a customer managed key of {}; `secrets-cmk audit \
                     --region {}` shows the cause and the command.",
                    subject.region, subject.region
                ),
                RECOMMENDATION_MAX,
            ));
        }
        _ => as_audit_row(subject).finding().fix?,
    };
    let with_command = fix
        .command
        .as_ref()
        .map(|command| format!("{} Command: {command}", fix.advice))
        .filter(|text| text.len() <= RECOMMENDATION_MAX);
    let without = match fix.command {
        Some(_) => format!(
            "{} (`secrets-cmk audit --show details` shows the command.)",
            fix.advice
        ),
        None => fix.advice,
    };
    Some(with_command.unwrap_or_else(|| truncate(&without, RECOMMENDATION_MAX)))
}

/// The subject as an audit row, to reuse the audit's fix for each row. The owning
/// service is not known here: `remediate` itself refuses a service's secret.
pub(super) fn as_audit_row(subject: &AsffSubject<'_>) -> AuditRow {
    AuditRow {
        arn: subject.secret_arn.to_owned(),
        name: display_name(subject).to_owned(),
        account: subject.account.to_owned(),
        region: subject.region.to_owned(),
        kms_key_id: subject.kms_key_id.map(str::to_owned),
        compliance: subject.compliance,
        row: subject.row,
        owning_service: None,
        reason: subject.reason.to_owned(),
    }
}

/// `secrets-cmk/...` fields; blank values are left out (the model wants non-blank ones).
pub(super) fn product_fields(subject: &AsffSubject<'_>) -> BTreeMap<String, String> {
    let verdict = subject.compliance.map_or("UNVERIFIED", |c| c.as_str());
    let fields = [
        ("Row", subject.row.map(Row::number)),
        ("Cause", Some(cause(subject))),
        ("Compliance", Some(verdict)),
        ("Reason", Some(subject.reason)),
        ("SecretName", subject.secret_name),
        ("KmsKeyId", subject.kms_key_id),
        ("Rule", subject.rule),
        ("ObservedAt", subject.observed_at),
    ];
    fields
        .into_iter()
        .filter_map(|(key, value)| {
            let value = value.filter(|v| !v.trim().is_empty())?;
            Some((
                format!("secrets-cmk/{key}"),
                truncate(value, PRODUCT_FIELD_VALUE_MAX),
            ))
        })
        .collect()
}
