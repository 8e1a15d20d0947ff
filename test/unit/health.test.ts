import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetWorkgroupCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { describe, expect, it } from 'vitest';
import {
  SEARCH_PROBE_CACHE,
  WAREHOUSE_PROBE_CACHE,
  searchProbe,
  warehouseProbeFromEnv,
  warehouseStatusProbe,
} from '../../functions/platform/adapters/probes';
import { cachedProbe, checkHealth } from '../../functions/platform/domain/health';
import type { HealthProbe } from '../../functions/platform/ports';
import { LOCAL_WAREHOUSE } from '@ecicomm/local-platform/analytics';
import { startTestDataApi, TEST_REGION, type TestDataApi } from '../support/redshift-data';

const probe = (name: string, check: () => Promise<void>, timeoutMs?: number): HealthProbe => ({
  name,
  check,
  ...(timeoutMs ? { timeoutMs } : {}),
});
const never = () => new Promise<void>(() => undefined);
const after = (ms: number) => () => new Promise<void>((r) => setTimeout(r, ms));

describe('the search probe', () => {
  it('counts a green or yellow cluster as up and a red one, or no answer, as down, asking at most once a minute', async () => {
    const answering = (status: string) => searchProbe({ clusterStatus: async () => status });
    expect(await checkHealth([answering('green')])).toEqual({ status: 'ok', components: { search: 'ok' } });
    // Yellow: a replica is not allocated (one data node), and every search is still answered.
    expect((await checkHealth([answering('yellow')])).components.search).toBe('ok');
    expect(await checkHealth([answering('red')])).toEqual({ status: 'degraded', components: { search: 'down' } });
    expect(
      (await checkHealth([searchProbe({ clusterStatus: () => Promise.reject(new Error('ECONNREFUSED')) })])).components
        .search,
    ).toBe('down');
    expect(SEARCH_PROBE_CACHE).toEqual({ okForMs: 60_000, downForMs: 10_000 });
  });
});

describe('health', () => {
  it('is ok when every component answers, and degraded with the failing one marked down', async () => {
    expect(await checkHealth([probe('dynamodb', async () => {}), probe('kinesis', async () => {})])).toEqual({
      status: 'ok',
      components: { dynamodb: 'ok', kinesis: 'ok' },
    });
    expect(
      await checkHealth([
        probe('dynamodb', async () => {}),
        probe('kinesis', () => Promise.reject(new Error('ResourceNotFound'))),
      ]),
    ).toEqual({
      status: 'degraded',
      components: { dynamodb: 'ok', kinesis: 'down' },
    });
  });

  it('bounds each probe by its own timeout, or the check’s', async () => {
    const health = await checkHealth(
      [probe('hung', never), probe('slow-start', after(80), 1_000), probe('too-slow', after(1_000), 20)],
      50,
    );
    expect(health.components).toEqual({ hung: 'down', 'slow-start': 'ok', 'too-slow': 'down' });
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
    const cached = cachedProbe(
      probe('warehouse', async () => {
        checks++;
        await new Promise((r) => setTimeout(r, 5));
        if (failing) throw new Error('workgroup MODIFYING');
      }),
      { okForMs: 60_000, downForMs: 10_000, now: time.now },
    );

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

  it(
    'locally: the Data API emulator answers the workgroup’s status, AVAILABLE once its engine is open; an engine that cannot open is down',
    { timeout: 60_000 },
    async () => {
      const serverlessOf = (api: TestDataApi) =>
        new RedshiftServerlessClient({
          region: TEST_REGION,
          endpoint: api.emulator.endpoint,
          credentials: api.credentials,
          maxAttempts: 1,
        });
      const api = await startTestDataApi();
      const serverless = serverlessOf(api);
      try {
        const probe = warehouseStatusProbe(serverless, LOCAL_WAREHOUSE.workgroupName);
        // Asking opens the engine (as the platform's migrations at start do); it is AVAILABLE once open.
        await expect
          .poll(async () => (await checkHealth([probe])).components.warehouse, { timeout: 30_000, interval: 100 })
          .toBe('ok');
      } finally {
        serverless.destroy();
        await api.stop();
      }

      // An engine that cannot open (its directory held by another live process) is down.
      const dir = mkdtempSync(path.join(tmpdir(), 'health-probe-'));
      const held = await startTestDataApi({ dataDir: path.join(dir, 'warehouse') });
      const heldServerless = serverlessOf(held);
      try {
        writeFileSync(`${path.join(dir, 'warehouse')}.lock`, String(process.ppid));
        const probe = warehouseStatusProbe(heldServerless, LOCAL_WAREHOUSE.workgroupName);
        expect(await checkHealth([probe])).toEqual({ status: 'degraded', components: { warehouse: 'down' } });
        await new Promise((r) => setTimeout(r, 500));
        expect(await checkHealth([probe])).toEqual({ status: 'degraded', components: { warehouse: 'down' } });
      } finally {
        heldServerless.destroy();
        await held.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('in AWS: asks only the workgroup’s status (no SQL: nothing billed, nothing started), at most once a period', async () => {
    const time = clock();
    const sent: unknown[] = [];
    let status = 'AVAILABLE';
    const serverless = {
      send: async (command: unknown) => (
        sent.push(command),
        { workgroup: { workgroupName: 'ecicomm-warehouse', status } }
      ),
    };
    const probe = warehouseProbeFromEnv(
      { REDSHIFT_WORKGROUP: 'ecicomm-warehouse' },
      { serverless: () => serverless as never, now: time.now },
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
