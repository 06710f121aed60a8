/** The exact permissions of each role, shared by the role tests and the least-privilege tests. */
import { REMEDIATION_ACTIONS } from '../lib/constructs/remediation-role';
import { RESTORE_ACTIONS } from '../lib/constructs/restore-role';
import { RULE_ACTIONS_WITHOUT_RESOURCE_TYPES, RULE_EVALUATION_ACTIONS } from '../lib/constructs/rule-permissions';
import type { LeastPrivilegeSpec } from './helpers';

/** What evaluating an account takes: read-only on secrets and keys, reporting to Config. */
const EVALUATION_FORBIDDEN = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'secretsmanager:UpdateSecret'];

/** The rule function's own role: evaluation plus its log group (sts:AssumeRole only in an organization). */
export const RULE_FUNCTION_SPEC: LeastPrivilegeSpec = {
  actions: [...RULE_EVALUATION_ACTIONS, 'logs:CreateLogStream', 'logs:PutLogEvents'],
  forbidden: [...EVALUATION_FORBIDDEN, 'sts:AssumeRole'],
  onAnyResource: [...RULE_ACTIONS_WITHOUT_RESOURCE_TYPES],
};

/** The role assumed in a member account: evaluation only. */
export const EXECUTION_ROLE_SPEC: LeastPrivilegeSpec = {
  actions: [...RULE_EVALUATION_ACTIONS],
  forbidden: [...EVALUATION_FORBIDDEN, 'sts:AssumeRole', 'logs:PutLogEvents'],
  onAnyResource: [...RULE_ACTIONS_WITHOUT_RESOURCE_TYPES],
};

/** Key management no runbook role may ever hold: it would let the role take a key (and its secrets) hostage. */
const KEY_ADMIN = [
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:CreateGrant',
  'kms:ScheduleKeyDeletion',
  'kms:PutKeyPolicy',
];

/** The re-key runbook's role: exactly what SecretsCmk-RekeySecret calls. */
export const REMEDIATION_SPEC: LeastPrivilegeSpec = {
  actions: [...REMEDIATION_ACTIONS],
  forbidden: [...KEY_ADMIN, 'kms:DisableKey'],
  onAnyResource: [],
};

/** The restore runbook's role: exactly what SecretsCmk-RestoreSecretKey calls. */
export const RESTORE_SPEC: LeastPrivilegeSpec = {
  actions: [...RESTORE_ACTIONS],
  forbidden: [...KEY_ADMIN, 'kms:DisableKey'],
  onAnyResource: [],
};
