/**
 * The warehouse port: the analytics context's only way to reach its SQL store.
 * Two adapters run the same SQL: Redshift Serverless through the Redshift Data API (AWS) and PGlite (local).
 *
 * Parameters are positional, `$1`, `$2`…, in the SQL and in `params`; the Redshift adapter rewrites them
 * to the Data API's named `:pN` form. Write SQL that both engines accept (see migrations.ts for the rules).
 */
export type SqlValue = string | number | boolean | null;

/** Where the two engines' SQL differs (access control: Redshift grants `TO ROLE x`, Postgres `TO x`). */
export type SqlDialect = 'redshift' | 'postgres';

/**
 * The database role of the warehouse's readers (the analytics API): USAGE on the schema and SELECT on its tables
 * and views, nothing else (migration 5). On Redshift the readers sign in with their IAM roles, which carry the tag
 * RedshiftDbRoles=analytics_reader (lib/contexts/platform-function.ts); on PGlite their statements run as it.
 */
export const WAREHOUSE_READER_ROLE = 'analytics_reader';

/** A row as both adapters return it: BIGINT/INTEGER → number, DATE → 'YYYY-MM-DD', TIMESTAMP → 'YYYY-MM-DD HH:MM:SS[.fff]'. */
export type Row = Record<string, SqlValue>;

export interface Statement {
  sql: string;
  params?: readonly SqlValue[];
}

export interface ExecuteResult {
  /** Rows inserted, updated or deleted, when the engine reports it. */
  rowsAffected: number;
}

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
}

/** How large the loads make their statements and transactions on an engine (see load.ts). */
export interface LoadLimits {
  rowsPerStatement: number;
  statementsPerBatch: number;
}

/** Each engine's load sizes. */
export const LOAD_LIMITS = {
  /** 100 rows keep an insert under the Data API's 100 KB of SQL (a BatchExecuteStatement takes up to 40 statements). */
  redshift: { rowsPerStatement: 100, statementsPerBatch: 20 },
  /**
   * PGlite has no SQL size limit: 1,000 rows a statement (13,000 parameters for sales_facts, under Postgres'
   * 65,535) loads a month's rows in about 25 % less CPU than 100 rows a statement (the analytics bench's bulk load).
   */
  pglite: { rowsPerStatement: 1000, statementsPerBatch: 20 },
} as const satisfies Record<string, LoadLimits>;

export interface Warehouse {
  /** The engine's load sizes (LOAD_LIMITS); without them the loads use Redshift's. */
  readonly loadLimits?: LoadLimits;
  /** Applies pending migrations in version order, each in its own transaction; a no-op when up to date. */
  migrate(): Promise<MigrationReport>;
  execute(sql: string, params?: readonly SqlValue[]): Promise<ExecuteResult>;
  query<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs the statements in order as one transaction: all of them take effect or none does. */
  batch(statements: readonly Statement[]): Promise<ExecuteResult[]>;
  close(): Promise<void>;
  /**
   * Engines that serve readers and loaders on one connection (PGlite): a handle on the same engine whose every
   * statement runs in a read-only transaction as WAREHOUSE_READER_ROLE. It cannot migrate, and its close()
   * leaves the engine open. (On Redshift a reader is a different identity, not a handle: see warehouse-env.ts.)
   */
  readOnly?(): Warehouse;
}

export class WarehouseError extends Error {
  constructor(
    message: string,
    readonly details: { statementId?: string; sql?: string; status?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'WarehouseError';
  }
}
