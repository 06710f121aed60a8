/**
 * The organization's AWS Config aggregator (`organizationAggregator`), from which
 * `secrets-cmk report --aggregator NAME` reads the rule's results: absent unless asked
 * for, one for the whole deployment (in the first Region's organization stack) over the
 * deployment Regions, its role trusted by AWS Config with the documented managed policy
 * only; cdk-nag and cfn-lint clean.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cfnLint } from './cfn-lint';
import { logicalIdOf } from './helpers';
import { organizationApp } from './organization-fixtures';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const AGGREGATOR = { deploymentRegions: REGIONS.join(','), organizationAggregator: 'secrets-cmk-organization' };

describe.each([
  ['members', 'SELF'],
  ['central', 'SELF'],
  ['members', 'DELEGATED_ADMIN'],
])('%s placement, callAs %s', (functionPlacement, callAs) => {
  test('without organizationAggregator no stack has an aggregator', () => {
    const { regions } = organizationApp({ functionPlacement, callAs, deploymentRegions: REGIONS.join(',') });
    for (const { organization } of regions) {
      Template.fromStack(organization).resourceCountIs('AWS::Config::ConfigurationAggregator', 0);
    }
  });

  describe('with it', () => {
    const { regions } = organizationApp({ functionPlacement, callAs, ...AGGREGATOR });
    const [first, ...others] = regions.map(({ organization }) => Template.fromStack(organization));
    const roleId = logicalIdOf(regions[0]!.organization.aggregator!.role);

    test('only the first Region organization stack has it, and says its name and Region', () => {
      first!.resourceCountIs('AWS::Config::ConfigurationAggregator', 1);
      for (const other of others) {
        other.resourceCountIs('AWS::Config::ConfigurationAggregator', 0);
      }
      expect(first!.toJSON().Outputs.AggregatorName).toEqual({
        Description: 'secrets-cmk report --aggregator <name> --region eu-west-1',
        Value: 'secrets-cmk-organization',
      });
    });

    test('it aggregates the whole organization in exactly the deployment Regions, through its own role', () => {
      const [aggregator] = Object.values(first!.findResources('AWS::Config::ConfigurationAggregator'));
      expect(aggregator!.Properties).toEqual({
        ConfigurationAggregatorName: 'secrets-cmk-organization',
        OrganizationAggregationSource: {
          AllAwsRegions: false,
          AwsRegions: REGIONS,
          RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        },
      });
    });

    test('its role is trusted by AWS Config only and holds only AWSConfigRoleForOrganizations', () => {
      const role = first!.toJSON().Resources[roleId];
      expect(role!.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' } }],
      });
      expect(role!.Properties.ManagedPolicyArns).toEqual([
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSConfigRoleForOrganizations'],
          ],
        },
      ]);
      // No name of its own (IAM names are per account), no inline policy.
      expect(role!.Properties.RoleName).toBeUndefined();
      expect(role!.Properties.Policies).toBeUndefined();
    });

    test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
      const report = new AwsSolutionsChecks().validateScope(regions[0]!.organization);
      expect(report.violations).toEqual([]);
    });
  });
});

test('cfn-lint finds nothing in the organization stacks with the aggregator', () => {
  // GIVEN both placements' organization stacks with the aggregator
  const templates: Record<string, unknown> = {};
  for (const functionPlacement of ['members', 'central']) {
    for (const { region, organization } of organizationApp({ functionPlacement, ...AGGREGATOR }).regions) {
      templates[`${functionPlacement}-${region}`] = Template.fromStack(organization).toJSON();
    }
  }
  // WHEN cfn-lint checks them / THEN it reports nothing
  expect(cfnLint(templates)).toEqual({ status: 0, output: '' });
});
