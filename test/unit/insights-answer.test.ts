/**
 * The insights endpoint's answers (ml/src/insights/answer.ts) on the hand-made artifact of
 * test/support/insights-model.ts, whose figures are chosen so that each answer is known in advance.
 */
import { describe, expect, it } from '@jest/globals';
import { answerInsights, CursorError } from '../../ml/src/insights/answer';
import { parseInsightsArtifact } from '../../ml/src/insights/artifact';
import { nearestCentroid } from '../../ml/src/insights/assign';
import {
  AssignSegmentAnswer,
  ForecastAnswer,
  InsightsInvocation,
  PricingAnswer,
  SegmentCustomersAnswer,
  SegmentsAnswer,
} from '../../ml/src/insights/contract';
import { encodeCursor } from '../../ml/src/insights/cursor';
import { ArtifactError } from '../../ml/src/serve/artifact';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';
import {
  PRICING_CASES,
  TEST_INSIGHTS_AS_OF,
  TEST_INSIGHTS_VERSION,
  TEST_SEGMENTS,
  testInsightsModel,
  UNSEEN_PRODUCT_ID,
} from '../support/insights-model';

const model = testInsightsModel();
const ask = (invocation: unknown) => answerInsights(model, InsightsInvocation.parse(invocation));

describe('forecast', () => {
  it('answers the first `weeks` weeks from the cut with their band, the history, and the unknown products', () => {
    const answer = ForecastAnswer.parse(
      ask({ task: 'forecast', productIds: ['ECI-LT-001', UNSEEN_PRODUCT_ID], weeks: 3 }),
    );
    expect(answer.asOf).toBe(TEST_INSIGHTS_AS_OF);
    expect(answer.unknown).toEqual([UNSEEN_PRODUCT_ID]);
    const [item] = answer.items;
    const part = model.forecast.products['ECI-LT-001'];
    expect(item.weeks).toEqual(
      [0, 1, 2].map((i) => ({
        weekStart: model.forecast.weekStarts[i],
        units: part.units[i],
        p10: part.p10[i],
        p90: part.p90[i],
      })),
    );
    expect(item.weeks[0].weekStart).toBe(TEST_INSIGHTS_AS_OF);
    expect(item.history).toHaveLength(26);
    expect(item.history.at(-1)).toEqual({ weekStart: '2025-12-29', units: part.history[25] });
  });

  it('leaves the history out when asked to (a reorder batch), and refuses a history flag that is not a boolean', () => {
    const answer = ForecastAnswer.parse(
      ask({ task: 'forecast', productIds: ['ECI-LT-001'], weeks: 4, history: false }),
    );
    expect(answer.items[0].weeks).toHaveLength(4);
    expect(answer.items[0].history).toEqual([]);
    expect(() => ask({ task: 'forecast', productIds: ['ECI-LT-001'], weeks: 4, history: 'no' })).toThrow();
  });

  it('answers a product asked twice once, in the order asked, and the whole horizon at weeks = 26', () => {
    const answer = ForecastAnswer.parse(
      ask({ task: 'forecast', productIds: ['ECI-KD-001', 'ECI-LT-001', 'ECI-KD-001'], weeks: 26 }),
    );
    expect(answer.items.map((i) => i.productId)).toEqual(['ECI-KD-001', 'ECI-LT-001']);
    expect(answer.items[0].weeks).toHaveLength(26);
  });

  it('does not take an inherited property name for a product', () => {
    expect(ask({ task: 'forecast', productIds: ['constructor', '__proto__'], weeks: 1 })).toMatchObject({
      items: [],
      unknown: ['constructor', '__proto__'],
    });
  });
});

describe('segments', () => {
  it('lists the summaries in the artifact order, without centroids or customers', () => {
    const answer = SegmentsAnswer.parse(ask({ task: 'segments' }));
    expect(answer.items.map((s) => s.segment)).toEqual(TEST_SEGMENTS.map((s) => s.segment));
    expect(answer.items[0]).toEqual({
      segment: 'frequent-wholesale',
      name: 'frequent wholesale buyers',
      description: 'Customers who are frequent wholesale buyers.',
      customers: 27,
      valueShare: model.segments.segments[0].valueShare,
    });
    expect(answer.items.reduce((sum, s) => sum + s.valueShare, 0)).toBeCloseTo(1, 10);
  });
});

describe('segment customers', () => {
  const page = (cursor?: string, limit = 10) =>
    SegmentCustomersAnswer.parse(
      ask({ task: 'segmentCustomers', segment: 'frequent-wholesale', limit, ...(cursor ? { cursor } : {}) }),
    );

  it('pages through a segment with opaque cursors: every customer once, highest spend first, no cursor after the last', () => {
    const pages = [page()];
    while (pages.at(-1)!.nextCursor) pages.push(page(pages.at(-1)!.nextCursor));
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 7]);
    const ids = pages.flatMap((p) => p.items.map((c) => c.customerId));
    expect(ids).toEqual(Array.from({ length: 27 }, (_, i) => `C1${String(i + 1).padStart(3, '0')}`));
    expect(pages[0].items[0]).toEqual({ customerId: 'C1001', recency: 8, frequency: 24, monetary: 9000 });
    expect(pages.every((p) => p.found)).toBe(true);
  });

  it('gives no cursor when the first page holds the whole segment', () => {
    const answer = ask({ task: 'segmentCustomers', segment: 'lapsed-one-off', limit: 6 });
    expect(answer).toEqual({ found: true, items: expect.any(Array) });
    expect((answer as SegmentCustomersAnswer).items).toHaveLength(6);
  });

  it('answers found: false for a segment the model does not have', () => {
    expect(ask({ task: 'segmentCustomers', segment: 'no-such-segment', limit: 5 })).toEqual({
      found: false,
      items: [],
    });
  });

  it('refuses a malformed cursor, one of another model version, another segment, or past the end', () => {
    expect(() => page('not a cursor!')).toThrow(CursorError);
    expect(() => page(Buffer.from('{"o":3}').toString('base64url'))).toThrow(/Malformed cursor/);
    expect(() => page(encodeCursor('older.version', 'frequent-wholesale', 10))).toThrow(
      /belongs to model older.version, not test.insights.000001/,
    );
    expect(() => page(encodeCursor(TEST_INSIGHTS_VERSION, 'regular-retail', 10))).toThrow(/segment regular-retail/);
    expect(() => page(encodeCursor(TEST_INSIGHTS_VERSION, 'frequent-wholesale', 28))).toThrow(/past the end/);
  });
});

describe('segment assignment', () => {
  it.each(TEST_SEGMENTS.map((s) => [s.segment, s] as const))(
    'places a customer at the %s centroid in that segment, with its top products',
    (_id, segment) => {
      const answer = AssignSegmentAnswer.parse(ask({ task: 'assignSegment', features: segment.centroid }));
      const expected = model.segments.segments.find((s) => s.segment === segment.segment)!;
      expect(answer).toEqual({ segment: segment.segment, name: segment.name, topProducts: expected.topProducts });
    },
  );

  it('log1p-transforms when the model says so, then standardises with its mean and scale, then measures', () => {
    const at = (v: number) => ({ recency: v, frequency: v, monetary: v, tenure: v, breadth: v });
    const ones = (v: number) => [v, v, v, v, v];
    // Every feature e³ − 1: log1p gives 3, which the centroid at 3 holds; untransformed (19.1) it is nearer 19.
    const twoCentroids = { transform: 'log1p' as const, mean: ones(0), scale: ones(1), centroids: [ones(3), ones(19)] };
    expect(nearestCentroid(twoCentroids, at(Math.expm1(3)))).toBe(0);
    expect(nearestCentroid({ ...twoCentroids, transform: 'none' }, at(Math.expm1(3)))).toBe(1);
    // log1p 5, minus the mean 1, over the scale 2: 2, the first centroid, not 4 (unstandardised 5 would be nearer 4).
    const standardised = { transform: 'log1p' as const, mean: ones(1), scale: ones(2), centroids: [ones(2), ones(4)] };
    expect(nearestCentroid(standardised, at(Math.expm1(5)))).toBe(0);
  });
});

describe('pricing', () => {
  const price = (c: { productId: string; currentPrice: number }) =>
    PricingAnswer.parse(ask({ task: 'pricing', productId: c.productId, currentPrice: c.currentPrice }));

  it('suggests the margin-maximising price for elastic demand: p* = c·e/(1+e)', () => {
    const answer = price(PRICING_CASES.elastic);
    expect(answer).toMatchObject({ found: true, elasticity: -2, interval: [-2.8, -1.3], suggestedPrice: 3.2 });
    expect(answer.reason).toMatch(/^Suggest £3\.20 \(-9 % on £3\.50\): with elasticity -2\.00/);
  });

  it('suggests the highest observed price for inelastic demand', () => {
    expect(price(PRICING_CASES.inelastic)).toMatchObject({
      suggestedPrice: 7.5,
      reason: expect.stringMatching(/inelastic/),
    });
  });

  it('says "not enough evidence" when the interval includes zero, or there is no fit, and suggests nothing', () => {
    const zero = price(PRICING_CASES.includesZero);
    expect(zero.suggestedPrice).toBeUndefined();
    expect(zero.reason).toMatch(/^Not enough evidence: .*-1\.90 to \+0\.30, which includes zero/);
    const unfitted = price(PRICING_CASES.unfitted);
    expect(unfitted).toEqual({
      productId: 'ECI-ST-002',
      found: true,
      currentPrice: 1.2,
      reason: expect.stringMatching(/^Not enough evidence: .*40 weeks/),
    });
  });

  it('suggests nothing when demand rose with price (ml/src/pricing/suggest.ts: every case is in pricing-suggest.test.ts)', () => {
    const answer = price(PRICING_CASES.positive);
    expect(answer.suggestedPrice).toBeUndefined();
    expect(answer.reason).toMatch(/^Not enough evidence: units rose with price/);
  });

  it('answers found: false, with a reason, for a product without an entry', () => {
    expect(price({ productId: UNSEEN_PRODUCT_ID, currentPrice: 28.95 })).toEqual({
      productId: UNSEEN_PRODUCT_ID,
      found: false,
      currentPrice: 28.95,
      reason: `Not enough evidence: the model saw no sales of this product before ${TEST_INSIGHTS_AS_OF}.`,
    });
  });
});

describe('loading an insights artifact', () => {
  it('accepts the hand-made model, whose products are the demo catalog', () => {
    expect(Object.keys(model.forecast.products).length).toBe(DEMO_CATALOG.length - 1);
  });

  it.each([
    ['a foreign format', { format: 'ecicomm-recs/1' }, /format/],
    [
      'a forecast of 25 weeks',
      { forecast: { ...model.forecast, weekStarts: model.forecast.weekStarts.slice(1) } },
      /forecast\.weekStarts/,
    ],
    [
      'a centroid too few',
      {
        segments: {
          ...model.segments,
          assignment: { ...model.segments.assignment, centroids: model.segments.assignment.centroids.slice(1) },
        },
      },
      /2 centroids for 3 segments/,
    ],
    [
      'a customer in no segment',
      { segments: { ...model.segments, customers: [{ ...model.segments.customers[0], segment: 'ghost' }] } },
      /ghost is no segment/,
    ],
    [
      'a history of the wrong length',
      {
        forecast: {
          ...model.forecast,
          products: { X: { ...model.forecast.products['ECI-LT-001'], history: [1] } },
        },
      },
      /forecast\.products\.X\.history: has 1 weeks, historyWeekStarts 26/,
    ],
  ])('refuses %s with an ArtifactError naming the problem', (_what, change, message) => {
    const attempt = () => parseInsightsArtifact({ ...model, ...change });
    expect(attempt).toThrow(ArtifactError);
    expect(attempt).toThrow(message);
  });
});
