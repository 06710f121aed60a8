/**
 * The deployment settings a security team chooses, read from CDK context
 * (`cdk.json`, `cdk.context.json` or `-c key=value`). Every key is documented in
 * `cdk/README.md`; this module is the single place that parses and validates them,
 * so a typo fails the synth with the name of the offending key.
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ruleParameterNames } from './contract';
import { regionalRoleName } from './organization/naming';

/** Only the parameters the user set: Config receives no key for an unset one. */
export type RuleParameters = Partial<Record<RuleParameterName, string>>;

/** `MaximumExecutionFrequency` values accepted by AWS Config. */
export const PERIODIC_FREQUENCIES = [
  'One_Hour',
  'Three_Hours',
  'Six_Hours',
  'Twelve_Hours',
  'TwentyFour_Hours',
] as const;

export type PeriodicFrequency = (typeof PERIODIC_FREQUENCIES)[number];

/** How a non-compliant secret is re-keyed. */
export interface RemediationSettings {
  /** Key the remediation moves secrets to: key ARN, alias ARN, or alias name resolved in each account. */
  readonly targetKmsKeyId: string;
  /** Run the remediation without a human (opt-in). */
  readonly automatic: boolean;
  /** MaximumAutomaticAttempts, 1-25. */
  readonly maximumAutomaticAttempts: number;
  /** RetryAttemptSeconds. */
  readonly retryAttemptSeconds: number;
}

/**
 * Whose keys may protect a secret, as the rule decides it (`allowedKeyAccounts` and
 * `kmsKeyArns`). The secret's own account is always trusted and is not listed here.
 * The remediation roles and the re-key runbook are built from this, so that neither
 * can put a secret on a key the rule would not accept.
 */
export interface KeyTrust {
  /** `allowedKeyAccounts`: accounts besides the secret's own whose keys may protect it. */
  readonly allowedKeyAccounts: readonly string[];
  /** `kmsKeyArns` (key ARNs, alias ARNs, alias names); absent when any trusted key will do. */
  readonly approvedKeys?: readonly string[];
}

/** Settings shared by every deployment variant. */
export interface SecretsCmkSettings {
  /** Directory holding the Lambda's `bootstrap` (output of `cargo lambda build`). */
  readonly assetPath: string;
  readonly ruleName: string;
  readonly ruleParameters: RuleParameters;
  readonly periodicFrequency: PeriodicFrequency;
  readonly functionTimeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /** `RUST_LOG` for the Lambda, when set. */
  readonly rustLog?: string;
  /** Reserved concurrency of the rule function: a ceiling on what invocations can cost. */
  readonly reservedConcurrency: number;
  /** The rule's key trust, baked into the remediation roles and the re-key runbook. */
  readonly keyTrust: KeyTrust;
  /** Name of the role SSM Automation runs the re-key runbook as, in every account. */
  readonly remediationRoleName: string;
  /** Name of the role the restore (backout) runbook runs as; never named by a remediation. */
  readonly restoreRoleName: string;
  /** Absent when no target key is known: the documents and role are still deployed. */
  readonly remediation?: RemediationSettings;
}

/**
 * Where the rule's function runs in an organization deployment.
 *
 * - `members`: the StackSet deploys the function into every member account and Region,
 *   with its own role; it reads only its own account and nothing is cross-account.
 * - `central`: one function per Region in the management (or delegated-admin) account,
 *   invoked by the whole organization's AWS Config through one resource-policy statement,
 *   assuming the execution role the StackSet deploys into each member account.
 */
export type FunctionPlacement = 'members' | 'central';

export const FUNCTION_PLACEMENTS: readonly FunctionPlacement[] = ['members', 'central'];

/** Extra settings of the organization deployment. */
export interface OrganizationSettings {
  /** `o-...`: the organization whose accounts may read the code and invoke the function. */
  readonly organizationId: string;
  /** OUs (or the root, `r-...`) the StackSet deploys the member resources to, new accounts included. */
  readonly targetOuIds: string[];
  /** Where the rule's function runs (`members` unless set). */
  readonly functionPlacement: FunctionPlacement;
  /** Regions the StackSet, the code buckets and the management account's resources are deployed to. */
  readonly deploymentRegions: string[];
  /** Base name of the role a central function assumes in each member account (the Region is appended). */
  readonly executionRoleName: string;
  /** `SELF` from the management account, `DELEGATED_ADMIN` from a delegated administrator. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** Accounts of the target OUs the StackSet skips. */
  readonly excludedAccountIds: string[];
  /** The member accounts' read-only audit role (`auditPrincipalArns`); absent: no such role. */
  readonly audit?: AuditRoleSettings;
  /** Name of the organization's Config aggregator (`organizationAggregator`); absent: none is created. */
  readonly aggregatorName?: string;
}

/**
 * The role `secrets-cmk audit --organization --role-name NAME` assumes in every member
 * account: read-only on secrets and keys, trusted by exactly the named principals.
 */
export interface AuditRoleSettings {
  /** IAM roles and users of one account (the management or delegated-admin account) that may assume it. */
  readonly principalArns: readonly string[];
  /** The same name in every member account (`--role-name`). */
  readonly roleName: string;
  /** Whether it may import the account's findings into Security Hub (`audit --security-hub`). */
  readonly importsToSecurityHub: boolean;
}

/** Anything with CDK context: an App, a Stack, a construct node. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/** Default location of the Lambda asset, relative to `cdk/` (cargo lambda's output). */
export const DEFAULT_ASSET_PATH = path.join('..', 'target', 'lambda', 'secrets-cmk-rule');
export const DEFAULT_RULE_NAME = 'secrets-cmk';
export const DEFAULT_REMEDIATION_ROLE_NAME = 'SecretsCmkRemediation';
export const DEFAULT_RESTORE_ROLE_NAME = 'SecretsCmkRestore';
export const DEFAULT_EXECUTION_ROLE_NAME = 'SecretsCmkRuleExecution';
/** Name of the member accounts' read-only audit role (opt-in), created in the first deployment Region only. */
export const DEFAULT_AUDIT_ROLE_NAME = 'SecretsCmkAudit';
/** A sweep of thousands of secrets is bounded by ListSecrets (100 TPS) and DescribeKey; give it Lambda's maximum. */
export const DEFAULT_TIMEOUT_SECONDS = 900;
export const DEFAULT_LOG_RETENTION_DAYS = 365;
/** Secrets Manager allows one key change per secret every ten minutes or so: do not retry faster. */
export const DEFAULT_RETRY_ATTEMPT_SECONDS = 600;
export const DEFAULT_MAX_AUTOMATIC_ATTEMPTS = 5;
/**
 * Enough for change notifications of a busy account next to a running sweep (Config
 * invokes asynchronously, so a throttled event waits in Lambda's queue and is retried),
 * small enough that whoever can make Config invoke the function cannot run up the bill
 * or starve the account's other functions.
 */
export const DEFAULT_RESERVED_CONCURRENCY = 10;

/** Thrown for a context value that cannot be used; the message names the key. */
export class ContextError extends Error {
  constructor(key: string, problem: string) {
    super(`context "${key}": ${problem}`);
    this.name = 'ContextError';
  }
}

function optionalString(ctx: ContextSource, key: string): string | undefined {
  const value = ctx.tryGetContext(key);
  if (value === undefined || value === null) {
    return undefined;
  }
  // `-c key=true` arrives as a string, cdk.json may hold a boolean or number.
  if (typeof value === 'boolean' || typeof value === 'number') {
    return String(value);
  }
  if (typeof value !== 'string') {
    throw new ContextError(key, `expected a string, got ${JSON.stringify(value)}`);
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function list(ctx: ContextSource, key: string): string[] {
  const value = ctx.tryGetContext(key);
  if (value === undefined || value === null || value === '') {
    return [];
  }
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function booleanString(ctx: ContextSource, key: string): string | undefined {
  const value = optionalString(ctx, key);
  if (value !== undefined && value !== 'true' && value !== 'false') {
    throw new ContextError(key, `expected "true" or "false", got "${value}"`);
  }
  return value;
}

function integer(ctx: ContextSource, key: string, fallback: number, min: number, max: number): number {
  const value = optionalString(ctx, key);
  if (value === undefined) {
    return fallback;
  }
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ContextError(key, `expected an integer from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

function roleName(ctx: ContextSource, key: string, fallback: string): string {
  const value = optionalString(ctx, key) ?? fallback;
  if (!ROLE_NAME.test(value)) {
    throw new ContextError(key, `"${value}" is not a valid IAM role name`);
  }
  return value;
}

/** Reads one rule parameter from the context key of the same name: its value as the rule gets it, or unset. */
type ParameterReader = (ctx: ContextSource, name: string) => string | undefined;

/**
 * How each rule parameter is validated, the way the Lambda will read it. The names are
 * the contract's (contract/contract.json, rule-core's KNOWN_PARAMETERS): loading this
 * module fails unless these readers cover exactly its parameters.
 */
const PARAMETER_READERS = {
  kmsKeyArns: (ctx, name) => {
    const value = optionalString(ctx, name);
    if (value === undefined) {
      return undefined;
    }
    const keys = value
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== '');
    keys.forEach(checkApprovedKey);
    return [...new Set(keys)].join(',');
  },
  checkReplicas: booleanString,
  requireEnabledKey: booleanString,
  exemptionTagKey: optionalString,
  executionRoleName: (ctx, name) => {
    const value = optionalString(ctx, name);
    return value === undefined ? undefined : roleName(ctx, name, value);
  },
  allowedKeyAccounts: (ctx, name) => {
    const value = optionalString(ctx, name);
    return value === undefined ? undefined : strictAccountIds(name, value).join(',');
  },
  reportChangesOnly: booleanString,
} satisfies Record<string, ParameterReader>;

export type RuleParameterName = keyof typeof PARAMETER_READERS;

/** Rule parameters passed to the Lambda in `ruleParameters`: the contract's, in its order. */
export const RULE_PARAMETER_NAMES: readonly RuleParameterName[] = ruleParameterNames(PARAMETER_READERS);

/** The rule parameters that are set, validated the way the Lambda will read them. */
export function readRuleParameters(ctx: ContextSource): RuleParameters {
  const parameters: RuleParameters = {};
  for (const name of RULE_PARAMETER_NAMES) {
    const value = PARAMETER_READERS[name](ctx, name);
    if (value !== undefined) {
      parameters[name] = value;
    }
  }
  return parameters;
}

/** The forms the rule accepts in `kmsKeyArns` (rule-core `parse_approved_keys`). */
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/[\w/-]+$/;
const ALIAS_NAME = /^alias\/[\w/-]+$/;
const AWS_MANAGED_ALIAS = /^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\/aws\//;

function checkApprovedKey(key: string): void {
  if (AWS_MANAGED_ALIAS.test(key)) {
    throw new ContextError('kmsKeyArns', `"${key}" is an AWS managed key, not a customer managed one`);
  }
  if (!KEY_ARN.test(key) && !ALIAS_ARN.test(key) && !ALIAS_NAME.test(key)) {
    // A bare key id would mean "this id in whatever account and Region": the rule refuses it too.
    throw new ContextError('kmsKeyArns', `"${key}" is not a key ARN, an alias ARN or an alias name (alias/...)`);
  }
}

/**
 * Account ids as the Lambda reads `allowedKeyAccounts`: every comma-separated item
 * exactly 12 digits (an empty item is an error there too), duplicates dropped.
 */
function strictAccountIds(key: string, value: string): string[] {
  const ids = value.split(',').map((id) => id.trim());
  for (const id of ids) {
    if (!/^\d{12}$/.test(id)) {
      throw new ContextError(key, `"${id}" is not a 12-digit account id (expected e.g. 111122223333,444455556666)`);
    }
  }
  return [...new Set(ids)];
}

/** The key trust the rule parameters express (the secret's own account is implied). */
export function keyTrustOf(parameters: RuleParameters): KeyTrust {
  const split = (value: string | undefined) => (value === undefined || value === '' ? [] : value.split(','));
  const approvedKeys = split(parameters.kmsKeyArns);
  return {
    allowedKeyAccounts: split(parameters.allowedKeyAccounts),
    ...(approvedKeys.length > 0 ? { approvedKeys } : {}),
  };
}

function readRemediation(ctx: ContextSource, parameters: RuleParameters): RemediationSettings | undefined {
  // Without an explicit target, the first approved key is the natural one to move secrets to.
  const targetKmsKeyId = optionalString(ctx, 'remediationKmsKeyId') ?? parameters.kmsKeyArns?.split(',')[0];
  const automatic = booleanString(ctx, 'autoRemediation') === 'true';
  if (targetKmsKeyId === undefined) {
    if (automatic) {
      throw new ContextError('autoRemediation', 'needs "remediationKmsKeyId" (or "kmsKeyArns") to know the target key');
    }
    return undefined;
  }
  if (/^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\/aws\//.test(targetKmsKeyId)) {
    throw new ContextError(
      'remediationKmsKeyId',
      `"${targetKmsKeyId}" is an AWS managed key, not a customer managed one`,
    );
  }
  const approved = parameters.kmsKeyArns?.split(',') ?? [];
  if (KEY_ARN.test(targetKmsKeyId) && approved.length > 0 && approved.every((key) => KEY_ARN.test(key))) {
    // Only when both sides are key ARNs can the synth tell; the runbook checks the rest.
    if (!approved.includes(targetKmsKeyId)) {
      throw new ContextError(
        'remediationKmsKeyId',
        `"${targetKmsKeyId}" is not one of kmsKeyArns; the re-key runbook would refuse it`,
      );
    }
  }
  return {
    targetKmsKeyId,
    automatic,
    maximumAutomaticAttempts: integer(ctx, 'remediationMaxAttempts', DEFAULT_MAX_AUTOMATIC_ATTEMPTS, 1, 25),
    retryAttemptSeconds: integer(ctx, 'remediationRetrySeconds', DEFAULT_RETRY_ATTEMPT_SECONDS, 1, 2678000),
  };
}

function retention(ctx: ContextSource): logs.RetentionDays {
  const days = integer(ctx, 'logRetentionDays', DEFAULT_LOG_RETENTION_DAYS, 1, 3653);
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new ContextError('logRetentionDays', `${days} is not a CloudWatch Logs retention (${allowed.join(', ')})`);
  }
  return days as logs.RetentionDays;
}

/**
 * Reads the settings every stack needs.
 *
 * @param env the process environment, for `SECRETS_CMK_ASSET`
 */
export function readSettings(ctx: ContextSource, env: NodeJS.ProcessEnv = process.env): SecretsCmkSettings {
  const ruleParameters = readRuleParameters(ctx);
  const frequency = optionalString(ctx, 'periodicFrequency') ?? 'TwentyFour_Hours';
  if (!(PERIODIC_FREQUENCIES as readonly string[]).includes(frequency)) {
    throw new ContextError(
      'periodicFrequency',
      `expected one of ${PERIODIC_FREQUENCIES.join(', ')}, got "${frequency}"`,
    );
  }
  const ruleName = optionalString(ctx, 'ruleName') ?? DEFAULT_RULE_NAME;
  if (!/^[\w-]{1,64}$/.test(ruleName)) {
    throw new ContextError(
      'ruleName',
      `"${ruleName}" is not a valid Config rule name (letters, digits, - and _; 64 at most)`,
    );
  }
  const rustLog = optionalString(ctx, 'rustLog');
  const remediation = readRemediation(ctx, ruleParameters);
  const remediationRoleName = roleName(ctx, 'remediationRoleName', DEFAULT_REMEDIATION_ROLE_NAME);
  const restoreRoleName = roleName(ctx, 'restoreRoleName', DEFAULT_RESTORE_ROLE_NAME);
  // IAM names are per account: the restore role must be a role of its own, or the
  // restore runbook would run with the permissions a remediation can trigger.
  const executionRoleName = optionalString(ctx, 'executionRoleName') ?? DEFAULT_EXECUTION_ROLE_NAME;
  if (restoreRoleName === remediationRoleName || restoreRoleName === executionRoleName) {
    throw new ContextError(
      'restoreRoleName',
      `"${restoreRoleName}" is already the name of the ${restoreRoleName === remediationRoleName ? 'remediation' : 'rule execution'} role`,
    );
  }
  if (remediationRoleName === executionRoleName) {
    throw new ContextError('remediationRoleName', `"${remediationRoleName}" is already the rule execution role's name`);
  }
  return {
    assetPath: optionalString(ctx, 'assetPath') ?? env.SECRETS_CMK_ASSET ?? DEFAULT_ASSET_PATH,
    ruleName,
    ruleParameters,
    periodicFrequency: frequency as PeriodicFrequency,
    functionTimeout: Duration.seconds(integer(ctx, 'timeoutSeconds', DEFAULT_TIMEOUT_SECONDS, 30, 900)),
    logRetention: retention(ctx),
    reservedConcurrency: integer(ctx, 'reservedConcurrency', DEFAULT_RESERVED_CONCURRENCY, 1, 1000),
    keyTrust: keyTrustOf(ruleParameters),
    remediationRoleName,
    restoreRoleName,
    ...(rustLog === undefined ? {} : { rustLog }),
    ...(remediation === undefined ? {} : { remediation }),
  };
}

/** A Region name (`eu-west-1`, `us-gov-west-1`, `ap-southeast-4`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Reads the organization settings, or `undefined` when `organizationId` is unset
 * (the organization stacks are then not synthesized).
 */
export function readOrganizationSettings(ctx: ContextSource): OrganizationSettings | undefined {
  const organizationId = optionalString(ctx, 'organizationId');
  if (organizationId === undefined) {
    return undefined;
  }
  if (!/^o-[a-z0-9]{10,32}$/.test(organizationId)) {
    throw new ContextError('organizationId', `"${organizationId}" is not an organization id (o-...)`);
  }
  if (list(ctx, 'memberAccountIds').length > 0) {
    // Refused rather than ignored: whoever set it expects it to limit who may invoke the
    // function, and it no longer does (the organization does, aws:SourceOrgID).
    throw new ContextError(
      'memberAccountIds',
      'is no longer used: every account of the target OUs is covered, new ones included, without a list; ' +
        'remove it (the organization id bounds who may invoke the function and read its code)',
    );
  }
  const targetOuIds = list(ctx, 'targetOuIds');
  if (targetOuIds.length === 0) {
    throw new ContextError(
      'targetOuIds',
      'the organization deployment needs at least one OU (ou-...) or root (r-...) id',
    );
  }
  for (const ou of targetOuIds) {
    if (!/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/.test(ou)) {
      throw new ContextError('targetOuIds', `"${ou}" is not an OU or root id`);
    }
  }
  const functionPlacement = optionalString(ctx, 'functionPlacement') ?? 'members';
  if (!(FUNCTION_PLACEMENTS as readonly string[]).includes(functionPlacement)) {
    throw new ContextError('functionPlacement', `expected members or central, got "${functionPlacement}"`);
  }
  const deploymentRegions = [...new Set(list(ctx, 'deploymentRegions'))];
  if (deploymentRegions.length === 0) {
    throw new ContextError('deploymentRegions', 'list the Regions to deploy to, e.g. eu-west-1,us-east-1');
  }
  for (const region of deploymentRegions) {
    if (!REGION.test(region)) {
      throw new ContextError('deploymentRegions', `"${region}" is not a Region name (e.g. eu-west-1)`);
    }
  }
  const callAs = optionalString(ctx, 'callAs') ?? 'SELF';
  if (callAs !== 'SELF' && callAs !== 'DELEGATED_ADMIN') {
    throw new ContextError('callAs', `expected SELF or DELEGATED_ADMIN, got "${callAs}"`);
  }
  const executionRoleName = roleName(ctx, 'executionRoleName', DEFAULT_EXECUTION_ROLE_NAME);
  // Each Region's roles carry the Region in their name (IAM names are per account, not per Region).
  const longestRegion = Math.max(...deploymentRegions.map((region) => region.length));
  // Every other role name the deployment uses in an account, with and without a Region.
  const otherRoleNames: string[] = [];
  for (const [key, fallback] of [
    ['executionRoleName', DEFAULT_EXECUTION_ROLE_NAME],
    ['remediationRoleName', DEFAULT_REMEDIATION_ROLE_NAME],
    ['restoreRoleName', DEFAULT_RESTORE_ROLE_NAME],
  ] as const) {
    const name = roleName(ctx, key, fallback);
    if (name.length + 1 + longestRegion > 64) {
      throw new ContextError(key, `"${name}" is too long: with "-<Region>" appended it exceeds IAM's 64 characters`);
    }
    otherRoleNames.push(name, ...deploymentRegions.map((region) => regionalRoleName(name, region)));
  }
  const audit = readAuditRole(ctx, otherRoleNames);
  const aggregatorName = readAggregatorName(ctx);
  return {
    organizationId,
    targetOuIds,
    functionPlacement: functionPlacement as FunctionPlacement,
    deploymentRegions,
    executionRoleName,
    callAs,
    excludedAccountIds: accountIds(ctx, 'excludedAccountIds'),
    ...(audit === undefined ? {} : { audit }),
    ...(aggregatorName === undefined ? {} : { aggregatorName }),
  };
}

/** An IAM role or user ARN, path included; no wildcard (a trust policy names principals exactly). */
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)(\/[\w+=,.@-]+)*\/[\w+=,.@-]{1,64}$/;

/**
 * The audit role, or `undefined` without `auditPrincipalArns`. Its other keys are refused
 * without it rather than ignored: whoever sets them expects a role.
 *
 * @param otherRoleNames the deployment's other role names in an account, which it must not take
 */
function readAuditRole(ctx: ContextSource, otherRoleNames: readonly string[]): AuditRoleSettings | undefined {
  const principalArns = [...new Set(list(ctx, 'auditPrincipalArns'))];
  const importsToSecurityHub = booleanString(ctx, 'auditImportsToSecurityHub') === 'true';
  if (principalArns.length === 0) {
    for (const key of ['auditRoleName', 'auditImportsToSecurityHub']) {
      if (optionalString(ctx, key) !== undefined) {
        throw new ContextError(key, 'needs "auditPrincipalArns" (the principals the audit role trusts)');
      }
    }
    return undefined;
  }
  for (const arn of principalArns) {
    if (/^arn:aws[a-z-]*:iam::\d{12}:root$/.test(arn)) {
      throw new ContextError(
        'auditPrincipalArns',
        `"${arn}" is a whole account: name the roles or users that run the audit`,
      );
    }
    if (!IAM_PRINCIPAL.test(arn)) {
      throw new ContextError(
        'auditPrincipalArns',
        `"${arn}" is not the ARN of an IAM role or user (e.g. arn:aws:iam::111122223333:role/SecurityAudit)`,
      );
    }
  }
  // `arn:<partition>:iam::<account>`: one account, the one the audit runs from.
  const accounts = [...new Set(principalArns.map((arn) => arn.split(':').slice(0, 5).join(':')))];
  if (accounts.length > 1) {
    throw new ContextError(
      'auditPrincipalArns',
      `the principals are in ${accounts.join(', ')}: name principals of one account, ` +
        'the management or delegated-admin account that runs the organization audit',
    );
  }
  const name = roleName(ctx, 'auditRoleName', DEFAULT_AUDIT_ROLE_NAME);
  // IAM role names are unique regardless of case.
  if (otherRoleNames.some((other) => other.toLowerCase() === name.toLowerCase())) {
    throw new ContextError('auditRoleName', `"${name}" is already the name of another role of the member accounts`);
  }
  return { principalArns, roleName: name, importsToSecurityHub };
}

/** AWS Config's limits on a ConfigurationAggregatorName: 1 to 256 of letters, digits, _ and -. */
const AGGREGATOR_NAME = /^[\w-]{1,256}$/;

function readAggregatorName(ctx: ContextSource): string | undefined {
  const name = optionalString(ctx, 'organizationAggregator');
  if (name !== undefined && !AGGREGATOR_NAME.test(name)) {
    throw new ContextError(
      'organizationAggregator',
      `"${name.length > 80 ? `${name.slice(0, 80)}...` : name}" is not a Config aggregator name ` +
        '(1 to 256 letters, digits, - and _)',
    );
  }
  return name;
}

function accountIds(ctx: ContextSource, key: string): string[] {
  const ids = list(ctx, key);
  for (const id of ids) {
    if (!/^\d{12}$/.test(id)) {
      throw new ContextError(key, `"${id}" is not a 12-digit account id`);
    }
  }
  return [...new Set(ids)];
}
