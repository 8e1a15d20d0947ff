/**
 * GET /v1/recommendations through the local edge: the recommendations function calling the model server
 * (a hand-made model, test/support/recommendation-model.ts) through the SageMaker runtime SDK, with the
 * switchboard in between to make the endpoint fail, hang or talk nonsense. Whatever the endpoint does,
 * the shopper gets products on sale, with live names and prices, and never a 5xx.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { Recommendations } from '../../functions/recommendations/schemas';
import { adminSession, api, dynamo, newShopper, platform, type ApiResponse } from '../support/api';
import { address, sleep } from '../support/checkout';
import { eventually } from '../support/eventually';
import { resetSwitchboard, switchboard, switchboardStatus } from '../support/recommendations';
import { INACTIVE_PRODUCT_ID, MISSING_PRODUCT_ID, TEST_MODEL_VERSION } from '../support/recommendation-model';

/** The demo catalog by the test model's popularity: what a shopper with no history is shown. */
const MOST_POPULAR = ['ECI-BG-001', 'ECI-KD-001', 'ECI-HD-001', 'ECI-LT-001', 'ECI-ST-002'];

type Body = Recommendations;
const idsOf = (res: ApiResponse<Body>) => res.body.items.map((i) => i.productId);

async function recommendations(query = '', token?: string): Promise<ApiResponse<Body> & { ms: number }> {
  const started = performance.now();
  const res = await api<Body>(`/v1/recommendations${query}`, { token });
  return { ...res, ms: performance.now() - started };
}

/** Every answer, whoever served it: 200 in the contract's shape, only sellable products, priced as the catalog prices them. */
async function expectSellable(res: ApiResponse<Body>) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Recommendations.safeParse(res.body).success, JSON.stringify(res.body)).toBe(true);
  expect(idsOf(res)).not.toContain(INACTIVE_PRODUCT_ID);
  expect(idsOf(res)).not.toContain(MISSING_PRODUCT_ID);
  expect(new Set(idsOf(res)).size).toBe(res.body.items.length);
  for (const item of res.body.items.slice(0, 3)) {
    const product = await api(`/v1/products/${item.productId}`);
    expect(product.body).toMatchObject({
      name: item.name,
      price: item.price,
      currency: item.currency,
      status: 'ACTIVE',
    });
  }
}

/** After a test that broke the endpoint: the model answers again (and the breaker's failure count is back to 0). */
async function expectModelBack() {
  await switchboard({ mode: 'pass' });
  let res = await recommendations();
  for (let i = 0; i < 20 && res.body.source !== 'model'; i++) {
    // The breaker may be open after a test's failures: wait for its half-open trial.
    await sleep(platform().recommendations.breakerHalfOpenMs / 4);
    res = await recommendations();
  }
  expect(res.body.source).toBe('model');
}

beforeAll(async () => {
  // The test model ranks this product first of all; the catalog has it, but no longer sells it.
  const now = new Date().toISOString();
  await dynamo().send(
    new PutCommand({
      TableName: platform().tableNames.products,
      Item: {
        id: INACTIVE_PRODUCT_ID,
        sku: INACTIVE_PRODUCT_ID,
        name: 'Discontinued Test Lamp',
        description: 'No longer sold.',
        category: 'lighting',
        brand: 'Test',
        price: 999,
        currency: 'GBP',
        imageUrls: [],
        attributes: {},
        popularity: 5000,
        status: 'INACTIVE',
        version: 1,
        createdAt: now,
        updatedAt: now,
      },
    }),
  );
  await switchboard({ mode: 'pass' });
});

afterEach(async () => {
  await switchboard({ mode: 'pass' });
});

describe('from the model', () => {
  it('answers an anonymous shopper with popular products on sale, from the model, naming its version and variant', async () => {
    const res = await recommendations();
    await expectSellable(res);
    expect(res.body).toMatchObject({ source: 'model', modelVersion: TEST_MODEL_VERSION, variant: 'local' });
    expect(res.body.items).toHaveLength(10);
    expect(idsOf(res).slice(0, MOST_POPULAR.length)).toEqual(MOST_POPULAR);
    const scores = res.body.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });

  it('returns `limit` products, 1 to 100', async () => {
    expect((await recommendations('?limit=3')).body.items).toHaveLength(3);
    expect((await recommendations('?limit=1')).body.items).toHaveLength(1);
    // The demo catalog has 44 products: all of them sellable, none twice.
    const all = await recommendations('?limit=100');
    await expectSellable(all);
    expect(all.body.items.length).toBeGreaterThan(40);
  });

  it('answers with products bought together with `productId`, never the product itself', async () => {
    await resetSwitchboard();
    const res = await recommendations('?productId=ECI-LT-001&limit=3');
    await expectSellable(res);
    expect(res.body.source).toBe('model');
    // The model's neighbours of the T-light holder, the inactive one among them left out.
    expect(idsOf(res)).toEqual(['ECI-LT-003', 'ECI-LT-004', 'ECI-LT-002']);
    const sent = (await switchboardStatus()).lastBody as {
      productId?: string;
      exclude?: string[];
      k: number;
      history: unknown[];
    };
    expect(sent).toMatchObject({ productId: 'ECI-LT-001', exclude: ['ECI-LT-001'], history: [] });
    // More than asked for: room for what the catalog no longer sells.
    expect(sent.k).toBeGreaterThan(3);
  });

  it('answers an unknown product with popular ones rather than an error', async () => {
    const res = await recommendations('?productId=NOT-A-PRODUCT&limit=5');
    await expectSellable(res);
    expect(idsOf(res)).toEqual(MOST_POPULAR);
  });

  it('personalises for a signed-in shopper from their own orders: what they buy again comes first', async () => {
    const shopper = await newShopper();
    const placed = await api('/v1/orders', {
      method: 'POST',
      token: shopper.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { shippingAddress: address, paymentToken: 'tok_visa', items: [{ productId: 'ECI-CL-002', quantity: 3 }] },
    });
    expect(placed.status).toBe(202);
    let order = (await api(`/v1/orders/${placed.body.orderId}`, { token: shopper.token })).body;
    for (let i = 0; i < 50 && order.status === 'PENDING'; i++) {
      await sleep(100);
      order = (await api(`/v1/orders/${placed.body.orderId}`, { token: shopper.token })).body;
    }
    expect(order.status).toBe('CONFIRMED');

    // The history is the recommendations context's own, kept from the orders events (stream → bus → rule):
    // it follows the order within seconds, not within the request that placed it.
    const res = await eventually(
      async () => {
        await resetSwitchboard();
        const answer = await recommendations('?limit=5', shopper.token);
        const sent = (await switchboardStatus()).lastBody as { history: unknown[]; userId?: string };
        expect(sent.history).toEqual([{ productId: 'ECI-CL-002', quantity: 3, at: order.createdAt }]);
        expect(sent.userId).toBeUndefined();
        return answer;
      },
      { timeout: 20_000, interval: 250 },
    );
    await expectSellable(res);
    expect(res.body.source).toBe('model');
    // Their station clock, then the alarm clock bought with it by others: not the anonymous ranking.
    expect(idsOf(res).slice(0, 2)).toEqual(['ECI-CL-002', 'ECI-CL-001']);

    // Another shopper, without orders, gets the popular answer: histories are per caller.
    const other = await newShopper();
    await resetSwitchboard();
    const theirs = await recommendations('?limit=5', other.token);
    expect(idsOf(theirs)).toEqual(MOST_POPULAR);
    expect(((await switchboardStatus()).lastBody as { history: unknown[] }).history).toEqual([]);
  });

  it("names a signed-in shopper's segment from their own orders, as the insights model assigns their features", async () => {
    const shopper = await newShopper();
    const placed = await api('/v1/orders', {
      method: 'POST',
      token: shopper.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { shippingAddress: address, paymentToken: 'tok_visa', items: [{ productId: 'ECI-LT-001', quantity: 2 }] },
    });
    expect(placed.status).toBe(202);
    // What the segment is measured from: one order just now, two T-light holders at £3.50, one product.
    const features = { recency: 0, frequency: 1, monetary: 7, tenure: 0, breadth: 1 };
    const assigned = await fetch(
      `${platform().insights.runtimeUrl}/endpoints/${platform().insights.endpointName}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: 'assignSegment', features }),
      },
    ).then((r) => r.json() as Promise<{ segment: string; name: string }>);

    const res = await eventually(
      async () => {
        const answer = await recommendations('?limit=5', shopper.token);
        expect(answer.body.segment).toBeDefined();
        return answer;
      },
      { timeout: 20_000, interval: 250 },
    );
    await expectSellable(res);
    expect(res.body).toMatchObject({ source: 'model', segment: { segment: assigned.segment, name: assigned.name } });
    // The model's call still carries only what its contract takes (the segment's order and prices stay behind).
    expect((await switchboardStatus()).lastBody).toMatchObject({
      history: [{ productId: 'ECI-LT-001', quantity: 2, at: expect.any(String) }],
    });

    // Anonymous shoppers have none; nor does anyone while the insights endpoint is down, and the answer stands.
    expect((await recommendations('?limit=3')).body.segment).toBeUndefined();
    await switchboard({ mode: 'down' });
    try {
      const down = await recommendations('?limit=3', shopper.token);
      await expectSellable(down);
      expect(down.body.segment).toBeUndefined();
    } finally {
      await switchboard({ mode: 'pass' });
    }
  });

  it('stops showing a product once an admin makes it inactive', async () => {
    const admin = await adminSession();
    const setStatus = async (status: 'ACTIVE' | 'INACTIVE') => {
      const current = await api('/v1/products/ECI-LT-003');
      const res = await api('/v1/products/ECI-LT-003', {
        method: 'PUT',
        token: admin,
        body: { version: current.body.version, status },
      });
      expect(res.status).toBe(200);
    };
    await setStatus('INACTIVE');
    try {
      const res = await recommendations('?productId=ECI-LT-001&limit=3');
      await expectSellable(res);
      expect(idsOf(res)).toEqual(['ECI-LT-004', 'ECI-LT-002', MOST_POPULAR[0]]);
    } finally {
      await setStatus('ACTIVE');
    }
  });

  it('refuses a bad limit or productId with 400 naming it', async () => {
    for (const [query, path] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?productId=%3Cscript%3E', 'productId'],
      ['?productId=', 'productId'],
      ['?productId=' + 'x'.repeat(65), 'productId'],
      ['?userId=someone-else', 'userId'],
    ] as const) {
      const res = await api(`/v1/recommendations${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('VALIDATION_ERROR');
      // A bad value names its field in `path`; an unknown field is named in the message.
      expect(JSON.stringify(res.body.error), query).toContain(path);
    }
  });
});

describe('when the model endpoint cannot answer', () => {
  afterEach(expectModelBack);

  it('falls back to popularity when the endpoint is down (connection refused): 200, source fallback, no variant', async () => {
    await switchboard({ mode: 'down' });
    const res = await recommendations();
    await expectSellable(res);
    // The aggregate written from the same model: its version, its ranking, filtered the same way.
    expect(res.body).toMatchObject({ source: 'fallback', modelVersion: TEST_MODEL_VERSION, variant: null });
    expect(idsOf(res).slice(0, MOST_POPULAR.length)).toEqual(MOST_POPULAR);
    expect(res.body.items).toHaveLength(10);
  });

  it('falls back after 300 ms when the endpoint is slow, rather than waiting for it', async () => {
    await switchboard({ mode: 'slow', delayMs: 2000 });
    const res = await recommendations('?limit=4');
    await expectSellable(res);
    expect(res.body.source).toBe('fallback');
    expect(res.ms).toBeGreaterThanOrEqual(290);
    expect(res.ms).toBeLessThan(1500);
    expect(idsOf(res)).toEqual(MOST_POPULAR.slice(0, 4));
  });

  it.each([
    ['text that is not JSON', { text: 'Internal Server Error', contentType: 'text/plain' }],
    ['JSON of another shape', { text: '{"recommendations": ["ECI-LT-001"]}' }],
    [
      'items with a score that is not a number',
      { text: `{"items":[{"productId":"ECI-LT-001","score":"high"}],"modelVersion":"${TEST_MODEL_VERSION}"}` },
    ],
    ['an empty body', { text: '' }],
  ])('falls back when the endpoint answers garbage: %s', async (_label, garbage) => {
    await switchboard({ mode: 'garbage', ...garbage });
    const res = await recommendations();
    await expectSellable(res);
    expect(res.body).toMatchObject({ source: 'fallback', variant: null });
    expect(res.body.items.length).toBe(10);
  });

  it('falls back when the model itself fails (ModelError from the runtime)', async () => {
    await switchboard({ mode: 'error' });
    const res = await recommendations('?productId=ECI-KD-002');
    await expectSellable(res);
    expect(res.body.source).toBe('fallback');
    // Popularity knows nothing of co-purchases, but still never offers the product itself.
    expect(idsOf(res)).not.toContain('ECI-KD-002');
  });

  it('opens the breaker after 5 failures in a row: calls stop reaching the endpoint, then one trial call closes it again', async () => {
    await switchboard({ mode: 'error' });
    await resetSwitchboard();
    for (let i = 0; i < 5; i++) expect((await recommendations()).body.source).toBe('fallback');
    expect((await switchboardStatus()).requests).toBe(5);

    // Open: the next calls fall back at once, without touching the endpoint — even once it has recovered.
    await switchboard({ mode: 'pass' });
    const whileOpen = await recommendations();
    await expectSellable(whileOpen);
    expect(whileOpen.body.source).toBe('fallback');
    expect((await switchboardStatus()).requests).toBe(5);

    // Half-open after the pause: one trial call gets through, succeeds, and the model answers again.
    await sleep(platform().recommendations.breakerHalfOpenMs + 200);
    const after = await recommendations();
    expect(after.body.source).toBe('model');
    expect((await switchboardStatus()).requests).toBe(6);
  });

  it('never answers 5xx, whatever the endpoint does, to anonymous and signed-in shoppers alike', async () => {
    const shopper = await newShopper();
    const modes = [
      { mode: 'down' },
      { mode: 'garbage', text: '[]' },
      { mode: 'error' },
      { mode: 'slow', delayMs: 1000 },
    ] as const;
    for (const mode of modes) {
      await switchboard(mode);
      const answers = await Promise.all([
        recommendations(),
        recommendations('?productId=ECI-LT-001', shopper.token),
        recommendations('?limit=1'),
      ]);
      for (const res of answers) expect(res.status, JSON.stringify(mode)).toBe(200);
    }
  });
});

afterAll(async () => {
  await switchboard({ mode: 'pass' });
});
