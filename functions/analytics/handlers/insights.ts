import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { liveAnalyticsQueryDeps } from '../deps';
import { getInsightsWithReorder } from '../domain/queries';
import { catalogLookup, insightsModelFromEnv, stockLevels } from '../model-deps';
import type { InsightsWithReorderDeps } from '../ports';
import { InsightsQuery } from '../schemas';

/**
 * GET /v1/analytics/insights: analysts and admins; `x-cache` says whether the cache answered the warehouse's
 * findings (the reorder suggestions are computed on every request).
 */
export const makeHandler = (deps: InsightsWithReorderDeps) =>
  httpHandler(async (event) => {
    requireGroup(event, 'analyst', 'admin');
    const input = parse(InsightsQuery, query(event));
    const { value, cache } = await getInsightsWithReorder(input, deps);
    return json(200, value, { 'x-cache': cache, 'cache-control': 'private, no-store' });
  });

export const handler = makeHandler({
  ...liveAnalyticsQueryDeps(),
  model: insightsModelFromEnv(),
  catalog: catalogLookup(),
  stock: stockLevels(),
});
