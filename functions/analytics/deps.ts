import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { traced } from '../shared/tracing';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { DynamoResultCache } from './adapters/dynamo-result-cache';
import { DynamoWarehouseVersion } from './adapters/warehouse-version';
import {
  LOAD_LIMITS,
  type AnalyticsQueryDeps,
  type ExecuteResult,
  type LoaderDeps,
  type LoadLimits,
  type MigrationReport,
  type Row,
  type SqlValue,
  type Statement,
  type Warehouse,
} from './ports';

const nonEmpty = z.string().check(z.minLength(1));

/**
 * The warehouse, from the environment (parsed at module load: a bad environment fails the cold start): Redshift
 * Serverless through the Data API, REDSHIFT_WORKGROUP + REDSHIFT_DATABASE. REDSHIFT_SECRET_ARN names the admin
 * credentials the loaders sign in with; the readers get none and sign in as their own IAM role (a read-only
 * database identity). The Data API's endpoint is the SDK's (AWS_ENDPOINT_URL_REDSHIFT_DATA locally).
 */
export const WarehouseEnv = z.object({
  REDSHIFT_WORKGROUP: nonEmpty,
  REDSHIFT_DATABASE: nonEmpty,
  REDSHIFT_SECRET_ARN: z.optional(nonEmpty),
});
export type WarehouseEnv = z.infer<typeof WarehouseEnv>;

/**
 * What a function does in the warehouse: load it (the stream consumers, which own the schema and migrate it), or
 * only read it (the analytics API, the health check), as the read-only reader (WAREHOUSE_READER_ROLE).
 */
export type WarehouseAccess = 'write' | 'read';

/**
 * A Warehouse that opens its adapter and applies pending migrations on first use, once per container.
 * Concurrent first calls share the one opening; a failed opening is forgotten (and whatever it opened is
 * closed), so the next call tries again. The SDK is imported on first use, not at the cold start.
 */
export function lazyWarehouse(
  open: () => Promise<Warehouse>,
  options: { migrate?: boolean; loadLimits?: LoadLimits } = {},
): Warehouse {
  let ready: Promise<Warehouse> | undefined;
  const get = () => {
    ready ??= openMigrated(open, options.migrate ?? true).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  return {
    ...(options.loadLimits ? { loadLimits: options.loadLimits } : {}),
    migrate: async (): Promise<MigrationReport> => (await get()).migrate(),
    execute: async (sql: string, params?: readonly SqlValue[]): Promise<ExecuteResult> =>
      (await get()).execute(sql, params),
    query: async <T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> =>
      (await get()).query<T>(sql, params),
    batch: async (statements: readonly Statement[]): Promise<ExecuteResult[]> => (await get()).batch(statements),
    close: async () => {
      const opened = ready;
      ready = undefined;
      if (opened) await (await opened).close();
    },
  };
}

async function openMigrated(open: () => Promise<Warehouse>, migrate: boolean): Promise<Warehouse> {
  const warehouse = await open();
  if (!migrate) return warehouse;
  try {
    await warehouse.migrate();
  } catch (error) {
    await warehouse.close().catch(() => undefined);
    throw error;
  }
  return warehouse;
}

export interface WarehouseFromEnvOptions {
  /** Run the migrations before the first statement (default true; never for a reader, whose identity may not). */
  migrate?: boolean;
  /** How long to wait on one statement before failing it (default the adapter's 5 minutes). */
  statementTimeoutMs?: number;
  /** Default 'write'. 'read': statements run as the read-only reader, which cannot change anything. */
  access?: WarehouseAccess;
}

export function warehouseFromEnv(env: WarehouseEnv, options: WarehouseFromEnvOptions = {}): Warehouse {
  const { REDSHIFT_WORKGROUP: workgroupName, REDSHIFT_DATABASE: database, REDSHIFT_SECRET_ARN: secretArn } = env;
  const { statementTimeoutMs, access } = options;
  // A reader is its own identity (its IAM role, mapped to the reader role), not a handle on the loaders'.
  const migrate = access === 'read' ? false : (options.migrate ?? true);
  return lazyWarehouse(
    async () => {
      const [{ RedshiftDataClient }, { RedshiftDataWarehouse }] = await Promise.all([
        import('@aws-sdk/client-redshift-data'),
        import('./adapters/redshift-data-warehouse'),
      ]);
      return new RedshiftDataWarehouse(traced(new RedshiftDataClient({ maxAttempts: 3 })), {
        workgroupName,
        database,
        // A reader never signs in with the loaders' credentials, even should its environment name them.
        ...(secretArn !== undefined && access !== 'read' ? { secretArn } : {}),
        ...(statementTimeoutMs !== undefined ? { timeoutMs: statementTimeoutMs } : {}),
      });
    },
    { migrate, loadLimits: LOAD_LIMITS.redshift },
  );
}

/**
 * The live loaders' dependencies: the warehouse the environment names, and the version counter in the
 * aggregates table (every consumer is granted it: without it cached analytics answers would never go stale,
 * so a missing AGGREGATES_TABLE fails the cold start).
 */
export function liveLoaderDeps(): LoaderDeps {
  const warehouse = warehouseFromEnv(parseEnv(WarehouseEnv));
  const { AGGREGATES_TABLE } = parseEnv(z.object({ AGGREGATES_TABLE: nonEmpty }));
  return {
    warehouse,
    version: new DynamoWarehouseVersion(dynamoDocumentClient(), AGGREGATES_TABLE),
  };
}

/**
 * How long a route waits on one warehouse statement. A report runs at most two rounds of statements (the
 * latest dates, then the figures side by side) inside the function's 28 s (WAREHOUSE_FUNCTION_TIMEOUT in
 * lib/contexts/platform-function.ts): giving up at 11 s each answers the contract's 503 DEPENDENCY_UNAVAILABLE,
 * where running out the function's time would make API Gateway answer a bare 5xx of its own.
 */
export const ROUTE_STATEMENT_TIMEOUT_MS = 11_000;

/**
 * The analytics API's dependencies: the warehouse the environment names (warehouseFromEnv), and the
 * result cache in the aggregates table beside the warehouse version counter the loaders bump.
 */
export function liveAnalyticsQueryDeps(): AnalyticsQueryDeps {
  const { AGGREGATES_TABLE } = parseEnv(z.object({ AGGREGATES_TABLE: z.string().check(z.minLength(1)) }));
  return {
    // As the read-only reader: the API only queries, and signs in as its own IAM role, not the admin.
    warehouse: warehouseFromEnv(parseEnv(WarehouseEnv), {
      statementTimeoutMs: ROUTE_STATEMENT_TIMEOUT_MS,
      access: 'read',
    }),
    cache: new DynamoResultCache(dynamoDocumentClient(), AGGREGATES_TABLE),
    clock: systemClock,
    log: { warn: (message, details) => logger.warn(message, details ?? {}) },
  };
}
