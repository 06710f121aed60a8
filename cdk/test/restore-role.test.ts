import {
  OWN_ACCOUNT_KEYS,
  TARGET_KEY_ARN,
  assertLeastPrivilege,
  logicalIdOf,
  render,
  runbookRole,
  singleAccountStack,
  statementGranting,
  statementsOf,
} from './helpers';
import { RESTORE_SPEC } from './role-specs';

describe('RestoreRole', () => {
  const { stack, template, roleId } = runbookRole('restoreRole', {
    allowedKeyAccounts: '111111111111',
    kmsKeyArns: TARGET_KEY_ARN,
  });

  test('has its own fixed name, not the re-key role', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRestore' });
    expect(stack.restoreRole.role.node.defaultChild).not.toBe(stack.remediationRole.role.node.defaultChild);
  });

  test('is assumable only by SSM Automation of this account, like the re-key role', () => {
    const trust = (id: string) => template.toJSON().Resources[id].Properties.AssumeRolePolicyDocument;
    expect(trust(roleId)).toEqual(trust(logicalIdOf(stack.remediationRole.role)));
  });

  test('holds exactly the restore runbook actions, never the secret value, no wildcard action', () => {
    assertLeastPrivilege(template, roleId, RESTORE_SPEC);
  });

  test('restores only to keys of trusted accounts or approved keys; a request without a key means the AWS managed key', () => {
    // GIVEN an allowed account and an approved key of a third account
    const expected = [OWN_ACCOUNT_KEYS, 'arn:<AWS::Partition>:kms:<AWS::Region>:111111111111:key/*', TARGET_KEY_ARN];
    // THEN UpdateSecret names them (IfExists: the AWS managed key may come without a key ARN)
    const update = statementGranting(template, roleId, 'secretsmanager:UpdateSecret');
    expect(update.Resource.map(render)).toEqual([
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*',
    ]);
    expect(update.Condition?.ArnLikeIfExists['secretsmanager:KmsKeyArn'].map(render)).toEqual(expected);
    // AND encryption is granted on the same keys only, via Secrets Manager
    const encrypts = statementsOf(template, roleId).filter((statement) => statement.Action.includes('kms:Encrypt'));
    expect(encrypts.flatMap((statement) => statement.Resource.map(render))).toEqual(expected);
    for (const statement of encrypts) {
      expect(render(statement.Condition?.StringEquals['kms:ViaService'])).toBe(
        'secretsmanager.<AWS::Region>.amazonaws.com',
      );
    }
  });

  test('a custom name is refused when it is the re-key role name', () => {
    expect(() => singleAccountStack({ restoreRoleName: 'SecretsCmkRemediation' })).toThrow(/context "restoreRoleName"/);
  });
});
