import {
  OWN_ACCOUNT_KEYS,
  TARGET_KEY_ARN,
  assertLeastPrivilege,
  render,
  runbookRole,
  statementGranting,
  statementsOf,
} from './helpers';
import { REMEDIATION_SPEC } from './role-specs';

function remediation(context: Record<string, unknown> = {}) {
  return runbookRole('remediationRole', context);
}

describe('RemediationRole', () => {
  const { stack, template, roleId } = remediation();

  test('has a fixed name, so the re-key runbook and the conformance pack can name it', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecretsCmkRemediation' });
    expect(stack.resolve(stack.remediationRole.roleArn)).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/SecretsCmkRemediation'],
      ],
    });
  });

  test('is assumable only by SSM Automation of this account', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SecretsCmkRemediation',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'ssm.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':ssm:*:',
                      { Ref: 'AWS::AccountId' },
                      ':automation-execution/*',
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  test('holds exactly the re-key runbook actions, never the secret value, no wildcard action', () => {
    assertLeastPrivilege(template, roleId, REMEDIATION_SPEC);
  });

  test('re-keys only secrets of this account and Region, only to keys of this account', () => {
    // GIVEN no allowedKeyAccounts and no kmsKeyArns
    const update = statementGranting(template, roleId, 'secretsmanager:UpdateSecret');
    // THEN UpdateSecret needs a key of the own account in the request (the Service
    // Authorization Reference's secretsmanager:KmsKeyArn), with no IfExists escape
    expect(update.Resource.map(render)).toEqual([
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*',
    ]);
    expect(Object.keys(update.Condition ?? {})).toEqual(['ArnLike']);
    expect(update.Condition?.ArnLike['secretsmanager:KmsKeyArn'].map(render)).toEqual([OWN_ACCOUNT_KEYS]);
  });

  test('encrypts only with keys of the own account, decrypts the old key of any, both via Secrets Manager', () => {
    const encrypt = statementGranting(template, roleId, 'kms:Encrypt');
    expect(encrypt.Action.sort()).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
    expect(encrypt.Resource.map(render)).toEqual([OWN_ACCOUNT_KEYS]);
    expect(render(encrypt.Condition?.StringEquals?.['kms:ViaService'])).toBe(
      'secretsmanager.<AWS::Region>.amazonaws.com',
    );

    const decrypt = statementGranting(template, roleId, 'kms:Decrypt');
    expect(decrypt.Action).toEqual(['kms:Decrypt']);
    expect(decrypt.Resource.map(render)).toEqual(['arn:<AWS::Partition>:kms:<AWS::Region>:*:key/*']);
    expect(render(decrypt.Condition?.StringEquals?.['kms:ViaService'])).toBe(
      'secretsmanager.<AWS::Region>.amazonaws.com',
    );
    // AND DescribeKey (metadata only) needs no such condition
    expect(statementGranting(template, roleId, 'kms:DescribeKey').Condition).toBeUndefined();
  });

  test('denies encrypting with AWS managed keys and requesting them, whatever document uses the role', () => {
    const denies = statementsOf(template, roleId).filter((statement) => statement.Effect === 'Deny');
    expect(denies).toEqual([
      expect.objectContaining({
        Action: ['kms:Encrypt', 'kms:GenerateDataKey*'],
        Resource: ['*'],
        Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': ['alias/aws/*'] } },
      }),
      expect.objectContaining({ Action: ['secretsmanager:UpdateSecret'] }),
    ]);
    expect(denies[1]!.Condition?.StringLike['secretsmanager:KmsKeyId'].map(render)).toEqual([
      'alias/aws/*',
      'arn:<AWS::Partition>:kms:*:*:alias/aws/*',
    ]);
  });
});

describe('RemediationRole with the rule trust configured', () => {
  test('allowedKeyAccounts adds exactly those accounts keys, in this Region', () => {
    // GIVEN two allowed accounts
    const { template, roleId } = remediation({ allowedKeyAccounts: '111111111111,222222222222' });
    // THEN both the encrypt grant and the UpdateSecret condition name the own and those accounts
    const expected = [
      OWN_ACCOUNT_KEYS,
      'arn:<AWS::Partition>:kms:<AWS::Region>:111111111111:key/*',
      'arn:<AWS::Partition>:kms:<AWS::Region>:222222222222:key/*',
    ];
    expect(statementGranting(template, roleId, 'kms:Encrypt').Resource.map(render)).toEqual(expected);
    expect(
      statementGranting(template, roleId, 'secretsmanager:UpdateSecret').Condition?.ArnLike[
        'secretsmanager:KmsKeyArn'
      ].map(render),
    ).toEqual(expected);
  });

  test('kmsKeyArns of key ARNs narrows both to exactly those keys (the rule accepts no other)', () => {
    // GIVEN one approved key ARN of another account, and an allowed account
    const { template, roleId } = remediation({ kmsKeyArns: TARGET_KEY_ARN, allowedKeyAccounts: '111111111111' });
    // THEN the own account is not even there: no AWS managed key can be requested by ARN
    expect(statementGranting(template, roleId, 'kms:Encrypt').Resource).toEqual([TARGET_KEY_ARN]);
    expect(
      statementGranting(template, roleId, 'secretsmanager:UpdateSecret').Condition?.ArnLike['secretsmanager:KmsKeyArn'],
    ).toEqual([TARGET_KEY_ARN]);
  });

  test('a key approved by alias is granted by kms:ResourceAliases on its account keys', () => {
    // GIVEN an alias name (own account) and an alias ARN of another account
    const { template, roleId } = remediation({
      kmsKeyArns: 'alias/secrets-cmk,arn:aws:kms:ap-southeast-2:444455556666:alias/shared',
    });
    const encrypt = statementsOf(template, roleId).filter(
      (statement) => statement.Effect === 'Allow' && statement.Action.includes('kms:Encrypt'),
    );
    // THEN one statement per alias, each limited to keys that carry it
    expect(
      encrypt.map((statement) => [statement.Resource.map(render), statement.Condition?.['ForAnyValue:StringEquals']]),
    ).toEqual([
      [[OWN_ACCOUNT_KEYS], { 'kms:ResourceAliases': ['alias/secrets-cmk'] }],
      [['arn:aws:kms:ap-southeast-2:444455556666:key/*'], { 'kms:ResourceAliases': ['alias/shared'] }],
    ]);
  });
});
