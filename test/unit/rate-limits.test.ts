/**
 * The local edge's rate limits without a server: the token bucket on an injected clock (no timed assertions),
 * the limiter's buckets per client and class and its 429 refusal, and how a request is classified.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { clientOf } from '@ecicomm/local-platform/edge/rate-limits/client-of';
import { rateLimiter } from '@ecicomm/local-platform/edge/rate-limits/limiter';
import { apiKeysOf, parsePartnerKeys, requireApiKey } from '@ecicomm/local-platform/edge/api-keys';
import { routes } from '../../lib/routes';
import { tokenBucket } from '@ecicomm/local-platform/edge/rate-limits/token-bucket';
import { EdgeRefusal } from '@ecicomm/local-platform/edge/errors';
import { rateLimitsWith } from '../../lib/rate-limits';

describe('token bucket', () => {
  it('admits a burst, then refuses with the seconds until the next token', () => {
    const bucket = tokenBucket(2, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([undefined, undefined, undefined]);
    expect(bucket.take(0)).toBe(0.5);
    expect(bucket.take(100)).toBeCloseTo(0.4);
  });

  it('refills at its rate, never above its size', () => {
    const bucket = tokenBucket(2, 3, 0);
    for (let i = 0; i < 3; i++) bucket.take(0);
    expect(bucket.take(500)).toBeUndefined();
    expect(bucket.take(500)).toBe(0.5);
    expect(bucket.isFull(10_000)).toBe(true);
    const taken = Array.from({ length: 4 }, () => bucket.take(10_000));
    expect(taken.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(taken[3]).toBe(0.5);
  });

  it('refills nothing when the clock steps back', () => {
    const bucket = tokenBucket(1, 1, 5_000);
    expect(bucket.take(5_000)).toBeUndefined();
    expect(bucket.take(1_000)).toBe(1);
    expect(bucket.take(5_500)).toBe(0.5);
  });

  it('refuses a rate or burst that would never admit anything', () => {
    expect(() => tokenBucket(0, 1, 0)).toThrow();
    expect(() => tokenBucket(1, 0, 0)).toThrow();
  });
});

describe('rate limiter', () => {
  const limits = rateLimitsWith({
    anonymous: { rateLimit: 1, burstLimit: 2 },
    signedIn: { rateLimit: 1, burstLimit: 3 },
    partner: { rateLimit: 1, burstLimit: 4 },
  });
  const refusalOf = (admit: () => void) => {
    try {
      admit();
      return undefined;
    } catch (error) {
      return error as EdgeRefusal;
    }
  };

  it.each([
    ['anonymous', 2],
    ['signedIn', 3],
    ['partner', 4],
  ] as const)(
    "holds a %s client to its class's burst, then answers 429 RATE_LIMITED with Retry-After",
    (clientClass, burst) => {
      let now = 0;
      const limiter = rateLimiter(limits, () => now);
      const client = { clientClass, id: 'c1' };
      for (let i = 0; i < burst; i++) expect(refusalOf(() => limiter.admit(client))).toBeUndefined();
      const refusal = refusalOf(() => limiter.admit(client));
      expect(refusal).toBeInstanceOf(EdgeRefusal);
      expect(refusal).toMatchObject({ status: 429, code: 'RATE_LIMITED', headers: { 'retry-after': '1' } });
      now = 1_000;
      expect(refusalOf(() => limiter.admit(client))).toBeUndefined();
    },
  );

  it('counts each client apart, and the same id of two classes apart', () => {
    const limiter = rateLimiter(limits, () => 0);
    for (let i = 0; i < 2; i++) limiter.admit({ clientClass: 'anonymous', id: 'a' });
    expect(refusalOf(() => limiter.admit({ clientClass: 'anonymous', id: 'a' }))).toBeDefined();
    expect(refusalOf(() => limiter.admit({ clientClass: 'anonymous', id: 'b' }))).toBeUndefined();
    expect(refusalOf(() => limiter.admit({ clientClass: 'signedIn', id: 'a' }))).toBeUndefined();
  });

  it('rounds Retry-After up to whole seconds', () => {
    // 3 a second: the next token is a third of a second away, which is 1 second in Retry-After's whole seconds.
    const limiter = rateLimiter(rateLimitsWith({ anonymous: { rateLimit: 3, burstLimit: 1 } }), () => 0);
    limiter.admit({ clientClass: 'anonymous', id: 'a' });
    expect(refusalOf(() => limiter.admit({ clientClass: 'anonymous', id: 'a' }))?.headers).toEqual({
      'retry-after': '1',
    });
    // A tenth of a token a second: 10 seconds.
    const slow = rateLimiter({ ...limits, anonymous: { ...limits.anonymous, rateLimit: 0.1, burstLimit: 1 } }, () => 0);
    slow.admit({ clientClass: 'anonymous', id: 'a' });
    expect(refusalOf(() => slow.admit({ clientClass: 'anonymous', id: 'a' }))?.headers).toEqual({
      'retry-after': '10',
    });
  });
});

describe('classifying a request as the CDK does', () => {
  const request = (headers: Record<string, string>, remoteAddress = '10.0.0.7') =>
    ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;
  const verify = async (token: string) => (token === 'good' ? { sub: 'user-1' } : undefined);
  const keys = apiKeysOf([{ partner: 'acme', key: 'k1' }]);

  it("a partner's API key makes a partner, counted per key, even beside a token", async () => {
    await expect(clientOf(request({ 'x-api-key': 'k1', authorization: 'Bearer good' }), verify, keys)).resolves.toEqual(
      { clientClass: 'partner', id: 'k1' },
    );
  });

  it("a key that is no partner's makes no partner: the request is classed by its token or IP", async () => {
    await expect(
      clientOf(request({ 'x-api-key': 'forged', authorization: 'Bearer good' }), verify, keys),
    ).resolves.toEqual({ clientClass: 'signedIn', id: 'user-1' });
    await expect(clientOf(request({ 'x-api-key': 'forged' }), verify, keys)).resolves.toEqual({
      clientClass: 'anonymous',
      id: '10.0.0.7',
    });
  });

  it('a valid bearer token makes a signed-in shopper, counted per user', async () => {
    await expect(clientOf(request({ authorization: 'Bearer good' }), verify, keys)).resolves.toEqual({
      clientClass: 'signedIn',
      id: 'user-1',
    });
  });

  it('an invalid token or none makes an anonymous shopper, counted per IP', async () => {
    const anonymous: Record<string, string>[] = [{ authorization: 'Bearer forged' }, { authorization: 'Basic x' }, {}];
    for (const headers of anonymous)
      await expect(clientOf(request(headers), verify, keys)).resolves.toEqual({
        clientClass: 'anonymous',
        id: '10.0.0.7',
      });
  });
});

describe("partner routes' API keys at the local edge, as API Gateway checks a usage plan's keys", () => {
  const partnerRoute = routes.find((r) => r.auth.kind === 'apiKey')!;
  const publicRoute = routes.find((r) => r.auth.kind === 'none')!;
  const keys = apiKeysOf([
    { partner: 'acme', key: 'acme-key-0123456789abcdef' },
    { partner: 'globex', key: 'globex-key-0123456789abcd' },
  ]);
  const refusal = (headers: Record<string, string | string[] | undefined>) => {
    try {
      requireApiKey(partnerRoute, headers, keys);
    } catch (e) {
      return e as EdgeRefusal;
    }
    return undefined;
  };

  it('refuses a partner route 403 FORBIDDEN without a key, with an unknown one, or with the key twice', () => {
    for (const headers of [
      {},
      { 'x-api-key': '' },
      { 'x-api-key': 'acme-key-0123456789abcdeX' },
      { 'x-api-key': ['a', 'b'] },
    ]) {
      const e = refusal(headers);
      expect(e).toBeInstanceOf(EdgeRefusal);
      expect([e!.status, e!.code]).toEqual([403, 'FORBIDDEN']);
    }
  });

  it("admits each partner's own key, naming the partner; other routes need none", () => {
    expect(requireApiKey(partnerRoute, { 'x-api-key': 'globex-key-0123456789abcd' }, keys)).toEqual({
      key: 'globex-key-0123456789abcd',
      partner: 'globex',
    });
    expect(requireApiKey(publicRoute, {}, keys)).toBeUndefined();
  });

  it('reads LOCAL_PARTNER_KEYS as partner=key pairs, a bare key being local-partner, and refuses bad ones', () => {
    expect(parsePartnerKeys(' acme=acme-key-0123456789abcdef, 0123456789abcdefghij ')).toEqual([
      { partner: 'acme', key: 'acme-key-0123456789abcdef' },
      { partner: 'local-partner', key: '0123456789abcdefghij' },
    ]);
    expect(() => parsePartnerKeys('short')).toThrow(/20-128/);
    expect(() => parsePartnerKeys('Acme=acme-key-0123456789abcdef')).toThrow(/Acme/);
    expect(() => parsePartnerKeys('a=0123456789abcdefghij,b=0123456789abcdefghij')).toThrow(/repeats/);
    expect(() => parsePartnerKeys(' , ')).toThrow(/no key/);
  });
});
