/**
 * The runbooks' one script (InspectSecret), run by the local Python 3 against a
 * stand-in boto3 that returns a given DescribeSecret response: every refusal and
 * the recorded previous key, without AWS.
 */
import { spawnSync } from 'node:child_process';
import { rekeyRunbook } from '../lib/runbooks';

const SCRIPT = String(
  rekeyRunbook('SecretsCmkRemediation').mainSteps.find((s) => s.name === 'InspectSecret')!.inputs.Script,
);

const HARNESS = `
import json, sys, types
case = json.loads(sys.argv[1])
class Client:
    meta = types.SimpleNamespace(region_name=case["region"])
    def describe_secret(self, SecretId):
        assert SecretId == case["events"]["SecretId"], SecretId
        return case["secret"]
boto3 = types.ModuleType("boto3")
boto3.client = lambda service: Client() if service == "secretsmanager" else None
sys.modules["boto3"] = boto3
namespace = {}
exec(case["script"], namespace)
try:
    print(json.dumps({"result": namespace["inspect_secret"](case["events"], None)}))
except ValueError as error:
    print(json.dumps({"refused": str(error)}))
`;

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf';
const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function inspect(
  secret: Record<string, unknown>,
  target = KEY,
  region = 'eu-west-1',
): { result?: any; refused?: string } {
  const run = spawnSync(
    'python3',
    [
      '-c',
      HARNESS,
      JSON.stringify({ script: SCRIPT, region, secret, events: { SecretId: ARN, TargetKmsKeyId: target } }),
    ],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) {
    throw new Error(`python3 failed: ${run.error ?? run.stderr}`);
  }
  return JSON.parse(run.stdout);
}

describe('InspectSecret script', () => {
  test('a secret on the default key records alias/aws/secretsmanager as its previous key', () => {
    // GIVEN DescribeSecret without KmsKeyId
    // WHEN the script inspects it
    const outcome = inspect({ ARN, Name: 'db' });
    // THEN the secret may be re-keyed and the default key is recorded for the backout
    expect(outcome.result).toEqual({
      SecretArn: ARN,
      PreviousKmsKeyId: 'alias/aws/secretsmanager',
      AlreadyOnTarget: false,
    });
  });

  test('a secret already on the target key is recognised', () => {
    expect(inspect({ ARN, KmsKeyId: KEY }).result).toEqual({
      SecretArn: ARN,
      PreviousKmsKeyId: KEY,
      AlreadyOnTarget: true,
    });
  });

  test('a secret managed by another service is refused, naming the service', () => {
    expect(inspect({ ARN, OwningService: 'rds' }).refused).toMatch(/managed by rds/);
  });

  test('a secret scheduled for deletion is refused', () => {
    expect(inspect({ ARN, DeletedDate: '2030-01-01T00:00:00Z' }).refused).toMatch(/scheduled for deletion/);
  });

  test('a target key in another Region is refused', () => {
    expect(inspect({ ARN }, KEY.replace('eu-west-1', 'us-east-1')).refused).toMatch(/another Region/);
  });

  test('a secret of another Region than the runbook is refused', () => {
    expect(inspect({ ARN }, 'alias/secrets-cmk', 'us-east-1').refused).toMatch(/runs in us-east-1/);
  });

  test('an alias target is not compared by Region (it resolves in the secret Region)', () => {
    expect(inspect({ ARN }, 'alias/secrets-cmk').result?.AlreadyOnTarget).toBe(false);
  });
});
