/**
 * The member accounts' read-only audit role (`auditPrincipalArns`), which
 * `secrets-cmk audit --organization --role-name NAME` assumes: absent unless asked for,
 * trusted by exactly the named principals, exactly its contract actions on the narrowest
 * resources, in one Region's template only, cdk-nag and cfn-lint clean.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { anyResourceActions, roleActions } from '../lib/contract';
import { cfnLint } from './cfn-lint';
import { LeastPrivilegeSpec, assertLeastPrivilege, logicalIdOf, render, statementsOf } from './helpers';
import { memberStackFor, organizationApp } from './organization-fixtures';

const AUDITOR = 'arn:aws:iam::111122223333:role/SecurityAudit';
const SSO_AUDITOR = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Audit_0123';
const REGIONS = 'eu-west-1,us-east-1,ap-southeast-2';
const AUDIT = { deploymentRegions: REGIONS, auditPrincipalArns: `${AUDITOR},${SSO_AUDITOR}` };
const WITH_SECURITY_HUB = { ...AUDIT, auditImportsToSecurityHub: 'true' };

/** What an audit must never be able to do: read a value, decrypt, change anything, go further. */
const AUDIT_FORBIDDEN = [
  'secretsmanager:BatchGetSecretValue',
  'secretsmanager:UpdateSecret',
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'sts:AssumeRole',
  'config:PutEvaluations',
];

function auditSpec(importsToSecurityHub: boolean): LeastPrivilegeSpec {
  return {
    actions: roleActions('memberAudit').filter(
      (action) => importsToSecurityHub || action !== 'securityhub:BatchImportFindings',
    ),
    forbidden: AUDIT_FORBIDDEN,
    onAnyResource: anyResourceActions('memberAudit'),
  };
}

function rolesNamed(template: Record<string, any>, name: string): any[] {
  return Object.values<any>(template.Resources).filter(
    (resource) => resource.Type === 'AWS::IAM::Role' && resource.Properties.RoleName === name,
  );
}

describe.each([['members'], ['central']])('%s placement', (functionPlacement) => {
  test('without auditPrincipalArns no member template of any Region has an audit role', () => {
    // GIVEN an organization deployment that does not ask for the role
    const { regions } = organizationApp({ functionPlacement, deploymentRegions: REGIONS });
    // THEN no template holds it
    for (const { memberTemplate, organization } of regions) {
      expect(rolesNamed(memberTemplate, 'SecretsCmkAudit')).toEqual([]);
      expect(rolesNamed(Template.fromStack(organization).toJSON(), 'SecretsCmkAudit')).toEqual([]);
    }
    expect(memberStackFor({ functionPlacement, deploymentRegions: REGIONS }).auditRole).toBeUndefined();
  });

  test('with it, the first deployment Region member template has the role, and no other template', () => {
    // GIVEN three deployment Regions and the principals
    const { regions } = organizationApp({ functionPlacement, ...AUDIT });
    // THEN only the first Region's StackSet creates it, once per account; the management
    // account's own stacks do not (the audit uses the caller's own credentials there)
    expect(regions.map(({ memberTemplate }) => rolesNamed(memberTemplate, 'SecretsCmkAudit').length)).toEqual([
      1, 0, 0,
    ]);
    for (const { organization } of regions) {
      expect(rolesNamed(Template.fromStack(organization).toJSON(), 'SecretsCmkAudit')).toEqual([]);
    }
  });
});

describe('the audit role', () => {
  const stack = memberStackFor(AUDIT);
  const template = Template.fromStack(stack);
  const roleId = logicalIdOf(stack.auditRole!.role);

  test('trusts exactly the named principals, with sts:AssumeRole only and no condition', () => {
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.RoleName).toBe('SecretsCmkAudit');
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: [AUDITOR, SSO_AUDITOR] } }],
    });
  });

  test('one principal is trusted alone', () => {
    const single = memberStackFor({ deploymentRegions: REGIONS, auditPrincipalArns: AUDITOR });
    const role = Template.fromStack(single).toJSON().Resources[logicalIdOf(single.auditRole!.role)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: AUDITOR } },
    ]);
  });

  test('its policy, statement by statement: read-only, each resource as narrow as the action allows', () => {
    const statements = statementsOf(template, roleId).map((s) => ({
      Sid: s.Sid,
      Effect: s.Effect,
      Action: s.Action,
      Resource: s.Resource.map(render),
      Condition: s.Condition,
    }));
    expect(statements).toEqual([
      { Sid: 'ListSecrets', Effect: 'Allow', Action: ['secretsmanager:ListSecrets'], Resource: ['*'] },
      { Sid: 'ListEnabledRegions', Effect: 'Allow', Action: ['account:ListRegions'], Resource: ['*'] },
      {
        Sid: 'DescribeOwnSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret'],
        Resource: ['arn:<AWS::Partition>:secretsmanager:*:<AWS::AccountId>:secret:*'],
      },
      {
        Sid: 'DescribeSecretKeys',
        Effect: 'Allow',
        Action: ['kms:DescribeKey'],
        Resource: ['arn:<AWS::Partition>:kms:*:*:key/*'],
      },
    ]);
  });

  test('is least privilege: exactly the contract actions but the Security Hub import', () => {
    assertLeastPrivilege(template, roleId, auditSpec(false));
  });

  test('with auditImportsToSecurityHub=true it may also import findings into its own default product only', () => {
    const withImport = memberStackFor(WITH_SECURITY_HUB);
    const importing = Template.fromStack(withImport);
    const id = logicalIdOf(withImport.auditRole!.role);
    assertLeastPrivilege(importing, id, auditSpec(true));
    const statement = statementsOf(importing, id).find((s) => s.Sid === 'ImportOwnFindings')!;
    expect(statement.Action).toEqual(['securityhub:BatchImportFindings']);
    expect(statement.Resource.map(render)).toEqual([
      'arn:<AWS::Partition>:securityhub:*:<AWS::AccountId>:product/<AWS::AccountId>/default',
    ]);
  });

  test.each([
    ['reading a value', 'secretsmanager:BatchGetSecretValue', /forbidden action secretsmanager:BatchGetSecretValue/],
    ['decrypting', 'kms:Decrypt', /forbidden action kms:Decrypt/],
    ['an action outside the list', 'secretsmanager:TagResource', /unexpected actions \[secretsmanager:TagResource\]/],
  ])('the least-privilege assertion rejects it with %s added', (_what, action, message) => {
    // GIVEN the role with one more grant, named in the expected list too (only the forbidden list can stop it)
    const extended = memberStackFor(AUDIT);
    const role = extended.auditRole!.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: ['arn:aws:kms:*:*:key/x'] }));
    const spec = auditSpec(false);
    const loose = message.source.startsWith('forbidden') ? { ...spec, actions: [...spec.actions, action] } : spec;
    // WHEN / THEN the assertion rejects the role, naming the problem
    expect(() => assertLeastPrivilege(Template.fromStack(extended), logicalIdOf(role), loose)).toThrow(message);
  });

  test('a custom auditRoleName names it', () => {
    const named = memberStackFor({ ...AUDIT, auditRoleName: 'OrgSecretsAudit' });
    expect(Template.fromStack(named).toJSON().Resources[logicalIdOf(named.auditRole!.role)].Properties.RoleName).toBe(
      'OrgSecretsAudit',
    );
  });

  test.each([
    ['without Security Hub', AUDIT],
    ['with Security Hub', WITH_SECURITY_HUB],
  ])('cdk-nag AwsSolutions finds nothing unacknowledged on the member stack %s', (_what, context) => {
    for (const functionPlacement of ['members', 'central']) {
      const report = new AwsSolutionsChecks().validateScope(memberStackFor({ functionPlacement, ...context }));
      expect(report.violations).toEqual([]);
    }
  });
});

test('cfn-lint finds nothing in the member templates with the audit role, nor in the organization stacks', () => {
  // GIVEN the synthesized templates of an organization with the audit role, in both placements
  const templates: Record<string, unknown> = {};
  for (const functionPlacement of ['members', 'central']) {
    const [first] = organizationApp({ functionPlacement, ...WITH_SECURITY_HUB }).regions;
    templates[`member-${functionPlacement}`] = first!.memberTemplate;
    templates[`organization-${functionPlacement}`] = Template.fromStack(first!.organization).toJSON();
  }
  // WHEN cfn-lint checks them / THEN it reports nothing
  expect(cfnLint(templates)).toEqual({ status: 0, output: '' });
});
