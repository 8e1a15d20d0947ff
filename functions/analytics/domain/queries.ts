/**
 * The analytics API's three queries as the handlers call them: defaults applied, then served from the
 * 15-minute cache while the warehouse is unchanged, else computed from the warehouse.
 */
import type * as z from 'zod/mini';
import type { AnalyticsQueryDeps, InsightsWithReorderDeps } from '../ports';
import {
  DashboardSummary,
  Insights,
  MAX_RANGE_DAYS,
  SalesReport,
  type InsightsQuery,
  type SalesReportQuery,
  type SummaryQuery,
} from '../schemas';
import { cacheKey, cached, type CacheOutcome } from './cache';
import { insights } from './insights';
import { REORDER_RULE } from './reorder';
import { reorderInsights } from './reorder-insights';
import { dashboardSummary, resolveRange, salesReport } from './reports';

const shapeOf =
  <S extends z.ZodMiniType>(schema: S) =>
  (value: unknown): value is z.infer<S> =>
    schema.safeParse(value).success;

export type Answer<T> = { value: T; cache: CacheOutcome };

// Only a report by day is bounded (a row a day): the summary and the other reports answer for any range, "all data" too.
export function getDashboardSummary(query: SummaryQuery, deps: AnalyticsQueryDeps): Promise<Answer<DashboardSummary>> {
  const range = resolveRange(query, deps.clock.now(), Infinity);
  return cached(
    cacheKey('dashboardSummary', { ...range }),
    shapeOf(DashboardSummary),
    () => dashboardSummary(range, deps),
    deps,
  );
}

export function getSalesReport(query: SalesReportQuery, deps: AnalyticsQueryDeps): Promise<Answer<SalesReport>> {
  const range = resolveRange(query, deps.clock.now(), query.dimension === 'day' ? MAX_RANGE_DAYS : Infinity);
  return cached(
    cacheKey('salesReport', { ...range, dimension: query.dimension }),
    shapeOf(SalesReport),
    () => salesReport(query.dimension, range, deps),
    deps,
  );
}

/** Insights have no default range: without dates they look at the whole warehouse's latest weeks. */
export function getInsights(query: InsightsQuery, deps: AnalyticsQueryDeps): Promise<Answer<Insights>> {
  const range = {
    ...(query.startDate ? { startDate: query.startDate } : {}),
    ...(query.endDate ? { endDate: query.endDate } : {}),
  };
  return cached(cacheKey('insights', range), shapeOf(Insights), () => insights(deps, range), deps);
}

/**
 * Insights with the reorder suggestions beside the cached warehouse findings: those are about the stock now and
 * the model's forecasts, which the warehouse version does not track, so they are computed on every request (and
 * only for a range that reaches today).
 */
export async function getInsightsWithReorder(
  query: InsightsQuery,
  deps: InsightsWithReorderDeps,
): Promise<Answer<Insights>> {
  const today = deps.clock.now().toISOString().slice(0, 10);
  const current = query.endDate === undefined || query.endDate >= today;
  const [answer, reorder] = await Promise.all([
    getInsights(query, deps),
    current ? reorderInsights(deps) : Promise.resolve({ items: [], status: 'not-in-range' as const }),
  ]);
  return {
    ...answer,
    value: {
      ...answer.value,
      items: [...answer.value.items, ...reorder.items],
      reorder: { status: reorder.status, rule: REORDER_RULE },
    },
  };
}
