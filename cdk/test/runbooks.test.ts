import * as fs from 'node:fs';
import Ajv from 'ajv';
import { Template } from 'aws-cdk-lib/assertions';
import { REKEY_DOCUMENT_NAME, RESTORE_DOCUMENT_NAME } from '../lib/names';
import { AutomationDocument, AutomationStep, SCRIPT_RUNTIME, rekeyRunbook, restoreRunbook } from '../lib/runbooks';
import { singleAccountStack } from './helpers';

const NO_TRUST = { allowedKeyAccounts: [] };

/**
 * The Automation schema shipped by aws-ssm-document-language-service. It predates
 * the Python 3.8+ runtimes of aws:executeScript (3.6 and 3.7 are retired), so its
 * Runtime list is widened to today's runtimes; nothing else is changed. Its patterns
 * are not valid as Unicode regular expressions, hence `unicodeRegExp: false`.
 */
function automationSchema(): object {
  const schema = JSON.parse(
    fs.readFileSync(require.resolve('aws-ssm-document-language-service/dist/schema.json'), 'utf8'),
  );
  const executeScript = schema.properties.mainSteps.items.allOf.find(
    (rule: any) => rule.if.properties.action.const === 'aws:executeScript',
  );
  executeScript.then.properties.inputs.properties.Runtime.oneOf[0].enum.push(
    'python3.8',
    'python3.9',
    'python3.10',
    'python3.11',
  );
  return schema;
}

const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }).compile(automationSchema());

function step(document: AutomationDocument, name: string): AutomationStep {
  const found = document.mainSteps.find((candidate) => candidate.name === name);
  if (!found) {
    throw new Error(`no step ${name}`);
  }
  return found;
}

const TRUST = { allowedKeyAccounts: ['111111111111'], approvedKeys: ['alias/secrets-cmk'] };
const rekey = rekeyRunbook({ roleName: 'SecretsCmkRemediation', keyTrust: TRUST });
const restore = restoreRunbook({ roleName: 'SecretsCmkRestore', keyTrust: TRUST });

describe('Automation JSON schema', () => {
  test.each([
    ['SecretsCmk-RekeySecret', rekey],
    ['SecretsCmk-RestoreSecretKey', restore],
  ])('%s is a valid schemaVersion 0.3 Automation document', (_name, document) => {
    // WHEN the document is validated
    const valid = validate(JSON.parse(JSON.stringify(document)));
    // THEN the schema finds nothing wrong
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema is not vacuous: an unknown action or a missing input fails', () => {
    const broken = { ...rekey, mainSteps: [{ name: 'X', action: 'aws:doMagic', inputs: {} }] };
    expect(validate(broken)).toBe(false);
    const noApi = {
      ...rekey,
      mainSteps: [{ name: 'X', action: 'aws:assertAwsResourceProperty', inputs: { Service: 'kms' } }],
    };
    expect(validate(noApi)).toBe(false);
  });

  test('the script runtime is one AWS supports today', () => {
    expect(SCRIPT_RUNTIME).toBe('python3.11');
  });
});

describe('SecretsCmk-RekeySecret', () => {
  test('takes SecretId, KmsKeyId and AutomationAssumeRole, and outputs the previous and new key', () => {
    expect(Object.keys(rekey.parameters)).toEqual(['SecretId', 'KmsKeyId', 'AutomationAssumeRole']);
    expect(rekey.outputs).toEqual(['InspectSecret.PreviousKmsKeyId', 'DescribeTargetKey.KeyArn']);
  });

  test('runs as the remediation role of the account it runs in', () => {
    expect(rekey.assumeRole).toBe('{{ AutomationAssumeRole }}');
    const pattern = new RegExp(rekey.parameters.AutomationAssumeRole!.allowedPattern!);
    expect(pattern.test('arn:aws:iam::123456789012:role/SecretsCmkRemediation')).toBe(true);
    expect(pattern.test('arn:aws-us-gov:iam::123456789012:role/SecretsCmkRemediation')).toBe(true);
    expect(pattern.test('arn:aws:iam::123456789012:role/Admin')).toBe(false);
  });

  test('accepts every key form in KmsKeyId and refuses garbage', () => {
    const pattern = new RegExp(rekey.parameters.KmsKeyId!.allowedPattern!);
    for (const key of [
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:111122223333:alias/secrets-cmk',
      'alias/secrets-cmk',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'mrk-1234abcd12ab34cd56ef1234567890ab',
    ]) {
      expect(pattern.test(key)).toBe(true);
    }
    expect(pattern.test('not a key; rm -rf /')).toBe(false);
  });

  test('steps run in order: check the key, inspect the secret, re-key, verify', () => {
    expect(rekey.mainSteps.map((s) => `${s.name}:${s.action}`)).toEqual([
      'DescribeTargetKey:aws:executeAwsApi',
      'AssertTargetKeyIsCustomerManaged:aws:assertAwsResourceProperty',
      'AssertTargetKeyIsEnabled:aws:assertAwsResourceProperty',
      'InspectSecret:aws:executeScript',
      'SkipIfAlreadyOnTarget:aws:branch',
      'UpdateSecretKey:aws:executeAwsApi',
      'VerifySecretKey:aws:assertAwsResourceProperty',
    ]);
  });

  test('resolves the target key in the runbook Region and asserts CUSTOMER and Enabled', () => {
    expect(step(rekey, 'DescribeTargetKey').inputs).toEqual({
      Service: 'kms',
      Api: 'DescribeKey',
      KeyId: '{{ KmsKeyId }}',
    });
    expect(step(rekey, 'AssertTargetKeyIsCustomerManaged').inputs).toMatchObject({
      Service: 'kms',
      Api: 'DescribeKey',
      KeyId: '{{ DescribeTargetKey.KeyArn }}',
      PropertySelector: '$.KeyMetadata.KeyManager',
      DesiredValues: ['CUSTOMER'],
    });
    expect(step(rekey, 'AssertTargetKeyIsEnabled').inputs).toMatchObject({
      PropertySelector: '$.KeyMetadata.KeyState',
      DesiredValues: ['Enabled'],
    });
  });

  test('inspects the secret against the trust baked into the document, records the previous key', () => {
    const inspect = step(rekey, 'InspectSecret');
    const script = String(inspect.inputs.Script);
    // THEN the trusted accounts and approved keys are literal content, not parameters a caller could set
    expect(inspect.inputs.Handler).toBe('inspect_secret');
    expect(inspect.inputs.InputPayload).toEqual({
      SecretId: '{{ SecretId }}',
      TargetKmsKeyId: '{{ DescribeTargetKey.KeyArn }}',
      AllowedKeyAccounts: ['111111111111'],
      ApprovedKeys: ['alias/secrets-cmk'],
    });
    expect(Object.keys(rekey.parameters)).not.toEqual(expect.arrayContaining(['AllowedKeyAccounts']));
    expect(script).toContain('client.describe_secret(SecretId=secret_id)');
    expect(script).toMatch(/OwningService[\s\S]*raise ValueError/);
    expect(script).toMatch(/DeletedDate[\s\S]*raise ValueError/);
    expect(script).toContain('region_of(target) != region_of(arn)');
    expect(script).toContain('secret.get("KmsKeyId") or DEFAULT_KEY');
    // AND the script changes nothing and never reads the value
    expect(script).not.toMatch(/update_secret|get_secret_value|put_secret_value|create_grant|disable_key/);
    expect(inspect.outputs?.map((output) => output.Name)).toEqual(['SecretArn', 'PreviousKmsKeyId', 'AlreadyOnTarget']);
  });

  test('without allowedKeyAccounts and kmsKeyArns the baked lists are empty (own account only)', () => {
    const document = rekeyRunbook({ roleName: 'SecretsCmkRemediation', keyTrust: { allowedKeyAccounts: [] } });
    expect(step(document, 'InspectSecret').inputs.InputPayload).toMatchObject({
      AllowedKeyAccounts: [],
      ApprovedKeys: [],
    });
  });

  test('updates the secret to the resolved key ARN, skipping a secret already on it, then verifies', () => {
    expect(step(rekey, 'SkipIfAlreadyOnTarget').inputs).toEqual({
      Choices: [{ NextStep: 'VerifySecretKey', Variable: '{{ InspectSecret.AlreadyOnTarget }}', BooleanEquals: true }],
      Default: 'UpdateSecretKey',
    });
    expect(step(rekey, 'UpdateSecretKey').inputs).toEqual({
      Service: 'secretsmanager',
      Api: 'UpdateSecret',
      SecretId: '{{ InspectSecret.SecretArn }}',
      KmsKeyId: '{{ DescribeTargetKey.KeyArn }}',
    });
    const verify = step(rekey, 'VerifySecretKey');
    expect(verify.inputs).toMatchObject({
      Service: 'secretsmanager',
      Api: 'DescribeSecret',
      PropertySelector: '$.KmsKeyId',
      DesiredValues: ['{{ DescribeTargetKey.KeyArn }}'],
    });
    expect(verify.isEnd).toBe(true);
  });
});

describe('SecretsCmk-RestoreSecretKey', () => {
  test('needs the expected current key and the previous key, with no default key anywhere', () => {
    expect(Object.keys(restore.parameters)).toEqual([
      'SecretId',
      'ExpectedCurrentKmsKeyId',
      'PreviousKmsKeyId',
      'RestoreAwsManagedKey',
      'AutomationAssumeRole',
    ]);
    expect(restore.parameters.ExpectedCurrentKmsKeyId!.default).toBeUndefined();
    expect(restore.parameters.PreviousKmsKeyId!.default).toBeUndefined();
    // AND going back to the AWS managed key takes an explicit "true"
    expect(restore.parameters.RestoreAwsManagedKey).toMatchObject({
      default: 'false',
      allowedValues: ['false', 'true'],
    });
    for (const [name, parameter] of Object.entries(restore.parameters)) {
      expect({ name, default: parameter.default ?? '' }).not.toEqual({
        name,
        default: expect.stringMatching(/alias\/aws\//),
      });
    }
  });

  test('the expected current key can never be an alias/aws/* key (DescribeKey must not see one)', () => {
    const pattern = new RegExp(restore.parameters.ExpectedCurrentKmsKeyId!.allowedPattern!);
    expect(pattern.test('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe(true);
    expect(pattern.test('alias/secrets-cmk')).toBe(true);
    expect(pattern.test('alias/aws/secretsmanager')).toBe(false);
    expect(pattern.test('arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager')).toBe(false);
  });

  test('runs as the restore role, never the re-key role', () => {
    expect(restore.assumeRole).toBe('{{ AutomationAssumeRole }}');
    const pattern = new RegExp(restore.parameters.AutomationAssumeRole!.allowedPattern!);
    expect(pattern.test('arn:aws:iam::123456789012:role/SecretsCmkRestore')).toBe(true);
    expect(pattern.test('arn:aws:iam::123456789012:role/SecretsCmkRemediation')).toBe(false);
  });

  test('checks the request, the current key and the previous key before any change', () => {
    expect(restore.mainSteps.map((s) => `${s.name}:${s.action}`)).toEqual([
      'CheckRestoreTarget:aws:executeScript',
      'DescribeExpectedCurrentKey:aws:executeAwsApi',
      'InspectSecret:aws:executeScript',
      'ChooseRestoreTarget:aws:branch',
      'DescribePreviousKey:aws:executeAwsApi',
      'AssertPreviousKeyIsCustomerManaged:aws:assertAwsResourceProperty',
      'AssertPreviousKeyIsEnabled:aws:assertAwsResourceProperty',
      'CheckPreviousKeyIsTrusted:aws:executeScript',
      'RestorePreviousKey:aws:executeAwsApi',
      'VerifyPreviousKey:aws:assertAwsResourceProperty',
      'RestoreDefaultKey:aws:executeAwsApi',
    ]);
    expect(step(restore, 'CheckRestoreTarget').inputs).toMatchObject({
      Handler: 'check_restore_target',
      InputPayload: { PreviousKmsKeyId: '{{ PreviousKmsKeyId }}', RestoreAwsManagedKey: '{{ RestoreAwsManagedKey }}' },
    });
    expect(step(restore, 'DescribeExpectedCurrentKey').inputs).toEqual({
      Service: 'kms',
      Api: 'DescribeKey',
      KeyId: '{{ ExpectedCurrentKmsKeyId }}',
    });
    expect(step(restore, 'InspectSecret').inputs).toMatchObject({
      Handler: 'inspect_restore',
      InputPayload: { SecretId: '{{ SecretId }}', ExpectedCurrentKeyArn: '{{ DescribeExpectedCurrentKey.KeyArn }}' },
    });
    expect(step(restore, 'CheckPreviousKeyIsTrusted').inputs).toMatchObject({
      Handler: 'check_previous_key',
      InputPayload: {
        SecretArn: '{{ InspectSecret.SecretArn }}',
        KeyArn: '{{ DescribePreviousKey.KeyArn }}',
        AllowedKeyAccounts: ['111111111111'],
        ApprovedKeys: ['alias/secrets-cmk'],
      },
    });
  });

  test('branches to the AWS managed key only on the checked flag, a named key must be customer managed and enabled', () => {
    expect(step(restore, 'ChooseRestoreTarget').inputs).toEqual({
      Choices: [
        {
          NextStep: 'RestoreDefaultKey',
          Variable: '{{ CheckRestoreTarget.RestoresAwsManagedKey }}',
          BooleanEquals: true,
        },
      ],
      Default: 'DescribePreviousKey',
    });
    expect(step(restore, 'AssertPreviousKeyIsCustomerManaged').inputs).toMatchObject({ DesiredValues: ['CUSTOMER'] });
    expect(step(restore, 'AssertPreviousKeyIsEnabled').inputs).toMatchObject({ DesiredValues: ['Enabled'] });
    expect(step(restore, 'RestorePreviousKey').inputs).toMatchObject({
      Api: 'UpdateSecret',
      KmsKeyId: '{{ DescribePreviousKey.KeyArn }}',
    });
    // AND the named-key path ends at its verification, never falling through to the default
    expect(step(restore, 'VerifyPreviousKey').isEnd).toBe(true);
    expect(step(restore, 'RestoreDefaultKey')).toMatchObject({
      inputs: { Api: 'UpdateSecret', KmsKeyId: 'alias/aws/secretsmanager' },
      isEnd: true,
    });
  });

  test('refuses service-owned, deleted and cross-Region secrets with the same code as the re-key runbook', () => {
    const checks = (document: AutomationDocument) =>
      String(step(document, 'InspectSecret').inputs.Script)
        .split('\n\n\n')
        .find((f) => f.startsWith('def checked_secret'));
    expect(checks(restore)).toBeDefined();
    expect(checks(restore)).toBe(checks(rekey));
  });
});

describe('RemediationDocuments', () => {
  test('deploys both runbooks as named, versioned Automation documents and exports their names', () => {
    // GIVEN the single-account stack
    const template = Template.fromStack(singleAccountStack());
    // THEN the two documents carry the runbooks
    template.resourceCountIs('AWS::SSM::Document', 2);
    template.hasResourceProperties('AWS::SSM::Document', {
      Name: REKEY_DOCUMENT_NAME,
      DocumentType: 'Automation',
      DocumentFormat: 'JSON',
      UpdateMethod: 'NewVersion',
      Content: JSON.parse(JSON.stringify(rekeyRunbook({ roleName: 'SecretsCmkRemediation', keyTrust: NO_TRUST }))),
    });
    template.hasResourceProperties('AWS::SSM::Document', {
      Name: RESTORE_DOCUMENT_NAME,
      Content: JSON.parse(JSON.stringify(restoreRunbook({ roleName: 'SecretsCmkRestore', keyTrust: NO_TRUST }))),
    });
    template.hasOutput('*', { Value: REKEY_DOCUMENT_NAME });
    template.hasOutput('*', { Value: RESTORE_DOCUMENT_NAME });
  });

  test('custom role names are the ones the runbooks assume', () => {
    const template = Template.fromStack(
      singleAccountStack({ remediationRoleName: 'SecOpsRekey', restoreRoleName: 'SecOpsBackout' }),
    );
    template.hasResourceProperties('AWS::SSM::Document', {
      Name: REKEY_DOCUMENT_NAME,
      Content: {
        parameters: { AutomationAssumeRole: { allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/SecOpsRekey$' } },
      },
    });
    template.hasResourceProperties('AWS::SSM::Document', {
      Name: RESTORE_DOCUMENT_NAME,
      Content: {
        parameters: { AutomationAssumeRole: { allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/SecOpsBackout$' } },
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecOpsRekey' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SecOpsBackout' });
  });

  test('the stack bakes the context trust into the re-key document', () => {
    const template = Template.fromStack(
      singleAccountStack({ allowedKeyAccounts: '111111111111', kmsKeyArns: 'alias/secrets-cmk' }),
    );
    template.hasResourceProperties('AWS::SSM::Document', {
      Name: REKEY_DOCUMENT_NAME,
      Content: JSON.parse(JSON.stringify(rekey)),
    });
  });
});
