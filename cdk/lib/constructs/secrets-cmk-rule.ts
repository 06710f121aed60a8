/**
 * The Config rule in one account: the invoke permission for AWS Config, the custom
 * Lambda rule, and (when a target key is known) its re-key remediation.
 */
import { Aws, CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IDependable } from 'constructs';
import type { PeriodicFrequency, RemediationSettings, RuleParameters } from '../config';
import { configRuleResource, remediationConfigurationResource } from '../rule-template';

export interface RuleRemediationProps {
  readonly settings: RemediationSettings;
  readonly documentName: string;
  readonly automationAssumeRoleArn: string;
  /** Resources the remediation needs first (the runbook, the role). */
  readonly dependsOn: IDependable[];
}

export interface SecretsCmkRuleProps {
  readonly ruleName: string;
  readonly function: lambda.IFunction;
  readonly parameters: RuleParameters;
  readonly periodicFrequency: PeriodicFrequency;
  readonly remediation?: RuleRemediationProps;
}

export class SecretsCmkRule extends Construct {
  public readonly configRule: CfnResource;
  public readonly remediation?: CfnResource;

  constructor(scope: Construct, id: string, props: SecretsCmkRuleProps) {
    super(scope, id);
    const permission = configInvokePermission(this, 'ConfigInvoke', props.function, Aws.ACCOUNT_ID);

    const rule = configRuleResource({
      ruleName: props.ruleName,
      functionArn: props.function.functionArn,
      parameters: props.parameters,
      periodicFrequency: props.periodicFrequency,
    });
    this.configRule = new CfnResource(this, 'Rule', { type: rule.Type, properties: rule.Properties });
    // Config checks that it may invoke the function when the rule is created.
    this.configRule.node.addDependency(permission);

    if (props.remediation) {
      const remediation = remediationConfigurationResource({
        ruleName: props.ruleName,
        documentName: props.remediation.documentName,
        automationAssumeRoleArn: props.remediation.automationAssumeRoleArn,
        settings: props.remediation.settings,
      });
      this.remediation = new CfnResource(this, 'Remediation', {
        type: remediation.Type,
        properties: remediation.Properties,
      });
      this.remediation.node.addDependency(this.configRule, ...props.remediation.dependsOn);
    }
  }
}

/** Lets AWS Config of one account invoke the function, and no other account's. */
export function configInvokePermission(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  account: string,
): lambda.CfnPermission {
  return new lambda.CfnPermission(scope, id, {
    action: 'lambda:InvokeFunction',
    functionName: fn.functionArn,
    principal: 'config.amazonaws.com',
    sourceAccount: account,
  });
}
