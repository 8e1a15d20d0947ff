import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { liveAnalyticsQueryDeps } from '../deps';
import { getInsights } from '../domain/queries';
import type { AnalyticsQueryDeps } from '../ports';
import { InsightsQuery } from '../schemas';

/** GET /v1/analytics/insights: analysts and admins; `x-cache` says whether the cache answered. */
export const makeHandler = (deps: AnalyticsQueryDeps) =>
  httpHandler(async (event) => {
    requireGroup(event, 'analyst', 'admin');
    const input = parse(InsightsQuery, query(event));
    const { value, cache } = await getInsights(input, deps);
    return json(200, value, { 'x-cache': cache, 'cache-control': 'private, no-store' });
  });

export const handler = makeHandler(liveAnalyticsQueryDeps());
