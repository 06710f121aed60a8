import { Match, Template } from 'aws-cdk-lib/assertions';
import { PACK_REMEDIATION_ID, PACK_RULE_ID } from '../lib/rule-template';
import { embeddedTemplates } from '../scripts/embedded-templates';
import { ORG_CONTEXT, TARGET_KEY_ARN, memberStack, organizationStack } from './helpers';

describe('SecretsCmkOrganizationStack', () => {
  const stack = organizationStack({ remediationKmsKeyId: TARGET_KEY_ARN, autoRemediation: 'true' });
  const template = Template.fromStack(stack);
  const embedded = Object.fromEntries(embeddedTemplates(template.toJSON()).map((e) => [e.logicalId, e]));
  const packId = Object.keys(template.findResources('AWS::Config::OrganizationConformancePack'))[0]!;
  const stackSetId = Object.keys(template.findResources('AWS::CloudFormation::StackSet'))[0]!;

  test('AWS Config of this account and of every member account may invoke the central function', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 3);
    for (const account of [{ Ref: 'AWS::AccountId' }, '111111111111', '222222222222']) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'config.amazonaws.com',
        SourceAccount: account,
      });
    }
  });

  test('a service-managed StackSet with auto-deployment puts the member resources into the target OUs', () => {
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'secrets-cmk-member',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'ou-ab12-ghij7890'] },
          Regions: [{ Ref: 'AWS::Region' }],
        },
      ],
      Parameters: [
        {
          ParameterKey: 'CentralRuleRoleArn',
          ParameterValue: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RuleFunctionRole'), 'Arn'] },
        },
      ],
    });
  });

  test('the StackSet body is the member template, within the 51,200-byte limit', () => {
    const body = embedded[stackSetId]!.body;
    expect(JSON.parse(body)).toEqual(
      Template.fromStack(
        memberStack({ ...ORG_CONTEXT, remediationKmsKeyId: TARGET_KEY_ARN, autoRemediation: 'true' }),
      ).toJSON(),
    );
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(51200);
  });

  test('the organization pack holds only the rule (CUSTOM_LAMBDA to the central function) and its remediation', () => {
    const pack = JSON.parse(embedded[packId]!.body);
    expect(Object.keys(pack)).toEqual(['Resources']);
    expect(Object.values(pack.Resources).map((r: any) => r.Type)).toEqual([
      'AWS::Config::ConfigRule',
      'AWS::Config::RemediationConfiguration',
    ]);
    expect(pack.Resources[PACK_RULE_ID].Properties.Source).toMatchObject({
      Owner: 'CUSTOM_LAMBDA',
      SourceIdentifier: expect.stringMatching(/^arn:aws:lambda:ap-southeast-2:123456789012:function:RuleFunction/),
    });
    expect(pack.Resources[PACK_REMEDIATION_ID].Properties).toMatchObject({
      TargetId: 'SecretsCmk-RekeySecret',
      Automatic: true,
      MaximumAutomaticAttempts: 5,
      RetryAttemptSeconds: 600,
      Parameters: {
        AutomationAssumeRole: { StaticValue: { Values: ['arn:aws:iam::123456789012:role/SecretsCmkRemediation'] } },
      },
    });
  });

  test('the organization pack body is literal and within the 51,200-byte limit', () => {
    const body = embedded[packId]!.body;
    expect(body).not.toMatch(/Fn::|"Ref"|\$\{/);
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(51200);
    template.hasResourceProperties('AWS::Config::OrganizationConformancePack', {
      OrganizationConformancePackName: 'secrets-cmk',
      ExcludedAccounts: Match.absent(),
    });
  });

  test('the pack is created after the StackSet, the invoke permissions and the central runbooks', () => {
    const pack = template.toJSON().Resources[packId];
    const idsOf = (type: string) => Object.keys(template.findResources(type));
    expect(pack.DependsOn).toEqual(
      expect.arrayContaining([stackSetId, ...idsOf('AWS::Lambda::Permission'), ...idsOf('AWS::SSM::Document')]),
    );
  });

  test('from the management account, the runbooks and their two roles are deployed centrally too', () => {
    template.resourceCountIs('AWS::SSM::Document', 2);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRemediation' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRestore' });
  });

  test('from a delegated administrator, the StackSet is called as such and brings the runbooks itself', () => {
    // GIVEN callAs=DELEGATED_ADMIN and an excluded account
    const delegated = Template.fromStack(
      organizationStack({ callAs: 'DELEGATED_ADMIN', excludedAccountIds: '333333333333' }),
    );
    // THEN no central copy of the member resources, and the exclusion reaches the pack
    delegated.hasResourceProperties('AWS::CloudFormation::StackSet', { CallAs: 'DELEGATED_ADMIN' });
    delegated.resourceCountIs('AWS::SSM::Document', 0);
    delegated.resourceCountIs('AWS::IAM::Role', 1); // the function's own
    delegated.hasResourceProperties('AWS::Config::OrganizationConformancePack', { ExcludedAccounts: ['333333333333'] });
  });

  test('no rule or remediation outside the pack', () => {
    template.resourceCountIs('AWS::Config::ConfigRule', 0);
    template.resourceCountIs('AWS::Config::RemediationConfiguration', 0);
  });
});
