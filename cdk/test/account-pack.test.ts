import { Match, Template } from 'aws-cdk-lib/assertions';
import { PACK_REMEDIATION_ID, PACK_RULE_ID } from '../lib/rule-template';
import { embeddedTemplates } from '../scripts/embedded-templates';
import { TARGET_KEY_ARN, accountPackStack, singleAccountStack } from './helpers';

/** What AWS Config receives as the pack template, once CloudFormation resolved the outer stack. */
function packBody(template: Template): { body: string; json: any } {
  const [pack] = embeddedTemplates(template.toJSON());
  if (!pack) {
    throw new Error('no conformance pack');
  }
  return { body: pack.body, json: JSON.parse(pack.body) };
}

describe('SecretsCmkAccountPackStack', () => {
  const context = {
    remediationKmsKeyId: TARGET_KEY_ARN,
    kmsKeyArns: TARGET_KEY_ARN,
    exemptionTagKey: 'secrets-cmk:exempt',
  };
  const stack = accountPackStack(context);
  const template = Template.fromStack(stack);

  test('deploys the function, runbooks and remediation role, and the rule only inside the pack', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::SSM::Document', 2);
    template.resourceCountIs('AWS::Config::ConformancePack', 1);
    template.resourceCountIs('AWS::Config::ConfigRule', 0);
    template.resourceCountIs('AWS::Config::RemediationConfiguration', 0);
    template.hasResourceProperties('AWS::Config::ConformancePack', { ConformancePackName: 'secrets-cmk' });
  });

  test('the pack template holds only the ConfigRule and the RemediationConfiguration', () => {
    const { json } = packBody(template);
    expect(Object.keys(json)).toEqual(['Resources']);
    expect(Object.fromEntries(Object.entries(json.Resources).map(([id, r]: [string, any]) => [id, r.Type]))).toEqual({
      [PACK_RULE_ID]: 'AWS::Config::ConfigRule',
      [PACK_REMEDIATION_ID]: 'AWS::Config::RemediationConfiguration',
    });
  });

  test('the pack holds no intrinsic function: AutomationAssumeRole is a literal ARN', () => {
    const { body, json } = packBody(template);
    expect(body).not.toMatch(/Fn::|"Ref"|\$\{/);
    expect(json.Resources[PACK_REMEDIATION_ID].Properties.Parameters.AutomationAssumeRole).toEqual({
      StaticValue: { Values: ['arn:aws:iam::123456789012:role/SecretsCmkRemediation'] },
    });
    expect(json.Resources[PACK_RULE_ID].Properties.Source.SourceIdentifier).toMatch(
      /^arn:aws:lambda:ap-southeast-2:123456789012:function:/,
    );
  });

  test('the pack template is within the 51,200-byte TemplateBody limit', () => {
    expect(Buffer.byteLength(packBody(template).body, 'utf8')).toBeLessThanOrEqual(51200);
  });

  test('the pack rule and remediation are those of the single-account stack', () => {
    // GIVEN the same context deployed both ways
    const single = Template.fromStack(singleAccountStack(context));
    const { json } = packBody(template);
    // THEN the rule differs only in how the function ARN is written
    const packRule = json.Resources[PACK_RULE_ID].Properties;
    single.hasResourceProperties('AWS::Config::ConfigRule', {
      ...packRule,
      Source: { ...packRule.Source, SourceIdentifier: Match.anyValue() },
    });
    const packRemediation = json.Resources[PACK_REMEDIATION_ID].Properties;
    single.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      ...packRemediation,
      Parameters: { ...packRemediation.Parameters, AutomationAssumeRole: Match.anyValue() },
    });
  });

  test('the pack waits for the invoke permission, the runbooks and the remediation role', () => {
    const pack = Object.values(template.findResources('AWS::Config::ConformancePack'))[0]!;
    const idsOf = (type: string) => Object.keys(template.findResources(type));
    expect(pack.DependsOn).toEqual(
      expect.arrayContaining([
        ...idsOf('AWS::Lambda::Permission'),
        ...idsOf('AWS::SSM::Document'),
        ...idsOf('AWS::IAM::Role').filter((id) => id.startsWith('RemediationRole')),
      ]),
    );
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  test('without a target key the pack holds the rule alone', () => {
    const { json } = packBody(Template.fromStack(accountPackStack()));
    expect(Object.keys(json.Resources)).toEqual([PACK_RULE_ID]);
  });
});
