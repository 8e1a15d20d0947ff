/**
 * Insights: short findings an analyst should act on, from the latest weeks of a range of days (the dashboard's
 * chosen dates), or of the whole warehouse without one. The weeks end on the latest sales day in the range (and,
 * for conversion and searches, its latest clickstream day), not on today: replayed history (2011) gives insights
 * as well as live trading does, and a quiet weekend does not make every product "falling". No window reaches
 * before the range's first day: a comparison with a week before it is not made.
 *
 * - out_of_stock / low_stock: a product's latest inventory snapshot up to the range's last day against its average
 *   daily net units over the DEMAND_DAYS to the latest sales day; flagged under LOW_STOCK_COVER_DAYS days of cover.
 *   Stock is only known from when snapshots began: a range of replayed history has no stock findings.
 * - rising / falling: net units in the last 7 days against the 7 before; rising is +50 % or more on at least
 *   MIN_UNITS_RISING units this week, falling is −50 % or more from at least MIN_UNITS_FALLING units.
 *   Goods only: postage and fees neither rise nor fall (catalog-data/merchandise.ts).
 * - conversion: orders per session that browsed (at most 1) in the last 7 days of clickstream, beside the 7 before.
 *   Orders come from sales_facts, never from clickstream `purchase` events, which anyone can send; a session of
 *   purchase events alone browsed nothing, so replayed history has no conversion to report.
 * - no_results: the search queries that found no product in the last SEARCH_DAYS of clickstream, most frequent
 *   first — what shoppers look for and the catalog does not say it has (a missing product, a word the catalog
 *   spells otherwise). Only the search route's own events count: they carry the result count it found.
 */
import type { AnalyticsQueryDeps } from '../ports';
import type { Insight, Insights } from '../schemas';
import { REPORT_CURRENCY, addDays, conversionRate, daysBetween, guarded, int } from './reports';

export const WEEK_DAYS = 7;
export const DEMAND_DAYS = 28;
export const LOW_STOCK_COVER_DAYS = 7;
export const GROWTH_THRESHOLD = 0.5;
export const MIN_UNITS_RISING = 10;
export const MIN_UNITS_FALLING = 10;
export const MAX_PER_KIND = 5;
export const MAX_STOCK_ITEMS = 10;
export const SEARCH_DAYS = 28;
export const MAX_NO_RESULT_QUERIES = 10;

/** With no range given, the bounds a range of every day has. */
export const ALL_DAYS = { startDate: '1970-01-01', endDate: '9999-12-31' } as const;

/** The latest sales day and clickstream day within $1..$2. */
export const LATEST_DATES_SQL = `SELECT 'sales' AS source, MAX(order_date) AS last_date FROM sales_facts
WHERE kind = 'SALE' AND order_date BETWEEN CAST($1 AS DATE) AND CAST($2 AS DATE)
UNION ALL
SELECT 'events' AS source, MAX(event_date) AS last_date FROM user_behavior WHERE event_date BETWEEN CAST($1 AS DATE) AND CAST($2 AS DATE)`;

/**
 * Goods only. $1 first day of the demand window, $2 first day of the last week, $3 first day of the week before,
 * $4 the latest day.
 */
export const PRODUCT_WEEKS_SQL = `SELECT f.product_id, d.name AS product_name,
  CAST(SUM(CASE WHEN f.order_date >= CAST($2 AS DATE) THEN f.quantity ELSE 0 END) AS BIGINT) AS units_last_week,
  CAST(SUM(CASE WHEN f.order_date >= CAST($3 AS DATE) AND f.order_date < CAST($2 AS DATE) THEN f.quantity ELSE 0 END) AS BIGINT) AS units_week_before,
  CAST(SUM(f.quantity) AS BIGINT) AS units_demand
FROM sales_facts f
LEFT JOIN dim_products d ON d.product_id = f.product_id
WHERE f.order_date BETWEEN CAST($1 AS DATE) AND CAST($4 AS DATE) AND COALESCE(f.merchandise, TRUE)
GROUP BY f.product_id, d.name`;

/**
 * Each product's latest snapshot up to $1, the range's last day (ties on the timestamp broken by event id, as
 * inventory_turnover_metrics does).
 */
export const LATEST_STOCK_SQL = `SELECT l.product_id, l.available
FROM (
  SELECT product_id, available,
    ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY snapshot_ts DESC, event_id DESC) AS rn
  FROM inventory_snapshots
  WHERE snapshot_date <= CAST($1 AS DATE)
) l
WHERE l.rn = 1`;

/**
 * Sessions that browsed (clickstream other than purchase events) and orders confirmed (sales facts in the store
 * currency) per week. $1 first day of the week before, $2 first day of the last week, $3 the latest day, $4 the currency.
 */
export const CONVERSION_WEEKS_SQL = `SELECT w.period, CAST(SUM(w.sessions) AS BIGINT) AS sessions, CAST(SUM(w.orders) AS BIGINT) AS orders
FROM (
  SELECT CASE WHEN event_date >= CAST($2 AS DATE) THEN 'last' ELSE 'before' END AS period,
    COUNT(DISTINCT session_id) AS sessions, 0 AS orders
  FROM user_behavior
  WHERE event_type <> 'purchase' AND event_date BETWEEN CAST($1 AS DATE) AND CAST($3 AS DATE)
  GROUP BY 1
  UNION ALL
  SELECT CASE WHEN order_date >= CAST($2 AS DATE) THEN 'last' ELSE 'before' END AS period,
    0 AS sessions, COUNT(DISTINCT order_id) AS orders
  FROM sales_facts
  WHERE kind = 'SALE' AND currency = $4 AND order_date BETWEEN CAST($1 AS DATE) AND CAST($3 AS DATE)
  GROUP BY 1
) w
GROUP BY w.period`;

/**
 * Search queries that found nothing, by how often, case folded so that one query typed two ways counts once.
 * $1 first day, $2 the latest clickstream day.
 */
export const NO_RESULT_SEARCHES_SQL = `SELECT LOWER(query) AS search_query, CAST(COUNT(*) AS BIGINT) AS searches, MAX(event_date) AS last_date
FROM user_behavior
WHERE event_type = 'search' AND result_count = 0 AND query IS NOT NULL
  AND event_date BETWEEN CAST($1 AS DATE) AND CAST($2 AS DATE)
GROUP BY LOWER(query)
ORDER BY searches DESC, search_query
LIMIT ${MAX_NO_RESULT_QUERIES}`;

export interface NoResultSearch {
  query: string;
  searches: number;
}

export interface ProductWeeks {
  productId: string;
  name: string;
  unitsLastWeek: number;
  unitsWeekBefore: number;
  /** Net units over the DEMAND_DAYS to the latest sales day. */
  unitsDemand: number;
}

export interface ConversionWeeks {
  last: { sessions: number; orders: number };
  before: { sessions: number; orders: number };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const round1 = (n: number) => Math.round(n * 10) / 10;
const percent = (rate: number) => `${fmt(rate * 100, 1)} %`;
const plural = (n: number, noun: string) => `${fmt(n)} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Pure: stock findings, none left first (most demand first), then least cover first. `demandDays` is how many days
 * unitsDemand was counted over: DEMAND_DAYS, or fewer where the range starts later.
 */
export function stockInsights(
  products: readonly ProductWeeks[],
  stock: ReadonlyMap<string, number>,
  asOf: string,
  demandDays = DEMAND_DAYS,
): Insight[] {
  const found: { insight: Insight; order: number }[] = [];
  for (const p of products) {
    const available = stock.get(p.productId);
    if (available === undefined || p.unitsDemand <= 0) continue;
    const perDay = p.unitsDemand / demandDays;
    const cover = available / perDay;
    if (cover >= LOW_STOCK_COVER_DAYS) continue;
    if (available <= 0) {
      found.push({
        order: -p.unitsDemand,
        insight: {
          kind: 'out_of_stock',
          productId: p.productId,
          metric: 0,
          message: `Out of stock: ${p.name} has none left, and sold ${fmt(p.unitsDemand)} in the ${demandDays} days to ${asOf}.`,
        },
      });
    } else {
      found.push({
        order: cover,
        insight: {
          kind: 'low_stock',
          productId: p.productId,
          metric: round1(cover),
          message:
            `Low stock: ${p.name} has ${fmt(available)} left, about ${fmt(cover, 1)} days at its recent rate of ` +
            `${fmt(perDay, 1)} a day (${demandDays} days to ${asOf}).`,
        },
      });
    }
  }
  const outOf = found
    .filter((f) => f.insight.kind === 'out_of_stock')
    .sort((a, b) => a.order - b.order || a.insight.productId!.localeCompare(b.insight.productId!));
  const low = found
    .filter((f) => f.insight.kind === 'low_stock')
    .sort((a, b) => a.order - b.order || a.insight.productId!.localeCompare(b.insight.productId!));
  return [...outOf, ...low].slice(0, MAX_STOCK_ITEMS).map((f) => f.insight);
}

/** Pure: products whose weekly units rose or fell by at least GROWTH_THRESHOLD, on enough volume to matter. */
export function trendInsights(products: readonly ProductWeeks[], asOf: string): Insight[] {
  const change = (p: ProductWeeks) => (p.unitsLastWeek - p.unitsWeekBefore) / p.unitsWeekBefore;
  const byId = (a: ProductWeeks, b: ProductWeeks) => a.productId.localeCompare(b.productId);
  const rising = products
    .filter((p) => p.unitsWeekBefore > 0 && p.unitsLastWeek >= MIN_UNITS_RISING && change(p) >= GROWTH_THRESHOLD)
    .sort((a, b) => change(b) - change(a) || b.unitsLastWeek - a.unitsLastWeek || byId(a, b))
    .slice(0, MAX_PER_KIND)
    .map((p): Insight => ({
      kind: 'rising',
      productId: p.productId,
      metric: Math.round(change(p) * 100),
      message: `Rising: ${p.name} sold ${fmt(p.unitsLastWeek)} in the 7 days to ${asOf}, up ${fmt(change(p) * 100)} % from ${fmt(p.unitsWeekBefore)} the week before.`,
    }));
  const falling = products
    .filter((p) => p.unitsWeekBefore >= MIN_UNITS_FALLING && change(p) <= -GROWTH_THRESHOLD)
    .sort((a, b) => change(a) - change(b) || b.unitsWeekBefore - a.unitsWeekBefore || byId(a, b))
    .slice(0, MAX_PER_KIND)
    .map((p): Insight => ({
      kind: 'falling',
      productId: p.productId,
      metric: Math.round(change(p) * 100),
      message: `Falling: ${p.name} sold ${fmt(Math.max(0, p.unitsLastWeek))} in the 7 days to ${asOf}, down ${fmt(-change(p) * 100)} % from ${fmt(p.unitsWeekBefore)} the week before.`,
    }));
  return [...rising, ...falling];
}

/**
 * Pure: one note on conversion in the last week of clickstream, when it had any sessions that browsed. `before`
 * undefined: the week before lies outside the range looked at.
 */
export function conversionInsight(
  weeks: { last: ConversionWeeks['last']; before?: ConversionWeeks['before'] },
  lastEventDate: string,
): Insight[] {
  const { last, before } = weeks;
  if (last.sessions <= 0) return [];
  const rate = conversionRate(last.orders, last.sessions);
  const previous = before && before.sessions > 0 ? conversionRate(before.orders, before.sessions) : undefined;
  const compared =
    before === undefined
      ? 'The week before is outside the dates chosen.'
      : previous === undefined
        ? 'No sessions the week before to compare with.'
        : rate === previous
          ? 'The same as the week before.'
          : `${rate > previous ? 'Up' : 'Down'} from ${percent(previous)} the week before.`;
  return [
    {
      kind: 'conversion',
      metric: Math.round(rate * 10_000) / 10_000,
      message: `Conversion: ${percent(rate)}, ${plural(last.orders, 'order')} from ${plural(last.sessions, 'session')} in the 7 days to ${lastEventDate}. ${compared}`,
    },
  ];
}

/** Pure: one finding per query that found nothing, most searched first (ties by query). */
export function noResultInsights(searches: readonly NoResultSearch[], lastEventDate: string): Insight[] {
  return [...searches]
    .filter((s) => s.searches > 0 && s.query.trim() !== '')
    .sort((a, b) => b.searches - a.searches || a.query.localeCompare(b.query))
    .slice(0, MAX_NO_RESULT_QUERIES)
    .map((s) => ({
      kind: 'no_results',
      query: s.query,
      metric: s.searches,
      message: `No results: "${s.query}" was searched ${s.searches === 1 ? 'once' : `${fmt(s.searches)} times`} in the ${SEARCH_DAYS} days to ${lastEventDate} and found no product.`,
    }));
}

/** The windows of a range: each ends on its latest day with data and starts no earlier than the range. */
interface Windows {
  /** The demand window's first day and its length in days. */
  demandStart: string;
  demandDays: number;
  lastWeekStart: string;
  /** Undefined when the week before the last starts before the range. */
  weekBeforeStart?: string;
}

const later = (a: string, b: string) => (a > b ? a : b);

/** Pure: the windows ending on `last`, clipped to the range's first day. */
export function windowsOf(last: string, rangeStart: string, demandDays = DEMAND_DAYS): Windows {
  const demandStart = later(addDays(last, -(demandDays - 1)), rangeStart);
  const weekBefore = addDays(last, -(2 * WEEK_DAYS - 1));
  return {
    demandStart,
    demandDays: daysBetween(demandStart, last) + 1,
    lastWeekStart: later(addDays(last, -(WEEK_DAYS - 1)), rangeStart),
    ...(weekBefore >= rangeStart ? { weekBeforeStart: weekBefore } : {}),
  };
}

type Sql = ReturnType<typeof guarded>;
type ProductWeeksRow = {
  product_id: string;
  product_name: string | null;
  units_last_week: unknown;
  units_week_before: unknown;
  units_demand: unknown;
};

/** Stock, rising and falling: from the sales up to the latest sales day of the range. */
async function salesInsights(sql: Sql, lastSale: string, range: Required<InsightsRange>): Promise<Insight[]> {
  const w = windowsOf(lastSale, range.startDate);
  const [products, stockRows] = await Promise.all([
    // Without the week before, the same query with that week empty: no product then has units the week before.
    sql.query<ProductWeeksRow>(PRODUCT_WEEKS_SQL, [
      w.demandStart,
      w.lastWeekStart,
      w.weekBeforeStart ?? w.lastWeekStart,
      lastSale,
    ]),
    sql.query<{ product_id: string; available: unknown }>(LATEST_STOCK_SQL, [range.endDate]),
  ]);
  const weeks: ProductWeeks[] = products.map((r) => ({
    productId: r.product_id,
    name: r.product_name || r.product_id,
    unitsLastWeek: int(r.units_last_week),
    unitsWeekBefore: int(r.units_week_before),
    unitsDemand: int(r.units_demand),
  }));
  const stock = new Map(stockRows.map((r) => [r.product_id, int(r.available)]));
  return [
    ...stockInsights(weeks, stock, lastSale, w.demandDays),
    ...(w.weekBeforeStart ? trendInsights(weeks, lastSale) : []),
  ];
}

/** Conversion and searches with no results: from the clickstream up to the latest clickstream day of the range. */
async function clickstreamInsights(sql: Sql, lastEvent: string, range: Required<InsightsRange>): Promise<Insight[]> {
  const w = windowsOf(lastEvent, range.startDate, SEARCH_DAYS);
  const [conversionRows, noResultRows] = await Promise.all([
    sql.query<{ period: string; sessions: unknown; orders: unknown }>(CONVERSION_WEEKS_SQL, [
      w.weekBeforeStart ?? w.lastWeekStart,
      w.lastWeekStart,
      lastEvent,
      REPORT_CURRENCY,
    ]),
    sql.query<{ search_query: string; searches: unknown }>(NO_RESULT_SEARCHES_SQL, [w.demandStart, lastEvent]),
  ]);
  const period = (name: string) => {
    const row = conversionRows.find((r) => r.period === name);
    return { sessions: int(row?.sessions), orders: int(row?.orders) };
  };
  return [
    ...conversionInsight(
      { last: period('last'), ...(w.weekBeforeStart ? { before: period('before') } : {}) },
      lastEvent,
    ),
    ...noResultInsights(
      noResultRows.map((r) => ({ query: r.search_query, searches: int(r.searches) })),
      lastEvent,
    ),
  ];
}

/** A range of days the insights look within: either end open when not given. */
export interface InsightsRange {
  startDate?: string;
  endDate?: string;
}

export async function insights(
  deps: Pick<AnalyticsQueryDeps, 'warehouse' | 'log'>,
  range: InsightsRange = {},
): Promise<Insights> {
  const sql = guarded(deps.warehouse, deps.log);
  const bounds = { startDate: range.startDate ?? ALL_DAYS.startDate, endDate: range.endDate ?? ALL_DAYS.endDate };
  const latest = await sql.query<{ source: string; last_date: string | null }>(LATEST_DATES_SQL, [
    bounds.startDate,
    bounds.endDate,
  ]);
  const lastSale = latest.find((r) => r.source === 'sales')?.last_date ?? null;
  const lastEvent = latest.find((r) => r.source === 'events')?.last_date ?? null;
  const [fromSales, fromClickstream] = await Promise.all([
    lastSale ? salesInsights(sql, lastSale, bounds) : Promise.resolve([]),
    lastEvent ? clickstreamInsights(sql, lastEvent, bounds) : Promise.resolve([]),
  ]);
  return { asOf: lastSale, ...range, items: [...fromSales, ...fromClickstream] };
}
