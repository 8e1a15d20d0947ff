/**
 * The warehouse port: the analytics context's only way to reach its SQL store.
 * Two adapters run the same SQL: Redshift Serverless through the Redshift Data API (AWS) and PGlite (local).
 *
 * Parameters are positional, `$1`, `$2`…, in the SQL and in `params`; the Redshift adapter rewrites them
 * to the Data API's named `:pN` form. Write SQL that both engines accept (see migrations.ts for the rules).
 */
export type SqlValue = string | number | boolean | null;

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
