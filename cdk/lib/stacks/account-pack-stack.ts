/**
 * Account-level conformance pack variant: the same function, runbooks and role as
 * the single-account stack, but the rule and its remediation live in an
 * AWS::Config::ConformancePack, whose template may hold nothing else.
 */
import { Aws, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import type { SecretsCmkSettings } from '../config';
import { RemediationDocuments } from '../constructs/remediation-documents';
import { RemediationRole } from '../constructs/remediation-role';
import { RestoreRole } from '../constructs/restore-role';
import { RuleFunction, ruleFunctionProps } from '../constructs/rule-function';
import { configInvokePermission } from '../constructs/secrets-cmk-rule';
import { CONFORMANCE_PACK_NAME, REKEY_DOCUMENT_NAME } from '../names';
import { conformancePackTemplate } from '../rule-template';

export interface SecretsCmkAccountPackStackProps extends StackProps {
  readonly settings: SecretsCmkSettings;
}

export class SecretsCmkAccountPackStack extends Stack {
  public readonly ruleFunction: RuleFunction;
  public readonly conformancePack: config.CfnConformancePack;

  constructor(scope: Construct, id: string, props: SecretsCmkAccountPackStackProps) {
    super(scope, id, {
      description: 'secrets-cmk: the rule and its remediation as an account-level AWS Config conformance pack',
      ...props,
    });
    const { settings } = props;

    this.ruleFunction = new RuleFunction(this, 'RuleFunction', ruleFunctionProps(settings));
    const permission = configInvokePermission(this, 'ConfigInvoke', this.ruleFunction.function, Aws.ACCOUNT_ID);
    const remediationRole = new RemediationRole(this, 'RemediationRole', {
      roleName: settings.remediationRoleName,
      keyTrust: settings.keyTrust,
    });
    new RestoreRole(this, 'RestoreRole', { roleName: settings.restoreRoleName, keyTrust: settings.keyTrust });
    const documents = new RemediationDocuments(this, 'RemediationDocuments', {
      remediationRoleName: settings.remediationRoleName,
      restoreRoleName: settings.restoreRoleName,
      keyTrust: settings.keyTrust,
    });

    // The ARN is joined from pseudo parameters here, in the outer stack: CloudFormation
    // resolves it before AWS Config reads the pack, which therefore sees a literal.
    const template = conformancePackTemplate(
      {
        ruleName: settings.ruleName,
        functionArn: this.ruleFunction.function.functionArn,
        parameters: settings.ruleParameters,
        periodicFrequency: settings.periodicFrequency,
      },
      settings.remediation && {
        ruleName: settings.ruleName,
        documentName: REKEY_DOCUMENT_NAME,
        automationAssumeRoleArn: remediationRole.roleArn,
        settings: settings.remediation,
      },
    );
    this.conformancePack = new config.CfnConformancePack(this, 'ConformancePack', {
      conformancePackName: CONFORMANCE_PACK_NAME,
      templateBody: this.toJsonString(template),
    });
    this.conformancePack.node.addDependency(permission, documents, remediationRole);

    new CfnOutput(this, 'ConformancePackName', { value: CONFORMANCE_PACK_NAME });
    new CfnOutput(this, 'FunctionName', { value: this.ruleFunction.function.functionName });
  }
}
