import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { traced } from '../shared/tracing';
import { parseEnv } from '../shared/env';
import { businessMetrics, logger } from '../shared/observability';
import { productRepository } from '../catalog/deps';
import { DynamoPopularProducts } from './adapters/dynamo-popular';
import { DynamoPurchases } from './adapters/dynamo-purchases';
import { cached, firstWithItems } from './adapters/popular-chain';
import { DEFAULT_RESILIENCE, SageMakerModel } from './adapters/sagemaker-model';
import { insightsModelFromEnv } from '../analytics/model-deps';
import { InsightsSegments } from './adapters/insights-segments';
import type { PopularProducts, RecommendationsDeps } from './ports';

const positiveInt = (fallback: number) =>
  z.pipe(
    z._default(z.string().check(z.regex(/^\d{1,7}$/, 'Must be a whole number')), String(fallback)),
    z.transform((s: string) => Number(s)),
  );

/**
 * SAGEMAKER_ENDPOINT_NAME names the endpoint; its URL comes from the SDK's usual resolution, which the
 * local substrate overrides with AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME (the model server in ml/). The
 * timeout and breaker settings have the production defaults; tests shorten the breaker's pause.
 */
const env = () =>
  parseEnv(
    z.object({
      SAGEMAKER_ENDPOINT_NAME: z.string().check(z.minLength(1)),
      AGGREGATES_TABLE: z.string(),
      PURCHASE_HISTORY_TABLE: z.string(),
      MODEL_TIMEOUT_MS: positiveInt(DEFAULT_RESILIENCE.timeoutMs),
      MODEL_BREAKER_FAILURES: positiveInt(DEFAULT_RESILIENCE.failuresToOpen),
      MODEL_BREAKER_HALF_OPEN_MS: positiveInt(DEFAULT_RESILIENCE.halfOpenAfterMs),
      SEGMENT_TIMEOUT_MS: positiveInt(DEFAULT_SEGMENT_TIMEOUT_MS),
    }),
  );

/**
 * How long a shopper's request waits for their segment (ms): it comes before the model's call, so it is kept short;
 * past it the answer goes on without a segment.
 */
const DEFAULT_SEGMENT_TIMEOUT_MS = 150;

/** The catalog's popularity field over its first page of active products: the ranking of last resort. */
const catalogPopularity = (): PopularProducts => {
  const products = productRepository();
  return {
    async top() {
      const page = await products.listActive({ limit: 100 });
      const items = page.items
        .sort((a, b) => b.popularity - a.popularity)
        .map((p): [string, number] => [p.id, p.popularity]);
      return { items, version: 'catalog-popularity' };
    },
  };
};

export function liveRecommendationsDeps(): RecommendationsDeps {
  const config = env();
  const products = productRepository();
  // One attempt: a retry cannot fit in the deadline, and the breaker and the fallback handle failure.
  const model = new SageMakerModel(
    traced(new SageMakerRuntimeClient({ maxAttempts: 1 })),
    config.SAGEMAKER_ENDPOINT_NAME,
    {
      timeoutMs: config.MODEL_TIMEOUT_MS,
      failuresToOpen: config.MODEL_BREAKER_FAILURES,
      halfOpenAfterMs: config.MODEL_BREAKER_HALF_OPEN_MS,
    },
  );
  model.breaker.onBreak(() =>
    logger.warn('model endpoint breaker opened: recommending by popularity without calling it', {
      halfOpenAfterMs: config.MODEL_BREAKER_HALF_OPEN_MS,
    }),
  );
  model.breaker.onReset(() => logger.info('model endpoint breaker closed: the model answers again'));
  return {
    model,
    // The insights endpoint's own breaker (INSIGHTS_BREAKER_*), with the shoppers' deadline.
    segments: new InsightsSegments(insightsModelFromEnv({ timeoutMs: config.SEGMENT_TIMEOUT_MS })),
    clock: systemClock,
    popular: cached(
      firstWithItems(new DynamoPopularProducts(dynamoDocumentClient(), config.AGGREGATES_TABLE), catalogPopularity()),
      60_000,
      systemClock,
    ),
    products: { getMany: (ids) => products.getMany(ids) },
    history: new DynamoPurchases(dynamoDocumentClient(), config.PURCHASE_HISTORY_TABLE),
    log: {
      warn: (message, details) => logger.warn(message, details),
      debug: (message, details) => logger.debug(message, details),
    },
    metrics: businessMetrics,
  };
}

/** The purchase history as the recordPurchases rule's target writes it. */
export const livePurchaseRecords = () =>
  new DynamoPurchases(
    dynamoDocumentClient(),
    parseEnv(z.object({ PURCHASE_HISTORY_TABLE: z.string() })).PURCHASE_HISTORY_TABLE,
  );
