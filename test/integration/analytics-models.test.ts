/**
 * The demand-insights routes through the local edge, against the platform's second endpoint serving the hand-made
 * model of test/support/insights-model.ts (demo-catalog products): forecasts with their band, the segments and
 * the campaign export page by page, price suggestions for admins only, reorder suggestions in insights, and the
 * 503 with Retry-After (insights still answering) while the endpoint is down.
 */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { expect } from '../support/expect';
import { Forecast, Insights, PricingSuggestion, SegmentCustomers, Segments } from '../../functions/analytics/schemas';
import { adminSession, api, newShopper, platform, signIn } from '../support/api';
import { PRICING_CASES, TEST_INSIGHTS_AS_OF, TEST_SEGMENTS, UNSEEN_PRODUCT_ID } from '../support/insights-model';
import { resetSwitchboard, switchboard } from '../support/recommendations';

const FORECAST = '/v1/analytics/forecast';
const SEGMENTS = '/v1/analytics/segments';
const PRICING = '/v1/analytics/pricing';
const INSIGHTS = '/v1/analytics/insights';
const customersOf = (segment: string) => `/v1/analytics/segments/${segment}/customers`;

let admin: string;
let analyst: string;

const problems = (schema: { safeParse(v: unknown): { error?: { issues: unknown[] } } }, value: unknown) =>
  schema.safeParse(value).error?.issues ?? [];

beforeAll(async () => {
  const cognito = new CognitoIdentityProviderClient({
    region: platform().region,
    endpoint: platform().cognitoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const person = await newShopper();
  await cognito.send(
    new AdminAddUserToGroupCommand({ UserPoolId: platform().userPoolId, Username: person.email, GroupName: 'analyst' }),
  );
  cognito.destroy();
  [admin, analyst] = await Promise.all([adminSession(), signIn(person.email, person.password)]);
});

afterAll(() => resetSwitchboard());

describe('GET /v1/analytics/forecast', () => {
  it("answers a product's weeks from the model's cut with a p10-p90 band around them, and its history", async () => {
    const res = await api(`${FORECAST}?productId=ECI-LT-001&weeks=3`, { token: analyst });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(problems(Forecast, res.body)).toEqual([]);
    expect(res.body).toMatchObject({
      productId: 'ECI-LT-001',
      name: 'Zinc Star T-Light Holder',
      asOf: TEST_INSIGHTS_AS_OF,
      forecast: 'forecast',
    });
    const weeks = res.body.weeks as { weekStart: string; units: number; p10: number; p90: number }[];
    expect(weeks.map((w) => w.weekStart)).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
    // The hand-made model: popularity 655 / 10 = 65.5 units, then +10 % a week; band −40 % / +50 %.
    expect(weeks.map((w) => Math.round(w.units))).toEqual([66, 72, 79]);
    for (const w of weeks) expect(w.p10 <= w.units && w.units <= w.p90).toBe(true);
    expect(res.body.history).toHaveLength(26);
    expect(res.body.history.at(-1).weekStart).toBe('2025-12-29');

    const byDefault = await api(`${FORECAST}?productId=ECI-LT-001`, { token: admin });
    expect(byDefault.body.weeks).toHaveLength(8);
  });

  it('says a catalog product the model never saw sold has no forecast, and a product not in the catalog is 404', async () => {
    const unseen = await api(`${FORECAST}?productId=${UNSEEN_PRODUCT_ID}`, { token: analyst });
    expect([unseen.status, unseen.body.forecast, unseen.body.weeks]).toEqual([200, 'no-sales-history', []]);
    const missing = await api(`${FORECAST}?productId=NO-SUCH-PRODUCT`, { token: analyst });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('refuses weeks outside 1-26 and a missing product with 400 naming the field', async () => {
    for (const [query, field] of [
      ['productId=ECI-LT-001&weeks=0', 'weeks'],
      ['productId=ECI-LT-001&weeks=27', 'weeks'],
      ['productId=ECI-LT-001&weeks=two', 'weeks'],
      ['weeks=4', 'productId'],
    ]) {
      const res = await api(`${FORECAST}?${query}`, { token: analyst });
      expect([query, res.status, res.body.error.details[0].path]).toEqual([query, 400, field]);
    }
  });
});

describe('GET /v1/analytics/segments and the campaign export', () => {
  it('lists the segments with their names, sizes and value shares', async () => {
    const res = await api(SEGMENTS, { token: analyst });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(problems(Segments, res.body)).toEqual([]);
    expect(res.body.asOf).toBe(TEST_INSIGHTS_AS_OF);
    expect(res.body.items.map((s: { segment: string; customers: number }) => [s.segment, s.customers])).toEqual(
      TEST_SEGMENTS.map((s) => [s.segment, s.size]),
    );
    const shares = res.body.items.reduce((sum: number, s: { valueShare: number }) => sum + s.valueShare, 0);
    expect(shares).toBeCloseTo(1, 6);
  });

  it("pages through a segment's customers, highest spend first, each once", async () => {
    const { segment, size } = TEST_SEGMENTS[0];
    const seen: { customerId: string; monetary: number }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api(`${customersOf(segment)}?limit=10${cursor ? `&cursor=${cursor}` : ''}`, { token: analyst });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(problems(SegmentCustomers, res.body)).toEqual([]);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(Math.ceil(size / 10));
    expect(new Set(seen.map((c) => c.customerId)).size).toBe(size);
    const spend = seen.map((c) => c.monetary);
    expect(spend).toEqual([...spend].sort((a, b) => b - a));
    const all = await api(`${customersOf(segment)}`, { token: analyst });
    expect([all.body.items.length, all.body.nextCursor]).toEqual([size, undefined]);
  });

  it("is a 404 for an unknown segment and a 400 for a forged cursor or another segment's", async () => {
    const unknown = await api(customersOf('no-such-segment'), { token: analyst });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const first = await api(`${customersOf(TEST_SEGMENTS[0].segment)}?limit=5`, { token: analyst });
    const cursor = first.body.nextCursor as string;
    const other = await api(`${customersOf(TEST_SEGMENTS[1].segment)}?cursor=${cursor}`, { token: analyst });
    expect([other.status, other.body.error.details[0].path]).toEqual([400, 'cursor']);
    const inner = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, string>;
    const forged = Buffer.from(JSON.stringify({ ...inner, after: 'eyJ2IjoieCJ9' })).toString('base64url');
    const refused = await api(`${customersOf(TEST_SEGMENTS[0].segment)}?cursor=${forged}`, { token: analyst });
    expect([refused.status, refused.body.error.details[0].path]).toEqual([400, 'cursor']);
    const tooMany = await api(`${customersOf(TEST_SEGMENTS[0].segment)}?limit=1001`, { token: analyst });
    expect([tooMany.status, tooMany.body.error.details[0].path]).toEqual([400, 'limit']);
  });
});

describe('GET /v1/analytics/pricing', () => {
  it("answers an admin the catalog's price with the model's elasticity, interval and suggestion, in pence", async () => {
    const { productId, suggestedPrice, currentPrice } = PRICING_CASES.elastic;
    const res = await api(`${PRICING}?productId=${productId}`, { token: admin });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(problems(PricingSuggestion, res.body)).toEqual([]);
    expect(res.body).toMatchObject({
      productId,
      currentPrice: Math.round(currentPrice * 100),
      currency: 'GBP',
      elasticity: -2,
      interval: [-2.8, -1.3],
      suggestedPrice: Math.round(suggestedPrice * 100),
    });
    expect(res.body.reason.length).toBeGreaterThan(10);
  });

  it('suggests nothing where the evidence does not support it, and says so', async () => {
    for (const { productId } of [
      PRICING_CASES.includesZero,
      PRICING_CASES.unfitted,
      { productId: UNSEEN_PRODUCT_ID },
    ]) {
      const res = await api(`${PRICING}?productId=${productId}`, { token: admin });
      expect([productId, res.status, res.body.suggestedPrice]).toEqual([productId, 200, undefined]);
      expect(res.body.reason).toMatch(/evidence|never|not/i);
    }
  });

  it('is for admins only (an analyst gets 403) and a 404 for a product not in the catalog', async () => {
    const asAnalyst = await api(`${PRICING}?productId=ECI-LT-001`, { token: analyst });
    expect([asAnalyst.status, asAnalyst.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const missing = await api(`${PRICING}?productId=NO-SUCH-PRODUCT`, { token: admin });
    expect(missing.status).toBe(404);
  });
});

describe('reorder suggestions in GET /v1/analytics/insights', () => {
  it('lists products short of cover with the quantity the stated rule gives from their forecast and stock', async () => {
    const res = await api(INSIGHTS, { token: analyst });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(problems(Insights, res.body)).toEqual([]);
    expect(res.body.reorder).toEqual({ status: 'included', rule: expect.stringContaining('p90') });
    type Reorder = {
      kind: string;
      productId: string;
      available: number;
      suggestedQuantity: number;
      weeksOfCover: number;
      message: string;
    };
    const reorder = (res.body.items as Reorder[]).filter((i) => i.kind === 'reorder');
    // The demo catalog stocks some products below four weeks of their hand-made forecast (e.g. the advent calendar).
    expect(reorder.length).toBeGreaterThan(0);
    for (const item of reorder.slice(0, 3)) {
      const forecast = await api(`${FORECAST}?productId=${item.productId}&weeks=4`, { token: analyst });
      const weeks = forecast.body.weeks as { units: number; p90: number }[];
      const demand = weeks.reduce((sum, w) => sum + w.p90, 0);
      expect(item.suggestedQuantity).toBe(Math.ceil(demand - item.available));
      const mean = weeks.reduce((sum, w) => sum + w.units, 0) / 4;
      expect(item.weeksOfCover).toBeCloseTo(item.available / mean, 1);
      expect(item.message).toContain(`Suggested order: ${item.suggestedQuantity.toLocaleString('en-GB')} units`);
    }
    const covers = reorder.map((i) => i.weeksOfCover);
    expect(covers).toEqual([...covers].sort((a, b) => a - b));
  });
});

describe('while the insights endpoint is down', () => {
  it('the model routes answer 503 with Retry-After saying why, and insights still answers without reorder items', async () => {
    await switchboard({ mode: 'down' });
    try {
      const forecast = await api(`${FORECAST}?productId=ECI-LT-001`, { token: analyst });
      expect(forecast.status, JSON.stringify(forecast.body)).toBe(503);
      expect(forecast.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(forecast.body.error.message).toMatch(/model is not available/);
      expect(Number(forecast.headers.get('retry-after'))).toBeGreaterThan(0);
      const segments = await api(SEGMENTS, { token: analyst });
      expect(segments.status).toBe(503);
      const insights = await api(INSIGHTS, { token: analyst });
      expect(insights.status, JSON.stringify(insights.body)).toBe(200);
      expect(insights.body.reorder.status).toBe('model-unavailable');
      expect(insights.body.items.filter((i: { kind: string }) => i.kind === 'reorder')).toEqual([]);
    } finally {
      await switchboard({ mode: 'pass' });
    }
  });
});
