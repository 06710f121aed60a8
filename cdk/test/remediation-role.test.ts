import { Template } from 'aws-cdk-lib/assertions';
import { assertLeastPrivilege, logicalIdOf, render, singleAccountStack, statementGranting } from './helpers';
import { REMEDIATION_SPEC } from './role-specs';

describe('RemediationRole', () => {
  const stack = singleAccountStack();
  const template = Template.fromStack(stack);
  const roleId = logicalIdOf(stack.remediationRole.role);

  test('has a fixed name, so the runbooks and the conformance pack can name it', () => {
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

  test('holds exactly the runbooks actions, never the secret value, no wildcard action', () => {
    assertLeastPrivilege(template, roleId, REMEDIATION_SPEC);
  });

  test('re-keys only secrets of this account and Region', () => {
    expect(statementGranting(template, roleId, 'secretsmanager:UpdateSecret').Resource.map(render)).toEqual([
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*',
    ]);
  });

  test('uses keys only through Secrets Manager in this Region', () => {
    // GIVEN the statement with the cryptographic actions
    const crypto = statementGranting(template, roleId, 'kms:Decrypt');
    // THEN it carries exactly Decrypt, Encrypt, GenerateDataKey, on keys of this Region, via Secrets Manager
    expect(crypto.Action.sort()).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
    expect(crypto.Resource.map(render)).toEqual(['arn:<AWS::Partition>:kms:<AWS::Region>:*:key/*']);
    expect(render(crypto.Condition?.StringEquals?.['kms:ViaService'])).toBe(
      'secretsmanager.<AWS::Region>.amazonaws.com',
    );
    // AND DescribeKey (metadata only) needs no such condition
    expect(statementGranting(template, roleId, 'kms:DescribeKey').Condition).toBeUndefined();
  });
});
