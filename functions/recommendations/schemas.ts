import * as z from 'zod/mini';
import { Id, queryInt } from '../shared/schemas';

/** `limit` follows the list convention (max 100); ten is what a product page or a basket shows. */
export const RecommendationsQuery = z.strictObject({
  productId: z.optional(Id),
  limit: queryInt(1, 100, 10),
});
export type RecommendationsQuery = z.infer<typeof RecommendationsQuery>;

export const RecommendationSource = z.enum(['model', 'fallback']);
export type RecommendationSource = z.infer<typeof RecommendationSource>;

export const RecommendedProduct = z.object({
  productId: z.string(),
  score: z.number(),
  name: z.string(),
  price: z.int(),
  currency: z.string(),
});
export type RecommendedProduct = z.infer<typeof RecommendedProduct>;

export const Recommendations = z.object({
  items: z.array(RecommendedProduct),
  /** `model`: the endpoint answered; `fallback`: it failed, was slow or its breaker was open, and popularity answered. */
  source: RecommendationSource,
  /** The model's version, or that of the popularity aggregate the fallback read. */
  modelVersion: z.string(),
  /** The SageMaker production variant that answered (A/B); null when the fallback answered. */
  variant: z.nullable(z.string()),
  segment: z.optional(
    z
      .object({ segment: z.string(), name: z.string() })
      .check(
        z.describe(
          "The signed-in shopper's customer segment (the demand-insights model, from their purchases): absent for anonymous " +
            'shoppers, shoppers with no purchases, or while that model does not answer. The fallback ranks its top products first',
        ),
      ),
  ),
});
export type Recommendations = z.infer<typeof Recommendations>;

/**
 * What the model endpoint must answer (ml/src/model.ts RecommendationResponse). Anything else is a
 * broken endpoint, handled like one that failed.
 */
export const ModelAnswer = z.object({
  items: z
    .array(
      z.object({
        productId: z.string().check(z.minLength(1), z.maxLength(128)),
        score: z.number().check(z.refine(Number.isFinite, 'Must be finite')),
      }),
    )
    .check(z.maxLength(1000)),
  modelVersion: z.string().check(z.minLength(1), z.maxLength(200)),
});
export type ModelAnswer = z.infer<typeof ModelAnswer>;

/** The fallback aggregate's item in the aggregates table. */
export const PopularAggregate = z.object({
  id: z.string(),
  /** Best first: [productId, score]. */
  items: z.array(z.tuple([z.string(), z.number()])),
  modelVersion: z.string(),
  computedAt: z.string(),
});
export type PopularAggregate = z.infer<typeof PopularAggregate>;
