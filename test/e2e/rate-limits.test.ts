/**
 * Rate limits by client class at the local edge (LOCAL_RATE_LIMITS; lib/rate-limits.ts), on a platform started
 * here with small limits turned on through its options: a burst past each class's limit — anonymous per IP,
 * signed-in per user, partner per valid API key (on the partner feed; a key that is no partner's is refused 403 and
 * counted as nothing) — is answered 429 RATE_LIMITED in the contract's error shape with
 * Retry-After, a throttled write changes nothing, and the bucket refills. Buckets refill slowly (a token every
 * 5 s) so that a burst of sequential requests outruns them however slow the machine is; waits are waits-until.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Platform } from '@ecicomm/local-platform/platform';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../../lib/rate-limits';
import { eventually } from '../support/eventually';
import { startPlatformOnFreePorts, stopPlatformStartedIn } from '../support/platform-on-free-ports';
import { call as callApi, type CallOptions, type Reply } from '../support/http-client';

const SLOW_REFILL = 0.2;
const LIMITS: RateLimits = {
  ...DEFAULT_RATE_LIMITS,
  anonymous: { ...DEFAULT_RATE_LIMITS.anonymous, rateLimit: SLOW_REFILL, burstLimit: 4 },
  signedIn: { ...DEFAULT_RATE_LIMITS.signedIn, rateLimit: SLOW_REFILL, burstLimit: 3 },
  partner: { ...DEFAULT_RATE_LIMITS.partner, rateLimit: SLOW_REFILL, burstLimit: 5 },
};

/** Two partners, so that one's bucket is shown to be its own. */
const PARTNERS = [
  { partner: 'acme', key: 'acme-rate-limits-key-0123456789' },
  { partner: 'globex', key: 'globex-rate-limits-key-012345678' },
];
const FEED = '/v1/partner/products?limit=1';

const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-rate-limits-'));
let starting: Promise<Platform> | undefined;
let platform: Platform;

const call = (route: string, options: CallOptions = {}) => callApi(platform.apiUrl, route, options);

/** A call that waits out 429s (setup shares the anonymous bucket with the tests); fails on any other status. */
async function admitted(route: string, options: Parameters<typeof call>[1] & { expect?: number } = {}) {
  return eventually(
    async () => {
      const res = await call(route, options);
      if (res.status !== (options.expect ?? 200))
        throw new Error(`${route} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    { timeout: 60_000, interval: 500 },
  );
}

/** Sends `count` requests one after another; returns their answers. */
async function burst(count: number, send: () => Promise<Reply>): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let i = 0; i < count; i++) replies.push(await send());
  return replies;
}

function expectRateLimited(reply: Reply) {
  expect(reply.status).toBe(429);
  expect(reply.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
  expect(reply.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  // The next token is at most 1 / rate seconds away.
  expect(Number(reply.headers.get('retry-after'))).toBeLessThanOrEqual(Math.ceil(1 / SLOW_REFILL));
}

/** Two signed-in shoppers and a product for the signed-in test. */
let shoppers: { first: string; second: string; productId: string };

async function register(): Promise<string> {
  const email = `rl-${randomUUID()}@example.com`;
  const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
  await admitted('/v1/users', {
    method: 'POST',
    body: { email, password, firstName: 'R', lastName: 'L' },
    expect: 201,
  });
  const login = await admitted('/v1/auth/login', { method: 'POST', body: { email, password } });
  return login.idToken as string;
}

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  starting = startPlatformOnFreePorts({
    dataDir,
    seed: 'demo',
    model: { port: 0 },
    rateLimits: LIMITS,
    partnerKeys: PARTNERS,
  });
  platform = await starting;
  // Signed up and signed in (anonymous requests) while the anonymous bucket is full: after the anonymous test has
  // emptied it, these five requests waited a token each (5 s apiece).
  const [first, second] = [await register(), await register()];
  const products = await admitted('/v1/products');
  shoppers = { first, second, productId: products.items[0].id as string };
}, 120_000);

afterAll(async () => {
  await stopPlatformStartedIn(starting, dataDir);
}, 60_000);

describe('rate limits by client class at the local edge', () => {
  it('holds an anonymous shopper (per IP) to its burst: 429 RATE_LIMITED with Retry-After, then refills', async () => {
    const replies = await burst(LIMITS.anonymous.burstLimit + 1, () => call('/v1/health'));
    // Setup may have taken some of this IP's tokens: the burst runs out no later than its last request.
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    refused.forEach(expectRateLimited);
    await eventually(async () => expect((await call('/v1/health')).status).toBe(200), {
      timeout: 30_000,
      interval: 500,
    });
  }, 60_000);

  it("holds a signed-in shopper (per user) to its burst; the throttled write changes nothing; another user's bucket is its own", async () => {
    const { first, second, productId } = shoppers;

    const add = (token: string) => call('/v1/cart/items', { method: 'POST', token, body: { productId, quantity: 1 } });
    const replies = await burst(LIMITS.signedIn.burstLimit + 1, () => add(first));
    expect(replies.slice(0, -1).map((r) => r.status)).toEqual(Array(LIMITS.signedIn.burstLimit).fill(200));
    expectRateLimited(replies.at(-1)!);
    // Another signed-in shopper from the same address is counted on their own.
    expect((await add(second)).status).toBe(200);

    // The bucket refills; the cart holds exactly what was admitted.
    const cart = await admitted('/v1/cart', { token: first });
    expect(cart.items.find((i: any) => i.productId === productId).quantity).toBe(LIMITS.signedIn.burstLimit);
  }, 120_000);

  it("holds a partner (per API key) to its burst on the partner feed, apart from other partners' keys", async () => {
    const [acme, globex] = PARTNERS.map((p) => p.key);
    const replies = await burst(LIMITS.partner.burstLimit + 1, () => call(FEED, { apiKey: acme }));
    expect(replies.slice(0, -1).map((r) => r.status)).toEqual(Array(LIMITS.partner.burstLimit).fill(200));
    expect(replies[0].body.items).toHaveLength(1);
    expectRateLimited(replies.at(-1)!);
    expect((await call(FEED, { apiKey: globex })).status).toBe(200);
    await eventually(async () => expect((await call(FEED, { apiKey: acme })).status).toBe(200), {
      timeout: 30_000,
      interval: 500,
    });
  }, 60_000);

  it("counts no key that is not a partner's as a partner: refused 403 on the feed before any bucket, never 429", async () => {
    // More than any class's burst from this one IP: were a forged key counted (as a partner, or as the anonymous
    // shopper it is) before the check, the refusals would turn 429. It is refused before anything counts it.
    const forged = await burst(LIMITS.partner.burstLimit + 3, () => call(FEED, { apiKey: `forged-${randomUUID()}` }));
    for (const reply of forged) {
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    }
    const sameForged = await burst(LIMITS.partner.burstLimit + 3, () => call(FEED, { apiKey: 'forged-again' }));
    expect(new Set(sameForged.map((r) => r.status))).toEqual(new Set([403]));
    // Elsewhere a forged key buys nothing: its caller is an anonymous shopper, counted per IP with the others.
    await eventually(async () => expect((await call('/v1/health')).status).toBe(200), {
      timeout: 30_000,
      interval: 500,
    });
    const anonymous = await burst(LIMITS.anonymous.burstLimit + 1, () =>
      call('/v1/health', { apiKey: `forged-${randomUUID()}` }),
    );
    const refused = anonymous.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    refused.forEach(expectRateLimited);
  }, 60_000);
});
