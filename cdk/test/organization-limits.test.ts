/**
 * The organization deployment stays within AWS's documented limits at any size: every
 * template, StackSet body, parameter and policy document synthesized for 17 Regions, in
 * both placements, is measured against its limit (sources in docs/aws-behaviour.md,
 * "Conformance packs and organization deployment (CDK)"), and cdk-nag passes on every
 * stack. An organization of 5,000 accounts needs no input naming them, so its output is
 * the output of any other organization.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readOrganizationSettings } from '../lib/config';
import { organizationInvokePolicyDocument } from '../lib/organization/organization-invoke-policy';
import { embeddedTemplates } from '../scripts/embedded-templates';
import { newApp } from './helpers';
import { ORG, ORGANIZATION_ID, SEVENTEEN_REGIONS, memberStackFor, organizationApp } from './organization-fixtures';

/** Documented limits; where a quota was raised over time, the older, smaller value. */
const LIMITS = {
  /** CloudFormation quotas: template body in an S3 object (460,800 bytes before it became 1 MB). */
  templateInS3Bytes: 460_800,
  /** CreateStackSet TemplateBody (botocore cloudformation 2010-05-15) and template body in a request. */
  inlineTemplateBytes: 51_200,
  /** CloudFormation quotas: resources (200 before 500), parameters (60 before 200), outputs, values. */
  resources: 200,
  parameters: 60,
  outputs: 200,
  parameterValueBytes: 4_096,
  descriptionBytes: 1_024,
  /** Lambda PutResourcePolicy `Policy` (botocore lambda 2015-03-31 shape ResourcePolicy, max 20480). */
  lambdaPolicyBytes: 20_480,
};

const REMEDIATE = { remediationKmsKeyId: 'alias/secrets-cmk', autoRemediation: 'true' };
/** Every kind of trust, to make the runbooks and roles as large as they get. */
const TRUST = {
  allowedKeyAccounts: '111111111111,222222222222,333333333333',
  kmsKeyArns: 'alias/secrets-cmk,arn:aws:kms:eu-west-1:444455556666:alias/shared',
};

type Json = Record<string, any>;

function bytes(value: unknown): number {
  return Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

function assertTemplateWithinLimits(name: string, template: Json, bodyLimit: number): void {
  const measured = {
    name,
    body: bytes(template) <= bodyLimit,
    resources: Object.keys(template.Resources ?? {}).length <= LIMITS.resources,
    parameters: Object.keys(template.Parameters ?? {}).length <= LIMITS.parameters,
    outputs: Object.keys(template.Outputs ?? {}).length <= LIMITS.outputs,
    description: bytes(template.Description ?? '') <= LIMITS.descriptionBytes,
  };
  expect(measured).toEqual({ name, body: true, resources: true, parameters: true, outputs: true, description: true });
}

describe.each([
  ['members', { functionPlacement: 'members' }],
  ['central', { functionPlacement: 'central' }],
])('%s placement in 17 Regions', (_name, placement) => {
  // GIVEN the app as bin/app.ts builds it, cdk-nag registered, for 17 Regions
  const context = { ...placement, deploymentRegions: SEVENTEEN_REGIONS.join(','), ...REMEDIATE, ...TRUST };
  const { app, regions } = organizationApp(context, { nag: true });
  // WHEN it is synthesized (cdk-nag fails the synth on any unacknowledged finding)
  const assembly = app.synth();

  test('one organization stack per Region, each with a StackSet for that Region only', () => {
    expect(regions.map((r) => r.organization.region)).toEqual(SEVENTEEN_REGIONS);
    for (const { organization, region } of regions) {
      const stackSet = Object.values(Template.fromStack(organization).findResources('AWS::CloudFormation::StackSet'));
      expect(stackSet.map((s) => s.Properties.StackInstancesGroup[0].Regions)).toEqual([[region]]);
    }
  });

  test('cdk-nag AwsSolutions finds nothing on any stack, nor on the member stack (which differs by Region only in names)', () => {
    const stacks = [
      ...regions.flatMap((r) => [r.organization, ...(r.codeBucket ? [r.codeBucket] : [])]),
      ...['us-east-1', 'ap-southeast-4'].map((region) => memberStackFor(context, region)),
    ];
    for (const stack of stacks) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect({ stack: stack.stackName, violations: report.violations }).toEqual({
        stack: stack.stackName,
        violations: [],
      });
    }
    // and the synth, with the pack registered as bin/app.ts registers it, passed
    expect(assembly.stacks.length).toBe(regions.length * (placement.functionPlacement === 'members' ? 2 : 1));
  });

  test('every stack template is within the template limits', () => {
    for (const stack of assembly.stacks) {
      assertTemplateWithinLimits(stack.stackName, stack.template, LIMITS.templateInS3Bytes);
    }
  });

  test('every StackSet body is within the inline limits, and every parameter value within its size', () => {
    for (const stack of assembly.stacks) {
      for (const embedded of embeddedTemplates(stack.template)) {
        assertTemplateWithinLimits(
          `${stack.stackName} ${embedded.logicalId}`,
          JSON.parse(embedded.body),
          LIMITS.inlineTemplateBytes,
        );
        expect(bytes(embedded.body)).toBeLessThanOrEqual(LIMITS.inlineTemplateBytes);
      }
      const stackSets = Object.values<Json>(stack.template.Resources).filter(
        (r) => r.Type === 'AWS::CloudFormation::StackSet',
      );
      for (const parameter of stackSets.flatMap((s) => s.Properties.Parameters)) {
        expect(bytes(parameter.ParameterValue)).toBeLessThanOrEqual(LIMITS.parameterValueBytes);
      }
    }
  });

  test('no organization conformance pack, and at most one Config invoke grant per template', () => {
    for (const stack of assembly.stacks) {
      const types = Object.values<Json>(stack.template.Resources).map((r) => r.Type);
      expect(types).not.toContain('AWS::Config::OrganizationConformancePack');
      const grants = types.filter((t) => t === 'AWS::Lambda::Permission' || t === 'AWS::Lambda::ResourcePolicy');
      expect(grants.length).toBeLessThanOrEqual(1);
    }
  });
});

test('the organization invoke policy, at its longest, is within Lambda 20 KB policy limit', () => {
  // GIVEN the longest function ARN there is (partition, Region, 64-character name)
  const arn = `arn:aws-us-gov:lambda:ap-southeast-4:123456789012:function:${'F'.repeat(64)}`;
  // WHEN the one statement is built for an organization id of the longest form
  const policy = organizationInvokePolicyDocument(arn, `o-${'a'.repeat(32)}`);
  // THEN it is one statement, a few hundred bytes, whatever the number of accounts
  expect((policy as Json).Statement).toHaveLength(1);
  expect(bytes(policy)).toBeLessThanOrEqual(LIMITS.lambdaPolicyBytes);
  expect(bytes(policy)).toBeLessThan(1_000);
});

describe('an organization of 5,000 accounts', () => {
  const accounts = Array.from({ length: 5000 }, (_, i) => String(100000000000 + i));

  test('needs no account list: one is refused, with the reason', () => {
    // GIVEN the old per-account list
    const app = newApp({ ...ORG, deploymentRegions: 'eu-west-1', memberAccountIds: accounts.join(',') });
    // WHEN / THEN the synth stops and says the list is no longer used
    expect(() => readOrganizationSettings(app.node)).toThrow(/"memberAccountIds": is no longer used/);
  });

  test.each([['members'], ['central']])(
    '%s: no template names an account, so the output is the same for any number of them',
    (functionPlacement) => {
      // GIVEN an organization deployment without key trust (which names accounts on purpose)
      const { app } = organizationApp({ functionPlacement, deploymentRegions: 'eu-west-1,us-east-1', ...REMEDIATE });
      // WHEN it is synthesized
      // (the code object's key is a content hash, whose digits are no account)
      const templates = app
        .synth()
        .stacks.map((stack) => JSON.stringify(stack.template).replace(/secrets-cmk-rule\/[0-9a-f]{64}\.zip/g, ''));
      // THEN no 12-digit account id appears anywhere, the organization id bounds access instead
      for (const text of templates) {
        expect(text.match(/(?<!\d)\d{12}(?!\d)/g)).toBeNull();
      }
      expect(templates.some((text) => text.includes(ORGANIZATION_ID))).toBe(true);
    },
  );
});
