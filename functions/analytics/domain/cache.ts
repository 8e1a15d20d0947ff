import { createHash } from 'node:crypto';
import type { AnalyticsQueryDeps } from '../ports';

/** How long an answer may be served from the cache while the warehouse has not changed. */
export const CACHE_TTL_MS = 15 * 60_000;

/**
 * Part of every key: bump it when a response shape changes, so answers cached by the previous code are
 * never served by the new one (they expire on their own).
 */
const CACHE_FORMAT = 2;

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/**
 * The key of one query: the route and its normalised parameters (defaults applied, names sorted), hashed so
 * any parameter text makes a short, safe item id.
 */
export function cacheKey(route: string, params: Record<string, string | number | boolean | undefined>): string {
  const sorted = Object.keys(params)
    .filter((k) => params[k] !== undefined)
    .sort()
    .map((k) => [k, params[k]]);
  return createHash('sha256')
    .update(JSON.stringify([CACHE_FORMAT, route, sorted]))
    .digest('hex');
}

/**
 * Serves the answer to `key` from the cache while it is unexpired and was computed at the warehouse version
 * the warehouse still has, and otherwise computes and stores it.
 *
 * The version is read before computing, never after: a load that lands while the query runs leaves the stored
 * answer tagged with the older version, so the next request recomputes it. Reading it afterwards could tag an
 * answer that misses the new rows as current, and serve it for 15 minutes.
 *
 * The cache is an optimisation: if it cannot be read the answer is computed directly (`bypass`, and not
 * stored, since its version is unknown); if it cannot be written the answer is still returned.
 */
export async function cached<T>(
  key: string,
  isValid: (value: unknown) => value is T,
  compute: () => Promise<T>,
  deps: Pick<AnalyticsQueryDeps, 'cache' | 'clock' | 'log'>,
): Promise<{ value: T; cache: CacheOutcome }> {
  let version: number | undefined;
  try {
    const found = await deps.cache.lookup(key);
    version = found.version;
    const entry = found.entry;
    if (entry && entry.version === version && entry.expiresAt > deps.clock.now().getTime()) {
      // An entry written by other code (a changed shape) is recomputed, not served.
      if (isValid(entry.value)) return { value: entry.value, cache: 'hit' };
      deps.log.warn('analytics cache entry has an unexpected shape; recomputing', { key });
    }
  } catch (error) {
    deps.log.warn('analytics cache unreadable; querying the warehouse directly', { key, error: String(error) });
  }
  const value = await compute();
  if (version === undefined) return { value, cache: 'bypass' };
  try {
    await deps.cache.store(key, { value, version, expiresAt: deps.clock.now().getTime() + CACHE_TTL_MS });
  } catch (error) {
    deps.log.warn('analytics cache write failed; answer served uncached', { key, error: String(error) });
  }
  return { value, cache: 'miss' };
}
