/**
 * Rows 4 to 9 for one key reference of a construct tree, as rule-core's `check_key`
 * decides them for a stored `KmsKeyId`, with what the app itself tells in place of
 * DescribeKey: a key the app creates is customer managed (its `Enabled: false` fails row
 * 8), an alias it creates names its target, a parameter is judged by its `Default`.
 * Anything else that names a key (a literal key ARN or alias, `Fn::ImportValue`, an
 * account or Region the stack does not fix) cannot be settled offline: never guessed.
 */
import { CfnElement, CfnParameter, CfnResource, Stack, Token } from 'aws-cdk-lib';
import type { RowName } from './rows';
import {
  NO_VALUE,
  type ElementReference,
  type Piece,
  type RenderedResource,
  stringPieces,
  variants,
} from './template-values';

/** The rule parameters rows 4 to 9 depend on, already validated. */
export interface KeyRules {
  /** `kmsKeyArns`, when set. */
  readonly approvedKeys?: readonly string[];
  readonly allowedKeyAccounts: readonly string[];
  readonly requireEnabledKey: boolean;
}

/**
 * Where a key must be: the secret's account (always its stack's) and Region: the
 * stack's for the secret itself, the replica's for a replica (`undefined` when the
 * template does not say it literally).
 */
export type KeyScope =
  | { readonly kind: 'stack'; readonly stack: Stack }
  | { readonly kind: 'replica'; readonly stack: Stack; readonly region: string | undefined };

/** What the construct tree tells about the elements of a stack. */
export interface AppIndex {
  render(resource: CfnResource): RenderedResource;
  /** The element with this logical id in `stack`. */
  element(stack: Stack, logicalId: string): CfnElement | undefined;
  /** The `AWS::KMS::Alias` resources of `stack` by their literal `AliasName`. */
  aliases(stack: Stack): ReadonlyMap<string, CfnResource>;
}

/** The outcome of rows 4 to 9 for one key. */
export type KeyCheck =
  /** `why` is a lowercase sentence fragment naming the key, as rule-core writes it. */
  | { readonly kind: 'fails'; readonly row: RowName; readonly why: string }
  | { readonly kind: 'passes'; readonly key: string }
  | { readonly kind: 'unverifiable'; readonly why: string };

/** How bad an outcome is, for `Fn::If`: the worst branch wins. */
export function severity(check: KeyCheck): number {
  return { fails: 2, unverifiable: 1, passes: 0 }[check.kind];
}

const AWS_MANAGED_ALIAS = /^(arn:[^:]*:kms:[^:]*:[^:]*:)?alias\/aws\//;
const ARN = /^arn:([^:]*):kms:([^:]*):([^:]*):(.*)$/s;
const ACCOUNT = /^\d{12}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** Placeholders for what is not literal text, when a value is matched as a string. */
const REFERENCE = (index: number) => `\u0001${index}\u0001`;
/** Without colons, so that an ARN's fields can still be told apart. */
const PSEUDO = (name: string) => `\u0002${name.replace(/:/g, '.')}\u0002`;
const OPAQUE = '\u0003';
const REFERENCE_ONLY = /^\u0001(\d+)\u0001$/;
/** References are followed at most this deep (an alias of an alias cannot exist; a cycle can). */
const MAX_DEPTH = 4;

const fails = (row: RowName, why: string): KeyCheck => ({ kind: 'fails', row, why });
const unverifiable = (why: string): KeyCheck => ({ kind: 'unverifiable', why });

/** A fact about the app: known true, known false, or not known offline. */
type Known = boolean | undefined;

/** Rows 4 to 9 for `value` (a property of `rendered`, without `Fn::If`) in `scope`. */
export function checkKey(
  value: unknown,
  rendered: RenderedResource,
  scope: KeyScope,
  rules: KeyRules,
  index: AppIndex,
  depth = 0,
): KeyCheck {
  if (value === undefined || value === null || value === NO_VALUE) {
    return defaultKey();
  }
  const stack = scope.stack;
  const pieces = stringPieces(value, rendered, (id) => index.element(stack, id));
  return checkPieces(pieces, scope, rules, index, depth, undefined);
}

function defaultKey(): KeyCheck {
  return fails(
    'defaultKey',
    'encrypted with the default AWS managed key aws/secretsmanager; a customer managed KMS key is required',
  );
}

/** How a key reference reads to a person: text as it is, references by path. */
function display(pieces: readonly Piece[]): string {
  return pieces
    .map((piece) => {
      switch (piece.kind) {
        case 'text':
          return piece.text;
        case 'pseudo':
          return `\${${piece.name}}`;
        case 'reference':
          return `\${${piece.reference.target.node.path}${piece.reference.attribute === 'Ref' ? '' : `.${piece.reference.attribute}`}}`;
        case 'opaque':
          return piece.what;
      }
    })
    .join('');
}

function checkPieces(
  pieces: readonly Piece[],
  scope: KeyScope,
  rules: KeyRules,
  index: AppIndex,
  depth: number,
  approvedBy: string | undefined,
): KeyCheck {
  if (depth > MAX_DEPTH) {
    return unverifiable(`${display(pieces)} refers to itself`);
  }
  const references = pieces.flatMap((piece) => (piece.kind === 'reference' ? [piece.reference] : []));
  const text = pieces
    .map((piece) => {
      switch (piece.kind) {
        case 'text':
          return piece.text;
        case 'pseudo':
          return PSEUDO(piece.name);
        case 'reference':
          return REFERENCE(references.indexOf(piece.reference));
        case 'opaque':
          return OPAQUE;
      }
    })
    .join('');
  const shown = display(pieces);
  // Row 4: an empty key id is the default key.
  if (text.trim() === '') {
    return defaultKey();
  }
  // Row 5 holds whatever the rest of an ARN is: the alias/aws/ prefix is reserved.
  if (AWS_MANAGED_ALIAS.test(text.replace(/[\u0001\u0002][^\u0001\u0002]*[\u0001\u0002]/g, OPAQUE))) {
    return fails(
      'awsManagedAlias',
      `encrypted with the AWS managed key ${shown}; a customer managed KMS key is required`,
    );
  }
  const only = REFERENCE_ONLY.exec(text);
  if (only) {
    return checkReference(references[Number(only[1])]!, scope, rules, index, depth, approvedBy);
  }
  const arn = ARN.exec(text);
  if (arn) {
    return checkArn(arn, shown, references, scope, rules, index, depth);
  }
  if (/[\u0001-\u0003]/.test(text)) {
    return unverifiable(`the key ${shown} is built from values only known at deployment`);
  }
  if (text.startsWith('alias/')) {
    const alias = scope.kind === 'stack' ? index.aliases(scope.stack).get(text) : undefined;
    return alias
      ? checkAppAlias(alias, scope, rules, index, depth + 1)
      : unverifiable(`the alias ${text} is not created by this app`);
  }
  if (KEY_ID.test(text)) {
    return unverifiable(`KMS key ${text} is not created by this app`);
  }
  return unverifiable(`${JSON.stringify(text)} cannot be read as a KMS key reference`);
}

/** A key or alias ARN: rows 5a and 5b from its account and Region, then what it names. */
function checkArn(
  arn: RegExpExecArray,
  shown: string,
  references: readonly ElementReference[],
  scope: KeyScope,
  rules: KeyRules,
  index: AppIndex,
  depth: number,
): KeyCheck {
  const [, , region = '', account = '', resource = ''] = arn;
  const ownAccount =
    account === PSEUDO('AWS::AccountId') ? true : ACCOUNT.test(account) ? sameAccount(account, scope.stack) : undefined;
  if (ownAccount !== true) {
    if (!ACCOUNT.test(account)) {
      return unverifiable(`the account of ${shown} is only known at deployment`);
    }
    if (!trustsAccount(rules, account)) {
      if (ownAccount === false) {
        return untrustedAccount(shown, account);
      }
      return unverifiable(
        `${shown} names account ${account}: whether that is the stack's own is not known (the stack has no literal account)`,
      );
    }
  }
  const inRegion =
    region === PSEUDO('AWS::Region')
      ? scope.kind === 'stack'
      : /[\u0001-\u0003]/.test(region)
        ? undefined
        : regionIs(scope, region);
  if (inRegion === false) {
    return otherRegion(shown, region === PSEUDO('AWS::Region') ? "the stack's Region" : region, scope);
  }
  if (inRegion === undefined) {
    return unverifiable(
      `${shown} names Region ${region.replace(/[\u0001-\u0003]/g, '')}: whether that is the secret's is not known (the stack has no literal Region)`,
    );
  }
  const named = /^(?:key\/)?\u0001(\d+)\u0001$/.exec(resource);
  if (named) {
    return checkReference(references[Number(named[1])]!, scope, rules, index, depth, undefined);
  }
  if (resource.startsWith('alias/') && ownAccount === true && scope.kind === 'stack') {
    const alias = index.aliases(scope.stack).get(resource);
    if (alias) {
      return checkAppAlias(alias, scope, rules, index, depth + 1);
    }
  }
  return unverifiable(`KMS key ${shown} is not created by this app`);
}

function trustsAccount(rules: KeyRules, account: string): boolean {
  const approvedAccounts = (rules.approvedKeys ?? []).map((key) => ARN.exec(key)?.[3]);
  return rules.allowedKeyAccounts.includes(account) || approvedAccounts.includes(account);
}

function untrustedAccount(shown: string, account: string): KeyCheck {
  return fails(
    'untrustedKeyAccount',
    `encrypted with KMS key ${shown} of account ${account}, not the secret's own and not trusted (allowedKeyAccounts, kmsKeyArns): its owner can disable the key`,
  );
}

/** Row 5b; `region` is a Region name, or a phrase for a Region the stack does not fix. */
function otherRegion(shown: string, region: string, scope: KeyScope): KeyCheck {
  const secretRegion = scope.kind === 'replica' ? scope.region : concrete(scope.stack.region);
  const where = (name: string) => (REGION_NAME.test(name) ? `Region ${name}` : name);
  return fails(
    'keyInAnotherRegion',
    `encrypted with KMS key ${shown} of ${where(region)}, not the secret's ${where(secretRegion ?? "the stack's Region")}: Secrets Manager uses a key of the secret's own Region only`,
  );
}

function concrete(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : value;
}

function sameAccount(account: string, stack: Stack): Known {
  const own = concrete(stack.account);
  return own === undefined ? undefined : own === account;
}

/** Whether `region` (literal) is the scope's Region. */
function regionIs(scope: KeyScope, region: string): Known {
  const wanted = scope.kind === 'replica' ? scope.region : concrete(scope.stack.region);
  return wanted === undefined ? undefined : wanted === region;
}

/** The top-level stack `stack` is deployed with: a nested stack shares its parent's account and Region. */
function deployedWith(stack: Stack): Stack {
  let top = stack;
  while (top.nestedStackParent !== undefined) {
    top = top.nestedStackParent;
  }
  return top;
}

/** Whether a resource of `stack` is in the scope's account and Region. */
function placeOf(stack: Stack, scope: KeyScope): { account: Known; region: Known } {
  const together = deployedWith(stack) === deployedWith(scope.stack);
  const account = together ? true : bothConcrete(stack.account, scope.stack.account);
  let region: Known;
  if (scope.kind === 'stack') {
    region = together ? true : bothConcrete(stack.region, scope.stack.region);
  } else if (together) {
    region = false; // a replica is never in its primary's Region
  } else {
    region = scope.region === undefined ? undefined : regionIs({ kind: 'stack', stack }, scope.region);
  }
  return { account, region };
}

function bothConcrete(a: string, b: string): Known {
  return Token.isUnresolved(a) || Token.isUnresolved(b) ? undefined : a === b;
}

function checkReference(
  reference: ElementReference,
  scope: KeyScope,
  rules: KeyRules,
  index: AppIndex,
  depth: number,
  approvedBy: string | undefined,
): KeyCheck {
  const target = reference.target;
  if (target instanceof CfnParameter) {
    return checkParameter(target, scope, rules, index, depth);
  }
  const type = CfnResource.isCfnResource(target) ? target.cfnResourceType : undefined;
  if (CfnResource.isCfnResource(target) && (type === 'AWS::KMS::Key' || type === 'AWS::KMS::ReplicaKey')) {
    if (['Ref', 'Arn', 'KeyId'].includes(reference.attribute)) {
      return checkAppKey(target, scope, rules, index, approvedBy);
    }
  }
  if (CfnResource.isCfnResource(target) && type === 'AWS::KMS::Alias' && reference.attribute === 'Ref') {
    return checkAppAlias(target, scope, rules, index, depth + 1);
  }
  const attribute = reference.attribute === 'Ref' ? 'Ref' : `Fn::GetAtt ${reference.attribute}`;
  return unverifiable(
    `the key is ${attribute} of ${target.node.path}${type ? ` (${type})` : ''}, not a KMS key or alias of this app`,
  );
}

/** A parameter is judged by its Default, and the reason says so. */
function checkParameter(
  parameter: CfnParameter,
  scope: KeyScope,
  rules: KeyRules,
  index: AppIndex,
  depth: number,
): KeyCheck {
  const name = parameter.node.path;
  if (parameter.type !== 'String') {
    return unverifiable(
      `the key is parameter ${name} of type ${parameter.type}: its value is only known at deployment`,
    );
  }
  const fallback: unknown = parameter.default;
  if (typeof fallback !== 'string') {
    return unverifiable(`the key is parameter ${name}, which has no Default`);
  }
  const check = checkPieces([{ kind: 'text', text: fallback }], scope, rules, index, depth + 1, undefined);
  const judged = `judged by the Default ${JSON.stringify(fallback)} of parameter ${name}`;
  switch (check.kind) {
    case 'fails':
      return fails(check.row, `${check.why} (${judged})`);
    case 'unverifiable':
      return unverifiable(`${check.why} (${judged})`);
    case 'passes':
      return { kind: 'passes', key: `${check.key} (${judged})` };
  }
}

/** A key the app creates: customer managed; in the right account and Region; Enabled; approved. */
function checkAppKey(
  key: CfnResource,
  scope: KeyScope,
  rules: KeyRules,
  index: AppIndex,
  approvedBy: string | undefined,
): KeyCheck {
  const keyStack = Stack.of(key);
  const shown = `${key.node.path} (created by this app)`;
  const place = placeOf(keyStack, scope);
  if (place.account === false) {
    const account = keyStack.account;
    if (!trustsAccount(rules, account)) {
      return untrustedAccount(shown, account);
    }
  } else if (place.account === undefined) {
    return unverifiable(
      `KMS key ${shown} is in stack ${keyStack.node.path}: whether that is the secret's account is not known`,
    );
  }
  if (place.region === false) {
    return otherRegion(shown, concrete(keyStack.region) ?? `the Region of stack ${keyStack.node.path}`, scope);
  }
  if (place.region === undefined) {
    return unverifiable(
      `KMS key ${shown} is in stack ${keyStack.node.path}: whether that is the secret's Region is not known`,
    );
  }
  if (rules.requireEnabledKey) {
    const enabled = keyEnabled(index.render(key));
    if (enabled === false) {
      return fails(
        'keyNotEnabled',
        `KMS key ${shown} is disabled (Enabled: false): the secret is or will become unreadable`,
      );
    }
    if (enabled === undefined) {
      return unverifiable(`whether KMS key ${shown} is enabled is only known at deployment`);
    }
  }
  if (
    rules.approvedKeys !== undefined &&
    approvedBy === undefined &&
    !approvedThroughAlias(key, rules.approvedKeys, index)
  ) {
    // A stack being updated may hold a key whose ARN was approved after it was created.
    return unverifiable(
      `KMS key ${shown} has no ARN before deployment: whether it is one of the approved keys (kmsKeyArns) is not known`,
    );
  }
  return { kind: 'passes', key: shown };
}

/** `Enabled` of a rendered key in its worst branch: false if any branch disables it. */
function keyEnabled(rendered: RenderedResource): Known {
  let known: Known = true;
  for (const variant of variants(rendered.properties.Enabled)) {
    const value = variant.value;
    if (value === false || (typeof value === 'string' && value.toLowerCase() === 'false')) {
      return false;
    }
    if (!(
      value === undefined ||
      value === NO_VALUE ||
      value === true ||
      (typeof value === 'string' && value.toLowerCase() === 'true')
    )) {
      known = undefined;
    }
  }
  return known;
}

/** Whether an approved alias name (or alias ARN of the same account and Region) is an alias of the app targeting `key`. */
function approvedThroughAlias(key: CfnResource, approved: readonly string[], index: AppIndex): boolean {
  const stack = Stack.of(key);
  for (const [name, alias] of index.aliases(stack)) {
    if (approvedName(name, stack, approved) && aliasTargets(alias, index).includes(key)) {
      return true;
    }
  }
  return false;
}

function approvedName(aliasName: string, stack: Stack, approved: readonly string[]): boolean {
  return approved.some((entry) => {
    if (entry === aliasName) {
      return true;
    }
    const arn = ARN.exec(entry);
    return (
      arn !== null && arn[4] === aliasName && arn[2] === concrete(stack.region) && arn[3] === concrete(stack.account)
    );
  });
}

/** The keys of the app an alias targets, in any branch. */
function aliasTargets(alias: CfnResource, index: AppIndex): CfnElement[] {
  const rendered = index.render(alias);
  const stack = Stack.of(alias);
  return variants(rendered.properties.TargetKeyId).flatMap((variant) => {
    const pieces = stringPieces(variant.value, rendered, (id) => index.element(stack, id));
    const only = pieces.length === 1 && pieces[0]!.kind === 'reference' ? pieces[0]!.reference : undefined;
    return only ? [only.target] : [];
  });
}

/** An alias the app creates: not an AWS managed name, then its target in its worst branch. */
function checkAppAlias(alias: CfnResource, scope: KeyScope, rules: KeyRules, index: AppIndex, depth: number): KeyCheck {
  const rendered = index.render(alias);
  const name = rendered.properties.AliasName;
  const shown = `${alias.node.path} (created by this app)`;
  if (typeof name !== 'string') {
    return unverifiable(`the name of alias ${shown} is only known at deployment`);
  }
  if (name.startsWith('alias/aws/')) {
    return fails(
      'awsManagedAlias',
      `encrypted with the AWS managed key ${name}; a customer managed KMS key is required`,
    );
  }
  const aliasStack = Stack.of(alias);
  const approvedBy =
    rules.approvedKeys !== undefined && approvedName(name, aliasStack, rules.approvedKeys) ? name : undefined;
  let worst: KeyCheck | undefined;
  for (const variant of variants(rendered.properties.TargetKeyId)) {
    const pieces = stringPieces(variant.value, rendered, (id) => index.element(aliasStack, id));
    const check = checkPieces(pieces, scope, rules, index, depth, approvedBy);
    const named =
      check.kind === 'unverifiable' ? unverifiable(`alias ${name} (${alias.node.path}): ${check.why}`) : check;
    if (worst === undefined || severity(named) > severity(worst)) {
      worst = named;
    }
  }
  return worst ?? unverifiable(`alias ${shown} has no TargetKeyId`);
}
