/**
 * Shared test fixtures: apps built like bin/app.ts (cdk.json feature flags, the
 * fixture asset), and the least-privilege assertion used for every role.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { readOrganizationSettings, readSettings } from '../lib/config';
import { SecretsCmkAccountPackStack } from '../lib/stacks/account-pack-stack';
import { SecretsCmkMemberStack, memberStackProps, synthesizeMemberTemplate } from '../lib/stacks/member-stack';
import { SecretsCmkOrganizationStack } from '../lib/stacks/organization-stack';
import { SecretsCmkStack } from '../lib/stacks/single-account-stack';

/** A placeholder `bootstrap`: the tests never run the Lambda, they only package it. */
export const FIXTURE_ASSET = path.join(__dirname, 'fixtures', 'asset');

export const TARGET_KEY_ARN = 'arn:aws:kms:ap-southeast-2:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The keys of the stack's own account in its Region, as `render` shows them. */
export const OWN_ACCOUNT_KEYS = 'arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*';

/** The organization context used by the organization tests (the central placement, in one Region). */
export const ORG_CONTEXT = {
  organizationId: 'o-a1b2c3d4e5',
  targetOuIds: 'ou-ab12-cdef3456,ou-ab12-ghij7890',
  functionPlacement: 'central',
  deploymentRegions: 'ap-southeast-2',
};

/** Feature flags and settings from cdk.json, as the CLI passes them to bin/app.ts. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** An app with cdk.json's context, the fixture asset, and `context` on top. */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext(), assetPath: FIXTURE_ASSET, ...context } });
}

export function singleAccountStack(context: Record<string, unknown> = {}): SecretsCmkStack {
  const app = newApp(context);
  return new SecretsCmkStack(app, 'SecretsCmk', { settings: readSettings(app.node) });
}

export function accountPackStack(context: Record<string, unknown> = {}): SecretsCmkAccountPackStack {
  const app = newApp(context);
  return new SecretsCmkAccountPackStack(app, 'SecretsCmkAccountPack', { settings: readSettings(app.node) });
}

export function organizationStack(context: Record<string, unknown> = {}): SecretsCmkOrganizationStack {
  const app = newApp({ ...ORG_CONTEXT, ...context });
  const settings = readSettings(app.node);
  const organization = readOrganizationSettings(app.node);
  if (!organization) {
    throw new Error('organization context missing');
  }
  const memberTemplate = synthesizeMemberTemplate(memberStackProps(settings, organization), {
    context: app.node.getAllContext(),
  });
  return new SecretsCmkOrganizationStack(app, 'SecretsCmkOrganization', { settings, organization, memberTemplate });
}

/** The member stack as bin/app.ts would synthesize it for the organization context plus `context`. */
export function memberStack(context: Record<string, unknown> = {}): SecretsCmkMemberStack {
  const app = newApp({ ...ORG_CONTEXT, ...context });
  const organization = readOrganizationSettings(app.node);
  if (!organization) {
    throw new Error('organization context missing');
  }
  return new SecretsCmkMemberStack(app, 'SecretsCmkMember', memberStackProps(readSettings(app.node), organization));
}

/** Logical id of a role in its stack's template. */
export function logicalIdOf(role: iam.Role): string {
  return Stack.of(role).getLogicalId(role.node.defaultChild as iam.CfnRole);
}

/** A single-account stack for `context`, its template, and the logical id of one of its runbook roles. */
export function runbookRole(
  which: 'remediationRole' | 'restoreRole',
  context: Record<string, unknown> = {},
): { stack: SecretsCmkStack; template: Template; roleId: string } {
  const stack = singleAccountStack(context);
  return { stack, template: Template.fromStack(stack), roleId: logicalIdOf(stack[which].role) };
}

type Json = Record<string, any>;

export interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Condition?: Json;
  readonly Sid?: string;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/**
 * Every statement that grants the role something: its inline policies and any
 * AWS::IAM::Policy or AWS::IAM::ManagedPolicy attached to it. Managed policy ARNs
 * on the role are an error (nothing here may use one).
 */
export function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  const resources = template.toJSON().Resources as Record<string, Json>;
  const role = resources[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') {
    throw new Error(`${roleLogicalId} is not a role of this template`);
  }
  if (role.Properties.ManagedPolicyArns !== undefined) {
    throw new Error(`${roleLogicalId} has managed policies: ${JSON.stringify(role.Properties.ManagedPolicyArns)}`);
  }
  const documents: Json[] = asArray<Json>(role.Properties.Policies).map((policy) => policy.PolicyDocument);
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') {
      continue;
    }
    const roles = asArray<Json>(resource.Properties.Roles);
    if (roles.some((ref) => ref.Ref === roleLogicalId)) {
      if (resource.Type === 'AWS::IAM::ManagedPolicy') {
        throw new Error(`${roleLogicalId} has the managed policy ${id} attached`);
      }
      documents.push(resource.Properties.PolicyDocument);
    }
  }
  return documents.flatMap((document) =>
    asArray<Json>(document.Statement).map((statement) => {
      if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
        throw new Error(
          `${roleLogicalId}: NotAction/NotResource grants more than it names: ${JSON.stringify(statement)}`,
        );
      }
      return {
        ...statement,
        Action: asArray<string>(statement.Action),
        Resource: asArray<unknown>(statement.Resource),
      } as Statement;
    }),
  );
}

export interface LeastPrivilegeSpec {
  /** Exactly the actions the role may have: nothing missing, nothing more. */
  readonly actions: readonly string[];
  /** Actions the role must never have, whatever else changes. */
  readonly forbidden: readonly string[];
  /** The only actions allowed on Resource "*" (those with no resource-level permissions). */
  readonly onAnyResource: readonly string[];
}

/** Actions no role of this project may ever hold. */
export const NEVER = ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'];

/**
 * Throws (with the reason) unless the role's permissions are exactly `spec.actions`,
 * with no wildcard action, no forbidden action, and `*` only where unavoidable.
 */
export function assertLeastPrivilege(template: Template, roleLogicalId: string, spec: LeastPrivilegeSpec): void {
  const statements = statementsOf(template, roleLogicalId);
  const granted = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') {
      continue;
    }
    for (const action of statement.Action) {
      if (action.includes('*') || action.includes('?')) {
        throw new Error(`${roleLogicalId}: wildcard action ${action}`);
      }
      granted.add(action);
      if (statement.Resource.includes('*') && !spec.onAnyResource.includes(action)) {
        throw new Error(`${roleLogicalId}: ${action} on Resource "*" although it supports resource-level permissions`);
      }
    }
  }
  for (const action of [...spec.forbidden, ...NEVER]) {
    if (granted.has(action)) {
      throw new Error(`${roleLogicalId}: forbidden action ${action}`);
    }
  }
  const extra = [...granted].filter((action) => !spec.actions.includes(action));
  const missing = spec.actions.filter((action) => !granted.has(action));
  if (extra.length > 0 || missing.length > 0) {
    throw new Error(
      `${roleLogicalId}: unexpected actions [${extra.join(', ')}], missing actions [${missing.join(', ')}]`,
    );
  }
}

/** The one Allow statement of the role granting `action`. */
export function statementGranting(template: Template, roleLogicalId: string, action: string): Statement {
  const matches = statementsOf(template, roleLogicalId).filter(
    (statement) => statement.Effect === 'Allow' && statement.Action.includes(action),
  );
  if (matches.length !== 1) {
    throw new Error(`${roleLogicalId}: expected one statement granting ${action}, found ${matches.length}`);
  }
  return matches[0]!;
}

/** Renders a CloudFormation value for comparison: `{ Ref: AWS::Partition }` becomes `<AWS::Partition>`. */
export function render(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const object = value as Json;
  if (object.Ref) {
    return `<${object.Ref}>`;
  }
  if (object['Fn::Join']) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if (object['Fn::GetAtt']) {
    return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  }
  return JSON.stringify(value);
}

/** Logical ids of every role of a template. */
export function roleIdsOf(template: Template): string[] {
  return Object.keys(template.findResources('AWS::IAM::Role'));
}

/** Whether an IAM action pattern (`kms:*`, `kms:GenerateDataKey*`, `*`) covers `action`. */
export function actionCovers(pattern: string, action: string): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);
}

/** The actions that make a key protect data: whoever may use them on a key decides whose key protects a secret. */
export const ENCRYPTING_ACTIONS = [
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptTo',
];

/**
 * Throws unless no Allow statement of any role of the template lets it encrypt under
 * keys of every account: each resource of such a statement must name one account
 * (a literal id or this stack's own), never `*`.
 */
export function assertNoEncryptionWithEveryAccountsKeys(template: Template): void {
  for (const roleId of roleIdsOf(template)) {
    for (const statement of statementsOf(template, roleId)) {
      if (statement.Effect !== 'Allow') {
        continue;
      }
      const encrypting = statement.Action.filter((pattern) => ENCRYPTING_ACTIONS.some((a) => actionCovers(pattern, a)));
      if (encrypting.length === 0) {
        continue;
      }
      for (const resource of statement.Resource.map(render)) {
        const account = resource.split(':')[4];
        if (resource === '*' || account === undefined || account === '' || /[*?]/.test(account)) {
          throw new Error(`${roleId}: ${encrypting.join(', ')} on ${resource}, keys of every account`);
        }
      }
    }
  }
}
