/**
 * The SecretsCmkAspect: the decision table on a construct tree before deployment.
 *
 * - our own stacks carry no finding (and a secret added to one does);
 * - every case of the shared corpus (contract/templates/cases.json) that needs no lookup,
 *   loaded with CfnInclude: the verdict and row cases.json states;
 * - what only a construct tree shows: L2 secrets, kms.Key and kms.Alias, replicas,
 *   Tags.of, property overrides, cross-stack keys, stack environments;
 * - the options, validated as the rule validates its parameters;
 * - the row table, the same as rule-core's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, App, CfnCondition, CfnParameter, Fn, NestedStack, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import rowsJson from '../../contract/rows.json';
import { ROWS } from '../lib/aspects/rows';
import {
  NOT_VERIFIABLE_WARNING,
  SecretsCmkAspect,
  type SecretsCmkAspectOptions,
} from '../lib/aspects/secrets-cmk-aspect';
import { readSettings } from '../lib/config';
import { type Finding, findingAt, findingsOf, levelOf } from './aspect-findings';
import { accountPackStack, memberStack, newApp, organizationStack, singleAccountStack } from './helpers';

const CORPUS = path.join(__dirname, '..', '..', 'contract', 'templates');
const OWN_ENV = { account: '111122223333', region: 'eu-west-1' };
const FOREIGN_KEY = 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A stack in a new app, the Aspect applied to the app with `options`. */
function stackWithAspect(options: SecretsCmkAspectOptions = {}, env?: typeof OWN_ENV): Stack {
  const app = new App();
  SecretsCmkAspect.applyTo(app, options);
  return new Stack(app, 'S', env ? { env } : {});
}

function expectFinding(finding: Finding, compliance: Finding['compliance'], row: string | null, text?: RegExp): void {
  expect({ compliance: finding.compliance, row: finding.row, level: finding.level }).toEqual({
    compliance,
    row,
    level: levelOf(compliance),
  });
  if (text) {
    expect(finding.text).toMatch(text);
  }
}

describe('our own stacks', () => {
  const builders = { singleAccountStack, accountPackStack, organizationStack, memberStack };

  test.each(Object.entries(builders))(
    'GIVEN %s WHEN the Aspect is applied THEN no stack of the app has a finding',
    (_, build) => {
      // GIVEN
      const stack = build();
      // WHEN
      SecretsCmkAspect.applyTo(stack.node.root);
      // THEN
      const stacks = stack.node.root.node.findAll().filter((c): c is Stack => Stack.isStack(c));
      expect(stacks.length).toBeGreaterThan(0);
      for (const each of stacks) {
        expect([...findingsOf(each).entries()]).toEqual([]);
      }
    },
  );

  test('GIVEN the single-account stack with a secret on the default key WHEN synthesized with the Aspect THEN the synth fails on that secret, row 4', () => {
    // GIVEN
    const stack = singleAccountStack();
    new secretsmanager.Secret(stack, 'Added');
    // WHEN
    SecretsCmkAspect.applyTo(stack.node.root);
    // THEN: cdk.json makes an error annotation fail the synth, naming the construct
    expect(() => (stack.node.root as App).synth()).toThrow(
      /\[secrets-cmk\] NON_COMPLIANT \(row 4, default key\)[\s\S]*SecretsCmk\/Added\/Resource/,
    );
  });
});

interface CorpusCase {
  readonly template: string;
  readonly logical_id: string;
  readonly resource_type: string;
  readonly parameters: SecretsCmkAspectOptions;
  readonly resolve: boolean;
  readonly compliance: Finding['compliance'];
  readonly row: string | null;
  readonly why: string;
}

interface Corpus {
  readonly format: number;
  readonly cases: readonly CorpusCase[];
  readonly not_reported: readonly { template: string; logical_id: string }[];
  readonly errors: readonly { template: string }[];
}

describe('the shared template corpus (contract/templates/cases.json)', () => {
  const corpus = JSON.parse(fs.readFileSync(path.join(CORPUS, 'cases.json'), 'utf8')) as Corpus;
  // A lookup (--resolve) is beyond an Aspect; a file refused as a whole is the CLI's reader's case.
  const offline = corpus.cases.filter((c) => !c.resolve);
  const groups = new Map<string, CorpusCase[]>();
  for (const c of offline) {
    const key = JSON.stringify([c.template, c.parameters]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }

  test('GIVEN cases.json WHEN read THEN it is format 1 with offline cases of every template', () => {
    expect(corpus.format).toBe(1);
    expect(new Set(offline.map((c) => c.template)).size).toBeGreaterThanOrEqual(5);
  });

  test.each([...groups.entries()].map(([key, cases]) => [key, cases] as const))(
    'GIVEN %s loaded with CfnInclude WHEN the Aspect is applied THEN each case has its verdict and row',
    (key, cases) => {
      // GIVEN
      const [template, parameters] = JSON.parse(key) as [string, SecretsCmkAspectOptions];
      const app = new App();
      const stack = new Stack(app, 'Corpus');
      // The corpus is about keys: an empty KmsKeyId on purpose (F3017), minimal databases
      // (E3002 user name, W9008 storage encryption) that CloudFormation's checks warn about.
      for (const id of ['F3017', 'E3002', 'W9008']) {
        Validations.of(stack).acknowledge({ id: `CloudFormation-Validate::${id}`, reason: 'a corpus case' });
      }
      new CfnInclude(stack, 'Template', { templateFile: path.join(CORPUS, template) });
      // WHEN
      SecretsCmkAspect.applyTo(app, parameters);
      // THEN
      const findings = findingsOf(stack);
      for (const c of cases) {
        const finding = findingAt(findings, `/Corpus/Template/${c.logical_id}`);
        expect({ case: c.logical_id, compliance: finding.compliance, row: finding.row, level: finding.level }).toEqual({
          case: c.logical_id,
          compliance: c.compliance,
          row: c.row,
          level: levelOf(c.compliance),
        });
      }
      if (Object.keys(parameters).length === 0) {
        // With the defaults, cases.json lists every resource judged.
        expect([...findings.keys()].sort()).toEqual(cases.map((c) => `/Corpus/Template/${c.logical_id}`).sort());
        for (const quiet of corpus.not_reported.filter((n) => n.template === template)) {
          expect(findings.get(`/Corpus/Template/${quiet.logical_id}`)).toBeUndefined();
        }
      }
    },
  );
});

describe('constructs', () => {
  test('GIVEN an L2 Secret without a key WHEN synthesized THEN row 4 is an error on its CfnSecret', () => {
    const stack = stackWithAspect();
    new secretsmanager.Secret(stack, 'Secret');
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'NON_COMPLIANT', '4', /aws\/secretsmanager/);
  });

  test('GIVEN a Secret on a kms.Key of the stack WHEN synthesized THEN it is COMPLIANT, naming the key', () => {
    const stack = stackWithAspect();
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new kms.Key(stack, 'Key') });
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'COMPLIANT', '12', /S\/Key\/Resource/);
  });

  test.each([
    [{}, 'NON_COMPLIANT', '8'],
    [{ requireEnabledKey: false }, 'COMPLIANT', '12'],
  ] as const)(
    'GIVEN a Secret on a kms.Key with enabled: false and %j WHEN synthesized THEN %s row %s',
    (options, compliance, row) => {
      const stack = stackWithAspect(options);
      new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new kms.Key(stack, 'Key', { enabled: false }) });
      expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), compliance, row);
    },
  );

  test('GIVEN a Secret on a kms.Alias of the stack WHEN synthesized THEN the alias target decides: COMPLIANT', () => {
    const stack = stackWithAspect();
    const key = new kms.Key(stack, 'Key');
    new secretsmanager.Secret(stack, 'Secret', {
      encryptionKey: new kms.Alias(stack, 'Alias', { aliasName: 'alias/app', targetKey: key }),
    });
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'COMPLIANT', '12', /S\/Key\/Resource/);
  });

  test.each([
    ['alias/secrets-cmk-app', 'COMPLIANT', '12'],
    [FOREIGN_KEY, null, null],
  ] as const)(
    'GIVEN kmsKeyArns %s and a Secret on the app key behind alias/secrets-cmk-app WHEN synthesized THEN %s',
    (approved, compliance, row) => {
      const stack = stackWithAspect({ kmsKeyArns: approved, allowedKeyAccounts: '444455556666' });
      const key = new kms.Key(stack, 'Key');
      new kms.Alias(stack, 'Alias', { aliasName: 'alias/secrets-cmk-app', targetKey: key });
      new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
      expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), compliance, row);
    },
  );

  test('GIVEN a Secret on the imported alias alias/aws/secretsmanager WHEN synthesized THEN row 5', () => {
    const stack = stackWithAspect();
    new secretsmanager.Secret(stack, 'Secret', {
      encryptionKey: kms.Alias.fromAliasName(stack, 'Aws', 'alias/aws/secretsmanager'),
    });
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'NON_COMPLIANT', '5');
  });

  test("GIVEN a replica on the stack's kms.Alias WHEN synthesized THEN row 11: the alias ARN names the stack's Region (5b)", () => {
    const stack = stackWithAspect();
    const key = new kms.Key(stack, 'Key');
    const alias = new kms.Alias(stack, 'Alias', { aliasName: 'alias/app', targetKey: key });
    new secretsmanager.Secret(stack, 'Secret', {
      encryptionKey: key,
      replicaRegions: [{ region: 'eu-central-1', encryptionKey: alias }],
    });
    expectFinding(
      findingAt(findingsOf(stack), '/S/Secret/Resource'),
      'NON_COMPLIANT',
      '11',
      /Replica in eu-central-1: .*not the secret's Region eu-central-1/,
    );
  });

  test('GIVEN a key in another stack of the same environment WHEN synthesized THEN it is the key of the secret: COMPLIANT', () => {
    const app = new App();
    SecretsCmkAspect.applyTo(app);
    const keys = new Stack(app, 'Keys', { env: OWN_ENV });
    const key = new kms.Key(keys, 'Key');
    const stack = new Stack(app, 'S', { env: OWN_ENV });
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'COMPLIANT', '12', /Keys\/Key\/Resource/);
  });

  test('GIVEN a key of the parent stack used in a nested stack WHEN synthesized THEN it is in the same account and Region: COMPLIANT', () => {
    const stack = stackWithAspect();
    const key = new kms.Key(stack, 'Key');
    const nested = new NestedStack(stack, 'Nested');
    new secretsmanager.Secret(nested, 'Secret', { encryptionKey: key });
    expectFinding(findingAt(findingsOf(stack), '/S/Nested/Secret/Resource'), 'COMPLIANT', '12');
  });

  test.each([
    [{}, OWN_ENV, 'NON_COMPLIANT', '5a'],
    [{ allowedKeyAccounts: '444455556666' }, OWN_ENV, null, null],
    [{}, undefined, null, null],
  ] as const)(
    'GIVEN %j, stack env %j and a key ARN of account 444455556666 WHEN synthesized THEN %s %s',
    (options, env, compliance, row) => {
      const stack = stackWithAspect(options, env);
      new secretsmanager.Secret(stack, 'Secret', { encryptionKey: kms.Key.fromKeyArn(stack, 'Foreign', FOREIGN_KEY) });
      expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), compliance, row);
    },
  );

  test('GIVEN a stack in eu-west-1 and a key ARN of us-east-1 WHEN synthesized THEN row 5b', () => {
    const stack = stackWithAspect({}, OWN_ENV);
    const key = kms.Key.fromKeyArn(
      stack,
      'Far',
      'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
    expectFinding(
      findingAt(findingsOf(stack), '/S/Secret/Resource'),
      'NON_COMPLIANT',
      '5b',
      /Region us-east-1, not the secret's Region eu-west-1/,
    );
  });

  test('GIVEN Fn::If between a key and AWS::NoValue WHEN synthesized THEN the worse branch, row 4, naming the condition', () => {
    const stack = stackWithAspect();
    const key = new kms.Key(stack, 'Key');
    const prod = new CfnCondition(stack, 'Prod', { expression: Fn.conditionEquals(stack.account, '111122223333') });
    new secretsmanager.CfnSecret(stack, 'Secret', {
      kmsKeyId: Fn.conditionIf(prod.logicalId, key.keyArn, Fn.ref('AWS::NoValue')).toString(),
    });
    expectFinding(
      findingAt(findingsOf(stack), '/S/Secret'),
      'NON_COMPLIANT',
      '4',
      /^\S+ NON_COMPLIANT .*With condition Prod false: /,
    );
  });

  test('GIVEN seven independent conditions WHEN synthesized THEN too many branches to judge: a warning, not a guess', () => {
    const stack = stackWithAspect();
    const replicas = [...Array(7).keys()].map((i) => {
      const condition = new CfnCondition(stack, `C${i}`, { expression: Fn.conditionEquals(stack.account, `${i}`) });
      return {
        region: `eu-west-${i + 1}`,
        kmsKeyId: Fn.conditionIf(condition.logicalId, 'alias/a', 'alias/b').toString(),
      };
    });
    new secretsmanager.CfnSecret(stack, 'Secret', { kmsKeyId: 'alias/x', replicaRegions: replicas });
    expectFinding(findingAt(findingsOf(stack), '/S/Secret'), null, null, /too many combinations/);
  });

  test('GIVEN exemptionTagKey and the tag added with Tags.of WHEN synthesized THEN NOT_APPLICABLE, row 3', () => {
    const stack = stackWithAspect({ exemptionTagKey: 'cmk-exempt' });
    const secret = new secretsmanager.Secret(stack, 'Secret');
    Tags.of(secret).add('cmk-exempt', 'INC-1234');
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'NOT_APPLICABLE', '3', /cmk-exempt=INC-1234/);
  });

  test('GIVEN a property override to alias/aws/secretsmanager WHEN synthesized THEN the override decides: row 5', () => {
    const stack = stackWithAspect();
    const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new kms.Key(stack, 'Key') });
    (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyOverride('KmsKeyId', 'alias/aws/secretsmanager');
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'NON_COMPLIANT', '5');
  });

  test.each([
    ['alias/aws/secretsmanager', 'NON_COMPLIANT', '5'],
    ['alias/team', null, null],
  ] as const)(
    'GIVEN a CfnParameter with Default %s as the key WHEN synthesized THEN %s, judged by the Default',
    (fallback, compliance, row) => {
      const stack = stackWithAspect();
      const parameter = new CfnParameter(stack, 'KeyId', { default: fallback });
      new secretsmanager.CfnSecret(stack, 'Secret', { kmsKeyId: parameter.valueAsString });
      expectFinding(findingAt(findingsOf(stack), '/S/Secret'), compliance, row, /judged by the Default/);
    },
  );

  test('GIVEN Fn.importValue as the key WHEN synthesized THEN a warning: not verifiable offline', () => {
    const stack = stackWithAspect();
    new secretsmanager.CfnSecret(stack, 'Secret', { kmsKeyId: Fn.importValue('shared-key-arn') });
    expectFinding(findingAt(findingsOf(stack), '/S/Secret'), null, null, /Fn::ImportValue/);
  });

  test('GIVEN the not-verifiable warning acknowledged on the stack WHEN synthesized THEN it is gone', () => {
    const stack = stackWithAspect();
    new secretsmanager.CfnSecret(stack, 'Secret', { kmsKeyId: 'alias/team-secrets' });
    Annotations.of(stack).acknowledgeWarning(NOT_VERIFIABLE_WARNING, 'the team alias is checked by the Config rule');
    expect(findingsOf(stack).get('/S/Secret')).toBeUndefined();
  });

  test.each([
    [{ manageMasterUserPassword: true }, 'NON_COMPLIANT', '4'],
    [
      { manageMasterUserPassword: true, masterUserSecret: { kmsKeyId: 'alias/aws/secretsmanager' } },
      'NON_COMPLIANT',
      '5',
    ],
  ] as const)(
    'GIVEN a CfnDBCluster %j WHEN synthesized THEN its managed master secret is %s row %s',
    (props, compliance, row) => {
      const stack = stackWithAspect();
      new rds.CfnDBCluster(stack, 'Cluster', {
        engine: 'aurora-postgresql',
        masterUsername: 'app',
        storageEncrypted: true,
        ...props,
      });
      expectFinding(findingAt(findingsOf(stack), '/S/Cluster'), compliance, row, /\(secret managed by rds\)$/);
    },
  );

  test('GIVEN a CfnDBInstance with its managed master secret on a kms.Key WHEN synthesized THEN COMPLIANT; without a managed password THEN no finding', () => {
    const stack = stackWithAspect();
    const key = new kms.Key(stack, 'Key');
    new rds.CfnDBInstance(stack, 'Managed', {
      engine: 'postgres',
      storageEncrypted: true,
      manageMasterUserPassword: true,
      masterUserSecret: { kmsKeyId: key.keyArn },
    });
    new rds.CfnDBInstance(stack, 'Unmanaged', {
      engine: 'postgres',
      storageEncrypted: true,
      masterUserPassword: '{{resolve:ssm-secure:db-password}}',
    });
    const findings = findingsOf(stack);
    expectFinding(findingAt(findings, '/S/Managed'), 'COMPLIANT', '12');
    expect(findings.get('/S/Unmanaged')).toBeUndefined();
  });
});

describe('options', () => {
  test.each([
    [{ kmsKeyArns: 'alias/aws/secretsmanager' }, /option "kmsKeyArns": .*AWS managed key/],
    [{ kmsKeyArns: '1234abcd-12ab-34cd-56ef-1234567890ab' }, /option "kmsKeyArns": .*not a key ARN/],
    [{ allowedKeyAccounts: '1111,2222' }, /option "allowedKeyAccounts": "1111" is not a 12-digit account id/],
    [{ checkReplicas: 'maybe' }, /option "checkReplicas": expected "true" or "false"/],
  ] as const)('GIVEN %j WHEN the Aspect is made THEN it refuses, naming the option', (options, message) => {
    expect(() => new SecretsCmkAspect(options)).toThrow(message);
  });

  test("GIVEN the deployment's settings (readSettings) WHEN their ruleParameters are the options THEN the Aspect applies them", () => {
    // GIVEN context as for our own stacks, executionRoleName included (the Aspect ignores it)
    const app = newApp({ kmsKeyArns: 'alias/secrets-cmk-app', executionRoleName: 'AuditSecrets' });
    // WHEN
    SecretsCmkAspect.applyTo(app, readSettings(app.node).ruleParameters);
    const stack = new Stack(app, 'S');
    const key = new kms.Key(stack, 'Key');
    new kms.Alias(stack, 'Alias', { aliasName: 'alias/secrets-cmk-app', targetKey: key });
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
    // THEN
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'COMPLIANT', '12', /an approved key/);
  });

  test('GIVEN checkReplicas false WHEN a replica is on the default key THEN the secret is judged by its own key only', () => {
    const stack = stackWithAspect({ checkReplicas: false });
    new secretsmanager.Secret(stack, 'Secret', {
      encryptionKey: new kms.Key(stack, 'Key'),
      replicaRegions: [{ region: 'eu-central-1' }],
    });
    expectFinding(findingAt(findingsOf(stack), '/S/Secret/Resource'), 'COMPLIANT', '12');
  });
});

describe('the row table', () => {
  test('GIVEN contract/rows.json WHEN the Aspect loads it THEN every row has its number, label and compliance, in order', () => {
    // GIVEN the shared list (rule-core's tests check Row::ALL against the same file)
    const listed = rowsJson.rows.map((row) => [row.name, row.number, row.label, row.compliance]);
    // WHEN / THEN
    const ours = Object.entries(ROWS).map(([name, row]) => [name, row.number, row.label, row.compliance]);
    expect(ours).toHaveLength(14);
    expect(ours).toEqual(listed);
    expect(ROWS.defaultKey).toEqual({ number: '4', label: 'default key', compliance: 'NON_COMPLIANT' });
  });
});
