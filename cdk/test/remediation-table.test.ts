/**
 * The re-key runbook's script against the remediation table's shared cases
 * (contract/remediation-cases.json): it refuses exactly the cases rule-core refuses
 * (crates/rule-core/tests/all/remediation_table.rs tests the same file), naming why.
 */
import shared from '../../contract/remediation-cases.json';
import { run } from './script-harness';

interface SharedCase {
  name: string;
  secret?: Record<string, string>;
  target: string;
  allowedKeyAccounts?: string[];
  approvedKeys?: string[];
  refused: boolean;
  mentions?: string[];
}

const cases = shared.cases as SharedCase[];

test('the table has its cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(8);
  expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
});

test.each(cases.map((c) => [c.name, c]))('%s', (_name, c) => {
  // GIVEN the case's secret, target (resolved) and trust
  const events = {
    SecretId: shared.secretArn,
    TargetKmsKeyId: c.target,
    AllowedKeyAccounts: c.allowedKeyAccounts ?? [],
    ApprovedKeys: c.approvedKeys ?? [],
  };
  // WHEN the re-key runbook's InspectSecret step runs
  const outcome = run('inspect_secret', events, {
    secret: { ARN: shared.secretArn, ...(c.secret ?? {}) },
    region: 'eu-west-1',
  });
  // THEN it refuses exactly when the table says so, naming why
  expect({ name: c.name, refused: outcome.refused !== undefined }).toEqual({ name: c.name, refused: c.refused });
  for (const word of c.mentions ?? []) {
    expect(outcome.refused).toContain(word);
  }
});
