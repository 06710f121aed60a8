import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RULE_ACTIONS_WITHOUT_RESOURCE_TYPES } from '../lib/constructs/rule-permissions';
import { RuleFunction } from '../lib/constructs/rule-function';
import {
  FIXTURE_ASSET,
  assertLeastPrivilege,
  logicalIdOf,
  organizationStack,
  render,
  singleAccountStack,
  statementGranting,
} from './helpers';
import { CENTRAL_FUNCTION_SPEC, RULE_FUNCTION_SPEC } from './role-specs';

describe('RuleFunction', () => {
  test('runs the Rust bootstrap on provided.al2023 x86_64 with 128 MB and a sweep-sized timeout', () => {
    // GIVEN the single-account stack
    const template = Template.fromStack(singleAccountStack());
    // THEN the function is the custom-runtime binary
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'provided.al2023',
      Architectures: ['x86_64'],
      Handler: 'bootstrap',
      MemorySize: 128,
      Timeout: 900,
      LoggingConfig: { LogGroup: Match.objectLike({ Ref: Match.stringLikeRegexp('LogGroup') }) },
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('has reserved concurrency, 10 by default and configurable', () => {
    // GIVEN the default and a configured value
    // THEN the function reserves that many executions: a ceiling on what invokers can cost
    Template.fromStack(singleAccountStack()).hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 10,
    });
    Template.fromStack(organizationStack({ reservedConcurrency: '40' })).hasResourceProperties(
      'AWS::Lambda::Function',
      { ReservedConcurrentExecutions: 40 },
    );
  });

  test('its log group keeps logs for the configured retention', () => {
    // GIVEN a retention of 90 days
    const template = Template.fromStack(singleAccountStack({ logRetentionDays: '90' }));
    // THEN the log group says so and is kept when the stack goes
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
    });
  });

  test('RUST_LOG and the timeout come from context; no execution role env in a single account', () => {
    const template = Template.fromStack(singleAccountStack({ rustLog: 'debug', timeoutSeconds: '300' }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      Environment: { Variables: { RUST_LOG: 'debug', SECRETS_CMK_EXECUTION_ROLE_NAME: Match.absent() } },
    });
  });

  test('its own role is least privilege: read-only evaluation, reporting, its logs', () => {
    // GIVEN the single-account stack
    const stack = singleAccountStack();
    const template = Template.fromStack(stack);
    const roleId = logicalIdOf(stack.ruleFunction.role);
    // THEN exactly the rule's actions, no managed policy, no decrypt, no secret value
    assertLeastPrivilege(template, roleId, RULE_FUNCTION_SPEC);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
    });
  });

  test('each action is scoped as narrowly as it allows', () => {
    const stack = singleAccountStack();
    const template = Template.fromStack(stack);
    const roleId = logicalIdOf(stack.ruleFunction.role);
    const resourcesOf = (action: string) => statementGranting(template, roleId, action).Resource.map(render);

    expect(resourcesOf('secretsmanager:DescribeSecret')).toEqual([
      'arn:<AWS::Partition>:secretsmanager:*:<AWS::AccountId>:secret:*',
    ]);
    expect(resourcesOf('kms:DescribeKey')).toEqual(['arn:<AWS::Partition>:kms:*:*:key/*']);
    expect(resourcesOf('config:GetComplianceDetailsByConfigRule')).toEqual([
      'arn:<AWS::Partition>:config:<AWS::Region>:<AWS::AccountId>:config-rule/*',
    ]);
    expect(resourcesOf('logs:PutLogEvents')).toEqual([expect.stringMatching(/^<RuleFunctionLogGroup\w+\.Arn>$/)]);
    for (const action of RULE_ACTIONS_WITHOUT_RESOURCE_TYPES) {
      expect(resourcesOf(action)).toEqual(['*']);
    }
  });

  test('in an organization it may assume only the named member role, inside the organization', () => {
    // GIVEN the organization stack
    const stack = organizationStack({ executionRoleName: 'AuditSecrets' });
    const template = Template.fromStack(stack);
    const roleId = logicalIdOf(stack.ruleFunction.role);
    // THEN the role adds sts:AssumeRole on that role name only, restricted to the organization
    assertLeastPrivilege(template, roleId, CENTRAL_FUNCTION_SPEC);
    const assume = statementGranting(template, roleId, 'sts:AssumeRole');
    // (the name carries the Region: IAM names are per account, the roles exist in every Region)
    expect(assume.Resource.map(render)).toEqual(['arn:<AWS::Partition>:iam::*:role/AuditSecrets-ap-southeast-2']);
    expect(assume.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } });
    // AND the function is told the role name
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { SECRETS_CMK_EXECUTION_ROLE_NAME: 'AuditSecrets-ap-southeast-2' } },
    });
  });

  test('a missing asset fails the synth with the build command', () => {
    // GIVEN an asset directory without bootstrap
    const stack = new Stack(new App(), 'S');
    // WHEN / THEN the error says how to build it
    expect(
      () =>
        new RuleFunction(stack, 'F', {
          assetPath: path.join(FIXTURE_ASSET, '..', 'no-such-asset'),
          timeout: Duration.minutes(1),
          logRetention: logs.RetentionDays.ONE_WEEK,
        }),
    ).toThrow(/cargo lambda build --release --bin secrets-cmk-rule/);
  });

  test('the role has one inline policy and nothing attached', () => {
    // GIVEN the single-account stack
    const stack = singleAccountStack();
    const template = Template.fromStack(stack);
    // THEN the function role carries exactly one inline policy, no managed or separate policy
    const role = template.toJSON().Resources[logicalIdOf(stack.ruleFunction.role)];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toHaveLength(1);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});
