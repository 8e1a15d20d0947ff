import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { traced } from '../shared/tracing';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { productRepository } from '../catalog/deps';
import { DynamoStockLevels } from './adapters/dynamo-stock-levels';
import { DEFAULT_INSIGHTS_RESILIENCE, SageMakerInsights } from './adapters/sagemaker-insights';
import type { CatalogLookup, ModelQueryDeps, StockLevels } from './ports';

const positiveInt = (fallback: number) =>
  z.pipe(
    z._default(z.string().check(z.regex(/^\d{1,7}$/, 'Must be a whole number')), String(fallback)),
    z.transform((s: string) => Number(s)),
  );

/**
 * INSIGHTS_ENDPOINT_NAME names the demand-insights endpoint (lib/routes.ts `insightsEndpoint`); its URL is the
 * SDK's usual resolution (AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME locally). Timeout and breaker have defaults.
 */
const InsightsEnv = z.object({
  INSIGHTS_ENDPOINT_NAME: z.string().check(z.minLength(1)),
  INSIGHTS_TIMEOUT_MS: positiveInt(DEFAULT_INSIGHTS_RESILIENCE.timeoutMs),
  INSIGHTS_BREAKER_FAILURES: positiveInt(DEFAULT_INSIGHTS_RESILIENCE.failuresToOpen),
  INSIGHTS_BREAKER_HALF_OPEN_MS: positiveInt(DEFAULT_INSIGHTS_RESILIENCE.halfOpenAfterMs),
});

/** The model client from the environment, its breaker's changes logged once each. `timeoutMs` overrides the env's. */
export function insightsModelFromEnv(options: { timeoutMs?: number } = {}): SageMakerInsights {
  const env = parseEnv(InsightsEnv);
  // One attempt: the breaker and the callers handle failure, and a retry would not fit the deadline.
  const model = new SageMakerInsights(
    traced(new SageMakerRuntimeClient({ maxAttempts: 1 })),
    env.INSIGHTS_ENDPOINT_NAME,
    {
      timeoutMs: options.timeoutMs ?? env.INSIGHTS_TIMEOUT_MS,
      failuresToOpen: env.INSIGHTS_BREAKER_FAILURES,
      halfOpenAfterMs: env.INSIGHTS_BREAKER_HALF_OPEN_MS,
    },
  );
  model.breaker.onBreak(() => logger.warn('insights endpoint breaker opened: answering without calling it'));
  model.breaker.onReset(() => logger.info('insights endpoint breaker closed: the model answers again'));
  return model;
}

/** The catalog's products as the model routes show them (the products table, read-only). */
export const catalogLookup = (): CatalogLookup => {
  const products = productRepository();
  const view = (p: { id: string; name: string; price: number; currency: string }) => ({
    id: p.id,
    name: p.name,
    price: p.price,
    currency: p.currency,
  });
  return {
    get: async (id) => {
      const product = await products.get(id);
      return product ? view(product) : undefined;
    },
    getMany: async (ids) => new Map([...(await products.getMany(ids))].map(([id, p]) => [id, view(p)])),
  };
};

export const stockLevels = (): StockLevels =>
  new DynamoStockLevels(dynamoDocumentClient(), parseEnv(z.object({ INVENTORY_TABLE: z.string() })).INVENTORY_TABLE);

/** The model alone: the segment routes read nothing else. */
export function liveModelDeps(): Pick<ModelQueryDeps, 'model' | 'log'> {
  return { model: insightsModelFromEnv(), log: { warn: (message, details) => logger.warn(message, details ?? {}) } };
}

/** The model and the catalog (products table, read-only): the forecast and pricing routes. */
export function liveModelQueryDeps(): ModelQueryDeps {
  return { ...liveModelDeps(), catalog: catalogLookup() };
}
