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

/**
 * Lets AWS Config of one account invoke the function, and no other account's.
 *
 * `SourceAccount` only, no `SourceArn`. The AWS Config Developer Guide ("Custom Lambda
 * Rules (General Example)", section "Security best practice for AWS Lambda
 * resource-based policy",
 * https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_nodejs.html#restricted-lambda-policy)
 * recommends `sourceARN` and/or `sourceAccountId`, where sourceARN "is the ARN of AWS
 * Config rule that is invoking the Lambda function", and adds it only "after the rule is
 * created": AWS Config checks that it may invoke the function when the rule is created,
 * so the permission must exist first (the aws-cdk CustomRule adds SourceAccount only, for
 * that reason: aws/aws-cdk pull request 16617). A rule's ARN ends in a generated id
 * (`config-rule/config-rule-ab12cd`), and the rules of an organization conformance pack
 * are created by AWS Config in each member account after this stack; no AWS document
 * (AWS::Lambda::Permission, the AWS Config guides for custom Lambda and organization
 * rules, aws-config-rdk, whose templates set no condition at all) says which source ARN
 * AWS Config presents for them, and a `config-rule/*` pattern would add nothing
 * SourceAccount does not already pin. So the account is the narrowest condition that can
 * be established; reserved concurrency bounds what an invoking account can cost.
 */
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
