/**
 * Organization deployments built the way bin/app.ts builds them (`organizationStacks`),
 * for the organization tests: both placements, any Regions, with or without cdk-nag.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readOrganizationSettings, readSettings } from '../lib/config';
import { RegionStacks, organizationStacks } from '../lib/organization/organization-app';
import { SecretsCmkMemberStack, memberStackProps } from '../lib/stacks/member-stack';
import { newApp } from './helpers';

export const ORGANIZATION_ID = 'o-a1b2c3d4e5';

/** The organization context of these tests, without a placement or Regions. */
export const ORG = { organizationId: ORGANIZATION_ID, targetOuIds: 'ou-ab12-cdef3456,ou-ab12-ghij7890' };

/** The 17 Regions the size tests deploy to (every commercial Region with AWS Config and StackSets of 2024, roughly). */
export const SEVENTEEN_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-4',
  'ap-northeast-1',
  'ap-south-1',
  'sa-east-1',
];

export interface OrganizationApp {
  readonly app: App;
  readonly regions: RegionStacks[];
}

/** The organization stacks for `context` (placement, Regions, ...) on top of `ORG`. */
export function organizationApp(context: Record<string, unknown>, options: { nag?: boolean } = {}): OrganizationApp {
  const app = newApp({ ...ORG, ...context });
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  const organization = readOrganizationSettings(app.node);
  if (!organization) {
    throw new Error('organization context missing');
  }
  const regions = organizationStacks(app, {
    settings: readSettings(app.node),
    organization,
    ...(options.nag ? { plugins: () => [new AwsSolutionsChecks()] } : {}),
  });
  return { app, regions };
}

/** The organization stack of the only (or first) Region, as a Template. */
export function organizationTemplate(context: Record<string, unknown>): { stack: RegionStacks; template: Template } {
  const [stack] = organizationApp(context).regions;
  return { stack: stack!, template: Template.fromStack(stack!.organization) };
}

/** The member stack (the StackSet template) of one Region for `context`. */
export function memberStackFor(context: Record<string, unknown>, region?: string): SecretsCmkMemberStack {
  const app = newApp({ ...ORG, ...context });
  const organization = readOrganizationSettings(app.node)!;
  return new SecretsCmkMemberStack(
    app,
    'SecretsCmkMember',
    memberStackProps(readSettings(app.node), organization, region ?? organization.deploymentRegions[0]),
  );
}
