import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  ContextError,
  DEFAULT_ASSET_PATH,
  DEFAULT_AUDIT_ROLE_NAME,
  readOrganizationSettings,
  readRuleParameters,
  readSettings,
  type ContextSource,
} from '../lib/config';

function context(values: Record<string, unknown>): ContextSource {
  return { tryGetContext: (key: string) => values[key] };
}

describe('rule parameters from context', () => {
  test('unset parameters are omitted', () => {
    // GIVEN no rule parameter in context
    // WHEN the parameters are read
    const parameters = readRuleParameters(context({}));
    // THEN none is passed to AWS Config
    expect(parameters).toEqual({});
  });

  test('set parameters keep their exact names and string values', () => {
    // GIVEN every parameter, booleans as cdk.json would hold them
    const parameters = readRuleParameters(
      context({
        kmsKeyArns: ' arn:aws:kms:us-east-1:111111111111:key/abc , alias/secrets ',
        checkReplicas: false,
        requireEnabledKey: 'true',
        exemptionTagKey: 'secrets-cmk:exempt',
        executionRoleName: 'AuditRole',
        allowedKeyAccounts: ' 222222222222, 333333333333,222222222222',
      }),
    );
    // THEN each is a string, the lists trimmed and without duplicates
    expect(parameters).toEqual({
      kmsKeyArns: 'arn:aws:kms:us-east-1:111111111111:key/abc,alias/secrets',
      checkReplicas: 'false',
      requireEnabledKey: 'true',
      exemptionTagKey: 'secrets-cmk:exempt',
      executionRoleName: 'AuditRole',
      allowedKeyAccounts: '222222222222,333333333333',
    });
  });

  test.each([
    ['12345'],
    ['1111222233334'],
    ['111122223333,'],
    ['111122223333,abcdefabcdef'],
    ['111122223333;444455556666'],
  ])('allowedKeyAccounts %j is refused, naming the context value', (value) => {
    // GIVEN an item that is not exactly 12 digits
    // WHEN / THEN the synth stops with an error naming allowedKeyAccounts
    expect(() => readRuleParameters(context({ allowedKeyAccounts: value }))).toThrow(
      /context "allowedKeyAccounts": ".*" is not a 12-digit account id/,
    );
  });

  test.each([
    ['alias/aws/secretsmanager', /AWS managed key/],
    ['arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager', /AWS managed key/],
    ['1234abcd-12ab-34cd-56ef-1234567890ab', /not a key ARN, an alias ARN or an alias name/],
    ['secrets-cmk', /not a key ARN/],
  ])('kmsKeyArns %j is refused like the rule refuses it', (value, message) => {
    expect(() => readRuleParameters(context({ kmsKeyArns: value }))).toThrow(/context "kmsKeyArns"/);
    expect(() => readRuleParameters(context({ kmsKeyArns: value }))).toThrow(message);
  });

  test('a malformed boolean names its key', () => {
    // GIVEN checkReplicas=yes
    // WHEN / THEN the error names the key
    expect(() => readRuleParameters(context({ checkReplicas: 'yes' }))).toThrow(/context "checkReplicas"/);
  });

  test('an invalid execution role name is refused', () => {
    expect(() => readRuleParameters(context({ executionRoleName: 'no spaces allowed' }))).toThrow(ContextError);
  });
});

describe('deployment settings', () => {
  test('defaults', () => {
    // GIVEN an empty context and environment
    // WHEN the settings are read
    const settings = readSettings(context({}), {});
    // THEN the documented defaults apply and there is no remediation target
    expect(settings.assetPath).toBe(DEFAULT_ASSET_PATH);
    expect(settings.ruleName).toBe('secrets-cmk');
    expect(settings.periodicFrequency).toBe('TwentyFour_Hours');
    expect(settings.functionTimeout.toSeconds()).toBe(Duration.minutes(15).toSeconds());
    expect(settings.logRetention).toBe(logs.RetentionDays.ONE_YEAR);
    expect(settings.remediationRoleName).toBe('SecretsCmkRemediation');
    expect(settings.restoreRoleName).toBe('SecretsCmkRestore');
    expect(settings.reservedConcurrency).toBe(10);
    expect(settings.keyTrust).toEqual({ allowedKeyAccounts: [] });
    expect(settings.remediation).toBeUndefined();
    expect(settings.rustLog).toBeUndefined();
  });

  test('the asset path comes from context first, then SECRETS_CMK_ASSET', () => {
    expect(readSettings(context({}), { SECRETS_CMK_ASSET: '/env/asset' }).assetPath).toBe('/env/asset');
    expect(readSettings(context({ assetPath: '/ctx/asset' }), { SECRETS_CMK_ASSET: '/env/asset' }).assetPath).toBe(
      '/ctx/asset',
    );
  });

  test('remediation targets the first approved key unless told otherwise, manual by default', () => {
    // GIVEN approved keys and no explicit remediation key
    const settings = readSettings(context({ kmsKeyArns: 'alias/first,alias/second' }), {});
    // THEN the first key is the target, and a human starts each remediation
    expect(settings.remediation).toEqual({
      targetKmsKeyId: 'alias/first',
      automatic: false,
      maximumAutomaticAttempts: 5,
      retryAttemptSeconds: 600,
    });
  });

  test('automatic remediation is an explicit opt-in with bounded attempts', () => {
    const settings = readSettings(
      context({
        remediationKmsKeyId: 'alias/target',
        autoRemediation: 'true',
        remediationMaxAttempts: '3',
        remediationRetrySeconds: 900,
      }),
      {},
    );
    expect(settings.remediation).toEqual({
      targetKmsKeyId: 'alias/target',
      automatic: true,
      maximumAutomaticAttempts: 3,
      retryAttemptSeconds: 900,
    });
    expect(() => readSettings(context({ remediationKmsKeyId: 'alias/t', remediationMaxAttempts: '26' }), {})).toThrow(
      /remediationMaxAttempts/,
    );
  });

  test('automatic remediation without a target key is refused', () => {
    expect(() => readSettings(context({ autoRemediation: 'true' }), {})).toThrow(/context "autoRemediation"/);
  });

  test('an AWS managed key cannot be the remediation target', () => {
    expect(() => readSettings(context({ remediationKmsKeyId: 'alias/aws/secretsmanager' }), {})).toThrow(/AWS managed/);
  });

  test('the key trust comes from allowedKeyAccounts and kmsKeyArns', () => {
    const settings = readSettings(context({ allowedKeyAccounts: '222222222222', kmsKeyArns: 'alias/a,alias/b' }), {});
    expect(settings.keyTrust).toEqual({ allowedKeyAccounts: ['222222222222'], approvedKeys: ['alias/a', 'alias/b'] });
  });

  test('the restore role needs a name of its own', () => {
    expect(readSettings(context({ restoreRoleName: 'Backout' }), {}).restoreRoleName).toBe('Backout');
    expect(() => readSettings(context({ restoreRoleName: 'SecretsCmkRemediation' }), {})).toThrow(
      /context "restoreRoleName": "SecretsCmkRemediation" is already the name of the remediation role/,
    );
    expect(() => readSettings(context({ remediationRoleName: 'Same', restoreRoleName: 'Same' }), {})).toThrow(
      /restoreRoleName/,
    );
    expect(() => readSettings(context({ restoreRoleName: 'SecretsCmkRuleExecution' }), {})).toThrow(
      /rule execution role/,
    );
  });

  test('reserved concurrency is configurable within bounds', () => {
    expect(readSettings(context({ reservedConcurrency: 25 }), {}).reservedConcurrency).toBe(25);
    for (const value of ['0', '1001', 'many', '-1']) {
      expect(() => readSettings(context({ reservedConcurrency: value }), {})).toThrow(/context "reservedConcurrency"/);
    }
  });

  test('a remediation key ARN outside approved key ARNs is refused at synth', () => {
    const approved = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(() =>
      readSettings(
        context({ kmsKeyArns: approved, remediationKmsKeyId: approved.replace('1234abcd', '99999999') }),
        {},
      ),
    ).toThrow(/context "remediationKmsKeyId".*not one of kmsKeyArns/);
    expect(readSettings(context({ kmsKeyArns: approved }), {}).remediation?.targetKmsKeyId).toBe(approved);
  });

  test('frequency and log retention must be values AWS accepts', () => {
    expect(readSettings(context({ periodicFrequency: 'Six_Hours' }), {}).periodicFrequency).toBe('Six_Hours');
    expect(() => readSettings(context({ periodicFrequency: 'Hourly' }), {})).toThrow(/periodicFrequency/);
    expect(() => readSettings(context({ logRetentionDays: '42' }), {})).toThrow(/logRetentionDays/);
  });
});

describe('organization settings', () => {
  test('absent without an organization id', () => {
    expect(readOrganizationSettings(context({}))).toBeUndefined();
  });

  test('parsed with defaults', () => {
    // GIVEN the organization, its OUs and Regions (a Region listed twice)
    const organization = readOrganizationSettings(
      context({
        organizationId: 'o-a1b2c3d4e5',
        targetOuIds: 'ou-ab12-cdef3456',
        deploymentRegions: ['eu-west-1', 'us-east-1', 'eu-west-1'],
      }),
    );
    // THEN the function runs in the member accounts, the execution role has its default name, duplicates are dropped
    expect(organization).toEqual({
      organizationId: 'o-a1b2c3d4e5',
      targetOuIds: ['ou-ab12-cdef3456'],
      functionPlacement: 'members',
      deploymentRegions: ['eu-west-1', 'us-east-1'],
      executionRoleName: 'SecretsCmkRuleExecution',
      callAs: 'SELF',
      excludedAccountIds: [],
    });
  });

  const ORG = { organizationId: 'o-a1b2c3d4e5', targetOuIds: 'ou-ab12-cdef3456', deploymentRegions: 'eu-west-1' };
  test.each([
    [{ organizationId: 'org-1' }, /organizationId/],
    [{ organizationId: 'o-a1b2c3d4e5' }, /targetOuIds/],
    [{ organizationId: 'o-a1b2c3d4e5', targetOuIds: 'ou-ab12-cdef3456' }, /deploymentRegions/],
    [{ ...ORG, memberAccountIds: '111111111111' }, /"memberAccountIds": is no longer used/],
    [{ ...ORG, targetOuIds: 'sales' }, /targetOuIds/],
    [{ ...ORG, deploymentRegions: 'eu-west-1,Ireland' }, /"Ireland" is not a Region name/],
    [{ ...ORG, functionPlacement: 'everywhere' }, /functionPlacement/],
    [{ ...ORG, callAs: 'ADMIN' }, /callAs/],
    [{ ...ORG, remediationRoleName: 'R'.repeat(60) }, /remediationRoleName.*64 characters/],
  ])('refuses %j', (values, message) => {
    expect(() => readOrganizationSettings(context(values))).toThrow(message);
  });
});

describe('organization audit role and aggregator', () => {
  const ORG = { organizationId: 'o-a1b2c3d4e5', targetOuIds: 'ou-ab12-cdef3456', deploymentRegions: 'eu-west-1' };
  const AUDITOR = 'arn:aws:iam::111122223333:role/SecurityAudit';
  const read = (values: Record<string, unknown>) => readOrganizationSettings(context({ ...ORG, ...values }))!;

  test('neither without their context values', () => {
    const organization = read({});
    expect(organization.audit).toBeUndefined();
    expect(organization.aggregatorName).toBeUndefined();
  });

  test('the audit role: principals trimmed and deduplicated, the default name, no Security Hub import', () => {
    // GIVEN a role and a user (a path included) of one account, one listed twice
    const user = 'arn:aws:iam::111122223333:user/ops/auditor';
    const organization = read({ auditPrincipalArns: ` ${AUDITOR}, ${user},${AUDITOR}` });
    // THEN each is trusted once, under the default name
    expect(organization.audit).toEqual({
      principalArns: [AUDITOR, user],
      roleName: DEFAULT_AUDIT_ROLE_NAME,
      importsToSecurityHub: false,
    });
    expect(DEFAULT_AUDIT_ROLE_NAME).toBe('SecretsCmkAudit');
  });

  test('the audit role: its own name, the Security Hub import, a list from cdk.json', () => {
    const organization = read({
      auditPrincipalArns: [AUDITOR, 'arn:aws:iam::111122223333:role/x'],
      auditRoleName: 'OrgSecretsAudit',
      auditImportsToSecurityHub: true,
    });
    expect(organization.audit).toEqual({
      principalArns: [AUDITOR, 'arn:aws:iam::111122223333:role/x'],
      roleName: 'OrgSecretsAudit',
      importsToSecurityHub: true,
    });
  });

  test.each([
    [
      { auditPrincipalArns: '111122223333' },
      /"auditPrincipalArns": "111122223333" is not the ARN of an IAM role or user/,
    ],
    [{ auditPrincipalArns: 'arn:aws:iam::111122223333:root' }, /"auditPrincipalArns": .* is a whole account/],
    [{ auditPrincipalArns: 'arn:aws:iam::111122223333:role/*' }, /is not the ARN of an IAM role or user/],
    [{ auditPrincipalArns: 'arn:aws:iam::1111:role/Audit' }, /is not the ARN of an IAM role or user/],
    [{ auditPrincipalArns: 'arn:aws:iam::111122223333:group/Auditors' }, /is not the ARN of an IAM role or user/],
    [
      { auditPrincipalArns: 'arn:aws:sts::111122223333:assumed-role/Audit/session' },
      /is not the ARN of an IAM role or user/,
    ],
    [{ auditPrincipalArns: `arn:aws:iam::111122223333:role/${'R'.repeat(65)}` }, /is not the ARN of an IAM role/],
    [
      { auditPrincipalArns: `${AUDITOR},arn:aws:iam::444455556666:role/SecurityAudit` },
      /"auditPrincipalArns": the principals are in arn:aws:iam::111122223333, arn:aws:iam::444455556666: name principals of one account/,
    ],
    [{ auditRoleName: 'OrgSecretsAudit' }, /"auditRoleName": needs "auditPrincipalArns"/],
    [{ auditImportsToSecurityHub: 'true' }, /"auditImportsToSecurityHub": needs "auditPrincipalArns"/],
    [{ auditPrincipalArns: AUDITOR, auditImportsToSecurityHub: 'yes' }, /"auditImportsToSecurityHub": expected "true"/],
    [
      { auditPrincipalArns: AUDITOR, auditRoleName: 'Org Audit' },
      /"auditRoleName": "Org Audit" is not a valid IAM role name/,
    ],
    [
      { auditPrincipalArns: AUDITOR, auditRoleName: 'SecretsCmkRemediation-eu-west-1' },
      /"auditRoleName": "SecretsCmkRemediation-eu-west-1" is already the name of another role/,
    ],
    [
      { auditPrincipalArns: AUDITOR, auditRoleName: 'secretscmkrestore' },
      /"auditRoleName": "secretscmkrestore" is already the name of another role/,
    ],
  ])('the audit role refuses %j', (values, message) => {
    expect(() => read(values)).toThrow(message);
  });

  test('the aggregator name: letters, digits, - and _, up to 256', () => {
    expect(read({ organizationAggregator: 'secrets-cmk_Org-1' }).aggregatorName).toBe('secrets-cmk_Org-1');
    expect(read({ organizationAggregator: 'a'.repeat(256) }).aggregatorName).toBe('a'.repeat(256));
  });

  test.each([['a'.repeat(257)], ['secrets cmk'], ['secrets.cmk'], ['ünicode']])(
    'the aggregator name %j is refused, naming the context value',
    (name) => {
      expect(() => read({ organizationAggregator: name })).toThrow(
        /context "organizationAggregator": ".*" is not a Config aggregator name \(1 to 256 letters, digits, - and _\)/,
      );
    },
  );
});
