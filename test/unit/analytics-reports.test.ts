/**
 * The analytics API over a real (in-memory) PGlite warehouse loaded with hand-made facts, whose expected
 * figures are worked out by hand in the comments; then the handlers (validation, auth, the result cache and
 * its failure modes) with an in-memory cache and an injected clock; then the DynamoDB cache adapter on the
 * exact requests it sends.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { DynamoResultCache, cacheItemId } from '../../functions/analytics/adapters/dynamo-result-cache';
import { WAREHOUSE_VERSION_ID } from '../../functions/analytics/adapters/warehouse-version';
import { CACHE_TTL_MS, cacheKey } from '../../functions/analytics/domain/cache';
import {
  conversionInsight,
  insights,
  noResultInsights,
  trendInsights,
} from '../../functions/analytics/domain/insights';
import * as insightSql from '../../functions/analytics/domain/insights';
import * as reportSql from '../../functions/analytics/domain/reports';
import { dashboardSummary, resolveRange, salesReport } from '../../functions/analytics/domain/reports';
import { toNamedParameters } from '../../functions/analytics/adapters/redshift-data-warehouse';
import type {
  AnalyticsQueryDeps,
  CachedResult,
  InsightsWithReorderDeps,
  ResultCache,
} from '../../functions/analytics/ports';
import { DashboardSummary, Insights, SalesReport } from '../../functions/analytics/schemas';
import { DomainError } from '../../functions/shared/errors';
import {
  loadInventorySnapshots,
  loadSalesFacts,
  loadUserBehavior,
  salesFactsFromOrder,
  upsertProductDims,
  type UserBehaviorRow,
} from '../../functions/analytics/domain/load';
import { PgliteWarehouse } from '@ecicomm/local-platform/redshift-data/in-process';
import type { Warehouse } from '../../functions/analytics/ports';
import { lambdaContext } from '@ecicomm/local-platform/lambda/context';

/** Insights' reorder dependencies with no stock recorded: the warehouse findings alone (reorder is tested elsewhere). */
const noStock = {
  model: {
    forecast: () => Promise.reject(new Error('no stock, no forecast')),
    segments: () => Promise.reject(new Error('unused')),
    segmentCustomers: () => Promise.reject(new Error('unused')),
    pricing: () => Promise.reject(new Error('unused')),
  },
  catalog: { get: async () => undefined, getMany: async () => new Map() },
  stock: { available: async () => new Map<string, number>() },
};

const loadedAt = () => new Date('2024-06-01T00:00:00Z');

const order = (orderId: string, createdAt: string, lines: [string, number, number][], currency = 'GBP') => ({
  orderId,
  userId: `customer-of-${orderId}`,
  createdAt,
  currency,
  items: lines.map(([productId, quantity, unitPrice]) => ({
    productId,
    name: productId,
    quantity,
    unitPrice,
    lineTotal: quantity * unitPrice,
  })),
});

const dim = (productId: string, name: string, category: string) => ({
  productId,
  name,
  category,
  brand: 'Acme',
  pricePence: 100,
  currency: 'GBP',
  status: 'ACTIVE',
  updatedTs: '2024-01-01T00:00:00Z',
});

let seq = 0;
const search = (sessionId: string, query: string, resultCount: number | null, eventTs: string): UserBehaviorRow => ({
  eventId: `search-${++seq}`,
  sessionId,
  eventType: 'search',
  query,
  resultCount,
  eventTs,
});
const click = (
  sessionId: string,
  eventType: UserBehaviorRow['eventType'],
  eventTs: string,
  productId?: string,
): UserBehaviorRow => ({
  eventId: `click-${++seq}`,
  sessionId,
  eventType,
  eventTs,
  ...(productId ? { productId } : {}),
});

async function openWarehouse(): Promise<PgliteWarehouse> {
  const wh = await PgliteWarehouse.open();
  await wh.migrate();
  return wh;
}

// ---------------------------------------------------------------------------------------------------------
// Sales in March 2024. p4 has no product record; O7 is in euros; O5 and O6 fall just outside 03-01..03-04.
//   O1 03-01 10:00        p1 2×500 = 1000, p2 1×1500 = 1500   → 2500
//   O2 03-01 23:59:59.999 p1 1×500 = 500                        → 500   (last instant of the first day)
//   O3 03-02 00:00        p3 3×200 = 600, p4 1×999 = 999       → 1599  (first instant of the second day)
//   O4 03-03 12:00        p2 2×1500 = 3000                      → 3000, refunded in full 03-04 08:00
//   O5 02-29 23:59:59.999 p1 10×500                             (before the range)
//   O6 03-05 00:00        p3 1×200                              (after the range)
//   O7 03-02 in EUR       p1 1×600                              (not GBP: never summed with pence of pounds)
const O1 = order('o1', '2024-03-01T10:00:00.000Z', [
  ['p1', 2, 500],
  ['p2', 1, 1500],
]);
const O2 = order('o2', '2024-03-01T23:59:59.999Z', [['p1', 1, 500]]);
const O3 = order('o3', '2024-03-02T00:00:00.000Z', [
  ['p3', 3, 200],
  ['p4', 1, 999],
]);
const O4 = order('o4', '2024-03-03T12:00:00.000Z', [['p2', 2, 1500]]);
const O5 = order('o5', '2024-02-29T23:59:59.999Z', [['p1', 10, 500]]);
const O6 = order('o6', '2024-03-05T00:00:00.000Z', [['p3', 1, 200]]);
const O7 = order('o7', '2024-03-02T09:00:00.000Z', [['p1', 1, 600]], 'EUR');
const RANGE = { startDate: '2024-03-01', endDate: '2024-03-04' };

// Sessions: s2 spans midnight (one session); s4 is after the range.
const CLICKS: UserBehaviorRow[] = [
  click('s1', 'page_view', '2024-03-01T09:00:00Z'),
  click('s1', 'product_view', '2024-03-01T09:01:00Z', 'p1'),
  click('s1', 'add_to_cart', '2024-03-01T09:02:00Z', 'p1'),
  click('s1', 'purchase', '2024-03-01T09:03:00Z'),
  click('s2', 'page_view', '2024-03-01T23:50:00Z'),
  click('s2', 'product_view', '2024-03-02T00:10:00Z', 'p2'),
  click('s2', 'purchase', '2024-03-02T00:12:00Z'),
  click('s3', 'page_view', '2024-03-02T10:00:00Z'),
  click('s3', 'page_view', '2024-03-02T10:01:00Z'),
  click('s4', 'page_view', '2024-03-05T10:00:00Z'),
];

let sales: PgliteWarehouse;
const log = {
  warnings: [] as string[],
  warn(message: string) {
    this.warnings.push(message);
  },
};

beforeAll(async () => {
  sales = await openWarehouse();
  await upsertProductDims(
    sales,
    [dim('p1', 'Heart Lantern', 'lighting'), dim('p2', 'Tea Set', 'kitchen'), dim('p3', 'Blue Mug', 'kitchen')],
    { now: loadedAt },
  );
  await loadSalesFacts(
    sales,
    [
      ...[O1, O2, O3, O4, O5, O6, O7].flatMap((o) => salesFactsFromOrder(o, 'SALE')),
      ...salesFactsFromOrder(O4, 'REFUND', '2024-03-04T08:00:00.000Z'),
    ],
    { now: loadedAt },
  );
  await loadUserBehavior(sales, CLICKS, { now: loadedAt });
}, 30_000);

afterAll(async () => {
  await sales?.close();
});

describe('the dashboard summary', () => {
  it('counts orders confirmed in the range, nets refunds out of revenue, and bounds days inclusively', async () => {
    const s = await dashboardSummary(RANGE, { warehouse: sales, log });
    expect(s).toMatchObject({
      ...RANGE,
      orders: 4, // o1-o4: the refund of o4 does not take its order away
      revenue: 2500 + 500 + 1599 + 3000 - 3000, // 4599
      averageOrderValue: 1150, // round(4599 / 4 = 1149.75)
      currency: 'GBP',
      latestSalesDate: '2024-03-05',
    });
    expect(DashboardSummary.safeParse(s).success).toBe(true);
  });

  it('ranks the top products by net revenue, ties by id, naming a product without a record by its id', async () => {
    const { topProducts } = await dashboardSummary(RANGE, { warehouse: sales, log });
    expect(topProducts).toEqual([
      { productId: 'p1', name: 'Heart Lantern', units: 3, revenue: 1500 },
      { productId: 'p2', name: 'Tea Set', units: 1, revenue: 1500 }, // 1 + 2 sold − 2 refunded; 1500 + 3000 − 3000
      { productId: 'p4', name: 'p4', units: 1, revenue: 999 },
      { productId: 'p3', name: 'Blue Mug', units: 3, revenue: 600 },
    ]);
  });

  it('counts the funnel from the clickstream and purchases from orders, a session across midnight once', async () => {
    const s = await dashboardSummary(RANGE, { warehouse: sales, log });
    // Purchases are the 4 GBP orders o1-o4, not the 2 purchase events; 4 orders over 3 sessions caps at 1.
    expect(s).toMatchObject({
      pageViews: 4,
      productViews: 2,
      addToCarts: 1,
      purchases: 4,
      sessions: 3,
      conversionRate: 1,
    });
    // 03-02: o3 (o7 is in euros) over sessions s2 (across midnight) and s3.
    const day = await dashboardSummary({ startDate: '2024-03-02', endDate: '2024-03-02' }, { warehouse: sales, log });
    expect(day).toMatchObject({ orders: 1, purchases: 1, sessions: 2, conversionRate: 0.5 });
  });

  it('counts no clickstream purchase event: any number, any value, any time changes no figure of the summary or the views', async () => {
    const wh = await openWarehouse();
    try {
      await loadSalesFacts(
        wh,
        [O1, O2, O3, O4].flatMap((o) => salesFactsFromOrder(o, 'SALE')),
        { now: loadedAt },
      );
      await loadUserBehavior(wh, CLICKS, { now: loadedAt });
      const view = () =>
        wh.query(
          `SELECT CAST(event_date AS VARCHAR) AS day, purchases, sessions_with_purchase, purchase_value_pence, conversion_rate, cart_to_purchase_rate
           FROM customer_behavior_analysis WHERE event_date BETWEEN CAST('2024-03-01' AS DATE) AND CAST('2024-03-04' AS DATE) ORDER BY 1`,
        );
      const before = { summary: await dashboardSummary(RANGE, { warehouse: wh, log }), view: await view() };
      // By hand: 03-01 o1 + o2 (3000 p) over s1, s2; 03-02 o3 (1599 p) over s2, s3; 03-03 o4 (3000 p), no session.
      expect(before.view).toEqual([
        {
          day: '2024-03-01',
          purchases: 2,
          sessions_with_purchase: 2,
          purchase_value_pence: 3000,
          conversion_rate: 1,
          cart_to_purchase_rate: 1,
        },
        {
          day: '2024-03-02',
          purchases: 1,
          sessions_with_purchase: 1,
          purchase_value_pence: 1599,
          conversion_rate: 0.5,
          cart_to_purchase_rate: null,
        },
        {
          day: '2024-03-03',
          purchases: 1,
          sessions_with_purchase: 0,
          purchase_value_pence: 3000,
          conversion_rate: null,
          cart_to_purchase_rate: null,
        },
      ]);
      // Purchase events with huge values in sessions already active those days (s1 back-dated to the range's
      // first instant), so only the purchases could change: none of them is counted.
      const fakes = Array.from({ length: 40 }, (_, i) => ({
        ...(i % 2 ? click('s1', 'purchase', '2024-03-01T00:00:00Z') : click('s3', 'purchase', '2024-03-02T12:00:00Z')),
        valuePence: 99_999_999,
      }));
      await loadUserBehavior(wh, fakes, { now: loadedAt });
      expect({ summary: await dashboardSummary(RANGE, { warehouse: wh, log }), view: await view() }).toEqual(before);
    } finally {
      await wh.close();
    }
  }, 30_000);

  it('answers zeros, not nulls, over a range with no data', async () => {
    const s = await dashboardSummary({ startDate: '2030-01-01', endDate: '2030-01-31' }, { warehouse: sales, log });
    expect(s).toMatchObject({
      orders: 0,
      revenue: 0,
      averageOrderValue: 0,
      sessions: 0,
      conversionRate: 0,
      pageViews: 0,
      topProducts: [],
    });
    expect(DashboardSummary.safeParse(s).success).toBe(true);
  });

  it('includes the first and the last instant of a one-day range and nothing around it', async () => {
    const s = await dashboardSummary({ startDate: '2024-03-01', endDate: '2024-03-01' }, { warehouse: sales, log });
    expect(s).toMatchObject({ orders: 2, revenue: 3000 }); // o1 and o2 (23:59:59.999); not o5 (the day before) nor o3 (00:00 the day after)
  });
});

describe('the sales report', () => {
  it('by day: every day of the range ascending, zeros on a day without sales, a refund-only day negative', async () => {
    const r = await salesReport('day', { startDate: '2024-03-01', endDate: '2024-03-06' }, { warehouse: sales, log });
    expect(r.rows).toEqual([
      { key: '2024-03-01', orders: 2, units: 4, revenue: 3000 },
      { key: '2024-03-02', orders: 1, units: 4, revenue: 1599 },
      { key: '2024-03-03', orders: 1, units: 2, revenue: 3000 },
      { key: '2024-03-04', orders: 0, units: -2, revenue: -3000 },
      { key: '2024-03-05', orders: 1, units: 1, revenue: 200 },
      { key: '2024-03-06', orders: 0, units: 0, revenue: 0 },
    ]);
    expect(r).toMatchObject({ dimension: 'day', startDate: '2024-03-01', endDate: '2024-03-06', currency: 'GBP' });
    expect(SalesReport.safeParse(r).success).toBe(true);
  });

  it('by category: by net revenue, "unknown" for a product the warehouse has no record of', async () => {
    const r = await salesReport('category', RANGE, { warehouse: sales, log });
    expect(r.rows).toEqual([
      { key: 'kitchen', orders: 3, units: 4, revenue: 2100 }, // p2 (o1, o4: 1 unit, 1500 net) + p3 (o3: 3, 600)
      { key: 'lighting', orders: 2, units: 3, revenue: 1500 }, // p1 in o1, o2
      { key: 'unknown', orders: 1, units: 1, revenue: 999 }, // p4
    ]);
  });

  it('by product: by net revenue, ties by id, with names', async () => {
    const r = await salesReport('product', RANGE, { warehouse: sales, log });
    expect(r.rows).toEqual([
      { key: 'p1', name: 'Heart Lantern', orders: 2, units: 3, revenue: 1500 },
      { key: 'p2', name: 'Tea Set', orders: 2, units: 1, revenue: 1500 },
      { key: 'p4', name: 'p4', orders: 1, units: 1, revenue: 999 },
      { key: 'p3', name: 'Blue Mug', orders: 1, units: 3, revenue: 600 },
    ]);
    expect(SalesReport.safeParse(r).success).toBe(true);
  });

  it('adds up to the summary: revenue by day, category and product all equal its revenue', async () => {
    const summary = await dashboardSummary(RANGE, { warehouse: sales, log });
    for (const dimension of ['day', 'category', 'product'] as const) {
      const { rows } = await salesReport(dimension, RANGE, { warehouse: sales, log });
      expect(
        rows.reduce((sum, r) => sum + r.revenue, 0),
        dimension,
      ).toBe(summary.revenue);
    }
  });
});

describe('date ranges', () => {
  const now = new Date('2024-03-04T15:00:00Z');

  it('defaults to the 30 days ending today, or ending on the endDate given, or from the startDate given to today', () => {
    expect(resolveRange({}, now)).toEqual({ startDate: '2024-02-04', endDate: '2024-03-04' });
    expect(resolveRange({ endDate: '2024-01-10' }, now)).toEqual({ startDate: '2023-12-12', endDate: '2024-01-10' });
    expect(resolveRange({ startDate: '2024-01-01' }, now)).toEqual({ startDate: '2024-01-01', endDate: '2024-03-04' });
  });

  it('refuses a startDate after today when the endDate is left to default, naming startDate', () => {
    const error = (() => {
      try {
        resolveRange({ startDate: '2024-03-05' }, now);
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_ERROR', details: [{ path: 'startDate' }] });
  });

  it('refuses a startDate more than three years before today when the endDate defaults', () => {
    expect(() => resolveRange({ startDate: '2011-01-01' }, now)).toThrow(/at most 1098 days/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Insights. The latest sale is 2011-12-09, so the last week is 12-03..12-09, the week before 11-26..12-02 and
// the demand window (28 days) 11-12..12-09.
describe('insights', () => {
  let wh: PgliteWarehouse;
  const sale = (id: string, at: string, productId: string, quantity: number) =>
    order(id, at, [[productId, quantity, 100]]);

  beforeAll(async () => {
    wh = await openWarehouse();
    await upsertProductDims(
      wh,
      [
        dim('A', 'Rising Star', 'x'),
        dim('B', 'Steady Seller', 'x'),
        dim('C', 'Small Riser', 'x'),
        dim('D', 'Falling Knife', 'x'),
        dim('E', 'Low Lamp', 'x'),
        dim('F', 'Gone Vase', 'x'),
        dim('G', 'Plenty Pot', 'x'),
        dim('I', 'Old Stock', 'x'),
      ],
      { now: loadedAt },
    );
    const orders = [
      sale('a1', '2011-11-28T10:00:00Z', 'A', 10),
      sale('a2', '2011-12-05T10:00:00Z', 'A', 20), // +100 %
      sale('b1', '2011-11-28T10:00:00Z', 'B', 20),
      sale('b2', '2011-12-05T10:00:00Z', 'B', 20), // flat
      sale('c1', '2011-11-28T10:00:00Z', 'C', 2),
      sale('c2', '2011-12-05T10:00:00Z', 'C', 6), // +200 % but only 6 units
      sale('d1', '2011-11-27T10:00:00Z', 'D', 30),
      sale('d2', '2011-12-09T10:00:00Z', 'D', 10), // −67 %
      sale('e1', '2011-11-15T10:00:00Z', 'E', 56), // 2 a day over 28 days; 6 left → 3.0 days
      sale('f1', '2011-11-20T10:00:00Z', 'F', 14), // none left
      sale('g1', '2011-11-20T10:00:00Z', 'G', 28), // 1 a day; 7 left → exactly 7 days: not low
      sale('h1', '2011-11-20T10:00:00Z', 'H', 50), // no snapshot: stock unknown, no finding
      sale('i1', '2011-10-01T10:00:00Z', 'I', 100), // none left, but no demand in the window
      sale('j1', '2011-12-01T10:00:00Z', 'J', 10),
      sale('j2', '2011-12-08T10:00:00Z', 'J', 25), // 25 − 1 refunded = 24: +140 %
    ];
    await loadSalesFacts(
      wh,
      [
        ...orders.flatMap((o) => salesFactsFromOrder(o, 'SALE')),
        ...salesFactsFromOrder(order('j2', '2011-12-08T10:00:00Z', [['J', 1, 100]]), 'REFUND', '2011-12-09T09:00:00Z'),
      ],
      { now: loadedAt },
    );
    const snap = (eventId: string, productId: string, available: number, at: string) => ({
      eventId,
      productId,
      available,
      reserved: 0,
      snapshotTs: at,
    });
    await loadInventorySnapshots(
      wh,
      [
        snap('sa', 'A', 500, '2011-12-09T00:00:00Z'),
        snap('se0', 'E', 100, '2011-11-01T00:00:00Z'),
        snap('se1', 'E', 6, '2011-12-09T00:00:00Z'),
        snap('sf0', 'F', 50, '2011-11-01T00:00:00Z'),
        snap('sf1', 'F', 0, '2011-12-09T00:00:00Z'),
        snap('sg', 'G', 7, '2011-12-09T00:00:00Z'),
        snap('si', 'I', 0, '2011-12-09T00:00:00Z'),
        snap('sj', 'J', 1000, '2011-12-09T00:00:00Z'),
      ],
      { now: loadedAt },
    );
    // Clickstream ends 12-08: the last week 12-02..12-08 has 15 sessions that browsed and 4 orders (a2, b2, c2, j2;
    // d2 is on 12-09), 26.7 %; the week before 11-25..12-01 has 9 and 5 orders (a1, b1, c1, d1, j1), 55.6 %. The
    // purchase events (k1, k5, k7) count for nothing, their sessions included.
    const browsing = (prefix: string, sessions: number, at: string) =>
      Array.from({ length: sessions }, (_, i) => click(`${prefix}${i}`, 'page_view', at));
    await loadUserBehavior(
      wh,
      [
        click('k1', 'purchase', '2011-12-08T10:00:00Z'),
        click('k2', 'page_view', '2011-12-07T10:00:00Z'),
        click('k3', 'page_view', '2011-12-02T00:00:00Z'),
        click('k4', 'add_to_cart', '2011-12-05T10:00:00Z', 'A'),
        ...browsing('m', 12, '2011-12-04T10:00:00Z'),
        click('k5', 'purchase', '2011-12-01T23:59:59Z'),
        click('k6', 'page_view', '2011-11-25T10:00:00Z'),
        ...browsing('n', 8, '2011-11-26T10:00:00Z'),
        click('k7', 'purchase', '2011-11-20T10:00:00Z'), // before both weeks
        // Searches, in sessions the weeks already have (conversion is unchanged). The 28 days to 12-08 start on 11-11.
        search('k2', 'headphnes', 0, '2011-12-07T10:00:00Z'),
        search('m0', 'Headphnes', 0, '2011-12-04T10:00:00Z'),
        search('n0', 'headphnes', 0, '2011-11-26T10:00:00Z'),
        search('m1', 'tea cosy', 0, '2011-12-04T11:00:00Z'),
        search('m2', 'zebra lamp', 0, '2011-12-04T11:00:00Z'),
        search('m3', 'zebra lamp', 0, '2011-12-04T12:00:00Z'),
        search('m4', 'cake stand', 12, '2011-12-04T10:00:00Z'), // found something
        search('m5', 'unicorn', null, '2011-12-04T10:00:00Z'), // sent by a client: no result count
        search('k7', 'parasol', 0, '2011-11-10T10:00:00Z'), // before the 28 days
      ],
      { now: loadedAt },
    );
  }, 30_000);

  afterAll(async () => {
    await wh?.close();
  });

  it('finds stock running out against recent demand, rising and falling products, and conversion', async () => {
    const result = await insights({ warehouse: wh, log });
    expect(result.asOf).toBe('2011-12-09');
    expect(result.items.map((i) => [i.kind, i.productId, i.metric])).toEqual([
      ['out_of_stock', 'F', 0],
      ['low_stock', 'E', 3],
      ['rising', 'J', 140],
      ['rising', 'A', 100],
      ['falling', 'D', -67],
      ['conversion', undefined, 0.2667],
      ['no_results', undefined, 3],
      ['no_results', undefined, 2],
      ['no_results', undefined, 1],
    ]);
    expect(result.items.filter((i) => i.kind === 'no_results').map((i) => i.query)).toEqual([
      'headphnes',
      'zebra lamp',
      'tea cosy',
    ]);
    expect(Insights.safeParse(result).success).toBe(true);
  });

  it('says each finding in words an analyst can act on', async () => {
    const { items } = await insights({ warehouse: wh, log });
    expect(items.map((i) => i.message)).toEqual([
      'Out of stock: Gone Vase has none left, and sold 14 in the 28 days to 2011-12-09.',
      'Low stock: Low Lamp has 6 left, about 3.0 days at its recent rate of 2.0 a day (28 days to 2011-12-09).',
      'Rising: J sold 24 in the 7 days to 2011-12-09, up 140 % from 10 the week before.',
      'Rising: Rising Star sold 20 in the 7 days to 2011-12-09, up 100 % from 10 the week before.',
      'Falling: Falling Knife sold 10 in the 7 days to 2011-12-09, down 67 % from 30 the week before.',
      'Conversion: 26.7 %, 4 orders from 15 sessions in the 7 days to 2011-12-08. Down from 55.6 % the week before.',
      'No results: "headphnes" was searched 3 times in the 28 days to 2011-12-08 and found no product.',
      'No results: "zebra lamp" was searched 2 times in the 28 days to 2011-12-08 and found no product.',
      'No results: "tea cosy" was searched once in the 28 days to 2011-12-08 and found no product.',
    ]);
  });

  it('has nothing to say about an empty warehouse', async () => {
    const empty = await openWarehouse();
    try {
      expect(await insights({ warehouse: empty, log })).toEqual({ asOf: null, items: [] });
    } finally {
      await empty.close();
    }
  }, 30_000); // opening PGlite takes seconds of WASM start on a busy machine

  it('needs the volume: a product going from 9 to 9 × 10 is rising, from 1 to 9 is not, and a new product (0 before) is not a percentage', () => {
    const p = (productId: string, unitsWeekBefore: number, unitsLastWeek: number) => ({
      productId,
      name: productId,
      unitsWeekBefore,
      unitsLastWeek,
      unitsDemand: 0,
    });
    expect(trendInsights([p('x', 9, 90), p('y', 1, 9), p('z', 0, 50)], '2011-12-09').map((i) => i.productId)).toEqual([
      'x',
    ]);
    expect(
      trendInsights([p('x', 10, 5), p('y', 9, 0), p('z', 10, 6)], '2011-12-09').map((i) => [i.productId, i.metric]),
    ).toEqual([['x', -50]]);
  });

  it('notes conversion without a comparison when the week before had no sessions, and nothing without sessions', () => {
    expect(
      conversionInsight({ last: { sessions: 8, orders: 2 }, before: { sessions: 0, orders: 0 } }, '2024-03-04')[0]
        ?.message,
    ).toBe(
      'Conversion: 25.0 %, 2 orders from 8 sessions in the 7 days to 2024-03-04. No sessions the week before to compare with.',
    );
    expect(
      conversionInsight({ last: { sessions: 0, orders: 3 }, before: { sessions: 5, orders: 1 } }, '2024-03-04'),
    ).toEqual([]);
  });

  it('lists at most ten queries that found nothing, most searched first, ties by query', () => {
    const rows = [
      ...Array.from({ length: 12 }, (_, i) => ({ query: `q${String(i).padStart(2, '0')}`, searches: 1 + (i % 3) })),
      { query: 'never', searches: 0 },
    ];
    const found = noResultInsights(rows, '2024-03-04');
    expect(found.map((i) => [i.query, i.metric])).toEqual([
      ['q02', 3],
      ['q05', 3],
      ['q08', 3],
      ['q11', 3],
      ['q01', 2],
      ['q04', 2],
      ['q07', 2],
      ['q10', 2],
      ['q00', 1],
      ['q03', 1],
    ]);
    expect(noResultInsights([], '2024-03-04')).toEqual([]);
  });

  it('caps conversion at 100 %: orders placed without clickstream do not make more than every session convert', () => {
    const [note] = conversionInsight(
      { last: { sessions: 1, orders: 3 }, before: { sessions: 4, orders: 1 } },
      '2024-03-04',
    );
    expect([note?.metric, note?.message]).toEqual([
      1,
      'Conversion: 100.0 %, 3 orders from 1 session in the 7 days to 2024-03-04. Up from 25.0 % the week before.',
    ]);
  });
});

describe("the reports' SQL on the Redshift Data API", () => {
  /** How many positional parameters each statement is given (domain/reports.ts and domain/insights.ts). */
  const PARAMS: Record<string, number> = {
    SALES_TOTALS_SQL: 3,
    BEHAVIOUR_SQL: 2,
    TOP_PRODUCTS_SQL: 3,
    SALES_DATES_SQL: 0,
    FUNNEL_PURCHASES_SQL: 3,
    NON_MERCHANDISE_SQL: 3,
    SALES_BY_DAY_SQL: 3,
    SALES_BY_MONTH_SQL: 3,
    SALES_BY_CATEGORY_SQL: 3,
    SALES_BY_PRODUCT_SQL: 3,
    LATEST_DATES_SQL: 2,
    PRODUCT_WEEKS_SQL: 4,
    LATEST_STOCK_SQL: 1,
    CONVERSION_WEEKS_SQL: 4,
    NO_RESULT_SEARCHES_SQL: 2,
  };
  const statements = Object.entries({ ...reportSql, ...insightSql }).filter(([name]) => name.endsWith('_SQL')) as [
    string,
    string,
  ][];

  it('rewrites every statement to named parameters, each one it is given used and none missing', () => {
    expect(statements.map(([name]) => name).sort()).toEqual(Object.keys(PARAMS).sort());
    for (const [name, sql] of statements) {
      const params = Array.from({ length: PARAMS[name] }, (_, i) => `v${i + 1}`);
      const { sql: named, parameters } = toNamedParameters(sql, params);
      expect(parameters.map((p) => p.name).sort(), name).toEqual(params.map((_, i) => `p${i + 1}`).sort());
      expect(named, name).not.toMatch(/\$\d/);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Handlers: validation, auth, the cache.

/** The cache as the aggregates table holds it: a version counter and entries, with switches to make it fail. */
class MemoryCache implements ResultCache {
  version = 0;
  entries = new Map<string, CachedResult>();
  failLookup = false;
  failStore = false;
  lookups = 0;
  async lookup(key: string) {
    this.lookups++;
    if (this.failLookup) throw new Error('ProvisionedThroughputExceededException');
    return { version: this.version, entry: this.entries.get(key) };
  }
  async store(key: string, entry: CachedResult) {
    if (this.failStore) throw new Error('ItemCollectionSizeLimitExceededException');
    this.entries.set(key, structuredClone(entry));
  }
}

/** Counts the warehouse's queries, and can be made to fail. */
function countingWarehouse(inner: Warehouse) {
  const state = { queries: 0, fail: false };
  const warehouse = {
    query: async <T extends object>(sql: string, params?: readonly (string | number | boolean | null)[]) => {
      state.queries++;
      if (state.fail)
        throw new Error(
          'connection to server at "warehouse.internal" (10.0.0.12) failed: FATAL password authentication failed',
        );
      return inner.query<T>(sql, params);
    },
  };
  return { warehouse, state };
}

const CLAIMS = {
  analyst: { sub: 'analyst-1', email: 'analyst@example.com', 'cognito:groups': 'analyst' },
  admin: { sub: 'admin-1', email: 'admin@example.com', 'cognito:groups': 'admin,analyst' },
  shopper: { sub: 'shopper-1', email: 'shopper@example.com' },
};

const apiEvent = (path: string, query: Record<string, string> | null, who: keyof typeof CLAIMS | null = 'analyst') =>
  ({
    resource: path,
    path,
    httpMethod: 'GET',
    headers: { 'X-Request-Id': 'unit-request' },
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      authorizer: who ? { claims: CLAIMS[who] } : null,
      requestId: 'unit-request',
      path: `/v1${path}`,
      stage: 'v1',
    },
  }) as never;

type Handler = (event: never, context: never) => Promise<APIGatewayProxyResult>;
const call = async (handler: Handler, event: never) => {
  const res = await handler(event, lambdaContext('analytics-unit') as never);
  return { status: res.statusCode, headers: res.headers ?? {}, body: JSON.parse(res.body) };
};

/**
 * The handler modules build their live dependencies when loaded (a bad environment fails the cold start), so
 * they are loaded with an environment that names a table and a warehouse; neither is ever used.
 */
async function handlerModules() {
  Object.assign(process.env, {
    AGGREGATES_TABLE: 'unit-aggregates',
    INSIGHTS_ENDPOINT_NAME: 'never-asked',
    PRODUCTS_TABLE: 'never-asked',
    INVENTORY_TABLE: 'never-asked',
    REDSHIFT_WORKGROUP: 'never-asked',
    REDSHIFT_DATABASE: 'never-asked',
  });
  // One after another: jest's ESM loader fails concurrent imports that share a module not yet linked.
  const s = await import('../../functions/analytics/handlers/dashboard-summary');
  const r = await import('../../functions/analytics/handlers/sales-report');
  const i = await import('../../functions/analytics/handlers/insights');
  return { summaryHandler: s.makeHandler, salesHandler: r.makeHandler, insightsHandler: i.makeHandler };
}
let summaryHandler: (deps: AnalyticsQueryDeps) => unknown;
let salesHandler: (deps: AnalyticsQueryDeps) => unknown;
let insightsHandler: (deps: InsightsWithReorderDeps) => unknown;

describe('the analytics handlers', () => {
  beforeAll(async () => {
    ({ summaryHandler, salesHandler, insightsHandler } = await handlerModules());
  });

  let cache: MemoryCache;
  let counted: ReturnType<typeof countingWarehouse>;
  let clock: { t: number; now(): Date };
  let deps: AnalyticsQueryDeps;
  let summary: Handler, report: Handler, findings: Handler;

  beforeEach(() => {
    cache = new MemoryCache();
    counted = countingWarehouse(sales);
    clock = { t: Date.parse('2024-03-04T15:00:00Z'), now: () => new Date(clock.t) };
    log.warnings = [];
    deps = { warehouse: counted.warehouse, cache, clock, log };
    summary = summaryHandler(deps) as Handler;
    report = salesHandler(deps) as Handler;
    findings = insightsHandler({ ...deps, ...noStock }) as Handler;
  });

  const SUMMARY = '/analytics/dashboard/summary';
  const SALES = '/analytics/reports/sales';

  it('answers the contract shapes to an analyst and to an admin', async () => {
    const s = await call(summary, apiEvent(SUMMARY, RANGE));
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ orders: 4, revenue: 4599, currency: 'GBP' });
    expect(s.headers['x-request-id']).toBe('unit-request');
    const r = await call(report, apiEvent(SALES, { ...RANGE, dimension: 'category' }, 'admin'));
    expect(r.status).toBe(200);
    expect(r.body.rows.map((row: { key: string }) => row.key)).toEqual(['kitchen', 'lighting', 'unknown']);
    const i = await call(findings, apiEvent('/analytics/insights', null));
    expect(i.status).toBe(200);
    expect(Insights.safeParse(i.body).success).toBe(true);
  });

  it('applies the default range from the clock: the 30 days ending today', async () => {
    const s = await call(report, apiEvent(SALES, null));
    expect(s.body).toMatchObject({ dimension: 'day', startDate: '2024-02-04', endDate: '2024-03-04' });
    expect(s.body.rows).toHaveLength(30);
  });

  it.each([
    ['endDate before startDate', { startDate: '2024-03-04', endDate: '2024-03-01' }, 'endDate'],
    ['a date that is not in the calendar', { startDate: '2011-02-30', endDate: '2011-03-01' }, 'startDate'],
    ['a date in another format', { startDate: '01/03/2024' }, 'startDate'],
    ['a startDate after today, with endDate defaulting to today', { startDate: '2024-03-05' }, 'startDate'],
    ['an unknown parameter', { from: '2024-03-01' }, 'from'],
  ])('refuses %s with 400 naming the field, without querying the warehouse', async (_name, query, field) => {
    const res = await call(summary, apiEvent(SUMMARY, query));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(res.body.error)).toContain(field);
    expect(counted.state.queries).toBe(0);
  });

  it('refuses an unknown dimension with 400 naming dimension', async () => {
    const res = await call(report, apiEvent(SALES, { dimension: 'week' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'dimension', message: 'Must be one of day, category, product, month' },
    ]);
  });

  it('refuses a shopper with 403 and a request without claims with 401', async () => {
    for (const handler of [summary, report, findings]) {
      expect((await call(handler, apiEvent(SUMMARY, null, 'shopper'))).status).toBe(403);
      expect((await call(handler, apiEvent(SUMMARY, null, null))).status).toBe(401);
    }
    expect(counted.state.queries).toBe(0);
  });

  it('serves a repeated query from the cache without touching the warehouse, the defaults and the explicit dates alike', async () => {
    const first = await call(summary, apiEvent(SUMMARY, null));
    expect(first.headers['x-cache']).toBe('miss');
    const queries = counted.state.queries;
    const second = await call(summary, apiEvent(SUMMARY, { startDate: '2024-02-04', endDate: '2024-03-04' }));
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.body).toEqual(first.body);
    expect(counted.state.queries).toBe(queries);
    // Another query is another key.
    expect((await call(summary, apiEvent(SUMMARY, RANGE))).headers['x-cache']).toBe('miss');
    expect((await call(report, apiEvent(SALES, { ...RANGE, dimension: 'day' }))).headers['x-cache']).toBe('miss');
    expect((await call(report, apiEvent(SALES, RANGE))).headers['x-cache']).toBe('hit'); // dimension defaults to day
  });

  it('recomputes as soon as the warehouse version moves (a load landed)', async () => {
    await call(summary, apiEvent(SUMMARY, RANGE));
    expect((await call(summary, apiEvent(SUMMARY, RANGE))).headers['x-cache']).toBe('hit');
    cache.version++;
    const queries = counted.state.queries;
    expect((await call(summary, apiEvent(SUMMARY, RANGE))).headers['x-cache']).toBe('miss');
    expect(counted.state.queries).toBeGreaterThan(queries);
    expect((await call(summary, apiEvent(SUMMARY, RANGE))).headers['x-cache']).toBe('hit');
  });

  it('tags an answer with the version read before computing it, so a load during the query makes it stale', async () => {
    const slow = {
      query: async <T extends object>(sql: string, params?: readonly (string | number | boolean | null)[]) => {
        cache.version = 7; // a load lands while the query runs
        return sales.query<T>(sql, params);
      },
    };
    const handler = summaryHandler({ ...deps, warehouse: slow }) as Handler;
    expect((await call(handler, apiEvent(SUMMARY, RANGE))).headers['x-cache']).toBe('miss');
    expect([...cache.entries.values()][0]?.version).toBe(0);
    expect((await call(summary, apiEvent(SUMMARY, RANGE))).headers['x-cache']).toBe('miss');
  });

  it('expires an answer after 15 minutes by the clock', async () => {
    await call(summary, apiEvent(SUMMARY, RANGE));
    clock.t += CACHE_TTL_MS - 1;
    expect((await call(summary, apiEvent(SUMMARY, RANGE))).headers['x-cache']).toBe('hit');
    clock.t += 1;
    expect((await call(summary, apiEvent(SUMMARY, RANGE))).headers['x-cache']).toBe('miss');
  });

  it('answers from the warehouse when the cache cannot be read (bypass) or written (miss), never with an error', async () => {
    cache.failLookup = true;
    const bypassed = await call(summary, apiEvent(SUMMARY, RANGE));
    expect(bypassed.status).toBe(200);
    expect(bypassed.headers['x-cache']).toBe('bypass');
    expect(bypassed.body.revenue).toBe(4599);
    expect(cache.entries.size).toBe(0); // its version is unknown: not stored
    cache.failLookup = false;
    cache.failStore = true;
    const unstored = await call(
      insightsHandler({ ...deps, ...noStock }) as Handler,
      apiEvent('/analytics/insights', null),
    );
    expect(unstored.status).toBe(200);
    expect(unstored.headers['x-cache']).toBe('miss');
    expect(log.warnings).toEqual([
      'analytics cache unreadable; querying the warehouse directly',
      'analytics cache write failed; answer served uncached',
    ]);
  });

  it('recomputes a cached entry of an unexpected shape instead of serving it', async () => {
    const key = cacheKey('dashboardSummary', RANGE);
    cache.entries.set(key, { value: { orders: 'lots' }, version: 0, expiresAt: clock.t + 60_000 });
    const res = await call(summary, apiEvent(SUMMARY, RANGE));
    expect(res.headers['x-cache']).toBe('miss');
    expect(res.body.orders).toBe(4);
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE when the warehouse fails, without its internals', async () => {
    counted.state.fail = true;
    for (const [handler, path] of [
      [summary, SUMMARY],
      [report, SALES],
      [findings, '/analytics/insights'],
    ] as const) {
      const res = await call(handler, apiEvent(path, null));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(JSON.stringify(res.body)).not.toMatch(/password|10\.0\.0\.12|warehouse\.internal/);
    }
    expect(cache.entries.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The DynamoDB adapter, on the requests it sends.

function fakeDynamo(answer: (command: unknown, n: number) => unknown) {
  const sent: unknown[] = [];
  return {
    sent,
    client: { send: async (command: unknown) => (sent.push(command), answer(command, sent.length)) } as never,
  };
}

describe('DynamoResultCache', () => {
  const TABLE = 'ecicomm-aggregates';
  const noSleep = { sleep: async () => undefined };

  it('reads the version counter and the entry in one consistent BatchGetItem', async () => {
    const value = { orders: 3 };
    const item = {
      id: cacheItemId('k'),
      value: new Uint8Array(gzipSync(JSON.stringify(value))),
      version: 5,
      expiresAt: 1234,
    };
    const { client, sent } = fakeDynamo(() => ({
      Responses: { [TABLE]: [{ id: WAREHOUSE_VERSION_ID, version: 5 }, item] },
    }));
    expect(await new DynamoResultCache(client, TABLE, noSleep).lookup('k')).toEqual({
      version: 5,
      entry: { value, version: 5, expiresAt: 1234 },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(BatchGetCommand);
    expect((sent[0] as BatchGetCommand).input.RequestItems).toEqual({
      [TABLE]: { Keys: [{ id: WAREHOUSE_VERSION_ID }, { id: 'analytics-cache#k' }], ConsistentRead: true },
    });
  });

  it('reads version 0 and no entry from an empty table, and an unreadable item as no entry', async () => {
    const empty = fakeDynamo(() => ({ Responses: { [TABLE]: [] } }));
    expect(await new DynamoResultCache(empty.client, TABLE).lookup('k')).toEqual({ version: 0, entry: undefined });
    const garbled = fakeDynamo(() => ({
      Responses: { [TABLE]: [{ id: cacheItemId('k'), value: new Uint8Array([1, 2, 3]), version: 0, expiresAt: 9 }] },
    }));
    expect(await new DynamoResultCache(garbled.client, TABLE).lookup('k')).toEqual({ version: 0, entry: undefined });
  });

  it('asks again for keys DynamoDB left unprocessed, and fails when they stay unprocessed', async () => {
    const retried = fakeDynamo((_c, n) =>
      n === 1
        ? { Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [{ id: WAREHOUSE_VERSION_ID }] } } }
        : { Responses: { [TABLE]: [{ id: WAREHOUSE_VERSION_ID, version: 2 }] } },
    );
    expect(await new DynamoResultCache(retried.client, TABLE, noSleep).lookup('k')).toEqual({
      version: 2,
      entry: undefined,
    });
    expect((retried.sent[1] as BatchGetCommand).input.RequestItems![TABLE].Keys).toEqual([
      { id: WAREHOUSE_VERSION_ID },
    ]);
    const stuck = fakeDynamo(() => ({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: [{ id: WAREHOUSE_VERSION_ID }] } },
    }));
    await expect(new DynamoResultCache(stuck.client, TABLE, noSleep).lookup('k')).rejects.toThrow(/unprocessed/);
    expect(stuck.sent).toHaveLength(3);
  });

  it('stores the answer gzipped with its version, expiry and a TTL in epoch seconds, and refuses one too large for an item', async () => {
    const { client, sent } = fakeDynamo(() => ({}));
    const cache = new DynamoResultCache(client, TABLE);
    await cache.store('k', { value: { rows: [1, 2, 3] }, version: 4, expiresAt: 1_700_000_000_500 });
    const put = sent[0] as PutCommand;
    expect(put).toBeInstanceOf(PutCommand);
    expect(put.input.Item).toMatchObject({
      id: 'analytics-cache#k',
      version: 4,
      expiresAt: 1_700_000_000_500,
      ttl: 1_700_000_001,
    });
    const readBack = fakeDynamo(() => ({ Responses: { [TABLE]: [put.input.Item] } }));
    expect((await new DynamoResultCache(readBack.client, TABLE).lookup('k')).entry?.value).toEqual({ rows: [1, 2, 3] });
    // Random bytes do not compress: 600 KB of them (in base64) cannot fit in a 400 KB item.
    const noise = randomBytes(600_000).toString('base64');
    await expect(cache.store('big', { value: noise, version: 1, expiresAt: 1 })).rejects.toThrow(/too large/);
    expect(sent).toHaveLength(1);
  });
});
