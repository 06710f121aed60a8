//! [`FindingImporter`] over the real Security Hub client of one account and Region: our
//! findings as the SDK's `AwsSecurityFinding`s, one BatchImportFindings call per batch.

use super::{BATCH_IMPORT_FINDINGS, FindingImporter, Rejected};
use crate::output::asff::{AsffFinding, AsffResource, AsffSeverity};
use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecretsManagerSecretDetails, AwsSecurityFinding, Compliance, ComplianceStatus,
    FindingProviderFields, FindingProviderSeverity, Partition, Recommendation, RecordState,
    Remediation, Resource, ResourceDetails, Severity, SeverityLabel,
};
use secrets_cmk_aws::{ApiCalls, AwsError, SdkConfig};

/// BatchImportFindings with one account's credentials in one Region.
#[derive(Debug, Clone)]
pub struct SecurityHubImporter {
    client: Client,
    calls: ApiCalls,
}

impl SecurityHubImporter {
    /// An importer acting with `config`: the findings' own account, in their Region.
    pub fn from_config(config: &SdkConfig, calls: ApiCalls) -> SecurityHubImporter {
        SecurityHubImporter {
            client: Client::new(config),
            calls,
        }
    }
}

impl FindingImporter for SecurityHubImporter {
    async fn batch_import(&self, batch: &[AsffFinding]) -> Result<Vec<Rejected>, AwsError> {
        self.calls.record(BATCH_IMPORT_FINDINGS);
        let answer = self
            .client
            .batch_import_findings()
            .set_findings(Some(batch.iter().map(to_sdk).collect()))
            .send()
            .await
            .map_err(|e| self.calls.failed(BATCH_IMPORT_FINDINGS, e))?;
        Ok(answer
            .failed_findings()
            .iter()
            .map(|failed| Rejected {
                id: failed.id().unwrap_or_default().to_owned(),
                code: failed.error_code().unwrap_or("Unknown").to_owned(),
                message: failed.error_message().unwrap_or_default().to_owned(),
            })
            .collect())
    }
}

/// Our finding as the SDK's: the same members, the same values.
pub fn to_sdk(finding: &AsffFinding) -> AwsSecurityFinding {
    let remediation = finding.remediation.as_ref().map(|remediation| {
        Remediation::builder()
            .recommendation(
                Recommendation::builder()
                    .text(&remediation.recommendation.text)
                    .build(),
            )
            .build()
    });
    AwsSecurityFinding::builder()
        .schema_version(&finding.schema_version)
        .id(&finding.id)
        .product_arn(&finding.product_arn)
        .generator_id(&finding.generator_id)
        .aws_account_id(&finding.aws_account_id)
        .set_types(Some(finding.types.clone()))
        .last_observed_at(&finding.last_observed_at)
        .created_at(&finding.created_at)
        .updated_at(&finding.updated_at)
        .severity(severity(&finding.severity))
        .title(&finding.title)
        .description(&finding.description)
        .set_remediation(remediation)
        .set_product_fields(Some(finding.product_fields.clone().into_iter().collect()))
        .set_resources(Some(finding.resources.iter().map(resource).collect()))
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(finding.compliance.status.as_str()))
                .build(),
        )
        .record_state(RecordState::from(finding.record_state.as_str()))
        .finding_provider_fields(
            FindingProviderFields::builder()
                .severity(
                    FindingProviderSeverity::builder()
                        .label(label(&finding.finding_provider_fields.severity))
                        .original(&finding.finding_provider_fields.severity.original)
                        .build(),
                )
                .set_types(Some(finding.finding_provider_fields.types.clone()))
                .build(),
        )
        .build()
}

fn label(severity: &AsffSeverity) -> SeverityLabel {
    SeverityLabel::from(severity.label.as_str())
}

fn severity(severity: &AsffSeverity) -> Severity {
    Severity::builder()
        .label(label(severity))
        .original(&severity.original)
        .build()
}

fn resource(resource: &AsffResource) -> Resource {
    let secret = &resource.details.aws_secrets_manager_secret;
    Resource::builder()
        .r#type(&resource.resource_type)
        .id(&resource.id)
        .partition(Partition::from(resource.partition.as_str()))
        .region(&resource.region)
        .details(
            ResourceDetails::builder()
                .aws_secrets_manager_secret(
                    AwsSecretsManagerSecretDetails::builder()
                        .set_name(secret.name.clone())
                        .set_kms_key_id(secret.kms_key_id.clone())
                        .build(),
                )
                .build(),
        )
        .build()
}
