/**
 * A resource's properties as CloudFormation will see them, read from the construct tree
 * before synthesis: what the Aspect decides on.
 *
 * Rendering goes through the resource's own CloudFormation rendering (so property
 * overrides and tags count, as they will in the template), with one difference: a
 * reference to another element of the app (`key.keyArn`, `param.valueAsString`, a
 * `Ref` loaded by `CfnInclude`) is kept as a marker naming the element, not rendered as
 * `Ref`/`Fn::GetAtt`. That is what lets the Aspect follow a reference to the `kms.Key`
 * it names, in this stack or another one (a cross-stack reference only becomes an
 * `Fn::ImportValue` later, at synthesis).
 */
import {
  CfnElement,
  CfnResource,
  DefaultTokenResolver,
  IFragmentConcatenator,
  IPostProcessor,
  IResolvable,
  IResolveContext,
  Reference,
  Stack,
  Tokenization,
} from 'aws-cdk-lib';

/** A reference to an element of the app, kept by [`renderResource`]. */
export interface ElementReference {
  readonly target: CfnElement;
  /** `Ref`, or the attribute of `Fn::GetAtt` (`Arn`, `KeyId`, ...). */
  readonly attribute: string;
}

/** A resource's type and properties, references kept. */
export interface RenderedResource {
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  /** What each reference marker stands for, by the marker's number. */
  readonly references: readonly ElementReference[];
}

/**
 * The marker key. It begins with `Fn::`, so the L1 property validators, which let any
 * CloudFormation intrinsic through, accept it where they expect a string.
 */
const REFERENCE_MARKER = 'Fn::SecretsCmk::Reference';

/** The value `{ Ref: AWS::NoValue }` stands for: the property is absent. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** String concatenation that keeps tokens apart, as `Fn::Join` does. */
class JoinConcat implements IFragmentConcatenator {
  public join(left: unknown, right: unknown): unknown {
    if (typeof left === 'string' && typeof right === 'string') {
      return left + right;
    }
    return { 'Fn::Join': ['', [left, right]] };
  }
}

/** The CDK's resolution, except that references to app elements become markers. */
class ReferenceKeepingResolver extends DefaultTokenResolver {
  public readonly references: ElementReference[] = [];

  constructor() {
    super(new JoinConcat());
  }

  public override resolveToken(token: IResolvable, context: IResolveContext, post: IPostProcessor): unknown {
    if (token instanceof Reference && CfnElement.isCfnElement(token.target)) {
      const rendered: unknown = super.resolveToken(token, context, post);
      // A reference inside cloudformation-include's Fn::Sub renders as "${Name}": the
      // Sub reader looks the name up instead.
      if (typeof rendered === 'string') {
        return rendered;
      }
      this.references.push({ target: token.target, attribute: token.displayName });
      return { [REFERENCE_MARKER]: this.references.length - 1 };
    }
    return super.resolveToken(token, context, post);
  }
}

/** Internal to aws-cdk-lib but present on every CfnResource: the rendering synthesis uses. */
interface RenderableResource {
  _toCloudFormation(): unknown;
}

/** `resource` as its template will have it, references kept as markers. */
export function renderResource(resource: CfnResource): RenderedResource {
  const renderable = resource as unknown as Partial<RenderableResource>;
  if (typeof renderable._toCloudFormation !== 'function') {
    throw new Error(`${resource.node.path}: this aws-cdk-lib cannot render a resource before synthesis`);
  }
  const resolver = new ReferenceKeepingResolver();
  const rendered = Tokenization.resolve(renderable._toCloudFormation(), { scope: resource, resolver }) as {
    Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
  };
  const definition = Object.values(rendered.Resources ?? {})[0];
  return {
    type: definition?.Type ?? resource.cfnResourceType,
    properties: definition?.Properties ?? {},
    references: resolver.references,
  };
}

/** The element a marker stands for, or undefined when `value` is no marker. */
export function markedReference(value: unknown, rendered: RenderedResource): ElementReference | undefined {
  if (!isObject(value) || Object.keys(value).length !== 1 || !(REFERENCE_MARKER in value)) {
    return undefined;
  }
  const index = value[REFERENCE_MARKER];
  return typeof index === 'number' ? rendered.references[index] : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One way the `Fn::If`s of a value can come out: the value, and the condition values that made it. */
export interface Variant<T = unknown> {
  readonly value: T;
  /** Condition name to the branch taken (true: the first). */
  readonly conditions: ReadonlyMap<string, boolean>;
}

/** Beyond this many combinations of conditions, a resource is not judged offline. */
export const MAX_VARIANTS = 64;

/** Thrown when a value has more `Fn::If` combinations than [`MAX_VARIANTS`]. */
export class TooManyVariants extends Error {}

/**
 * Every way `value` can come out of its `Fn::If`s, each condition taking one value
 * throughout (the same condition in two places takes the same branch in both). A
 * branch that is `AWS::NoValue` removes the property or list item. A condition that is
 * not a literal name still splits, but is not tied to other places.
 */
export function variants(value: unknown): Variant[] {
  const out = expand(value, new Map());
  return out.map((v) => ({ value: v.value, conditions: v.conditions }));
}

function expand(value: unknown, fixed: ReadonlyMap<string, boolean>): Variant[] {
  if (Array.isArray(value)) {
    return combine(value, fixed, (items) => items.filter((item) => item !== NO_VALUE));
  }
  if (!isObject(value)) {
    return [{ value, conditions: fixed }];
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && value.Ref === 'AWS::NoValue') {
    return [{ value: NO_VALUE, conditions: fixed }];
  }
  const branches = value['Fn::If'];
  if (keys.length === 1 && Array.isArray(branches) && branches.length === 3) {
    const [condition, whenTrue, whenFalse] = branches as [unknown, unknown, unknown];
    const name = typeof condition === 'string' ? condition : undefined;
    const known = name === undefined ? undefined : fixed.get(name);
    const out: Variant[] = [];
    for (const [branch, taken] of [
      [whenTrue, true],
      [whenFalse, false],
    ] as const) {
      if (known !== undefined && known !== taken) {
        continue;
      }
      const conditions = name === undefined ? fixed : new Map(fixed).set(name, taken);
      out.push(...expand(branch, conditions));
      if (out.length > MAX_VARIANTS) {
        throw new TooManyVariants();
      }
    }
    return out;
  }
  return combine(
    keys.map((key) => value[key]),
    fixed,
    (items) => {
      const object: Record<string, unknown> = {};
      keys.forEach((key, index) => {
        if (items[index] !== NO_VALUE) {
          object[key] = items[index];
        }
      });
      return object;
    },
  );
}

/** The variants of a list of values, taken together, each built into one value by `build`. */
function combine(
  items: readonly unknown[],
  fixed: ReadonlyMap<string, boolean>,
  build: (items: unknown[]) => unknown,
): Variant[] {
  let partial: { items: unknown[]; conditions: ReadonlyMap<string, boolean> }[] = [{ items: [], conditions: fixed }];
  for (const item of items) {
    const next: typeof partial = [];
    for (const soFar of partial) {
      for (const variant of expand(item, soFar.conditions)) {
        next.push({ items: [...soFar.items, variant.value], conditions: variant.conditions });
        if (next.length > MAX_VARIANTS) {
          throw new TooManyVariants();
        }
      }
    }
    partial = next;
  }
  return partial.map((p) => ({ value: build(p.items), conditions: p.conditions }));
}

/** One piece of a string value. */
export type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'pseudo'; readonly name: string }
  | { readonly kind: 'reference'; readonly reference: ElementReference }
  /** Something offline cannot tell (`Fn::ImportValue`, `Fn::Select`, an unknown name in `Fn::Sub`). */
  | { readonly kind: 'opaque'; readonly what: string };

/**
 * `value` as the pieces of a string: literal text, pseudo parameters, references to app
 * elements, and what cannot be told offline. `Fn::Join` and `Fn::Sub` are taken apart;
 * `lookup` finds the element a name in `Fn::Sub` stands for.
 */
export function stringPieces(
  value: unknown,
  rendered: RenderedResource,
  lookup: (logicalId: string) => CfnElement | undefined,
): Piece[] {
  if (typeof value === 'string') {
    return [{ kind: 'text', text: value }];
  }
  const reference = markedReference(value, rendered);
  if (reference) {
    return [{ kind: 'reference', reference }];
  }
  if (!isObject(value) || Object.keys(value).length !== 1) {
    return [{ kind: 'opaque', what: JSON.stringify(value) ?? String(value) }];
  }
  const [name, args] = Object.entries(value)[0]!;
  if (name === 'Ref' && typeof args === 'string') {
    if (args.startsWith('AWS::')) {
      return [{ kind: 'pseudo', name: args }];
    }
    const target = lookup(args);
    return target ? [{ kind: 'reference', reference: { target, attribute: 'Ref' } }] : [opaque(value)];
  }
  if (name === 'Fn::GetAtt') {
    const [id, attribute] = Array.isArray(args) ? args : typeof args === 'string' ? args.split('.') : [];
    const target = typeof id === 'string' ? lookup(id) : undefined;
    return target && typeof attribute === 'string'
      ? [{ kind: 'reference', reference: { target, attribute } }]
      : [opaque(value)];
  }
  if (name === 'Fn::Join' && Array.isArray(args) && typeof args[0] === 'string' && Array.isArray(args[1])) {
    const [delimiter, parts] = args as [string, unknown[]];
    return parts.flatMap((part, index) => [
      ...(index > 0 && delimiter !== '' ? [{ kind: 'text' as const, text: delimiter }] : []),
      ...stringPieces(part, rendered, lookup),
    ]);
  }
  if (name === 'Fn::Sub') {
    const [template, variables] = typeof args === 'string' ? [args, {}] : Array.isArray(args) ? args : [];
    if (typeof template === 'string' && isObject(variables)) {
      return subPieces(
        template,
        (variable) => (variable in variables ? stringPieces(variables[variable], rendered, lookup) : undefined),
        lookup,
      );
    }
  }
  return [opaque(value)];
}

function opaque(value: unknown): Piece {
  return { kind: 'opaque', what: JSON.stringify(value) };
}

/** The pieces of an `Fn::Sub` template: `${AWS::X}`, `${Name}`, `${Name.Attr}`, `${!literal}`. */
function subPieces(
  template: string,
  variable: (name: string) => Piece[] | undefined,
  lookup: (logicalId: string) => CfnElement | undefined,
): Piece[] {
  const pieces: Piece[] = [];
  const placeholder = /\$\{([^}]*)\}/g;
  let last = 0;
  for (const match of template.matchAll(placeholder)) {
    pieces.push({ kind: 'text', text: template.slice(last, match.index) });
    last = match.index + match[0].length;
    const name = match[1]!.trim();
    if (name.startsWith('!')) {
      pieces.push({ kind: 'text', text: `\${${name.slice(1)}}` });
      continue;
    }
    const given = variable(name);
    if (given) {
      pieces.push(...given);
      continue;
    }
    if (name.startsWith('AWS::')) {
      pieces.push({ kind: 'pseudo', name });
      continue;
    }
    const [id, ...attribute] = name.split('.');
    const target = lookup(id!);
    pieces.push(
      target
        ? { kind: 'reference', reference: { target, attribute: attribute.length > 0 ? attribute.join('.') : 'Ref' } }
        : { kind: 'opaque', what: `\${${name}}` },
    );
  }
  pieces.push({ kind: 'text', text: template.slice(last) });
  return pieces.filter((piece) => piece.kind !== 'text' || piece.text !== '');
}

/** Every element of `stack` by its logical id (resolved now: an override counts). */
export function elementsByLogicalId(stack: Stack): Map<string, CfnElement> {
  const elements = new Map<string, CfnElement>();
  for (const construct of stack.node.findAll()) {
    if (CfnElement.isCfnElement(construct) && Stack.of(construct) === stack) {
      const id: unknown = stack.resolve(construct.logicalId);
      if (typeof id === 'string') {
        elements.set(id, construct);
      }
    }
  }
  return elements;
}
