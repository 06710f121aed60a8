/**
 * The least-privilege assertion is only worth something if it fails: each role
 * here gets one forbidden grant added, and the assertion must reject it.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LeastPrivilegeSpec, assertLeastPrivilege, logicalIdOf, memberStack, singleAccountStack } from './helpers';
import { EXECUTION_ROLE_SPEC, REMEDIATION_SPEC, RESTORE_SPEC, RULE_FUNCTION_SPEC } from './role-specs';

type RoleCase = [string, () => { role: iam.Role; spec: LeastPrivilegeSpec }];

const roles: RoleCase[] = [
  ['rule function role', () => ({ role: singleAccountStack().ruleFunction.role, spec: RULE_FUNCTION_SPEC })],
  ['remediation role', () => ({ role: singleAccountStack().remediationRole.role, spec: REMEDIATION_SPEC })],
  ['restore role', () => ({ role: singleAccountStack().restoreRole.role, spec: RESTORE_SPEC })],
  ['member execution role', () => ({ role: memberStack().executionRole.role, spec: EXECUTION_ROLE_SPEC })],
];

const forbiddenGrants: Array<[string, iam.PolicyStatement, RegExp]> = [
  [
    'reading secret values',
    new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: ['arn:aws:secretsmanager:*:*:secret:x'],
    }),
    /forbidden action secretsmanager:GetSecretValue/,
  ],
  [
    'a wildcard action',
    new iam.PolicyStatement({ actions: ['kms:*'], resources: ['arn:aws:kms:*:*:key/x'] }),
    /wildcard action kms:\*/,
  ],
  [
    'an action outside the list',
    new iam.PolicyStatement({
      actions: ['secretsmanager:TagResource'],
      resources: ['arn:aws:secretsmanager:*:*:secret:x'],
    }),
    /unexpected actions \[secretsmanager:TagResource\]/,
  ],
  [
    'a listed action on any resource',
    new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: ['*'] }),
    /kms:DescribeKey on Resource "\*"/,
  ],
];

describe.each(roles)('least-privilege assertion on the %s', (_name, build) => {
  test('passes as built', () => {
    const { role, spec } = build();
    expect(() => assertLeastPrivilege(Template.fromStack(role.stack), logicalIdOf(role), spec)).not.toThrow();
  });

  test.each(forbiddenGrants)('fails when the role is given %s', (_grant, statement, message) => {
    // GIVEN the role with one extra grant (CDK adds it as a separate policy)
    const { role, spec } = build();
    role.addToPrincipalPolicy(statement);
    // WHEN the assertion runs
    // THEN it rejects the role, naming the problem
    expect(() => assertLeastPrivilege(Template.fromStack(role.stack), logicalIdOf(role), spec)).toThrow(message);
  });

  test('fails when a managed policy is attached', () => {
    const { role, spec } = build();
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    expect(() => assertLeastPrivilege(Template.fromStack(role.stack), logicalIdOf(role), spec)).toThrow(
      /managed policies/,
    );
  });
});

test('the rule roles may never decrypt, whatever the list says', () => {
  // GIVEN the rule function role with kms:Decrypt added both to the role and to the expected list
  const stack = singleAccountStack();
  stack.ruleFunction.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['arn:aws:kms:*:*:key/x'] }),
  );
  const spec = { ...RULE_FUNCTION_SPEC, actions: [...RULE_FUNCTION_SPEC.actions, 'kms:Decrypt'] };
  // THEN the forbidden list still rejects it
  expect(() => assertLeastPrivilege(Template.fromStack(stack), logicalIdOf(stack.ruleFunction.role), spec)).toThrow(
    /forbidden action kms:Decrypt/,
  );
});
