/**
 * The organization deployment in one Region, for the management or a delegated-admin
 * account (one stack per `deploymentRegions` entry): a service-managed StackSet with
 * automatic deployment that puts the member stack into every account of the target OUs
 * in this Region, present and future, and by placement:
 *
 * - `members`: nothing central evaluates; the StackSet passes the Region's code bucket
 *   (the `SecretsCmkCode-<Region>` stack) and object key to the member functions;
 * - `central`: the Region's rule function, its one organization-wide invoke grant
 *   (`OrganizationInvokePolicy`), and the StackSet passes its ARN and its role's ARN.
 *
 * With `organizationAggregator`, the first Region's stack also holds the organization's
 * AWS Config aggregator (`OrganizationAggregator`).
 *
 * With `callAs=SELF` the management account, which a service-managed StackSet never
 * reaches, gets the member resources from this stack. No account is listed anywhere: the
 * template is the same for an organization of one account or of thousands.
 */
import { Aws, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { Construct, IDependable } from 'constructs';
import type { OrganizationSettings, SecretsCmkSettings } from '../config';
import { RuleFunction, ruleFunctionProps } from '../constructs/rule-function';
import { OrganizationAggregator } from '../organization/aggregator';
import { MemberResources } from '../organization/member-resources';
import { codeBucketName, codeObjectKey, regionalRoleName } from '../organization/naming';
import { OrganizationInvokePolicy } from '../organization/organization-invoke-policy';
import { MEMBER_STACKSET_NAME } from '../names';
import {
  CENTRAL_FUNCTION_PARAMETER,
  CENTRAL_ROLE_PARAMETER,
  CODE_BUCKET_PARAMETER,
  CODE_KEY_PARAMETER,
  memberRuleSettings,
} from './member-stack';

export interface SecretsCmkOrganizationStackProps extends StackProps {
  readonly settings: SecretsCmkSettings;
  readonly organization: OrganizationSettings;
  /** Template of the member stack for this Region (`synthesizeMemberTemplate`). */
  readonly memberTemplate: Record<string, unknown>;
  /** The Region this stack serves. @default the first of `deploymentRegions` */
  readonly region?: string;
}

export class SecretsCmkOrganizationStack extends Stack {
  public readonly stackSet: cloudformation.CfnStackSet;
  /** The member resources of the management account (`callAs=SELF`). */
  public readonly managementAccount?: MemberResources;
  /** The central function's grant (`central`). */
  public readonly invokePolicy?: OrganizationInvokePolicy;
  /** The organization's Config aggregator (`organizationAggregator`, first deployment Region only). */
  public readonly aggregator?: OrganizationAggregator;
  private readonly localFunction?: RuleFunction;

  constructor(scope: Construct, id: string, props: SecretsCmkOrganizationStackProps) {
    const { settings, organization } = props;
    const region = props.region ?? organization.deploymentRegions[0]!;
    super(scope, id, {
      description: `secrets-cmk organization deployment in ${region} (${organization.functionPlacement} placement): member StackSet`,
      ...props,
      env: { ...props.env, region },
    });
    const central = organization.functionPlacement === 'central';
    const self = organization.callAs === 'SELF';

    // The function of this account: the Region's central function, or (members, SELF) the
    // management account's own, from the CDK asset.
    if (central || self) {
      this.localFunction = new RuleFunction(
        this,
        'RuleFunction',
        ruleFunctionProps(
          settings,
          central
            ? {
                executionRoleName: regionalRoleName(organization.executionRoleName, region),
                organizationId: organization.organizationId,
              }
            : undefined,
        ),
      );
    }
    const stackSetNeeds: IDependable[] = [];
    if (central) {
      this.invokePolicy = new OrganizationInvokePolicy(this, 'OrganizationInvoke', {
        function: this.localFunction!.function,
        organizationId: organization.organizationId,
      });
      stackSetNeeds.push(this.invokePolicy);
    }
    if (self) {
      this.managementAccount = new MemberResources(this, 'ManagementAccount', {
        region,
        rule: memberRuleSettings(settings),
        evaluator: { kind: 'own', function: this.localFunction!.function, permits: !central },
      });
      if (this.invokePolicy) {
        this.managementAccount.configRule.node.addDependency(this.invokePolicy);
      }
    }

    const parameters = central
      ? [
          { parameterKey: CENTRAL_ROLE_PARAMETER, parameterValue: this.localFunction!.role.roleArn },
          { parameterKey: CENTRAL_FUNCTION_PARAMETER, parameterValue: this.localFunction!.function.functionArn },
        ]
      : [
          { parameterKey: CODE_BUCKET_PARAMETER, parameterValue: codeBucketName(Aws.ACCOUNT_ID, region) },
          { parameterKey: CODE_KEY_PARAMETER, parameterValue: codeObjectKey(settings.assetPath) },
        ];
    const excluded = organization.excludedAccountIds;
    this.stackSet = new cloudformation.CfnStackSet(this, 'MemberStackSet', {
      stackSetName: MEMBER_STACKSET_NAME,
      description: `secrets-cmk member resources in ${region}: Config rule, remediation, runbooks and their roles`,
      permissionModel: 'SERVICE_MANAGED',
      callAs: organization.callAs,
      // Accounts that join the target OUs get the stack without a redeploy.
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: 'PARALLEL',
      },
      parameters,
      stackInstancesGroup: [
        {
          deploymentTargets: {
            organizationalUnitIds: organization.targetOuIds,
            ...(excluded.length > 0 ? { accounts: excluded, accountFilterType: 'DIFFERENCE' } : {}),
          },
          regions: [region],
        },
      ],
      templateBody: JSON.stringify(props.memberTemplate),
    });
    this.stackSet.node.addDependency(...stackSetNeeds);

    // One aggregator covers every deployment Region: only the first Region's stack has it.
    if (organization.aggregatorName !== undefined && region === organization.deploymentRegions[0]) {
      this.aggregator = new OrganizationAggregator(this, 'Aggregator', {
        name: organization.aggregatorName,
        regions: organization.deploymentRegions,
      });
      new CfnOutput(this, 'AggregatorName', {
        value: organization.aggregatorName,
        description: `secrets-cmk report --aggregator <name> --region ${region}`,
      });
    }

    new CfnOutput(this, 'StackSetName', { value: MEMBER_STACKSET_NAME });
    new CfnOutput(this, 'FunctionPlacement', { value: organization.functionPlacement });
    if (central) {
      new CfnOutput(this, 'FunctionArn', {
        value: this.ruleFunction.function.functionArn,
        description: 'Central rule function',
      });
      new CfnOutput(this, 'FunctionRoleArn', {
        value: this.ruleFunction.role.roleArn,
        description: 'Role trusted by the member execution roles',
      });
    }
  }

  /** The function of this stack: the central one (`central`) or the management account's own. */
  public get ruleFunction(): RuleFunction {
    if (!this.localFunction) {
      throw new Error('no function in this stack: members placement from a delegated administrator');
    }
    return this.localFunction;
  }
}
