/**
 * The signed-in shopper's segment in recommendations: the features measured from the purchase history, the model's
 * request keeping only what its contract takes, the segment named in the answer, its top products ranked first
 * when the recommendation model does not answer, and no segment (never an error) when the insights model fails.
 */
import { describe, expect, it } from '@jest/globals';
import { modelRequest, recommend } from '../../functions/recommendations/domain/recommendations';
import { segmentFeatures } from '../../functions/recommendations/domain/segment';
import {
  ModelUnavailableError,
  type PurchaseLine,
  type RecommendationsDeps,
  type SegmentAssigner,
} from '../../functions/recommendations/ports';
import type { SegmentFeatures } from '../../ml/src/insights/contract';
import { recordingMetrics } from '../support/recording-metrics';

const NOW = new Date('2026-12-07T12:00:00Z');
const history: PurchaseLine[] = [
  { productId: 'A', quantity: 2, unitPrice: 250, at: '2026-12-01T12:00:00Z', orderId: 'o2' },
  { productId: 'B', quantity: 1, unitPrice: 1000, at: '2026-12-01T12:00:00Z', orderId: 'o2' },
  { productId: 'A', quantity: 4, unitPrice: 250, at: '2026-11-07T12:00:00Z', orderId: 'o1' },
];

describe('the segment features', () => {
  it('are recency and tenure in days, orders, spend in pounds and distinct products', () => {
    expect(segmentFeatures(history, NOW)).toEqual({ recency: 6, frequency: 2, monetary: 25, tenure: 30, breadth: 2 });
  });

  it('count lines kept without an order id by when they were placed, and without a price as nothing spent', () => {
    const old = history.map(({ orderId: _o, unitPrice: _p, ...line }) => line);
    expect(segmentFeatures(old, NOW)).toMatchObject({ frequency: 2, monetary: 0 });
  });

  it('are none without a purchase', () => {
    expect(segmentFeatures([], NOW)).toBeUndefined();
  });

  it("leave the model's request with only what its contract takes", () => {
    expect(modelRequest({ limit: 3 }, history).history).toEqual(
      history.map(({ productId, quantity, at }) => ({ productId, quantity, at })),
    );
  });
});

function deps(segments: SegmentAssigner, modelUp: boolean): RecommendationsDeps & { asked: SegmentFeatures[] } {
  const asked: SegmentFeatures[] = [];
  const products = ['A', 'B', 'S1', 'S2', 'P1', 'P2'];
  return {
    asked,
    segments: {
      assign: (features) => {
        asked.push(features);
        return segments.assign(features);
      },
    },
    clock: { now: () => NOW },
    model: {
      recommend: async () => {
        if (!modelUp) throw new ModelUnavailableError('timeout', 'slow');
        return { answer: { items: [{ productId: 'B', score: 1 }], modelVersion: 'm1' }, variant: 'A' };
      },
    },
    popular: {
      top: async () => ({
        items: [
          ['P1', 10],
          ['S2', 8],
          ['P2', 5],
        ],
        version: 'popular-1',
      }),
    },
    products: {
      getMany: async (ids) =>
        new Map(
          ids
            .filter((id) => products.includes(id))
            .map((id) => [id, { id, name: id, price: 100, currency: 'GBP', status: 'ACTIVE' }]),
        ),
    },
    history: { recentLines: async () => history },
    log: { warn: () => undefined, debug: () => undefined },
    metrics: recordingMetrics(),
  };
}

const loyal: SegmentAssigner = {
  assign: async () => ({ segment: 'loyal', name: 'loyal buyers', topProducts: ['S1', 'S2'] }),
};

describe("recommendations with the shopper's segment", () => {
  it("name a signed-in shopper's segment beside the model's answer, from the features of their history", async () => {
    const d = deps(loyal, true);
    const answer = await recommend({ userId: 'u1', limit: 5 }, d);
    expect(answer).toMatchObject({ source: 'model', segment: { segment: 'loyal', name: 'loyal buyers' } });
    expect(d.asked).toEqual([segmentFeatures(history, NOW)]);
  });

  it("rank the segment's top products first, then popularity, when the model does not answer", async () => {
    const answer = await recommend({ userId: 'u1', limit: 4 }, deps(loyal, false));
    expect(answer.source).toBe('fallback');
    expect(answer.modelVersion).toBe('segment loyal; popular-1');
    expect(answer.items.map((i) => i.productId)).toEqual(['S1', 'S2', 'P1', 'P2']);
    const scores = answer.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('answer without a segment, never an error, when the insights model fails; anonymous shoppers ask for none', async () => {
    const down = deps({ assign: () => Promise.reject(new Error('down')) }, false);
    const answer = await recommend({ userId: 'u1', limit: 3 }, down);
    expect(answer.segment).toBeUndefined();
    expect(answer.items.map((i) => i.productId)).toEqual(['P1', 'S2', 'P2']);
    const anonymous = deps(loyal, true);
    expect((await recommend({ limit: 3 }, anonymous)).segment).toBeUndefined();
    expect(anonymous.asked).toEqual([]);
  });
});
