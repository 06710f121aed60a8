/**
 * The exact permissions of each role, shared by the role tests and the least-privilege
 * tests: the actions are the contract's (contract/contract.json), the forbidden lists are
 * this file's own, so the contract cannot grant what no role may hold.
 */
import { anyResourceActions, roleActions } from '../lib/contract';
import type { LeastPrivilegeSpec } from './helpers';

/** What evaluating an account takes: read-only on secrets and keys, reporting to Config. */
const EVALUATION_FORBIDDEN = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'secretsmanager:UpdateSecret'];

/** The rule function's own role: evaluation plus its log group (sts:AssumeRole only in an organization). */
export const RULE_FUNCTION_SPEC: LeastPrivilegeSpec = {
  actions: roleActions('ruleFunction'),
  forbidden: [...EVALUATION_FORBIDDEN, 'sts:AssumeRole'],
  onAnyResource: anyResourceActions('ruleFunction'),
};

/** The central function of an organization: the same, and assuming the member role. */
export const CENTRAL_FUNCTION_SPEC: LeastPrivilegeSpec = {
  actions: roleActions('centralFunction'),
  forbidden: EVALUATION_FORBIDDEN,
  onAnyResource: anyResourceActions('centralFunction'),
};

/** The role assumed in a member account: evaluation only. */
export const EXECUTION_ROLE_SPEC: LeastPrivilegeSpec = {
  actions: roleActions('memberExecution'),
  forbidden: [...EVALUATION_FORBIDDEN, 'sts:AssumeRole', 'logs:PutLogEvents'],
  onAnyResource: anyResourceActions('memberExecution'),
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
  actions: roleActions('remediation'),
  forbidden: [...KEY_ADMIN, 'kms:DisableKey'],
  onAnyResource: [],
};

/** The restore runbook's role: exactly what SecretsCmk-RestoreSecretKey calls. */
export const RESTORE_SPEC: LeastPrivilegeSpec = {
  actions: roleActions('restore'),
  forbidden: [...KEY_ADMIN, 'kms:DisableKey'],
  onAnyResource: [],
};
