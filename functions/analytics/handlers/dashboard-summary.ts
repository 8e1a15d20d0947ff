import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { liveAnalyticsQueryDeps } from '../deps';
import { getDashboardSummary } from '../domain/queries';
import type { AnalyticsQueryDeps } from '../ports';
import { SummaryQuery } from '../schemas';

/** GET /v1/analytics/dashboard/summary: analysts and admins; `x-cache` says whether the cache answered. */
export const makeHandler = (deps: AnalyticsQueryDeps) =>
  httpHandler(async (event) => {
    requireGroup(event, 'analyst', 'admin');
    const input = parse(SummaryQuery, query(event));
    const { value, cache } = await getDashboardSummary(input, deps);
    return json(200, value, { 'x-cache': cache, 'cache-control': 'private, no-store' });
  });

export const handler = makeHandler(liveAnalyticsQueryDeps());
