/**
 * The analytics API's reports: the SQL each one runs over the warehouse's facts and views, and the pure
 * mapping of its rows to the response. The SQL keeps to what Redshift and Postgres both accept (see
 * warehouse/migrations.ts): positional parameters cast to their type, aggregates cast back to BIGINT, ordinal
 * GROUP BY / ORDER BY, no engine-specific functions; date arithmetic is done here, not in SQL.
 *
 * Definitions (also in the response schemas' OpenAPI descriptions):
 * - a day is a UTC calendar day; ranges are inclusive at both ends;
 * - revenue is sales minus refunds dated in the range (a refund is dated when it was made, so it counts on
 *   its own day, not its order's);
 * - orders are distinct orders confirmed in the range; a refund does not subtract its order;
 * - units are units sold minus units refunded;
 * - only sales in the store currency (GBP) are reported: amounts in different currencies are never summed;
 * - purchases are orders, never clickstream `purchase` events: anyone may send those (anonymously, with any
 *   value and time), so they count towards nothing;
 * - clickstream is what shoppers do before buying: a session browsed when it has a page or product view, an add to
 *   cart or a search. Conversion is the orders on days with clickstream per session that browsed; a range without
 *   clickstream (replayed history, whose sessions hold purchase events only) has no funnel and no rate (null);
 * - goods are the lines catalog-data/merchandise.ts calls merchandise (the facts' `merchandise` flag): postage,
 *   carriage, fees, manual adjustments, samples and vouchers count in orders and revenue, in no product ranking or
 *   category, and are reported beside them as `nonMerchandise`.
 */
import { dependencyUnavailable, invalid } from '../../shared/errors';
import type { AnalyticsQueryDeps, WarehouseReader } from '../ports';
import {
  DAY_RANGE_MESSAGE,
  DEFAULT_RANGE_DAYS,
  MAX_RANGE_DAYS,
  dateOfDayNumber,
  dayNumber,
  type DashboardSummary,
  type NonMerchandise,
  type SalesDimension,
  type SalesReport,
  type SalesRow,
  type TopProduct,
} from '../schemas';
import type { Row, SqlValue } from '../ports';

/** The store sells in pounds (the cart prices in GBP); reports are in pence of it. */
export const REPORT_CURRENCY = 'GBP';
export const TOP_PRODUCTS = 10;

export interface DateRange {
  startDate: string;
  endDate: string;
}

/** Today's UTC date by the injected clock. */
export const utcDate = (now: Date): string => now.toISOString().slice(0, 10);
export const addDays = (date: string, days: number): string => dateOfDayNumber(dayNumber(date) + days);
export const daysBetween = (from: string, to: string): number => dayNumber(to) - dayNumber(from);

/**
 * Applies the defaults the route documents — endDate: today; startDate: endDate − 29 days (30 days in all) —
 * and checks the range they make. The schema has checked the dates that were given; this catches a range
 * that only the defaults make wrong (a startDate after today, or, for a report by day, years before it), naming
 * the given field. `maxDays` is the longest range allowed (MAX_RANGE_DAYS unless said otherwise; Infinity for
 * the reports that answer for any range).
 */
export function resolveRange(
  query: { startDate?: string; endDate?: string },
  now: Date,
  maxDays: number = MAX_RANGE_DAYS,
): DateRange {
  const endDate = query.endDate ?? utcDate(now);
  const startDate = query.startDate ?? addDays(endDate, -(DEFAULT_RANGE_DAYS - 1));
  const blame = query.endDate !== undefined ? 'endDate' : 'startDate';
  if (endDate < startDate) {
    const message =
      query.endDate !== undefined
        ? 'Must not be before startDate'
        : `Is after today (${endDate}), the default endDate: give an endDate`;
    throw invalid(`Invalid request: ${blame}: ${message}`, [{ path: blame, message }]);
  }
  if (daysBetween(startDate, endDate) + 1 > maxDays) {
    const message = `${DAY_RANGE_MESSAGE}${query.endDate === undefined ? `; it runs to today (${endDate}) by default` : ''}`;
    throw invalid(`Invalid request: ${blame}: ${message}`, [{ path: blame, message }]);
  }
  return { startDate, endDate };
}

/**
 * The warehouse as the reports use it: any failure to answer is the dependency's, a 503 the client may retry,
 * never a 500 carrying the engine's message. The cause is logged with the statement.
 */
export function guarded(warehouse: WarehouseReader, log: AnalyticsQueryDeps['log']): WarehouseReader {
  return {
    async query<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
      try {
        return await warehouse.query<T>(sql, params);
      } catch (error) {
        log.warn('analytics warehouse query failed', { error: String(error), sql: sql.slice(0, 200) });
        throw dependencyUnavailable('The analytics warehouse');
      }
    },
  };
}

/** BIGINT and COUNT values as numbers; NULL (an aggregate over no rows) as 0. */
export function int(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`Expected an integer from the warehouse, got ${shownValue(value)}`);
  return n;
}

/** A warehouse value in an error message: a scalar as String() writes it (a wide BIGINT is a bigint), anything else as JSON. */
const shownValue = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);

const between = 'BETWEEN CAST($1 AS DATE) AND CAST($2 AS DATE)';
/**
 * A fact of goods (catalog-data/merchandise.ts, applied by the loader). A fact loaded by a loader older than
 * migration 7 has no flag, and counts as goods. COALESCE keeps it one expression Redshift takes in a SELECT list too.
 */
export const GOODS = 'COALESCE(f.merchandise, TRUE)';
/** A clickstream event of a session that browsed; purchase events are anyone's and count towards nothing. */
const BROWSING = "event_type <> 'purchase'";

// daily_sales_summary counts an order's distinct SALE lines per day; all lines of an order share its
// timestamp (warehouse/load.ts salesFactsFromOrder), so summing days counts each order once.
export const SALES_TOTALS_SQL = `SELECT CAST(COALESCE(SUM(orders), 0) AS BIGINT) AS orders, CAST(COALESCE(SUM(revenue_pence), 0) AS BIGINT) AS revenue
FROM daily_sales_summary
WHERE sales_date ${between} AND currency = $3`;

// Sessions over the whole range (not per day, as customer_behavior_analysis counts them): a session that
// spans midnight is one session.
export const BEHAVIOUR_SQL = `SELECT
  CAST(COUNT(DISTINCT session_id) AS BIGINT) AS sessions,
  CAST(COUNT(DISTINCT CASE WHEN ${BROWSING} THEN session_id END) AS BIGINT) AS browsing_sessions,
  CAST(COALESCE(SUM(CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END), 0) AS BIGINT) AS page_views,
  CAST(COALESCE(SUM(CASE WHEN event_type = 'product_view' THEN 1 ELSE 0 END), 0) AS BIGINT) AS product_views,
  CAST(COALESCE(SUM(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END), 0) AS BIGINT) AS add_to_carts
FROM user_behavior
WHERE event_date ${between}`;

export const TOP_PRODUCTS_SQL = `SELECT f.product_id, d.name AS product_name,
  CAST(SUM(f.quantity) AS BIGINT) AS units, CAST(SUM(f.revenue_pence) AS BIGINT) AS revenue
FROM sales_facts f
LEFT JOIN dim_products d ON d.product_id = f.product_id
WHERE f.order_date ${between} AND f.currency = $3 AND ${GOODS}
GROUP BY f.product_id, d.name
HAVING SUM(f.revenue_pence) > 0
ORDER BY 4 DESC, 1 ASC
LIMIT ${TOP_PRODUCTS}`;

/** Orders confirmed on the days of the range that have clickstream: the funnel's purchases. */
export const FUNNEL_PURCHASES_SQL = `SELECT CAST(COUNT(DISTINCT f.order_id) AS BIGINT) AS orders
FROM sales_facts f
WHERE f.kind = 'SALE' AND f.currency = $3 AND f.order_date ${between}
  AND f.order_date IN (SELECT DISTINCT event_date FROM user_behavior WHERE ${BROWSING} AND event_date ${between})`;

/** The lines that bill no goods: in the totals, beside the rankings. */
export const NON_MERCHANDISE_SQL = `SELECT CAST(COUNT(DISTINCT CASE WHEN f.kind = 'SALE' THEN f.order_id END) AS BIGINT) AS orders,
  CAST(COALESCE(SUM(f.quantity), 0) AS BIGINT) AS units, CAST(COALESCE(SUM(f.revenue_pence), 0) AS BIGINT) AS revenue
FROM sales_facts f
WHERE f.order_date ${between} AND f.currency = $3 AND NOT ${GOODS}`;

export const SALES_DATES_SQL = `SELECT MIN(order_date) AS first_date, MAX(order_date) AS last_date FROM sales_facts WHERE kind = 'SALE'`;

export const SALES_BY_DAY_SQL = `SELECT sales_date AS row_key, CAST(orders AS BIGINT) AS orders, CAST(net_units AS BIGINT) AS units,
  CAST(revenue_pence AS BIGINT) AS revenue
FROM daily_sales_summary
WHERE sales_date ${between} AND currency = $3
ORDER BY 1`;

// Days add up to months: each order's lines share a day, so summing a month's days counts each order once.
export const SALES_BY_MONTH_SQL = `SELECT TO_CHAR(sales_date, 'YYYY-MM') AS row_key, CAST(SUM(orders) AS BIGINT) AS orders,
  CAST(SUM(net_units) AS BIGINT) AS units, CAST(SUM(revenue_pence) AS BIGINT) AS revenue
FROM daily_sales_summary
WHERE sales_date ${between} AND currency = $3
GROUP BY 1
ORDER BY 1`;

export const SALES_BY_CATEGORY_SQL = `SELECT COALESCE(d.category, 'unknown') AS row_key,
  CAST(COUNT(DISTINCT CASE WHEN f.kind = 'SALE' THEN f.order_id END) AS BIGINT) AS orders,
  CAST(SUM(f.quantity) AS BIGINT) AS units, CAST(SUM(f.revenue_pence) AS BIGINT) AS revenue
FROM sales_facts f
LEFT JOIN dim_products d ON d.product_id = f.product_id
WHERE f.order_date ${between} AND f.currency = $3 AND ${GOODS}
GROUP BY 1
ORDER BY 4 DESC, 1 ASC`;

export const SALES_BY_PRODUCT_SQL = `SELECT f.product_id AS row_key, d.name AS product_name,
  CAST(COUNT(DISTINCT CASE WHEN f.kind = 'SALE' THEN f.order_id END) AS BIGINT) AS orders,
  CAST(SUM(f.quantity) AS BIGINT) AS units, CAST(SUM(f.revenue_pence) AS BIGINT) AS revenue
FROM sales_facts f
LEFT JOIN dim_products d ON d.product_id = f.product_id
WHERE f.order_date ${between} AND f.currency = $3 AND ${GOODS}
GROUP BY f.product_id, d.name
ORDER BY 5 DESC, 1 ASC`;

interface SalesTotalsRow {
  orders: unknown;
  revenue: unknown;
}
interface BehaviourRow {
  sessions: unknown;
  browsing_sessions: unknown;
  page_views: unknown;
  product_views: unknown;
  add_to_carts: unknown;
}
interface ProductFiguresRow {
  product_id: string;
  product_name: string | null;
  units: unknown;
  revenue: unknown;
}
interface FiguresRow {
  orders: unknown;
  units: unknown;
  revenue: unknown;
}
interface SalesDatesRow {
  first_date: string | null;
  last_date: string | null;
}
interface SalesRowRaw {
  row_key: string;
  product_name?: string | null;
  orders: unknown;
  units: unknown;
  revenue: unknown;
}

/**
 * Orders per session, at most 1: a session makes at most one order in the rate, and orders placed without
 * any clickstream (another client, a replay of history) do not push it past every session converting.
 */
export const conversionRate = (orders: number, sessions: number): number =>
  sessions > 0 ? Math.min(1, orders / sessions) : 0;

const toNonMerchandise = (row: FiguresRow | undefined): NonMerchandise => ({
  orders: int(row?.orders),
  units: int(row?.units),
  revenue: int(row?.revenue),
});

/** What the summary's queries answered, one row each (top: ten). */
export interface SummaryRows {
  totals?: SalesTotalsRow;
  behaviour?: BehaviourRow;
  funnelPurchases?: { orders: unknown };
  nonMerchandise?: FiguresRow;
  top: readonly ProductFiguresRow[];
  dates?: SalesDatesRow;
}

/** Pure: the summary from its query results. */
export function toSummary(range: DateRange, rows: SummaryRows): DashboardSummary {
  const orders = int(rows.totals?.orders);
  const revenue = int(rows.totals?.revenue);
  const sessions = int(rows.behaviour?.sessions);
  const browsingSessions = int(rows.behaviour?.browsing_sessions);
  const funnelPurchases = int(rows.funnelPurchases?.orders);
  return {
    ...range,
    orders,
    revenue,
    averageOrderValue: orders > 0 ? Math.round(revenue / orders) : 0,
    currency: REPORT_CURRENCY,
    pageViews: int(rows.behaviour?.page_views),
    productViews: int(rows.behaviour?.product_views),
    addToCarts: int(rows.behaviour?.add_to_carts),
    purchases: orders,
    sessions,
    browsingSessions,
    clickstream: browsingSessions > 0 ? 'recorded' : 'none',
    funnelPurchases,
    conversionRate: conversionRate(orders, sessions),
    funnelConversionRate: browsingSessions > 0 ? conversionRate(funnelPurchases, browsingSessions) : null,
    topProducts: rows.top.map((r): TopProduct => ({
      productId: r.product_id,
      name: r.product_name || r.product_id,
      units: int(r.units),
      revenue: int(r.revenue),
    })),
    nonMerchandise: toNonMerchandise(rows.nonMerchandise),
    firstSalesDate: rows.dates?.first_date ?? null,
    latestSalesDate: rows.dates?.last_date ?? null,
  };
}

export async function dashboardSummary(
  range: DateRange,
  deps: Pick<AnalyticsQueryDeps, 'warehouse' | 'log'>,
): Promise<DashboardSummary> {
  const sql = guarded(deps.warehouse, deps.log);
  const params = [range.startDate, range.endDate, REPORT_CURRENCY];
  const [totals, behaviour, funnelPurchases, nonMerchandise, top, dates] = await Promise.all([
    sql.query<SalesTotalsRow>(SALES_TOTALS_SQL, params),
    sql.query<BehaviourRow>(BEHAVIOUR_SQL, [range.startDate, range.endDate]),
    sql.query<{ orders: unknown }>(FUNNEL_PURCHASES_SQL, params),
    sql.query<FiguresRow>(NON_MERCHANDISE_SQL, params),
    sql.query<ProductFiguresRow>(TOP_PRODUCTS_SQL, params),
    sql.query<SalesDatesRow>(SALES_DATES_SQL),
  ]);
  return toSummary(range, {
    totals: totals[0],
    behaviour: behaviour[0],
    funnelPurchases: funnelPurchases[0],
    nonMerchandise: nonMerchandise[0],
    top,
    dates: dates[0],
  });
}

/** Pure: every day of the range in order, a day without sales as zeros, so charts show the gaps. */
export function fillDays(range: DateRange, rows: readonly SalesRow[]): SalesRow[] {
  const byDay = new Map(rows.map((r) => [r.key, r]));
  const out: SalesRow[] = [];
  for (let d = dayNumber(range.startDate), end = dayNumber(range.endDate); d <= end; d++) {
    const key = dateOfDayNumber(d);
    out.push(byDay.get(key) ?? { key, orders: 0, units: 0, revenue: 0 });
  }
  return out;
}

const monthNumber = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const monthKey = (n: number) =>
  `${String(Math.floor(n / 12)).padStart(4, '0')}-${String((n % 12) + 1).padStart(2, '0')}`;

/** Pure: every calendar month the range touches ('YYYY-MM'), in order, a month without sales as zeros. */
export function fillMonths(range: DateRange, rows: readonly SalesRow[]): SalesRow[] {
  const byMonth = new Map(rows.map((r) => [r.key, r]));
  const out: SalesRow[] = [];
  for (let n = monthNumber(range.startDate), end = monthNumber(range.endDate); n <= end; n++) {
    const key = monthKey(n);
    out.push(byMonth.get(key) ?? { key, orders: 0, units: 0, revenue: 0 });
  }
  return out;
}

/** Pure: the report from its rows (already ordered by the SQL), and for a ranking the lines left out of it. */
export function toSalesReport(
  dimension: SalesDimension,
  range: DateRange,
  raw: readonly SalesRowRaw[],
  nonMerchandise?: FiguresRow,
): SalesReport {
  const rows = raw.map((r): SalesRow => ({
    key: String(r.row_key),
    ...(dimension === 'product' ? { name: r.product_name || String(r.row_key) } : {}),
    orders: int(r.orders),
    units: int(r.units),
    revenue: int(r.revenue),
  }));
  const filled = dimension === 'day' ? fillDays(range, rows) : dimension === 'month' ? fillMonths(range, rows) : rows;
  const ranking = dimension === 'category' || dimension === 'product';
  return {
    dimension,
    ...range,
    currency: REPORT_CURRENCY,
    rows: filled,
    ...(ranking ? { nonMerchandise: toNonMerchandise(nonMerchandise) } : {}),
  };
}

const SALES_SQL: Record<SalesDimension, string> = {
  day: SALES_BY_DAY_SQL,
  month: SALES_BY_MONTH_SQL,
  category: SALES_BY_CATEGORY_SQL,
  product: SALES_BY_PRODUCT_SQL,
};

export async function salesReport(
  dimension: SalesDimension,
  range: DateRange,
  deps: Pick<AnalyticsQueryDeps, 'warehouse' | 'log'>,
): Promise<SalesReport> {
  const sql = guarded(deps.warehouse, deps.log);
  const params = [range.startDate, range.endDate, REPORT_CURRENCY];
  const ranking = dimension === 'category' || dimension === 'product';
  const [rows, nonMerchandise] = await Promise.all([
    sql.query<SalesRowRaw>(SALES_SQL[dimension], params),
    ranking ? sql.query<FiguresRow>(NON_MERCHANDISE_SQL, params) : Promise.resolve([]),
  ]);
  return toSalesReport(dimension, range, rows, nonMerchandise[0]);
}
