import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../../shared/clients';
import { parseEnv } from '../../shared/env';
import { DynamoWarehouseVersion } from '../adapters/warehouse-version';
import type { LoaderDeps } from './handlers';
import { LOAD_LIMITS, type ExecuteResult, type LoadLimits, type MigrationReport, type Row, type SqlValue, type Statement, type Warehouse } from '../warehouse/port';

/**
 * Which warehouse the loaders write to, from the environment (parsed at module load: a bad environment fails
 * the cold start): PGlite under WAREHOUSE_PGLITE_DIR locally, or Redshift Serverless through the Data API
 * (REDSHIFT_WORKGROUP + REDSHIFT_DATABASE) in AWS. REDSHIFT_SECRET_ARN names the admin credentials the loaders
 * sign in with; the readers get none and sign in as their own IAM role (a read-only database identity).
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
 * Concurrent first calls share the one opening; a failed opening is forgotten (and whatever it opened is
 * closed), so the next call tries again. The adapters are imported dynamically: the Redshift function never
 * loads PGlite's WASM, and the reverse.
 */
/**
 * What a function does in the warehouse: load it (the stream consumers, which own the schema and migrate it), or
 * only read it (the analytics API, the health check), as the read-only reader (WAREHOUSE_READER_ROLE).
 */
export type WarehouseAccess = 'write' | 'read';

export interface WarehouseHandleOptions {
  /** Run the migrations before the first statement (default true). */
  migrate?: boolean;
  /** The engine's load sizes, known before it opens: loads size their statements before the first call. */
  loadLimits?: LoadLimits;
  /** Default 'write'. A reader's handle runs its statements through the engine's readOnly(). */
  access?: WarehouseAccess;
}

export function lazyWarehouse(open: () => Promise<Warehouse>, options: WarehouseHandleOptions = {}): Warehouse {
  let ready: Promise<Warehouse> | undefined;
  const get = () => {
    ready ??= openMigrated(open, options.migrate ?? true).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  return facade(get, options.loadLimits, async () => {
    const opened = ready;
    ready = undefined;
    if (opened) await (await opened).close();
  });
}

async function openMigrated(open: () => Promise<Warehouse>, migrate: boolean): Promise<Warehouse> {
  const warehouse = await open();
  if (!migrate) return warehouse;
  try {
    await warehouse.migrate();
  } catch (error) {
    // An engine left open would hold its data directory (PGlite) and block the retry.
    await warehouse.close().catch(() => undefined);
    throw error;
  }
  return warehouse;
}

function facade(get: () => Promise<Warehouse>, loadLimits: LoadLimits | undefined, close: () => Promise<void>): Warehouse {
  return {
    ...(loadLimits ? { loadLimits } : {}),
    migrate: async (): Promise<MigrationReport> => (await get()).migrate(),
    execute: async (sql: string, params?: readonly SqlValue[]): Promise<ExecuteResult> => (await get()).execute(sql, params),
    query: async <T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> => (await get()).query<T>(sql, params),
    batch: async (statements: readonly Statement[]): Promise<ExecuteResult[]> => (await get()).batch(statements),
    close,
  };
}

// ---------------------------------------------------------------------------------------------------------
// One PGlite per data directory and process

/**
 * Locally every function runs in the platform's one process, and PGlite cannot open a directory that is
 * already open. So all the handler modules (the four consumers, the analytics API, the health check) share
 * one engine per directory: each `warehouseFromEnv` call returns a handle onto it. The registry lives on
 * globalThis, not in this module, so that two instances of this module (a test's module reset, a second
 * loader of the same file) still find the one engine.
 *
 * The engine opens on first use, not at load: starting the platform (and a function's cold start) pays
 * nothing until a batch arrives or a query is asked. A handle's close() releases the handle; the last one
 * closes the engine. Handler modules never close theirs (a Lambda container never does), so the platform
 * calls closeSharedWarehouses() when it stops; handles stay usable and reopen the engine on their next use.
 */
interface SharedEngine {
  ready?: Promise<Warehouse>;
  /** Set while the engine is closing: an opening waits for it, so one directory is never open twice. */
  closing?: Promise<void>;
  migrated?: Promise<unknown>;
  handles: number;
}

const REGISTRY = Symbol.for('ecicomm.analytics.sharedWarehouses');
const engines = (): Map<string, SharedEngine> => ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= new Map()) as Map<string, SharedEngine>;

/** `memory://` (a non-persisted engine, shared by the process like a directory) or an absolute directory. */
export const sharedWarehouseKey = (dataDir: string) => (isUrl(dataDir) ? dataDir : path.resolve(dataDir));

async function shutDown(engine: SharedEngine): Promise<void> {
  const opened = engine.ready;
  engine.ready = undefined;
  engine.migrated = undefined;
  if (!opened) return;
  const closing = (async () => {
    let warehouse: Warehouse;
    try {
      warehouse = await opened;
    } catch {
      return; // An opening that failed holds nothing.
    }
    await warehouse.close();
  })();
  engine.closing = closing;
  try {
    await closing;
  } finally {
    if (engine.closing === closing) engine.closing = undefined;
  }
}

export function sharedWarehouse(key: string, open: () => Promise<Warehouse>, options: WarehouseHandleOptions = {}): Warehouse {
  const registry = engines();
  let engine = registry.get(key);
  if (!engine) registry.set(key, (engine = { handles: 0 }));
  const shared = engine;
  shared.handles++;
  let released = false;
  const get = async (): Promise<Warehouse> => {
    if (released) throw new Error('This warehouse handle is closed');
    while (shared.closing) await shared.closing.catch(() => undefined);
    const ready = (shared.ready ??= open().catch((error: unknown) => {
      if (shared.ready === ready) shared.ready = undefined;
      throw error;
    }));
    const warehouse = await ready;
    // Migrations run once per engine, by the first handle that wants them (readers such as the health
    // check need no schema and do not wait for one).
    if (options.migrate ?? true) {
      const migrated = (shared.migrated ??= warehouse.migrate().catch((error: unknown) => {
        if (shared.migrated === migrated) shared.migrated = undefined;
        throw error;
      }));
      await migrated;
    }
    return options.access === 'read' ? readOnlyOf(warehouse) : warehouse;
  };
  return facade(get, options.loadLimits, async () => {
    if (released) return;
    released = true;
    shared.handles--;
    if (shared.handles === 0) await shutDown(shared);
  });
}

function readOnlyOf(warehouse: Warehouse): Warehouse {
  if (!warehouse.readOnly) throw new Error('This warehouse engine has no read-only handle');
  return warehouse.readOnly();
}

/** Closes every shared engine of the process (the local platform's stop); their handles reopen on next use. */
export async function closeSharedWarehouses(): Promise<void> {
  await Promise.all([...engines().values()].map(shutDown));
}

const isUrl = (dataDir: string) => /^[a-z]+:\/\//.test(dataDir);

/**
 * The process that has a PGlite directory open says so in `<dir>.lock` (its pid): another process opening
 * the same directory — `npm run replay` of an analytics route while `npm start` runs, say — would corrupt it,
 * so it is refused with an error that says why. A lock left by a process that died is taken over.
 */
function lockDirectory(dataDir: string): () => void {
  const file = `${path.resolve(dataDir)}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const owner = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new Error(`The warehouse in ${dataDir} is open in process ${owner} (a running local platform?); PGlite cannot share a directory between processes`);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The engine on a thread of its own (pglite-threaded.ts): it would otherwise block the platform's one thread. */
async function openPglite(dataDir: string): Promise<Warehouse> {
  const { ThreadedPgliteWarehouse } = await import('./pglite-threaded');
  if (isUrl(dataDir)) return ThreadedPgliteWarehouse.open({ dataDir });
  const unlock = lockDirectory(dataDir);
  let engine: Awaited<ReturnType<typeof ThreadedPgliteWarehouse.open>>;
  try {
    engine = await ThreadedPgliteWarehouse.open({ dataDir });
  } catch (e) {
    unlock();
    throw e;
  }
  return {
    loadLimits: LOAD_LIMITS.pglite,
    migrate: () => engine.migrate(),
    execute: (sql, params) => engine.execute(sql, params),
    query: (sql, params) => engine.query(sql, params),
    batch: (statements) => engine.batch(statements),
    readOnly: () => engine.readOnly(),
    close: async () => {
      try {
        await engine.close();
      } finally {
        unlock();
      }
    },
  };
}

export interface WarehouseFromEnvOptions {
  /**
   * Run the migrations before the first statement (default true). Readers never migrate on Redshift (their
   * identity may not); on PGlite a reader's handle has the shared engine migrated by its owner first.
   */
  migrate?: boolean;
  /** Redshift only: how long to wait on one statement before failing it (default the adapter's 5 minutes). */
  statementTimeoutMs?: number;
  /** Default 'write'. 'read': statements run as the read-only reader, which cannot change anything. */
  access?: WarehouseAccess;
}

export function warehouseFromEnv(env: WarehouseEnv, options: WarehouseFromEnvOptions = {}): Warehouse {
  if (env.WAREHOUSE_PGLITE_DIR !== undefined) {
    const dataDir = env.WAREHOUSE_PGLITE_DIR;
    return sharedWarehouse(sharedWarehouseKey(dataDir), () => openPglite(dataDir), { ...options, loadLimits: LOAD_LIMITS.pglite });
  }
  const { REDSHIFT_WORKGROUP: workgroupName, REDSHIFT_DATABASE: database, REDSHIFT_SECRET_ARN: secretArn } = env;
  const { statementTimeoutMs, access, ...lazyOptions } = options;
  // A Redshift reader is its own identity (its IAM role, mapped to the reader role), not a handle on the loaders'.
  if (access === 'read') lazyOptions.migrate = false;
  return lazyWarehouse(async () => {
    const [{ RedshiftDataClient }, { RedshiftDataWarehouse }] = await Promise.all([
      import('@aws-sdk/client-redshift-data'),
      import('../warehouse/redshift-data'),
    ]);
    return new RedshiftDataWarehouse(new RedshiftDataClient({ maxAttempts: 3 }), {
      workgroupName: workgroupName!,
      database: database!,
      // A reader never signs in with the loaders' credentials, even should its environment name them.
      ...(secretArn !== undefined && access !== 'read' ? { secretArn } : {}),
      ...(statementTimeoutMs !== undefined ? { timeoutMs: statementTimeoutMs } : {}),
    });
  }, { ...lazyOptions, loadLimits: LOAD_LIMITS.redshift });
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
