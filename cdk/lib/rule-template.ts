/**
 * The AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration of the rule,
 * in CloudFormation's own casing. One definition serves the single-account stack
 * (as resources) and the conformance packs (as the pack template), so the packs
 * cannot drift from what the tests check on the stack.
 */
import type { PeriodicFrequency, RemediationSettings, RuleParameters } from './config';
import { CONFIG_MESSAGE_TYPES, SECRET_RESOURCE_TYPE } from './names';

/** A CloudFormation resource: type, properties, and the resources it waits for. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string;
}

export interface ConfigRuleSpec {
  readonly ruleName: string;
  /** ARN of the rule function (a literal once CloudFormation resolves it). */
  readonly functionArn: string;
  readonly parameters: RuleParameters;
  readonly periodicFrequency: PeriodicFrequency;
}

export interface RemediationSpec {
  readonly ruleName: string;
  /** TargetId: the re-key runbook's name, which exists in every account. */
  readonly documentName: string;
  /** AutomationAssumeRole: a literal ARN in a conformance pack. */
  readonly automationAssumeRoleArn: string;
  readonly settings: RemediationSettings;
}

export const RULE_DESCRIPTION =
  'Reports every AWS Secrets Manager secret that is not encrypted with a customer managed KMS key (secrets-cmk).';

/** The custom Lambda rule: change-triggered (oversized included) and periodic, scoped to secrets. */
export function configRuleResource(spec: ConfigRuleSpec): TemplateResource {
  const properties: Record<string, unknown> = {
    ConfigRuleName: spec.ruleName,
    Description: RULE_DESCRIPTION,
    Scope: { ComplianceResourceTypes: [SECRET_RESOURCE_TYPE] },
    Source: {
      Owner: 'CUSTOM_LAMBDA',
      SourceIdentifier: spec.functionArn,
      SourceDetails: CONFIG_MESSAGE_TYPES.map((messageType) => ({
        EventSource: 'aws.config',
        MessageType: messageType,
        ...(messageType === 'ScheduledNotification' ? { MaximumExecutionFrequency: spec.periodicFrequency } : {}),
      })),
    },
    MaximumExecutionFrequency: spec.periodicFrequency,
  };
  if (Object.keys(spec.parameters).length > 0) {
    properties.InputParameters = { ...spec.parameters };
  }
  return { Type: 'AWS::Config::ConfigRule', Properties: properties };
}

/** Re-key remediation for one secret: SecretId is the resource id; manual unless opted in. */
export function remediationConfigurationResource(spec: RemediationSpec, dependsOn?: string): TemplateResource {
  const { settings } = spec;
  const properties: Record<string, unknown> = {
    ConfigRuleName: spec.ruleName,
    TargetType: 'SSM_DOCUMENT',
    TargetId: spec.documentName,
    ResourceType: SECRET_RESOURCE_TYPE,
    Parameters: {
      SecretId: { ResourceValue: { Value: 'RESOURCE_ID' } },
      KmsKeyId: { StaticValue: { Values: [settings.targetKmsKeyId] } },
      AutomationAssumeRole: { StaticValue: { Values: [spec.automationAssumeRoleArn] } },
    },
    Automatic: settings.automatic,
  };
  if (settings.automatic) {
    properties.MaximumAutomaticAttempts = settings.maximumAutomaticAttempts;
    properties.RetryAttemptSeconds = settings.retryAttemptSeconds;
    // Bound the blast radius of a wrong verdict: re-key at most a tenth of the secrets at once.
    properties.ExecutionControls = { SsmControls: { ConcurrentExecutionRatePercentage: 10, ErrorPercentage: 10 } };
  }
  return {
    Type: 'AWS::Config::RemediationConfiguration',
    Properties: properties,
    ...(dependsOn === undefined ? {} : { DependsOn: dependsOn }),
  };
}

/** Logical ids inside a conformance pack template. */
export const PACK_RULE_ID = 'SecretsCmkRule';
export const PACK_REMEDIATION_ID = 'SecretsCmkRemediation';

/**
 * A conformance pack template: only the ConfigRule and, when a target key is known,
 * its RemediationConfiguration. No parameters, no intrinsic functions inside.
 */
export function conformancePackTemplate(
  rule: ConfigRuleSpec,
  remediation?: RemediationSpec,
): { Resources: Record<string, TemplateResource> } {
  const resources: Record<string, TemplateResource> = { [PACK_RULE_ID]: configRuleResource(rule) };
  if (remediation) {
    resources[PACK_REMEDIATION_ID] = remediationConfigurationResource(remediation, PACK_RULE_ID);
  }
  return { Resources: resources };
}
