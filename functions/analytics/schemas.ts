import * as z from 'zod/mini';
import { Id, MinorUnits, text } from '../shared/schemas';
import { SessionId } from '../cart/schemas';

export const EVENT_TYPES = ['page_view', 'product_view', 'add_to_cart', 'purchase', 'search'] as const;
export const MAX_EVENTS_PER_BATCH = 500;

/**
 * How far an event's `at` may be from the server's receipt. Past: a day covers a client that buffered
 * events offline or resends a batch after its answer was lost (the stream itself keeps records 24 h); an
 * older time is refused rather than let it rewrite closed days' figures. Future: a few minutes of client
 * clock skew, no more.
 */
export const EVENT_AT_MAX_AGE_HOURS = 24;
export const EVENT_AT_MAX_AHEAD_MINUTES = 5;

/** A client's event id: a UUID or a bounded token. Stored ids are made from it and the session (domain/events.ts). */
const EventId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$/, 'Must be 8-64 letters, digits, dash or underscore, e.g. a UUID'));

/** Events about one product name it; a search names what was searched for. */
const needsProduct = new Set<string>(['product_view', 'add_to_cart']);

export const ClickEventInput = z
  .strictObject({
    type: z.enum(EVENT_TYPES),
    sessionId: SessionId,
    productId: z.optional(Id),
    query: z.optional(text(200)),
    value: z.optional(
      MinorUnits.check(
        z.describe(
          'Informational only: analytics never counts purchase events or their values; purchases and revenue come from orders',
        ),
      ),
    ),
    /** When it happened on the client; the server's time when absent. */
    at: z.optional(
      z.iso
        .datetime({ offset: true, message: 'Must be an ISO 8601 date-time, e.g. 2026-11-25T12:00:00Z' })
        .check(
          z.describe(
            `When it happened on the client (the server's time when absent). Must lie between ${EVENT_AT_MAX_AGE_HOURS} hours before and ` +
              `${EVENT_AT_MAX_AHEAD_MINUTES} minutes after the server's time of receipt, else the batch is refused naming the event`,
          ),
        ),
    ),
    eventId: z.optional(
      EventId.check(
        z.describe(
          'A client id for the event, stable across resends of it (a UUID, or 8-64 letters, digits, dash or underscore): ' +
            'analytics counts an event once per sessionId and eventId, so a batch sent again after a lost answer counts once. ' +
            'Unique within a batch per session.',
        ),
      ),
    ),
  })
  .check(
    z.refine((e) => !needsProduct.has(e.type) || e.productId !== undefined, {
      message: 'Is required for this event type',
      path: ['productId'],
    }),
    z.refine((e) => e.type !== 'search' || e.query !== undefined, {
      message: 'Is required for a search',
      path: ['query'],
    }),
  );
export type ClickEventInput = z.infer<typeof ClickEventInput>;

/** The whole batch is validated before anything is written: one bad event rejects it all (API.md). */
export const PutEvents = z.strictObject({
  events: z
    .array(ClickEventInput)
    .check(
      z.minLength(1, 'Must hold at least 1 event'),
      z.maxLength(MAX_EVENTS_PER_BATCH, `Must hold at most ${MAX_EVENTS_PER_BATCH} events`),
    ),
});
export type PutEvents = z.infer<typeof PutEvents>;

export const EventsAccepted = z.object({ accepted: z.int() });

// ---------------------------------------------------------------------------------------------------------
// The analytics API (GET /v1/analytics/*): query and response schemas. Money is integer pence of `currency`.

/**
 * The longest range a report by day may span: three years of days is ~1,100 rows. Reports by month, category or
 * product, the summary and insights answer for any range, so that "all data" is all of it (live orders and years of
 * replayed history alike).
 */
export const MAX_RANGE_DAYS = 3 * 366;
/** With no dates, a report covers the 30 days ending today (UTC, by the function's clock). */
export const DEFAULT_RANGE_DAYS = 30;

const DAY_MS = 86_400_000;
/** Days from 1970-01-01 of a 'YYYY-MM-DD' that is a real calendar date, else NaN. */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // setUTCFullYear, unlike Date.UTC, reads years 0-99 as themselves, not 1900-1999.
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d);
  // 2011-02-30 rolls over to March 2: a real date is one that comes back unchanged.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return Number.NaN;
  return back.getTime() / DAY_MS;
}
export const dateOfDayNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

export const CalendarDate = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'Must be a date as YYYY-MM-DD'),
  // One message per bad value: a string that is not YYYY-MM-DD at all is only told so.
  z.refine((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) || !Number.isNaN(dayNumber(s)), 'Must be a real calendar date'),
  z.refine((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) || s >= '1970-01-01', 'Must not be before 1970-01-01'),
);

const dateRangeShape = {
  startDate: z.optional(
    CalendarDate.check(z.describe('First day of the range, inclusive (UTC). Default: endDate minus 29 days')),
  ),
  endDate: z.optional(
    CalendarDate.check(z.describe("Last day of the range, inclusive (UTC). Default: today by the server's clock")),
  ),
};

/**
 * Both dates given: ordered (and, for a report by day, at most MAX_RANGE_DAYS apart). With one or none, the same
 * rules are applied to the range the defaults make (domain/reports.ts resolveRange), which needs the function's clock.
 */
type GivenRange = { startDate?: string; endDate?: string };
/** Both dates present and valid (an invalid one has its own message; comparing it would add a wrong one). */
const bothValid = (q: GivenRange): q is Required<GivenRange> =>
  q.startDate !== undefined &&
  q.endDate !== undefined &&
  !Number.isNaN(dayNumber(q.startDate)) &&
  !Number.isNaN(dayNumber(q.endDate));
const ordered = z.refine<GivenRange>((q) => !bothValid(q) || q.endDate >= q.startDate, {
  message: 'Must not be before startDate',
  path: ['endDate'],
});
/** The message a report by day over too long a range gets, from the schema or from the defaults (resolveRange). */
export const DAY_RANGE_MESSAGE = `The range must span at most ${MAX_RANGE_DAYS} days by day (a row a day): ask for dimension=month`;

export const SummaryQuery = z.strictObject(dateRangeShape).check(ordered);
export type SummaryQuery = z.infer<typeof SummaryQuery>;

export const SALES_DIMENSIONS = ['day', 'category', 'product', 'month'] as const;
export type SalesDimension = (typeof SALES_DIMENSIONS)[number];

export const SalesReportQuery = z
  .strictObject({
    ...dateRangeShape,
    dimension: z
      ._default(z.enum(SALES_DIMENSIONS), 'day')
      .check(
        z.describe(
          `day: one row per day of the range (zeros included), ascending, at most ${MAX_RANGE_DAYS} days; month: one row per calendar month ` +
            "the range touches ('YYYY-MM', zeros included, the range's days only), ascending; category or product: one row per key of goods " +
            'sold in the range, by revenue descending, the lines that bill no goods (postage, fees, adjustments) in nonMerchandise',
        ),
      ),
  })
  .check(
    ordered,
    z.refine(
      (q) =>
        q.dimension !== 'day' ||
        !bothValid(q) ||
        q.endDate < q.startDate ||
        dayNumber(q.endDate) - dayNumber(q.startDate) + 1 <= MAX_RANGE_DAYS,
      {
        message: DAY_RANGE_MESSAGE,
        path: ['endDate'],
      },
    ),
  );
export type SalesReportQuery = z.infer<typeof SalesReportQuery>;

/**
 * Insights look within the range when given one (its latest weeks with data), else at the latest weeks the whole
 * warehouse holds.
 */
export const InsightsQuery = z
  .strictObject({
    startDate: z.optional(
      CalendarDate.check(
        z.describe('First day the findings may look at, inclusive (UTC). Default: the first the warehouse holds'),
      ),
    ),
    endDate: z.optional(
      CalendarDate.check(
        z.describe(
          'Last day the findings may look at, inclusive (UTC); their weeks end on its latest day with data. Default: the latest the warehouse holds',
        ),
      ),
    ),
  })
  .check(ordered);
export type InsightsQuery = z.infer<typeof InsightsQuery>;

const pence = (description: string) => z.int().check(z.describe(description));
const count = (description: string) => z.int().check(z.minimum(0), z.describe(description));
const day = (description: string) => z.string().check(z.describe(description));

export const TopProduct = z.object({
  productId: z.string(),
  name: z
    .string()
    .check(z.describe("The product's name in the warehouse's product dimension; its id when it has none")),
  units: z.int().check(z.describe('Units sold in the range net of units refunded in it')),
  revenue: pence('Revenue in the range net of refunds in it, pence'),
});
export type TopProduct = z.infer<typeof TopProduct>;

/** Lines that bill no goods (catalog-data/merchandise.ts): postage, carriage, fees, manual adjustments, samples, vouchers. */
export const NonMerchandise = z.object({
  orders: count('Distinct orders confirmed in the range with such a line'),
  units: z.int().check(z.describe('Their quantities, net of refunds')),
  revenue: pence(
    'Their amounts in the range net of refunds in it, pence (manual adjustments and fees may make it negative)',
  ),
});
export type NonMerchandise = z.infer<typeof NonMerchandise>;

export const CLICKSTREAM_STATES = ['recorded', 'none'] as const;

export const DashboardSummary = z.object({
  startDate: day('First day of the range the figures cover (the defaults applied)'),
  endDate: day('Last day of the range the figures cover'),
  orders: count('Distinct orders confirmed in the range (a refund does not subtract its order)'),
  revenue: pence(
    'Sales in the range minus refunds made in the range, pence; postage and fees included (see nonMerchandise)',
  ),
  averageOrderValue: pence('round(revenue / orders), pence; 0 with no orders'),
  currency: z.string(),
  pageViews: count('page_view events in the range'),
  productViews: count('product_view events in the range'),
  addToCarts: count('add_to_cart events in the range'),
  purchases: count(
    'Orders confirmed in the range, the same figure as orders: clickstream purchase events are never counted',
  ),
  sessions: count('Distinct clickstream sessions active in the range (any event, purchase events included)'),
  browsingSessions: count(
    "Sessions in the range that browsed: a page or product view, an add to cart or a search. funnelConversionRate's denominator",
  ),
  clickstream: z
    .enum(CLICKSTREAM_STATES)
    .check(
      z.describe(
        "'none' when no session in the range browsed (replayed history has purchase events only; orders may come from other clients): " +
          'the funnel then has nothing to show and funnelConversionRate is null, rather than a made-up rate',
      ),
    ),
  funnelPurchases: count(
    "Orders confirmed on the days of the range that have clickstream (a session that browsed): the funnel's last step and the " +
      'numerator of funnelConversionRate. Orders on days without clickstream were never in a funnel',
  ),
  // Contract v1 (extend, never break): conversionRate keeps its type and meaning for the clients that read it;
  // the truthful rate is a field of its own beside it.
  conversionRate: z
    .number()
    .check(
      z.minimum(0),
      z.maximum(1),
      z.describe(
        'Orders confirmed in the range / clickstream sessions in the range, at most 1, as a fraction 0-1; 0 with no sessions. ' +
          'As contract v1 has it: sessions of purchase events alone (replayed history) count, so it can read 100 % with no ' +
          'shopper browsing; funnelConversionRate and clickstream say what the clickstream shows',
      ),
    ),
  funnelConversionRate: z.nullable(
    z
      .number()
      .check(
        z.minimum(0),
        z.maximum(1),
        z.describe(
          'funnelPurchases / browsingSessions, at most 1, as a fraction 0-1; null when the range has no clickstream (clickstream: none)',
        ),
      ),
  ),
  topProducts: z
    .array(TopProduct)
    .check(
      z.describe(
        'The 10 products with the highest net revenue in the range (only those above 0), highest first; goods only, never postage or fees',
      ),
    ),
  nonMerchandise: NonMerchandise.check(
    z.describe('Postage, fees and adjustments in the range: in orders and revenue, in no product ranking or category'),
  ),
  firstSalesDate: z.nullable(
    day('The first day the warehouse has any sale on, whatever the range; null before the first'),
  ),
  latestSalesDate: z.nullable(
    day('The last day the warehouse has any sale on, whatever the range; null before the first'),
  ),
});
export type DashboardSummary = z.infer<typeof DashboardSummary>;

export const SalesRow = z.object({
  key: z
    .string()
    .check(
      z.describe(
        "day: 'YYYY-MM-DD'; month: 'YYYY-MM'; category: the product's category ('unknown' when the warehouse has no product record); product: the product id",
      ),
    ),
  name: z.optional(
    z.string().check(z.describe('product dimension only: the product name, or its id when it has none')),
  ),
  orders: count('Distinct orders confirmed in the range with a line under this key'),
  units: z.int().check(z.describe('Units sold net of units refunded')),
  revenue: pence('Sales net of refunds, pence'),
});
export type SalesRow = z.infer<typeof SalesRow>;

export const SalesReport = z.object({
  dimension: z.enum(SALES_DIMENSIONS),
  startDate: day('First day of the range (the defaults applied)'),
  endDate: day('Last day of the range'),
  currency: z.string(),
  rows: z.array(SalesRow),
  nonMerchandise: z.optional(
    NonMerchandise.check(
      z.describe(
        "category and product only: the lines that bill no goods, left out of the rows; rows and this add up to the range's revenue",
      ),
    ),
  ),
});
export type SalesReport = z.infer<typeof SalesReport>;

export const INSIGHT_KINDS = [
  'out_of_stock',
  'low_stock',
  'rising',
  'falling',
  'conversion',
  'no_results',
  'reorder',
] as const;
export type InsightKind = (typeof INSIGHT_KINDS)[number];

export const Insight = z.object({
  kind: z.enum(INSIGHT_KINDS),
  message: z.string(),
  productId: z.optional(z.string()),
  query: z.optional(z.string().check(z.describe('no_results: the search query (lower case) that found no product'))),
  metric: z.optional(
    z
      .number()
      .check(
        z.describe(
          'low_stock / out_of_stock: days of cover at the recent sales rate (0 when none is left); rising / falling: percent change in units, ' +
            'last 7 days against the 7 before; conversion: orders / sessions that browsed in the last 7 days of clickstream (at most 1); ' +
            'no_results: how many searches for the query found nothing in the last 28 days of clickstream; ' +
            'reorder: weeks of cover (as weeksOfCover)',
        ),
      ),
  ),
  weeksOfCover: z.optional(
    z.number().check(z.describe("reorder: units available / the forecast's mean weekly units over lead time + review")),
  ),
  suggestedQuantity: z.optional(
    z.int().check(z.describe('reorder: units to order, by the rule the message states (the route summary too)')),
  ),
  serviceLevel: z.optional(
    z.number().check(z.describe('reorder: the service level the suggested quantity is for (at least), 0-1')),
  ),
  available: z.optional(z.number().check(z.describe('reorder: units available now (the inventory)'))),
});
export type Insight = z.infer<typeof Insight>;

/**
 * Whether the reorder suggestions are in: `included` (there may be none: no product short of cover),
 * `model-unavailable` or `stock-unavailable` (left out, the rest answered), `not-in-range` (a range that ends before
 * today: suggestions are about the stock now).
 */
export const REORDER_STATES = ['included', 'model-unavailable', 'stock-unavailable', 'not-in-range'] as const;
export type ReorderStatus = (typeof REORDER_STATES)[number];

export const Insights = z.object({
  asOf: z.nullable(
    day(
      'The latest sales day within the range (in the warehouse, without one), which the weekly windows end on; null without a sale there',
    ),
  ),
  startDate: z.optional(day('The first day the findings looked at, as asked; absent when not given')),
  endDate: z.optional(day('The last day the findings looked at, as asked; absent when not given')),
  items: z.array(Insight),
  reorder: z.optional(
    z.object({
      status: z.enum(REORDER_STATES),
      rule: z.string().check(z.describe('How the suggested quantities are computed, in words')),
    }),
  ),
});
export type Insights = z.infer<typeof Insights>;

// The demand-insights routes' schemas live beside these, in a file of their own.
export * from './model-schemas';
