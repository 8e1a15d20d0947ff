/**
 * The three operator commands that reach a deployed stage name its resources from `--prefix`: a value that could
 * not be a stage prefix is refused before anything is read or written, with the usage and exit code 2.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsx = path.join(projectRoot, 'node_modules/.bin/tsx');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(tsx, args, {
    cwd: projectRoot,
    env: { ...process.env, LOCAL_DATA_DIR: '/nonexistent-ecicomm-data' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe('--prefix of the operator commands', () => {
  it.each([
    ['bin/redrive.ts', ['--consumer', 'loadOrdersStream'], 'usage: npm run redrive'],
    ['bin/reconcile-payments.ts', [], 'usage: npm run payments:reconcile'],
    ['bin/search-reindex.ts', ['--endpoint', 'https://search.example.com'], 'usage: npm run search:reindex'],
  ])(
    '%s refuses a prefix that is no stage prefix, with its usage and exit 2',
    async (command, extra, usage) => {
      const { code, stdout, stderr } = await run([command, ...extra, '--prefix', 'prod; rm -rf /']);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toMatch(/--prefix .* must be a stage prefix such as ecicomm-prod/);
      expect(stderr).toContain(usage);
      // A process of its own, started on a shared machine: seconds, not the unit project's default.
    },
    30_000,
  );
});
