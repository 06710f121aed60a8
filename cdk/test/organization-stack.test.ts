import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { codeObjectKey } from '../lib/organization/naming';
import { embeddedTemplates } from '../scripts/embedded-templates';
import { FIXTURE_ASSET, render } from './helpers';
import { ORGANIZATION_ID, organizationApp, organizationTemplate } from './organization-fixtures';

const REMEDIATE = { remediationKmsKeyId: 'alias/secrets-cmk', autoRemediation: 'true' };
const CENTRAL = { functionPlacement: 'central', deploymentRegions: 'eu-west-1', ...REMEDIATE };
const MEMBERS = { functionPlacement: 'members', deploymentRegions: 'eu-west-1', ...REMEDIATE };

function stackSetOf(template: Template): any {
  return Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0]!.Properties;
}

describe('organization stack, central placement', () => {
  const { stack, template } = organizationTemplate(CENTRAL);
  const functionId = Object.keys(template.findResources('AWS::Lambda::Function'))[0]!;

  test('one function, invocable by the whole organization through one resource-policy statement', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    template.resourceCountIs('AWS::Lambda::ResourcePolicy', 1);
    const [policy] = Object.values(template.findResources('AWS::Lambda::ResourcePolicy'));
    expect(policy!.Properties.ResourceArn).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    expect(policy!.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ConfigOfTheOrganization',
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Condition: { StringEquals: { 'aws:SourceOrgID': ORGANIZATION_ID } },
      },
    ]);
  });

  test("the function assumes the Region's execution role, by the name the member stacks give it", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { SECRETS_CMK_EXECUTION_ROLE_NAME: 'SecretsCmkRuleExecution-eu-west-1' } },
      ReservedConcurrentExecutions: 10,
    });
    const member = JSON.parse(embeddedTemplates(template.toJSON())[0]!.body);
    expect(Object.values<any>(member.Resources).map((r) => r.Properties.RoleName)).toContain(
      'SecretsCmkRuleExecution-eu-west-1',
    );
  });

  test('the StackSet passes the central function and its role, and waits for the invoke grant', () => {
    const stackSet = stackSetOf(template);
    expect(stackSet.Parameters.map((p: any) => [p.ParameterKey, render(p.ParameterValue)])).toEqual([
      ['CentralRuleRoleArn', expect.stringMatching(/^<RuleFunctionRole\w+\.Arn>$/)],
      ['CentralFunctionArn', `<${functionId}.Arn>`],
    ]);
    const stackSetResource = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0]!;
    expect(stackSetResource.DependsOn).toEqual(Object.keys(template.findResources('AWS::Lambda::ResourcePolicy')));
  });

  test("the management account's own rule names the central function, covered by the organization grant", () => {
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: Match.objectLike({ SourceIdentifier: { 'Fn::GetAtt': [functionId, 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRemediation-eu-west-1' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRestore-eu-west-1' });
    expect(stack.organization.managementAccount).toBeDefined();
  });
});

describe('organization stack, members placement', () => {
  const { stack, template } = organizationTemplate(MEMBERS);

  test("the StackSet passes the Region's code bucket and the content-addressed key", () => {
    expect(stackSetOf(template).Parameters).toEqual([
      {
        ParameterKey: 'CodeBucket',
        ParameterValue: { 'Fn::Join': ['', ['secrets-cmk-code-', { Ref: 'AWS::AccountId' }, '-eu-west-1']] },
      },
      { ParameterKey: 'CodeKey', ParameterValue: codeObjectKey(FIXTURE_ASSET) },
    ]);
    expect(codeObjectKey(FIXTURE_ASSET)).toMatch(/^secrets-cmk-rule\/[0-9a-f]{64}\.zip$/);
  });

  test('nothing central evaluates: no grant to other accounts, only the management account function', () => {
    template.resourceCountIs('AWS::Lambda::ResourcePolicy', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    // no sts:AssumeRole anywhere: the function reads its own account
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: Match.absent() });
  });

  test('the code bucket stack of the Region is deployed first, and the bucket is readable by the organization only', () => {
    const codeBucket = stack.codeBucket!;
    expect(stack.organization.dependencies).toContain(codeBucket);
    const bucket = Template.fromStack(codeBucket);
    bucket.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['secrets-cmk-code-', { Ref: 'AWS::AccountId' }, '-eu-west-1']] },
    });
    const [policy] = Object.values(bucket.findResources('AWS::S3::BucketPolicy'));
    const statements = policy!.Properties.PolicyDocument.Statement;
    const read = statements.find((s: any) => s.Sid === 'OrganizationReadsCode');
    expect(read).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
    });
    expect(statements.filter((s: any) => s.Effect === 'Allow')).toHaveLength(1);
    bucket.hasOutput('CodeObjectKey', { Value: codeObjectKey(FIXTURE_ASSET) });
  });

  test('the code bucket acknowledges one cdk-nag finding, the missing access log, and needs to', () => {
    // WHEN cdk-nag runs as if nothing were acknowledged
    const spy = jest.spyOn(NagPack.prototype as any, 'isAcknowledged').mockReturnValue(false);
    let violations;
    try {
      violations = new AwsSolutionsChecks().validateScope(stack.codeBucket!).violations;
    } finally {
      spy.mockRestore();
    }
    // THEN S1 is the only finding, and acknowledged it is silenced
    expect(violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-S1']);
    expect(new AwsSolutionsChecks().validateScope(stack.codeBucket!).violations).toEqual([]);
  });
});

describe.each([
  ['central', CENTRAL],
  ['members', MEMBERS],
])('organization stack (%s placement), either way', (_name, context) => {
  const { template } = organizationTemplate(context);

  test('a service-managed StackSet with auto-deployment puts the member stack into the target OUs, this Region only', () => {
    expect(stackSetOf(template)).toMatchObject({
      StackSetName: 'secrets-cmk-member',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'ou-ab12-ghij7890'] },
          Regions: ['eu-west-1'],
        },
      ],
    });
  });

  test("the StackSet body is that Region's member template", () => {
    const [embedded] = embeddedTemplates(template.toJSON());
    const { regions } = organizationApp(context);
    expect(JSON.parse(embedded!.body)).toEqual(regions[0]!.memberTemplate);
  });

  test('no organization conformance pack: the rule and remediation come with the member stack', () => {
    template.resourceCountIs('AWS::Config::OrganizationConformancePack', 0);
    const member = JSON.parse(embeddedTemplates(template.toJSON())[0]!.body);
    expect(Object.values<any>(member.Resources).map((r) => r.Type)).toEqual(
      expect.arrayContaining(['AWS::Config::ConfigRule', 'AWS::Config::RemediationConfiguration']),
    );
  });

  test('from a delegated administrator: called as such, no management account copy, exclusions reach the StackSet', () => {
    // GIVEN callAs=DELEGATED_ADMIN and an excluded account
    const delegated = organizationTemplate({
      ...context,
      callAs: 'DELEGATED_ADMIN',
      excludedAccountIds: '333333333333',
    });
    // THEN the StackSet skips the account, and the delegated admin (a member) gets the member stack from it
    expect(stackSetOf(delegated.template)).toMatchObject({
      CallAs: 'DELEGATED_ADMIN',
      StackInstancesGroup: [
        {
          DeploymentTargets: {
            OrganizationalUnitIds: ['ou-ab12-cdef3456', 'ou-ab12-ghij7890'],
            Accounts: ['333333333333'],
            AccountFilterType: 'DIFFERENCE',
          },
        },
      ],
    });
    delegated.template.resourceCountIs('AWS::SSM::Document', 0);
    delegated.template.resourceCountIs('AWS::Config::ConfigRule', 0);
    expect(delegated.stack.organization.managementAccount).toBeUndefined();
  });
});

test('members placement from a delegated administrator: the stack has no function at all', () => {
  const { stack, template } = organizationTemplate({ ...MEMBERS, callAs: 'DELEGATED_ADMIN' });
  template.resourceCountIs('AWS::Lambda::Function', 0);
  expect(() => stack.organization.ruleFunction).toThrow(/no function in this stack/);
});

test('one organization stack per deployment Region, and a code bucket stack per Region for members', () => {
  const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
  const members = organizationApp({ ...MEMBERS, deploymentRegions: regions.join(',') }).regions;
  expect(members.map((r) => [r.organization.stackName, r.organization.region, r.codeBucket?.region])).toEqual(
    regions.map((region) => [`SecretsCmkOrganization-${region}`, region, region]),
  );
  const central = organizationApp({ ...CENTRAL, deploymentRegions: regions.join(',') }).regions;
  expect(central.map((r) => [r.organization.region, r.codeBucket])).toEqual(
    regions.map((region) => [region, undefined]),
  );
});
