/**
 * The analytics API through the local edge, against the platform's own warehouse fed by its stream consumers:
 * the contract's shapes, who may call it, its 400s, the cache's x-cache answers through DynamoDB, and the
 * contract's freshness promise — a confirmed order placed through the API is counted in the summary within 30 s.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DashboardSummary, Insights, SalesReport } from '../../functions/analytics/schemas';
import { adminSession, api, newShopper, type Shopper } from '../support/api';
import { checkout, productWithStock } from '../support/checkout';

const SUMMARY = '/v1/analytics/dashboard/summary';
const SALES = '/v1/analytics/reports/sales';
const INSIGHTS = '/v1/analytics/insights';

let admin: string;
let shopper: Shopper;

beforeAll(async () => {
  // The platform's admin is in both admin and analyst.
  [admin, shopper] = await Promise.all([adminSession(), newShopper()]);
});

const today = () => new Date().toISOString().slice(0, 10);
const schemaProblems = (
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } },
  value: unknown,
) => schema.safeParse(value).error?.issues ?? [];

async function waitFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await attempt();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('the analytics routes', () => {
  it('answer an analyst with the contract shapes', async () => {
    const summary = await api(SUMMARY, { token: admin });
    expect(summary.status, JSON.stringify(summary.body)).toBe(200);
    expect(schemaProblems(DashboardSummary, summary.body)).toEqual([]);
    expect(summary.body).toMatchObject({ endDate: today(), currency: 'GBP' });
    expect(['hit', 'miss']).toContain(summary.headers.get('x-cache'));

    for (const dimension of ['day', 'category', 'product']) {
      const report = await api(`${SALES}?dimension=${dimension}&startDate=2026-01-01&endDate=2026-01-07`, {
        token: admin,
      });
      expect(report.status, JSON.stringify(report.body)).toBe(200);
      expect(schemaProblems(SalesReport, report.body)).toEqual([]);
      expect(report.body.dimension).toBe(dimension);
    }
    const byDay = await api(`${SALES}?startDate=2026-01-01&endDate=2026-01-07`, { token: admin });
    expect(byDay.body.rows.map((r: { key: string }) => r.key)).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
    ]);

    const insights = await api(INSIGHTS, { token: admin });
    expect(insights.status, JSON.stringify(insights.body)).toBe(200);
    expect(schemaProblems(Insights, insights.body)).toEqual([]);
  });

  it('refuse a shopper with 403 and an anonymous caller with 401, in the contract error shape', async () => {
    for (const path of [SUMMARY, SALES, INSIGHTS]) {
      const asShopper = await api(path, { token: shopper.token });
      expect([asShopper.status, asShopper.body.error?.code]).toEqual([403, 'FORBIDDEN']);
      const anonymous = await api(path);
      expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'UNAUTHORIZED']);
    }
  });

  it('refuse an endDate before the startDate, an unreal date and an unknown dimension with 400 naming the field', async () => {
    const cases: [string, string][] = [
      [`${SUMMARY}?startDate=2026-03-04&endDate=2026-03-01`, 'endDate'],
      [`${SALES}?startDate=2011-02-30&endDate=2011-03-01`, 'startDate'],
      [`${SALES}?dimension=week`, 'dimension'],
    ];
    for (const [path, field] of cases) {
      const res = await api(path, { token: admin });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
  });

  it('serve a repeated query from the cache (x-cache: hit) with the same answer', async () => {
    const path = `${SALES}?dimension=category&startDate=2026-01-01&endDate=2026-01-31`;
    const first = await api(path, { token: admin });
    expect(first.status).toBe(200);
    // Loads elsewhere (the pipeline keeps consuming) bump the warehouse version and rightly make an answer
    // stale; between two loads, the second request of a pair is a hit.
    const hit = await waitFor(
      'a cache hit',
      async () => {
        const res = await api(path, { token: admin });
        return res.headers.get('x-cache') === 'hit' ? res : undefined;
      },
      20_000,
      100,
    );
    expect(hit.body).toEqual(first.body);
  });
});

describe('freshness', () => {
  it('counts a confirmed order placed through the API in the summary within 30 s', async () => {
    const price = 1234;
    const name = `Analytics Freshness Lamp ${randomUUID().slice(0, 6)}`;
    const productId = await productWithStock(10, price, name);

    // Read (and cache) today's summary first: the order must show up through the cache, not around it.
    const before = await api(SUMMARY, { token: admin });
    expect(before.status).toBe(200);

    const order = await checkout(shopper, { items: [{ productId, quantity: 2 }] });
    expect(order.status).toBe('CONFIRMED');

    const counted = await waitFor(
      'the order in the summary',
      async () => {
        const res = await api(SUMMARY, { token: admin });
        return res.body.orders >= before.body.orders + 1 && res.body.revenue >= before.body.revenue + 2 * price
          ? res
          : undefined;
      },
      30_000,
    );
    expect(counted.status).toBe(200);
    // The product is new: its row in today's product report is exactly this order, named once the products
    // stream (a separate consumer, which may lag the orders stream) has loaded it too.
    const expected = { key: productId, name, orders: 1, units: 2, revenue: 2 * price };
    const row = await waitFor(
      'the product named in the product report',
      async () => {
        const report = await api(`${SALES}?dimension=product&startDate=${today()}&endDate=${today()}`, {
          token: admin,
        });
        const found = report.body.rows.find((r: { key: string }) => r.key === productId);
        return found?.name === expected.name ? found : undefined;
      },
      30_000,
    );
    expect(row).toEqual(expected);
  });
});
