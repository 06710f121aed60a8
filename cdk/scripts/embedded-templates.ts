/**
 * Templates nested inside synthesized templates: the conformance pack bodies and the
 * member StackSet body. CloudFormation resolves the pseudo parameters and attributes
 * joined into them before AWS Config or StackSets read them; this module does the
 * same with realistic placeholder values, so tests can check what AWS will see
 * (literal values only, size limits) and cfn-lint can lint them as files.
 *
 * Run as a script: `tsx scripts/embedded-templates.ts [cdk.out]` writes
 * `cdk.out/embedded/<stack>.<resource>.json` and prints their paths.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Resource types whose `TemplateBody` is itself a template. */
export const TEMPLATE_HOLDERS = [
  'AWS::Config::ConformancePack',
  'AWS::Config::OrganizationConformancePack',
  'AWS::CloudFormation::StackSet',
] as const;

/** Values CloudFormation would substitute, as long as the real ones. */
export const PLACEHOLDERS = {
  partition: 'aws',
  region: 'ap-southeast-2',
  accountId: '123456789012',
  urlSuffix: 'amazonaws.com',
} as const;

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Resolves `Fn::Join`, `Ref` (pseudo parameters, resources) and `Fn::GetAtt .Arn` in a value. */
export function resolveIntrinsics(value: unknown, template: Template): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => resolveIntrinsics(item, template));
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(resolveIntrinsics(part, template))).join(separator);
  }
  if (keys.length === 1 && keys[0] === 'Ref') {
    return resolveRef(object.Ref as string, template);
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    return resolveArn(logicalId, attribute, template);
  }
  return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(object[key], template)]));
}

function resolveRef(name: string, template: Template): string {
  switch (name) {
    case 'AWS::Partition':
      return PLACEHOLDERS.partition;
    case 'AWS::Region':
      return PLACEHOLDERS.region;
    case 'AWS::AccountId':
      return PLACEHOLDERS.accountId;
    case 'AWS::URLSuffix':
      return PLACEHOLDERS.urlSuffix;
    default:
      if (template.Resources?.[name]) {
        return physicalName(name);
      }
      throw new Error(`cannot resolve Ref ${name} inside an embedded template`);
  }
}

/** A generated physical name of CloudFormation's usual length (stack-logicalId-suffix, 64). */
function physicalName(logicalId: string): string {
  return `${logicalId}-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`.slice(0, 64);
}

function resolveArn(logicalId: string, attribute: string, template: Template): string {
  const resource = template.Resources?.[logicalId];
  if (!resource || attribute !== 'Arn') {
    throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} inside an embedded template`);
  }
  const { partition, region, accountId } = PLACEHOLDERS;
  switch (resource.Type) {
    case 'AWS::Lambda::Function':
      return `arn:${partition}:lambda:${region}:${accountId}:function:${physicalName(logicalId)}`;
    case 'AWS::IAM::Role':
      return `arn:${partition}:iam::${accountId}:role/${physicalName(logicalId)}`;
    default:
      throw new Error(`no placeholder ARN for ${resource.Type}`);
  }
}

/** One embedded template, resolved: what AWS Config or StackSets receive. */
export interface EmbeddedTemplate {
  readonly logicalId: string;
  readonly holderType: string;
  /** The body exactly as the service receives it. */
  readonly body: string;
}

/** Every embedded template of a synthesized template. */
export function embeddedTemplates(template: Template): EmbeddedTemplate[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => (TEMPLATE_HOLDERS as readonly string[]).includes(resource.Type))
    .map(([logicalId, resource]) => {
      const body = resolveIntrinsics(resource.Properties?.TemplateBody, template);
      if (typeof body !== 'string') {
        throw new Error(`${logicalId}: TemplateBody does not resolve to a string`);
      }
      return { logicalId, holderType: resource.Type, body };
    });
}

/** Writes every embedded template found in `cdkOut/*.template.json` to `cdkOut/embedded/`. */
export function writeEmbeddedTemplates(cdkOut: string): string[] {
  const outDir = path.join(cdkOut, 'embedded');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const file of fs
    .readdirSync(cdkOut)
    .filter((name) => name.endsWith('.template.json'))
    .sort()) {
    const template = JSON.parse(fs.readFileSync(path.join(cdkOut, file), 'utf8')) as Template;
    for (const embedded of embeddedTemplates(template)) {
      const target = path.join(outDir, `${file.replace(/\.template\.json$/, '')}.${embedded.logicalId}.json`);
      fs.writeFileSync(target, `${JSON.stringify(JSON.parse(embedded.body), null, 1)}\n`);
      written.push(target);
    }
  }
  return written;
}

if (require.main === module) {
  const cdkOut = process.argv[2] ?? 'cdk.out';
  for (const file of writeEmbeddedTemplates(cdkOut)) {
    console.log(file);
  }
}
