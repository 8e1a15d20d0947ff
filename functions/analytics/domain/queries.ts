/**
 * The analytics API's three queries as the handlers call them: defaults applied, then served from the
 * 15-minute cache while the warehouse is unchanged, else computed from the warehouse.
 */
import type * as z from 'zod/mini';
import type { AnalyticsQueryDeps } from '../ports';
import { DashboardSummary, Insights, SalesReport, type SalesReportQuery, type SummaryQuery } from '../schemas';
import { cacheKey, cached, type CacheOutcome } from './cache';
import { insights } from './insights';
import { dashboardSummary, resolveRange, salesReport } from './reports';

const shapeOf =
  <S extends z.ZodMiniType>(schema: S) =>
  (value: unknown): value is z.infer<S> =>
    schema.safeParse(value).success;

export type Answer<T> = { value: T; cache: CacheOutcome };

export function getDashboardSummary(query: SummaryQuery, deps: AnalyticsQueryDeps): Promise<Answer<DashboardSummary>> {
  const range = resolveRange(query, deps.clock.now());
  return cached(
    cacheKey('dashboardSummary', { ...range }),
    shapeOf(DashboardSummary),
    () => dashboardSummary(range, deps),
    deps,
  );
}

export function getSalesReport(query: SalesReportQuery, deps: AnalyticsQueryDeps): Promise<Answer<SalesReport>> {
  const range = resolveRange(query, deps.clock.now());
  return cached(
    cacheKey('salesReport', { ...range, dimension: query.dimension }),
    shapeOf(SalesReport),
    () => salesReport(query.dimension, range, deps),
    deps,
  );
}

export function getInsights(deps: AnalyticsQueryDeps): Promise<Answer<Insights>> {
  return cached(cacheKey('insights', {}), shapeOf(Insights), () => insights(deps), deps);
}
