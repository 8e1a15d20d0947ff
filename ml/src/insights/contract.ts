/**
 * The demand-insights model: what its artifact holds and what its endpoint answers. Three models trained
 * on the store's history — weekly demand forecasts (ml/src/forecast), customer segments (ml/src/segments)
 * and price suggestions (ml/src/pricing) — ship as one artifact, `model.json` of format
 * `ecicomm-insights/1` inside a versioned model.tar.gz, served by the same container as recommendations
 * (ml/Dockerfile, the SageMaker container contract of ml/src/serve/server.ts) behind a second endpoint.
 *
 * Why one artifact for three models: they are trained together from one pass over the data, at one cut,
 * and read together (insights joins forecasts with stock; the dashboard draws forecasts beside pricing),
 * so they are versioned together. Why a second endpoint rather than a second model on the recommendations
 * endpoint: different callers (analysts and ops against shoppers), traffic (a few calls an hour against
 * every page view) and cadence (a weekly retrain against the recommendations' A/B variants), so it scales
 * and is billed on its own, is rolled out and back on its own, and a broken insights artifact cannot take
 * shoppers' recommendations down. Each function may invoke only the endpoint it needs.
 *
 * Only schemas and types live here, so that functions/ may import them for its adapters.
 */
// zod/mini, as functions/ use it: the analytics and recommendations functions bundle these schemas, and the classic
// API's chained methods would add ~75 KiB to what their cold starts read (`npm run bench -- --only bundles`).
import * as z from 'zod/mini';

export const INSIGHTS_FORMAT = 'ecicomm-insights/1';
/** Weeks forecast ahead of the cut (the route's `weeks` is 1–26), and weeks of history kept for charts. */
export const FORECAST_WEEKS = 26;
export const HISTORY_WEEKS = 26;

const IsoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'Must be a date, YYYY-MM-DD'));
const ProductId = z
  .string()
  .check(z.minLength(1, 'Must not be empty'), z.maxLength(128, 'Must be at most 128 characters'));
const Units = z.number().check(z.gte(0), z.refine(Number.isFinite, 'Must be finite'));
const Finite = z.number().check(z.refine(Number.isFinite, 'Must be finite'));
/** A segment's id: a slug such as `frequent-wholesale`, used in URLs. */
export const SegmentId = z
  .string()
  .check(
    z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Must be a lower-case slug (letters, digits and hyphens)'),
    z.maxLength(64, 'Must be at most 64 characters'),
  );

/** What training measured; free-form, reported by ml:evaluate and carried in the artifact. */
const Metrics = z.record(z.string(), z.unknown());

// ---------------------------------------------------------------------------------------------------------
// The artifact

/** Weekly forecasts from the cut (`weekStarts[0]` is the cut's Monday), with the weeks of history before it. */
export const ForecastPart = z.object({
  weekStarts: z.array(IsoDate).check(z.length(FORECAST_WEEKS)),
  /** The Mondays of the `history` weeks, oldest first, the last one the week before the cut. */
  historyWeekStarts: z.array(IsoDate).check(z.maxLength(HISTORY_WEEKS)),
  products: z.record(
    ProductId,
    z.object({
      units: z.array(Units).check(z.length(FORECAST_WEEKS)),
      p10: z.array(Units).check(z.length(FORECAST_WEEKS)),
      p90: z.array(Units).check(z.length(FORECAST_WEEKS)),
      /** Actual units of the `historyWeekStarts` weeks. */
      history: z.array(Units),
    }),
  ),
  metrics: Metrics,
});

/** The features of one customer at the cut. */
export const SegmentFeatures = z.object({
  /** Days from the customer's last purchase to the cut. */
  recency: Units,
  /** Purchases (invoices) before the cut. */
  frequency: Units,
  /** Spend before the cut, GBP. */
  monetary: Units,
  /** Days from the customer's first purchase to the cut. */
  tenure: Units,
  /** Distinct products bought. */
  breadth: Units,
});
export const SEGMENT_FEATURES = ['recency', 'frequency', 'monetary', 'tenure', 'breadth'] as const;

export const SegmentsPart = z.object({
  asOf: IsoDate,
  /**
   * How a customer is placed in a segment: its features in SEGMENT_FEATURES order, each `log1p`-transformed
   * when `transform` says so, standardised with `mean` and `scale`, then the nearest centroid (Euclidean);
   * `centroids[i]` is `segments[i]`'s, in that standardised space.
   */
  assignment: z.object({
    transform: z.enum(['log1p', 'none']),
    mean: z.array(Finite).check(z.length(SEGMENT_FEATURES.length)),
    scale: z.array(z.number().check(z.positive())).check(z.length(SEGMENT_FEATURES.length)),
    centroids: z.array(z.array(Finite).check(z.length(SEGMENT_FEATURES.length))).check(z.minLength(2)),
  }),
  segments: z
    .array(
      z.object({
        segment: SegmentId,
        /** Plain words from the centroid, e.g. "frequent wholesale buyers". */
        name: z.string().check(z.minLength(1)),
        description: z.string().check(z.minLength(1)),
        customers: z.int().check(z.gte(0)),
        /** Share of all customers' spend before the cut, 0–1. */
        valueShare: z.number().check(z.gte(0), z.lte(1)),
        /** The segment's centroid in the features' own units (days, purchases, GBP). */
        centroid: SegmentFeatures,
        /** Its customers' most bought products, most first: recommendations' fallback for the segment. */
        topProducts: z.array(ProductId).check(z.maxLength(50)),
      }),
    )
    .check(z.minLength(2)),
  /** Every customer, grouped by segment and by monetary (highest first) within it: the campaign export. */
  customers: z.array(
    z.object({
      customerId: z.string().check(z.minLength(1)),
      segment: SegmentId,
      recency: Units,
      frequency: Units,
      monetary: Units,
    }),
  ),
  metrics: Metrics,
});

export const PricingEntry = z.object({
  /** Weeks with sales the fit used. */
  observations: z.int().check(z.gte(0)),
  minObservedPrice: z.number().check(z.positive()),
  maxObservedPrice: z.number().check(z.positive()),
  /** The assumed unit cost, GBP (see PricingPart.unitCostRule). */
  unitCost: z.number().check(z.positive()),
  /** Price elasticity of demand and its 95 % interval; absent when the fit was impossible (too little variation). */
  elasticity: z.optional(Finite),
  interval: z.optional(z.tuple([Finite, Finite])),
});

export const PricingPart = z.object({
  /** How unit costs were assumed, in words: the data has no costs. */
  unitCostRule: z.string().check(z.minLength(1)),
  products: z.record(ProductId, PricingEntry),
  metrics: Metrics,
});

export const InsightsArtifact = z.looseObject({
  format: z.literal(INSIGHTS_FORMAT),
  version: z.string().check(z.minLength(1)),
  trainedAt: z.string(),
  /** The cut: the models saw only lines before this Monday. */
  asOf: IsoDate,
  cleaningRules: z.string(),
  forecast: ForecastPart,
  segments: SegmentsPart,
  pricing: PricingPart,
});
export type InsightsArtifact = z.infer<typeof InsightsArtifact>;

// ---------------------------------------------------------------------------------------------------------
// The endpoint: POST /invocations (or the runtime's /endpoints/{name}/invocations), JSON in, JSON out

export const InsightsInvocation = z.discriminatedUnion('task', [
  z.strictObject({
    task: z.literal('forecast'),
    productIds: z
      .array(ProductId)
      .check(z.minLength(1, 'At least one product'), z.maxLength(500, 'At most 500 products')),
    weeks: z.int('Must be a whole number').check(z.gte(1, 'Must be at least 1'), z.lte(FORECAST_WEEKS)),
    /** Whether to answer each product's history weeks too (default true); a reorder batch needs only the forecast. */
    history: z.optional(z.boolean()),
  }),
  z.strictObject({ task: z.literal('segments') }),
  z.strictObject({
    task: z.literal('segmentCustomers'),
    segment: SegmentId,
    limit: z.int('Must be a whole number').check(z.gte(1, 'Must be at least 1'), z.lte(1000, 'Must be at most 1000')),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
  }),
  z.strictObject({ task: z.literal('assignSegment'), features: SegmentFeatures }),
  z.strictObject({
    task: z.literal('pricing'),
    productId: ProductId,
    currentPrice: z.number().check(z.positive(), z.lte(1e7)),
  }),
]);
export type InsightsInvocation = z.infer<typeof InsightsInvocation>;

const ForecastWeek = z.object({ weekStart: IsoDate, units: Units, p10: Units, p90: Units });

export const ForecastAnswer = z.object({
  asOf: IsoDate,
  items: z.array(
    z.object({
      productId: ProductId,
      weeks: z.array(ForecastWeek),
      history: z.array(z.object({ weekStart: IsoDate, units: Units })),
    }),
  ),
  /** Requested products the model has no forecast for (never sold before the cut). */
  unknown: z.array(ProductId),
});

export const SegmentSummary = z.object({
  segment: SegmentId,
  name: z.string(),
  description: z.string(),
  customers: z.int().check(z.gte(0)),
  valueShare: z.number().check(z.gte(0), z.lte(1)),
});
export const SegmentsAnswer = z.object({ asOf: IsoDate, items: z.array(SegmentSummary) });

export const SegmentCustomersAnswer = z.object({
  /** False when the model has no such segment: the route's 404. */
  found: z.boolean(),
  items: z.array(z.object({ customerId: z.string(), recency: Units, frequency: Units, monetary: Units })),
  nextCursor: z.optional(z.string()),
});

export const AssignSegmentAnswer = z.object({
  segment: SegmentId,
  name: z.string(),
  /** The segment's most bought products: what recommendations fall back on for its shoppers. */
  topProducts: z.array(ProductId),
});

export const PricingAnswer = z.object({
  productId: ProductId,
  /** False when the model never saw the product sold. */
  found: z.boolean(),
  currentPrice: z.number().check(z.positive()),
  elasticity: z.optional(Finite),
  interval: z.optional(z.tuple([Finite, Finite])),
  suggestedPrice: z.optional(z.number().check(z.positive())),
  /** Why there is, or is not, a suggestion, in a sentence for the person who decides. */
  reason: z.string().check(z.minLength(1)),
});

export type ForecastAnswer = z.infer<typeof ForecastAnswer>;
export type SegmentsAnswer = z.infer<typeof SegmentsAnswer>;
export type SegmentCustomersAnswer = z.infer<typeof SegmentCustomersAnswer>;
export type AssignSegmentAnswer = z.infer<typeof AssignSegmentAnswer>;
export type PricingAnswer = z.infer<typeof PricingAnswer>;
export type ForecastPart = z.infer<typeof ForecastPart>;
export type SegmentsPart = z.infer<typeof SegmentsPart>;
export type PricingPart = z.infer<typeof PricingPart>;
export type PricingEntry = z.infer<typeof PricingEntry>;
export type SegmentFeatures = z.infer<typeof SegmentFeatures>;
