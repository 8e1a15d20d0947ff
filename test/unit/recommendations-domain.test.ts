/**
 * The recommendations function's logic with its ports faked: which answer is shown when, what the model
 * is asked, and how the SageMaker adapter's timeout and breaker turn endpoint trouble into a fallback.
 */
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { describe, expect, it, jest } from '@jest/globals';
import { SageMakerModel } from '../../functions/recommendations/adapters/sagemaker-model';
import { cached, firstWithItems } from '../../functions/recommendations/adapters/popular-chain';
import { purchaseChange, UnexpectedEventError } from '../../functions/recommendations/domain/purchases';
import { candidatesFor, modelRequest, recommend } from '../../functions/recommendations/domain/recommendations';
import { ModelUnavailableError, type RecommendationsDeps } from '../../functions/recommendations/ports';
import { DomainError } from '../../functions/shared/errors';
import { recordingMetrics } from '../support/recording-metrics';

const catalog = new Map(
  [
    ['A', 'ACTIVE'],
    ['B', 'ACTIVE'],
    ['C', 'INACTIVE'],
    ['D', 'ACTIVE'],
    ['E', 'ACTIVE'],
  ].map(([id, status]) => [id, { id: id, name: `Product ${id}`, price: 100, currency: 'GBP', status: status }]),
);

function fakeDeps(
  overrides: Partial<Omit<RecommendationsDeps, 'metrics'>> = {},
): RecommendationsDeps & { warnings: string[]; metrics: ReturnType<typeof recordingMetrics> } {
  const warnings: string[] = [];
  return {
    model: {
      recommend: async () => ({
        answer: {
          items: ['C', 'B', 'X', 'A'].map((productId, i) => ({ productId, score: 1 - i / 10 })),
          modelVersion: 'v-model',
        },
        variant: 'VariantA',
      }),
    },
    popular: {
      top: async () => ({
        items: [
          ['E', 9],
          ['C', 8],
          ['D', 7],
          ['A', 6],
        ],
        version: 'v-popular',
      }),
    },
    products: {
      getMany: async (ids) => new Map(ids.filter((id) => catalog.has(id)).map((id) => [id, catalog.get(id)!])),
    },
    history: { recentLines: async () => [] },
    segments: { assign: () => Promise.reject(new Error('no insights model in this test')) },
    clock: { now: () => new Date('2026-12-07T12:00:00Z') },
    log: { warn: (m) => void warnings.push(m), debug: () => undefined },
    metrics: recordingMetrics(),
    warnings,
    ...overrides,
  };
}

describe('recommend', () => {
  it("shows the model's answer in its order, without inactive or unknown products, hydrated from the catalog", async () => {
    const result = await recommend({ limit: 10 }, fakeDeps());
    expect(result).toEqual({
      items: [
        { productId: 'B', score: 0.9, name: 'Product B', price: 100, currency: 'GBP' },
        { productId: 'A', score: 0.7, name: 'Product A', price: 100, currency: 'GBP' },
      ],
      source: 'model',
      modelVersion: 'v-model',
      variant: 'VariantA',
    });
  });

  it('falls back to popularity, with no variant, when the model is unavailable, and says why in the log', async () => {
    const deps = fakeDeps({
      model: { recommend: () => Promise.reject(new ModelUnavailableError('timeout', 'too slow')) },
    });
    const result = await recommend({ limit: 2, productId: 'E' }, deps);
    expect(result).toMatchObject({ source: 'fallback', modelVersion: 'v-popular', variant: null });
    // The product asked about is never recommended for itself, from popularity either.
    expect(result.items.map((i) => i.productId)).toEqual(['D', 'A']);
    expect(deps.warnings).toEqual(['model unavailable, recommending by popularity']);
    expect(deps.metrics.recorded).toEqual([{ metric: 'recommendationFallbacks', value: 1, dimension: 'timeout' }]);
  });

  it('counts no fallback when the model answers', async () => {
    const deps = fakeDeps();
    await recommend({ limit: 2 }, deps);
    expect(deps.metrics.recorded).toEqual([]);
  });

  it('falls back on any failure of the model port, not only the expected ones', async () => {
    const result = await recommend(
      { limit: 1 },
      fakeDeps({ model: { recommend: () => Promise.reject(new TypeError('bug')) } }),
    );
    expect(result.source).toBe('fallback');
  });

  it('answers 503 (never 500) when neither the model nor the popularity ranking can be read', async () => {
    const deps = fakeDeps({
      model: { recommend: () => Promise.reject(new Error('down')) },
      popular: { top: () => Promise.reject(new Error('dynamo down')) },
    });
    const error = await recommend({ limit: 1 }, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).status).toBe(503);
  });

  it("sends the signed-in shopper's history and still answers when it cannot be read", async () => {
    const seen: unknown[] = [];
    const model: RecommendationsDeps['model'] = {
      recommend: async (request) => (
        seen.push(request),
        { answer: { items: [{ productId: 'A', score: 1 }], modelVersion: 'v' }, variant: 'V' }
      ),
    };
    const line = { productId: 'A', quantity: 2, at: '2026-01-01T00:00:00.000Z' };
    await recommend({ limit: 1, userId: 'u1' }, fakeDeps({ model, history: { recentLines: async () => [line] } }));
    const failing = fakeDeps({ model, history: { recentLines: () => Promise.reject(new Error('orders table down')) } });
    const result = await recommend({ limit: 1, userId: 'u1' }, failing);
    expect(seen).toEqual([
      { history: [line], k: 11 },
      { history: [], k: 11 },
    ]);
    expect(result.source).toBe('model');
    expect(failing.warnings).toEqual(['order history unavailable, recommending without it']);
  });

  it('asks the model for more than the limit, within what one hydration round can take', () => {
    expect(candidatesFor(1)).toBe(11);
    expect(candidatesFor(10)).toBe(20);
    expect(candidatesFor(100)).toBe(200);
    expect(modelRequest({ limit: 5, productId: 'P' }, [])).toEqual({
      history: [],
      productId: 'P',
      exclude: ['P'],
      k: 15,
    });
  });
});

describe('purchase history from the orders events', () => {
  const line = { productId: 'A', name: 'A', quantity: 2, unitPrice: 150, lineTotal: 300 };
  const totals = { subtotal: 300, discount: 0, tax: 0, shipping: 0, total: 300, currency: 'GBP' };
  const base = { schemaVersion: 1, orderId: 'o1', userId: 'u1', at: '2026-02-01T00:00:00.000Z' };

  it('keeps the product, quantity and unit price of each line, dated by when the order was placed', () => {
    expect(purchaseChange('OrderPlaced', { ...base, items: [line], ...totals })).toEqual({
      kind: 'placed',
      orderId: 'o1',
      userId: 'u1',
      placedAt: '2026-02-01T00:00:00.000Z',
      lines: [{ productId: 'A', quantity: 2, unitPrice: 150 }],
    });
    expect(
      purchaseChange('OrderCancelled', {
        ...base,
        failureReason: 'OUT_OF_STOCK',
        paymentStatus: 'NONE',
        total: 300,
        currency: 'GBP',
      }),
    ).toEqual({ kind: 'cancelled', orderId: 'o1', userId: 'u1', at: base.at });
  });

  it('refuses an event it does not keep, and a detail off its schema, naming it', () => {
    expect(() => purchaseChange('ProductCreated', {})).toThrow(UnexpectedEventError);
    expect(() => purchaseChange('OrderPlaced', { ...base, items: [{ productId: 'A' }], ...totals })).toThrow(
      /OrderPlaced detail off its schema/,
    );
  });
});

describe('popularity sources', () => {
  it('uses the first source with a ranking, and the next when one fails', async () => {
    const empty = { top: async () => ({ items: [], version: 'none' }) };
    const failing = { top: () => Promise.reject(new Error('down')) };
    const catalog = { top: async () => ({ items: [['A', 1]] as [string, number][], version: 'catalog' }) };
    expect((await firstWithItems(empty, catalog).top()).version).toBe('catalog');
    expect((await firstWithItems(failing, catalog).top()).version).toBe('catalog');
    await expect(firstWithItems(failing, empty).top()).rejects.toThrow('down');
  });

  it('keeps a ranking for its time to live, and not a failure', async () => {
    let now = 0;
    const top = jest.fn(async () => ({
      items: [['A', 1]] as [string, number][],
      version: `v${top.mock.calls.length}`,
    }));
    const source = cached({ top }, 1000, { now: () => new Date(now) });
    expect((await source.top()).version).toBe('v1');
    now = 999;
    expect((await source.top()).version).toBe('v1');
    now = 1000;
    expect((await source.top()).version).toBe('v2');
    const flaky = cached(
      {
        top: jest
          .fn<() => Promise<{ items: [string, number][]; version: string }>>()
          .mockRejectedValueOnce(new Error('once'))
          .mockResolvedValue({ items: [], version: 'ok' }),
      },
      1000,
      { now: () => new Date(0) },
    );
    await expect(flaky.top()).rejects.toThrow('once');
    expect((await flaky.top()).version).toBe('ok');
  });
});

describe('the SageMaker model adapter', () => {
  /** A runtime client whose send does what `behave` says, honouring the abort signal as the SDK does. */
  const clientThat = (behave: () => Promise<{ Body: Uint8Array; InvokedProductionVariant?: string }>) => {
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
  const request = { history: [], k: 3 };
  const options = { timeoutMs: 50, failuresToOpen: 3, halfOpenAfterMs: 100 };

  it('returns the validated answer and the variant that served it', async () => {
    const { client, send } = clientThat(async () => ({
      Body: body({ items: [{ productId: 'A', score: 0.5 }], modelVersion: 'v1' }),
      InvokedProductionVariant: 'VariantB',
    }));
    const model = new SageMakerModel(client, 'endpoint', options);
    expect(await model.recommend(request)).toEqual({
      answer: { items: [{ productId: 'A', score: 0.5 }], modelVersion: 'v1' },
      variant: 'VariantB',
    });
    const command = send.mock.calls[0][0] as {
      input: { EndpointName: string; ContentType: string; Body: Uint8Array };
    };
    expect(command.input.EndpointName).toBe('endpoint');
    expect(command.input.ContentType).toBe('application/json');
    expect(JSON.parse(new TextDecoder().decode(command.input.Body))).toEqual(request);
  });

  it('gives up at the timeout and aborts the request', async () => {
    const { client, send } = clientThat(() => new Promise(() => undefined));
    const model = new SageMakerModel(client, 'endpoint', options);
    const started = performance.now();
    const error = await model.recommend(request).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toMatchObject({ name: 'ModelUnavailableError', reason: 'timeout' });
    expect((send.mock.calls[0][1] as { abortSignal: AbortSignal }).abortSignal.aborted).toBe(true);
  });

  it('calls garbage garbage, and opens the breaker after consecutive failures, then closes it after a good trial call', async () => {
    let answer: () => Promise<{ Body: Uint8Array }> = async () => ({ Body: body('<html>oops</html>') });
    const { client, send } = clientThat(() => answer());
    const model = new SageMakerModel(client, 'endpoint', options);
    for (let i = 0; i < 3; i++) await expect(model.recommend(request)).rejects.toMatchObject({ reason: 'garbage' });
    answer = async () => ({ Body: body({ items: [], modelVersion: 'v1' }) });
    await expect(model.recommend(request)).rejects.toMatchObject({ reason: 'breaker-open' });
    expect(send).toHaveBeenCalledTimes(3);
    await new Promise((r) => setTimeout(r, 120));
    expect((await model.recommend(request)).answer.modelVersion).toBe('v1');
    expect(send).toHaveBeenCalledTimes(4);
  });
});
