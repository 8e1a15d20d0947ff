import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort } from '@ecicomm/local-platform/emulators';
import { eventually } from '../support/eventually';
import { readStream } from '../support/kinesis';
import { projectRoot } from '@ecicomm/local-platform/platform';

const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-start-'));
const started: ChildProcess[] = [];

interface Ports {
  PORT: string;
  DYNAMODB_PORT: string;
  COGNITO_PORT: string;
  SQS_PORT: string;
  STEPFUNCTIONS_PORT: string;
  MODEL_PORT: string;
  INSIGHTS_MODEL_PORT: string;
  KINESIS_PORT: string;
  LAMBDA_PORT: string;
  SEARCH_PORT: string;
  REDSHIFT_DATA_PORT: string;
  WAREHOUSE_PORT: string;
}
const ports = async (): Promise<Ports> => ({
  PORT: String(await freePort()),
  DYNAMODB_PORT: String(await freePort()),
  COGNITO_PORT: String(await freePort()),
  SQS_PORT: String(await freePort()),
  STEPFUNCTIONS_PORT: String(await freePort()),
  MODEL_PORT: String(await freePort()),
  INSIGHTS_MODEL_PORT: String(await freePort()),
  KINESIS_PORT: String(await freePort()),
  LAMBDA_PORT: String(await freePort()),
  SEARCH_PORT: String(await freePort()),
  REDSHIFT_DATA_PORT: String(await freePort()),
  WAREHOUSE_PORT: String(await freePort()),
});

/**
 * `npm start`'s command, run with this Node: one process, tsx as a loader. (Under the tsx CLI a SIGTERM reaches
 * the platform through a relay that kills it outright when it does not acknowledge within 30 ms: a busy start
 * then exited 143 instead of stopping its emulators.)
 */
const START_ARGS = (() => {
  const [command, ...args] = (
    JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start.split(' ');
  if (command !== 'node') throw new Error(`npm start is expected to run node, not ${command}`);
  return args;
})();

/** Runs `npm start`'s program as a user would, and collects what it prints. */
function start(env: Ports, args: string[] = []) {
  const child = spawn(process.execPath, [...START_ARGS, '--quiet', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env, LOCAL_DATA_DIR: dataDir, DATASET_DIR: path.join(dataDir, 'no-dataset-here') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s:\n${output}`)), 60_000);
    const check = () => {
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${output}`));
    });
  });
  ready.catch(() => undefined);
  return { child, ready, exited, output: () => output };
}

const emulatorPids = (): number[] => {
  const file = path.join(dataDir, 'pids.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { pids: number[] }).pids : [];
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(() => {
  // Whatever happened above, nothing this file started outlives it.
  for (const pid of [...started.map((c) => c.pid!), ...emulatorPids()]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('boots seeded, prints URLs and credentials, keeps data across restarts, and stops its emulators on Ctrl-C', async () => {
    const env = await ports();
    const first = start(env);
    const printed = await first.ready;
    expect(printed).toContain(`http://127.0.0.1:${env.PORT}/v1`);
    expect(printed).toContain('admin@example.com / Admin#2026local');
    expect(printed).toMatch(/seeded \d+ products from the demo catalog/);

    const api = `http://127.0.0.1:${env.PORT}/v1`;
    // The first check opens the warehouse (PGlite), which on a loaded machine can take longer than its probe allows.
    await eventually(async () => expect((await fetch(`${api}/health`)).status).toBe(200), {
      timeout: 60_000,
      interval: 1000,
    });
    // The partner key it prints opens the partner feed, which refuses a request without it.
    const partnerKey = /Partner {8}local-partner: API key (\S+)/.exec(printed)?.[1];
    expect(partnerKey).toMatch(/^[A-Za-z0-9]{40}$/);
    const feed = (headers: Record<string, string>) => fetch(`${api}/partner/products?limit=1`, { headers });
    expect((await feed({ 'x-api-key': partnerKey! })).status).toBe(200);
    expect((await feed({})).status).toBe(403);
    // It holds the run's secret: readable by its owner only.
    expect(statSync(path.join(dataDir, 'runtime.json')).mode & 0o777).toBe(0o600);

    // No model yet: one is trained in the background on the demo catalog's history; recommendations fall
    // back to popularity until the model server serves it, then come from the model.
    expect(printed).toContain(`Model          http://127.0.0.1:${env.MODEL_PORT}`);
    const recommendations = async () =>
      (await (await fetch(`${api}/recommendations?limit=3`)).json()) as { source: string; items: unknown[] };
    expect((await recommendations()).items).toHaveLength(3);
    let answer = await recommendations();
    for (let i = 0; i < 120 && answer.source !== 'model'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      answer = await recommendations();
    }
    expect(answer.source).toBe('model');
    expect(first.output()).toMatch(/model: trained \S+ in [\d.]+ s/);
    expect((await fetch(`http://127.0.0.1:${env.MODEL_PORT}/ping`)).status).toBe(200);
    const login = (await (
      await fetch(`${api}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'Admin#2026local' }),
      })
    ).json()) as { idToken: string };
    // The demand-insights model trains in the background too (on the same demo history); its routes answer
    // 503 with Retry-After until it is served, then the model's forecasts.
    expect(printed).toContain(`Insights model http://127.0.0.1:${env.INSIGHTS_MODEL_PORT}`);
    const segments = () =>
      fetch(`${api}/analytics/segments`, { headers: { authorization: `Bearer ${login.idToken}` } });
    let segmentsAnswer = await segments();
    for (let i = 0; i < 240 && segmentsAnswer.status === 503; i++) {
      expect(segmentsAnswer.headers.get('retry-after')).toBeTruthy();
      await new Promise((r) => setTimeout(r, 250));
      segmentsAnswer = await segments();
    }
    expect(segmentsAnswer.status).toBe(200);
    expect(((await segmentsAnswer.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(2);
    expect(first.output()).toMatch(/insights model: trained \S+\.insights\.\S+ in [\d.]+ s/);
    expect((await fetch(`http://127.0.0.1:${env.INSIGHTS_MODEL_PORT}/ping`)).status).toBe(200);
    const created = (await (
      await fetch(`${api}/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${login.idToken}` },
        body: JSON.stringify({
          name: 'Survives Restarts',
          description: '',
          category: 'other',
          brand: 'Test',
          price: 100,
          currency: 'GBP',
        }),
      })
    ).json()) as { id: string };

    // The clickstream lands on kinesalite, kept under LOCAL_DATA_DIR/kinesis across restarts.
    expect(printed).toContain(`Kinesis        http://127.0.0.1:${env.KINESIS_PORT}`);
    const sessionId = randomUUID();
    const clicks = await fetch(`${api}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ type: 'page_view', sessionId }] }),
    });
    expect([clicks.status, await clicks.json()]).toEqual([202, { accepted: 1 }]);

    // A second platform on the same port fails at once with one line naming the port.
    const clash = start({ ...(await ports()), PORT: env.PORT });
    expect(await clash.exited).toBe(1);
    expect(clash.output().trim().split('\n')).toEqual([expect.stringContaining(`Port ${env.PORT}`)]);

    const pids = emulatorPids();
    expect(pids).toHaveLength(2);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);

    const second = start(env);
    expect(await second.ready).toContain('catalog already seeded');
    // The model trained on the first start is served at once.
    expect(second.output()).toMatch(/Model .*serving \S+/);
    expect((await fetch(`${api}/products/${created.id}`)).status).toBe(200);
    const kept = await readStream(`http://127.0.0.1:${env.KINESIS_PORT}`, 'ecicomm-clickstream');
    expect(kept.filter((r) => r.partitionKey === sessionId)).toHaveLength(1);
    // Killed hard, it leaves its emulators behind: the next start stops them and starts on the same ports at once.
    second.child.kill('SIGKILL');
    await second.exited;
    const third = start(env);
    expect(await third.ready).toContain('catalog already seeded');
    expect((await fetch(`${api}/products/${created.id}`)).status).toBe(200);
    third.child.kill('SIGINT');
    expect(await third.exited).toBe(0);

    const fresh = start(env, ['--fresh']);
    expect(await fresh.ready).toMatch(/seeded \d+ products/);
    expect((await fetch(`${api}/products/${created.id}`)).status).toBe(404);
    fresh.child.kill('SIGTERM');
    expect(await fresh.exited).toBe(0);
  });
});
