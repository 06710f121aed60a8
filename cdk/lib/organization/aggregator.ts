/**
 * The organization's AWS Config aggregator (opt-in: the context value
 * `organizationAggregator=NAME`), from which `secrets-cmk report --aggregator NAME` reads the
 * rule's results of every member account and Region without any role in the members: AWS
 * Config collects them.
 *
 * One aggregator, in the organization stack of the first deployment Region, with an
 * `OrganizationAggregationSource` over exactly the deployment Regions: the rule exists
 * there and nowhere else, and a Region added to `deploymentRegions` is added to the
 * aggregator by the same deploy (`AwsRegions`, "Update requires: No interruption").
 * `AllAwsRegions` would also gather every other Region's configuration data, which the
 * report never reads.
 *
 * Its role lets AWS Config read the organization's account list: trusted by
 * `config.amazonaws.com`, with the AWS managed policy `AWSConfigRoleForOrganizations`
 * (read-only Organizations calls). Creating an aggregator with an organization source
 * needs the management account, or a delegated administrator registered for
 * `config.amazonaws.com` (docs/aws-behaviour.md).
 */
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The AWS managed policy AWS Config's organization aggregators are documented with. */
export const AGGREGATOR_MANAGED_POLICY = 'service-role/AWSConfigRoleForOrganizations';

export interface OrganizationAggregatorProps {
  /** `ConfigurationAggregatorName` (validated by `readOrganizationSettings`). */
  readonly name: string;
  /** The Regions aggregated: the deployment Regions. */
  readonly regions: readonly string[];
}

export class OrganizationAggregator extends Construct {
  public readonly aggregator: config.CfnConfigurationAggregator;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OrganizationAggregatorProps) {
    super(scope, id);
    // Unnamed: CloudFormation gives it a unique name, so no name can clash with another stack's.
    this.role = new iam.Role(this, 'Role', {
      description: 'secrets-cmk: lets AWS Config read the organization accounts for the organization aggregator',
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(AGGREGATOR_MANAGED_POLICY)],
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${AGGREGATOR_MANAGED_POLICY}]`,
      reason:
        'AWSConfigRoleForOrganizations is the policy AWS documents for organization aggregators: four read-only ' +
        'Organizations actions (ListAccounts, DescribeOrganization, ...), kept current by AWS.',
    });

    this.aggregator = new config.CfnConfigurationAggregator(this, 'Resource', {
      configurationAggregatorName: props.name,
      organizationAggregationSource: {
        roleArn: this.role.roleArn,
        awsRegions: [...props.regions],
        allAwsRegions: false,
      },
    });
  }
}
