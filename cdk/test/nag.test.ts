/**
 * cdk-nag AwsSolutions passes on every stack, each acknowledgement is needed (none
 * is stale or misspelt) and carries a reason, and an unacknowledged finding fails
 * the synth.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { readSettings } from '../lib/config';
import { SecretsCmkStack } from '../lib/stacks/single-account-stack';
import {
  TARGET_KEY_ARN,
  accountPackStack,
  memberStack,
  newApp,
  organizationStack,
  singleAccountStack,
} from './helpers';

const FULL = { remediationKmsKeyId: TARGET_KEY_ARN, autoRemediation: 'true' };
/** Every kind of trusted key: an allowed account, an approved key ARN, alias name and alias ARN. */
const TRUST = {
  allowedKeyAccounts: '111111111111',
  kmsKeyArns: `${TARGET_KEY_ARN},alias/secrets-cmk,arn:aws:kms:ap-southeast-2:444455556666:alias/shared`,
};

/** The opt-in audit role with every grant (and so every acknowledgement) it can have. */
const AUDIT = { auditPrincipalArns: 'arn:aws:iam::111122223333:role/SecurityAudit', auditImportsToSecurityHub: 'true' };

const stacks: Array<[string, () => Stack]> = [
  ['SecretsCmk', () => singleAccountStack(FULL)],
  ['SecretsCmk with trust', () => singleAccountStack({ ...FULL, ...TRUST })],
  ['SecretsCmkAccountPack', () => accountPackStack(FULL)],
  ['SecretsCmkOrganization', () => organizationStack(FULL)],
  ['SecretsCmkMember', () => memberStack()],
  ['SecretsCmkMember with trust', () => memberStack(TRUST)],
  ['SecretsCmkMember with the audit role', () => memberStack(AUDIT)],
  ['SecretsCmkOrganization with the aggregator', () => organizationStack({ organizationAggregator: 'secrets-cmk' })],
];

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

function acknowledgementsIn(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        // Stored as `Annotation::<rule id>`.
        Object.entries(entry.data as Record<string, string>).map(([key, reason]) => ({
          path: construct.node.path,
          id: key.replace(/^Annotation::/, ''),
          reason,
        })),
      ),
  );
}

describe.each(stacks)('cdk-nag AwsSolutions on %s', (_name, build) => {
  test('finds nothing unacknowledged', () => {
    // WHEN the pack checks the stack
    const report = new AwsSolutionsChecks().validateScope(build());
    // THEN there is no violation
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('every acknowledgement is needed and explains itself', () => {
    // GIVEN the stack's acknowledgements
    const stack = build();
    const acknowledgements = acknowledgementsIn(stack);
    // WHEN the pack runs as if nothing were acknowledged
    const spy = jest.spyOn(NagPack.prototype as any, 'isAcknowledged').mockReturnValue(false);
    let violations;
    try {
      violations = new AwsSolutionsChecks().validateScope(stack).violations;
    } finally {
      spy.mockRestore();
    }
    // THEN each acknowledgement silences a finding on its own construct
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      const silenced = violations.find(
        (violation) =>
          violation.ruleName === ack.id &&
          violation.violatingResources.some((r) => (r.constructPath ?? '').startsWith(`${ack.path}/`)),
      );
      expect({ ...ack, silenced: silenced !== undefined }).toEqual({ ...ack, silenced: true });
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});

function appWithPack(context: Record<string, unknown>): { app: App; stack: SecretsCmkStack } {
  const app = newApp(context);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack: new SecretsCmkStack(app, 'SecretsCmk', { settings: readSettings(app.node) }) };
}

test('synthesis passes with the pack registered as bin/app.ts registers it', () => {
  // GIVEN the single-account stack in an app with the pack
  const { app } = appWithPack(FULL);
  // WHEN / THEN synthesis passes validation
  expect(() => app.synth()).not.toThrow();
});

test('an unacknowledged wildcard fails the synth', () => {
  // GIVEN a wildcard grant added to the function role
  const { app, stack } = appWithPack({});
  stack.ruleFunction.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:*'], resources: ['*'] }),
  );
  // WHEN / THEN the synth fails on the finding
  expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Action::secretsmanager:\*\]/);
});
