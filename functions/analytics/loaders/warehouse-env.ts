import * as z from 'zod/mini';
import { parseEnv } from '../../shared/env';
import type { ExecuteResult, MigrationReport, Row, SqlValue, Statement, Warehouse } from '../warehouse/port';

/**
 * Which warehouse the loaders write to, from the environment (parsed at module load: a bad environment fails
 * the cold start): PGlite under WAREHOUSE_PGLITE_DIR locally, or Redshift Serverless through the Data API
 * (REDSHIFT_WORKGROUP + REDSHIFT_DATABASE, REDSHIFT_SECRET_ARN optional) in AWS.
 */
const nonEmpty = z.string().check(z.minLength(1));
export const WarehouseEnv = z
  .object({
    WAREHOUSE_PGLITE_DIR: z.optional(nonEmpty),
    REDSHIFT_WORKGROUP: z.optional(nonEmpty),
    REDSHIFT_DATABASE: z.optional(nonEmpty),
    REDSHIFT_SECRET_ARN: z.optional(nonEmpty),
  })
  .check(
    z.refine((e) => e.WAREHOUSE_PGLITE_DIR !== undefined || (e.REDSHIFT_WORKGROUP !== undefined && e.REDSHIFT_DATABASE !== undefined), {
      message: 'Set WAREHOUSE_PGLITE_DIR, or REDSHIFT_WORKGROUP and REDSHIFT_DATABASE',
      path: ['WAREHOUSE_PGLITE_DIR|REDSHIFT_WORKGROUP+REDSHIFT_DATABASE'],
    }),
  );
export type WarehouseEnv = z.infer<typeof WarehouseEnv>;

/**
 * A Warehouse that opens its adapter and applies pending migrations on first use, once per container.
 * Concurrent first calls share the one opening; a failed opening is forgotten, so the next call tries again.
 * The adapters are imported dynamically: the Redshift function never loads PGlite's WASM, and the reverse.
 */
export function lazyWarehouse(open: () => Promise<Warehouse>): Warehouse {
  let ready: Promise<Warehouse> | undefined;
  const get = () => {
    ready ??= (async () => {
      const warehouse = await open();
      await warehouse.migrate();
      return warehouse;
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  return {
    migrate: async (): Promise<MigrationReport> => (await get()).migrate(),
    execute: async (sql: string, params?: readonly SqlValue[]): Promise<ExecuteResult> => (await get()).execute(sql, params),
    query: async <T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> => (await get()).query<T>(sql, params),
    batch: async (statements: readonly Statement[]): Promise<ExecuteResult[]> => (await get()).batch(statements),
    close: async (): Promise<void> => {
      const opened = ready;
      ready = undefined;
      if (opened) await (await opened).close();
    },
  };
}

export function warehouseFromEnv(env: WarehouseEnv): Warehouse {
  if (env.WAREHOUSE_PGLITE_DIR !== undefined) {
    const dataDir = env.WAREHOUSE_PGLITE_DIR;
    return lazyWarehouse(async () => (await import('../warehouse/pglite')).PgliteWarehouse.open({ dataDir }));
  }
  const { REDSHIFT_WORKGROUP: workgroupName, REDSHIFT_DATABASE: database, REDSHIFT_SECRET_ARN: secretArn } = env;
  return lazyWarehouse(async () => {
    const [{ RedshiftDataClient }, { RedshiftDataWarehouse }] = await Promise.all([
      import('@aws-sdk/client-redshift-data'),
      import('../warehouse/redshift-data'),
    ]);
    return new RedshiftDataWarehouse(new RedshiftDataClient({ maxAttempts: 3 }), {
      workgroupName: workgroupName!,
      database: database!,
      ...(secretArn !== undefined ? { secretArn } : {}),
    });
  });
}

/** The live loaders' dependencies: the warehouse the environment names. */
export function liveLoaderDeps(): { warehouse: Warehouse } {
  return { warehouse: warehouseFromEnv(parseEnv(WarehouseEnv)) };
}
