import { PLACEHOLDERS, embeddedTemplates, resolveIntrinsics } from '../scripts/embedded-templates';

describe('embedded template resolution', () => {
  const template = {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function' },
      Role: { Type: 'AWS::IAM::Role' },
      Pack: {
        Type: 'AWS::Config::ConformancePack',
        Properties: {
          TemplateBody: {
            'Fn::Join': [
              '',
              [
                '{"Arn":"',
                { 'Fn::GetAtt': ['Fn', 'Arn'] },
                '","Role":"arn:',
                { Ref: 'AWS::Partition' },
                ':iam::',
                { Ref: 'AWS::AccountId' },
                ':role/R"}',
              ],
            ],
          },
        },
      },
    },
  };

  test('pseudo parameters and ARNs become realistic literals', () => {
    // WHEN the pack body is resolved
    const [pack] = embeddedTemplates(template);
    // THEN it is the string AWS Config would receive
    expect(JSON.parse(pack!.body)).toEqual({
      Arn: `arn:aws:lambda:${PLACEHOLDERS.region}:${PLACEHOLDERS.accountId}:function:Fn-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`,
      Role: `arn:aws:iam::${PLACEHOLDERS.accountId}:role/R`,
    });
  });

  test('an intrinsic it cannot resolve is an error, not a silent placeholder', () => {
    expect(() => resolveIntrinsics({ Ref: 'SomeParameter' }, template)).toThrow(/cannot resolve Ref SomeParameter/);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Role', 'RoleId'] }, template)).toThrow(/Fn::GetAtt Role.RoleId/);
  });
});
