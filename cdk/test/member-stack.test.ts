import { Match, Template } from 'aws-cdk-lib/assertions';
import { readOrganizationSettings, readSettings } from '../lib/config';
import { REKEY_DOCUMENT_NAME, RESTORE_DOCUMENT_NAME } from '../lib/names';
import { memberStackProps, synthesizeMemberTemplate } from '../lib/stacks/member-stack';
import { assertLeastPrivilege, logicalIdOf, newApp, render, statementGranting } from './helpers';
import { ORG, memberStackFor } from './organization-fixtures';
import { EXECUTION_ROLE_SPEC, REMEDIATION_SPEC, RESTORE_SPEC, RULE_FUNCTION_SPEC } from './role-specs';

const REMEDIATE = { remediationKmsKeyId: 'alias/secrets-cmk', autoRemediation: 'true' };
const MEMBERS = { functionPlacement: 'members', deploymentRegions: 'eu-west-1', ...REMEDIATE };
const CENTRAL = { functionPlacement: 'central', deploymentRegions: 'eu-west-1', ...REMEDIATE };

function typesOf(template: Template): string[] {
  return Object.values(template.toJSON().Resources as Record<string, { Type: string }>)
    .map((resource) => resource.Type)
    .sort();
}

describe('member stack, members placement: the account runs its own function', () => {
  const stack = memberStackFor(MEMBERS);
  const template = Template.fromStack(stack);

  test('holds the function, its log group and role, its invoke permission, the rule and remediation, the runbooks', () => {
    expect(typesOf(template)).toEqual([
      'AWS::Config::ConfigRule',
      'AWS::Config::RemediationConfiguration',
      'AWS::IAM::Role',
      'AWS::IAM::Role',
      'AWS::IAM::Role',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
      'AWS::Logs::LogGroup',
      'AWS::SSM::Document',
      'AWS::SSM::Document',
    ]);
  });

  test("the function's code is the Region's organization code object, passed by the StackSet", () => {
    template.hasParameter('CodeBucket', { Type: 'String' });
    template.hasParameter('CodeKey', { Type: 'String' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Bucket: { Ref: 'CodeBucket' }, S3Key: { Ref: 'CodeKey' } },
      Runtime: 'provided.al2023',
      // No reservation: it would fail in an account still at the new-account quota.
      ReservedConcurrentExecutions: Match.absent(),
      // Its own account only: no role to assume anywhere.
      Environment: Match.absent(),
    });
  });

  test('its role reads only this account: the single-account permissions, no sts:AssumeRole, no execution role', () => {
    assertLeastPrivilege(template, logicalIdOf(stack.ruleFunction!.role), RULE_FUNCTION_SPEC);
    expect(() => stack.executionRole).toThrow(/no execution role/);
  });

  test("the rule names this account's function, which only this account's AWS Config may invoke", () => {
    const functionId = Object.keys(template.findResources('AWS::Lambda::Function'))[0]!;
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'secrets-cmk',
      Source: { Owner: 'CUSTOM_LAMBDA', SourceIdentifier: { 'Fn::GetAtt': [functionId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    const rule = Object.values(template.findResources('AWS::Config::ConfigRule'))[0]!;
    expect(rule.DependsOn).toEqual([Object.keys(template.findResources('AWS::Lambda::Permission'))[0]]);
  });

  test("the remediation's AutomationAssumeRole is this account's remediation role, resolved by CloudFormation", () => {
    const remediation = Object.values(template.findResources('AWS::Config::RemediationConfiguration'))[0]!;
    const role = remediation.Properties.Parameters.AutomationAssumeRole.StaticValue.Values[0];
    expect(role).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack.remediationRole.role), 'Arn'] });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRemediation-eu-west-1' });
    expect(remediation.Properties).toMatchObject({ TargetId: REKEY_DOCUMENT_NAME, Automatic: true });
  });
});

describe('member stack, central placement: the central function assumes the execution role', () => {
  const stack = memberStackFor(CENTRAL);
  const template = Template.fromStack(stack);

  test('holds the execution role, the rule and remediation, the runbooks and their roles; no function', () => {
    expect(typesOf(template)).toEqual([
      'AWS::Config::ConfigRule',
      'AWS::Config::RemediationConfiguration',
      'AWS::IAM::Role',
      'AWS::IAM::Role',
      'AWS::IAM::Role',
      'AWS::SSM::Document',
      'AWS::SSM::Document',
    ]);
  });

  test("the rule names the Region's central function, passed by the StackSet", () => {
    template.hasParameter('CentralFunctionArn', { Type: 'String' });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { Owner: 'CUSTOM_LAMBDA', SourceIdentifier: { Ref: 'CentralFunctionArn' } },
    });
  });

  test('the execution role, named with its Region, is trusted by the central function role only', () => {
    template.hasParameter('CentralRuleRoleArn', { Type: 'String' });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SecretsCmkRuleExecution-eu-west-1',
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { Ref: 'CentralRuleRoleArn' } } }],
      },
    });
  });

  test('the execution role is least privilege: read-only evaluation and reporting', () => {
    const roleId = logicalIdOf(stack.executionRole.role);
    assertLeastPrivilege(template, roleId, EXECUTION_ROLE_SPEC);
    expect(statementGranting(template, roleId, 'secretsmanager:DescribeSecret').Resource.map(render)).toEqual([
      'arn:<AWS::Partition>:secretsmanager:*:<AWS::AccountId>:secret:*',
    ]);
  });
});

describe.each([
  ['members', MEMBERS],
  ['central', CENTRAL],
])('member stack (%s placement), either way', (_name, context) => {
  const stack = memberStackFor(context);
  const template = Template.fromStack(stack);

  test('the runbooks run as the role their AutomationAssumeRole parameter names, and accept only their own role', () => {
    const documents = Object.fromEntries(
      Object.values(template.findResources('AWS::SSM::Document')).map((doc: any) => [doc.Properties.Name, doc]),
    );
    for (const [name, role] of [
      [REKEY_DOCUMENT_NAME, 'SecretsCmkRemediation-eu-west-1'],
      [RESTORE_DOCUMENT_NAME, 'SecretsCmkRestore-eu-west-1'],
    ] as const) {
      const content = documents[name].Properties.Content;
      expect(content.assumeRole).toBe('{{ AutomationAssumeRole }}');
      const pattern = new RegExp(content.parameters.AutomationAssumeRole.allowedPattern);
      expect(pattern.test(`arn:aws:iam::111122223333:role/${role}`)).toBe(true);
      expect(pattern.test('arn:aws:iam::111122223333:role/SecretsCmkRemediation')).toBe(false);
      expect(pattern.test(`arn:aws:iam::111122223333:role/${role}-other`)).toBe(false);
    }
  });

  test('the re-key and restore roles carry the Region in their names and are the single-account roles', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRemediation-eu-west-1' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRestore-eu-west-1' });
    assertLeastPrivilege(template, logicalIdOf(stack.remediationRole.role), REMEDIATION_SPEC);
    assertLeastPrivilege(template, logicalIdOf(stack.restoreRole.role), RESTORE_SPEC);
  });

  test('another Region gets other role names, so both fit in one account', () => {
    const other = Template.fromStack(
      memberStackFor({ ...context, deploymentRegions: 'eu-west-1,us-east-1' }, 'us-east-1'),
    );
    const names = (t: Template) =>
      Object.values(t.findResources('AWS::IAM::Role'))
        .map((role: any) => role.Properties.RoleName)
        .filter((name) => name !== undefined);
    const here = names(template);
    expect(here.length).toBeGreaterThan(0);
    expect(names(other).filter((name) => here.includes(name))).toEqual([]);
  });

  test('the rule passes no executionRoleName: the function setting alone names the role', () => {
    const withParameter = Template.fromStack(memberStackFor({ ...context, executionRoleName: 'AuditSecrets' }));
    withParameter.hasResourceProperties('AWS::Config::ConfigRule', { InputParameters: Match.absent() });
  });

  test('needs no bootstrap: no BootstrapVersion parameter or rule, no assets', () => {
    const json = template.toJSON();
    expect(json.Parameters?.BootstrapVersion).toBeUndefined();
    expect(json.Rules).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('cdk-hnb659fds');
  });

  test('synthesizes on its own to the template the StackSet receives', () => {
    // WHEN the member template is synthesized in an isolated app
    const app = newApp({ ...ORG, ...context });
    const props = memberStackProps(readSettings(app.node), readOrganizationSettings(app.node)!);
    const body = synthesizeMemberTemplate(props, { context: app.node.getAllContext() });
    // THEN it is the stack's template
    expect(body).toEqual(template.toJSON());
  });
});

test('without a target key the member stack has the rule and the runbooks, but no remediation', () => {
  const template = Template.fromStack(memberStackFor({ functionPlacement: 'members', deploymentRegions: 'eu-west-1' }));
  template.resourceCountIs('AWS::Config::ConfigRule', 1);
  template.resourceCountIs('AWS::Config::RemediationConfiguration', 0);
  template.resourceCountIs('AWS::SSM::Document', 2);
});
