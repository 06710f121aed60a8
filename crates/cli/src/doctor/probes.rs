//! The AWS side of `doctor`: one read-only call (or a bounded few) per fact, each turned
//! into the plain facts of [`super::model`] or a classified [`AwsError`]. No decision is
//! made here.
//!
//! | probe | API calls |
//! |---|---|
//! | [`AwsProbes::caller`] | sts:GetCallerIdentity |
//! | [`AwsProbes::recorders`] | config:DescribeConfigurationRecorders, config:DescribeConfigurationRecorderStatus |
//! | [`AwsProbes::discovered_secrets`] | config:ListDiscoveredResources (one page of 100) |
//! | [`AwsProbes::listed_secrets`] | secretsmanager:ListSecrets (one page of 100) |
//! | [`AwsProbes::described_secrets`] | secretsmanager:DescribeSecret (for at most [`DESCRIBE_AT_MOST`] secrets) |
//! | [`AwsProbes::config_item`] | config:GetResourceConfigHistory (limit 1) |
//! | [`AwsProbes::rule`] | config:DescribeConfigRules, config:DescribeConfigRuleEvaluationStatus |
//! | [`AwsProbes::role_arn`] | iam:GetRole |
//! | [`AwsProbes::simulate`] | iam:SimulatePrincipalPolicy (every page) |
//! | [`AwsProbes::pack_members`] | config:GetOrganizationConformancePackDetailedStatus (every page; `--organization`) |
//! | [`AwsProbes::stack_instances`] | cloudformation:ListStackInstances (every page; `--organization`) |
//! | [`rule_status`] | config:DescribeConfigRules, config:DescribeConfigRuleEvaluationStatus (any account's client; `--organization` reads the members with it) |
//!
//! The members' side of `--organization` is in [`super::member_probes`].

use super::checks::SECRET_TYPE;
use super::model::{
    CallerIdentity, ConfigItem, DescribedSecret, DiscoveredResource, ListedSecret, Observed,
    Recorder, RecorderStatus, RuleStatus, SimulatedAction,
};
use super::organization::{MemberPack, StackInstance};
use super::permissions::Simulation;
use aws_sdk_cloudformation::types::CallAs;
use aws_sdk_config::types::ResourceType;
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum};
use secrets_cmk_aws::time::to_chrono;
use secrets_cmk_aws::{AwsError, SdkConfig};

/// The most secrets DescribeSecret is called for, looking for a replicated one: enough to
/// find one where replication is common, few enough to stay far below the quota.
pub const DESCRIBE_AT_MOST: usize = 20;

/// One page: ListSecrets and ListDiscoveredResources allow 100 at most.
const PAGE: i32 = 100;

/// The clients doctor uses, for the account and Region of the configuration.
#[derive(Debug, Clone)]
pub struct AwsProbes {
    sts: aws_sdk_sts::Client,
    config: aws_sdk_config::Client,
    secrets: aws_sdk_secretsmanager::Client,
    iam: aws_sdk_iam::Client,
    pub(super) cloudformation: aws_sdk_cloudformation::Client,
}

impl AwsProbes {
    /// Clients built from `config` (its Region, credentials and endpoint).
    pub fn new(config: &SdkConfig) -> AwsProbes {
        AwsProbes {
            sts: aws_sdk_sts::Client::new(config),
            config: aws_sdk_config::Client::new(config),
            secrets: aws_sdk_secretsmanager::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            cloudformation: aws_sdk_cloudformation::Client::new(config),
        }
    }

    /// Who the credentials belong to.
    pub async fn caller(&self) -> Observed<CallerIdentity> {
        const OP: &str = "sts:GetCallerIdentity";
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        match (out.account(), out.arn()) {
            (Some(account), Some(arn)) => Ok(CallerIdentity {
                account: account.to_owned(),
                arn: arn.to_owned(),
            }),
            _ => Err(AwsError::malformed_response(OP, "no Account or Arn")),
        }
    }

    /// Every configuration recorder of the Region, with its status.
    pub async fn recorders(&self) -> Observed<Vec<Recorder>> {
        let described = self
            .config
            .describe_configuration_recorders()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("config:DescribeConfigurationRecorders", e))?;
        let statuses = self
            .config
            .describe_configuration_recorder_status()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("config:DescribeConfigurationRecorderStatus", e))?;
        let recorders = described
            .configuration_recorders()
            .iter()
            .map(|recorder| {
                let name = recorder.name().unwrap_or_default().to_owned();
                let group = recorder.recording_group();
                let status = statuses
                    .configuration_recorders_status()
                    .iter()
                    .find(|s| s.name() == Some(name.as_str()))
                    .map(|s| RecorderStatus {
                        recording: s.recording(),
                        last_status: s.last_status().map(|v| v.as_str().to_owned()),
                        last_error: match (s.last_error_code(), s.last_error_message()) {
                            (None, None) => None,
                            (code, message) => Some(
                                format!(
                                    "{} {}",
                                    code.unwrap_or_default(),
                                    message.unwrap_or_default()
                                )
                                .trim()
                                .to_owned(),
                            ),
                        },
                    });
                Recorder {
                    name,
                    all_supported: group.is_some_and(|g| g.all_supported()),
                    resource_types: group
                        .map(|g| {
                            g.resource_types()
                                .iter()
                                .map(|t| t.as_str().to_owned())
                                .collect()
                        })
                        .unwrap_or_default(),
                    excluded_types: group
                        .and_then(|g| g.exclusion_by_resource_types())
                        .map(|e| {
                            e.resource_types()
                                .iter()
                                .map(|t| t.as_str().to_owned())
                                .collect()
                        })
                        .unwrap_or_default(),
                    strategy: group
                        .and_then(|g| g.recording_strategy())
                        .and_then(|s| s.use_only())
                        .map(|s| s.as_str().to_owned()),
                    status,
                }
            })
            .collect();
        Ok(recorders)
    }

    /// The secrets Config has discovered (first page).
    pub async fn discovered_secrets(&self) -> Observed<Vec<DiscoveredResource>> {
        let out = self
            .config
            .list_discovered_resources()
            .resource_type(ResourceType::from(SECRET_TYPE))
            .limit(PAGE)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("config:ListDiscoveredResources", e))?;
        Ok(out
            .resource_identifiers()
            .iter()
            .filter_map(|r| {
                Some(DiscoveredResource {
                    resource_id: r.resource_id()?.to_owned(),
                    resource_name: r.resource_name().map(str::to_owned),
                })
            })
            .collect())
    }

    /// The secrets ListSecrets lists (first page; secrets planned for deletion too, as the
    /// rule's sweep lists them).
    pub async fn listed_secrets(&self) -> Observed<Vec<ListedSecret>> {
        let out = self
            .secrets
            .list_secrets()
            .include_planned_deletion(true)
            .max_results(PAGE)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("secretsmanager:ListSecrets", e))?;
        Ok(out
            .secret_list()
            .iter()
            .filter_map(|s| {
                Some(ListedSecret {
                    arn: s.arn()?.to_owned(),
                    name: s.name().unwrap_or_default().to_owned(),
                    primary_region: s.primary_region().map(str::to_owned),
                    kms_key_id: s.kms_key_id().map(str::to_owned),
                })
            })
            .collect())
    }

    /// DescribeSecret's replication facts for the first [`DESCRIBE_AT_MOST`] of `arns`. A
    /// secret deleted meanwhile is skipped.
    pub async fn described_secrets(&self, arns: &[String]) -> Observed<Vec<DescribedSecret>> {
        const OP: &str = "secretsmanager:DescribeSecret";
        let mut described = Vec::new();
        for arn in arns.iter().take(DESCRIBE_AT_MOST) {
            let out = match self.secrets.describe_secret().secret_id(arn).send().await {
                Ok(out) => out,
                Err(err) => {
                    let error = AwsError::from_sdk(OP, err);
                    if error.code == "ResourceNotFoundException" {
                        continue;
                    }
                    return Err(error);
                }
            };
            described.push(DescribedSecret {
                arn: arn.clone(),
                primary_region: out.primary_region().map(str::to_owned),
                replica_regions: out
                    .replication_status()
                    .iter()
                    .filter_map(|r| r.region().map(str::to_owned))
                    .collect(),
            });
        }
        Ok(described)
    }

    /// The latest configuration item of the secret `resource_id`: the top-level fields of
    /// its configuration (`None`: Config returned no item).
    pub async fn config_item(&self, resource_id: &str) -> Observed<Option<ConfigItem>> {
        const OP: &str = "config:GetResourceConfigHistory";
        let out = self
            .config
            .get_resource_config_history()
            .resource_type(ResourceType::from(SECRET_TYPE))
            .resource_id(resource_id)
            .limit(1)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        let Some(item) = out.configuration_items().first() else {
            return Ok(None);
        };
        let configuration = item.configuration().unwrap_or("{}");
        let parsed: serde_json::Value = serde_json::from_str(configuration).map_err(|e| {
            AwsError::malformed_response(OP, format!("configuration is not JSON: {e}"))
        })?;
        let fields = parsed
            .as_object()
            .map(|fields| fields.keys().cloned().collect())
            .unwrap_or_default();
        Ok(Some(ConfigItem {
            resource_id: resource_id.to_owned(),
            fields,
        }))
    }

    /// The rule named `name` and its evaluation status; `None` when Config has no such rule.
    pub async fn rule(&self, name: &str) -> Observed<Option<RuleStatus>> {
        rule_status(&self.config, name).await
    }

    /// The ARN (with its path) of the role `name`.
    pub async fn role_arn(&self, name: &str) -> Observed<String> {
        const OP: &str = "iam:GetRole";
        let out = self
            .iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(OP, e))?;
        out.role()
            .map(|role| role.arn().to_owned())
            .ok_or_else(|| AwsError::malformed_response(OP, "no Role"))
    }

    /// The simulator's decision for each action of `simulation`, for the policies of
    /// `principal_arn`.
    pub async fn simulate(
        &self,
        principal_arn: &str,
        simulation: &Simulation,
    ) -> Observed<Vec<SimulatedAction>> {
        const OP: &str = "iam:SimulatePrincipalPolicy";
        let mut results = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut request = self
                .iam
                .simulate_principal_policy()
                .policy_source_arn(principal_arn)
                .set_action_names(Some(simulation.actions.clone()))
                .resource_arns(&simulation.resource)
                .set_marker(marker.clone());
            if let Some(service) = &simulation.via_service {
                request = request.context_entries(
                    ContextEntry::builder()
                        .context_key_name("kms:ViaService")
                        .context_key_values(service)
                        .context_key_type(ContextKeyTypeEnum::String)
                        .build(),
                );
            }
            let out = request
                .send()
                .await
                .map_err(|e| AwsError::from_sdk(OP, e))?;
            results.extend(out.evaluation_results().iter().map(|r| SimulatedAction {
                action: r.eval_action_name().to_owned(),
                decision: r.eval_decision().as_str().to_owned(),
            }));
            match out.marker() {
                Some(next) if out.is_truncated() => marker = Some(next.to_owned()),
                _ => return Ok(results),
            }
        }
    }

    /// Every instance of the StackSet `name` (`None`: no such StackSet), as the
    /// management account (`delegated_admin` false) or a delegated administrator sees it.
    pub async fn stack_instances(
        &self,
        name: &str,
        delegated_admin: bool,
    ) -> Observed<Option<Vec<StackInstance>>> {
        const OP: &str = "cloudformation:ListStackInstances";
        let call_as = if delegated_admin {
            CallAs::DelegatedAdmin
        } else {
            CallAs::SelfValue
        };
        let mut instances = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = match self
                .cloudformation
                .list_stack_instances()
                .stack_set_name(name)
                .call_as(call_as.clone())
                .max_results(PAGE)
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(out) => out,
                Err(err) => {
                    return absent_if(AwsError::from_sdk(OP, err), "StackSetNotFoundException");
                }
            };
            instances.extend(out.summaries().iter().map(|s| {
                StackInstance {
                    account: s.account().unwrap_or_default().to_owned(),
                    region: s.region().unwrap_or_default().to_owned(),
                    status: s.status().map_or("", |v| v.as_str()).to_owned(),
                    detailed_status: s
                        .stack_instance_status()
                        .and_then(|d| d.detailed_status())
                        .map(|d| d.as_str().to_owned()),
                    reason: s.status_reason().map(str::to_owned),
                }
            }));
            match out.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => return Ok(Some(instances)),
            }
        }
    }

    /// The organization conformance pack `name` in every member account (`None`: no
    /// such pack).
    pub async fn pack_members(&self, name: &str) -> Observed<Option<Vec<MemberPack>>> {
        const OP: &str = "config:GetOrganizationConformancePackDetailedStatus";
        let mut members = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = match self
                .config
                .get_organization_conformance_pack_detailed_status()
                .organization_conformance_pack_name(name)
                .limit(PAGE)
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(out) => out,
                Err(err) => {
                    return absent_if(
                        AwsError::from_sdk(OP, err),
                        "NoSuchOrganizationConformancePackException",
                    );
                }
            };
            members.extend(
                out.organization_conformance_pack_detailed_statuses()
                    .iter()
                    .map(|m| {
                        let error = match (m.error_code(), m.error_message()) {
                            (None, None) => None,
                            (code, message) => Some(
                                format!(
                                    "{} {}",
                                    code.unwrap_or_default(),
                                    message.unwrap_or_default()
                                )
                                .trim()
                                .to_owned(),
                            ),
                        };
                        MemberPack {
                            account: m.account_id().to_owned(),
                            status: m.status().as_str().to_owned(),
                            error,
                        }
                    }),
            );
            match out.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => return Ok(Some(members)),
            }
        }
    }
}

/// The rule named `name` and its evaluation status, as the account and Region of `config`
/// see them; `None` when Config has no such rule.
pub async fn rule_status(
    config: &aws_sdk_config::Client,
    name: &str,
) -> Observed<Option<RuleStatus>> {
    let rules = match config
        .describe_config_rules()
        .config_rule_names(name)
        .send()
        .await
    {
        Ok(rules) => rules,
        Err(err) => {
            return absent_if(
                AwsError::from_sdk("config:DescribeConfigRules", err),
                "NoSuchConfigRuleException",
            );
        }
    };
    let Some(rule) = rules.config_rules().first() else {
        return Ok(None);
    };
    let statuses = config
        .describe_config_rule_evaluation_status()
        .config_rule_names(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("config:DescribeConfigRuleEvaluationStatus", e))?;
    let mut status = RuleStatus {
        state: rule.config_rule_state().map(|s| s.as_str().to_owned()),
        source: rule
            .source()
            .and_then(|s| s.source_identifier())
            .map(str::to_owned),
        maximum_execution_frequency: rule
            .maximum_execution_frequency()
            .map(|f| f.as_str().to_owned()),
        ..RuleStatus::default()
    };
    if let Some(found) = statuses.config_rules_evaluation_status().first() {
        let time = |t: Option<&aws_smithy_types::DateTime>| t.and_then(to_chrono);
        status.last_successful_invocation = time(found.last_successful_invocation_time());
        status.last_failed_invocation = time(found.last_failed_invocation_time());
        status.last_successful_evaluation = time(found.last_successful_evaluation_time());
        status.last_failed_evaluation = time(found.last_failed_evaluation_time());
        status.last_error_code = found.last_error_code().map(str::to_owned);
        status.last_error_message = found.last_error_message().map(str::to_owned);
    }
    Ok(Some(status))
}

/// AWS's answer that there is no such thing (`not_found`, e.g.
/// `StackSetNotFoundException`) as `Ok(None)`: the check then says what is missing.
/// Any other error stays an error.
pub(super) fn absent_if<T>(error: AwsError, not_found: &str) -> Result<Option<T>, AwsError> {
    if error.code == not_found {
        Ok(None)
    } else {
        Err(error)
    }
}
