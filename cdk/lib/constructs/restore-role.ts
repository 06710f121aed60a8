/**
 * The role the restore runbook (SecretsCmk-RestoreSecretKey) runs as. It is the only
 * role of the project that may put a secret back on the AWS managed key, so it is kept
 * apart from the re-key role: no RemediationConfiguration names it, and whoever may
 * trigger a remediation cannot use it. Who may run a restore is decided by who holds
 * `ssm:StartAutomationExecution` on the document *and* `iam:PassRole` on this role
 * (SSM passes the runbook's `assumeRole` on the caller's behalf).
 *
 * Least privilege for a backout: read keys and secrets, UpdateSecret on this account's
 * secrets only with a key of a trusted account in the request (or none: the AWS managed
 * key), and the KMS use Secrets Manager makes while re-encrypting.
 */
import { Construct } from 'constructs';
import type { KeyTrust } from '../config';
import { roleActions } from '../contract';
import { restoreGrants } from '../key-trust';
import {
  RunbookRole,
  describeKeysStatement,
  describeOwnSecretsStatement,
  encryptStatements,
  updateSecretStatement,
} from './automation-role-parts';
import { decryptStatement } from './remediation-role';

export interface RestoreRoleProps {
  /** Fixed name, distinct from the re-key role's: the restore runbook assumes the role of this name. */
  readonly roleName: string;
  readonly keyTrust: KeyTrust;
}

/** Every action the restore runbook needs (the contract's restore role): those of a re-key, on other keys. */
export const RESTORE_ACTIONS: readonly string[] = roleActions('restore');

export class RestoreRole extends RunbookRole {
  constructor(scope: Construct, id: string, props: RestoreRoleProps) {
    const grants = restoreGrants(props.keyTrust);
    super(scope, id, {
      roleName: props.roleName,
      description:
        'secrets-cmk backout: SSM Automation puts a secret back on its previous key (SecretsCmk-RestoreSecretKey)',
      policyName: 'Restore',
      statements: [
        describeKeysStatement('restore'),
        describeOwnSecretsStatement('restore'),
        // IfExists: the AWS managed key may be requested without a key ARN (an empty
        // KmsKeyId, or an alias Secrets Manager may not resolve into the condition key);
        // a request that names a key must name one of a trusted account.
        updateSecretStatement('restore', 'RestoreOwnSecretsToTrustedKeys', grants, true),
        decryptStatement('restore'),
        ...encryptStatements('restore', grants),
      ],
      grants,
      keyGrantsReason:
        'A previous key may be any key of a trusted account (the secret account or allowedKeyAccounts) or an ' +
        'approved key, never a stranger key; this Region only and only via Secrets Manager (kms:ViaService).',
    });
  }
}
