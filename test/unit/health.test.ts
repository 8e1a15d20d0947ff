import { describe, expect, it } from 'vitest';
import { warehouseProbe } from '../../functions/platform/adapters/probes';
import { checkHealth } from '../../functions/platform/domain/health';
import type { HealthProbe } from '../../functions/platform/ports';

const probe = (name: string, check: () => Promise<void>, timeoutMs?: number): HealthProbe => ({ name, check, ...(timeoutMs ? { timeoutMs } : {}) });
const never = () => new Promise<void>(() => undefined);
const after = (ms: number) => () => new Promise<void>((r) => setTimeout(r, ms));

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
