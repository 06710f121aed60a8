/**
 * cfn-lint on templates synthesized in a test, as `scripts/lint-templates.sh` runs it on
 * `cdk.out`: the project's pinned cfn-lint (Makefile `venv`), or `CFN_LINT`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CFN_LINT = process.env.CFN_LINT ?? path.join(__dirname, '..', '..', '.venv', 'bin', 'cfn-lint');

/** What cfn-lint said about the templates (by name): exit status and output; `{ status: 0, output: '' }` when clean. */
export function cfnLint(templates: Readonly<Record<string, unknown>>): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-cmk-lint-'));
  try {
    const files = Object.entries(templates).map(([name, template]) => {
      const file = path.join(dir, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify(template));
      return file;
    });
    const lint = spawnSync(CFN_LINT, files, { encoding: 'utf8' });
    return { status: lint.status, output: `${lint.error?.message ?? ''}${lint.stdout ?? ''}${lint.stderr ?? ''}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
