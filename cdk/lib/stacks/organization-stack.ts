/**
 * Organization deployment, for the management or a delegated administrator account:
 * the central rule function (invocable by the member accounts' AWS Config), a
 * service-managed StackSet that prepares every account of the target OUs, and an
 * organization conformance pack holding only the rule and its remediation.
 */
import { Aws, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import type { OrganizationSettings, SecretsCmkSettings } from '../config';
import { RemediationDocuments } from '../constructs/remediation-documents';
import { RemediationRole } from '../constructs/remediation-role';
import { RestoreRole } from '../constructs/restore-role';
import { RuleFunction, ruleFunctionProps } from '../constructs/rule-function';
import { configInvokePermission } from '../constructs/secrets-cmk-rule';
import { CONFORMANCE_PACK_NAME, MEMBER_STACKSET_NAME, REKEY_DOCUMENT_NAME } from '../names';
import { conformancePackTemplate } from '../rule-template';
import { CENTRAL_ROLE_PARAMETER } from './member-stack';

export interface SecretsCmkOrganizationStackProps extends StackProps {
  readonly settings: SecretsCmkSettings;
  readonly organization: OrganizationSettings;
  /** Template of the member stack (`synthesizeMemberTemplate`). */
  readonly memberTemplate: Record<string, unknown>;
}

export class SecretsCmkOrganizationStack extends Stack {
  public readonly ruleFunction: RuleFunction;
  public readonly stackSet: cloudformation.CfnStackSet;
  public readonly conformancePack: config.CfnOrganizationConformancePack;

  constructor(scope: Construct, id: string, props: SecretsCmkOrganizationStackProps) {
    super(scope, id, {
      description:
        'secrets-cmk: organization-wide AWS Config rule, member account roles and runbooks, conformance pack',
      ...props,
    });
    const { settings, organization } = props;

    const { executionRoleName, organizationId } = organization;
    this.ruleFunction = new RuleFunction(
      this,
      'RuleFunction',
      ruleFunctionProps(settings, { executionRoleName, organizationId }),
    );
    const fn = this.ruleFunction.function;

    // AWS Config of each account invokes the function; a service principal cannot be
    // limited to an organization, so every account is named (SourceAccount; why not
    // SourceArn: see configInvokePermission).
    const permissions = [
      configInvokePermission(this, 'ConfigInvokeSelf', fn, Aws.ACCOUNT_ID),
      ...organization.memberAccountIds.map((account) =>
        configInvokePermission(this, `ConfigInvoke${account}`, fn, account),
      ),
    ];

    this.stackSet = new cloudformation.CfnStackSet(this, 'MemberStackSet', {
      stackSetName: MEMBER_STACKSET_NAME,
      description: 'secrets-cmk member resources: rule execution role, re-key runbooks, remediation role',
      permissionModel: 'SERVICE_MANAGED',
      callAs: organization.callAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: 'PARALLEL',
      },
      parameters: [{ parameterKey: CENTRAL_ROLE_PARAMETER, parameterValue: this.ruleFunction.role.roleArn }],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: organization.targetOuIds },
          regions: [Aws.REGION],
        },
      ],
      templateBody: JSON.stringify(props.memberTemplate),
    });

    // A service-managed StackSet never deploys to the management account, where the
    // pack also runs: deploy the runbooks and the role here too. A delegated
    // administrator is a member account and gets them from the StackSet.
    const centralDependencies: Construct[] = [];
    if (organization.callAs === 'SELF') {
      const { remediationRoleName, restoreRoleName, keyTrust } = settings;
      centralDependencies.push(
        new RemediationRole(this, 'RemediationRole', { roleName: remediationRoleName, keyTrust }),
        new RestoreRole(this, 'RestoreRole', { roleName: restoreRoleName, keyTrust }),
        new RemediationDocuments(this, 'RemediationDocuments', { remediationRoleName, restoreRoleName, keyTrust }),
      );
    }

    const template = conformancePackTemplate(
      {
        ruleName: settings.ruleName,
        functionArn: fn.functionArn,
        parameters: settings.ruleParameters,
        periodicFrequency: settings.periodicFrequency,
      },
      settings.remediation && {
        ruleName: settings.ruleName,
        documentName: REKEY_DOCUMENT_NAME,
        // A literal once CloudFormation resolves it. Its account is this one, but the
        // runbooks run as the role of this *name* in the account they run in.
        automationAssumeRoleArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${settings.remediationRoleName}`,
        settings: settings.remediation,
      },
    );
    this.conformancePack = new config.CfnOrganizationConformancePack(this, 'ConformancePack', {
      organizationConformancePackName: CONFORMANCE_PACK_NAME,
      templateBody: this.toJsonString(template),
      ...(organization.excludedAccountIds.length > 0 ? { excludedAccounts: organization.excludedAccountIds } : {}),
    });
    // The remediation names a runbook that must already exist in every account.
    this.conformancePack.node.addDependency(this.stackSet, ...permissions, ...centralDependencies);

    new CfnOutput(this, 'FunctionArn', { value: fn.functionArn, description: 'Central rule function' });
    new CfnOutput(this, 'FunctionRoleArn', {
      value: this.ruleFunction.role.roleArn,
      description: 'Role trusted by the member execution roles',
    });
    new CfnOutput(this, 'ConformancePackName', { value: CONFORMANCE_PACK_NAME });
    new CfnOutput(this, 'StackSetName', { value: MEMBER_STACKSET_NAME });
  }
}
