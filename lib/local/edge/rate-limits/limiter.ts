/**
 * The local edge's rate limits: a token bucket per client (lib/rate-limits.ts: each class's rateLimit and
 * burstLimit), checked before the route's function runs; over it, a 429 RATE_LIMITED refusal with Retry-After.
 */
import type { RateLimits } from '../../../rate-limits';
import { EdgeRefusal } from '../errors';
import type { Client } from './client-of';
import { tokenBucket, type TokenBucket } from './token-bucket';

export interface RateLimiter {
  /** Takes a token of the client's bucket; throws a 429 EdgeRefusal when there is none. */
  admit(client: Client): void;
}

/** Full buckets are forgotten once this many are kept, so that many one-off clients cannot grow the map forever. */
const PRUNE_ABOVE = 10_000;

export function rateLimiter(limits: RateLimits, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, TokenBucket>();
  const bucketOf = ({ clientClass, id }: Client, nowMs: number) => {
    const key = `${clientClass}:${id}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= PRUNE_ABOVE) for (const [k, b] of buckets) if (b.isFull(nowMs)) buckets.delete(k);
      const { rateLimit, burstLimit } = limits[clientClass];
      bucket = tokenBucket(rateLimit, burstLimit, nowMs);
      buckets.set(key, bucket);
    }
    return bucket;
  };
  return {
    admit(client) {
      const nowMs = now();
      const waitSeconds = bucketOf(client, nowMs).take(nowMs);
      if (waitSeconds === undefined) return;
      // Retry-After is whole seconds (RFC 9110), rounded up so that a client that waits finds a token.
      throw new EdgeRefusal(429, 'RATE_LIMITED', 'Too many requests, slow down', {
        'retry-after': String(Math.max(1, Math.ceil(waitSeconds))),
      });
    },
  };
}
