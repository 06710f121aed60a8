/**
 * Reading the SecretsCmkAspect's annotations back, for the tests: one finding per
 * annotated construct, with the verdict and row its text names.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ANNOTATION_PREFIX } from '../lib/aspects/secrets-cmk-aspect';
import type { Compliance } from '../lib/aspects/rows';

/** One annotation of the Aspect. */
export interface Finding {
  readonly level: 'error' | 'warning' | 'info';
  /** `null` for "not verifiable offline". */
  readonly compliance: Compliance | null;
  readonly row: string | null;
  readonly text: string;
}

const VERDICT = /^\[secrets-cmk\] (COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE) \(row (\w+), [^)]+\): (.+)$/s;
const UNVERIFIABLE = /^\[secrets-cmk\] not verifiable offline: (.+)$/s;

/** The Aspect's findings in `stack`, by construct path (`/Stack/Secret/Resource`). */
export function findingsOf(stack: Stack): Map<string, Finding[]> {
  const annotations = Annotations.fromStack(stack);
  const ours = Match.stringLikeRegexp(`^${ANNOTATION_PREFIX.replace(/[[\]]/g, '\\$&')}`);
  const found = new Map<string, Finding[]>();
  const levels = [
    ['error', annotations.findError('*', ours)],
    ['warning', annotations.findWarning('*', ours)],
    ['info', annotations.findInfo('*', ours)],
  ] as const;
  for (const [level, messages] of levels) {
    for (const message of messages) {
      const text = String(message.entry.data);
      found.set(message.id, [...(found.get(message.id) ?? []), parse(level, text)]);
    }
  }
  return found;
}

function parse(level: Finding['level'], text: string): Finding {
  const verdict = VERDICT.exec(text);
  if (verdict) {
    return { level, compliance: verdict[1] as Compliance, row: verdict[2]!, text };
  }
  if (UNVERIFIABLE.test(text)) {
    return { level, compliance: null, row: null, text };
  }
  throw new Error(`an annotation of the Aspect that reads neither as a verdict nor as unverifiable: ${text}`);
}

/** The one finding on `path`; throws when there is none or more than one. */
export function findingAt(findings: Map<string, Finding[]>, path: string): Finding {
  const at = findings.get(path) ?? [];
  if (at.length !== 1) {
    throw new Error(
      `expected one finding at ${path}, got ${JSON.stringify(at)}; findings at ${[...findings.keys()].join(', ')}`,
    );
  }
  return at[0]!;
}

/** The level an outcome must be reported at: NON_COMPLIANT fails the synth, no verdict warns. */
export function levelOf(compliance: Compliance | null): Finding['level'] {
  return compliance === 'NON_COMPLIANT' ? 'error' : compliance === null ? 'warning' : 'info';
}
