import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSharedWarehouses } from '../../functions/analytics/deps';
import type { Warehouse } from '../../functions/analytics/ports';
import { SEARCH_PROBE_CACHE, WAREHOUSE_PROBE_CACHE, liveWarehouseProbeDeps, searchProbe, warehouseProbe, warehouseProbeFromEnv } from '../../functions/platform/adapters/probes';
import { cachedProbe, checkHealth } from '../../functions/platform/domain/health';
import type { HealthProbe } from '../../functions/platform/ports';

afterAll(() => closeSharedWarehouses());

const probe = (name: string, check: () => Promise<void>, timeoutMs?: number): HealthProbe => ({ name, check, ...(timeoutMs ? { timeoutMs } : {}) });
const never = () => new Promise<void>(() => undefined);
const after = (ms: number) => () => new Promise<void>((r) => setTimeout(r, ms));

describe('the search probe', () => {
  it('counts a green or yellow cluster as up and a red one, or no answer, as down, asking at most once a minute', async () => {
    const answering = (status: string) => searchProbe({ clusterStatus: async () => status });
    expect(await checkHealth([answering('green')])).toEqual({ status: 'ok', components: { search: 'ok' } });
    // Yellow: a replica is not allocated (one data node), and every search is still answered.
    expect((await checkHealth([answering('yellow')])).components.search).toBe('ok');
    expect(await checkHealth([answering('red')])).toEqual({ status: 'degraded', components: { search: 'down' } });
    expect((await checkHealth([searchProbe({ clusterStatus: () => Promise.reject(new Error('ECONNREFUSED')) })])).components.search).toBe('down');
    expect(SEARCH_PROBE_CACHE).toEqual({ okForMs: 60_000, downForMs: 10_000 });
  });
});

describe('health', () => {
  it('is ok when every component answers, and degraded with the failing one marked down', async () => {
    expect(await checkHealth([probe('dynamodb', async () => {}), probe('kinesis', async () => {})])).toEqual({ status: 'ok', components: { dynamodb: 'ok', kinesis: 'ok' } });
    expect(await checkHealth([probe('dynamodb', async () => {}), probe('kinesis', () => Promise.reject(new Error('ResourceNotFound')))])).toEqual({
      status: 'degraded',
      components: { dynamodb: 'ok', kinesis: 'down' },
    });
  });

  it('bounds each probe by its own timeout, or the check’s', async () => {
    const health = await checkHealth([probe('hung', never), probe('slow-start', after(80), 1_000), probe('too-slow', after(1_000), 20)], 50);
    expect(health.components).toEqual({ hung: 'down', 'slow-start': 'ok', 'too-slow': 'down' });
  });

  it('asks the warehouse a trivial query, allowing for the engine’s start on first use', async () => {
    const asked: string[] = [];
    const answering = warehouseProbe({ query: async <T,>(sql: string) => (asked.push(sql), [{ ok: 1 }] as T[]) });
    expect(answering).toMatchObject({ name: 'warehouse', timeoutMs: 10_000 });
    expect(await checkHealth([answering])).toEqual({ status: 'ok', components: { warehouse: 'ok' } });
    expect(asked).toEqual(['SELECT 1 AS ok']);
    expect(await checkHealth([warehouseProbe({ query: () => Promise.reject(new Error('connection refused')) })])).toEqual({ status: 'degraded', components: { warehouse: 'down' } });
  });
});

/** A clock the test moves. */
const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

describe('the warehouse probe of the public health check', () => {
  it('asks its component at most once per period, up or down, and shares a check under way', async () => {
    const time = clock();
    let checks = 0;
    let failing = false;
    const cached = cachedProbe(probe('warehouse', async () => {
      checks++;
      await new Promise((r) => setTimeout(r, 5));
      if (failing) throw new Error('workgroup MODIFYING');
    }), { okForMs: 60_000, downForMs: 10_000, now: time.now });

    await Promise.all(Array.from({ length: 20 }, () => checkHealth([cached])));
    for (let i = 0; i < 30; i++) expect((await checkHealth([cached])).components.warehouse).toBe('ok');
    expect(checks).toBe(1);
    time.advance(59_999);
    await checkHealth([cached]);
    expect(checks).toBe(1);
    time.advance(2);
    failing = true;
    expect(await checkHealth([cached])).toEqual({ status: 'degraded', components: { warehouse: 'down' } });
    expect(checks).toBe(2);
    // Down is reported for its (shorter) period without asking again, then asked again.
    for (let i = 0; i < 10; i++) expect((await checkHealth([cached])).components.warehouse).toBe('down');
    expect(checks).toBe(2);
    failing = false;
    time.advance(10_001);
    expect((await checkHealth([cached])).components.warehouse).toBe('ok');
    expect(checks).toBe(3);
  });

  it('locally: runs one statement, as the reader, however many calls come in a period; and reports the engine down', { timeout: 60_000 }, async () => {
    const time = clock();
    const statements: string[] = [];
    const counting = (warehouse: Pick<Warehouse, 'query'>): Pick<Warehouse, 'query'> => ({
      query: (sql, params) => (statements.push(sql), warehouse.query(sql, params)),
    });
    const env = { WAREHOUSE_PGLITE_DIR: 'memory://health-probe' };
    const probe = warehouseProbeFromEnv(env, { ...liveWarehouseProbeDeps, reader: (e) => counting(liveWarehouseProbeDeps.reader(e)), now: time.now });
    for (let i = 0; i < 50; i++) expect(await checkHealth([probe])).toEqual({ status: 'ok', components: { warehouse: 'ok' } });
    expect(statements).toEqual(['SELECT 1 AS ok']);
    expect(await liveWarehouseProbeDeps.reader(env).query('SELECT current_user AS who')).toEqual([{ who: 'analytics_reader' }]);
    time.advance(WAREHOUSE_PROBE_CACHE.okForMs + 1);
    await Promise.all(Array.from({ length: 10 }, () => checkHealth([probe])));
    expect(statements).toHaveLength(2);

    // An engine that cannot open (its directory held by another live process) is down.
    const dir = mkdtempSync(path.join(tmpdir(), 'health-probe-'));
    try {
      writeFileSync(`${path.join(dir, 'warehouse')}.lock`, String(process.ppid));
      const held = warehouseProbeFromEnv({ WAREHOUSE_PGLITE_DIR: path.join(dir, 'warehouse') });
      expect(await checkHealth([held])).toEqual({ status: 'degraded', components: { warehouse: 'down' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in AWS: asks only the workgroup’s status (no SQL: nothing billed, nothing started), at most once a period', async () => {
    const time = clock();
    const sent: unknown[] = [];
    let status = 'AVAILABLE';
    const serverless = { send: async (command: unknown) => (sent.push(command), { workgroup: { workgroupName: 'ecicomm-warehouse', status } }) };
    const probe = warehouseProbeFromEnv(
      { REDSHIFT_WORKGROUP: 'ecicomm-warehouse', REDSHIFT_DATABASE: 'ecicomm' },
      { reader: () => { throw new Error('no SQL for the health check in AWS'); }, serverless: () => serverless as never, now: time.now },
    );
    for (let i = 0; i < 25; i++) expect((await checkHealth([probe])).components.warehouse).toBe('ok');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(GetWorkgroupCommand);
    expect((sent[0] as GetWorkgroupCommand).input).toEqual({ workgroupName: 'ecicomm-warehouse' });
    status = 'MODIFYING';
    time.advance(WAREHOUSE_PROBE_CACHE.okForMs + 1);
    expect(await checkHealth([probe])).toEqual({ status: 'degraded', components: { warehouse: 'down' } });
    expect(sent).toHaveLength(2);
  });
});
