/**
 * The tool must not itself be a way to take a secret hostage: no role may encrypt
 * under keys of every account, the restore runbook has no default key and runs as a
 * role that no remediation (and not the re-key runbook) uses, and the rule's trust
 * reaches every deployment variant.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RESTORE_DOCUMENT_NAME, REKEY_DOCUMENT_NAME } from '../lib/names';
import { embeddedTemplates } from '../scripts/embedded-templates';
import {
  TARGET_KEY_ARN,
  accountPackStack,
  actionCovers,
  assertNoEncryptionWithEveryAccountsKeys,
  memberStack,
  organizationStack,
  singleAccountStack,
} from './helpers';

const TRUST = { allowedKeyAccounts: '111111111111,222222222222', kmsKeyArns: `alias/secrets-cmk,${TARGET_KEY_ARN}` };
const REMEDIATE = { remediationKmsKeyId: 'alias/secrets-cmk', autoRemediation: 'true' };

/** [name, stack, whether it holds a RemediationConfiguration] */
const variants: Array<[string, () => Stack, boolean]> = [
  ['SecretsCmk (defaults)', () => singleAccountStack(), false],
  ['SecretsCmk (trust and remediation)', () => singleAccountStack({ ...TRUST, ...REMEDIATE }), true],
  ['SecretsCmkAccountPack', () => accountPackStack({ ...TRUST, ...REMEDIATE }), true],
  ['SecretsCmkOrganization', () => organizationStack({ ...TRUST, ...REMEDIATE }), true],
  ['SecretsCmkMember', () => memberStack(TRUST), true],
];

/** Every AWS::SSM::Document content of a template, by document name. */
function documentsOf(template: Template): Record<string, any> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::SSM::Document')).map((doc: any) => [
      doc.Properties.Name,
      doc.Properties.Content,
    ]),
  );
}

describe.each(variants)('%s', (_name, build, hasRemediation) => {
  const template = Template.fromStack(build());

  test('no statement of any role allows Encrypt or GenerateDataKey on keys of every account', () => {
    expect(() => assertNoEncryptionWithEveryAccountsKeys(template)).not.toThrow();
  });

  test('the restore document has no default key and runs as a role the re-key document does not use', () => {
    const documents = documentsOf(template);
    if (Object.keys(documents).length === 0) {
      return; // a delegated-admin central stack deploys no documents; the member stack does
    }
    const restore = documents[RESTORE_DOCUMENT_NAME];
    const rekey = documents[REKEY_DOCUMENT_NAME];
    expect(restore.parameters.ExpectedCurrentKmsKeyId).toBeDefined();
    expect(restore.parameters.ExpectedCurrentKmsKeyId.default).toBeUndefined();
    for (const parameter of Object.values<any>(restore.parameters)) {
      expect(String(parameter.default ?? '')).not.toMatch(/alias\/aws\//);
    }
    // Each runs as the role its AutomationAssumeRole names, and accepts only its own role.
    expect([restore.assumeRole, rekey.assumeRole]).toEqual([
      '{{ AutomationAssumeRole }}',
      '{{ AutomationAssumeRole }}',
    ]);
    expect(restore.parameters.AutomationAssumeRole.allowedPattern).toMatch(/:role\/SecretsCmkRestore(-[a-z0-9-]+)?\$$/);
    expect(rekey.parameters.AutomationAssumeRole.allowedPattern).toMatch(
      /:role\/SecretsCmkRemediation(-[a-z0-9-]+)?\$$/,
    );
    expect(JSON.stringify(rekey)).not.toContain('SecretsCmkRestore');
  });

  test('no RemediationConfiguration, inside a pack or not, names the restore role or runbook', () => {
    const packResources = embeddedTemplates(template.toJSON())
      .filter((embedded) => embedded.holderType.includes('ConformancePack'))
      .flatMap((embedded) => Object.values<any>(JSON.parse(embedded.body).Resources));
    const remediations = [
      JSON.stringify(template.findResources('AWS::Config::RemediationConfiguration')),
      ...packResources.filter((r) => r.Type === 'AWS::Config::RemediationConfiguration').map((r) => JSON.stringify(r)),
    ];
    // THEN the remediation (where there is one) runs the re-key runbook as the re-key role only
    const text = remediations.join('');
    // (by name in a pack's literal ARN, by logical id in a stack's Fn::GetAtt)
    expect(text.includes(REKEY_DOCUMENT_NAME) && /SecretsCmkRemediation|RemediationRole/.test(text)).toBe(
      hasRemediation,
    );
    expect(text).not.toMatch(/SecretsCmkRestore|"RestoreRole/);
    expect(text).not.toContain(RESTORE_DOCUMENT_NAME);
  });
});

describe('the boundary assertion is not vacuous', () => {
  test.each([
    ['kms:Encrypt', 'arn:aws:kms:eu-west-1:*:key/*'],
    ['kms:GenerateDataKey*', 'arn:aws:kms:*:*:key/*'],
    ['kms:*', '*'],
  ])('a role given %s on %s fails it', (action, resource) => {
    // GIVEN the re-key role with one more grant
    const stack = singleAccountStack();
    stack.remediationRole.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [action], resources: [resource] }),
    );
    // WHEN / THEN the assertion names the role and the grant
    expect(() => assertNoEncryptionWithEveryAccountsKeys(Template.fromStack(stack))).toThrow(/keys of every account/);
  });

  test('action patterns are matched like IAM does', () => {
    expect(actionCovers('kms:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext')).toBe(true);
    expect(actionCovers('KMS:encrypt', 'kms:Encrypt')).toBe(true);
    expect(actionCovers('kms:Decrypt', 'kms:Encrypt')).toBe(false);
  });
});

describe('allowedKeyAccounts reaches the rule in every variant, only when set', () => {
  test('single account: the rule input parameter', () => {
    Template.fromStack(singleAccountStack(TRUST)).hasResourceProperties('AWS::Config::ConfigRule', {
      InputParameters: { allowedKeyAccounts: '111111111111,222222222222' },
    });
  });

  test.each([['account conformance pack', () => accountPackStack(TRUST)]])(
    '%s: the pack rule input parameter',
    (_name, build) => {
      const pack = JSON.parse(
        embeddedTemplates(Template.fromStack(build()).toJSON()).find((e) => e.holderType.includes('ConformancePack'))!
          .body,
      );
      expect(pack.Resources.SecretsCmkRule.Properties.InputParameters).toMatchObject({
        allowedKeyAccounts: '111111111111,222222222222',
      });
    },
  );

  test('organization: the rule of every member account (the StackSet template)', () => {
    Template.fromStack(memberStack(TRUST)).hasResourceProperties('AWS::Config::ConfigRule', {
      InputParameters: { allowedKeyAccounts: '111111111111,222222222222' },
    });
  });

  test('unset, the parameter is not passed', () => {
    Template.fromStack(memberStack()).hasResourceProperties('AWS::Config::ConfigRule', {
      InputParameters: Match.absent(),
    });
  });
});

test('with trust configured, the member StackSet body (both documents, every role) stays within 51,200 bytes', () => {
  // GIVEN several trusted accounts and every kind of approved key
  const context = {
    allowedKeyAccounts: '111111111111,222222222222,333333333333',
    kmsKeyArns: `alias/secrets-cmk,arn:aws:kms:eu-west-1:444455556666:alias/shared,${TARGET_KEY_ARN}`,
  };
  // WHEN the organization stack is synthesized
  const stackSet = embeddedTemplates(Template.fromStack(organizationStack(context)).toJSON()).find(
    (embedded) => embedded.holderType === 'AWS::CloudFormation::StackSet',
  )!;
  // THEN StackSets accepts the body (each script step carries only what its handler needs)
  expect(Buffer.byteLength(stackSet.body, 'utf8')).toBeLessThanOrEqual(51200);
});
