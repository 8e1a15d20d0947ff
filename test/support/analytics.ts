/** The platform's analytics pipeline and warehouse, seen from a test worker (see ./platform-control.ts). */
import type { EventSourceMappingStats } from '@ecicomm/local-platform/event-source-mappings/mapping';
import type { Row, SqlValue } from '../../functions/analytics/ports';
import { platform } from './api';

const control = (path: string, init?: { method?: string; body?: unknown }) =>
  fetch(`${platform().analytics.controlUrl}${path}`, {
    method: init?.method ?? 'GET',
    ...(init?.body !== undefined
      ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
      : {}),
  });

/** Resolves once the consumers have loaded everything their streams held at the call. */
export async function analyticsCaughtUp(timeoutMs = 30_000): Promise<void> {
  const res = await control('/analytics/caught-up', { method: 'POST', body: { timeoutMs } });
  if (res.status !== 204) throw new Error(`analytics pipeline not caught up: ${res.status} ${await res.text()}`);
}

export async function analyticsStats(): Promise<Record<string, EventSourceMappingStats>> {
  return (await control('/analytics/stats')).json() as Promise<Record<string, EventSourceMappingStats>>;
}

/** A read-only query on the platform's warehouse. */
export async function warehouseQuery<T extends object = Row>(sql: string, params: SqlValue[] = []): Promise<T[]> {
  const res = await control('/warehouse/query', { method: 'POST', body: { sql, params } });
  if (res.status !== 200) throw new Error(`warehouse query failed: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T[]>;
}
