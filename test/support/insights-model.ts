/**
 * A demand-insights artifact built by hand for tests (ml/src/insights/contract.ts, checked by the contract's
 * own parser): the demo catalog's products (the integration suite seeds 'demo'), three segments with enough
 * customers in one to page through, and a pricing entry of every kind. Nothing is trained: every figure is
 * chosen so that a test can say what the answer must be.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';
import { standardise } from '../../ml/src/insights/assign';
import { parseInsightsArtifact } from '../../ml/src/insights/artifact';
import {
  FORECAST_WEEKS,
  HISTORY_WEEKS,
  INSIGHTS_FORMAT,
  type InsightsArtifact,
  type PricingEntry,
  type SegmentFeatures,
  type SegmentsPart,
} from '../../ml/src/insights/contract';

export const TEST_INSIGHTS_VERSION = 'test.insights.000001';
export const TEST_INSIGHTS_AS_OF = '2026-01-05';
/** A demo product the model never saw sold: no forecast, no pricing entry. */
export const UNSEEN_PRODUCT_ID = 'ECI-CL-002';

/** One product of each pricing case, with the price to ask at and what the rule answers. */
export const PRICING_CASES = {
  /** e = −2, unit cost £1.60: p* = 1.6·2/1 = £3.20, inside the observed £2.90–£4.20. */
  elastic: { productId: 'ECI-LT-001', currentPrice: 3.5, suggestedPrice: 3.2 },
  /** e = −0.6: margin grows with price, so the highest observed price, £7.50. */
  inelastic: { productId: 'ECI-KD-001', currentPrice: 6.5, suggestedPrice: 7.5 },
  /** The interval [−1.9, 0.3] includes zero: not enough evidence. */
  includesZero: { productId: 'ECI-BG-001', currentPrice: 2.25 },
  /** Demand rose with price (e = +0.7, interval above zero): no suggestion. */
  positive: { productId: 'ECI-HD-001', currentPrice: 2.95 },
  /** Too little price variation to fit: no elasticity at all. */
  unfitted: { productId: 'ECI-ST-002', currentPrice: 1.2 },
} as const;

const PRICING: Record<string, PricingEntry> = {
  'ECI-LT-001': pricingEntry(2.9, 4.2, 1.6, -2, [-2.8, -1.3]),
  'ECI-KD-001': pricingEntry(5.5, 7.5, 3, -0.6, [-0.9, -0.3]),
  'ECI-BG-001': pricingEntry(1.95, 2.5, 1, -0.8, [-1.9, 0.3]),
  'ECI-HD-001': pricingEntry(2.5, 3.2, 1.2, 0.7, [0.2, 1.2]),
};

function pricingEntry(
  min: number,
  max: number,
  unitCost: number,
  elasticity?: number,
  interval?: [number, number],
): PricingEntry {
  return {
    observations: 40,
    minObservedPrice: min,
    maxObservedPrice: max,
    unitCost,
    ...(elasticity === undefined ? {} : { elasticity, interval }),
  };
}

/** Segments in the artifact's order, each with its centroid in the features' own units and its size. */
export const TEST_SEGMENTS = [
  {
    segment: 'frequent-wholesale',
    name: 'frequent wholesale buyers',
    centroid: { recency: 8, frequency: 24, monetary: 9000, tenure: 330, breadth: 180 },
    size: 27,
  },
  {
    segment: 'regular-retail',
    name: 'regular retail buyers',
    centroid: { recency: 35, frequency: 5, monetary: 900, tenure: 200, breadth: 40 },
    size: 12,
  },
  {
    segment: 'lapsed-one-off',
    name: 'lapsed one-off buyers',
    centroid: { recency: 240, frequency: 1, monetary: 150, tenure: 240, breadth: 8 },
    size: 6,
  },
] as const satisfies readonly { segment: string; name: string; centroid: SegmentFeatures; size: number }[];

const mondays = (from: string, count: number, step: number) =>
  Array.from({ length: count }, (_, i) =>
    new Date(Date.parse(`${from}T00:00:00Z`) + (i + step) * 7 * 86_400_000).toISOString().slice(0, 10),
  );

/** Weekly units follow the product's popularity, with a bump mid-horizon; the band is −40 % / +50 %. */
function forecastPart(): InsightsArtifact['forecast'] {
  const round = (n: number) => Math.round(n * 10) / 10;
  const products = Object.fromEntries(
    DEMO_CATALOG.filter((p) => p.id !== UNSEEN_PRODUCT_ID).map((p) => {
      const units = Array.from({ length: FORECAST_WEEKS }, (_, i) => round((p.popularity / 10) * (1 + (i % 4) / 10)));
      return [
        p.id,
        {
          units,
          p10: units.map((u) => round(u * 0.6)),
          p90: units.map((u) => round(u * 1.5)),
          history: Array.from({ length: HISTORY_WEEKS }, (_, i) => Math.round(p.popularity / 10) + (i % 3)),
        },
      ];
    }),
  );
  return {
    weekStarts: mondays(TEST_INSIGHTS_AS_OF, FORECAST_WEEKS, 0),
    historyWeekStarts: mondays(TEST_INSIGHTS_AS_OF, HISTORY_WEEKS, -HISTORY_WEEKS),
    products,
    metrics: { wape: 0.5 },
  };
}

function segmentsPart(): SegmentsPart {
  const assignment: SegmentsPart['assignment'] = {
    transform: 'log1p',
    mean: [3.5, 1.5, 7, 5.5, 3.5],
    scale: [1.5, 1, 1.5, 0.5, 1],
    centroids: [],
  };
  assignment.centroids = TEST_SEGMENTS.map((s) => standardise(assignment, s.centroid));
  const customers = TEST_SEGMENTS.flatMap((s, si) =>
    Array.from({ length: s.size }, (_, i) => ({
      customerId: `C${si + 1}${String(i + 1).padStart(3, '0')}`,
      segment: s.segment,
      recency: s.centroid.recency + i,
      frequency: s.centroid.frequency,
      // Highest first within a segment, as training writes them.
      monetary: s.centroid.monetary - i * 10,
    })),
  );
  const spend = TEST_SEGMENTS.map((s) => s.size * s.centroid.monetary);
  const total = spend.reduce((a, b) => a + b, 0);
  const byPopularity = [...DEMO_CATALOG].sort((a, b) => b.popularity - a.popularity).map((p) => p.id);
  return {
    asOf: TEST_INSIGHTS_AS_OF,
    assignment,
    segments: TEST_SEGMENTS.map((s, i) => ({
      segment: s.segment,
      name: s.name,
      description: `Customers who are ${s.name}.`,
      customers: s.size,
      valueShare: spend[i] / total,
      centroid: s.centroid,
      topProducts: byPopularity.slice(i * 3, i * 3 + 5),
    })),
    customers,
    metrics: { k: 3 },
  };
}

export function testInsightsModel(overrides: Partial<InsightsArtifact> = {}): InsightsArtifact {
  const others = DEMO_CATALOG.filter((p) => p.id !== UNSEEN_PRODUCT_ID && !(p.id in PRICING)).map(
    (p): [string, PricingEntry] => [p.id, pricingEntry(p.price / 100, p.price / 100, p.price / 200)],
  );
  return parseInsightsArtifact({
    format: INSIGHTS_FORMAT,
    version: TEST_INSIGHTS_VERSION,
    trainedAt: '2026-01-06T00:00:00.000Z',
    asOf: TEST_INSIGHTS_AS_OF,
    cleaningRules: 'hand-made test model',
    forecast: forecastPart(),
    segments: segmentsPart(),
    pricing: {
      unitCostRule: 'hand-made: half the price unless stated',
      products: { ...Object.fromEntries(others), ...PRICING },
      metrics: {},
    },
    ...overrides,
  });
}

/** Writes the artifact as `<dir>/model.json`, as training does; returns the directory. */
export function writeTestInsightsModel(dir: string, model: InsightsArtifact = testInsightsModel()): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
  return dir;
}
