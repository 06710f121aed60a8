//! Results as AWS Security Finding Format (ASFF) findings, for `--format asff` and the
//! Security Hub import. Pure: subjects in, findings out.
//!
//! The shape is botocore's `securityhub` `AwsSecurityFinding` (every required field, its
//! length limits) and the ASFF page of the Security Hub user guide:
//! <https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html>.
//!
//! | field | from |
//! |---|---|
//! | `Id` | the generator and the secret ARN only (not the time, not the verdict): a re-import updates the finding instead of adding one; hashed when it would pass 512 bytes |
//! | `ProductArn` | the account's default product in the secret's Region, its partition from the ARN |
//! | `Compliance.Status` | COMPLIANT → PASSED, NON_COMPLIANT → FAILED, NOT_APPLICABLE → NOT_AVAILABLE, unverified → NOT_AVAILABLE |
//! | `Severity.Label` | [`severity`]: the decision-table row, see its table |
//! | `Resources[0]` | the secret, `AwsSecretsManagerSecret`, with its name and key |
//! | `ProductFields` | the row, its cause, the verdict, the reason, the key, the rule |
//!
//! Why NOT_AVAILABLE, not WARNING, for an unverified secret: the model's own words for
//! NOT_AVAILABLE are "could not be performed due to a service outage, API error, or
//! because the result of the Config evaluation was NOT_APPLICABLE" — exactly our two
//! cases; WARNING is "some information is missing or this check is not supported", a
//! partial result we never produce.
//!
//! Severity and Types are also written under `FindingProviderFields`: after a finding
//! exists, Security Hub takes a provider's updates to them only from there.

use super::AuditRow;
use rule_core::{Compliance, Row};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use text::{cause, original_severity, product_fields, recommendation, title};

/// `SchemaVersion`: the only ASFF version there is.
pub const SCHEMA_VERSION: &str = "2018-10-08";
/// The generator both `audit` and `report` use, so either one updates the same finding.
pub const DEFAULT_GENERATOR_ID: &str = "secrets-cmk/customer-managed-key";
/// `Types[0]`: a configuration check against a best practice.
pub const FINDING_TYPE: &str = "Software and Configuration Checks/AWS Security Best Practices";
/// `Resources[0].Type` for a secret.
pub const RESOURCE_TYPE: &str = "AwsSecretsManagerSecret";

/// The model's length limits (bytes; UTF-8 text is cut on a character boundary).
const ID_MAX: usize = 512;
const GENERATOR_ID_MAX: usize = 512;
const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 1024;
const RECOMMENDATION_MAX: usize = 512;
const PRODUCT_FIELD_VALUE_MAX: usize = 2048;
const SEVERITY_ORIGINAL_MAX: usize = 64;
/// What a shortened text ends with.
const ELLIPSIS: char = '…';

/// One secret to write as a finding: what `audit` and `report` both know about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsffSubject<'a> {
    /// The account that owns the secret (12 digits): the finding's `AwsAccountId`.
    pub account: &'a str,
    /// The secret's Region: the `ProductArn`'s and the resource's.
    pub region: &'a str,
    /// The secret ARN: the resource `Id`, and what the finding `Id` is made from.
    pub secret_arn: &'a str,
    /// The secret name, when known (else the title names the ARN's last part).
    pub secret_name: Option<&'a str>,
    /// The verdict; `None` when it could not be verified.
    pub compliance: Option<Compliance>,
    /// The decision-table row, when known.
    pub row: Option<Row>,
    /// Why: the rule's annotation, or what could not be verified.
    pub reason: &'a str,
    /// When the verdict was recorded (RFC 3339), if earlier than this run (a report).
    pub observed_at: Option<&'a str>,
    /// The Config rule that recorded it (a report).
    pub rule: Option<&'a str>,
    /// The key as stored; `None` for the default key.
    pub kms_key_id: Option<&'a str>,
}

impl<'a> AsffSubject<'a> {
    /// An audit's row, as it is.
    pub fn from_audit_row(row: &'a AuditRow) -> AsffSubject<'a> {
        AsffSubject {
            account: &row.account,
            region: &row.region,
            secret_arn: &row.arn,
            secret_name: Some(row.name.as_str()).filter(|name| !name.is_empty()),
            compliance: row.compliance,
            row: row.row,
            reason: &row.reason,
            observed_at: None,
            rule: None,
            kms_key_id: row.kms_key_id.as_deref(),
        }
    }
}

/// What every finding of one run shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsffRun {
    /// `CreatedAt`/`UpdatedAt`: when the run made its findings (RFC 3339).
    pub generated_at: String,
    /// `GeneratorId`; [`DEFAULT_GENERATOR_ID`] when blank.
    pub generator_id: String,
}

impl AsffRun {
    /// A run generating now, by `generator_id`.
    pub fn now(generator_id: &str) -> AsffRun {
        AsffRun {
            generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            generator_id: generator_id.to_owned(),
        }
    }
}

/// `Severity.Label`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeverityLabel {
    /// No issue was found.
    Informational,
    /// Does not require action on its own.
    Low,
    /// Must be addressed, not urgently.
    Medium,
    /// Must be addressed as a priority.
    High,
    /// Must be remediated immediately.
    Critical,
}

impl SeverityLabel {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLabel::Informational => "INFORMATIONAL",
            SeverityLabel::Low => "LOW",
            SeverityLabel::Medium => "MEDIUM",
            SeverityLabel::High => "HIGH",
            SeverityLabel::Critical => "CRITICAL",
        }
    }
}

/// `Compliance.Status` (WARNING is never written: see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceStatus {
    /// COMPLIANT.
    Passed,
    /// NON_COMPLIANT.
    Failed,
    /// NOT_APPLICABLE, or not verified.
    NotAvailable,
}

impl ComplianceStatus {
    /// The status of a verdict; `None` (unverified) is NOT_AVAILABLE.
    pub fn of(compliance: Option<Compliance>) -> ComplianceStatus {
        match compliance {
            Some(Compliance::Compliant) => ComplianceStatus::Passed,
            Some(Compliance::NonCompliant) => ComplianceStatus::Failed,
            Some(Compliance::NotApplicable) | None => ComplianceStatus::NotAvailable,
        }
    }

    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceStatus::Passed => "PASSED",
            ComplianceStatus::Failed => "FAILED",
            ComplianceStatus::NotAvailable => "NOT_AVAILABLE",
        }
    }
}

/// The severity of a verdict, by its decision-table row.
///
/// | verdict | row | label | why |
/// |---|---|---|---|
/// | COMPLIANT, NOT_APPLICABLE | any | INFORMATIONAL | no issue was found |
/// | NON_COMPLIANT | 5a key of an untrusted account | HIGH | its owner can make the secret unreadable and sees every decrypt |
/// | NON_COMPLIANT | 7 key does not exist, 8 key not Enabled | HIGH | the secret cannot be read (or soon cannot) |
/// | NON_COMPLIANT | 4 default key, 5 AWS managed alias, 6 AWS managed key | MEDIUM | readable, but the key policy is not the customer's |
/// | NON_COMPLIANT | 5b key of another Region, 9 not approved, 11 replica fails, row unknown | MEDIUM | a customer's key, or a cause not known here |
/// | unverified | — | LOW | INFORMATIONAL would say no issue was found, which nobody checked; higher would claim an issue not found |
pub fn severity(compliance: Option<Compliance>, row: Option<Row>) -> SeverityLabel {
    match compliance {
        Some(Compliance::Compliant | Compliance::NotApplicable) => SeverityLabel::Informational,
        None => SeverityLabel::Low,
        Some(Compliance::NonCompliant) => match row {
            Some(Row::UntrustedKeyAccount | Row::KeyNotFound | Row::KeyNotEnabled) => {
                SeverityLabel::High
            }
            _ => SeverityLabel::Medium,
        },
    }
}

/// One finding, serialized with the model's member names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffFinding {
    /// [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// Stable per generator and secret.
    pub id: String,
    /// `arn:{partition}:securityhub:{region}:{account}:product/{account}/default`.
    pub product_arn: String,
    /// The run's generator.
    pub generator_id: String,
    /// The secret's account.
    pub aws_account_id: String,
    /// [`FINDING_TYPE`].
    pub types: Vec<String>,
    /// When the verdict was observed: the run's time, or the recorded time of a report.
    pub last_observed_at: String,
    /// The run's time.
    pub created_at: String,
    /// The run's time.
    pub updated_at: String,
    /// See [`severity`].
    pub severity: AsffSeverity,
    /// One line: the secret and its verdict.
    pub title: String,
    /// The reason.
    pub description: String,
    /// The fix, for a FAILED or unverified finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<AsffRemediation>,
    /// `secrets-cmk/...` keys: the row, cause, verdict, reason, key, rule.
    pub product_fields: BTreeMap<String, String>,
    /// The secret, only.
    pub resources: Vec<AsffResource>,
    /// See [`ComplianceStatus`].
    pub compliance: AsffCompliance,
    /// Always ACTIVE.
    pub record_state: String,
    /// Severity and Types again, where Security Hub takes a provider's updates to them.
    pub finding_provider_fields: AsffProviderFields,
}

/// `Severity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffSeverity {
    /// The label.
    pub label: SeverityLabel,
    /// Our own term: `row 4`, `unverified`, ...
    pub original: String,
}

/// `Remediation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRemediation {
    /// `Recommendation`.
    pub recommendation: AsffRecommendation,
}

/// `Remediation.Recommendation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRecommendation {
    /// What to do, with the command when it fits (512 bytes at most).
    pub text: String,
}

/// `Resources[n]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffResource {
    /// [`RESOURCE_TYPE`].
    #[serde(rename = "Type")]
    pub resource_type: String,
    /// The secret ARN.
    pub id: String,
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
    /// The secret's Region.
    pub region: String,
    /// The secret's name and key.
    pub details: AsffResourceDetails,
}

/// `Resources[n].Details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffResourceDetails {
    /// `AwsSecretsManagerSecret`.
    pub aws_secrets_manager_secret: AsffSecretDetails,
}

/// `Resources[n].Details.AwsSecretsManagerSecret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffSecretDetails {
    /// The secret name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The key as stored; absent for the default key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// `Compliance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffCompliance {
    /// The status.
    pub status: ComplianceStatus,
}

/// `FindingProviderFields`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffProviderFields {
    /// As [`AsffFinding::severity`].
    pub severity: AsffSeverity,
    /// As [`AsffFinding::types`].
    pub types: Vec<String>,
}

/// One finding per subject, in order.
pub fn findings(subjects: &[AsffSubject<'_>], run: &AsffRun) -> Vec<AsffFinding> {
    subjects
        .iter()
        .map(|subject| finding(subject, run))
        .collect()
}

/// The findings as a pretty-printed JSON array (`[]` when there are none),
/// newline-terminated: the input `BatchImportFindings` takes as `Findings`.
pub fn render_asff(
    subjects: &[AsffSubject<'_>],
    run: &AsffRun,
) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&findings(subjects, run))?;
    text.push('\n');
    Ok(text)
}

/// The finding `Id`: `{generator}/{secret ARN}`, or, when that passes the limit (a name
/// may be 512 characters), the generator and the SHA-256 of both: still stable.
pub fn finding_id(generator_id: &str, secret_arn: &str) -> String {
    let plain = format!("{generator_id}/{secret_arn}");
    if plain.len() <= ID_MAX {
        return plain;
    }
    let digest = Sha256::digest(format!("{generator_id}\n{secret_arn}").as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    let suffix = format!("/sha256:{hex}");
    format!(
        "{}{suffix}",
        cut_to_boundary(generator_id, ID_MAX - suffix.len())
    )
}

/// The partition a secret ARN names; from the Region when the ARN names none we know.
pub fn partition(secret_arn: &str, region: &str) -> &'static str {
    const KNOWN: [&str; 5] = ["aws", "aws-cn", "aws-us-gov", "aws-us-iso", "aws-us-iso-b"];
    let named = secret_arn.split(':').nth(1).unwrap_or_default();
    if let Some(known) = KNOWN.iter().find(|known| **known == named) {
        return known;
    }
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-us-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-us-iso"
    } else {
        "aws"
    }
}

/// `text` in at most `max` bytes, ending in `…` when shortened, never splitting a
/// character.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut cut = cut_to_boundary(text, max.saturating_sub(ELLIPSIS.len_utf8())).to_owned();
    cut.push(ELLIPSIS);
    cut
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut_to_boundary(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text`, unless it is blank (the model wants a non-whitespace character), then
/// `fallback`.
fn or_else(text: &str, fallback: impl FnOnce() -> String) -> String {
    if text.trim().is_empty() {
        fallback()
    } else {
        text.to_owned()
    }
}

fn finding(subject: &AsffSubject<'_>, run: &AsffRun) -> AsffFinding {
    let generator_id = truncate(
        &or_else(&run.generator_id, || DEFAULT_GENERATOR_ID.to_owned()),
        GENERATOR_ID_MAX,
    );
    let partition = partition(subject.secret_arn, subject.region);
    let status = ComplianceStatus::of(subject.compliance);
    let severity = AsffSeverity {
        label: severity(subject.compliance, subject.row),
        original: truncate(&original_severity(subject), SEVERITY_ORIGINAL_MAX),
    };
    let types = vec![FINDING_TYPE.to_owned()];
    let observed_at = subject
        .observed_at
        .and_then(normalized_time)
        .unwrap_or_else(|| run.generated_at.clone());
    AsffFinding {
        schema_version: SCHEMA_VERSION.to_owned(),
        id: finding_id(&generator_id, subject.secret_arn),
        product_arn: format!(
            "arn:{partition}:securityhub:{region}:{account}:product/{account}/default",
            region = subject.region,
            account = subject.account
        ),
        generator_id,
        aws_account_id: subject.account.to_owned(),
        types: types.clone(),
        last_observed_at: observed_at,
        created_at: run.generated_at.clone(),
        updated_at: run.generated_at.clone(),
        severity: severity.clone(),
        title: truncate(&title(subject, status), TITLE_MAX),
        description: truncate(
            &or_else(subject.reason, || cause(subject).to_owned()),
            DESCRIPTION_MAX,
        ),
        remediation: recommendation(subject).map(|text| AsffRemediation {
            recommendation: AsffRecommendation { text },
        }),
        product_fields: product_fields(subject),
        resources: vec![AsffResource {
            resource_type: RESOURCE_TYPE.to_owned(),
            id: subject.secret_arn.to_owned(),
            partition: partition.to_owned(),
            region: subject.region.to_owned(),
            details: AsffResourceDetails {
                aws_secrets_manager_secret: AsffSecretDetails {
                    name: subject.secret_name.map(str::to_owned),
                    kms_key_id: subject
                        .kms_key_id
                        .filter(|key| !key.trim().is_empty())
                        .map(str::to_owned),
                },
            },
        }],
        compliance: AsffCompliance { status },
        record_state: "ACTIVE".to_owned(),
        finding_provider_fields: AsffProviderFields { severity, types },
    }
}

/// A recorded time as Security Hub takes it (RFC 3339, UTC); `None` when it is not one,
/// so one odd timestamp costs the finding its observed time, never its import.
fn normalized_time(text: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|time| {
            time.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
}

#[path = "asff_text.rs"]
mod text;

#[cfg(test)]
#[path = "asff_tests.rs"]
mod tests;
