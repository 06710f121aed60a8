/**
 * The two SSM Automation runbooks (schemaVersion 0.3), as plain data so tests can
 * validate them against the Automation JSON schema and read their steps.
 *
 * Both runbooks run as the remediation role *of the account they run in*:
 * `assumeRole` is built from `{{global:AWS_PARTITION}}` and `{{global:ACCOUNT_ID}}`.
 * AWS Config demands a literal `AutomationAssumeRole` ARN in a conformance pack, and
 * one organization pack serves every member account, so the account part of that
 * literal cannot be right everywhere; the role *name* can. `AutomationAssumeRole`
 * is therefore validated to name the remediation role and documents which role
 * runs the automation, and no caller can make the runbook run as another role.
 *
 * Scripts: one `aws:executeScript` step (`InspectSecret`) reads the secret, because
 * the facts that decide a refusal are *optional* response fields (`OwningService`,
 * `DeletedDate`, and `KmsKeyId`, absent for the default key); `aws:branch` and
 * `aws:assertAwsResourceProperty` fail on a selector that matches nothing, so they
 * cannot express "absent". The script makes no change; every change is an
 * `aws:executeAwsApi` step and every check on the key an assertion.
 */
import { DEFAULT_SECRETS_MANAGER_KEY } from './names';

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

/** An Automation runbook, the content of an AWS::SSM::Document of type Automation. */
export interface AutomationDocument {
  readonly schemaVersion: '0.3';
  readonly description: string;
  readonly assumeRole: string;
  readonly parameters: Record<string, { type: string; description: string; allowedPattern?: string; default?: string }>;
  readonly outputs: string[];
  readonly mainSteps: AutomationStep[];
}

/** Runtime of the inspection script; aws:executeScript supports Python 3.8 to 3.11. */
export const SCRIPT_RUNTIME = 'python3.11';

const SECRET_ID_PATTERN = '^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[\\w/+=.@-]+|[\\w/+=.@-]{1,512})$';
const KMS_KEY_ID_PATTERN =
  '^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key/[\\w-]+|alias/[\\w/-]+)|alias/[\\w/-]+|(mrk-)?[a-f0-9-]{32,36})$';

/**
 * Reads the secret, refuses what must not be re-keyed here, and records the key it
 * is on now (`alias/aws/secretsmanager` when it names none, ready to pass back to the
 * restore runbook).
 */
const INSPECT_SECRET_SCRIPT = `import boto3

DEFAULT_KEY = "${DEFAULT_SECRETS_MANAGER_KEY}"


def region_of(arn):
    return arn.split(":")[3]


def inspect_secret(events, context):
    client = boto3.client("secretsmanager")
    region = client.meta.region_name
    secret = client.describe_secret(SecretId=events["SecretId"])
    arn = secret["ARN"]
    owner = secret.get("OwningService")
    if owner:
        raise ValueError(f"refusing {arn}: it is managed by {owner}; change its key through {owner}")
    if secret.get("DeletedDate"):
        raise ValueError(f"refusing {arn}: it is scheduled for deletion")
    if region_of(arn) != region:
        raise ValueError(f"refusing {arn}: this runbook runs in {region}, the secret is elsewhere")
    target = events["TargetKmsKeyId"]
    if target.startswith("arn:") and region_of(target) != region_of(arn):
        raise ValueError(f"refusing {arn}: key {target} is in another Region than the secret")
    previous = secret.get("KmsKeyId") or DEFAULT_KEY
    return {"SecretArn": arn, "PreviousKmsKeyId": previous, "AlreadyOnTarget": previous == target}
`;

function assumeRoleOf(remediationRoleName: string): string {
  return `arn:{{global:AWS_PARTITION}}:iam::{{global:ACCOUNT_ID}}:role/${remediationRoleName}`;
}

function automationAssumeRoleParameter(remediationRoleName: string) {
  return {
    type: 'String',
    description:
      `(Required) ARN of the ${remediationRoleName} role. The runbook always runs as the role of that name ` +
      'in the account where it runs, so one literal ARN serves every account of an organization conformance pack.',
    allowedPattern: `^arn:aws[a-z-]*:iam::\\d{12}:role/${remediationRoleName}$`,
  };
}

function inspectSecretStep(targetKmsKeyId: string): AutomationStep {
  return {
    name: 'InspectSecret',
    action: 'aws:executeScript',
    description:
      'Describes the secret; refuses a secret managed by another service (OwningService), one scheduled for ' +
      'deletion, or one whose Region differs from the key; records the key the secret is on now.',
    timeoutSeconds: 60,
    inputs: {
      Runtime: SCRIPT_RUNTIME,
      Handler: 'inspect_secret',
      InputPayload: { SecretId: '{{ SecretId }}', TargetKmsKeyId: targetKmsKeyId },
      Script: INSPECT_SECRET_SCRIPT,
    },
    outputs: [
      { Name: 'SecretArn', Selector: '$.Payload.SecretArn', Type: 'String' },
      { Name: 'PreviousKmsKeyId', Selector: '$.Payload.PreviousKmsKeyId', Type: 'String' },
      { Name: 'AlreadyOnTarget', Selector: '$.Payload.AlreadyOnTarget', Type: 'Boolean' },
    ],
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

/** `SecretsCmk-RekeySecret`: moves one secret to a customer managed, enabled key in its Region. */
export function rekeyRunbook(remediationRoleName: string): AutomationDocument {
  return {
    schemaVersion: '0.3',
    description: [
      '# SecretsCmk-RekeySecret',
      'Moves one Secrets Manager secret to a customer managed KMS key, the remediation of the secrets-cmk rule.',
      '',
      'Refuses a target key that is not customer managed, not Enabled or not resolvable in this Region, and a',
      'secret managed by another service. Records the previous key (output `InspectSecret.PreviousKmsKeyId`);',
      'pass it to SecretsCmk-RestoreSecretKey to back out. Never reads the secret value.',
    ].join('\n'),
    assumeRole: assumeRoleOf(remediationRoleName),
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
      AutomationAssumeRole: automationAssumeRoleParameter(remediationRoleName),
    },
    outputs: ['InspectSecret.PreviousKmsKeyId', 'DescribeTargetKey.KeyArn'],
    mainSteps: [
      describeKeyStep(
        'DescribeTargetKey',
        '{{ KmsKeyId }}',
        'Resolves the target key in this Region; a key that cannot be resolved here (another Region, deleted, ' +
          'no access) stops the run.',
      ),
      assertKeyStep('AssertTargetKeyIsCustomerManaged', '{{ DescribeTargetKey.KeyArn }}', 'KeyManager', 'CUSTOMER'),
      assertKeyStep('AssertTargetKeyIsEnabled', '{{ DescribeTargetKey.KeyArn }}', 'KeyState', 'Enabled'),
      inspectSecretStep('{{ DescribeTargetKey.KeyArn }}'),
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

/** `SecretsCmk-RestoreSecretKey`: puts a secret back on a given previous key, or on the default key. */
export function restoreRunbook(remediationRoleName: string): AutomationDocument {
  return {
    schemaVersion: '0.3',
    description: [
      '# SecretsCmk-RestoreSecretKey',
      'Backs out SecretsCmk-RekeySecret: puts one secret back on the key it had before.',
      '',
      `PreviousKmsKeyId is the \`InspectSecret.PreviousKmsKeyId\` output of the re-key run; \`${DEFAULT_SECRETS_MANAGER_KEY}\``,
      '(the default) restores the AWS managed key. A named key must be Enabled and resolvable in this Region.',
      'Refuses a secret managed by another service. Never reads the secret value.',
    ].join('\n'),
    assumeRole: assumeRoleOf(remediationRoleName),
    parameters: {
      SecretId: {
        type: 'String',
        description: '(Required) ARN or name of the secret.',
        allowedPattern: SECRET_ID_PATTERN,
      },
      PreviousKmsKeyId: {
        type: 'String',
        description: `(Optional) Key to restore: key ARN, key id, alias ARN or alias name; ${DEFAULT_SECRETS_MANAGER_KEY} for the default key.`,
        allowedPattern: KMS_KEY_ID_PATTERN,
        default: DEFAULT_SECRETS_MANAGER_KEY,
      },
      AutomationAssumeRole: automationAssumeRoleParameter(remediationRoleName),
    },
    outputs: ['InspectSecret.PreviousKmsKeyId'],
    mainSteps: [
      inspectSecretStep('{{ PreviousKmsKeyId }}'),
      {
        name: 'ChooseRestoreTarget',
        action: 'aws:branch',
        description: 'The default key needs no lookup (DescribeKey on an aws/ alias can create the AWS managed key).',
        inputs: {
          Choices: [
            {
              NextStep: 'RestoreDefaultKey',
              Variable: '{{ PreviousKmsKeyId }}',
              StringEquals: DEFAULT_SECRETS_MANAGER_KEY,
            },
          ],
          Default: 'DescribePreviousKey',
        },
      },
      describeKeyStep(
        'DescribePreviousKey',
        '{{ PreviousKmsKeyId }}',
        'Resolves the previous key in this Region; a key that cannot be resolved here stops the run.',
      ),
      assertKeyStep('AssertPreviousKeyIsEnabled', '{{ DescribePreviousKey.KeyArn }}', 'KeyState', 'Enabled'),
      updateSecretStep('RestorePreviousKey', '{{ DescribePreviousKey.KeyArn }}'),
      verifySecretKeyStep('VerifyPreviousKey', '{{ DescribePreviousKey.KeyArn }}'),
      updateSecretStep('RestoreDefaultKey', DEFAULT_SECRETS_MANAGER_KEY, { isEnd: true }),
    ],
  };
}
