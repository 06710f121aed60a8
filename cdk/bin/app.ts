#!/usr/bin/env node
/**
 * The secrets-cmk CDK app: wiring only. Settings come from context (see README.md);
 * cdk-nag's AwsSolutions checks run on every stack, the member templates included.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readOrganizationSettings, readSettings } from '../lib/config';
import { organizationStacks } from '../lib/organization/organization-app';
import { SecretsCmkAccountPackStack } from '../lib/stacks/account-pack-stack';
import { SecretsCmkStack } from '../lib/stacks/single-account-stack';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
const settings = readSettings(app.node);

new SecretsCmkStack(app, 'SecretsCmk', { env, settings });
new SecretsCmkAccountPackStack(app, 'SecretsCmkAccountPack', { env, settings });

const organization = readOrganizationSettings(app.node);
if (organization) {
  organizationStacks(app, { account: env.account, settings, organization, plugins: () => [new AwsSolutionsChecks()] });
}
