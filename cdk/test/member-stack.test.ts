import { Template } from 'aws-cdk-lib/assertions';
import { memberStackProps, synthesizeMemberTemplate } from '../lib/stacks/member-stack';
import { readOrganizationSettings, readSettings } from '../lib/config';
import { REKEY_DOCUMENT_NAME, RESTORE_DOCUMENT_NAME } from '../lib/names';
import {
  ORG_CONTEXT,
  assertLeastPrivilege,
  logicalIdOf,
  memberStack,
  newApp,
  render,
  statementGranting,
} from './helpers';
import { EXECUTION_ROLE_SPEC, REMEDIATION_SPEC, RESTORE_SPEC } from './role-specs';

describe('SecretsCmkMemberStack (the StackSet template)', () => {
  const stack = memberStack();
  const template = Template.fromStack(stack);

  test('holds the execution role, both runbooks and the re-key and restore roles, nothing else', () => {
    expect(
      Object.values(template.toJSON().Resources as Record<string, { Type: string }>)
        .map((resource) => resource.Type)
        .sort(),
    ).toEqual(['AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::SSM::Document', 'AWS::SSM::Document']);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRestore' });
    template.hasResourceProperties('AWS::SSM::Document', { Name: REKEY_DOCUMENT_NAME });
    template.hasResourceProperties('AWS::SSM::Document', { Name: RESTORE_DOCUMENT_NAME });
  });

  test('the execution role is trusted by the central function role only', () => {
    // GIVEN the role ARN passed by the StackSet as a parameter
    template.hasParameter('CentralRuleRoleArn', { Type: 'String' });
    // THEN the trust policy names that principal and nothing else
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SecretsCmkRuleExecution',
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

  test('the re-key and restore roles are the same least-privilege roles as in a single account', () => {
    assertLeastPrivilege(template, logicalIdOf(stack.remediationRole.role), REMEDIATION_SPEC);
    assertLeastPrivilege(template, logicalIdOf(stack.restoreRole.role), RESTORE_SPEC);
  });

  test('needs no bootstrap: no BootstrapVersion parameter or rule, no assets', () => {
    const json = template.toJSON();
    expect(json.Parameters?.BootstrapVersion).toBeUndefined();
    expect(json.Rules).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('cdk-hnb659fds');
  });

  test('synthesizes on its own to the template the StackSet receives', () => {
    // WHEN the member template is synthesized in an isolated app
    const app = newApp(ORG_CONTEXT);
    const props = memberStackProps(readSettings(app.node), readOrganizationSettings(app.node)!);
    const body = synthesizeMemberTemplate(props, { context: app.node.getAllContext() });
    // THEN it is the stack's template
    expect(body).toEqual(template.toJSON());
  });
});
