/**
 * Single-account deployment: the rule function, the Config rule, the two runbooks,
 * the remediation role and the rule's remediation, all in one account and Region.
 */
import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SecretsCmkSettings } from '../config';
import { RemediationDocuments } from '../constructs/remediation-documents';
import { RemediationRole } from '../constructs/remediation-role';
import { RestoreRole } from '../constructs/restore-role';
import { RuleFunction, ruleFunctionProps } from '../constructs/rule-function';
import { SecretsCmkRule } from '../constructs/secrets-cmk-rule';

export interface SecretsCmkStackProps extends StackProps {
  readonly settings: SecretsCmkSettings;
}

export class SecretsCmkStack extends Stack {
  public readonly ruleFunction: RuleFunction;
  public readonly remediationRole: RemediationRole;
  public readonly restoreRole: RestoreRole;
  public readonly documents: RemediationDocuments;
  public readonly rule: SecretsCmkRule;

  constructor(scope: Construct, id: string, props: SecretsCmkStackProps) {
    super(scope, id, {
      description:
        'secrets-cmk: AWS Config rule for Secrets Manager secrets without a customer managed KMS key (single account)',
      ...props,
    });
    const { settings } = props;

    this.ruleFunction = new RuleFunction(this, 'RuleFunction', ruleFunctionProps(settings));
    this.remediationRole = new RemediationRole(this, 'RemediationRole', {
      roleName: settings.remediationRoleName,
      keyTrust: settings.keyTrust,
    });
    this.restoreRole = new RestoreRole(this, 'RestoreRole', {
      roleName: settings.restoreRoleName,
      keyTrust: settings.keyTrust,
    });
    this.documents = new RemediationDocuments(this, 'RemediationDocuments', {
      remediationRoleName: settings.remediationRoleName,
      restoreRoleName: settings.restoreRoleName,
      keyTrust: settings.keyTrust,
    });
    this.rule = new SecretsCmkRule(this, 'Rule', {
      ruleName: settings.ruleName,
      function: this.ruleFunction.function,
      parameters: settings.ruleParameters,
      periodicFrequency: settings.periodicFrequency,
      ...(settings.remediation === undefined
        ? {}
        : {
            remediation: {
              settings: settings.remediation,
              documentName: this.documents.rekeyDocumentName,
              automationAssumeRoleArn: this.remediationRole.role.roleArn,
              // The role is already a dependency through its ARN.
              dependsOn: [this.documents],
            },
          }),
    });

    new CfnOutput(this, 'RuleName', { value: settings.ruleName, description: 'AWS Config rule name' });
    new CfnOutput(this, 'FunctionName', { value: this.ruleFunction.function.functionName });
    new CfnOutput(this, 'RemediationRoleArn', { value: this.remediationRole.role.roleArn });
    new CfnOutput(this, 'RestoreRoleArn', {
      value: this.restoreRole.role.roleArn,
      description: 'Role the restore runbook runs as: grant iam:PassRole on it only to who may back out',
    });
  }
}
