/**
 * The runbooks' script steps, each run by the local Python 3 with exactly the script
 * its step carries, against a stand-in boto3 that returns a given DescribeSecret
 * response and resolves a given set of keys: every refusal, the trust checks and the
 * recorded keys, without AWS.
 */
import { spawnSync } from 'node:child_process';
import { HANDLERS, HandlerName, RUNBOOK_SCRIPT, scriptFor } from '../lib/runbook-script';
import { ARN, FOREIGN_KEY, KEY, OTHER_KEY, Outcome, run } from './script-harness';
import { rekeyRunbook, restoreRunbook } from '../lib/runbooks';

/** The re-key InspectSecret step with a given trust. */
function inspect(
  secret: object,
  target = KEY,
  trust: { AllowedKeyAccounts?: string[]; ApprovedKeys?: string[] } = {},
  options: { keys?: Record<string, string>; region?: string } = {},
): Outcome {
  const events = { SecretId: ARN, TargetKmsKeyId: target, AllowedKeyAccounts: [], ApprovedKeys: [], ...trust };
  return run('inspect_secret', events, { secret, ...options });
}

test('each script step carries the script of its handler, a slice of the whole script', () => {
  const options = { roleName: 'R', keyTrust: { allowedKeyAccounts: [] } };
  const steps = [rekeyRunbook(options), restoreRunbook({ ...options, roleName: 'S' })].flatMap((document) =>
    document.mainSteps.filter((s) => s.action === 'aws:executeScript'),
  );
  expect(steps.map((s) => s.inputs.Handler).sort()).toEqual(Object.keys(HANDLERS).sort());
  for (const step of steps) {
    const script = scriptFor(step.inputs.Handler as HandlerName);
    expect(step.inputs.Script).toBe(script);
    expect(script).toContain(`def ${String(step.inputs.Handler)}(events, context):`);
    for (const part of script.split('\n\n\n')) {
      expect(RUNBOOK_SCRIPT).toContain(part.trim());
    }
  }
});

test('the whole script compiles, and each slice defines every name it calls', () => {
  // GIVEN each handler's own script, with boto3 stubbed
  for (const handler of Object.keys(HANDLERS) as HandlerName[]) {
    // WHEN Python compiles it and looks up what the handler's call graph needs
    const check = spawnSync(
      'python3',
      [
        '-c',
        [
          'import sys, types, ast',
          'sys.modules["boto3"] = types.ModuleType("boto3")',
          'source = sys.stdin.read()',
          'namespace = {}',
          'exec(source, namespace)',
          'called = {n.func.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}',
          'missing = sorted(c for c in called if c not in namespace and c not in dir(__builtins__))',
          'print(",".join(missing))',
        ].join('\n'),
      ],
      { input: scriptFor(handler), encoding: 'utf8' },
    );
    // THEN nothing it calls is missing
    expect({ handler, status: check.status, missing: check.stdout.trim(), stderr: check.stderr }).toEqual({
      handler,
      status: 0,
      missing: '',
      stderr: '',
    });
  }
});

describe('re-key: inspect_secret', () => {
  test('a secret on the default key records alias/aws/secretsmanager as its previous key', () => {
    // GIVEN DescribeSecret without KmsKeyId
    // WHEN the script inspects it
    const outcome = inspect({ Name: 'db' });
    // THEN the secret may be re-keyed and the default key is recorded for the backout
    expect(outcome.result).toEqual({
      SecretArn: ARN,
      PreviousKmsKeyId: 'alias/aws/secretsmanager',
      AlreadyOnTarget: false,
    });
  });

  test('a secret already on the target key is recognised', () => {
    expect(inspect({ KmsKeyId: KEY }).result).toEqual({ SecretArn: ARN, PreviousKmsKeyId: KEY, AlreadyOnTarget: true });
  });

  test('a secret managed by another service is refused, naming the service', () => {
    expect(inspect({ OwningService: 'rds' }).refused).toMatch(/managed by rds/);
  });

  test('a secret scheduled for deletion is refused', () => {
    expect(inspect({ DeletedDate: '2030-01-01T00:00:00Z' }).refused).toMatch(/scheduled for deletion/);
  });

  test('a target key in another Region is refused', () => {
    expect(inspect({}, KEY.replace('eu-west-1', 'us-east-1')).refused).toMatch(/another Region/);
  });

  test('a secret of another Region than the runbook is refused', () => {
    expect(inspect({}, KEY, {}, { region: 'us-east-1' }).refused).toMatch(/runs in us-east-1/);
  });

  test('a target that is not a resolved key ARN is refused (the runbook passes DescribeKey.Arn)', () => {
    expect(inspect({}, 'alias/secrets-cmk').refused).toMatch(/not a resolved key ARN/);
  });
});

describe('re-key: the target must be a key the rule trusts', () => {
  test('a key of another account is refused unless that account is allowed', () => {
    // GIVEN a target key of account 999999999999 and no allowedKeyAccounts
    const refused = inspect({}, FOREIGN_KEY).refused;
    // THEN the run stops, naming the account and why it matters
    expect(refused).toMatch(/account 999999999999, which is not the secret's account and not trusted/);
    expect(refused).toMatch(/hold the secret/);
    // AND with the account allowed it passes
    expect(inspect({}, FOREIGN_KEY, { AllowedKeyAccounts: ['999999999999'] }).result?.SecretArn).toBe(ARN);
  });

  test("a key of the secret's own account is always trusted", () => {
    expect(inspect({}, KEY, { AllowedKeyAccounts: ['999999999999'] }).result?.SecretArn).toBe(ARN);
  });

  test('with kmsKeyArns the target must be one of them, compared as resolved key ARNs', () => {
    // GIVEN approved keys given by alias name and by key ARN
    const approved = { ApprovedKeys: ['alias/secrets-cmk', OTHER_KEY] };
    // WHEN the target is what the alias resolves to
    const match = inspect({}, KEY, approved, { keys: { 'alias/secrets-cmk': KEY } });
    // THEN it passes, and the alias was resolved with DescribeKey
    expect(match.result?.SecretArn).toBe(ARN);
    expect(match.described).toEqual(['alias/secrets-cmk']);
    // AND a key of the same account that is none of them is refused, naming the unresolvable ones
    const miss = inspect({}, KEY, approved, { keys: {} });
    expect(miss.refused).toMatch(/is none of kmsKeyArns \(alias\/secrets-cmk,arn:.*\)/);
    expect(miss.refused).toMatch(/not resolved: alias\/secrets-cmk: NotFoundException/);
  });

  test('a key ARN in kmsKeyArns matches without a lookup and trusts its account', () => {
    const outcome = inspect({}, FOREIGN_KEY, { ApprovedKeys: [FOREIGN_KEY] });
    expect(outcome.result?.SecretArn).toBe(ARN);
    expect(outcome.described).toEqual([]);
  });

  test('an alias/aws/* entry is never described', () => {
    const outcome = inspect({}, KEY, { ApprovedKeys: ['alias/aws/secretsmanager'] });
    expect(outcome.refused).toMatch(/none of kmsKeyArns/);
    expect(outcome.described).toEqual([]);
  });
});

describe('restore: check_restore_target', () => {
  const check = (previous: string, flag: string) =>
    run('check_restore_target', { SecretId: ARN, PreviousKmsKeyId: previous, RestoreAwsManagedKey: flag });

  test('a customer managed key needs no flag', () => {
    expect(check(KEY, 'false').result).toEqual({ RestoresAwsManagedKey: false });
  });

  test('the AWS managed key is refused unless RestoreAwsManagedKey is true', () => {
    expect(check('alias/aws/secretsmanager', 'false').refused).toMatch(/needs RestoreAwsManagedKey=true/);
    expect(check('alias/aws/secretsmanager', 'true').result).toEqual({ RestoresAwsManagedKey: true });
    expect(check('arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager', 'true').result).toEqual({
      RestoresAwsManagedKey: true,
    });
  });

  test('the flag without the AWS managed key, or another AWS managed alias, is refused', () => {
    expect(check(KEY, 'true').refused).toMatch(/RestoreAwsManagedKey=true restores alias\/aws\/secretsmanager/);
    expect(check('alias/aws/ebs', 'true').refused).toMatch(/AWS managed key of Secrets Manager is/);
  });
});

describe('restore: inspect_restore (the secret must be on the expected key)', () => {
  const inspectRestore = (secret: object, keys: Record<string, string> = {}) =>
    run('inspect_restore', { SecretId: ARN, ExpectedCurrentKeyArn: KEY }, { secret, keys });

  test('a secret on the expected key passes and reports it', () => {
    expect(inspectRestore({ KmsKeyId: KEY }).result).toEqual({ SecretArn: ARN, CurrentKmsKeyId: KEY });
  });

  test('a key stored as an alias is resolved before comparing', () => {
    const outcome = inspectRestore({ KmsKeyId: 'alias/secrets-cmk' }, { 'alias/secrets-cmk': KEY });
    expect(outcome.result?.CurrentKmsKeyId).toBe(KEY);
    expect(outcome.described).toEqual(['alias/secrets-cmk']);
  });

  test('a secret on another key is refused and nothing changes', () => {
    expect(inspectRestore({ KmsKeyId: OTHER_KEY }).refused).toMatch(
      /is on arn:.*99999999-.*, not on ExpectedCurrentKmsKeyId .*; nothing was changed/,
    );
  });

  test('a secret on the AWS managed key is refused without describing it', () => {
    for (const secret of [{}, { KmsKeyId: 'alias/aws/secretsmanager' }]) {
      const outcome = inspectRestore(secret);
      expect(outcome.refused).toMatch(/the AWS managed key/);
      expect(outcome.described).toEqual([]);
    }
  });

  test('refuses service-owned secrets like the re-key', () => {
    expect(inspectRestore({ KmsKeyId: KEY, OwningService: 'rds' }).refused).toMatch(/managed by rds/);
  });
});

describe('restore: check_previous_key (a restore must not hand the secret to a stranger)', () => {
  const checkPrevious = (key: string, allowed: string[] = [], approved: string[] = []) =>
    run('check_previous_key', { SecretArn: ARN, KeyArn: key, AllowedKeyAccounts: allowed, ApprovedKeys: approved });

  test("a key of the secret's account or of an allowed account passes, approved or not", () => {
    expect(checkPrevious(KEY, [], [OTHER_KEY]).result).toEqual({ KeyArn: KEY });
    expect(checkPrevious(FOREIGN_KEY, ['999999999999']).result).toEqual({ KeyArn: FOREIGN_KEY });
  });

  test('a key of an untrusted account is refused', () => {
    expect(checkPrevious(FOREIGN_KEY).refused).toMatch(
      /refusing to restore .*account 999999999999.*nothing was changed/,
    );
  });
});
