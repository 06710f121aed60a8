/**
 * Runs one handler of the runbooks' script with the local Python 3, exactly the script
 * its step carries, against a stand-in boto3 that returns a given DescribeSecret
 * response and resolves a given set of keys (anything else is NotFound; an AWS managed
 * alias is never to be described).
 */
import { spawnSync } from 'node:child_process';
import { HandlerName, scriptFor } from '../lib/runbook-script';

const HARNESS = `
import json, sys, types
case = json.loads(sys.argv[1])
described = []
class SecretsManager:
    meta = types.SimpleNamespace(region_name=case["region"])
    def describe_secret(self, SecretId):
        assert SecretId == case["events"]["SecretId"], SecretId
        return case["secret"]
class Kms:
    def describe_key(self, KeyId):
        described.append(KeyId)
        if KeyId.startswith("alias/aws/") or ":alias/aws/" in KeyId:
            raise AssertionError("DescribeKey on an AWS managed alias: " + KeyId)
        if KeyId not in case["keys"]:
            raise Exception("NotFoundException: " + KeyId)
        return {"KeyMetadata": {"Arn": case["keys"][KeyId]}}
boto3 = types.ModuleType("boto3")
boto3.client = lambda service: {"secretsmanager": SecretsManager, "kms": Kms}[service]()
sys.modules["boto3"] = boto3
namespace = {}
exec(case["script"], namespace)
try:
    print(json.dumps({"result": namespace[case["handler"]](case["events"], None), "described": described}))
except ValueError as error:
    print(json.dumps({"refused": str(error), "described": described}))
`;

export const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf';
export const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const OTHER_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab';
export const FOREIGN_KEY = 'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';

export interface Outcome {
  result?: any;
  refused?: string;
  described: string[];
}

export function run(
  handler: HandlerName,
  events: Record<string, unknown>,
  {
    secret = {},
    keys = {},
    region = 'eu-west-1',
  }: { secret?: object; keys?: Record<string, string>; region?: string } = {},
): Outcome {
  const input = JSON.stringify({
    script: scriptFor(handler),
    handler,
    region,
    secret: { ARN, ...secret },
    keys,
    events,
  });
  const python = spawnSync('python3', ['-c', HARNESS, input], { encoding: 'utf8' });
  if (python.status !== 0) {
    throw new Error(`python3 failed: ${python.error ?? python.stderr}`);
  }
  return JSON.parse(python.stdout);
}

