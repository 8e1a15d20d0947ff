/**
 * `npm run generate-event` prints events our functions take: each source's event, generated as a user would
 * (the command line, its stdout into a file), replayed with `npm run replay -- --event FILE` into the running
 * platform, is invoked and answered as a real one would be — a 200, a batch with no failed record, a saga step
 * that did its work.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { writeRuntimeFile } from '../support/runtime-file';
import { expect } from '../support/expect';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { platform } from '../support/api';

const tsx = path.join(projectRoot, 'node_modules/.bin/tsx');
let dataDir: string;

async function command(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(tsx, [file, ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOCAL_DATA_DIR: dataDir },
    maxBuffer: 16 << 20,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

/** The event generate-event prints, written where replay reads it. */
async function generate(name: string, args: string[]): Promise<string> {
  const generated = await command('bin/generate-event.ts', args);
  expect(generated.code, generated.stderr).toBe(0);
  const file = path.join(dataDir, `${name}.json`);
  writeFileSync(file, generated.stdout);
  return file;
}

/** Replay's answers: one JSON object per function it invoked. */
async function replay(args: string[]): Promise<Record<string, unknown>[]> {
  const replayed = await command('bin/replay.ts', args);
  expect(replayed.code, replayed.stderr).toBe(0);
  expect(replayed.stderr).toContain(`Using the local platform at ${platform().apiUrl}`);
  return replayed.stdout
    .split(/^\}$/m)
    .filter((part) => part.trim())
    .map((part) => JSON.parse(`${part}}`) as Record<string, unknown>);
}

beforeAll(() => {
  // replay finds the running platform through LOCAL_DATA_DIR/runtime.json, as `npm start` writes it.
  dataDir = mkdtempSync(path.join(tmpdir(), 'generate-event-'));
  writeRuntimeFile(dataDir);
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run generate-event, replayed with npm run replay -- --event FILE', () => {
  it('apigw: an anonymous request, and a signed-in analyst’s', async () => {
    const products = await generate('list-products', ['apigw', '--path', '/v1/products', '--query', 'limit=2']);
    expect(await replay(['--event', products])).toMatchObject([{ target: 'listProducts', statusCode: 200 }]);
    const analystArgs = ['apigw', '--path', '/v1/analytics/dashboard/summary', '--user', 'analyst-1'];
    const summary = await generate('summary', [...analystArgs, '--groups', 'analyst']);
    expect(await replay(['--event', summary])).toMatchObject([{ target: 'analyticsSummary', statusCode: 200 }]);
    // The claims are what the function judges: without the group, the same request is refused.
    const shopper = await generate('summary-shopper', analystArgs);
    expect(await replay(['--event', shopper])).toMatchObject([{ target: 'analyticsSummary', statusCode: 403 }]);
  });

  it('sfn: a saga step’s input, invoked as the function --function names', async () => {
    const input = await generate('release', ['sfn', '--state', 'ReleaseInventory']);
    const [released] = await replay(['--function', 'releaseInventory', '--event', input]);
    expect(released).toMatchObject({ target: 'releaseInventory' });
    expect(released).toHaveProperty('output');
    expect(released).not.toHaveProperty('error');
  });

  it.each([
    ['orders', 'INSERT', ['loadOrdersStream', 'publishOrderEvents']],
    ['products', 'INSERT', ['loadProductsStream', 'indexProducts', 'publishProductEvents']],
    ['inventory', 'MODIFY', ['loadInventoryStream', 'publishInventoryEvents']],
    ['users', 'INSERT', ['publishUserEvents']],
  ])(
    'dynamodb-stream: a record of the %s table (%s) loads through every consumer of its stream',
    async (table, change, consumers) => {
      const event = await generate(`${table}-stream`, ['dynamodb-stream', '--table', table, '--event-name', change]);
      expect(await replay(['--event', event])).toEqual(
        consumers.map((target) => ({ target, output: { batchItemFailures: [] } })),
      );
    },
  );

  it('kinesis: a clickstream record loads with no failed record', async () => {
    const event = await generate('click', ['kinesis', '--type', 'product_view', '--product-id', 'prd_generated_mug']);
    expect(await replay(['--event', event])).toEqual([
      { target: 'loadClickstream', output: { batchItemFailures: [] } },
    ]);
  });

  it('sqs: no function of ours is triggered by a queue, so replay asks for --function in one line (exit 2)', async () => {
    const event = await generate('dead-letter', ['sqs']);
    const replayed = await command('bin/replay.ts', ['--event', event]);
    expect(replayed.code).toBe(2);
    expect(replayed.stderr.trim().split('\n')).toEqual([expect.stringContaining('--function <id>')]);
  });
});
