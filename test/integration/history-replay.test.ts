/**
 * History replay through the real pipeline, to the penny: invoices replayed into the local platform (orders
 * table + clickstream, lib/local/history/replay.ts) travel its DynamoDB stream and Kinesis consumers into the
 * warehouse, and the analytics API's sales report then gives, for every day and every product of the range
 * and for the range as a whole, exactly the figures computed here straight from the CSV — by code of this
 * file (its own CSV reading, its own pence arithmetic on the price as written), not the replay's mapping.
 *
 * Figures, as the API defines them (functions/analytics/domain/reports.ts): revenue = sales − refunds in
 * pence; orders = distinct sale invoices; units = units sold − units refunded; a day is a UTC day. Lines that bill no
 * goods (postage, fees, adjustments: catalog-data/merchandise.ts isMerchandiseLine) are in every total and day, in no
 * product row, and on their own in the report's nonMerchandise.
 *
 * The made-up month (test/support/history-fixture.ts) runs everywhere; a real month of the Online Retail
 * dataset runs where the dataset is present (DATASET_DIR, default ../shared/data/online-retail).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { isMerchandiseLine } from '../../catalog-data/merchandise';
import { DynamoOrderRepository } from '../../functions/orders/adapters/dynamo-orders';
import { Order } from '../../functions/orders/schemas';
import { replayHistory } from '@ecicomm/local-platform/history/replay';
import { adminSession, api, dynamo, platform } from '../support/api';
import { analyticsCaughtUp, warehouseQuery } from '../support/analytics';
import { FIXTURE_RANGE, writeHistoryFixture } from '../support/history-fixture';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');
const work = mkdtempSync(path.join(tmpdir(), 'history-replay-it-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/* ------------------------------------------------------------------------------------------------ */
/* The expected figures, straight from the CSV                                                      */
/* ------------------------------------------------------------------------------------------------ */

/** RFC 4180 records of a whole text: a small state machine, independent of the dataset reader. */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length) records.push([...record, field]);
  return records;
}

/** Pence of a price as the CSV wrote it ('1.005' → 101): whole pounds, two decimals, half up on the third. */
function pence(text: string): number {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new Error(`Not a price: ${text}`);
  const decimals = (m[2] ?? '').padEnd(3, '0');
  return Number(m[1]) * 100 + Number(decimals.slice(0, 2)) + (Number(decimals[2]) >= 5 ? 1 : 0);
}

interface Figures {
  orders: number;
  units: number;
  revenue: number;
}
interface Expected {
  days: Map<string, Figures>;
  products: Map<string, Figures>;
  nonMerchandise: Figures;
  total: Figures & { purchases: number };
}

/** The sales report's figures for the range (inclusive, UTC days) of CSV files. */
function expectedFrom(files: string[], range: { from: string; to: string }): Expected {
  const days = new Map<string, Figures & { invoices: Set<string> }>();
  const products = new Map<string, Figures & { invoices: Set<string> }>();
  const nonMerchandise = new Map<string, Figures & { invoices: Set<string> }>();
  const invoices = new Set<string>();
  let units = 0;
  let revenue = 0;
  const add = (
    map: Map<string, Figures & { invoices: Set<string> }>,
    key: string,
    invoice: string | undefined,
    u: number,
    r: number,
  ) => {
    let f = map.get(key);
    if (!f) map.set(key, (f = { orders: 0, units: 0, revenue: 0, invoices: new Set() }));
    f.units += u;
    f.revenue += r;
    if (invoice) f.invoices.add(invoice);
  };
  for (const file of files) {
    const text = file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString('utf8') : readFileSync(file, 'utf8');
    const [header, ...rows] = csvRecords(text.replace(/^\uFEFF/, ''));
    const col = (name: string) => header.indexOf(name);
    const [inv, code, qty, date, price, description] = [
      'InvoiceNo',
      'StockCode',
      'Quantity',
      'InvoiceDate',
      'UnitPrice',
      'Description',
    ].map(col) as [number, number, number, number, number, number];
    for (const row of rows) {
      const day = row[date].slice(0, 10);
      if (day < range.from || day > range.to) continue;
      const invoice = row[inv];
      const quantity = Number(row[qty]);
      const priceText = row[price];
      const product = row[code].trim().toUpperCase();
      const [byProduct, key] = isMerchandiseLine(product, row[description].trim())
        ? [products, product]
        : [nonMerchandise, 'all'];
      if (/^C/i.test(invoice)) {
        // A cancellation takes units and money back, on its own day.
        if (!(quantity < 0) || Number(priceText) < 0) continue;
        const amount = pence(priceText) * -quantity;
        add(days, day, undefined, quantity, -amount);
        add(byProduct, key, undefined, quantity, -amount);
        units += quantity;
        revenue -= amount;
      } else {
        if (!(quantity > 0) || !(Number(priceText) > 0)) continue;
        const amount = pence(priceText) * quantity;
        add(days, day, invoice, quantity, amount);
        add(byProduct, key, invoice, quantity, amount);
        invoices.add(invoice);
        units += quantity;
        revenue += amount;
      }
    }
  }
  const figures = (map: Map<string, Figures & { invoices: Set<string> }>) =>
    new Map([...map].map(([k, f]) => [k, { orders: f.invoices.size, units: f.units, revenue: f.revenue }]));
  // The summary's purchases are orders: the replay's purchase events (one per line) count towards nothing.
  return {
    days: figures(days),
    products: figures(products),
    nonMerchandise: figures(nonMerchandise).get('all') ?? { orders: 0, units: 0, revenue: 0 },
    total: { orders: invoices.size, units, revenue, purchases: invoices.size },
  };
}

const daysOf = (range: { from: string; to: string }) => {
  const out: string[] = [];
  for (let t = Date.parse(`${range.from}T00:00:00Z`); t <= Date.parse(`${range.to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};
const rowsOf = (map: Map<string, Figures>, keys: string[]) =>
  keys.map((key) => ({ key, ...(map.get(key) ?? { orders: 0, units: 0, revenue: 0 }) }));

/* ------------------------------------------------------------------------------------------------ */
/* The analytics API                                                                                */
/* ------------------------------------------------------------------------------------------------ */

interface SalesRow extends Figures {
  key: string;
}

async function salesReport(range: { from: string; to: string }, dimension: 'day' | 'product'): Promise<SalesRow[]> {
  const res = await api(
    `/v1/analytics/reports/sales?startDate=${range.from}&endDate=${range.to}&dimension=${dimension}`,
    { token: await adminSession() },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.rows as SalesRow[]).map(({ key, orders, units, revenue }) => ({ key, orders, units, revenue }));
}

async function nonMerchandiseOf(range: { from: string; to: string }): Promise<Figures> {
  const res = await api(`/v1/analytics/reports/sales?startDate=${range.from}&endDate=${range.to}&dimension=product`, {
    token: await adminSession(),
  });
  return res.body.nonMerchandise as Figures;
}

async function summary(range: {
  from: string;
  to: string;
}): Promise<{ orders: number; revenue: number; purchases: number }> {
  const res = await api(`/v1/analytics/dashboard/summary?startDate=${range.from}&endDate=${range.to}`, {
    token: await adminSession(),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { orders: res.body.orders, revenue: res.body.revenue, purchases: res.body.purchases };
}

/**
 * Polls the summary until it shows the expected totals (the pipeline has caught up with the replay) or the
 * time runs out; either way the caller then compares every figure, so a pipeline that never gets there fails
 * on the figures, naming them, not on a timer.
 */
async function caughtUp(
  range: { from: string; to: string },
  want: { orders: number; revenue: number; purchases: number },
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let seen = await summary(range);
  while (
    Date.now() < deadline &&
    !(seen.orders === want.orders && seen.revenue === want.revenue && seen.purchases === want.purchases)
  ) {
    await new Promise((r) => setTimeout(r, 500));
    seen = await summary(range);
  }
  return seen;
}

async function expectReportsToEqual(range: { from: string; to: string }, expected: Expected) {
  expect(await summary(range)).toEqual({
    orders: expected.total.orders,
    revenue: expected.total.revenue,
    purchases: expected.total.purchases,
  });
  // Every day of the range, days without sales included, in date order.
  expect(await salesReport(range, 'day')).toEqual(rowsOf(expected.days, daysOf(range)));
  // Every product with a sale or a refund in the range (the API orders them by revenue; compared by key here).
  const byProduct = (await salesReport(range, 'product')).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  expect(byProduct).toEqual(rowsOf(expected.products, [...expected.products.keys()].sort()));
  // And what no product row holds: postage, fees and adjustments.
  expect(await nonMerchandiseOf(range)).toEqual(expected.nonMerchandise);
  // And each day on its own, as a one-day range.
  for (const day of daysOf(range)) {
    if (!expected.days.has(day)) continue;
    expect(await salesReport({ from: day, to: day }, 'day'), day).toEqual(rowsOf(expected.days, [day]));
  }
}

const replay = (datasetDir: string, range: { from: string; to: string }) =>
  replayHistory({ env: platform().env, datasetDir, range });

/* ------------------------------------------------------------------------------------------------ */

describe('history replay into the local platform', () => {
  const fixtureDir = writeHistoryFixture(path.join(work, 'fixture'));
  const fixtureFiles = [path.join(fixtureDir, 'online_retail_2009-06.csv.gz')];

  it('the made-up month: the sales report for every day, every product and the whole range equals the CSV to the penny, and replaying again counts nothing twice', async () => {
    const expected = expectedFrom(fixtureFiles, FIXTURE_RANGE);
    // The independent figures agree with the fixture's own description (test/support/history-fixture.ts).
    expect(expected.total).toEqual({
      orders: 5,
      units: 12 + 3 + 2 + 1 + 1 + 4 + 100 + 6 + 32 - 3,
      revenue: 20_830,
      purchases: 5,
    });
    // POSTAGE (£18.00) and PADS (100 at £0.001, nothing in pence): no goods.
    expect(expected.nonMerchandise).toEqual({ orders: 2, units: 1 + 100, revenue: 1800 });

    const first = await replay(fixtureDir, FIXTURE_RANGE);
    expect(first).toMatchObject({
      invoices: 8,
      orders: 5,
      refunds: 1,
      emptyInvoices: 2,
      lines: 11,
      events: 9,
      revenuePence: 20_830,
      nonMerchandisePence: 1800,
    });
    const seen = await caughtUp(FIXTURE_RANGE, expected.total, 120_000);
    expect(seen).toEqual({
      orders: expected.total.orders,
      revenue: expected.total.revenue,
      purchases: expected.total.purchases,
    });
    await expectReportsToEqual(FIXTURE_RANGE, expected);

    // The same range again writes the same order ids and event ids: once the consumers have read it all,
    // the warehouse holds each fact and event once and every figure is unchanged.
    await replay(fixtureDir, FIXTURE_RANGE);
    await analyticsCaughtUp(120_000);
    const [facts] = await warehouseQuery<{ rows: number; distinct: number }>(
      `SELECT CAST(COUNT(*) AS BIGINT) AS rows, CAST(COUNT(DISTINCT event_id) AS BIGINT) AS distinct FROM sales_facts WHERE order_id LIKE 'hist-9%' OR order_id LIKE 'hist-C9%'`,
    );
    expect(facts).toEqual({ rows: 11, distinct: 11 });
    const [events] = await warehouseQuery<{ rows: number }>(
      `SELECT CAST(COUNT(*) AS BIGINT) AS rows FROM user_behavior WHERE event_id LIKE 'hist-9%'`,
    );
    expect(events).toEqual({ rows: 9 });
    await expectReportsToEqual(FIXTURE_RANGE, expected);

    // The replayed orders are the customer's orders as the orders context reads them (GET /v1/orders).
    const page = await new DynamoOrderRepository(dynamo(), platform().tableNames.orders).listByUser('customer-12345', {
      limit: 10,
    });
    expect(page.items.map((o) => [o.orderId, o.status, o.payment.status, o.total])).toEqual([
      ['hist-C900005', 'CANCELLED', 'REFUNDED', 279],
      ['hist-900001', 'CONFIRMED', 'CHARGED', 1789],
    ]);
    for (const order of page.items) expect(Order.safeParse(order).success).toBe(true);
  }, 240_000);

  (existsSync(path.join(datasetDir, 'online_retail_2011-02.csv.gz')) ? it : it.skip)(
    'February 2011 of the real dataset: every day, every product and the month equal the CSV to the penny',
    async () => {
      const month = { from: '2011-02-01', to: '2011-02-28' };
      const expected = expectedFrom([path.join(datasetDir, 'online_retail_2011-02.csv.gz')], month);
      const result = await replay(datasetDir, month);
      expect(result.revenuePence).toBe(expected.total.revenue);
      expect(result.nonMerchandisePence).toBe(expected.nonMerchandise.revenue);
      expect(result.orders).toBe(expected.total.orders);
      const seen = await caughtUp(month, expected.total, 300_000);
      expect(seen).toEqual({
        orders: expected.total.orders,
        revenue: expected.total.revenue,
        purchases: expected.total.purchases,
      });
      // Nothing more arrives after the totals match: every record of the replay has been read.
      await analyticsCaughtUp(120_000);
      await expectReportsToEqual(month, expected);
    },
    480_000,
  );
});
