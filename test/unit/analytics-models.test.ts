/**
 * The demand-insights routes' logic with the model and the catalog faked: 404s, the forecast of a product the
 * model never saw, the segment cursor that wraps the model's, prices in minor units, and the 503 with Retry-After
 * when the model does not answer; and the SageMaker adapter's parsing, refusals, timeout and breaker.
 */
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { describe, expect, it, jest } from '@jest/globals';
import { SageMakerInsights } from '../../functions/analytics/adapters/sagemaker-insights';
import { productForecast } from '../../functions/analytics/domain/forecast';
import { MODEL_RETRY_AFTER_SECONDS } from '../../functions/analytics/domain/model-errors';
import { pricingSuggestion } from '../../functions/analytics/domain/pricing';
import { listSegments, segmentCustomers } from '../../functions/analytics/domain/segments';
import {
  InsightsRefusedError,
  InsightsUnavailableError,
  type CatalogProduct,
  type DemandInsightsModel,
  type ModelQueryDeps,
} from '../../functions/analytics/ports';
import { DomainError } from '../../functions/shared/errors';
import { errorResponse } from '../../functions/shared/http';
import type { ForecastAnswer } from '../../ml/src/insights/contract';

const week = (weekStart: string, units: number) => ({ weekStart, units, p10: units / 2, p90: units * 2 });
const forecastOf = (productId: string): ForecastAnswer['items'][number] => ({
  productId,
  weeks: [week('2011-12-05', 10), week('2011-12-12', 12), week('2011-12-19', 8)],
  history: [
    { weekStart: '2011-11-21', units: 9 },
    { weekStart: '2011-11-28', units: 11 },
  ],
});

const products: Record<string, CatalogProduct> = {
  KNOWN: { id: 'KNOWN', name: 'Known mug', price: 295, currency: 'GBP' },
  NEW: { id: 'NEW', name: 'New mug', price: 450, currency: 'GBP' },
  EURO: { id: 'EURO', name: 'Euro mug', price: 500, currency: 'EUR' },
};

function fakeModel(overrides: Partial<DemandInsightsModel> = {}): DemandInsightsModel & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    forecast: async (ids, weeks) => {
      calls.push({ forecast: ids, weeks });
      return {
        asOf: '2011-12-05',
        items: ids.filter((id) => id === 'KNOWN').map(forecastOf),
        unknown: ids.filter((id) => id !== 'KNOWN'),
      };
    },
    segments: async () => ({
      asOf: '2011-12-05',
      items: [{ segment: 'loyal', name: 'loyal buyers', description: 'They come back', customers: 3, valueShare: 0.7 }],
    }),
    segmentCustomers: async (request) => {
      calls.push(request);
      if (request.segment !== 'loyal') return { found: false, items: [] };
      if (request.cursor && request.cursor !== 'm2') throw new InsightsRefusedError('not a cursor of mine');
      return request.cursor
        ? { found: true, items: [{ customerId: 'c3', recency: 30, frequency: 1, monetary: 10 }] }
        : {
            found: true,
            items: [
              { customerId: 'c1', recency: 1, frequency: 9, monetary: 900 },
              { customerId: 'c2', recency: 5, frequency: 4, monetary: 300 },
            ],
            nextCursor: 'm2',
          };
    },
    pricing: async (productId, currentPrice) => {
      calls.push({ pricing: productId, currentPrice });
      return {
        productId,
        found: true,
        currentPrice,
        elasticity: -1.8,
        interval: [-2.4, -1.2],
        suggestedPrice: 3.456,
        reason: 'Demand falls 1.8 % for each 1 % on the price; margin is highest at £3.46.',
      };
    },
    ...overrides,
  };
}

function deps(model = fakeModel()): ModelQueryDeps & { warnings: string[]; model: ReturnType<typeof fakeModel> } {
  const warnings: string[] = [];
  return {
    model,
    catalog: {
      get: async (id) => products[id],
      getMany: async (ids) => new Map(ids.filter((id) => products[id]).map((id) => [id, products[id]])),
    },
    log: { warn: (message) => void warnings.push(message) },
    warnings,
  };
}

const unavailableModel = () =>
  fakeModel({
    forecast: () => Promise.reject(new InsightsUnavailableError('timeout', 'slow')),
    segments: () => Promise.reject(new InsightsUnavailableError('error', 'down')),
    segmentCustomers: () => Promise.reject(new InsightsUnavailableError('breaker-open', 'open')),
    pricing: () => Promise.reject(new InsightsUnavailableError('garbage', 'garbage')),
  });

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('the forecast route', () => {
  it("answers a known product's weeks, cut to the weeks asked for, with its history and name", async () => {
    const d = deps();
    const answer = await productForecast({ productId: 'KNOWN', weeks: 2 }, d);
    expect(answer).toEqual({
      productId: 'KNOWN',
      name: 'Known mug',
      asOf: '2011-12-05',
      forecast: 'forecast',
      weeks: forecastOf('KNOWN').weeks.slice(0, 2),
      history: forecastOf('KNOWN').history,
    });
    expect(d.model.calls).toEqual([{ forecast: ['KNOWN'], weeks: 2 }]);
  });

  it('says a catalog product the model never saw sold has no forecast, rather than forecasting zero', async () => {
    const answer = await productForecast({ productId: 'NEW', weeks: 8 }, deps());
    expect(answer).toMatchObject({ forecast: 'no-sales-history', weeks: [], history: [] });
  });

  it('is a 404 for a product the catalog does not have, without asking the model', async () => {
    const d = deps();
    expect((await domainError(productForecast({ productId: 'NOPE', weeks: 8 }, d))).status).toBe(404);
    expect(d.model.calls).toEqual([]);
  });
});

describe('the segment routes', () => {
  it('list the segments as the contract has them', async () => {
    expect((await listSegments(deps())).items).toEqual([
      { segment: 'loyal', name: 'loyal buyers', description: 'They come back', customers: 3, valueShare: 0.7 },
    ]);
  });

  it("page a segment's customers with a cursor of the API's own that wraps the model's and names the segment", async () => {
    const d = deps();
    const first = await segmentCustomers('loyal', { limit: 2 }, d);
    expect(first.items.map((c) => c.customerId)).toEqual(['c1', 'c2']);
    expect(JSON.parse(Buffer.from(first.nextCursor!, 'base64url').toString())).toEqual({
      segment: 'loyal',
      after: 'm2',
    });
    const second = await segmentCustomers('loyal', { limit: 2, cursor: first.nextCursor }, d);
    expect(second).toEqual({ items: [{ customerId: 'c3', recency: 30, frequency: 1, monetary: 10 }] });
    expect(d.model.calls[1]).toEqual({ segment: 'loyal', limit: 2, cursor: 'm2' });
  });

  it("refuse another segment's cursor, a forged one and one the model refuses with 400 naming cursor", async () => {
    const d = deps();
    const { nextCursor } = await segmentCustomers('loyal', { limit: 2 }, d);
    const forged = Buffer.from(JSON.stringify({ segment: 'loyal', after: 'x' })).toString('base64url');
    for (const [segment, cursor] of [
      ['other', nextCursor],
      ['loyal', 'garbage'],
      ['loyal', forged],
    ]) {
      const error = await domainError(segmentCustomers(segment!, { limit: 2, cursor }, d));
      expect([error.status, error.details?.[0]?.path]).toEqual([400, 'cursor']);
    }
  });

  it('are a 404 for a segment the model does not have', async () => {
    expect((await domainError(segmentCustomers('lapsed', { limit: 5 }, deps()))).status).toBe(404);
  });
});

describe('the pricing route', () => {
  it("sends the catalog's price in GBP and answers prices in minor units", async () => {
    const d = deps();
    const answer = await pricingSuggestion({ productId: 'KNOWN' }, d);
    expect(d.model.calls).toEqual([{ pricing: 'KNOWN', currentPrice: 2.95 }]);
    expect(answer).toEqual({
      productId: 'KNOWN',
      name: 'Known mug',
      currentPrice: 295,
      currency: 'GBP',
      elasticity: -1.8,
      interval: [-2.4, -1.2],
      suggestedPrice: 346,
      reason: expect.stringContaining('1.8 %'),
    });
  });

  it('suggests nothing for a product priced in a currency the model never learnt', async () => {
    const d = deps();
    const answer = await pricingSuggestion({ productId: 'EURO' }, d);
    expect(answer.suggestedPrice).toBeUndefined();
    expect(answer.reason).toMatch(/Not enough evidence.*EUR/);
    expect(d.model.calls).toEqual([]);
  });

  it('is a 404 for a product the catalog does not have', async () => {
    expect((await domainError(pricingSuggestion({ productId: 'NOPE' }, deps()))).status).toBe(404);
  });
});

describe('a model that does not answer', () => {
  it('makes every route a 503 DEPENDENCY_UNAVAILABLE with Retry-After and a message saying so', async () => {
    const d = deps(unavailableModel());
    const errors = await Promise.all([
      domainError(productForecast({ productId: 'KNOWN', weeks: 8 }, d)),
      domainError(listSegments(d)),
      domainError(segmentCustomers('loyal', { limit: 5 }, d)),
      domainError(pricingSuggestion({ productId: 'KNOWN' }, d)),
    ]);
    for (const error of errors) {
      const response = errorResponse(error);
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ 'retry-after': String(MODEL_RETRY_AFTER_SECONDS) });
      const body = JSON.parse(response.body) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(body.error.message).toMatch(/model is not available.*training/);
    }
    expect(d.warnings).toHaveLength(4);
  });
});

describe('the SageMaker insights adapter', () => {
  const clientThat = (behave: () => Promise<{ Body: Uint8Array }>) => {
    const send = jest.fn(
      (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
        new Promise((resolve, reject) => {
          options?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
          behave().then(resolve, reject);
        }),
    );
    return { client: { send } as unknown as SageMakerRuntimeClient, send };
  };
  const body = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
  const options = { timeoutMs: 50, failuresToOpen: 3, halfOpenAfterMs: 100 };
  const segments = { asOf: '2011-12-05', items: [] };

  it('sends the invocation as JSON to the named endpoint and parses the answer with the contract', async () => {
    const { client, send } = clientThat(async () => ({ Body: body(segments) }));
    const model = new SageMakerInsights(client, 'insights', options);
    await expect(model.segments()).resolves.toEqual(segments);
    const { input } = send.mock.calls[0][0] as { input: { EndpointName: string; Body: Uint8Array } };
    expect(input.EndpointName).toBe('insights');
    expect(JSON.parse(new TextDecoder().decode(input.Body))).toEqual({ task: 'segments' });
  });

  it('turns garbage, errors and slowness into InsightsUnavailableError with the reason', async () => {
    const cases: [() => Promise<{ Body: Uint8Array }>, string][] = [
      [async () => ({ Body: body('<html>') }), 'garbage'],
      [async () => ({ Body: body({ asOf: 'yesterday', items: [] }) }), 'garbage'],
      [() => Promise.reject(Object.assign(new Error('refused'), { name: 'ECONNREFUSED' })), 'error'],
      [() => new Promise(() => undefined), 'timeout'],
    ];
    for (const [behave, reason] of cases) {
      const model = new SageMakerInsights(clientThat(behave).client, 'insights', options);
      const error = await model.segments().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsightsUnavailableError);
      expect((error as InsightsUnavailableError).reason).toBe(reason);
    }
  });

  it("passes the container's own 4xx through as a refusal that does not open the breaker", async () => {
    const modelError = Object.assign(new Error('bad cursor'), { name: 'ModelError', OriginalStatusCode: 400 });
    const { client, send } = clientThat(() => Promise.reject(modelError));
    const model = new SageMakerInsights(client, 'insights', options);
    for (let i = 0; i < 5; i++)
      await expect(model.segmentCustomers({ segment: 'x', limit: 1, cursor: 'c' })).rejects.toBeInstanceOf(
        InsightsRefusedError,
      );
    expect(send).toHaveBeenCalledTimes(5);
  });

  it('opens its breaker after consecutive failures, then stops calling the endpoint', async () => {
    const { client, send } = clientThat(() => Promise.reject(new Error('down')));
    const model = new SageMakerInsights(client, 'insights', options);
    for (let i = 0; i < 3; i++) await expect(model.segments()).rejects.toBeInstanceOf(InsightsUnavailableError);
    const error = (await model.segments().catch((e: unknown) => e)) as InsightsUnavailableError;
    expect(error.reason).toBe('breaker-open');
    expect(send).toHaveBeenCalledTimes(3);
  });
});
