import { types, type PGlite, type Transaction } from '@electric-sql/pglite';
import { createPGlite } from './pglite-template.mjs';
import { runMigrations } from '../../../functions/analytics/domain/migrations';
import { ENSURE_READER_ROLE, READ_ONLY_AS_READER } from './reader-role';
import {
  WarehouseError,
  type ExecuteResult,
  type MigrationReport,
  type Row,
  type SqlValue,
  type Statement,
  type Warehouse,
} from '../../../functions/analytics/ports';

/**
 * PGlite has no SQL size limit: 1,000 rows a statement (13,000 parameters for sales_facts, under Postgres'
 * 65,535) loads a month's rows in less CPU than the Data API's 100 rows a statement.
 */
export const PGLITE_LOAD_LIMITS = { rowsPerStatement: 1000, statementsPerBatch: 20 } as const;

/**
 * The warehouse port on an in-process PGlite, for the tests and the bench's bulk-load baseline that exercise the
 * warehouse's SQL without the Data API between: the same migrations (Postgres dialect) and loads, values in the
 * same shapes the Redshift Data API adapter produces. The platform's warehouse is the emulator (./server.ts).
 */
export class PgliteWarehouse implements Warehouse {
  readonly loadLimits = PGLITE_LOAD_LIMITS;
  private constructor(private readonly db: PGlite) {}

  /** Opens (about 1.5 s of WASM start, from ./pglite-template.mjs when new); `dataDir` undefined → in memory. */
  static async open(options: { dataDir?: string } = {}): Promise<PgliteWarehouse> {
    const db = await createPGlite({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      parsers: {
        // Redshift's Data API returns dates and timestamps as text and integers as numbers: match it.
        [types.DATE]: (v: string) => v,
        [types.TIMESTAMP]: (v: string) => v,
        [types.INT8]: (v: string) => Number(v),
        [types.NUMERIC]: (v: string) => Number(v),
      },
    });
    await db.exec(ENSURE_READER_ROLE);
    return new PgliteWarehouse(db);
  }

  migrate(): Promise<MigrationReport> {
    return runMigrations(this, { dialect: 'postgres' });
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<ExecuteResult> {
    const r = await this.db.query(sql, [...params]);
    return { rowsAffected: r.affectedRows ?? 0 };
  }

  async query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const r = await this.db.query<T>(sql, [...params]);
    return r.rows;
  }

  async batch(statements: readonly Statement[]): Promise<ExecuteResult[]> {
    if (statements.length === 0) return [];
    // PGlite's transaction() commits when the callback resolves and rolls back when it throws.
    return this.db.transaction((tx) => runAll(tx, statements));
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }

  readOnly(): Warehouse {
    const asReader = <R>(work: (tx: Transaction) => Promise<R>) =>
      this.db.transaction(async (tx) => {
        await tx.exec(READ_ONLY_AS_READER);
        return work(tx);
      });
    return {
      loadLimits: this.loadLimits,
      migrate: () => Promise.reject(new WarehouseError('A read-only warehouse handle cannot migrate')),
      execute: (sql, params = []) =>
        asReader(async (tx) => ({ rowsAffected: (await tx.query(sql, [...params])).affectedRows ?? 0 })),
      query: <T extends object = Row>(sql: string, params: readonly SqlValue[] = []) =>
        asReader(async (tx) => (await tx.query<T>(sql, [...params])).rows),
      batch: (statements) => (statements.length === 0 ? Promise.resolve([]) : asReader((tx) => runAll(tx, statements))),
      // The engine is the loaders' too: only its owner closes it.
      close: () => Promise.resolve(),
    };
  }
}

async function runAll(tx: Transaction, statements: readonly Statement[]): Promise<ExecuteResult[]> {
  const results: ExecuteResult[] = [];
  for (const s of statements) {
    const r = await tx.query(s.sql, [...(s.params ?? [])]);
    results.push({ rowsAffected: r.affectedRows ?? 0 });
  }
  return results;
}
