import { Template } from 'aws-cdk-lib/assertions';
import {
  TARGET_KEY_ARN,
  assertLeastPrivilege,
  logicalIdOf,
  render,
  singleAccountStack,
  statementGranting,
} from './helpers';
import { RESTORE_SPEC } from './role-specs';

const OWN_ACCOUNT_KEYS = 'arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*';

describe('RestoreRole', () => {
  const stack = singleAccountStack({ allowedKeyAccounts: '111111111111', kmsKeyArns: TARGET_KEY_ARN });
  const template = Template.fromStack(stack);
  const roleId = logicalIdOf(stack.restoreRole.role);

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
    const encrypts = template
      .toJSON()
      .Resources[roleId].Properties.Policies[0].PolicyDocument.Statement.filter((s: any) =>
        [s.Action].flat().includes('kms:Encrypt'),
      );
    expect(encrypts.flatMap((s: any) => [s.Resource].flat().map(render))).toEqual(expected);
    for (const statement of encrypts) {
      expect(render(statement.Condition.StringEquals['kms:ViaService'])).toBe(
        'secretsmanager.<AWS::Region>.amazonaws.com',
      );
    }
  });

  test('a custom name is refused when it is the re-key role name', () => {
    expect(() => singleAccountStack({ restoreRoleName: 'SecretsCmkRemediation' })).toThrow(/context "restoreRoleName"/);
  });
});
