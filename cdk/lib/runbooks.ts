/**
 * The two SSM Automation runbooks (schemaVersion 0.3), as plain data so tests can
 * validate them against the Automation JSON schema and read their steps.
 *
 * Each runbook runs as the role its `AutomationAssumeRole` parameter names: the document's
 * `assumeRole` is `{{ AutomationAssumeRole }}`, one of the two forms the SSM "Automation
 * system variables" page documents for it (a constant ARN, or a document parameter), the
 * form AWS's own AWSConfigRemediation-* runbooks use. The caller supplies the ARN: a
 * RemediationConfiguration from where CloudFormation resolves the account (the single
 * account stack, or the member stack of the organization StackSet), a person by hand.
 * `allowedPattern` admits only the role of the runbook's name, in any account, so no
 * caller can make a runbook run as another role (and passing it needs iam:PassRole).
 *
 * The re-key runbook runs as the remediation role (the one a RemediationConfiguration
 * names); the restore runbook runs as the restore role, which nothing automatic uses:
 * whoever may trigger a remediation cannot back a secret out to the AWS managed key.
 *
 * Trust (`allowedKeyAccounts`, `kmsKeyArns`) is baked into the steps' InputPayload, part
 * of the document content, not a parameter: a caller cannot widen it. The scripts
 * (runbook-script.ts) make no change; every change is an `aws:executeAwsApi` step and
 * every check on a key's state an assertion.
 */
import type { KeyTrust } from './config';
import { DEFAULT_SECRETS_MANAGER_KEY, REKEY_DOCUMENT_NAME } from './names';
import { HandlerName, scriptFor } from './runbook-script';

/** One step of an Automation runbook. */
export interface AutomationStep {
  readonly name: string;
  readonly action: string;
  readonly description?: string;
  readonly inputs: Record<string, unknown>;
  readonly outputs?: ReadonlyArray<{ Name: string; Selector: string; Type: string }>;
  readonly maxAttempts?: number;
  readonly timeoutSeconds?: number;
  readonly onFailure?: string;
  readonly isEnd?: boolean;
  readonly nextStep?: string;
}

export interface AutomationParameter {
  readonly type: string;
  readonly description: string;
  readonly allowedPattern?: string;
  readonly allowedValues?: string[];
  readonly default?: string;
}

/** An Automation runbook, the content of an AWS::SSM::Document of type Automation. */
export interface AutomationDocument {
  readonly schemaVersion: '0.3';
  readonly description: string;
  readonly assumeRole: string;
  readonly parameters: Record<string, AutomationParameter>;
  readonly outputs: string[];
  readonly mainSteps: AutomationStep[];
}

/** What a runbook is built from: the role it runs as and the rule's key trust. */
export interface RunbookOptions {
  readonly roleName: string;
  readonly keyTrust: KeyTrust;
}

/** Runtime of the script; aws:executeScript supports Python 3.8 to 3.11. */
export const SCRIPT_RUNTIME = 'python3.11';

const SECRET_ID_PATTERN = '^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[\\w/+=.@-]+|[\\w/+=.@-]{1,512})$';
const KMS_KEY_ID_PATTERN =
  '^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key/[\\w-]+|alias/[\\w/-]+)|alias/[\\w/-]+|(mrk-)?[a-f0-9-]{32,36})$';
/** Any key reference except an `alias/aws/*` one, which DescribeKey must never see. */
const CUSTOMER_KEY_ID_PATTERN =
  '^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key/[\\w-]+|alias/(?!aws/)[\\w/-]+)|alias/(?!aws/)[\\w/-]+|(mrk-)?[a-f0-9-]{32,36})$';

/** The document-level role: the `AutomationAssumeRole` parameter, as the SSM documentation allows. */
export const ASSUME_ROLE_FROM_PARAMETER = '{{ AutomationAssumeRole }}';

function automationAssumeRoleParameter(roleName: string): AutomationParameter {
  return {
    type: 'String',
    description:
      `(Required) ARN of the ${roleName} role of the account where the runbook runs: the automation ` +
      'runs as this role, and no other role is accepted.',
    allowedPattern: `^arn:aws[a-z-]*:iam::\\d{12}:role/${roleName}$`,
  };
}

/** The trust lists as the script reads them (literal document content). */
function trustPayload(trust: KeyTrust): { AllowedKeyAccounts: string[]; ApprovedKeys: string[] } {
  return { AllowedKeyAccounts: [...trust.allowedKeyAccounts], ApprovedKeys: [...(trust.approvedKeys ?? [])] };
}

function scriptStep(
  name: string,
  handler: HandlerName,
  description: string,
  payload: Record<string, unknown>,
  outputs: Array<[string, string]>,
): AutomationStep {
  return {
    name,
    action: 'aws:executeScript',
    description,
    timeoutSeconds: 60,
    inputs: { Runtime: SCRIPT_RUNTIME, Handler: handler, InputPayload: payload, Script: scriptFor(handler) },
    outputs: outputs.map(([outputName, type]) => ({
      Name: outputName,
      Selector: `$.Payload.${outputName}`,
      Type: type,
    })),
  };
}

function describeKeyStep(name: string, keyId: string, description: string): AutomationStep {
  return {
    name,
    action: 'aws:executeAwsApi',
    description,
    inputs: { Service: 'kms', Api: 'DescribeKey', KeyId: keyId },
    outputs: [
      { Name: 'KeyArn', Selector: '$.KeyMetadata.Arn', Type: 'String' },
      { Name: 'KeyManager', Selector: '$.KeyMetadata.KeyManager', Type: 'String' },
      { Name: 'KeyState', Selector: '$.KeyMetadata.KeyState', Type: 'String' },
    ],
  };
}

function assertKeyStep(name: string, keyArn: string, property: string, desired: string): AutomationStep {
  return {
    name,
    action: 'aws:assertAwsResourceProperty',
    description: `Stops the run unless the key's ${property} is ${desired}.`,
    inputs: {
      Service: 'kms',
      Api: 'DescribeKey',
      KeyId: keyArn,
      PropertySelector: `$.KeyMetadata.${property}`,
      DesiredValues: [desired],
    },
  };
}

/**
 * Resolves a key in this Region and stops the run unless it is customer managed and
 * Enabled: the steps `Describe<which>Key`, then `Assert<which>KeyIsCustomerManaged` and
 * `Assert<which>KeyIsEnabled` on the key ARN it resolved (`{{ Describe<which>Key.KeyArn }}`).
 */
function customerManagedKeySteps(which: 'Target' | 'Previous', keyId: string, description: string): AutomationStep[] {
  const describe = `Describe${which}Key`;
  const keyArn = `{{ ${describe}.KeyArn }}`;
  return [
    describeKeyStep(describe, keyId, description),
    assertKeyStep(`Assert${which}KeyIsCustomerManaged`, keyArn, 'KeyManager', 'CUSTOMER'),
    assertKeyStep(`Assert${which}KeyIsEnabled`, keyArn, 'KeyState', 'Enabled'),
  ];
}

function updateSecretStep(name: string, kmsKeyId: string, extra: Partial<AutomationStep> = {}): AutomationStep {
  return {
    name,
    action: 'aws:executeAwsApi',
    description:
      'Changes the key; Secrets Manager re-encrypts the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions. ' +
      'Needs kms:Decrypt on the old key and kms:GenerateDataKey and kms:Encrypt on the new one, never the secret value.',
    inputs: {
      Service: 'secretsmanager',
      Api: 'UpdateSecret',
      SecretId: '{{ InspectSecret.SecretArn }}',
      KmsKeyId: kmsKeyId,
    },
    ...extra,
  };
}

function verifySecretKeyStep(name: string, keyArn: string): AutomationStep {
  return {
    name,
    action: 'aws:assertAwsResourceProperty',
    description: 'Confirms the secret now names the key.',
    maxAttempts: 3,
    isEnd: true,
    inputs: {
      Service: 'secretsmanager',
      Api: 'DescribeSecret',
      SecretId: '{{ InspectSecret.SecretArn }}',
      PropertySelector: '$.KmsKeyId',
      DesiredValues: [keyArn],
    },
  };
}

/** `SecretsCmk-RekeySecret`: moves one secret to a trusted, customer managed, enabled key in its Region. */
export function rekeyRunbook(options: RunbookOptions): AutomationDocument {
  return {
    schemaVersion: '0.3',
    description: [
      `# ${REKEY_DOCUMENT_NAME}`,
      'Moves one Secrets Manager secret to a customer managed KMS key, the remediation of the secrets-cmk rule.',
      '',
      'Refuses a target key that is not customer managed, not Enabled, not resolvable in this Region, of an',
      "account the rule does not trust (the secret's own, allowedKeyAccounts, the accounts of kmsKeyArns), or",
      'with kmsKeyArns none of them; refuses a secret managed by another service. Records the previous key',
      '(output `InspectSecret.PreviousKmsKeyId`) for SecretsCmk-RestoreSecretKey. Never reads the secret value.',
    ].join('\n'),
    assumeRole: ASSUME_ROLE_FROM_PARAMETER,
    parameters: {
      SecretId: {
        type: 'String',
        description: '(Required) ARN or name of the secret to re-key (the Config resource id).',
        allowedPattern: SECRET_ID_PATTERN,
      },
      KmsKeyId: {
        type: 'String',
        description:
          "(Required) Target customer managed key in the secret's Region: key ARN, key id, alias ARN or alias name.",
        allowedPattern: KMS_KEY_ID_PATTERN,
      },
      AutomationAssumeRole: automationAssumeRoleParameter(options.roleName),
    },
    outputs: ['InspectSecret.PreviousKmsKeyId', 'DescribeTargetKey.KeyArn'],
    mainSteps: [
      ...customerManagedKeySteps(
        'Target',
        '{{ KmsKeyId }}',
        'Resolves the target key in this Region; a key that cannot be resolved here (another Region, deleted, ' +
          'no access) stops the run.',
      ),
      scriptStep(
        'InspectSecret',
        'inspect_secret',
        'Describes the secret; refuses a secret managed by another service (OwningService), one scheduled for ' +
          'deletion, one whose Region differs from the key, and a target the rule would not trust; records the key ' +
          'the secret is on now.',
        {
          SecretId: '{{ SecretId }}',
          TargetKmsKeyId: '{{ DescribeTargetKey.KeyArn }}',
          ...trustPayload(options.keyTrust),
        },
        [
          ['SecretArn', 'String'],
          ['PreviousKmsKeyId', 'String'],
          ['AlreadyOnTarget', 'Boolean'],
        ],
      ),
      {
        name: 'SkipIfAlreadyOnTarget',
        action: 'aws:branch',
        description:
          'A secret already on the target key is not updated again (UpdateSecret is rate limited per secret).',
        inputs: {
          Choices: [
            { NextStep: 'VerifySecretKey', Variable: '{{ InspectSecret.AlreadyOnTarget }}', BooleanEquals: true },
          ],
          Default: 'UpdateSecretKey',
        },
      },
      updateSecretStep('UpdateSecretKey', '{{ DescribeTargetKey.KeyArn }}'),
      verifySecretKeyStep('VerifySecretKey', '{{ DescribeTargetKey.KeyArn }}'),
    ],
  };
}

/**
 * `SecretsCmk-RestoreSecretKey`: puts a secret back on its previous key, only if it is
 * on the key the re-key set, only on a trusted key, and on the AWS managed key only when
 * asked for twice (by name and by `RestoreAwsManagedKey=true`).
 */
export function restoreRunbook(options: RunbookOptions): AutomationDocument {
  return {
    schemaVersion: '0.3',
    description: [
      '# SecretsCmk-RestoreSecretKey',
      `Backs out ${REKEY_DOCUMENT_NAME}: puts one secret back on the key it had before.`,
      '',
      'ExpectedCurrentKmsKeyId is the `DescribeTargetKey.KeyArn` output of the re-key run; the secret must be on',
      'that key now (resolved key ARNs are compared), else nothing changes. PreviousKmsKeyId is its',
      '`InspectSecret.PreviousKmsKeyId` output. A customer managed key must be Enabled, of a trusted account and',
      `is verified after the update. \`${DEFAULT_SECRETS_MANAGER_KEY}\` (the AWS managed key) also takes`,
      'RestoreAwsManagedKey=true. Runs as its own role, which no remediation uses. Never reads the secret value.',
    ].join('\n'),
    assumeRole: ASSUME_ROLE_FROM_PARAMETER,
    parameters: {
      SecretId: {
        type: 'String',
        description: '(Required) ARN or name of the secret.',
        allowedPattern: SECRET_ID_PATTERN,
      },
      ExpectedCurrentKmsKeyId: {
        type: 'String',
        description:
          '(Required) The key the secret must be on now: the DescribeTargetKey.KeyArn output of the re-key run. ' +
          'Key ARN, key id, alias ARN or alias name; never an alias/aws/* key.',
        allowedPattern: CUSTOMER_KEY_ID_PATTERN,
      },
      PreviousKmsKeyId: {
        type: 'String',
        description:
          `(Required) Key to restore: key ARN, key id, alias ARN or alias name; ${DEFAULT_SECRETS_MANAGER_KEY} ` +
          'for the AWS managed key (with RestoreAwsManagedKey=true).',
        allowedPattern: KMS_KEY_ID_PATTERN,
      },
      RestoreAwsManagedKey: {
        type: 'String',
        description: `(Optional) "true" to allow putting the secret back on ${DEFAULT_SECRETS_MANAGER_KEY}, a downgrade.`,
        allowedValues: ['false', 'true'],
        default: 'false',
      },
      AutomationAssumeRole: automationAssumeRoleParameter(options.roleName),
    },
    outputs: ['InspectSecret.CurrentKmsKeyId'],
    mainSteps: [
      scriptStep(
        'CheckRestoreTarget',
        'check_restore_target',
        'Refuses the AWS managed key unless RestoreAwsManagedKey is true, and the flag without that key; no AWS call.',
        { PreviousKmsKeyId: '{{ PreviousKmsKeyId }}', RestoreAwsManagedKey: '{{ RestoreAwsManagedKey }}' },
        [['RestoresAwsManagedKey', 'Boolean']],
      ),
      describeKeyStep(
        'DescribeExpectedCurrentKey',
        '{{ ExpectedCurrentKmsKeyId }}',
        'Resolves the key the secret must be on now; one that cannot be resolved here stops the run.',
      ),
      scriptStep(
        'InspectSecret',
        'inspect_restore',
        'Describes the secret; refuses one managed by another service, scheduled for deletion, or whose key ' +
          'does not resolve to ExpectedCurrentKmsKeyId.',
        { SecretId: '{{ SecretId }}', ExpectedCurrentKeyArn: '{{ DescribeExpectedCurrentKey.KeyArn }}' },
        [
          ['SecretArn', 'String'],
          ['CurrentKmsKeyId', 'String'],
        ],
      ),
      {
        name: 'ChooseRestoreTarget',
        action: 'aws:branch',
        description: 'The AWS managed key needs no lookup (DescribeKey on an aws/ alias can create the key).',
        inputs: {
          Choices: [
            {
              NextStep: 'RestoreDefaultKey',
              Variable: '{{ CheckRestoreTarget.RestoresAwsManagedKey }}',
              BooleanEquals: true,
            },
          ],
          Default: 'DescribePreviousKey',
        },
      },
      // Named by its key ARN, the AWS managed key would pass every other check:
      // AssertPreviousKeyIsCustomerManaged refuses it here.
      ...customerManagedKeySteps(
        'Previous',
        '{{ PreviousKmsKeyId }}',
        'Resolves the previous key in this Region; a key that cannot be resolved here stops the run.',
      ),
      scriptStep(
        'CheckPreviousKeyIsTrusted',
        'check_previous_key',
        'Refuses a previous key of an account the rule does not trust: restoring it would hand the secret to its owner.',
        {
          SecretArn: '{{ InspectSecret.SecretArn }}',
          KeyArn: '{{ DescribePreviousKey.KeyArn }}',
          ...trustPayload(options.keyTrust),
        },
        [['KeyArn', 'String']],
      ),
      updateSecretStep('RestorePreviousKey', '{{ DescribePreviousKey.KeyArn }}'),
      verifySecretKeyStep('VerifyPreviousKey', '{{ DescribePreviousKey.KeyArn }}'),
      updateSecretStep('RestoreDefaultKey', DEFAULT_SECRETS_MANAGER_KEY, { isEnd: true }),
    ],
  };
}
