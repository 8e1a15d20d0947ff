/**
 * What the analysts' dashboard reads, told truthfully (issue 13, item 6), over a real in-memory PGlite warehouse
 * loaded the way the pipeline loads it: replayed history (made-up invoices of February 2011 through the replay's
 * mapping, lib/local/history/mapping.ts, and the real stream-record loaders) beside live trading (March 2026).
 *
 * - "All data" is all of it: a summary or a report by month answers for 15 years; only a report by day (a row a
 *   day) stays bounded, and says to ask by month.
 * - Where the range has no clickstream (replayed history: purchase events only) the summary says so and gives no
 *   conversion rate, instead of every session converting; a range mixing both converts from the live days only.
 * - Insights look within the dates asked for.
 * - Postage, fees and manual adjustments are in the totals, in no ranking or category, and counted on their own —
 *   the same figure the replay's own tally reports, and the migration's SQL for older facts agrees with the rule.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyResult, DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isMerchandiseCode } from '../../catalog-data/merchandise';
import { readInvoiceLineBatches, readInvoiceLines, type InvoiceLine } from '../../catalog-data/invoice-lines';
import { userBehaviorFromKinesisRecord } from '../../functions/analytics/adapters/clickstream-records';
import { orderLoadFromStreamRecord } from '../../functions/analytics/adapters/orders-stream-records';
import { insights, windowsOf } from '../../functions/analytics/domain/insights';
import {
  loadInventorySnapshots,
  loadSalesFacts,
  loadUserBehavior,
  salesFactsFromOrder,
  upsertProductDims,
  type UserBehaviorRow,
} from '../../functions/analytics/domain/load';
import { MIGRATIONS, runMigrations } from '../../functions/analytics/domain/migrations';
import { dashboardSummary, salesReport } from '../../functions/analytics/domain/reports';
import type { AnalyticsQueryDeps, CachedResult, ResultCache } from '../../functions/analytics/ports';
import { DashboardSummary, Insights, SalesReport } from '../../functions/analytics/schemas';
import { routeContracts } from '../../functions/api/routes';
import { buildOpenApi } from '../../functions/platform/domain/openapi';
import {
  addToTally,
  emptyTally,
  invoicesInRange,
  planInvoice,
  type ReplayTally,
} from '@ecicomm/local-platform/history/mapping';
import { lambdaContext } from '@ecicomm/local-platform/lambda/context';
import { PgliteWarehouse } from '@ecicomm/local-platform/redshift-data/in-process';
import { FIXTURE_RANGE, writeHistoryFixture } from '../support/history-fixture';
import { invoiceLine } from '../support/invoice-line';

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

const loadedAt = () => new Date('2026-04-01T00:00:00Z');
const log = { warn: () => undefined };
const RECEIVED_AT = '2026-04-01T00:00:00.000Z';

const streamRecord = (order: object): DynamoDBRecord => ({
  eventID: 'ev',
  eventName: 'INSERT',
  dynamodb: { NewImage: marshall(order, { removeUndefinedValues: true }) as never },
});
const kinesisRecord = (event: object): KinesisStreamRecord =>
  ({
    eventID: 'shardId-000000000000:1',
    kinesis: { data: Buffer.from(JSON.stringify(event)).toString('base64'), partitionKey: 'p', sequenceNumber: '1' },
  }) as KinesisStreamRecord;

/** Replays invoices as the replay would (mapping → orders-table stream record → loader; events → clickstream loader). */
async function replay(
  wh: PgliteWarehouse,
  invoices:
    AsyncIterable<{ invoiceNo: string; lines: InvoiceLine[] }> | Iterable<{ invoiceNo: string; lines: InvoiceLine[] }>,
): Promise<ReplayTally> {
  const tally = emptyTally();
  for await (const invoice of invoices) {
    const plan = planInvoice(invoice, RECEIVED_AT);
    addToTally(tally, plan);
    if (!plan.order) continue;
    await loadSalesFacts(wh, orderLoadFromStreamRecord(streamRecord(plan.order)).rows, { now: loadedAt });
    if (plan.events.length)
      await loadUserBehavior(
        wh,
        plan.events.map((e) => userBehaviorFromKinesisRecord(kinesisRecord(e))),
        { now: loadedAt },
      );
  }
  return tally;
}

const sale = (invoiceNo: string, at: string, lines: [string, string, number, number][]) => ({
  invoiceNo,
  lines: lines.map(([stockCode, description, quantity, unitPrice]) =>
    invoiceLine({
      invoiceNo,
      stockCode,
      description,
      quantity,
      unitPrice,
      invoiceDate: at,
      cancelled: invoiceNo.startsWith('C'),
    }),
  ),
});

// February 2011, replayed. By hand, 02-01..02-04:
//   540001 02-01  85123A 6 × 2.55 = 1530 (goods)      POST 1 × 18.00 = 1800 (postage)
//   540002 02-02  22423 2 × 12.75 = 2550 (goods)       DOT 1 × 50.00 = 5000, 23444 'Next Day Carriage' 1 × 15.00 = 1500,
//                                                       GIFT_0001_20 1 × 16.67 = 1667 (postage, carriage, a voucher)
//   540003 02-03  M 'Manual' 1 × 100.00 = 10000         85123A 10 × 2.55 = 2550
//   C540004 02-04 M −1 × 100.00 = −10000                22423 −1 × 12.75 = −1275
//   revenue 26,597 − 11,275 = 15,322 in 3 orders; goods 5,355; postage, fees and adjustments 9,967 (4 units) in all 3.
// And for insights, 85123A and POST rising from 5 (02-10) to 20 (02-17) a week.
const FEBRUARY = [
  sale('540001', '2011-02-01T10:00:00.000Z', [
    ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 6, 2.55],
    ['POST', 'POSTAGE', 1, 18],
  ]),
  sale('540002', '2011-02-02T11:00:00.000Z', [
    ['22423', 'REGENCY CAKESTAND 3 TIER', 2, 12.75],
    ['DOT', 'DOTCOM POSTAGE', 1, 50],
    ['23444', 'Next Day Carriage', 1, 15],
    ['GIFT_0001_20', 'Dotcomgiftshop Gift Voucher £20.00', 1, 16.67],
  ]),
  sale('540003', '2011-02-03T12:00:00.000Z', [
    ['M', 'Manual', 1, 100],
    ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 10, 2.55],
  ]),
  sale('C540004', '2011-02-04T09:00:00.000Z', [
    ['M', 'Manual', -1, 100],
    ['22423', 'REGENCY CAKESTAND 3 TIER', -1, 12.75],
  ]),
  sale('540010', '2011-02-10T09:00:00.000Z', [
    ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 5, 2.55],
    ['POST', 'POSTAGE', 5, 1],
  ]),
  sale('540011', '2011-02-17T09:00:00.000Z', [
    ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 20, 2.55],
    ['POST', 'POSTAGE', 20, 1],
  ]),
];
const EARLY_FEBRUARY = { startDate: '2011-02-01', endDate: '2011-02-04' };
const FEBRUARY_RANGE = { startDate: '2011-02-01', endDate: '2011-02-28' };

// March 2026, live: o1 on 03-02 (a day two sessions browsed), o2 on 03-03 (placed by a client with no clickstream).
const MARCH = { startDate: '2026-03-01', endDate: '2026-03-31' };
const ALL = { startDate: '2011-02-01', endDate: '2026-03-31' };
const liveOrder = (orderId: string, createdAt: string, productId: string, quantity: number, unitPrice: number) => ({
  orderId,
  userId: `user-${orderId}`,
  createdAt,
  currency: 'GBP',
  items: [{ productId, name: productId, quantity, unitPrice, lineTotal: quantity * unitPrice }],
});
let seq = 0;
const click = (
  sessionId: string,
  eventType: UserBehaviorRow['eventType'],
  eventTs: string,
  productId?: string,
): UserBehaviorRow => ({
  eventId: `live-${++seq}`,
  sessionId,
  eventType,
  eventTs,
  ...(productId ? { productId } : {}),
});

let wh: PgliteWarehouse;
let tally: ReplayTally;
let fixtureTally: ReplayTally;
const work = mkdtempSync(path.join(tmpdir(), 'analytics-truth-'));

beforeAll(async () => {
  wh = await PgliteWarehouse.open();
  await wh.migrate();
  const dim = (productId: string, name: string, category: string) => ({
    productId,
    name,
    category,
    brand: 'Acme',
    pricePence: 100,
    currency: 'GBP',
    status: 'ACTIVE',
    updatedTs: '2026-01-01T00:00:00Z',
  });
  await upsertProductDims(
    wh,
    [
      dim('85123A', 'White Hanging Heart T-Light Holder', 'lighting'),
      dim('22423', 'Regency Cakestand 3 Tier', 'kitchen-dining'),
      dim('p1', 'Live Lantern', 'lighting'),
    ],
    { now: loadedAt },
  );
  tally = await replay(wh, FEBRUARY);
  // The made-up month the replay's integration test uses (June 2009), read by the dataset reader: its POST line too.
  fixtureTally = await replay(
    wh,
    invoicesInRange(readInvoiceLineBatches(writeHistoryFixture(path.join(work, 'fixture'))), FIXTURE_RANGE),
  );
  await loadSalesFacts(
    wh,
    [
      ...salesFactsFromOrder(liveOrder('o1', '2026-03-02T10:00:00.000Z', 'p1', 2, 500), 'SALE'),
      ...salesFactsFromOrder(liveOrder('o2', '2026-03-03T10:00:00.000Z', 'p1', 1, 500), 'SALE'),
    ],
    { now: loadedAt },
  );
  await loadUserBehavior(
    wh,
    [
      click('s1', 'page_view', '2026-03-02T09:00:00Z'),
      click('s1', 'product_view', '2026-03-02T09:01:00Z', 'p1'),
      click('s1', 'add_to_cart', '2026-03-02T09:02:00Z', 'p1'),
      click('s2', 'page_view', '2026-03-02T09:30:00Z'),
    ],
    { now: loadedAt },
  );
  // Today's stock: none of p1 or 85123A left. It says nothing about 2011.
  await loadInventorySnapshots(
    wh,
    [
      { eventId: 'snap-p1', productId: 'p1', available: 0, reserved: 0, snapshotTs: '2026-03-03T12:00:00Z' },
      { eventId: 'snap-85123A', productId: '85123A', available: 0, reserved: 0, snapshotTs: '2026-03-03T12:00:00Z' },
    ],
    { now: loadedAt },
  );
}, 60_000);

afterAll(async () => {
  await wh?.close();
  rmSync(work, { recursive: true, force: true });
});

const deps = () => ({ warehouse: wh, log });

// ---------------------------------------------------------------------------------------------------------

describe('postage, fees and adjustments', () => {
  it('are marked by the replay, counted in the totals and kept out of the top products, on their own as nonMerchandise', async () => {
    const s = await dashboardSummary(EARLY_FEBRUARY, deps());
    expect(s).toMatchObject({ orders: 3, revenue: 15_322, nonMerchandise: { orders: 3, units: 4, revenue: 9_967 } });
    expect(s.topProducts).toEqual([
      { productId: '85123A', name: 'White Hanging Heart T-Light Holder', units: 16, revenue: 4080 },
      { productId: '22423', name: 'Regency Cakestand 3 Tier', units: 1, revenue: 1275 },
    ]);
    expect(DashboardSummary.safeParse(s).success).toBe(true);
  });

  it('are in no category and no product row: the rows and nonMerchandise add up to the revenue', async () => {
    for (const dimension of ['category', 'product'] as const) {
      const r = await salesReport(dimension, EARLY_FEBRUARY, deps());
      expect([dimension, r.rows.map((row) => row.key)]).toEqual([
        dimension,
        dimension === 'category' ? ['lighting', 'kitchen-dining'] : ['85123A', '22423'],
      ]);
      expect([dimension, r.nonMerchandise]).toEqual([dimension, { orders: 3, units: 4, revenue: 9_967 }]);
      expect([dimension, r.rows.reduce((sum, row) => sum + row.revenue, 0) + r.nonMerchandise!.revenue]).toEqual([
        dimension,
        15_322,
      ]);
      expect(SalesReport.safeParse(r).success).toBe(true);
    }
    // Days (and months) carry everything, as the dataset's own totals do.
    expect((await salesReport('day', EARLY_FEBRUARY, deps())).rows.reduce((sum, row) => sum + row.revenue, 0)).toBe(
      15_322,
    );
  });

  it('are what the replay says it wrote as such: its tally and the warehouse agree, line for line', async () => {
    expect([tally.nonMerchandiseLines, tally.nonMerchandisePence]).toEqual([8, 9_967 + 500 + 2_000]);
    const february = await dashboardSummary(FEBRUARY_RANGE, deps());
    expect([february.revenue, february.nonMerchandise.revenue]).toEqual([
      tally.revenuePence,
      tally.nonMerchandisePence,
    ]);
    const june = await dashboardSummary({ startDate: FIXTURE_RANGE.from, endDate: FIXTURE_RANGE.to }, deps());
    expect([june.revenue, june.nonMerchandise.revenue]).toEqual([
      fixtureTally.revenuePence,
      fixtureTally.nonMerchandisePence,
    ]);
    expect(fixtureTally.nonMerchandisePence).toBe(1800); // its POSTAGE line
    expect(june.topProducts.map((p) => p.productId)).not.toContain('POST');
  });

  it('neither rise nor fall: only goods are insights', async () => {
    const found = await insights(deps(), FEBRUARY_RANGE);
    expect(found.items.filter((i) => i.kind === 'rising').map((i) => [i.productId, i.metric])).toEqual([
      ['85123A', 300],
    ]);
  });

  it('of facts loaded before migration 7 are found by their code, as catalog-data/merchandise.ts isMerchandiseCode says', async () => {
    const old = await PgliteWarehouse.open();
    try {
      await runMigrations(old, { dialect: 'postgres', migrations: MIGRATIONS.filter((m) => m.version < 7) });
      const codes = [
        'POST',
        'DOT',
        'M',
        'D',
        'C2',
        'S',
        'B',
        'CRUK',
        'PADS',
        'BANK CHARGES',
        'AMAZONFEE',
        'GIFT_0001_20',
        'GIFT_0001_50',
        'ZZZ',
        '85123A',
        '22423',
        '15056BL',
        '23444',
        'DCGSSBOY',
        'DCGS0076',
        '79323LP',
        ...(await datasetCodes()),
      ];
      const unique = [...new Set(codes)];
      const legacy = (orderId: string, productId: string, i: number) => ({
        sql: `INSERT INTO sales_facts (event_id, order_id, line_no, product_id, customer_id, order_ts, order_date, quantity, unit_price_pence, revenue_pence, currency, kind)
              VALUES ($1, $2, $3, $4, 'c', CAST('2011-02-01 10:00:00' AS TIMESTAMP), CAST('2011-02-01' AS DATE), 1, 100, 100, 'GBP', 'SALE')`,
        params: [`${orderId}#${i}#SALE`, orderId, i, productId],
      });
      for (let i = 0; i < unique.length; i += 500)
        await old.batch(unique.slice(i, i + 500).map((code, j) => legacy('hist-1', code, i + j + 1)));
      // A checkout order's ids are the catalog's, whatever they look like: goods.
      await old.batch([legacy('ord-live', 'ZZZ', 1), legacy('ord-live', 'POST', 2)]);
      await old.migrate();
      const rows = await old.query<{ order_id: string; product_id: string; merchandise: boolean }>(
        'SELECT order_id, product_id, merchandise FROM sales_facts',
      );
      const marked = Object.fromEntries(
        rows.filter((r) => r.order_id === 'hist-1').map((r) => [r.product_id, r.merchandise]),
      );
      expect(marked).toEqual(Object.fromEntries(unique.map((code) => [code, isMerchandiseCode(code)])));
      expect(rows.filter((r) => r.order_id === 'ord-live').map((r) => r.merchandise)).toEqual([true, true]);
    } finally {
      await old.close();
    }
  }, 120_000);
});

/** Every StockCode of the dataset, where it is present. */
async function datasetCodes(): Promise<string[]> {
  const dir = path.resolve(
    fileURLToPath(new URL('../..', import.meta.url)),
    process.env.DATASET_DIR ?? '../shared/data/online-retail',
  );
  if (!existsSync(dir)) return [];
  const codes = new Set<string>();
  for await (const l of readInvoiceLines(dir)) codes.add(l.stockCode);
  return [...codes];
}

// ---------------------------------------------------------------------------------------------------------

describe('clickstream', () => {
  it('replayed history has none: the summary says so, with no conversion rate and an empty funnel, not 100 %', async () => {
    const s = await dashboardSummary(EARLY_FEBRUARY, deps());
    // Each replayed invoice's purchase events are a session of their own: sessions, but none that browsed.
    expect(s).toMatchObject({
      orders: 3,
      purchases: 3,
      sessions: 3,
      browsingSessions: 0,
      clickstream: 'none',
      funnelPurchases: 0,
      funnelConversionRate: null,
      // Contract v1's field keeps its type and meaning (orders / sessions): old clients still get a number.
      conversionRate: 1,
      productViews: 0,
      addToCarts: 0,
    });
    expect(DashboardSummary.safeParse(s).success).toBe(true);
  });

  it('live trading converts from the days shoppers browsed: an order from a client with no clickstream is in no funnel', async () => {
    const s = await dashboardSummary(MARCH, deps());
    expect(s).toMatchObject({
      orders: 2,
      sessions: 2,
      browsingSessions: 2,
      clickstream: 'recorded',
      funnelPurchases: 1,
      funnelConversionRate: 0.5,
      conversionRate: 1,
      productViews: 1,
      addToCarts: 1,
    });
  });

  it('all data mixes both: its rate is the live days’, not every replayed invoice converting', async () => {
    const s = await dashboardSummary(ALL, deps());
    expect(s).toMatchObject({
      orders: 3 + 2 + 2,
      browsingSessions: 2,
      clickstream: 'recorded',
      funnelPurchases: 1,
      funnelConversionRate: 0.5,
    });
    expect(s.conversionRate).toBe(Math.min(1, s.orders / s.sessions));
  });

  it('QuickSight’s customer_behavior_analysis has no sessions and no rate on a day of replayed orders', async () => {
    const rows = await wh.query(
      `SELECT CAST(event_date AS VARCHAR) AS day, sessions, purchases, conversion_rate FROM customer_behavior_analysis
       WHERE event_date IN (CAST('2011-02-01' AS DATE), CAST('2026-03-02' AS DATE)) ORDER BY 1`,
    );
    expect(rows).toEqual([
      { day: '2011-02-01', sessions: 0, purchases: 1, conversion_rate: null },
      { day: '2026-03-02', sessions: 2, purchases: 1, conversion_rate: 0.5 },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('contract v1: extend, never break', () => {
  it("keeps the summary's conversionRate a number from 0 to 1, as API.md has it, and says the truth in fields beside it", () => {
    const summaryRoute = routeContracts.find((r) => r.path === '/v1/analytics/dashboard/summary')!;
    const document: any = buildOpenApi([summaryRoute]);
    const [operation] = Object.values(document.paths as Record<string, any>).map((p) => p.get);
    const answer = operation.responses['200'].content['application/json'].schema;
    expect(answer.properties.conversionRate).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    expect(answer.required).toEqual(expect.arrayContaining(['conversionRate', 'funnelConversionRate', 'clickstream']));
    expect(DashboardSummary.shape.conversionRate.safeParse(null).success).toBe(false);
    expect(DashboardSummary.shape.funnelConversionRate.safeParse(null).success).toBe(true);
    expect(answer.properties.clickstream).toMatchObject({ enum: ['recorded', 'none'] });
  });
});

describe('insights', () => {
  it('follow the dates: February 2011 ends on its own latest sale, with no stock finding (stock is known from 2026) and no conversion', async () => {
    const found = await insights(deps(), FEBRUARY_RANGE);
    expect(found).toMatchObject({ asOf: '2011-02-17', ...FEBRUARY_RANGE });
    expect(found.items.map((i) => i.kind)).toEqual(['rising']);
    expect(found.items[0].message).toBe(
      'Rising: White Hanging Heart T-Light Holder sold 20 in the 7 days to 2011-02-17, up 300 % from 5 the week before.',
    );
    expect(Insights.safeParse(found).success).toBe(true);
  });

  it('follow the dates: March 2026 ends on its latest sale, with its stock and its conversion, the week before out of the dates', async () => {
    const found = await insights(deps(), MARCH);
    expect(found.asOf).toBe('2026-03-03');
    expect(found.items.map((i) => [i.kind, i.productId])).toEqual([
      ['out_of_stock', 'p1'],
      ['conversion', undefined],
    ]);
    // Demand over the 3 days of March to the latest sale, not 28 days reaching into February.
    expect(found.items[0].message).toBe(
      'Out of stock: Live Lantern has none left, and sold 3 in the 3 days to 2026-03-03.',
    );
    expect(found.items[1].message).toBe(
      'Conversion: 50.0 %, 1 order from 2 sessions in the 7 days to 2026-03-02. The week before is outside the dates chosen.',
    );
  });

  it('without dates look at the whole warehouse, as before', async () => {
    const found = await insights(deps());
    expect(found.asOf).toBe('2026-03-03');
    expect(Object.keys(found).sort()).toEqual(['asOf', 'items']);
  });

  it('never look before the first day: the weeks and the demand window are cut there, and a trend needs both weeks inside', () => {
    expect(windowsOf('2011-02-28', '2011-02-01')).toEqual({
      demandStart: '2011-02-01',
      demandDays: 28,
      lastWeekStart: '2011-02-22',
      weekBeforeStart: '2011-02-15',
    });
    expect(windowsOf('2011-02-28', '2011-02-20')).toEqual({
      demandStart: '2011-02-20',
      demandDays: 9,
      lastWeekStart: '2011-02-22',
    });
    expect(windowsOf('2011-02-28', '1970-01-01')).toEqual({
      demandStart: '2011-02-01',
      demandDays: 28,
      lastWeekStart: '2011-02-22',
      weekBeforeStart: '2011-02-15',
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Through the handlers: what the page asks.

class MemoryCache implements ResultCache {
  entries = new Map<string, CachedResult>();
  async lookup(key: string) {
    return { version: 0, entry: this.entries.get(key) };
  }
  async store(key: string, entry: CachedResult) {
    this.entries.set(key, structuredClone(entry));
  }
}

const event = (path: string, query: Record<string, string>) =>
  ({
    resource: path,
    path,
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      authorizer: { claims: { sub: 'analyst-1', 'cognito:groups': 'analyst' } },
      requestId: 'truth',
      path: `/v1${path}`,
      stage: 'v1',
    },
  }) as never;

type Handler = (event: never, context: never) => Promise<APIGatewayProxyResult>;

describe('the analytics routes', () => {
  let routes: { summary: Handler; sales: Handler; insights: Handler };
  const call = async (handler: Handler, path: string, query: Record<string, string>) => {
    const res = await handler(event(path, query), lambdaContext('analytics-truth') as never);
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };

  beforeAll(async () => {
    // The handler modules build their live dependencies on load: an environment that names what they never use.
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
    const queryDeps: AnalyticsQueryDeps = {
      warehouse: wh,
      cache: new MemoryCache(),
      clock: { now: () => new Date('2026-03-31T12:00:00Z') },
      log,
    };
    routes = {
      summary: s.makeHandler(queryDeps),
      sales: r.makeHandler(queryDeps),
      insights: i.makeHandler({ ...queryDeps, ...noStock }),
    };
  });

  it('answer "all data", 15 years of it, with the first and the latest sales day, and by month', async () => {
    const summary = await call(routes.summary, '/analytics/dashboard/summary', ALL);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      ...ALL,
      orders: 7,
      firstSalesDate: '2009-06-01',
      latestSalesDate: '2026-03-03',
    });
    const byMonth = await call(routes.sales, '/analytics/reports/sales', { ...ALL, dimension: 'month' });
    expect(byMonth.status).toBe(200);
    expect(byMonth.body.rows).toHaveLength(15 * 12 + 2);
    expect(byMonth.body.rows[0]).toEqual({
      key: '2011-02',
      orders: 5,
      units: 6 + 1 + 2 + 1 + 1 + 1 + 1 + 10 - 1 - 1 + 5 + 5 + 20 + 20,
      revenue: tally.revenuePence,
    });
    expect(byMonth.body.rows.at(-1)).toEqual({ key: '2026-03', orders: 2, units: 3, revenue: 1500 });
    expect(
      byMonth.body.rows
        .slice(1, -1)
        .every((r: { orders: number; revenue: number }) => r.orders === 0 && r.revenue === 0),
    ).toBe(true);
  });

  it('refuse only a report by day over more than 1098 days (a row a day), saying to ask by month', async () => {
    const byDay = await call(routes.sales, '/analytics/reports/sales', { ...ALL, dimension: 'day' });
    expect(byDay.status).toBe(400);
    expect(byDay.body.error.details).toEqual([
      {
        path: 'endDate',
        message: 'The range must span at most 1098 days by day (a row a day): ask for dimension=month',
      },
    ]);
    // A startDate years back with the end left to default is a report by day over too long a range, too.
    expect((await call(routes.sales, '/analytics/reports/sales', { startDate: '2011-02-01' })).status).toBe(400);
    expect((await call(routes.summary, '/analytics/dashboard/summary', { startDate: '2011-02-01' })).status).toBe(200);
  });

  it('take the dates for insights, and answer each range on its own', async () => {
    const february = await call(routes.insights, '/analytics/insights', FEBRUARY_RANGE);
    const march = await call(routes.insights, '/analytics/insights', MARCH);
    expect([february.status, february.body.asOf, march.status, march.body.asOf]).toEqual([
      200,
      '2011-02-17',
      200,
      '2026-03-03',
    ]);
    const backwards = await call(routes.insights, '/analytics/insights', {
      startDate: '2026-03-31',
      endDate: '2026-03-01',
    });
    expect([backwards.status, backwards.body.error.details]).toEqual([
      400,
      [{ path: 'endDate', message: 'Must not be before startDate' }],
    ]);
  });
});
