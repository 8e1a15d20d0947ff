import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadInventorySnapshots,
  loadSalesFacts,
  loadUserBehavior,
  salesFactStatements,
  salesFactsFromOrder,
  upsertProductDims,
  type SalesFactRow,
  type UserBehaviorRow,
} from '../../functions/analytics/domain/load';
import { DIM_DATES_DAYS, MIGRATIONS, splitStatements } from '../../functions/analytics/domain/migrations';
import { PGLITE_LOAD_LIMITS, PgliteWarehouse } from '@ecicomm/local-platform/redshift-data/in-process';
import type { Statement } from '../../functions/analytics/ports';

const now = () => new Date('2024-03-05T00:00:00Z');

const order = (orderId: string, userId: string, createdAt: string, lines: [string, number, number][]) => ({
  orderId,
  userId,
  createdAt,
  currency: 'GBP',
  items: lines.map(([productId, quantity, unitPrice]) => ({
    productId,
    name: productId,
    quantity,
    unitPrice,
    lineTotal: quantity * unitPrice,
  })),
});

const O1 = order('o1', 'u1', '2024-03-01T10:00:00.000Z', [
  ['p1', 2, 500],
  ['p2', 1, 1500],
]);
const O2 = order('o2', 'u2', '2024-03-01T15:00:00.000Z', [['p1', 1, 500]]);
const O3 = order('o3', 'u1', '2024-03-02T09:00:00.000Z', [['p3', 3, 200]]);
const O4 = order('o4', 'u3', '2024-03-03T12:00:00.000Z', [['p2', 2, 1500]]);
const SALES: SalesFactRow[] = [O1, O2, O3, O4].flatMap((o) => salesFactsFromOrder(o, 'SALE'));
// o4 is refunded in full the next day, a day with no sales.
const REFUND = salesFactsFromOrder(O4, 'REFUND', '2024-03-04T08:00:00.000Z');

let seq = 0;
const ev = (
  sessionId: string,
  userId: string | null,
  eventType: UserBehaviorRow['eventType'],
  at: string,
  extra: Partial<UserBehaviorRow> = {},
): UserBehaviorRow => ({
  eventId: `e${++seq}`,
  sessionId,
  userId,
  eventType,
  eventTs: at,
  ...extra,
});
const D1 = '2024-03-01T11:00:00Z';
const D2 = '2024-03-02T11:00:00Z';
const CLICKS: UserBehaviorRow[] = [
  ev('s1', 'u1', 'page_view', D1),
  ev('s1', 'u1', 'product_view', D1, { productId: 'p1' }),
  ev('s1', 'u1', 'product_view', D1, { productId: 'p2' }),
  ev('s1', 'u1', 'add_to_cart', D1, { productId: 'p1' }),
  ev('s1', 'u1', 'add_to_cart', D1, { productId: 'p2' }),
  ev('s1', 'u1', 'purchase', D1, { valuePence: 2500 }),
  ev('s2', 'u2', 'page_view', D1),
  ev('s2', 'u2', 'product_view', D1, { productId: 'p1' }),
  ev('s2', 'u2', 'add_to_cart', D1, { productId: 'p1' }),
  ev('s2', 'u2', 'purchase', D1, { valuePence: 500 }),
  ev('s3', null, 'page_view', D1),
  ev('s3', null, 'product_view', D1, { productId: 'p3' }),
  ev('s3', null, 'search', D1, { query: "mug 'blue'" }),
  ev('s4', 'u1', 'page_view', D2),
  ev('s4', 'u1', 'product_view', D2, { productId: 'p3' }),
  ev('s4', 'u1', 'add_to_cart', D2, { productId: 'p3' }),
  ev('s4', 'u1', 'purchase', D2, { valuePence: 600 }),
  ev('s5', null, 'page_view', D2),
  ev('s5', null, 'page_view', D2),
];

const dim = (productId: string, name: string, pricePence: number, updatedTs: string) => ({
  productId,
  name,
  category: 'home',
  brand: 'Acme',
  pricePence,
  currency: 'GBP',
  status: 'ACTIVE',
  updatedTs,
});

let wh: PgliteWarehouse;

beforeAll(async () => {
  wh = await PgliteWarehouse.open();
  await wh.migrate();
  await upsertProductDims(
    wh,
    [
      dim('p1', 'Mug', 500, '2024-01-01T00:00:00Z'),
      dim('p2', 'Lamp', 1500, '2024-01-01T00:00:00Z'),
      dim('p3', 'Candle', 200, '2024-01-01T00:00:00Z'),
    ],
    { now },
  );
  await loadSalesFacts(wh, [...SALES, ...REFUND], { now });
  await loadUserBehavior(wh, CLICKS, { now });
  await loadInventorySnapshots(
    wh,
    [
      { eventId: 'i1', productId: 'p1', available: 10, reserved: 0, snapshotTs: '2024-03-01T00:00:00Z' },
      { eventId: 'i2', productId: 'p1', available: 7, reserved: 1, snapshotTs: '2024-03-02T00:00:00Z' },
      { eventId: 'i3', productId: 'p2', available: 4, reserved: 0, snapshotTs: '2024-03-03T00:00:00Z' },
    ],
    { now },
  );
}, 30_000);

afterAll(async () => {
  await wh?.close();
});

describe('warehouse migrations on PGlite', () => {
  it('applies every migration on a fresh database and nothing on a re-run', async () => {
    const versions = await wh.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await wh.migrate()).toEqual({ applied: [], alreadyApplied: MIGRATIONS.map((m) => m.version) });
    const [{ n }] = await wh.query<{ n: number }>('SELECT COUNT(*) AS n FROM dim_dates');
    expect(n).toBe(DIM_DATES_DAYS);
  });

  it('fills dim_dates with calendar attributes', async () => {
    const [d] = await wh.query('SELECT * FROM dim_dates WHERE full_date = CAST($1 AS DATE)', ['2024-03-02']);
    expect(d).toEqual({
      date_key: 20240302,
      full_date: '2024-03-02',
      year: 2024,
      quarter: 1,
      month: 3,
      day: 2,
      weekday: 6,
      weekday_name: 'Saturday',
      month_name: 'March',
      iso_week: 9,
      is_weekend: true,
    });
  });

  it('splits a migration into statements without breaking quoted semicolons', () => {
    expect(splitStatements("CREATE TABLE a (x INT);\n-- a; comment\nINSERT INTO a VALUES (';');")).toEqual([
      'CREATE TABLE a (x INT)',
      "INSERT INTO a VALUES (';')",
    ]);
  });
});

describe('idempotent loads', () => {
  it('counts a redelivered batch of sales once', async () => {
    const before = await wh.query<{ n: number; revenue: number }>(
      'SELECT COUNT(*) AS n, CAST(SUM(revenue_pence) AS BIGINT) AS revenue FROM sales_facts',
    );
    const again = await loadSalesFacts(wh, [...SALES, ...SALES.slice(0, 2)], { now });
    expect(again).toEqual({ received: SALES.length + 2, inserted: 0 });
    const after = await wh.query(
      'SELECT COUNT(*) AS n, CAST(SUM(revenue_pence) AS BIGINT) AS revenue FROM sales_facts',
    );
    expect(after).toEqual(before);
    expect(before[0]).toEqual({ n: SALES.length + REFUND.length, revenue: 2500 + 500 + 600 + 3000 - 3000 });
  });

  it('inserts only the new records of a partly redelivered batch', async () => {
    const fresh = ev('s9', null, 'page_view', '2024-03-03T10:00:00Z');
    expect(await loadUserBehavior(wh, [...CLICKS, fresh, fresh], { now })).toEqual({
      received: CLICKS.length + 2,
      inserted: 1,
    });
    await wh.execute('DELETE FROM user_behavior WHERE event_id = $1', [fresh.eventId]);
  });

  it('keeps the newest product image whatever order the images arrive in', async () => {
    await upsertProductDims(wh, [dim('p1', 'Old mug', 450, '2023-12-01T00:00:00Z')], { now });
    expect(await wh.query('SELECT name, price_pence FROM dim_products WHERE product_id = $1', ['p1'])).toEqual([
      { name: 'Mug', price_pence: 500 },
    ]);
    await upsertProductDims(wh, [dim('p1', 'Mug', 550, '2024-02-01T00:00:00Z')], { now });
    expect(
      await wh.query('SELECT name, price_pence, updated_ts FROM dim_products WHERE product_id = $1', ['p1']),
    ).toEqual([{ name: 'Mug', price_pence: 550, updated_ts: '2024-02-01 00:00:00' }]);
    expect(await wh.query('SELECT COUNT(*) AS n FROM dim_products')).toEqual([{ n: 3 }]);
  });

  it('loads in PGlite-sized statements (1,000 rows) unless the caller says otherwise, and counts every row', async () => {
    const statementsSent: number[] = [];
    // The same warehouse, with its batches counted.
    const counting = new Proxy(wh, {
      get: (target, key) =>
        key === 'batch'
          ? (statements: Statement[]) => (statementsSent.push(statements.length), target.batch(statements))
          : Reflect.get(target, key, target),
    });
    const rows = Array.from({ length: 2_500 }, (_, i) =>
      ev(`bulk-${i % 7}`, null, 'page_view', '2024-02-10T10:00:00Z'),
    );
    expect(await loadUserBehavior(counting, rows, { now })).toEqual({ received: 2_500, inserted: 2_500 });
    expect(statementsSent).toEqual([Math.ceil(2_500 / PGLITE_LOAD_LIMITS.rowsPerStatement)]);
    statementsSent.length = 0;
    expect(await loadUserBehavior(counting, rows, { now, rowsPerStatement: 100, statementsPerBatch: 20 })).toEqual({
      received: 2_500,
      inserted: 0,
    });
    expect(statementsSent).toEqual([20, 5]);
    await wh.execute("DELETE FROM user_behavior WHERE session_id LIKE 'bulk-%'");
  });

  it('rejects a refund with a positive amount before it reaches the warehouse', async () => {
    const bad = { ...REFUND[0], eventId: 'bad', revenuePence: 100 };
    await expect(loadSalesFacts(wh, [bad], { now })).rejects.toThrow(/REFUND/);
  });
});

describe('analytics views', () => {
  it('summarises sales per day, a refund-only day with negative revenue', async () => {
    const rows = await wh.query('SELECT * FROM daily_sales_summary ORDER BY sales_date');
    expect(rows).toEqual([
      {
        sales_date: '2024-03-01',
        currency: 'GBP',
        orders: 2,
        refunded_orders: 0,
        units_sold: 4,
        net_units: 4,
        gross_revenue_pence: 3000,
        refunded_pence: 0,
        revenue_pence: 3000,
        customers: 2,
      },
      {
        sales_date: '2024-03-02',
        currency: 'GBP',
        orders: 1,
        refunded_orders: 0,
        units_sold: 3,
        net_units: 3,
        gross_revenue_pence: 600,
        refunded_pence: 0,
        revenue_pence: 600,
        customers: 1,
      },
      {
        sales_date: '2024-03-03',
        currency: 'GBP',
        orders: 1,
        refunded_orders: 0,
        units_sold: 2,
        net_units: 2,
        gross_revenue_pence: 3000,
        refunded_pence: 0,
        revenue_pence: 3000,
        customers: 1,
      },
      {
        sales_date: '2024-03-04',
        currency: 'GBP',
        orders: 0,
        refunded_orders: 1,
        units_sold: 0,
        net_units: -2,
        gross_revenue_pence: 0,
        refunded_pence: 3000,
        revenue_pence: -3000,
        customers: 1,
      },
    ]);
  });

  it('reports each product with its sales net of refunds and its views', async () => {
    const rows = await wh.query(
      'SELECT product_id, name, orders, units_sold, units_refunded, net_units, revenue_pence, first_sale_date, last_sale_date, product_views, add_to_carts, view_to_order_rate FROM product_performance_metrics ORDER BY product_id',
    );
    expect(rows).toEqual([
      {
        product_id: 'p1',
        name: 'Mug',
        orders: 2,
        units_sold: 3,
        units_refunded: 0,
        net_units: 3,
        revenue_pence: 1500,
        first_sale_date: '2024-03-01',
        last_sale_date: '2024-03-01',
        product_views: 2,
        add_to_carts: 2,
        view_to_order_rate: 1,
      },
      {
        product_id: 'p2',
        name: 'Lamp',
        orders: 2,
        units_sold: 3,
        units_refunded: 2,
        net_units: 1,
        revenue_pence: 1500,
        first_sale_date: '2024-03-01',
        last_sale_date: '2024-03-04',
        product_views: 1,
        add_to_carts: 1,
        view_to_order_rate: 2,
      },
      {
        product_id: 'p3',
        name: 'Candle',
        orders: 1,
        units_sold: 3,
        units_refunded: 0,
        net_units: 3,
        revenue_pence: 600,
        first_sale_date: '2024-03-02',
        last_sale_date: '2024-03-02',
        product_views: 2,
        add_to_carts: 1,
        view_to_order_rate: 0.5,
      },
    ]);
  });

  it('gives the conversion funnel per day: the clickstream for the steps, the orders for purchases', async () => {
    const rows = await wh.query('SELECT * FROM customer_behavior_analysis ORDER BY event_date');
    expect(rows).toEqual([
      {
        event_date: '2024-03-01',
        sessions: 3,
        users: 2,
        page_views: 3,
        product_views: 4,
        add_to_carts: 3,
        purchases: 2,
        searches: 1,
        sessions_with_cart: 2,
        sessions_with_purchase: 2,
        purchase_value_pence: 3000,
        conversion_rate: 2 / 3,
        cart_to_purchase_rate: 1,
      },
      {
        event_date: '2024-03-02',
        sessions: 2,
        users: 1,
        page_views: 3,
        product_views: 1,
        add_to_carts: 1,
        purchases: 1,
        searches: 0,
        sessions_with_cart: 1,
        sessions_with_purchase: 1,
        purchase_value_pence: 600,
        conversion_rate: 0.5,
        cart_to_purchase_rate: 1,
      },
      // o4's day had no clickstream: its order still counts; no rate without sessions. (03-04 has only a refund.)
      {
        event_date: '2024-03-03',
        sessions: 0,
        users: 0,
        page_views: 0,
        product_views: 0,
        add_to_carts: 0,
        purchases: 1,
        searches: 0,
        sessions_with_cart: 0,
        sessions_with_purchase: 0,
        purchase_value_pence: 3000,
        conversion_rate: null,
        cart_to_purchase_rate: null,
      },
    ]);
  });

  it('relates the latest stock to demand for inventory turnover', async () => {
    const rows = await wh.query('SELECT * FROM inventory_turnover_metrics ORDER BY product_id');
    expect(rows).toEqual([
      {
        product_id: 'p1',
        name: 'Mug',
        category: 'home',
        available: 7,
        reserved: 1,
        last_snapshot_ts: '2024-03-02 00:00:00',
        avg_available: 8.5,
        units_sold: 3,
        selling_days: 1,
        turnover_ratio: 3 / 8.5,
        avg_daily_units: 3,
        days_of_cover: 7 / 3,
      },
      {
        product_id: 'p2',
        name: 'Lamp',
        category: 'home',
        available: 4,
        reserved: 0,
        last_snapshot_ts: '2024-03-03 00:00:00',
        avg_available: 4,
        units_sold: 1,
        selling_days: 2,
        turnover_ratio: 0.25,
        avg_daily_units: 0.5,
        days_of_cover: 8,
      },
    ]);
  });
});

describe('transactions', () => {
  it('rolls back every statement of a batch when one fails', async () => {
    const row = { ...SALES[0], eventId: 'rollback-me' };
    const [insert] = salesFactStatements([row], { now });
    await expect(wh.batch([insert, { sql: 'INSERT INTO no_such_table VALUES (1)' }])).rejects.toThrow(/no_such_table/);
    expect(await wh.query('SELECT event_id FROM sales_facts WHERE event_id = $1', ['rollback-me'])).toEqual([]);
  });

  it('persists to a directory and finds its schema on reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warehouse-'));
    try {
      const first = await PgliteWarehouse.open({ dataDir: dir });
      expect((await first.migrate()).applied).toEqual(MIGRATIONS.map((m) => m.version));
      await loadSalesFacts(first, SALES.slice(0, 1), { now });
      await first.close();
      const second = await PgliteWarehouse.open({ dataDir: dir });
      expect((await second.migrate()).applied).toEqual([]);
      expect(await second.query('SELECT COUNT(*) AS n FROM sales_facts')).toEqual([{ n: 1 }]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
