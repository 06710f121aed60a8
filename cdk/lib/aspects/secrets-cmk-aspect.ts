/**
 * The decision table as a CDK Aspect: applied to any app, it judges every secret the app
 * would create before it is deployed, and says so on the construct.
 *
 * What it judges: every `AWS::SecretsManager::Secret` (the L2 `Secret`, a `CfnSecret`,
 * one loaded by `CfnInclude`), its `ReplicaRegions` when `checkReplicas`, and the secret
 * RDS creates for an `AWS::RDS::DBInstance` or `DBCluster` with
 * `ManageMasterUserPassword`, by `MasterUserSecret.KmsKeyId`. Each `Fn::If` is judged in
 * every branch and the worst wins.
 *
 * What it says: an error annotation for NON_COMPLIANT (the synth fails), a warning
 * "not verifiable offline" for a secret the app does not settle (a literal key ARN or
 * alias, `Fn::ImportValue`, a stack without a literal account or Region where the
 * reference needs one): never a guess, and an info annotation for COMPLIANT and
 * NOT_APPLICABLE. Each names the decision-table row and the reason, as the rule does.
 */
import { Annotations, AspectPriority, Aspects, CfnElement, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { readRuleParameters } from '../config';
import { type AppIndex, type KeyCheck, type KeyRules, type KeyScope, checkKey } from './key-check';
import { type DecisionRow, ROWS, type RowName } from './rows';
import {
  type RenderedResource,
  TooManyVariants,
  type Variant,
  elementsByLogicalId,
  isObject,
  renderResource,
  variants,
} from './template-values';

/**
 * The rule parameters the Aspect applies, as the rule takes them (strings, as in
 * `ruleParameters`; the booleans may also be booleans). The settings' `ruleParameters`
 * (`readSettings`) can be passed as they are; `executionRoleName` is ignored.
 */
export interface SecretsCmkAspectOptions {
  readonly kmsKeyArns?: string;
  readonly allowedKeyAccounts?: string;
  readonly exemptionTagKey?: string;
  readonly checkReplicas?: string | boolean;
  readonly requireEnabledKey?: string | boolean;
}

/** The id of the warning a secret that cannot be settled offline gets (to acknowledge it). */
export const NOT_VERIFIABLE_WARNING = 'secrets-cmk:not-verifiable-offline';

/** What every annotation of the Aspect starts with. */
export const ANNOTATION_PREFIX = '[secrets-cmk]';

const SECRET = 'AWS::SecretsManager::Secret';
const DATABASES = ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'];
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The verdict on one resource's secret, or why it has none. */
export type SecretOutcome =
  | { readonly kind: 'verdict'; readonly row: DecisionRow; readonly reason: string }
  | { readonly kind: 'unverifiable'; readonly reason: string }
  /** An RDS resource without a managed master password: RDS creates no secret. */
  | { readonly kind: 'noSecret' };

interface Rules extends KeyRules {
  readonly exemptionTagKey?: string;
  readonly checkReplicas: boolean;
}

/** Applies the decision table to every secret of the scope it is added to. */
export class SecretsCmkAspect implements IAspect {
  /**
   * Adds the Aspect to `scope` with the priority of a read-only Aspect, so that it runs
   * after the Aspects that change the tree (tags added with `Tags.of` count).
   */
  public static applyTo(scope: IConstruct, options: SecretsCmkAspectOptions = {}): SecretsCmkAspect {
    const aspect = new SecretsCmkAspect(options);
    Aspects.of(scope).add(aspect, { priority: AspectPriority.READONLY });
    return aspect;
  }

  private readonly rules: Rules;
  private readonly index = new TreeIndex();

  /** @throws Error naming the option when one is malformed (as the rule would refuse it). */
  constructor(options: SecretsCmkAspectOptions = {}) {
    this.rules = readOptions(options);
  }

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) {
      return;
    }
    const type = node.cfnResourceType;
    if (type !== SECRET && !DATABASES.includes(type)) {
      return;
    }
    const outcome = this.decide(node);
    const annotations = Annotations.of(node);
    switch (outcome.kind) {
      case 'noSecret':
        return;
      case 'unverifiable':
        annotations.addWarningV2(
          NOT_VERIFIABLE_WARNING,
          `${ANNOTATION_PREFIX} not verifiable offline: ${outcome.reason}`,
        );
        return;
      case 'verdict': {
        const { row, reason } = outcome;
        const text = `${ANNOTATION_PREFIX} ${row.compliance} (row ${row.number}, ${row.label}): ${reason}`;
        if (row.compliance === 'NON_COMPLIANT') {
          annotations.addError(text);
        } else {
          annotations.addInfo(text);
        }
      }
    }
  }

  /** The table's verdict on the secret `resource` creates, its worst `Fn::If` branch. */
  public decide(resource: CfnResource): SecretOutcome {
    try {
      return this.decideVariants(resource);
    } catch (error) {
      if (error instanceof TooManyVariants) {
        return { kind: 'unverifiable', reason: 'too many combinations of Fn::If conditions to judge offline' };
      }
      throw error;
    }
  }

  private decideVariants(resource: CfnResource): SecretOutcome {
    const rendered = this.index.render(resource);
    const all = variants(rendered.properties);
    let worst: { outcome: SecretOutcome; variant: Variant } | undefined;
    for (const variant of all) {
      const properties = isObject(variant.value) ? variant.value : {};
      const outcome =
        rendered.type === SECRET
          ? this.decideSecret(properties, rendered, resource)
          : this.decideDatabase(properties, rendered, resource);
      if (worst === undefined || rank(outcome) > rank(worst.outcome)) {
        worst = { outcome, variant };
      }
    }
    if (worst === undefined) {
      return { kind: 'noSecret' };
    }
    return all.length > 1 ? withConditions(worst.outcome, worst.variant.conditions) : worst.outcome;
  }

  private decideSecret(
    properties: Record<string, unknown>,
    rendered: RenderedResource,
    resource: CfnResource,
  ): SecretOutcome {
    const stack = Stack.of(resource);
    const exemption = this.exemptionTag(properties.Tags);
    if (exemption !== undefined) {
      return exemption;
    }
    const primary = checkKey(properties.KmsKeyId, rendered, { kind: 'stack', stack }, this.rules, this.index);
    if (primary.kind === 'fails') {
      return verdict(primary.row, `${capitalize(primary.why)}.`);
    }
    const unknown = primary.kind === 'unverifiable' ? [primary.why] : [];
    const replicas = this.rules.checkReplicas ? properties.ReplicaRegions : undefined;
    let passed = 0;
    if (replicas !== undefined && !Array.isArray(replicas)) {
      unknown.push('ReplicaRegions is only known at deployment');
    }
    for (const replica of Array.isArray(replicas) ? replicas : []) {
      const region: unknown = isObject(replica) ? replica.Region : undefined;
      if (typeof region === 'string' && !REGION_NAME.test(region)) {
        unknown.push(`replica region ${JSON.stringify(region)} is not a region name`);
        continue;
      }
      const scope: KeyScope = { kind: 'replica', stack, region: typeof region === 'string' ? region : undefined };
      const check = checkKey(isObject(replica) ? replica.KmsKeyId : undefined, rendered, scope, this.rules, this.index);
      const where = typeof region === 'string' ? region : 'a Region only known at deployment';
      if (check.kind === 'fails') {
        return verdict('replicaFails', `Replica in ${where}: ${check.why}.`);
      }
      if (check.kind === 'unverifiable') {
        unknown.push(`replica in ${where}: ${check.why}`);
      } else {
        passed += 1;
      }
    }
    if (primary.kind !== 'passes' || unknown.length > 0) {
      return { kind: 'unverifiable', reason: unknown.join('; ') };
    }
    return verdict('compliant', compliantText(primary, this.rules, passed));
  }

  private decideDatabase(
    properties: Record<string, unknown>,
    rendered: RenderedResource,
    resource: CfnResource,
  ): SecretOutcome {
    const managed = literalBoolean(properties.ManageMasterUserPassword ?? false);
    if (managed === false) {
      return { kind: 'noSecret' };
    }
    if (managed === undefined) {
      return {
        kind: 'unverifiable',
        reason: 'whether RDS manages the master password (ManageMasterUserPassword) is only known at deployment',
      };
    }
    const secret = properties.MasterUserSecret;
    if (secret !== undefined && !isObject(secret)) {
      return { kind: 'unverifiable', reason: 'MasterUserSecret is only known at deployment' };
    }
    const scope: KeyScope = { kind: 'stack', stack: Stack.of(resource) };
    const check = checkKey(secret?.KmsKeyId, rendered, scope, this.rules, this.index);
    const managedBy = ' (secret managed by rds)';
    switch (check.kind) {
      case 'fails':
        return verdict(check.row, `${capitalize(check.why)}.${managedBy}`);
      case 'unverifiable':
        return { kind: 'unverifiable', reason: `${check.why}${managedBy}` };
      case 'passes':
        return verdict('compliant', `${compliantText(check, this.rules, 0)}${managedBy}`);
    }
  }

  /** Row 3, when the tags say so; a Tags property offline cannot read makes the secret unverifiable. */
  private exemptionTag(tags: unknown): SecretOutcome | undefined {
    const wanted = this.rules.exemptionTagKey;
    if (wanted === undefined || tags === undefined) {
      return undefined;
    }
    if (!Array.isArray(tags)) {
      return {
        kind: 'unverifiable',
        reason: `the Tags, which may hold the exemption tag ${wanted}, are only known at deployment`,
      };
    }
    const tag = tags.find((t) => isObject(t) && t.Key === wanted);
    if (tag === undefined) {
      return undefined;
    }
    const value = typeof tag.Value === 'string' ? tag.Value : JSON.stringify(tag.Value);
    return verdict('exempt', `Exempt: the secret carries the exemption tag ${wanted}=${value}.`);
  }
}

function verdict(name: RowName, reason: string): SecretOutcome {
  return { kind: 'verdict', row: ROWS[name], reason };
}

function compliantText(pass: Extract<KeyCheck, { kind: 'passes' }>, rules: Rules, replicas: number): string {
  let text = `Encrypted with customer managed KMS key ${pass.key}`;
  if (rules.approvedKeys !== undefined) {
    text += ', an approved key';
  }
  if (replicas > 0) {
    text += `; ${replicas} replica(s) pass too`;
  }
  return `${text}.`;
}

/** NON_COMPLIANT outranks no verdict, which outranks a passing verdict: the worst branch wins. */
function rank(outcome: SecretOutcome): number {
  if (outcome.kind === 'noSecret') {
    return 0;
  }
  if (outcome.kind === 'unverifiable') {
    return 3;
  }
  return { NON_COMPLIANT: 4, COMPLIANT: 2, NOT_APPLICABLE: 1 }[outcome.row.compliance];
}

/** Names the branches that gave the worst outcome, so the reader knows which case fails. */
function withConditions(outcome: SecretOutcome, conditions: ReadonlyMap<string, boolean>): SecretOutcome {
  if (outcome.kind === 'noSecret' || conditions.size === 0) {
    return outcome;
  }
  const when = [...conditions].map(([name, value]) => `${name} ${value}`).join(', ');
  return { ...outcome, reason: `With condition ${when}: ${outcome.reason}` };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function literalBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'string' && ['true', 'false'].includes(value.toLowerCase())) {
    return value.toLowerCase() === 'true';
  }
  return undefined;
}

/** The options validated as the CDK validates the rule's parameters (config.ts), then parsed. */
function readOptions(options: SecretsCmkAspectOptions): Rules {
  const names = ['kmsKeyArns', 'allowedKeyAccounts', 'exemptionTagKey', 'checkReplicas', 'requireEnabledKey'] as const;
  const given = options as Readonly<Record<string, unknown>>;
  let parameters: ReturnType<typeof readRuleParameters>;
  try {
    parameters = readRuleParameters({
      tryGetContext: (key: string) => ((names as readonly string[]).includes(key) ? given[key] : undefined),
    });
  } catch (error) {
    throw new Error(`SecretsCmkAspect: ${(error as Error).message.replace(/^context /, 'option ')}`);
  }
  const list = (value: string | undefined) => (value === undefined || value === '' ? [] : value.split(','));
  const approvedKeys = list(parameters.kmsKeyArns);
  return {
    ...(approvedKeys.length > 0 ? { approvedKeys } : {}),
    allowedKeyAccounts: list(parameters.allowedKeyAccounts),
    ...(parameters.exemptionTagKey === undefined ? {} : { exemptionTagKey: parameters.exemptionTagKey }),
    checkReplicas: parameters.checkReplicas !== 'false',
    requireEnabledKey: parameters.requireEnabledKey !== 'false',
  };
}

/** What the Aspect learns about the tree, computed once per resource and stack. */
class TreeIndex implements AppIndex {
  private readonly rendered = new Map<CfnResource, RenderedResource>();
  private readonly elements = new Map<Stack, Map<string, CfnElement>>();
  private readonly aliasesByStack = new Map<Stack, Map<string, CfnResource>>();

  public render(resource: CfnResource): RenderedResource {
    let rendered = this.rendered.get(resource);
    if (rendered === undefined) {
      rendered = renderResource(resource);
      this.rendered.set(resource, rendered);
    }
    return rendered;
  }

  public element(stack: Stack, logicalId: string): CfnElement | undefined {
    let elements = this.elements.get(stack);
    if (elements === undefined) {
      elements = elementsByLogicalId(stack);
      this.elements.set(stack, elements);
    }
    return elements.get(logicalId);
  }

  public aliases(stack: Stack): ReadonlyMap<string, CfnResource> {
    let aliases = this.aliasesByStack.get(stack);
    if (aliases === undefined) {
      aliases = new Map();
      for (const construct of stack.node.findAll()) {
        if (
          CfnResource.isCfnResource(construct) &&
          construct.cfnResourceType === 'AWS::KMS::Alias' &&
          Stack.of(construct) === stack
        ) {
          const name = this.render(construct).properties.AliasName;
          if (typeof name === 'string') {
            aliases.set(name, construct);
          }
        }
      }
      this.aliasesByStack.set(stack, aliases);
    }
    return aliases;
  }
}
