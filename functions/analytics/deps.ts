import * as z from 'zod/mini';
import { dynamoDocumentClient, kinesisClient, systemClock } from '../shared/clients';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { DynamoResultCache } from './adapters/dynamo-result-cache';
import { KinesisClickstream } from './adapters/kinesis-clickstream';
import { WarehouseEnv, warehouseFromEnv } from './loaders/warehouse-env';
import type { AnalyticsDeps, AnalyticsQueryDeps } from './ports';

export const clickstreamWriter = () =>
  new KinesisClickstream(kinesisClient(), parseEnv(z.object({ CLICKSTREAM_STREAM: z.string().check(z.minLength(1)) })).CLICKSTREAM_STREAM);

export function liveAnalyticsDeps(): AnalyticsDeps {
  return { clickstream: clickstreamWriter(), clock: systemClock };
}

/**
 * How long a route waits on one warehouse statement. A report runs at most two rounds of statements (the
 * latest dates, then the figures side by side) inside the function's 28 s (WAREHOUSE_FUNCTION_TIMEOUT in
 * lib/contexts/platform-function.ts): giving up at 11 s each answers the contract's 503 DEPENDENCY_UNAVAILABLE,
 * where running out the function's time would make API Gateway answer a bare 5xx of its own.
 */
export const ROUTE_STATEMENT_TIMEOUT_MS = 11_000;

/**
 * The analytics API's dependencies: the warehouse the environment names (loaders/warehouse-env.ts), and the
 * result cache in the aggregates table beside the warehouse version counter the loaders bump.
 */
export function liveAnalyticsQueryDeps(): AnalyticsQueryDeps {
  const { AGGREGATES_TABLE } = parseEnv(z.object({ AGGREGATES_TABLE: z.string().check(z.minLength(1)) }));
  return {
    // As the read-only reader: the API only queries, and on Redshift signs in as its own IAM role, not the admin.
    warehouse: warehouseFromEnv(parseEnv(WarehouseEnv), { statementTimeoutMs: ROUTE_STATEMENT_TIMEOUT_MS, access: 'read' }),
    cache: new DynamoResultCache(dynamoDocumentClient(), AGGREGATES_TABLE),
    clock: systemClock,
    log: { warn: (message, details) => logger.warn(message, details ?? {}) },
  };
}
