import type { Clock } from '../../shared/clock';
import type { PopularProducts } from '../ports';

/**
 * The first source with a ranking: the precomputed aggregate, then (before anything has written it, or
 * when it cannot be read) the catalog's own popularity field over a page of active products.
 */
export const firstWithItems = (...sources: PopularProducts[]): PopularProducts => ({
  async top() {
    // Kept in a box: whatever a source threw (even a falsy value) is rethrown as it was.
    let lastFailure: { error: unknown } | undefined;
    for (const source of sources) {
      try {
        const ranking = await source.top();
        if (ranking.items.length) return ranking;
      } catch (e) {
        lastFailure = { error: e };
      }
    }
    if (lastFailure) throw lastFailure.error;
    return { items: [], version: 'none' };
  },
});

/**
 * Keeps a ranking for `ttlMs`: it changes when a model is trained, and the fallback runs exactly when
 * things are going wrong, so it should add as little load as it can. Failures are not kept.
 */
export function cached(source: PopularProducts, ttlMs: number, clock: Clock): PopularProducts {
  let kept: { at: number; value: Awaited<ReturnType<PopularProducts['top']>> } | undefined;
  let pending: ReturnType<PopularProducts['top']> | undefined;
  return {
    async top() {
      const now = clock.now().getTime();
      if (kept && now - kept.at < ttlMs) return kept.value;
      pending ??= source.top().finally(() => (pending = undefined));
      const value = await pending;
      kept = { at: now, value };
      return value;
    },
  };
}
