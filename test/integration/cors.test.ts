/**
 * CORS through the local edge, as a browser meets it (API.md: CORS): the preflight of every route, answered
 * for the configured origins (the platform's default here, any port of localhost and 127.0.0.1) and refused —
 * no Access-Control-Allow-Origin — for any other; then the headers on real answers: a 2xx, a handler's 4xx
 * and the edge's own refusals (401, 404, 413). Requests are sent as a browser sends them, with Origin.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CORS_ALLOWED_HEADERS } from '../../functions/shared/cors';
import { routes } from '../../lib/routes';
import { api, platform } from '../support/api';

const ALLOWED = 'http://localhost:5173';
const ALSO_ALLOWED = 'http://127.0.0.1:8080';
const REFUSED = ['https://evil.example', 'http://localhost.evil.example:5173', 'http://127.0.0.2:3000', 'null'];

const preflight = (path: string, origin: string, method: string, requestHeaders = 'authorization,content-type') =>
  fetch(`${platform().apiUrl}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': requestHeaders,
    },
  });

/** A route's path with each parameter filled in. */
const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => `some-${name}`);
const methodsAt = (path: string) => routes.filter((r) => r.path === path).map((r) => r.method);
const splitList = (value: string | null) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** What a browser checks on an answer to `origin`. */
const corsOf = (res: { headers: Headers }) => ({
  allowOrigin: res.headers.get('access-control-allow-origin'),
  expose: splitList(res.headers.get('access-control-expose-headers'))
    .map((h) => h.toLowerCase())
    .sort(),
  vary: res.headers.get('vary'),
  credentials: res.headers.get('access-control-allow-credentials'),
});
const allowedFor = (origin: string) => ({
  allowOrigin: origin,
  expose: ['location', 'retry-after', 'x-cache', 'x-request-id'],
  vary: 'Origin',
  credentials: null,
});
/** Other origins: no Access-Control-Allow-Origin, so the browser shows the app nothing (what else is sent is moot). */
const refused = { allowOrigin: null, expose: expect.any(Array), vary: 'Origin', credentials: null };

describe('CORS preflights at the local edge', () => {
  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s: answered for an allowed origin with exactly its path's methods",
    async (_name, route) => {
      const res = await preflight(
        concrete(route.path),
        ALLOWED,
        route.method,
        'authorization,content-type,idempotency-key,x-session-id,x-request-id',
      );
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(splitList(res.headers.get('access-control-allow-methods')).sort()).toEqual(
        [...methodsAt(route.path), 'OPTIONS'].sort(),
      );
      expect(
        splitList(res.headers.get('access-control-allow-headers'))
          .map((h) => h.toLowerCase())
          .sort(),
      ).toEqual(CORS_ALLOWED_HEADERS.map((h) => h.toLowerCase()).sort());
      expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
      expect(res.headers.get('vary')).toBe('Origin');
      // Bearer tokens, not cookies: credentials are never allowed.
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    },
  );

  it('answers any port of localhost and 127.0.0.1, the local default', async () => {
    for (const origin of [ALSO_ALLOWED, 'http://localhost:1', 'http://localhost']) {
      const res = await preflight('/v1/orders', origin, 'POST');
      expect([origin, res.status, res.headers.get('access-control-allow-origin')]).toEqual([origin, 204, origin]);
    }
  });

  it.each(REFUSED)('gives %s no Access-Control-Allow-Origin, so the browser sends nothing', async (origin) => {
    const res = await preflight('/v1/orders', origin, 'POST');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('answers a path with no route 404 in the contract shape, readable by an allowed origin', async () => {
    const res = await preflight('/v1/nowhere', ALLOWED, 'GET');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect(corsOf(res)).toEqual(allowedFor(ALLOWED));
  });
});

describe('CORS headers on answers through the local edge', () => {
  it('are on a 2xx for an allowed origin, and x-request-id is exposed with it', async () => {
    const res = await api('/v1/products?limit=1', { headers: { Origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(corsOf(res)).toEqual(allowedFor(ALLOWED));
    expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
  });

  it('leave out Access-Control-Allow-Origin for any other origin, and vary by Origin all the same', async () => {
    for (const origin of REFUSED) {
      const res = await api('/v1/products?limit=1', { headers: { Origin: origin } });
      expect([origin, res.status, corsOf(res)]).toEqual([origin, 200, refused]);
    }
  });

  it("are on a handler's 4xx: a 404 and a 400 in the contract shape", async () => {
    const missing = await api('/v1/products/no-such-product', { headers: { Origin: ALLOWED } });
    expect([missing.status, missing.body.error.code, corsOf(missing)]).toEqual([404, 'NOT_FOUND', allowedFor(ALLOWED)]);
    const invalid = await api('/v1/cart/items', {
      method: 'POST',
      body: { productId: 'x', quantity: 0 },
      headers: { Origin: ALLOWED, 'x-session-id': randomUUID() },
    });
    expect([invalid.status, invalid.body.error.code, corsOf(invalid)]).toEqual([
      400,
      'VALIDATION_ERROR',
      allowedFor(ALLOWED),
    ]);
  });

  it("are on the edge's own refusals: 401 without a token or with a bad one, 404 with no route, 413 over 1 MiB", async () => {
    const cases = [
      { res: await api('/v1/users/me', { headers: { Origin: ALLOWED } }), status: 401, code: 'UNAUTHORIZED' },
      {
        res: await api('/v1/cart', { token: 'not-a-token', headers: { Origin: ALLOWED } }),
        status: 401,
        code: 'UNAUTHORIZED',
      },
      { res: await api('/v1/nowhere', { headers: { Origin: ALLOWED } }), status: 404, code: 'NOT_FOUND' },
      {
        res: await api('/v1/products', { method: 'DELETE', headers: { Origin: ALLOWED } }),
        status: 404,
        code: 'NOT_FOUND',
      },
      {
        res: await api('/v1/events', {
          method: 'POST',
          rawBody: JSON.stringify({ events: [], pad: 'x'.repeat(1024 * 1024) }),
          headers: { Origin: ALLOWED, 'content-type': 'application/json' },
        }),
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
    ];
    for (const { res, status, code } of cases) {
      expect([res.status, res.body.error.code, corsOf(res)]).toEqual([status, code, allowedFor(ALLOWED)]);
    }
    const other = await api('/v1/users/me', { headers: { Origin: REFUSED[0] } });
    expect([other.status, corsOf(other)]).toEqual([401, refused]);
  });
});
