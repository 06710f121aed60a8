/**
 * The organization stacks of the app, one set per deployment Region: the code bucket
 * (`members`), then the organization stack with the Region's StackSet. bin/app.ts and the
 * tests build them through this one function, so the tests see what `cdk deploy` deploys.
 */
import { App, IPolicyValidationPlugin } from 'aws-cdk-lib';
import type { OrganizationSettings, SecretsCmkSettings } from '../config';
import { SecretsCmkCodeBucketStack } from '../stacks/code-bucket-stack';
import { memberStackProps, synthesizeMemberTemplate } from '../stacks/member-stack';
import { SecretsCmkOrganizationStack } from '../stacks/organization-stack';
import { codeBucketStackId, organizationStackId } from './naming';

export interface OrganizationStacksOptions {
  /** The deploying account, when known (`CDK_DEFAULT_ACCOUNT`). */
  readonly account?: string;
  readonly settings: SecretsCmkSettings;
  readonly organization: OrganizationSettings;
  /** Fresh validation plugins (cdk-nag) for each isolated member synthesis. */
  readonly plugins?: () => IPolicyValidationPlugin[];
}

/** The stacks of one Region. */
export interface RegionStacks {
  readonly region: string;
  readonly codeBucket?: SecretsCmkCodeBucketStack;
  readonly organization: SecretsCmkOrganizationStack;
  readonly memberTemplate: Record<string, unknown>;
}

/** Adds every Region's organization stacks to `app`. */
export function organizationStacks(app: App, options: OrganizationStacksOptions): RegionStacks[] {
  const { settings, organization } = options;
  return organization.deploymentRegions.map((region) => {
    const env = { account: options.account, region };
    const memberTemplate = synthesizeMemberTemplate(memberStackProps(settings, organization, region), {
      context: app.node.getAllContext(),
      ...(options.plugins ? { plugins: options.plugins() } : {}),
    });
    const codeBucket =
      organization.functionPlacement === 'members'
        ? new SecretsCmkCodeBucketStack(app, codeBucketStackId(region), {
            env,
            region,
            organizationId: organization.organizationId,
            assetPath: settings.assetPath,
          })
        : undefined;
    const stack = new SecretsCmkOrganizationStack(app, organizationStackId(region), {
      env,
      settings,
      organization,
      region,
      memberTemplate,
    });
    if (codeBucket) {
      // Deployment order only: the code must be uploaded in between (cdk/README.md).
      stack.addStackDependency(codeBucket, 'the member functions read their code from this bucket');
    }
    return { region, organization: stack, memberTemplate, ...(codeBucket ? { codeBucket } : {}) };
  });
}
