/**
 * What integration tests need of the platform that cannot cross `inject` (functions, the in-process warehouse):
 * global-setup serves it on a local port from the process that runs the platform, and test workers call it
 * through the helpers in ./analytics.ts.
 *
 * - POST /analytics/caught-up {timeoutMs?} → 204 once every stream consumer has loaded what its streams held
 *   at the call (the event source mappings' idle()), 504 when not within the time;
 * - GET /analytics/stats → the mappings' counters by consumer id;
 * - POST /events/delivered {timeoutMs?} → 204 once the publishers have published what the tables' streams held at
 *   the call (the mappings caught up) and the bus has settled every delivery of it (a rule's target ran, or gave up);
 * - POST /warehouse/query {sql, params?} → the rows of a read-only query on the platform's own warehouse, asked
 *   through its Redshift Data API as the loaders sign in (the engine belongs to the platform's process).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WarehouseEnv, warehouseFromEnv } from '../../functions/analytics/deps';
import type { SqlValue } from '../../functions/analytics/ports';
import type { Platform } from '@ecicomm/local-platform/platform';

const READ_ONLY = /^\s*(SELECT|WITH)\b/i;

export async function startPlatformControl(
  platform: Pick<Platform, 'analytics' | 'env' | 'events'>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const warehouse = warehouseFromEnv(WarehouseEnv.parse(platform.env), { migrate: false });
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const input = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
      if (req.method === 'POST' && req.url === '/analytics/caught-up') {
        try {
          await platform.analytics.caughtUp(Number(input.timeoutMs ?? 30_000));
        } catch (e) {
          return send(504, { error: (e as Error).message });
        }
        return send(204);
      }
      if (req.method === 'POST' && req.url === '/events/delivered') {
        try {
          await platform.analytics.caughtUp(Number(input.timeoutMs ?? 30_000));
          await platform.events.idle();
        } catch (e) {
          return send(504, { error: (e as Error).message });
        }
        return send(204);
      }
      if (req.method === 'GET' && req.url === '/analytics/stats') return send(200, platform.analytics.stats());
      if (req.method === 'POST' && req.url === '/warehouse/query') {
        const sql = typeof input.sql === 'string' ? input.sql : '';
        if (!READ_ONLY.test(sql)) return send(400, { error: 'Only SELECT (or WITH … SELECT) queries' });
        return send(200, await warehouse.query(sql, (input.params ?? []) as SqlValue[]));
      }
      send(404, { error: `${req.method} ${req.url}` });
    } catch (e) {
      send(500, { error: (e as Error).message });
    }
  };
  // What answer cannot answer (its 500 failing too) ends the response, not the test run.
  const server: Server = createServer((req, res) => void answer(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await warehouse.close();
    },
  };
}
