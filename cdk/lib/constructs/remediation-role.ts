/**
 * The role SSM Automation runs the re-key runbook (SecretsCmk-RekeySecret) as, and the
 * only role a RemediationConfiguration names. Whoever may pass it to an automation can
 * use it with any document, so its policy alone must keep it from doing harm:
 *
 * - it may put this account's secrets only on keys the rule trusts (`rekeyGrants`):
 *   UpdateSecret carries a `secretsmanager:KmsKeyArn` condition, Encrypt/GenerateDataKey
 *   are granted on those keys only;
 * - it may not downgrade a secret to an AWS managed key: those keys' policies let every
 *   principal of the account use them through Secrets Manager, so only a Deny stops it
 *   (`kms:ResourceAliases` alias/aws/*, and an UpdateSecret naming an alias/aws/* key);
 * - it never reads a value (no GetSecretValue), and uses keys only via Secrets Manager.
 *
 * Restoring a previous key is the restore role's job (restore-role.ts), not this one's.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { KeyTrust } from '../config';
import { denyActions, grantActions, roleActions } from '../contract';
import { rekeyGrants } from '../key-trust';
import {
  AutomationRole,
  KEYS_IN_THIS_REGION,
  OWN_SECRETS,
  RunbookRole,
  VIA_SECRETS_MANAGER,
  describeKeysStatement,
  describeOwnSecretsStatement,
  encryptStatements,
  updateSecretStatement,
} from './automation-role-parts';

export interface RemediationRoleProps {
  /** Fixed name: the re-key runbook assumes the role of this name (see runbooks.ts). */
  readonly roleName: string;
  /** Whose keys the rule trusts; the role can use no others. */
  readonly keyTrust: KeyTrust;
}

/** Every action the re-key runbook needs (the contract's remediation role). */
export const REMEDIATION_ACTIONS: readonly string[] = roleActions('remediation');

/**
 * Decrypt through Secrets Manager with any key of the Region: UpdateSecret decrypts the
 * old versions as the caller, the old key may be anyone's (moving a secret *off* a
 * stranger's key is the point), and the role cannot read values. The project's one grant
 * of kms:Decrypt, defined here only; the restore role uses it too.
 */
export function decryptStatement(role: AutomationRole): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DecryptOldKeyThroughSecretsManager',
    // kms:Decrypt, as the contract names it.
    actions: grantActions(role, 'DecryptOldKeyThroughSecretsManager'),
    resources: [KEYS_IN_THIS_REGION],
    conditions: { StringEquals: VIA_SECRETS_MANAGER },
  });
}

/** Aliases KMS reserves for AWS managed keys (aws/secretsmanager among them). */
const AWS_MANAGED_ALIASES = ['alias/aws/*'];

export class RemediationRole extends RunbookRole {
  constructor(scope: Construct, id: string, props: RemediationRoleProps) {
    const grants = rekeyGrants(props.keyTrust);
    super(scope, id, {
      roleName: props.roleName,
      description: 'secrets-cmk remediation: SSM Automation moves a secret to a trusted customer managed key',
      policyName: 'Rekey',
      statements: [
        describeKeysStatement('remediation'),
        describeOwnSecretsStatement('remediation'),
        updateSecretStatement('remediation', 'RekeyOwnSecretsToTrustedKeys', grants, false),
        decryptStatement('remediation'),
        ...encryptStatements('remediation', grants),
        new iam.PolicyStatement({
          sid: 'NeverEncryptWithAwsManagedKeys',
          effect: iam.Effect.DENY,
          actions: denyActions('remediation', 'NeverEncryptWithAwsManagedKeys'),
          resources: ['*'],
          conditions: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': AWS_MANAGED_ALIASES } },
        }),
        new iam.PolicyStatement({
          sid: 'NeverRequestAwsManagedKeys',
          effect: iam.Effect.DENY,
          actions: denyActions('remediation', 'NeverRequestAwsManagedKeys'),
          resources: [OWN_SECRETS],
          // The deprecated raw key id of the request: catches alias/aws/secretsmanager and
          // its alias ARN, the form of the one-call downgrade. Belt and braces: the Deny
          // above is the one that keeps data off the AWS managed key.
          conditions: {
            StringLike: { 'secretsmanager:KmsKeyId': ['alias/aws/*', `arn:${Aws.PARTITION}:kms:*:*:alias/aws/*`] },
          },
        }),
      ],
      grants,
      keyGrantsReason:
        'Keys of a trusted account (the secret account or allowedKeyAccounts), or an approved key named by alias ' +
        '(kms:ResourceAliases), in this Region and only via Secrets Manager: the rule accepts any of them.',
    });
  }
}
