/**
 * The contract with the Rust code, `contract/contract.json` at the repository root: the
 * rule's parameters, the Lambda's environment variables and the IAM actions of every
 * identity. The CDK takes from it the parameter names it passes to the rule, the names of
 * the environment variables it sets on the function and the action names of every policy
 * statement; resources and conditions stay in the constructs. The Rust tests check the
 * same file against the code (rule-core's KNOWN_PARAMETERS, rule-lambda's settings,
 * aws-adapters' operations), so neither side can change a name alone.
 *
 * The file is checked when this module loads: a malformed contract fails every synth.
 */
import contractJson from '../../contract/contract.json';

/** One rule parameter, in the order rule-core documents them. */
export interface ContractParameter {
  readonly name: string;
  /** What the rule assumes when the parameter is unset (`null`: nothing). */
  readonly default: string | null;
  /** A valid value, for documentation and for the tests. */
  readonly example: string;
  readonly meaning: string;
}

/** One environment variable the Lambda reads. */
export interface ContractVariable {
  readonly name: string;
  /** The Rust file that reads it. */
  readonly readBy: string;
  /** The RuleFunction setting that sets it (`null`: the CDK never sets it). */
  readonly cdkSetting: string | null;
  readonly default: string | null;
  readonly meaning: string;
}

/** One statement's actions; its resources and conditions are the construct's. */
export interface ContractGrant {
  /** A description of the resources; exactly `*` when the statement's Resource is `*`. */
  readonly resources: string;
  /** Set when our code never calls the actions itself: who uses them as the caller. */
  readonly onBehalf?: 'secretsmanager' | 'lambda';
  readonly actions: readonly string[];
}

/** One identity: its Allow statements (by Sid) and, for some, its Deny statements. */
export interface ContractRole {
  readonly identity: string;
  /** Where the CDK builds its policy; `null` for the CLI's callers (documentation only). */
  readonly policy: string | null;
  readonly grants: Readonly<Record<string, ContractGrant>>;
  readonly denies?: Readonly<Record<string, ContractGrant>>;
}

type RolesJson = (typeof contractJson)['roles'];

/** The identities of the contract (checked by the compiler against the JSON's keys). */
export type RoleName = Extract<keyof RolesJson, string>;

/** The Sids of a role's Allow statements. */
export type GrantSid<R extends RoleName> = Extract<keyof RolesJson[R]['grants'], string>;

export interface Contract {
  readonly ruleParameters: readonly ContractParameter[];
  readonly lambdaEnvironment: readonly ContractVariable[];
  readonly roles: Readonly<Record<RoleName, ContractRole>>;
}

/** Thrown when the contract file is malformed or the CDK disagrees with it. */
export class ContractError extends Error {
  constructor(problem: string) {
    super(`contract/contract.json: ${problem}`);
    this.name = 'ContractError';
  }
}

const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function checkGrants(where: string, grants: unknown, allowWildcards: boolean): void {
  if (typeof grants !== 'object' || grants === null || Object.keys(grants).length === 0) {
    throw new ContractError(`${where} must be a non-empty object of statements by Sid`);
  }
  for (const [sid, grant] of Object.entries(grants as Record<string, Partial<ContractGrant>>)) {
    if (!/^[A-Za-z0-9]+$/.test(sid)) {
      throw new ContractError(`${where}.${sid}: a Sid is letters and digits only`);
    }
    if (typeof grant.resources !== 'string' || !Array.isArray(grant.actions) || grant.actions.length === 0) {
      throw new ContractError(`${where}.${sid} needs "resources" and a non-empty "actions"`);
    }
    if (grant.onBehalf !== undefined && grant.onBehalf !== 'secretsmanager' && grant.onBehalf !== 'lambda') {
      throw new ContractError(`${where}.${sid}.onBehalf must be "secretsmanager" or "lambda"`);
    }
    for (const action of grant.actions) {
      if (typeof action !== 'string' || !IAM_ACTION.test(action) || (!allowWildcards && action.includes('*'))) {
        throw new ContractError(`${where}.${sid}: ${JSON.stringify(action)} is not an IAM action name`);
      }
    }
    if (new Set(grant.actions).size !== grant.actions.length) {
      throw new ContractError(`${where}.${sid} names an action twice`);
    }
  }
}

/** The contract, its shape checked (the compiler cannot check a JSON file's strings). */
export function checkContract(value: unknown): Contract {
  const contract = value as Partial<Contract>;
  if (!Array.isArray(contract.ruleParameters) || contract.ruleParameters.length === 0) {
    throw new ContractError('"ruleParameters" must be a non-empty array');
  }
  for (const parameter of contract.ruleParameters) {
    if (
      typeof parameter.name !== 'string' ||
      !isStringOrNull(parameter.default) ||
      typeof parameter.example !== 'string' ||
      typeof parameter.meaning !== 'string'
    ) {
      throw new ContractError(`rule parameter ${JSON.stringify(parameter)} needs name, default, example, meaning`);
    }
  }
  if (!Array.isArray(contract.lambdaEnvironment) || contract.lambdaEnvironment.length === 0) {
    throw new ContractError('"lambdaEnvironment" must be a non-empty array');
  }
  for (const variable of contract.lambdaEnvironment) {
    if (
      typeof variable.name !== 'string' ||
      !/^[A-Z][A-Z0-9_]*$/.test(variable.name) ||
      typeof variable.readBy !== 'string' ||
      !isStringOrNull(variable.cdkSetting) ||
      !isStringOrNull(variable.default) ||
      typeof variable.meaning !== 'string'
    ) {
      throw new ContractError(
        `variable ${JSON.stringify(variable)} needs name (A-Z, 0-9, _), readBy, cdkSetting, default, meaning`,
      );
    }
  }
  for (const [what, names] of [
    ['rule parameter', contract.ruleParameters.map((p) => p.name)],
    ['variable', contract.lambdaEnvironment.map((v) => v.name)],
  ] as const) {
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice !== undefined) {
      throw new ContractError(`${what} ${twice} is listed twice`);
    }
  }
  if (typeof contract.roles !== 'object' || contract.roles === null) {
    throw new ContractError('"roles" must be an object');
  }
  for (const [name, role] of Object.entries(contract.roles as Record<string, Partial<ContractRole>>)) {
    if (typeof role.identity !== 'string' || !isStringOrNull(role.policy)) {
      throw new ContractError(`role ${name} needs "identity" and "policy" (a file, or null)`);
    }
    checkGrants(`roles.${name}.grants`, role.grants, false);
    if (role.denies !== undefined) {
      checkGrants(`roles.${name}.denies`, role.denies, true);
    }
  }
  return contract as Contract;
}

export const CONTRACT: Contract = checkContract(contractJson);

/** The contract's rule parameter names, in its order. */
export const CONTRACT_PARAMETER_NAMES: readonly string[] = CONTRACT.ruleParameters.map((p) => p.name);

/**
 * The contract's parameter names, in its order, typed as the keys of `readers` (the CDK's
 * validation of each parameter). Throws unless `readers` covers exactly the contract's
 * parameters: a parameter added on one side only fails the synth.
 */
export function ruleParameterNames<K extends string>(readers: Readonly<Record<K, unknown>>): readonly K[] {
  const known = Object.keys(readers);
  const missing = CONTRACT_PARAMETER_NAMES.filter((name) => !known.includes(name));
  const extra = known.filter((name) => !CONTRACT_PARAMETER_NAMES.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new ContractError(
      `the CDK reads rule parameters [${known.join(', ')}]; the contract has [${CONTRACT_PARAMETER_NAMES.join(', ')}] ` +
        `(no reader for [${missing.join(', ')}], not in the contract: [${extra.join(', ')}])`,
    );
  }
  return CONTRACT_PARAMETER_NAMES as readonly K[];
}

/** The variable the contract says `cdkSetting` sets. */
export function variableSetBy(cdkSetting: string): string {
  const variable = CONTRACT.lambdaEnvironment.find((v) => v.cdkSetting === cdkSetting);
  if (!variable) {
    throw new ContractError(`no Lambda environment variable is set by the CDK setting "${cdkSetting}"`);
  }
  return variable.name;
}

/**
 * The function's environment: each contract variable with a `cdkSetting`, named as the
 * contract names it, with the value of that setting in `settings` when it is set.
 * `settings` must give every such setting (undefined when unset) and nothing else.
 */
export function functionEnvironment(settings: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const wanted = CONTRACT.lambdaEnvironment.flatMap((v) => (v.cdkSetting === null ? [] : [v.cdkSetting]));
  const given = Object.keys(settings);
  const missing = wanted.filter((setting) => !given.includes(setting));
  const extra = given.filter((setting) => !wanted.includes(setting));
  if (missing.length > 0 || extra.length > 0) {
    throw new ContractError(
      `the function's environment settings are [${given.join(', ')}]; the contract's are [${wanted.join(', ')}]`,
    );
  }
  const environment: Record<string, string> = {};
  for (const variable of CONTRACT.lambdaEnvironment) {
    const value = variable.cdkSetting === null ? undefined : settings[variable.cdkSetting];
    if (value !== undefined) {
      environment[variable.name] = value;
    }
  }
  return environment;
}

/** A role of the contract. */
export function contractRole(role: RoleName): ContractRole {
  return CONTRACT.roles[role];
}

/** The actions of one Allow statement of `role`. */
export function grantActions<R extends RoleName>(role: R, sid: GrantSid<R>): string[] {
  const grant = contractRole(role).grants[sid];
  if (!grant) {
    throw new ContractError(`role ${role} has no grant ${sid}`);
  }
  return [...grant.actions];
}

/** The actions of one Deny statement of `role`. */
export function denyActions(role: RoleName, sid: string): string[] {
  const deny = contractRole(role).denies?.[sid];
  if (!deny) {
    throw new ContractError(`role ${role} has no deny ${sid}`);
  }
  return [...deny.actions];
}

/** Every action `role` is allowed, each once, in the contract's order. */
export function roleActions(role: RoleName): string[] {
  return [...new Set(Object.values(contractRole(role).grants).flatMap((grant) => grant.actions))];
}

/** The actions of `role` granted on Resource `*` (those with no resource-level permissions). */
export function anyResourceActions(role: RoleName): string[] {
  return [
    ...new Set(
      Object.values(contractRole(role).grants)
        .filter((grant) => grant.resources === '*')
        .flatMap((grant) => grant.actions),
    ),
  ];
}

/** The actions of `role` its caller invokes itself (not those used on its behalf). */
export function calledActions(role: RoleName): string[] {
  return [
    ...new Set(
      Object.values(contractRole(role).grants)
        .filter((grant) => grant.onBehalf === undefined)
        .flatMap((grant) => grant.actions),
    ),
  ];
}
