import { Match, Template } from 'aws-cdk-lib/assertions';
import { TARGET_KEY_ARN, singleAccountStack } from './helpers';

describe('SecretsCmkRule (single account)', () => {
  test('is a custom Lambda rule triggered by changes, oversized changes and a schedule, scoped to secrets', () => {
    // GIVEN the single-account stack with default settings
    const template = Template.fromStack(singleAccountStack());
    // THEN the rule points at the function and reacts to the three message types
    template.resourceCountIs('AWS::Config::ConfigRule', 1);
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'secrets-cmk',
      Scope: { ComplianceResourceTypes: ['AWS::SecretsManager::Secret'] },
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RuleFunction'), 'Arn'] },
        SourceDetails: [
          { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
          { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
          {
            EventSource: 'aws.config',
            MessageType: 'ScheduledNotification',
            MaximumExecutionFrequency: 'TwentyFour_Hours',
          },
        ],
      },
      MaximumExecutionFrequency: 'TwentyFour_Hours',
      // AND no parameter the user did not set
      InputParameters: Match.absent(),
    });
  });

  test('the periodic frequency is configurable', () => {
    const template = Template.fromStack(singleAccountStack({ periodicFrequency: 'Three_Hours' }));
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      MaximumExecutionFrequency: 'Three_Hours',
      Source: { SourceDetails: Match.arrayWith([Match.objectLike({ MaximumExecutionFrequency: 'Three_Hours' })]) },
    });
  });

  test('rule parameters come from context, exactly as set', () => {
    // GIVEN two of the five parameters
    const template = Template.fromStack(singleAccountStack({ kmsKeyArns: 'alias/a,alias/b', checkReplicas: 'false' }));
    // THEN only those two are passed, as strings
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      InputParameters: { kmsKeyArns: 'alias/a,alias/b', checkReplicas: 'false' },
    });
  });

  test('only AWS Config of this account may invoke the function', () => {
    // GIVEN the single-account stack
    const template = Template.fromStack(singleAccountStack());
    // THEN one permission, for config.amazonaws.com, limited to this account
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RuleFunction'), 'Arn'] },
    });
    // AND the rule waits for it (Config checks it may invoke when the rule is created)
    const permissionId = Object.keys(template.findResources('AWS::Lambda::Permission'))[0]!;
    template.hasResource('AWS::Config::ConfigRule', { DependsOn: Match.arrayWith([permissionId]) });
  });

  test('without a target key there is no remediation configuration', () => {
    const template = Template.fromStack(singleAccountStack());
    template.resourceCountIs('AWS::Config::RemediationConfiguration', 0);
  });

  test('remediation is manual by default: the re-key runbook, SecretId from the resource id', () => {
    // GIVEN a target key
    const stack = singleAccountStack({ remediationKmsKeyId: TARGET_KEY_ARN });
    const template = Template.fromStack(stack);
    // THEN the remediation runs SecretsCmk-RekeySecret on the non-compliant secret, when a human asks
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      ConfigRuleName: 'secrets-cmk',
      TargetType: 'SSM_DOCUMENT',
      TargetId: 'SecretsCmk-RekeySecret',
      ResourceType: 'AWS::SecretsManager::Secret',
      Parameters: {
        SecretId: { ResourceValue: { Value: 'RESOURCE_ID' } },
        KmsKeyId: { StaticValue: { Values: [TARGET_KEY_ARN] } },
        AutomationAssumeRole: {
          StaticValue: { Values: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^RemediationRole'), 'Arn'] }] },
        },
      },
      Automatic: false,
      MaximumAutomaticAttempts: Match.absent(),
      RetryAttemptSeconds: Match.absent(),
    });
    // AND it is created after the rule and the runbook
    const ruleId = Object.keys(template.findResources('AWS::Config::ConfigRule'))[0]!;
    const documentIds = Object.keys(template.findResources('AWS::SSM::Document'));
    const [remediation] = Object.values(template.findResources('AWS::Config::RemediationConfiguration'));
    expect(remediation?.DependsOn).toEqual(expect.arrayContaining([ruleId, ...documentIds]));
  });

  test('automatic remediation is an opt-in with attempts, retry delay and execution limits', () => {
    // GIVEN autoRemediation=true
    const template = Template.fromStack(
      singleAccountStack({
        remediationKmsKeyId: 'alias/secrets-cmk',
        autoRemediation: 'true',
        remediationMaxAttempts: '2',
      }),
    );
    // THEN
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      Automatic: true,
      MaximumAutomaticAttempts: 2,
      RetryAttemptSeconds: 600,
      ExecutionControls: { SsmControls: { ConcurrentExecutionRatePercentage: 10, ErrorPercentage: 10 } },
    });
  });
});
